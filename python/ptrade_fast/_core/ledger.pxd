# Cash and positions, struct-of-arrays by sid.  Explanation in ledger.pyx.
from ptrade_fast._core.typedefs cimport sid_t, qty_t, price_t, money_t, int64_t, uint8_t


cdef class Ledger:
    cdef readonly Py_ssize_t n_sids
    # numpy arrays indexed by sid (Python-visible; the memoryviews below view the same memory)
    cdef readonly object amount          # int64 shares held, >= 0
    cdef readonly object enable_amount   # int64 sellable now, 0 <= enable_amount <= amount
    cdef readonly object today_buy       # int64 bought today (reset by roll_day)
    cdef readonly object today_sell      # int64 sold today (reset by roll_day)
    cdef readonly object cost_total      # int64 money: total cost incl. buy fees of the holding; 0 when flat
    cdef readonly object last_price      # int64 price_t: last valid mark
    cdef readonly object realised_pnl    # int64 money: sell value - sell fees - cost share released
    cdef readonly object short_amount        # int64, reserved for futures/margin (0 for now)
    cdef readonly object short_enable_amount # int64, reserved
    cdef readonly object short_cost_total    # int64 money, reserved
    cdef readonly object margin              # int64 money, reserved
    cdef readonly object t0              # uint8: 1 = T+0 instrument (buys are sellable at once)
    cdef readonly object acct            # int64[3]: cash, total_fees, frozen_cash (money)
    cdef qty_t[::1] _amount
    cdef qty_t[::1] _enable_amount
    cdef qty_t[::1] _today_buy
    cdef qty_t[::1] _today_sell
    cdef money_t[::1] _cost_total
    cdef price_t[::1] _last_price
    cdef money_t[::1] _realised_pnl
    cdef uint8_t[::1] _t0
    cdef money_t[::1] _acct

    # Book one fill.  Buys always succeed; a sell needs 0 < qty <= enable_amount[sid], else -1 with
    # ValueError set.  fees is the total of the fill's fee components (money).
    cdef int ledger_apply_fill(self, sid_t sid, int side, qty_t qty, price_t price, money_t fees) except -1 nogil


# Cash and fee adjusters for the futures and margin kernels, which share this account's cash
# (acct slots as in ledger.pyx: ACCT_CASH = 0, ACCT_TOTAL_FEES = 1).
cdef inline void ledger_add_cash(Ledger ledger, money_t delta) noexcept nogil:
    ledger._acct[0] += delta


cdef inline void ledger_add_fees(Ledger ledger, money_t fees) noexcept nogil:
    ledger._acct[1] += fees
