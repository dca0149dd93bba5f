# Working orders (struct-of-arrays) and their matching against one bar of the whole market.
# Explanation in book.pyx.
from ptrade_fast._core.typedefs cimport sid_t, qty_t, price_t, money_t, int8_t, int32_t, int64_t, uint8_t
from ptrade_fast._core.fees cimport FeeTable
from ptrade_fast._core.ledger cimport Ledger
from ptrade_fast._core.futures cimport FuturesLedger, FuturesFeeTable


cdef class MatchParams:
    cdef public double volume_ratio       # LIMIT mode: fill per order per bar <= floor(ratio * bar volume)
    cdef public int limit_mode            # 0 LIMIT (volume cap), 1 UNLIMITED
    cdef public int slippage_kind         # 0 none, 1 ratio, 2 fixed
    cdef public double slippage_ratio     # full ratio; half is applied to each side
    cdef public price_t slippage_fixed    # full spread in price units; half (rounded up) each side
    cdef public bint block_limit_locked   # no buys at high_limit, no sells at low_limit
    cdef public bint shared_volume_cap    # orders on one sid share the cap within one match call
    cdef public int limit_touch           # limit trigger: 0 bar close, 1 bar low (buys) / high (sells)


cdef class FillBuffer:
    cdef readonly Py_ssize_t n            # rows [0, n) are fills
    cdef readonly Py_ssize_t capacity
    cdef dict _arrays                     # column name -> numpy array of length capacity
    cdef int64_t[::1] _order_row          # book row of the order filled
    cdef int32_t[::1] _sid
    cdef int8_t[::1] _side
    cdef int64_t[::1] _qty
    cdef int64_t[::1] _price              # price_t after slippage
    cdef int64_t[::1] _value              # money: qty * price (futures: qty * price * multiplier)
    cdef int64_t[::1] _commission         # money, the four fee components of this fill (futures: all in commission)
    cdef int64_t[::1] _handling_fee
    cdef int64_t[::1] _transfer_fee
    cdef int64_t[::1] _stamp_duty
    cdef int8_t[::1] _otype               # order type of the order filled (OTYPE_*)

    cdef int fill_buffer_reserve(self, Py_ssize_t extra) except -1


cdef class OrderBook:
    cdef readonly Py_ssize_t n_orders     # rows [0, n_orders) are orders; row r has entrust_no r + 1
    cdef readonly Py_ssize_t capacity     # allocated rows; doubles when full
    cdef Py_ssize_t _n_live               # open orders (statuses '2'/'7')
    cdef Py_ssize_t _n_open               # used part of _open; may hold cancelled rows until compaction
    cdef Py_ssize_t _n_changed
    cdef sid_t _max_sid                   # largest sid ever added to the open set (-1 if none)
    cdef dict _arrays                     # column name -> numpy array of length capacity
    cdef int64_t[::1] _entrust_no
    cdef int32_t[::1] _sid
    cdef int8_t[::1] _side
    cdef int64_t[::1] _amount             # ordered quantity, > 0 for working orders
    cdef int64_t[::1] _filled             # 0 <= filled <= amount
    cdef int64_t[::1] _limit_price        # price_t; 0 = market-style (fills at the bar close)
    cdef uint8_t[::1] _status             # ASCII of Ptrade's status char
    cdef int32_t[::1] _reason             # last R_* code
    cdef int32_t[::1] _lot                # lot size of the instrument at creation
    cdef int64_t[::1] _created_seq        # caller's bar sequence number at creation
    cdef int8_t[::1] _otype               # OTYPE_*: stock, futures open/close/close-today, margin kinds
    cdef int64_t[::1] _open               # open rows in creation order (capacity rows)
    cdef int64_t[::1] _changed            # rows whose status/reason changed in the last call
    cdef object _used_arr                 # int64 per-sid scratch for the shared volume cap (all 0 between calls)
    cdef int64_t[::1] _used
    cdef int32_t[::1] _touched            # sids touched in _used during one match call

    cdef int _grow(self, Py_ssize_t need) except -1
    cdef int64_t _append(self, sid_t sid, int side, qty_t amount, price_t limit_price, int32_t lot,
                         int64_t seq, uint8_t status, int32_t reason, int otype) except -1
    cdef void _compact_open(self) noexcept nogil
    cdef void _finish(self, int64_t row, int32_t reason) noexcept nogil
