# Per-fill fees.  Table of contents; the explanation is in fees.pyx.
from libc.math cimport floor
from ptrade_fast._core.typedefs cimport sid_t, money_t, SIDE_SELL


cdef inline money_t fee_round(double x) noexcept nogil:
    # x is in money units (1e-4 CNY); Ptrade rounds each fee component half up to 0.01 CNY (100 units).
    # The 1e-9 absorbs binary noise such as 0.5 arriving as 0.4999999.
    return <money_t>floor(x / 100.0 + 0.5 + 1e-9) * 100


cdef inline money_t fee_commission(money_t value, double rate, money_t min_commission) noexcept nogil:
    # The minimum applies per fill; a zero-value fill pays nothing.
    cdef money_t c
    if value == 0:
        return 0
    c = fee_round(value * rate)
    return c if c > min_commission else min_commission


cdef class FeeTable:
    cdef readonly Py_ssize_t n_sids
    # numpy arrays indexed by sid, filled in place by the facade each day
    cdef readonly object commission_rate   # float64, fraction of value
    cdef readonly object handling_rate     # float64, exchange handling fee
    cdef readonly object transfer_rate     # float64, transfer fee
    cdef readonly object stamp_rate        # float64, stamp duty, sells only
    cdef readonly object min_commission    # int64 money, floor of the commission per fill
    cdef double[::1] _commission_rate
    cdef double[::1] _handling_rate
    cdef double[::1] _transfer_rate
    cdef double[::1] _stamp_rate
    cdef money_t[::1] _min_commission

    # out[0..3] = commission, handling, transfer, stamp; returns their sum.  sid must be < n_sids.
    cdef money_t fee_table_components(self, sid_t sid, int side, money_t value, money_t* out) noexcept nogil
    cdef money_t fee_table_total(self, sid_t sid, int side, money_t value) noexcept nogil
