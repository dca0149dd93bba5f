# Order matching against five-level Level-1 snapshots (tick replay).  Explanation in tickmatch.pyx.
from ptrade_fast._core.typedefs cimport price_t, int64_t

cdef enum:
    TM_LEVELS = 5                 # levels per side in a Level-1 snapshot
    TM_PPM = 1000000              # participation is an integer in parts per million

# Market-order types, Ptrade's ``order_market(market_type=...)`` codes; TM_LIMIT is an ordinary limit order.
cdef enum:
    TM_LIMIT = -1
    TM_BEST_COUNTER = 0           # 对手方最优: the opposite best level, remainder rests there
    TM_BEST5_TO_LIMIT = 1         # 最优五档即时成交剩余转限价 (SSE): five levels, remainder rests at the last fill price
    TM_BEST_OWN = 2               # 本方最优: rests at the own-side best price
    TM_IOC = 3                    # 即时成交剩余撤销 (SZSE): every displayed level, remainder cancelled
    TM_BEST5_IOC = 4              # 最优五档即时成交剩余撤销: five levels, remainder cancelled
    TM_FOK = 5                    # 全额成交或撤单 (SZSE): everything at once or nothing

# What an arrival left behind.
cdef enum:
    TM_REST = 0                   # a remainder rests in the queue at rest_px
    TM_DONE = 1                   # filled in full
    TM_CANCEL = 2                 # the remainder (maybe all of it) is cancelled, with a reason

cdef int64_t tm_share(int64_t volume, int64_t ppm) noexcept nogil
cdef int tm_depth(const price_t* px, const int64_t* vol) noexcept nogil
cdef int64_t tm_level_volume(int side, price_t price, const price_t* px, const int64_t* vol,
                             bint* known) noexcept nogil
