# The matching parameters and the fill buffer OrderBook.match writes.  Explanation in fills.pyx.
from ptrade_fast._core.typedefs cimport price_t, int8_t, int32_t, int64_t


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
