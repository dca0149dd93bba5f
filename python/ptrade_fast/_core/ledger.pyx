# cython: boundscheck=False, wraparound=False, cdivision=True, language_level=3
"""Cash and stock positions as struct-of-arrays indexed by sid.

Invariants
----------
* ``0 <= enable_amount[s] <= amount[s]`` after every operation; a sell of more than
  ``enable_amount`` is a fault (ValueError), never a silent clip -- clipping is the book's job and
  carries a reason code there.
* ``cost_total[s]`` is the total cost, buy fees included, of the current holding; a sell releases the
  share ``round_half_up(cost_total * qty / amount)`` (128-bit product, no overflow) so the average
  cost is unchanged, and the holding's cost becomes exactly 0 when the position reaches 0.
* Cash conservation: every fill moves ``qty * price`` and ``fees`` between cash and the position;
  ``cash + sum(cost_total) - sum(realised_pnl)`` is constant across fills.
* T+1: a buy raises ``amount`` and ``today_buy`` now and ``enable_amount`` only at ``roll_day``,
  except for sids flagged ``t0`` (T+0 instruments), where ``enable_amount`` grows at once.
* The ledger does not check cash: the book sizes buys so cash never goes negative; a direct
  ``apply_fill`` buy may overdraw (tests and corporate actions use that freedom).

* Corporate actions (``apply_actions``) credit cash dividends and bonus/conversion shares on the
  ex-date and keep the holding's total cost net of the cash received.

The short_* and margin arrays are reserved for the futures/margin kernels and stay 0 for now.
"""
import numpy as np

from ptrade_fast._core.typedefs cimport sid_t, qty_t, price_t, money_t, int8_t, int32_t, int64_t, uint8_t, SIDE_BUY, SIDE_SELL


cdef extern from "muldiv.h" nogil:
    int64_t ptcore_muldiv_half_up(int64_t a, int64_t b, int64_t c)


cdef enum:
    ACCT_CASH = 0
    ACCT_TOTAL_FEES = 1
    ACCT_FROZEN_CASH = 2


