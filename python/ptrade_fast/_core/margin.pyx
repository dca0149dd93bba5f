# cython: boundscheck=False, wraparound=False, cdivision=True, language_level=3
"""融资融券 (margin trading and short selling) on top of the stock ``Ledger`` (docs/market-rules.md §10,
docs/ptrade-api.md §D.9).  The credit account's collateral IS the stock ledger: financed buys put shares into
it, its cash is the account's cash.  This module adds the debts, per sid and per account.

Invariants
----------
* Financed buy (融资买入): the shares enter the ledger through the ordinary fill (cost, T+1), but the
  cash is not spent: ``fin_debt[sid] += value + fees`` instead, ``fin_amount[sid] += qty``.
* Sell to repay (卖券还款): an ordinary ledger sell; its proceeds (value - fees) pay the accrued
  interest first, then this sid's principal, the rest stays in cash (docs/market-rules.md §10.4: interest and
  fees before principal; per security rather than oldest contract first, a deliberate simplification).
  ``fin_amount`` falls by the shares sold and is 0 whenever ``fin_debt`` is 0.
* Direct refund (直接还款): cash pays interest, then the lending fee, then principal in sid order.
* Short sell (融券卖出): no ledger position; ``slo_amount += qty``, ``slo_basis += value``,
  ``slo_proceeds += value - fees``.  The proceeds are frozen: they are not available cash.
* Buy to return (买券还券): releases the share ``round_half_up(slo_proceeds * qty / slo_amount)`` of the
  proceeds (and of ``slo_basis``); the purchase (value + fees) is paid from it first, then from cash;
  ``slo_realised += released - cost``.
* Direct return (直接还券): shares leave the ledger at zero price (their cost released into
  ``realised_pnl``), the released proceeds go to cash and into the ledger's ``realised_pnl``, so the
  stock side's realised P&L of the shares is proceeds - cost.
* Accrual (docs/market-rules.md §10.4, U): ``accrue(days)`` adds round(sum(fin_debt) x fin_rate x days / 360)
  to ``fin_interest`` and round(sum(slo_basis) x slo_rate x days / 360) to ``slo_fee``, each rounded
  half up to 0.01 CNY once per call.  The lending fee accrues on the short-sale value at open.
* Nothing here checks credit: the book sizes orders (R_MARGIN_CLIPPED, R_NO_MARGIN, R_NOT_ELIGIBLE,
  R_SHORT_BELOW_LAST); direct calls may exceed quotas (tests, the facade's migrations).

Available margin (保证金可用余额) -- docs/market-rules.md §10.2 marks the exchange formula U; this is the
definition used here, at the prices given (default ``last_price``), each product rounded half up to
one money unit:

    cash - fin_interest - slo_fee
    + sum(own shares x price x haircut)                        own = amount - min(fin_amount, amount)
    + sum(adj(financed shares x price - fin_debt))              adj(x) = x x haircut if x > 0 else x
    + sum(adj(slo_basis - slo_amount x price))                 (losses count in full)
    - sum(fin_debt x fin_ratio) - sum(slo_amount x price x slo_ratio)

The formula's "cash - sum(short proceeds)" is ``cash`` here, because short proceeds are held apart in
``slo_proceeds``.  Maximum new financed buy = available margin / fin_ratio (and the quota left).

Maintenance ratio (维持担保比例, docs/market-rules.md §10.3) = (cash + sum(slo_proceeds) + sum(amount x price)) /
(sum(fin_debt) + sum(slo_amount x price) + fin_interest + slo_fee); infinite without debt.
"""
import numpy as np

from libc.math cimport floor
from ptrade_fast._core.typedefs cimport (sid_t, qty_t, price_t, money_t, int32_t, int64_t, uint8_t, SIDE_BUY, SIDE_SELL,
                              R_NONE, R_CASH_CLIPPED, R_NO_CASH, R_POSITION_CLIPPED, R_NO_POSITION,
                              R_VOLUME_CAPPED, R_BELOW_MIN_LOT, R_MARGIN_CLIPPED, R_NO_MARGIN, R_NOT_ELIGIBLE,
                              R_SHORT_BELOW_LAST,
                              OTYPE_FIN_BUY, OTYPE_FIN_SELL, OTYPE_SLO_SELL, OTYPE_SLO_BUY)
