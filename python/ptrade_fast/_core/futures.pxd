# Futures positions (long and short legs), margin, daily settlement, expiry; per-sid futures fees.
# Explanation in futures.pyx.
from libc.math cimport floor
from ptrade_fast._core.typedefs cimport sid_t, qty_t, price_t, money_t, int32_t, int64_t, uint8_t, MONEY_SCALE
from ptrade_fast._core.fees cimport fee_round
from ptrade_fast._core.ledger cimport Ledger


cdef inline money_t fut_notional(price_t price, qty_t qty, double multiplier) noexcept nogil:
    # price * multiplier * lots in money units.  Integral multipliers (all listed products) stay in
    # exact integer arithmetic; a fractional one is rounded half up to one money unit.
    cdef int64_t m = <int64_t>multiplier
    if <double>m == multiplier:
        return price * qty * m
    return <money_t>floor(<double>(price * qty) * multiplier + 0.5)


cdef inline money_t fut_margin_of(money_t notional, double rate) noexcept nogil:
    # Margin of a notional, rounded half up to 0.01 CNY like every amount on a trade record.
    return fee_round(notional * rate)


cdef class FuturesFeeTable:
    cdef readonly Py_ssize_t n_sids
    # numpy arrays indexed by sid, filled in place by the facade (set_future_commission)
    cdef readonly object by_volume         # uint8: 1 = CNY per lot, 0 = fraction of notional
    cdef readonly object open_rate         # float64: CNY per lot or fraction, opening
    cdef readonly object close_rate        # float64: closing yesterday's (carried) lots
    cdef readonly object close_today_rate  # float64: closing lots opened today (平今)
    cdef uint8_t[::1] _by_volume
    cdef double[::1] _open_rate
    cdef double[::1] _close_rate
    cdef double[::1] _close_today_rate

    # Fee of one leg of a fill; kind 0 open, 1 close carried lots, 2 close today's lots.
    cdef money_t fut_fee(self, sid_t sid, int kind, qty_t qty, money_t notional) noexcept nogil


cdef class FuturesLedger:
    cdef readonly Py_ssize_t n_sids
    cdef readonly Ledger ledger             # the account: cash and total_fees live in ledger.acct
    # numpy arrays indexed by sid (int64 unless noted); leg = long or short
    cdef readonly object long_amount        # lots held long, >= 0
    cdef readonly object long_today         # of which opened today, 0 <= long_today <= long_amount
    cdef readonly object short_amount
    cdef readonly object short_today
    cdef readonly object long_basis_total   # money: reference value of all lots (today: trade price,
    cdef readonly object short_basis_total  #   carried: last settlement); 0 when flat
    cdef readonly object long_today_basis   # money: the part of *_basis_total from today's lots
    cdef readonly object short_today_basis
    cdef readonly object long_margin        # money frozen for the leg, >= 0; 0 when flat
    cdef readonly object short_margin
    cdef readonly object long_realised      # money: close and expiry P&L vs reference, fees excluded
    cdef readonly object short_realised
    cdef readonly object multiplier         # float64 CNY per price point per lot (set by the facade)
    cdef readonly object margin_rate        # float64 fraction of notional (set by the facade)
    cdef readonly object settle_price       # price_t: last settlement price (0 before the first)
    cdef readonly object last_price         # price_t: last mark, for valuation
    cdef qty_t[::1] _long_amount
    cdef qty_t[::1] _long_today
    cdef qty_t[::1] _short_amount
    cdef qty_t[::1] _short_today
    cdef money_t[::1] _long_basis
    cdef money_t[::1] _short_basis
    cdef money_t[::1] _long_today_basis
    cdef money_t[::1] _short_today_basis
    cdef money_t[::1] _long_margin
    cdef money_t[::1] _short_margin
    cdef money_t[::1] _long_realised
    cdef money_t[::1] _short_realised
    cdef double[::1] _multiplier
    cdef double[::1] _margin_rate
    cdef price_t[::1] _settle_price
    cdef price_t[::1] _last_price

    # Lots closable by a close of the `pos_side` leg (+1 long, -1 short).
    cdef qty_t fut_closable(self, sid_t sid, int pos_side, bint close_today) noexcept nogil
    # Split a close into carried lots and today's lots (carried first unless close_today).
    cdef void _split(self, sid_t sid, int pos_side, qty_t qty, bint close_today,
                     qty_t* carried_part, qty_t* today_part) noexcept nogil
    # Cash needed to open qty lots at price: margin + fee.
    cdef money_t fut_open_cost(self, FuturesFeeTable fees, sid_t sid, qty_t qty, price_t price) noexcept nogil
    # Close fee, split between carried lots (close rate) and today's lots (close-today rate).
    cdef money_t fut_close_fee(self, FuturesFeeTable fees, sid_t sid, int pos_side, qty_t qty, price_t price,
                               bint close_today) noexcept nogil
    # Open qty lots of the pos_side leg: cash -= margin + fee.  Returns the margin frozen.
    cdef money_t fut_open(self, sid_t sid, int pos_side, qty_t qty, price_t price, money_t fee) noexcept nogil
    # Close qty lots (carried first unless close_today); qty must be <= fut_closable, else -1 with
    # ValueError set.  cash += released margin + P&L - fee; returns 0.
    cdef int fut_close(self, sid_t sid, int pos_side, qty_t qty, price_t price, money_t fee,
                       bint close_today) except -1 nogil
    # Book matching (OrderBook.match): size one futures order; q = 0 means nothing fills and
    # *reason says why.  Then book the fill and return its fee.
    cdef qty_t fut_size_order(self, FuturesFeeTable fees, sid_t sid, int otype, int side, qty_t rem,
                              qty_t cap, int32_t lot, price_t price, int32_t* reason) noexcept nogil
    cdef money_t fut_fill_order(self, FuturesFeeTable fees, sid_t sid, int otype, int side, qty_t qty,
                                price_t price) except -1 nogil