cdef class Ledger:
    """Cash and positions for ``n_sids`` securities; arrays are numpy, indexed by sid."""

    def __init__(self, Py_ssize_t n_sids, money_t cash=0):
        if n_sids < 0:
            raise ValueError(f"n_sids must be >= 0, was {n_sids}")
        self.n_sids = n_sids
        self.amount = np.zeros(n_sids, dtype=np.int64)
        self.enable_amount = np.zeros(n_sids, dtype=np.int64)
        self.today_buy = np.zeros(n_sids, dtype=np.int64)
        self.today_sell = np.zeros(n_sids, dtype=np.int64)
        self.cost_total = np.zeros(n_sids, dtype=np.int64)
        self.last_price = np.zeros(n_sids, dtype=np.int64)
        self.realised_pnl = np.zeros(n_sids, dtype=np.int64)
        self.short_amount = np.zeros(n_sids, dtype=np.int64)
        self.short_enable_amount = np.zeros(n_sids, dtype=np.int64)
        self.short_cost_total = np.zeros(n_sids, dtype=np.int64)
        self.margin = np.zeros(n_sids, dtype=np.int64)
        self.t0 = np.zeros(n_sids, dtype=np.uint8)
        self.acct = np.zeros(3, dtype=np.int64)
        self._amount = self.amount
        self._enable_amount = self.enable_amount
        self._today_buy = self.today_buy
        self._today_sell = self.today_sell
        self._cost_total = self.cost_total
        self._last_price = self.last_price
        self._realised_pnl = self.realised_pnl
        self._t0 = self.t0
        self._acct = self.acct
        self._acct[ACCT_CASH] = cash

    # -- scalars ------------------------------------------------------------------------------------

    @property
    def cash(self):
        """Available cash (money, int)."""
        return int(self._acct[ACCT_CASH])

    @cash.setter
    def cash(self, money_t value):
        self._acct[ACCT_CASH] = value

    @property
    def total_fees(self):
        """Sum of all fees booked (money, int)."""
        return int(self._acct[ACCT_TOTAL_FEES])

    @property
    def frozen_cash(self):
        """Cash reserved by working orders (money, int); 0 while orders reserve nothing (spec H.3.4)."""
        return int(self._acct[ACCT_FROZEN_CASH])

    # -- fills --------------------------------------------------------------------------------------

    cdef int ledger_apply_fill(self, sid_t sid, int side, qty_t qty, price_t price, money_t fees) except -1 nogil:
        cdef money_t value = qty * price
        cdef money_t portion
        cdef qty_t held
        if side == SIDE_BUY:
            self._acct[ACCT_CASH] -= value + fees
            self._amount[sid] += qty
            self._today_buy[sid] += qty
            if self._t0[sid]:
                self._enable_amount[sid] += qty
            self._cost_total[sid] += value + fees
            self._acct[ACCT_TOTAL_FEES] += fees
            return 0
        if qty <= 0 or qty > self._enable_amount[sid]:
            with gil:
                raise ValueError(f"sell of {qty} on sid {sid} needs 0 < qty <= enable_amount "
                                 f"({self._enable_amount[sid]})")
        held = self._amount[sid]
        portion = ptcore_muldiv_half_up(self._cost_total[sid], qty, held)
        self._cost_total[sid] -= portion
        self._realised_pnl[sid] += value - fees - portion
        self._acct[ACCT_CASH] += value - fees
        self._acct[ACCT_TOTAL_FEES] += fees
        self._amount[sid] = held - qty
        self._enable_amount[sid] -= qty
        self._today_sell[sid] += qty
        if held == qty:
            self._cost_total[sid] = 0
        return 0

    def apply_fill(self, sid_t sid, int side, qty_t qty, price_t price, money_t fees):
        """Python twin of ledger_apply_fill (tests, corporate actions).  Raises ValueError on a bad sell."""
        self._check_sid(sid)
        if side != SIDE_BUY and side != SIDE_SELL:
            raise ValueError(f"side must be 1 (buy) or -1 (sell), was {side}")
        if side == SIDE_BUY and qty <= 0:
            raise ValueError(f"buy quantity must be > 0, was {qty}")
        self.ledger_apply_fill(sid, side, qty, price, fees)

    def ledger_apply_fills(self, const int32_t[:] sid, const int8_t[:] side, const int64_t[:] qty,
                           const int64_t[:] price, const int64_t[:] fees):
        """Book many fills in order (replaying a trade list).  Checks sids and sides first; a sell beyond
        ``enable_amount`` raises ValueError with the fills before it already booked."""
        cdef Py_ssize_t i, n = sid.shape[0]
        if side.shape[0] != n or qty.shape[0] != n or price.shape[0] != n or fees.shape[0] != n:
            raise ValueError(f"sid, side, qty, price, fees need one length, got {n}, {side.shape[0]}, "
                             f"{qty.shape[0]}, {price.shape[0]}, {fees.shape[0]}")
        for i in range(n):
            if sid[i] < 0 or sid[i] >= self.n_sids:
                raise IndexError(f"sid must be in [0, {self.n_sids}), was {sid[i]} at {i}")
            if (side[i] != SIDE_BUY and side[i] != SIDE_SELL) or (side[i] == SIDE_BUY and qty[i] <= 0):
                raise ValueError(f"fill {i}: side must be 1 or -1 and a buy qty > 0, was {side[i]}, {qty[i]}")
        with nogil:
            for i in range(n):
                self.ledger_apply_fill(sid[i], side[i], qty[i], price[i], fees[i])
        return n

    # -- day boundaries and positions ----------------------------------------------------------------

    def roll_day(self):
        """Start of day: T+1 holdings become sellable; today's counters reset (T+0 sids too)."""
        cdef Py_ssize_t s
        with nogil:
            for s in range(self.n_sids):
                if not self._t0[s]:
                    self._enable_amount[s] = self._amount[s]
                self._today_buy[s] = 0
                self._today_sell[s] = 0

    def apply_actions(self, const int32_t[:] sid, const int64_t[:] cash_per_share, const double[:] share_ratio,
                      double tax_rate, int64_t[:] cash_out, int64_t[:] shares_out):
        """Corporate actions of one ex-date for the listed sids (docs/ptrade-api.md §H.9), in one pass.

        For a holding of ``q`` shares: ``cash += q * cash_per_share - tax`` (``cash_per_share`` in money
        units per share, i.e. 1e-4 CNY; ``tax = round_half_up(q * cash_per_share * tax_rate)``);
        ``amount`` and ``enable_amount`` grow by ``floor(q * share_ratio)`` (bonus + conversion shares,
        sellable on the ex-date); ``cost_total`` drops by the gross cash, so the holding's total cost is
        kept net of the cash received (it may go below 0 when dividends exceed the cost).  Rights issues
        are not taken up (Ptrade has no API to subscribe).  Writes the cash credited and the shares
        added per event into ``cash_out`` and ``shares_out``.
        """
        cdef Py_ssize_t i, n = sid.shape[0]
        cdef qty_t q, extra
        cdef money_t gross, tax
        cdef sid_t s
        if cash_per_share.shape[0] != n or share_ratio.shape[0] != n or cash_out.shape[0] != n \
                or shares_out.shape[0] != n:
            raise ValueError(f"sid, cash_per_share, share_ratio, cash_out, shares_out need one length {n}")
        if not 0.0 <= tax_rate < 1.0:
            raise ValueError(f"tax_rate must be in [0, 1), was {tax_rate}")
        for i in range(n):
            if sid[i] < 0 or sid[i] >= self.n_sids:
                raise IndexError(f"sid must be in [0, {self.n_sids}), was {sid[i]} at {i}")
            if cash_per_share[i] < 0 or share_ratio[i] < 0:
                raise ValueError(f"event {i}: cash_per_share and share_ratio must be >= 0")
        with nogil:
            for i in range(n):
                s = sid[i]
                q = self._amount[s]
                cash_out[i] = 0
                shares_out[i] = 0
                if q <= 0:
                    continue
                gross = q * cash_per_share[i]
                tax = <money_t>(gross * tax_rate + 0.5)
                extra = <qty_t>(q * share_ratio[i] + 1e-9)
                self._acct[ACCT_CASH] += gross - tax
                self._cost_total[s] -= gross
                self._amount[s] += extra
                self._enable_amount[s] += extra
                cash_out[i] = gross - tax
                shares_out[i] = extra
        return n

    def set_t0(self, arr):
        """Copy the per-sid T+0 flags (1 = buys sellable the same day)."""
        a = np.asarray(arr)
        if a.shape != (self.n_sids,):
            raise ValueError(f"t0 must have shape ({self.n_sids},), was {a.shape}")
        self.t0[:] = (a != 0)

    def set_position(self, sid_t sid, qty_t amount, qty_t enable_amount, money_t cost_total, price_t last_price):
        """Set a base position (set_yesterday_position); 0 <= enable_amount <= amount."""
        self._check_sid(sid)
        if amount < 0 or enable_amount < 0 or enable_amount > amount:
            raise ValueError(f"need 0 <= enable_amount <= amount, was enable_amount={enable_amount}, "
                             f"amount={amount} for sid {sid}")
        self._amount[sid] = amount
        self._enable_amount[sid] = enable_amount
        self._cost_total[sid] = cost_total if amount else 0
        self._last_price[sid] = last_price

    def mark(self, const price_t[:] price, const uint8_t[:] valid):
        """Mark held positions at ``price[sid]`` where ``valid[sid]`` (suspended sids keep their last price)."""
        cdef Py_ssize_t s
        if price.shape[0] != self.n_sids or valid.shape[0] != self.n_sids:
            raise ValueError(f"price and valid must have length {self.n_sids}, were "
                             f"{price.shape[0]} and {valid.shape[0]}")
        with nogil:
            for s in range(self.n_sids):
                if self._amount[s] != 0 and valid[s]:
                    self._last_price[s] = price[s]

    def positions_value(self):
        """Sum of amount * last_price over all sids (money, int)."""
        cdef Py_ssize_t s
        cdef money_t total = 0
        with nogil:
            for s in range(self.n_sids):
                total += self._amount[s] * self._last_price[s]
        return total

    def held_sids(self):
        """int32 array of sids with amount != 0, ascending."""
        return np.flatnonzero(self.amount).astype(np.int32)

    def _check_sid(self, sid_t sid):
        if sid < 0 or sid >= self.n_sids:
            raise IndexError(f"sid must be in [0, {self.n_sids}), was {sid}")
