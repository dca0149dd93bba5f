# cython: boundscheck=False, wraparound=False, cdivision=True, language_level=3
"""Futures positions with long and short legs, margin, daily settlement and expiry (docs/market-rules.md §9.3,
docs/ptrade-api.md §D.10, H.11), struct-of-arrays by sid, sharing the stock ``Ledger``'s cash.

A hedged strategy holds stocks and futures in one account, so there is no second cash balance:
every futures cash movement (margin, P&L, fees) goes to ``ledger.acct`` (cash and total_fees).

Invariants
----------
* Per leg: ``0 <= *_today <= *_amount``; basis, today basis and margin are 0 when the leg is flat.
* ``*_basis_total`` is the reference value of the leg's lots (lots x multiplier x reference price): the
  trade price for lots opened today, the last settlement price for carried lots.  ``*_today_basis``
  is today's part, so carried basis = total - today.  Closing k of n lots of one part releases the
  share ``round_half_up(part * k / n)``; closing all releases the part exactly.
* Close P&L (逐日盯市) = direction x (trade value - reference released), into cash and ``*_realised``.
  Settlement P&L = direction x (settle value - basis), into cash; then basis := settle value, today's
  lots become carried and the margin is re-evaluated at the settlement price (cash pays the change).
* Margin = round(price x multiplier x lots x margin_rate) to 0.01 CNY, frozen at open (cash -=
  margin + fee), released in proportion at close.  Cash conservation: every operation moves money
  between cash and margin, and P&L and fees are the only flows in or out.
* Cash may go negative after a settlement loss or a losing close: that is a margin call
  (追加保证金), reported by ``margin_call_sids``/``shortfall``, never clamped.  Forced liquidation
  is the facade's policy.
* Closes with ``close_today`` take today's lots only; otherwise carried lots first, then today's
  (docs/ptrade-api.md §D.10).  The close fee is split the same way: close rate on carried lots, close-today
  rate on today's lots, each leg rounded half up to 0.01 CNY.  No stamp duty, no handling fee (H.11).
* ``settle_day`` ends the trading day for every sid: today's lots become carried even where no valid
  settlement price arrived (their trade-price basis is kept and released in proportion later).
* Expiry closes every lot at the final settlement price, without fees (docs/market-rules.md §9.3).

Book dispatch: ``OrderBook.match`` sizes futures orders with ``fut_size_order`` (opens clipped to the
cash that margin + fee allow, closes to the closable lots) and books them with ``fut_fill_order``.
"""
import numpy as np

from ptrade_fast._core.typedefs cimport (sid_t, qty_t, price_t, money_t, int8_t, int32_t, int64_t, uint8_t,
                              SIDE_BUY, SIDE_SELL, MONEY_SCALE,
                              R_NONE, R_CASH_CLIPPED, R_NO_CASH, R_POSITION_CLIPPED, R_NO_POSITION,
                              R_VOLUME_CAPPED, R_BELOW_MIN_LOT,
                              OTYPE_FUT_OPEN, OTYPE_FUT_CLOSE_TODAY)
from ptrade_fast._core.ledger cimport Ledger, ledger_add_cash, ledger_add_fees


cdef extern from "muldiv.h" nogil:
    int64_t ptcore_muldiv_half_up(int64_t a, int64_t b, int64_t c)


cdef enum:
    FEE_OPEN = 0
    FEE_CLOSE = 1
    FEE_CLOSE_TODAY = 2


# -- fees ------------------------------------------------------------------------------------------