from ptrade_fast._core.fees cimport FeeTable, fee_round
from ptrade_fast._core.ledger cimport Ledger, ledger_add_cash, ledger_add_fees


cdef extern from "muldiv.h" nogil:
    int64_t ptcore_muldiv_half_up(int64_t a, int64_t b, int64_t c)


cdef money_t MONEY_INF = 0x7FFFFFFFFFFFFFFF


cdef inline money_t _scaled(money_t x, double r) noexcept nogil:
    # x * r rounded half up to one money unit (haircuts and margin ratios).
    return <money_t>floor(<double>x * r + 0.5)


cdef inline money_t _adj(money_t x, double haircut) noexcept nogil:
    # Gains count at the haircut, losses in full (docs/market-rules.md §10.2).
    return _scaled(x, haircut) if x > 0 else x


cdef inline money_t _room(money_t available, double ratio, money_t quota_left) noexcept nogil:
    # Credit an order may use: available margin / ratio, and never more than the quota left.
    cdef money_t room = quota_left
    cdef money_t by_margin
    if ratio > 0:
        by_margin = <money_t>floor(available / ratio) if available > 0 else 0
        if by_margin < room:
            room = by_margin
    return room


cdef class MarginLedger:
    """Financing and securities-lending state for ``n_sids`` sids on ``ledger`` (a new empty one if None)."""

    def __init__(self, Py_ssize_t n_sids, Ledger ledger=None):
        if n_sids < 0:
            raise ValueError(f"n_sids must be >= 0, was {n_sids}")
        if ledger is None:
            ledger = Ledger(n_sids)
        if ledger.n_sids != n_sids:
            raise ValueError(f"ledger has {ledger.n_sids} sids, margin ledger {n_sids}")
        self.n_sids = n_sids
        self.ledger = ledger
        z = lambda: np.zeros(n_sids, dtype=np.int64)
        self.fin_debt, self.fin_amount = z(), z()
        self.slo_amount, self.slo_basis, self.slo_proceeds, self.slo_realised = z(), z(), z(), z()
        self.last_price = z()
        self.haircut = np.zeros(n_sids, dtype=np.float64)
        self.fin_eligible = np.zeros(n_sids, dtype=np.uint8)
        self.slo_eligible = np.zeros(n_sids, dtype=np.uint8)
        self._fin_debt = self.fin_debt
        self._fin_amount = self.fin_amount
        self._slo_amount = self.slo_amount
        self._slo_basis = self.slo_basis
        self._slo_proceeds = self.slo_proceeds
        self._slo_realised = self.slo_realised
        self._haircut = self.haircut
        self._fin_eligible = self.fin_eligible
        self._slo_eligible = self.slo_eligible
        self._last_price = self.last_price
        self.fin_interest = 0
        self.slo_fee = 0
        self.fin_rate = 0.0
        self.slo_rate = 0.0
        self.fin_ratio = 1.0
        self.slo_ratio = 1.0
        self.fin_quota = 0
        self.slo_quota = 0
        self._cached = False

    # -- valuation ---------------------------------------------------------------------------------

    cdef money_t mgn_sid_term(self, sid_t s, const price_t[:] px) noexcept nogil:
        cdef qty_t held = self.ledger._amount[s]
        cdef qty_t fa = self._fin_amount[s] if self._fin_amount[s] < held else held
        cdef double h = self._haircut[s]
        cdef money_t v, total = 0
        if held > fa:
            total += _scaled((held - fa) * px[s], h)
        if fa or self._fin_debt[s]:
            total += _adj(fa * px[s] - self._fin_debt[s], h) - _scaled(self._fin_debt[s], self.fin_ratio)
        if self._slo_amount[s] or self._slo_basis[s]:
            v = self._slo_amount[s] * px[s]
            total += _adj(self._slo_basis[s] - v, h) - _scaled(v, self.slo_ratio)
        return total

    cdef money_t mgn_available(self, const price_t[:] px) noexcept nogil:
        cdef Py_ssize_t s
        cdef money_t total = self.ledger._acct[0] - self.fin_interest - self.slo_fee
        for s in range(self.n_sids):
            total += self.mgn_sid_term(s, px)
        return total

    # -- the match cache ---------------------------------------------------------------------------

    cdef void mgn_cache_reset(self) noexcept nogil:
        self._cached = False

    cdef void mgn_cache_fill(self) noexcept nogil:
        if not self._cached:
            self._avail = self.mgn_available(self._last_price)
            self._fin_used = self.mgn_fin_used()
            self._slo_used = self.mgn_slo_used()
            self._cached = True

    cdef void mgn_before_fill(self, sid_t s) noexcept nogil:
        if self._cached:
            self._term_before = self.mgn_sid_term(s, self._last_price)
            self._scalar_before = self.ledger._acct[0] - self.fin_interest - self.slo_fee
            self._debt_before = self._fin_debt[s]
            self._basis_before = self._slo_basis[s]

    cdef void mgn_after_fill(self, sid_t s) noexcept nogil:
        # Exact: the sums are integers and sid s's term is recomputed the same way.
        if self._cached:
            self._avail += (self.mgn_sid_term(s, self._last_price) - self._term_before
                            + self.ledger._acct[0] - self.fin_interest - self.slo_fee - self._scalar_before)
            self._fin_used += self._fin_debt[s] - self._debt_before
            self._slo_used += self._slo_basis[s] - self._basis_before

    cdef money_t mgn_fin_used(self) noexcept nogil:
        cdef Py_ssize_t s
        cdef money_t total = 0
        for s in range(self.n_sids):
            total += self._fin_debt[s]
        return total

    cdef money_t mgn_slo_used(self) noexcept nogil:
        cdef Py_ssize_t s
        cdef money_t total = 0
        for s in range(self.n_sids):
            total += self._slo_basis[s]
        return total

    # -- fills -------------------------------------------------------------------------------------

    cdef int mgn_fin_buy(self, sid_t sid, qty_t qty, price_t price, money_t fee) except -1 nogil:
        cdef money_t cost = qty * price + fee
        self.ledger.ledger_apply_fill(sid, SIDE_BUY, qty, price, fee)
        # The broker pays: the cash the ledger spent comes back as debt.
        ledger_add_cash(self.ledger, cost)
        self._fin_debt[sid] += cost
        self._fin_amount[sid] += qty
        return 0

    cdef int mgn_fin_sell(self, sid_t sid, qty_t qty, price_t price, money_t fee) except -1 nogil:
        cdef money_t rest = qty * price - fee, paid_interest = 0, paid_principal = 0
        self.ledger.ledger_apply_fill(sid, SIDE_SELL, qty, price, fee)
        if rest > 0:
            paid_interest = rest if rest < self.fin_interest else self.fin_interest
            rest -= paid_interest
            paid_principal = rest if rest < self._fin_debt[sid] else self._fin_debt[sid]
            self.fin_interest -= paid_interest
            self._fin_debt[sid] -= paid_principal
            ledger_add_cash(self.ledger, -(paid_interest + paid_principal))
        self._fin_amount[sid] -= qty if qty < self._fin_amount[sid] else self._fin_amount[sid]
        if self._fin_debt[sid] == 0:
            self._fin_amount[sid] = 0
        return 0

    cdef int mgn_slo_sell(self, sid_t sid, qty_t qty, price_t price, money_t fee) except -1 nogil:
        cdef money_t value = qty * price
        self._slo_amount[sid] += qty
        self._slo_basis[sid] += value
        self._slo_proceeds[sid] += value - fee
        ledger_add_fees(self.ledger, fee)
        return 0

    cdef int mgn_slo_buy(self, sid_t sid, qty_t qty, price_t price, money_t fee) except -1 nogil:
        cdef qty_t owed = self._slo_amount[sid]
        cdef money_t released, basis_part, cost = qty * price + fee
        if qty <= 0 or qty > owed:
            with gil:
                raise ValueError(f"buy to return of {qty} on sid {sid} needs 0 < qty <= slo_amount ({owed})")
        released = ptcore_muldiv_half_up(self._slo_proceeds[sid], qty, owed)
        basis_part = ptcore_muldiv_half_up(self._slo_basis[sid], qty, owed)
        self._slo_proceeds[sid] -= released
        self._slo_basis[sid] -= basis_part
        self._slo_amount[sid] = owed - qty
        self._slo_realised[sid] += released - cost
        ledger_add_cash(self.ledger, released - cost)
        ledger_add_fees(self.ledger, fee)
        return 0

    # -- book dispatch -----------------------------------------------------------------------------

    cdef qty_t mgn_size_order(self, FeeTable fees, sid_t sid, int otype, qty_t rem, qty_t cap, int32_t lot,
                              price_t limit_price, price_t price, int32_t* reason) noexcept nogil:
        # Same order of clipping as stock orders: eligibility and price rule, position, volume cap, lot,
        # then credit (financed buys, short sells) or cash (buy to return).
        cdef qty_t q = rem, have, lo, hi, mid
        cdef money_t room, value, fee
        cdef price_t order_price
        if otype == OTYPE_FIN_BUY or otype == OTYPE_SLO_SELL:
            if (otype == OTYPE_FIN_BUY and not self._fin_eligible[sid]) or \
                    (otype == OTYPE_SLO_SELL and not self._slo_eligible[sid]):
                reason[0] = R_NOT_ELIGIBLE
                return 0
            if otype == OTYPE_SLO_SELL:
                # A short sale may not be priced below the latest price (docs/market-rules.md §10.4).
                order_price = limit_price if limit_price > 0 else price
                if self._last_price[sid] > 0 and order_price < self._last_price[sid]:
                    reason[0] = R_SHORT_BELOW_LAST
                    return 0
            if q > cap:
                q = cap
                reason[0] = R_VOLUME_CAPPED
            if q % lot:
                q -= q % lot
                if reason[0] == R_NONE:
                    reason[0] = R_BELOW_MIN_LOT
            if q == 0:
                return 0
            self.mgn_cache_fill()
            if otype == OTYPE_FIN_BUY:
                room = _room(self._avail, self.fin_ratio, self.fin_quota - self._fin_used)
                if q * price + fees.fee_table_total(sid, SIDE_BUY, q * price) > room:
                    # Value + fees grows with q: bisection on whole lots.
                    reason[0] = R_MARGIN_CLIPPED
                    lo = 0
                    hi = q // lot
                    while hi - lo > 1:
                        mid = lo + (hi - lo) // 2
                        if mid * lot * price + fees.fee_table_total(sid, SIDE_BUY, mid * lot * price) <= room:
                            lo = mid
                        else:
                            hi = mid
                    q = lo * lot
            else:
                room = _room(self._avail, self.slo_ratio, self.slo_quota - self._slo_used)
                if q * price > room:
                    reason[0] = R_MARGIN_CLIPPED
                    q = room // price if room > 0 else 0
                    q -= q % lot
                if q > 0:
                    value = q * price
                    if value - fees.fee_table_total(sid, SIDE_SELL, value) < 0:
                        reason[0] = R_NO_CASH
                        return 0
            if q == 0 and reason[0] == R_MARGIN_CLIPPED:
                reason[0] = R_NO_MARGIN
            return q

        # Sell to repay (from enable_amount) and buy to return (up to slo_amount).
        have = self.ledger._enable_amount[sid] if otype == OTYPE_FIN_SELL else self._slo_amount[sid]
        if q > have:
            q = have
            reason[0] = R_POSITION_CLIPPED
        if q > cap:
            q = cap
            reason[0] = R_VOLUME_CAPPED
        # An odd lot is allowed only when it closes the whole position (the stock sell rule).
        if q % lot and q < (self.ledger._amount[sid] if otype == OTYPE_FIN_SELL else have):
            q -= q % lot
            if reason[0] == R_NONE:
                reason[0] = R_BELOW_MIN_LOT
        if q == 0:
            if have == 0:
                reason[0] = R_NO_POSITION
            return 0
        if otype == OTYPE_FIN_SELL:
            value = q * price
            if self.ledger._acct[0] + value - fees.fee_table_total(sid, SIDE_SELL, value) < 0:
                reason[0] = R_NO_CASH
                return 0
            return q
        # Buy to return: value + fees - the proceeds released must fit in cash.  Not monotone in q (the
        # released share grows with q), so step down one lot at a time like the reference model.
        while q > 0:
            value = q * price
            fee = fees.fee_table_total(sid, SIDE_BUY, value)
            if value + fee - ptcore_muldiv_half_up(self._slo_proceeds[sid], q, have) <= self.ledger._acct[0]:
                break
            reason[0] = R_CASH_CLIPPED
            q = (q - 1) // lot * lot
        if q == 0:
            reason[0] = R_NO_CASH
        return q

    cdef money_t mgn_fill_order(self, FeeTable fees, sid_t sid, int otype, qty_t qty, price_t price,
                                money_t* parts) except -1 nogil:
        cdef int side = SIDE_BUY if otype == OTYPE_FIN_BUY or otype == OTYPE_SLO_BUY else SIDE_SELL
        cdef money_t fee = fees.fee_table_components(sid, side, qty * price, parts)
        if otype == OTYPE_FIN_BUY:
            self.mgn_fin_buy(sid, qty, price, fee)
        elif otype == OTYPE_FIN_SELL:
            self.mgn_fin_sell(sid, qty, price, fee)
        elif otype == OTYPE_SLO_SELL:
            self.mgn_slo_sell(sid, qty, price, fee)
        else:
            self.mgn_slo_buy(sid, qty, price, fee)
        return fee

    # -- Python twins ------------------------------------------------------------------------------

    def _check_sid(self, sid_t sid):
        if sid < 0 or sid >= self.n_sids:
            raise IndexError(f"sid must be in [0, {self.n_sids}), was {sid}")

    def _prices(self, prices):
        if prices is None:
            return self.last_price
        if len(prices) != self.n_sids:
            raise ValueError(f"prices must have length {self.n_sids}, was {len(prices)}")
        return np.ascontiguousarray(prices, dtype=np.int64)

    def fin_buy(self, sid_t sid, qty_t qty, price_t price, money_t fee):
        """Book a financed buy fill (融资买入): shares into the ledger, value + fee into fin_debt."""
        self._check_sid(sid)
        if qty <= 0:
            raise ValueError(f"financed buy quantity must be > 0, was {qty}")
        self.mgn_fin_buy(sid, qty, price, fee)

    def fin_sell(self, sid_t sid, qty_t qty, price_t price, money_t fee):
        """Book a sell-to-repay fill (卖券还款); returns (interest paid, principal paid)."""
        self._check_sid(sid)
        interest, debt = self.fin_interest, int(self.fin_debt[sid])
        self.mgn_fin_sell(sid, qty, price, fee)
        return interest - self.fin_interest, debt - int(self.fin_debt[sid])

    def slo_sell(self, sid_t sid, qty_t qty, price_t price, money_t fee):
        """Book a short-sale fill (融券卖出): proceeds frozen, shares owed."""
        self._check_sid(sid)
        if qty <= 0:
            raise ValueError(f"short sale quantity must be > 0, was {qty}")
        self.mgn_slo_sell(sid, qty, price, fee)

    def slo_buy(self, sid_t sid, qty_t qty, price_t price, money_t fee):
        """Book a buy-to-return fill (买券还券); returns the P&L realised (released proceeds - cost)."""
        self._check_sid(sid)
        before = int(self.slo_realised[sid])
        self.mgn_slo_buy(sid, qty, price, fee)
        return int(self.slo_realised[sid]) - before

    def direct_refund(self, money_t value):
        """直接还款: cash repays accrued interest, then the lending fee, then principal in sid order, up to
        ``value`` and the cash available.  Returns the amount repaid (money)."""
        cdef money_t pay, left, part
        cdef Py_ssize_t s
        if value < 0:
            raise ValueError(f"value must be >= 0, was {value}")
        left = min(value, self.ledger.cash)
        if left <= 0:
            return 0
        pay = 0
        part = min(left, self.fin_interest)
        self.fin_interest -= part
        left -= part
        pay += part
        part = min(left, self.slo_fee)
        self.slo_fee -= part
        left -= part
        pay += part
        for s in range(self.n_sids):
            if left == 0:
                break
            part = min(left, self._fin_debt[s])
            if part:
                self._fin_debt[s] -= part
                if self._fin_debt[s] == 0:
                    self._fin_amount[s] = 0
                left -= part
                pay += part
        ledger_add_cash(self.ledger, -pay)
        return pay

    def direct_return(self, sid_t sid, qty_t qty):
        """直接还券: return ``qty`` borrowed shares from holdings (needs qty <= enable_amount and slo_amount).
        The shares leave the ledger at zero price; the released proceeds go to cash.  Returns them."""
        cdef money_t released, basis_part
        cdef qty_t owed
        self._check_sid(sid)
        owed = self._slo_amount[sid]
        if qty <= 0 or qty > owed or qty > self.ledger.enable_amount[sid]:
            raise ValueError(f"direct return of {qty} on sid {sid} needs 0 < qty <= slo_amount ({owed}) and "
                             f"<= enable_amount ({self.ledger.enable_amount[sid]})")
        self.ledger.ledger_apply_fill(sid, SIDE_SELL, qty, 0, 0)
        released = ptcore_muldiv_half_up(self._slo_proceeds[sid], qty, owed)
        basis_part = ptcore_muldiv_half_up(self._slo_basis[sid], qty, owed)
        self._slo_proceeds[sid] -= released
        self._slo_basis[sid] -= basis_part
        self._slo_amount[sid] = owed - qty
        self.ledger._realised_pnl[sid] += released
        ledger_add_cash(self.ledger, released)
        return released

    def accrue(self, int days):
        """Accrue ``days`` calendar days of financing interest and lending fee (actual/360, market-rules
        10.4); returns (interest, fee) added."""
        cdef money_t interest, fee
        if days < 0:
            raise ValueError(f"days must be >= 0, was {days}")
        interest = fee_round(self.mgn_fin_used() * self.fin_rate * days / 360.0)
        fee = fee_round(self.mgn_slo_used() * self.slo_rate * days / 360.0)
        self.fin_interest += interest
        self.slo_fee += fee
        return interest, fee

    def mark(self, const price_t[:] price, const uint8_t[:] valid):
        """Latest prices for valuation and the short-sale price rule: every sid where ``valid[sid]``."""
        cdef Py_ssize_t s
        if price.shape[0] != self.n_sids or valid.shape[0] != self.n_sids:
            raise ValueError(f"price and valid must have length {self.n_sids}, were "
                             f"{price.shape[0]} and {valid.shape[0]}")
        with nogil:
            for s in range(self.n_sids):
                if valid[s]:
                    self._last_price[s] = price[s]

    def available_margin(self, prices=None):
        """保证金可用余额 (money) at ``prices`` (default last_price); the definition is in the module docstring."""
        cdef const price_t[:] px = self._prices(prices)
        return self.mgn_available(px)

    def max_fin_value(self, prices=None):
        """Largest financed buy value (incl. fees) allowed now: available margin / fin_ratio, within the quota."""
        cdef const price_t[:] px = self._prices(prices)
        return _room(self.mgn_available(px), self.fin_ratio, self.fin_quota - self.mgn_fin_used())

    def maintenance_ratio(self, prices=None):
        """维持担保比例 (float) at ``prices`` (default last_price); inf without debt."""
        px = self._prices(prices)
        led = self.ledger
        assets = led.cash + int(self.slo_proceeds.sum()) + int((led.amount * px).sum())
        debt = (int(self.fin_debt.sum()) + int((self.slo_amount * px).sum()) + self.fin_interest
                + self.slo_fee)
        return float("inf") if debt == 0 else assets / debt

    def total_debit(self, prices=None):
        """Total debt (money): principal + short value at ``prices`` + interest + fees."""
        px = self._prices(prices)
        return (int(self.fin_debt.sum()) + int((self.slo_amount * px).sum()) + self.fin_interest
                + self.slo_fee)