cdef class FuturesFeeTable:
    """Futures commission per sid (set_future_commission): per lot or a fraction of notional."""

    def __init__(self, Py_ssize_t n_sids):
        if n_sids < 0:
            raise ValueError(f"n_sids must be >= 0, was {n_sids}")
        self.n_sids = n_sids
        self.by_volume = np.zeros(n_sids, dtype=np.uint8)
        self.open_rate = np.zeros(n_sids, dtype=np.float64)
        self.close_rate = np.zeros(n_sids, dtype=np.float64)
        self.close_today_rate = np.zeros(n_sids, dtype=np.float64)
        self._by_volume = self.by_volume
        self._open_rate = self.open_rate
        self._close_rate = self.close_rate
        self._close_today_rate = self.close_today_rate

    cdef money_t fut_fee(self, sid_t sid, int kind, qty_t qty, money_t notional) noexcept nogil:
        cdef double rate
        if qty == 0:
            return 0
        if kind == FEE_OPEN:
            rate = self._open_rate[sid]
        elif kind == FEE_CLOSE:
            rate = self._close_rate[sid]
        else:
            rate = self._close_today_rate[sid]
        if self._by_volume[sid]:
            # CNY per lot, converted to money units before the 0.01 CNY rounding.
            return fee_round(qty * rate * <double>MONEY_SCALE)
        return fee_round(notional * rate)

    def fee(self, sid_t sid, int kind, qty_t qty, money_t notional):
        """Python twin of fut_fee: kind 0 open, 1 close (carried lots), 2 close today."""
        if sid < 0 or sid >= self.n_sids:
            raise IndexError(f"sid must be in [0, {self.n_sids}), was {sid}")
        if kind not in (0, 1, 2):
            raise ValueError(f"kind must be 0 (open), 1 (close) or 2 (close today), was {kind}")
        return self.fut_fee(sid, kind, qty, notional)


def notional(price_t price, qty_t qty, double multiplier):
    """Python twin of fut_notional: price x multiplier x lots in money units."""
    return fut_notional(price, qty, multiplier)


# -- the ledger ------------------------------------------------------------------------------------

cdef class FuturesLedger:
    """Long and short futures legs for ``n_sids`` sids; cash is ``ledger``'s (a new empty Ledger if None)."""

    def __init__(self, Py_ssize_t n_sids, Ledger ledger=None):
        if n_sids < 0:
            raise ValueError(f"n_sids must be >= 0, was {n_sids}")
        if ledger is None:
            ledger = Ledger(n_sids)
        if ledger.n_sids != n_sids:
            raise ValueError(f"ledger has {ledger.n_sids} sids, futures ledger {n_sids}")
        self.n_sids = n_sids
        self.ledger = ledger
        z = lambda: np.zeros(n_sids, dtype=np.int64)
        self.long_amount, self.long_today, self.short_amount, self.short_today = z(), z(), z(), z()
        self.long_basis_total, self.short_basis_total = z(), z()
        self.long_today_basis, self.short_today_basis = z(), z()
        self.long_margin, self.short_margin = z(), z()
        self.long_realised, self.short_realised = z(), z()
        self.settle_price, self.last_price = z(), z()
        self.multiplier = np.ones(n_sids, dtype=np.float64)
        self.margin_rate = np.zeros(n_sids, dtype=np.float64)
        self._long_amount = self.long_amount
        self._long_today = self.long_today
        self._short_amount = self.short_amount
        self._short_today = self.short_today
        self._long_basis = self.long_basis_total
        self._short_basis = self.short_basis_total
        self._long_today_basis = self.long_today_basis
        self._short_today_basis = self.short_today_basis
        self._long_margin = self.long_margin
        self._short_margin = self.short_margin
        self._long_realised = self.long_realised
        self._short_realised = self.short_realised
        self._multiplier = self.multiplier
        self._margin_rate = self.margin_rate
        self._settle_price = self.settle_price
        self._last_price = self.last_price

    # -- cdef kernels ------------------------------------------------------------------------------

    cdef qty_t fut_closable(self, sid_t sid, int pos_side, bint close_today) noexcept nogil:
        if pos_side > 0:
            return self._long_today[sid] if close_today else self._long_amount[sid]
        return self._short_today[sid] if close_today else self._short_amount[sid]

    cdef money_t fut_open_cost(self, FuturesFeeTable fees, sid_t sid, qty_t qty, price_t price) noexcept nogil:
        cdef money_t v = fut_notional(price, qty, self._multiplier[sid])
        return fut_margin_of(v, self._margin_rate[sid]) + fees.fut_fee(sid, FEE_OPEN, qty, v)

    cdef void _split(self, sid_t sid, int pos_side, qty_t qty, bint close_today,
                            qty_t* carried_part, qty_t* today_part) noexcept nogil:
        # Carried (yesterday's) lots first unless close_today (docs/ptrade-api.md §D.10).
        cdef qty_t held, today, carried
        if pos_side > 0:
            held, today = self._long_amount[sid], self._long_today[sid]
        else:
            held, today = self._short_amount[sid], self._short_today[sid]
        carried = held - today
        if close_today:
            carried_part[0] = 0
        else:
            carried_part[0] = qty if qty < carried else carried
        today_part[0] = qty - carried_part[0]

    cdef money_t fut_close_fee(self, FuturesFeeTable fees, sid_t sid, int pos_side, qty_t qty, price_t price,
                               bint close_today) noexcept nogil:
        cdef qty_t kc, kt
        cdef double m = self._multiplier[sid]
        self._split(sid, pos_side, qty, close_today, &kc, &kt)
        return (fees.fut_fee(sid, FEE_CLOSE, kc, fut_notional(price, kc, m))
                + fees.fut_fee(sid, FEE_CLOSE_TODAY, kt, fut_notional(price, kt, m)))

    cdef money_t fut_open(self, sid_t sid, int pos_side, qty_t qty, price_t price, money_t fee) noexcept nogil:
        cdef money_t v = fut_notional(price, qty, self._multiplier[sid])
        cdef money_t margin = fut_margin_of(v, self._margin_rate[sid])
        if pos_side > 0:
            self._long_amount[sid] += qty
            self._long_today[sid] += qty
            self._long_basis[sid] += v
            self._long_today_basis[sid] += v
            self._long_margin[sid] += margin
        else:
            self._short_amount[sid] += qty
            self._short_today[sid] += qty
            self._short_basis[sid] += v
            self._short_today_basis[sid] += v
            self._short_margin[sid] += margin
        ledger_add_cash(self.ledger, -(margin + fee))
        ledger_add_fees(self.ledger, fee)
        return margin

    cdef int fut_close(self, sid_t sid, int pos_side, qty_t qty, price_t price, money_t fee,
                       bint close_today) except -1 nogil:
        cdef qty_t* amount
        cdef qty_t* today
        cdef money_t* basis
        cdef money_t* today_basis
        cdef money_t* margin
        cdef money_t* realised
        cdef qty_t held, tod, kc, kt
        cdef money_t ref = 0, part, released, pnl
        if pos_side > 0:
            amount, today = &self._long_amount[sid], &self._long_today[sid]
            basis, today_basis = &self._long_basis[sid], &self._long_today_basis[sid]
            margin, realised = &self._long_margin[sid], &self._long_realised[sid]
        else:
            amount, today = &self._short_amount[sid], &self._short_today[sid]
            basis, today_basis = &self._short_basis[sid], &self._short_today_basis[sid]
            margin, realised = &self._short_margin[sid], &self._short_realised[sid]
        held, tod = amount[0], today[0]
        if qty <= 0 or qty > (tod if close_today else held):
            with gil:
                raise ValueError(f"close of {qty} lots on sid {sid} ({'long' if pos_side > 0 else 'short'} leg) "
                                 f"needs 0 < qty <= {'today lots' if close_today else 'lots held'} "
                                 f"({tod if close_today else held})")
        self._split(sid, pos_side, qty, close_today, &kc, &kt)
        if kc:
            ref += ptcore_muldiv_half_up(basis[0] - today_basis[0], kc, held - tod)
        if kt:
            part = ptcore_muldiv_half_up(today_basis[0], kt, tod)
            today_basis[0] -= part
            ref += part
        pnl = pos_side * (fut_notional(price, qty, self._multiplier[sid]) - ref)
        released = ptcore_muldiv_half_up(margin[0], qty, held)
        basis[0] -= ref
        margin[0] -= released
        amount[0] = held - qty
        today[0] = tod - kt
        realised[0] += pnl
        ledger_add_cash(self.ledger, released + pnl - fee)
        ledger_add_fees(self.ledger, fee)
        return 0

    cdef qty_t fut_size_order(self, FuturesFeeTable fees, sid_t sid, int otype, int side, qty_t rem,
                              qty_t cap, int32_t lot, price_t price, int32_t* reason) noexcept nogil:
        # Same clipping order as stock orders: position (closes), volume cap, lot, then cash (opens).
        cdef qty_t q = rem, closable, lo, hi, mid
        cdef money_t cash
        cdef bint today_only = otype == OTYPE_FUT_CLOSE_TODAY
        if otype != OTYPE_FUT_OPEN:
            closable = self.fut_closable(sid, -side, today_only)
            if q > closable:
                q = closable
                reason[0] = R_POSITION_CLIPPED
        if q > cap:
            q = cap
            reason[0] = R_VOLUME_CAPPED
        if q % lot:
            q -= q % lot
            if reason[0] == R_NONE:
                reason[0] = R_BELOW_MIN_LOT
        if otype != OTYPE_FUT_OPEN:
            if q == 0 and closable == 0:
                reason[0] = R_NO_POSITION
            return q
        if q == 0:
            return 0
        cash = self.ledger._acct[0]
        if self.fut_open_cost(fees, sid, q, price) > cash:
            # Margin + fee grows with the lots: the largest whole number of lots that fits, by bisection.
            reason[0] = R_CASH_CLIPPED
            lo = 0
            hi = q // lot
            while hi - lo > 1:
                mid = lo + (hi - lo) // 2
                if self.fut_open_cost(fees, sid, mid * lot, price) <= cash:
                    lo = mid
                else:
                    hi = mid
            q = lo * lot
            if q == 0:
                reason[0] = R_NO_CASH
        return q

    cdef money_t fut_fill_order(self, FuturesFeeTable fees, sid_t sid, int otype, int side, qty_t qty,
                                price_t price) except -1 nogil:
        cdef money_t fee
        cdef bint today_only = otype == OTYPE_FUT_CLOSE_TODAY
        if otype == OTYPE_FUT_OPEN:
            fee = fees.fut_fee(sid, FEE_OPEN, qty, fut_notional(price, qty, self._multiplier[sid]))
            self.fut_open(sid, side, qty, price, fee)
        else:
            fee = self.fut_close_fee(fees, sid, -side, qty, price, today_only)
            self.fut_close(sid, -side, qty, price, fee, today_only)
        return fee

    # -- Python twins ------------------------------------------------------------------------------

    def _check(self, sid_t sid, int side):
        if sid < 0 or sid >= self.n_sids:
            raise IndexError(f"sid must be in [0, {self.n_sids}), was {sid}")
        if side != 1 and side != -1:
            raise ValueError(f"side must be +1 (long) or -1 (short), was {side}")

    @property
    def cash(self):
        """The shared account's available cash (money, int); negative during a margin call."""
        return self.ledger.cash

    def open(self, sid_t sid, int side, qty_t qty, price_t price, money_t fee):
        """Open ``qty`` lots of the long (+1) or short (-1) leg at ``price``; returns the margin frozen.
        Cash pays margin + fee (no cash check: sizing is the book's job)."""
        self._check(sid, side)
        if qty <= 0:
            raise ValueError(f"open quantity must be > 0, was {qty}")
        return self.fut_open(sid, side, qty, price, fee)

    def close(self, sid_t sid, int side, qty_t qty, price_t price, money_t fee, bint close_today=False):
        """Close ``qty`` lots of the long (+1) or short (-1) leg; returns the close P&L.  Raises ValueError
        beyond the closable lots."""
        self._check(sid, side)
        before = int((self.long_realised if side > 0 else self.short_realised)[sid])
        self.fut_close(sid, side, qty, price, fee, close_today)
        return int((self.long_realised if side > 0 else self.short_realised)[sid]) - before

    def closable(self, sid_t sid, int side, bint close_today=False):
        """Lots a close of the given leg may take: all lots, or today's with close_today."""
        self._check(sid, side)
        return self.fut_closable(sid, side, close_today)

    def open_cost(self, FuturesFeeTable fees, sid_t sid, qty_t qty, price_t price):
        """Cash an open of ``qty`` lots needs: margin + open fee."""
        self._check(sid, 1)
        return self.fut_open_cost(fees, sid, qty, price)

    def close_fee(self, FuturesFeeTable fees, sid_t sid, int side, qty_t qty, price_t price,
                  bint close_today=False):
        """Fee of closing ``qty`` lots now: close rate on carried lots, close-today rate on today's."""
        self._check(sid, side)
        return self.fut_close_fee(fees, sid, side, qty, price, close_today)

    def set_position(self, sid_t sid, int side, qty_t amount, price_t settle_price):
        """Set a carried leg at a settlement price (set_yesterday_position); margin at that price.
        Cash is not touched: the facade funds the margin as it sees fit."""
        cdef money_t v
        self._check(sid, side)
        if amount < 0:
            raise ValueError(f"amount must be >= 0, was {amount}")
        v = fut_notional(settle_price, amount, self._multiplier[sid])
        m = fut_margin_of(v, self._margin_rate[sid]) if amount else 0
        if side > 0:
            self._long_amount[sid], self._long_today[sid], self._long_today_basis[sid] = amount, 0, 0
            self._long_basis[sid], self._long_margin[sid] = v, m
        else:
            self._short_amount[sid], self._short_today[sid], self._short_today_basis[sid] = amount, 0, 0
            self._short_basis[sid], self._short_margin[sid] = v, m
        self._settle_price[sid] = settle_price
        self._last_price[sid] = settle_price

    # -- day end -----------------------------------------------------------------------------------

    def settle_day(self, const price_t[:] settle, const uint8_t[:] valid):
        """Daily mark-to-market at ``settle[sid]`` where ``valid[sid]`` (docs/market-rules.md §9.3): P&L into cash,
        basis := settlement value, margin re-evaluated at the settlement price, today's lots carried.
        Returns the total settlement P&L (money).  Runs once per sid per day."""
        cdef Py_ssize_t s
        cdef money_t total = 0, v, m, pnl, delta = 0
        cdef double mult, rate
        cdef price_t p
        if settle.shape[0] != self.n_sids or valid.shape[0] != self.n_sids:
            raise ValueError(f"settle and valid must have length {self.n_sids}, were "
                             f"{settle.shape[0]} and {valid.shape[0]}")
        with nogil:
            for s in range(self.n_sids):
                p = settle[s]
                if valid[s] and p > 0:
                    mult = self._multiplier[s]
                    rate = self._margin_rate[s]
                    if self._long_amount[s]:
                        v = fut_notional(p, self._long_amount[s], mult)
                        pnl = v - self._long_basis[s]
                        m = fut_margin_of(v, rate)
                        delta += pnl - (m - self._long_margin[s])
                        total += pnl
                        self._long_basis[s] = v
                        self._long_margin[s] = m
                    if self._short_amount[s]:
                        v = fut_notional(p, self._short_amount[s], mult)
                        pnl = self._short_basis[s] - v
                        m = fut_margin_of(v, rate)
                        delta += pnl - (m - self._short_margin[s])
                        total += pnl
                        self._short_basis[s] = v
                        self._short_margin[s] = m
                    self._settle_price[s] = p
                    self._last_price[s] = p
                # The trading day ends for every sid: today's lots become carried.
                self._long_today[s] = 0
                self._short_today[s] = 0
                self._long_today_basis[s] = 0
                self._short_today_basis[s] = 0
            ledger_add_cash(self.ledger, delta)
        return total

    def expire(self, sid_t sid, price_t final_settle):
        """Last trading day: close every lot of both legs at the delivery settlement price, without fees
        (docs/market-rules.md §9.3); margin released.  Returns the P&L realised."""
        cdef money_t pnl = 0
        self._check(sid, 1)
        if final_settle <= 0:
            raise ValueError(f"final_settle must be > 0, was {final_settle}")
        before = int(self.long_realised[sid]) + int(self.short_realised[sid])
        if self._long_amount[sid]:
            self.fut_close(sid, 1, self._long_amount[sid], final_settle, 0, False)
        if self._short_amount[sid]:
            self.fut_close(sid, -1, self._short_amount[sid], final_settle, 0, False)
        self._settle_price[sid] = final_settle
        self._last_price[sid] = final_settle
        return int(self.long_realised[sid]) + int(self.short_realised[sid]) - before

    # -- valuation ---------------------------------------------------------------------------------

    def mark(self, const price_t[:] price, const uint8_t[:] valid):
        """Mark held sids at ``price[sid]`` where ``valid[sid]`` (kept otherwise)."""
        cdef Py_ssize_t s
        if price.shape[0] != self.n_sids or valid.shape[0] != self.n_sids:
            raise ValueError(f"price and valid must have length {self.n_sids}, were "
                             f"{price.shape[0]} and {valid.shape[0]}")
        with nogil:
            for s in range(self.n_sids):
                if (self._long_amount[s] or self._short_amount[s]) and valid[s]:
                    self._last_price[s] = price[s]

    def floating_pnl(self, price=None, long_out=None, short_out=None):
        """Floating P&L against the basis (since the last settlement for carried lots, since the trade for
        today's) at ``price`` (default: last_price); optional int64 out arrays get it per sid and leg
        (Ptrade's long_pnl / short_pnl).  Returns the total (money)."""
        cdef const price_t[:] px = self.last_price if price is None else price
        cdef int64_t[:] lo = long_out if long_out is not None else np.zeros(self.n_sids, dtype=np.int64)
        cdef int64_t[:] so = short_out if short_out is not None else np.zeros(self.n_sids, dtype=np.int64)
        cdef Py_ssize_t s
        cdef money_t total = 0
        if px.shape[0] != self.n_sids or lo.shape[0] != self.n_sids or so.shape[0] != self.n_sids:
            raise ValueError(f"price and out arrays must have length {self.n_sids}")
        with nogil:
            for s in range(self.n_sids):
                lo[s] = 0
                so[s] = 0
                if self._long_amount[s]:
                    lo[s] = fut_notional(px[s], self._long_amount[s], self._multiplier[s]) - self._long_basis[s]
                if self._short_amount[s]:
                    so[s] = self._short_basis[s] - fut_notional(px[s], self._short_amount[s], self._multiplier[s])
                total += lo[s] + so[s]
        return total

    def margin_total(self):
        """Sum of the margin frozen on both legs of every sid (money, int)."""
        return int(self.long_margin.sum() + self.short_margin.sum())

    def equity_value(self, price=None):
        """Account equity with futures (客户权益): cash + margin in use + floating P&L at ``price``
        (default last_price).  Stock holdings add ``ledger.positions_value()`` on top."""
        return self.ledger.cash + self.margin_total() + self.floating_pnl(price)

    def shortfall(self):
        """Money needed to bring available cash back to 0 after a loss (0 when none)."""
        return max(0, -self.ledger.cash)

    def margin_call_sids(self):
        """int32 sids holding futures while available cash is negative (a margin call, docs/market-rules.md §9.3);
        empty otherwise.  These are the candidates for forced liquidation."""
        if self.ledger.cash >= 0:
            return np.zeros(0, dtype=np.int32)
        return np.flatnonzero(self.long_amount + self.short_amount).astype(np.int32)

    def held_sids(self):
        """int32 sids with a long or short leg, ascending."""
        return np.flatnonzero(self.long_amount + self.short_amount).astype(np.int32)
