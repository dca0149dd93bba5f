"""Plain-Python reference model of the _core kernels' fees, ledger and order book.

Python ints, lists and dicts only -- no numpy in the logic -- written from the rules in
docs (spec §H) rather than from the kernels, so the agreement tests compare two implementations:

* fees: each component rounded half up to 0.01 CNY; commission floored at the minimum; stamp on sells;
* ledger: T+1 (T+0 per sid), cost share of a sell rounded half up, cost 0 when flat;
* book: creation-order matching, limit trigger, locked limits, volume cap (optionally shared),
  slippage, sell clipping with the odd-lot whole-position exception, buy sizing by stepping down
  one lot at a time until the cost fits (the kernel bisects), immediate cancel of remainders;
* futures (market-rules 9.3, ptrade-api D.10/H.11): long and short legs on the stock ledger's cash,
  reference basis (trade price today, settlement price when carried), carried lots closed first,
  margin frozen at open and re-evaluated at settlement, expiry without fees, fees per lot or by value;
* margin trading (market-rules 10): financed buys into the stock ledger with debt, sell-to-repay paying
  interest then principal, short sales with frozen proceeds released in proportion, actual/360 accrual,
  the available-margin definition of _core.margin, credit and eligibility rules at matching.
"""
import math

BUY, SELL = 1, -1
S_REPORTED, S_PART_CANCELLED, S_CANCELLED, S_FILLED, S_REJECTED = (ord(c) for c in "25689")
(R_NONE, R_CASH_CLIPPED, R_NO_CASH, R_POSITION_CLIPPED, R_NO_POSITION, R_VOLUME_CAPPED, R_NO_VOLUME,
 R_LIMIT_UP_LOCKED, R_LIMIT_DOWN_LOCKED) = range(9)
R_USER_CANCEL, R_DAY_END, R_BELOW_MIN_LOT = 10, 11, 25
R_MARGIN_CLIPPED, R_NO_MARGIN, R_NOT_ELIGIBLE, R_SHORT_BELOW_LAST = 12, 13, 14, 15
STOCK, FUT_OPEN, FUT_CLOSE, FUT_CLOSE_TODAY, FIN_BUY, FIN_SELL, SLO_SELL, SLO_BUY = range(8)
RATIO_SCALE = 100_000_000


# -- rounding helpers ------------------------------------------------------------------------------

def fee_round(x):
    return math.floor(x / 100.0 + 0.5 + 1e-9) * 100


def div_half_up(num, den):
    return (2 * num + den) // (2 * den)


def ratio_fixed(ratio):
    return math.floor(ratio * RATIO_SCALE + 0.5)


def slip(price, side, kind, ratio, fixed):
    p = price
    if kind == 1:
        r = ratio_fixed(ratio)
        p = div_half_up(price * (2 * RATIO_SCALE + side * r), 2 * RATIO_SCALE)
    elif kind == 2:
        p = price + side * ((fixed + 1) // 2)
    return max(p, 1)


def fees_of(value, side, fee):
    """fee = dict(commission_rate, min_commission, handling_rate, transfer_rate, stamp_rate)."""
    commission = 0 if value == 0 else max(fee_round(value * fee["commission_rate"]), fee["min_commission"])
    handling = fee_round(value * fee["handling_rate"])
    transfer = fee_round(value * fee["transfer_rate"])
    stamp = fee_round(value * fee["stamp_rate"]) if side == SELL else 0
    return [commission, handling, transfer, stamp]


# -- ledger ----------------------------------------------------------------------------------------

class RefLedger:
    FIELDS = ("amount", "enable_amount", "today_buy", "today_sell", "cost_total", "last_price", "realised_pnl")

    def __init__(self, n_sids, cash):
        self.n = n_sids
        self.cash = cash
        self.total_fees = 0
        self.t0 = [0] * n_sids
        for f in self.FIELDS:
            setattr(self, f, [0] * n_sids)

    def apply_fill(self, s, side, qty, price, fees):
        value = qty * price
        if side == BUY:
            self.cash -= value + fees
            self.amount[s] += qty
            self.today_buy[s] += qty
            if self.t0[s]:
                self.enable_amount[s] += qty
            self.cost_total[s] += value + fees
        else:
            assert 0 < qty <= self.enable_amount[s]
            portion = div_half_up(self.cost_total[s] * qty, self.amount[s])
            self.cost_total[s] -= portion
            self.realised_pnl[s] += value - fees - portion
            self.cash += value - fees
            self.amount[s] -= qty
            self.enable_amount[s] -= qty
            self.today_sell[s] += qty
            if self.amount[s] == 0:
                self.cost_total[s] = 0
        self.total_fees += fees

    def roll_day(self):
        for s in range(self.n):
            if not self.t0[s]:
                self.enable_amount[s] = self.amount[s]
            self.today_buy[s] = 0
            self.today_sell[s] = 0

    def set_position(self, s, amount, enable_amount, cost_total, last_price):
        self.amount[s] = amount
        self.enable_amount[s] = enable_amount
        self.cost_total[s] = cost_total if amount else 0
        self.last_price[s] = last_price

    def mark(self, price, valid):
        for s in range(self.n):
            if self.amount[s] and valid[s]:
                self.last_price[s] = price[s]


# -- book ------------------------------------------------------------------------------------------

class RefBook:
    COLUMNS = ("entrust_no", "sid", "side", "amount", "filled", "limit_price", "status", "reason", "lot",
               "created_seq", "otype")

    def __init__(self):
        self.orders = []     # list of dicts, row = index
        self.open = []       # rows in creation order
        self.changed = []

    def _new(self, sid, side, amount, limit_price, lot, seq, status, reason, otype):
        row = len(self.orders)
        self.orders.append(dict(entrust_no=row + 1, sid=sid, side=side, amount=amount, filled=0,
                                limit_price=limit_price, status=status, reason=reason, lot=lot, created_seq=seq,
                                otype=otype))
        return row

    def add(self, sid, side, amount, limit_price, lot, seq, otype=STOCK):
        row = self._new(sid, side, amount, limit_price, lot, seq, S_REPORTED, R_NONE, otype)
        self.open.append(row)
        return row

    def add_rejected(self, sid, side, amount, limit_price, lot, seq, reason, otype=STOCK):
        return self._new(sid, side, amount, limit_price, lot, seq, S_REJECTED, reason, otype)

    def _end(self, row, reason):
        o = self.orders[row]
        if o["filled"] == o["amount"]:
            o["status"] = S_FILLED
        else:
            o["status"] = S_PART_CANCELLED if o["filled"] else S_CANCELLED
        o["reason"] = reason
        self.changed.append(row)

    def cancel(self, row, reason=R_USER_CANCEL):
        self.changed = []
        if row not in self.open:
            return 0
        self.open.remove(row)
        self._end(row, reason)
        return self.orders[row]["status"]

    def end_day(self):
        self.changed = []
        n = len(self.open)
        for row in self.open:
            self._end(row, R_DAY_END)
        self.open = []
        return n

    def match(self, ledger, fee_rows, bar, params, fut=None, fut_fees=None, mgn=None):
        """bar: dict of per-sid lists close/high/low/volume/high_limit/low_limit/tradable.
        Returns the list of fills as tuples (row, sid, side, qty, price, value, c, h, t, stamp, otype)."""
        self.changed = []
        fills = []
        used = {}
        still_open = []
        for row in self.open:
            o = self.orders[row]
            s, side, lot, lim = o["sid"], o["side"], o["lot"], o["limit_price"]
            rem = o["amount"] - o["filled"]
            if not bar["tradable"][s]:
                still_open.append(row)
                continue
            ref = bar["close"][s]
            base = ref
            if lim > 0:
                if side == BUY:
                    trigger = ref if params["limit_touch"] == 0 else bar["low"][s]
                    if trigger > lim:
                        still_open.append(row)
                        continue
                    base = min(ref, lim)
                else:
                    trigger = ref if params["limit_touch"] == 0 else bar["high"][s]
                    if trigger < lim:
                        still_open.append(row)
                        continue
                    base = max(ref, lim)

            blocked = None
            if params["block_limit_locked"]:
                if side == BUY and bar["high_limit"][s] > 0 and ref >= bar["high_limit"][s]:
                    blocked = R_LIMIT_UP_LOCKED
                elif side == SELL and bar["low_limit"][s] > 0 and ref <= bar["low_limit"][s]:
                    blocked = R_LIMIT_DOWN_LOCKED
            cap = None
            if blocked is None and params["limit_mode"] == 0:
                cap = math.floor(params["volume_ratio"] * bar["volume"][s])
                if params["shared_volume_cap"]:
                    cap -= used.get(s, 0)
                if cap <= 0:
                    blocked = R_NO_VOLUME
            if blocked is not None:
                if lim > 0:
                    if o["reason"] != blocked:
                        o["reason"] = blocked
                        self.changed.append(row)
                    still_open.append(row)
                else:
                    self._end(row, blocked)
                continue

            p = slip(base, side, params["slippage_kind"], params["slippage_ratio"], params["slippage_fixed"])
            if lim > 0:
                p = min(p, lim) if side == BUY else max(p, lim)

            reason = R_NONE
            otype = o["otype"]
            if otype in (FUT_OPEN, FUT_CLOSE, FUT_CLOSE_TODAY):
                q, reason = fut.size_order(fut_fees, s, otype, side, rem, cap, lot, p)
                if q == 0:
                    self._end(row, reason)
                    continue
                fee = fut.fill_order(fut_fees, s, otype, side, q, p)
                value = notional(p, q, fut.multiplier[s])
                fills.append((row, s, side, q, p, value, fee, 0, 0, 0, otype))
                o["filled"] += q
                used[s] = used.get(s, 0) + q
                self._end(row, reason)
                continue
            if otype >= FIN_BUY:
                q, reason = mgn.size_order(fee_rows, s, otype, rem, cap, lot, lim, p)
                if q == 0:
                    self._end(row, reason)
                    continue
                parts = mgn.fill_order(fee_rows, s, otype, q, p)
                fills.append((row, s, side, q, p, q * p, *parts, otype))
                o["filled"] += q
                used[s] = used.get(s, 0) + q
                self._end(row, reason)
                continue
            if side == SELL:
                ea = ledger.enable_amount[s]
                q = rem
                if q > ea:
                    q, reason = ea, R_POSITION_CLIPPED
                if cap is not None and q > cap:
                    q, reason = cap, R_VOLUME_CAPPED
                if q < ledger.amount[s] and q % lot:
                    q = q // lot * lot
                    reason = reason or R_BELOW_MIN_LOT
                if q == 0:
                    self._end(row, R_NO_POSITION if ea == 0 else reason)
                    continue
            else:
                q = rem
                if cap is not None and q > cap:
                    q, reason = cap, R_VOLUME_CAPPED
                if q % lot:
                    q = q // lot * lot
                    reason = reason or R_BELOW_MIN_LOT
                if q == 0:
                    self._end(row, reason)
                    continue
                fee = fee_rows[s]
                fitted = q
                while fitted > 0 and fitted * p + sum(fees_of(fitted * p, BUY, fee)) > ledger.cash:
                    fitted -= lot
                if fitted < q:
                    reason = R_CASH_CLIPPED
                    q = fitted
                if q == 0:
                    self._end(row, R_NO_CASH)
                    continue

            value = q * p
            parts = fees_of(value, side, fee_rows[s])
            if side == SELL and ledger.cash + value - sum(parts) < 0:
                self._end(row, R_NO_CASH)
                continue
            ledger.apply_fill(s, side, q, p, sum(parts))
            fills.append((row, s, side, q, p, value, *parts, otype))
            o["filled"] += q
            used[s] = used.get(s, 0) + q
            self._end(row, reason)
        self.open = still_open
        return fills


# -- futures ---------------------------------------------------------------------------------------

def notional(price, qty, multiplier):
    """price x multiplier x lots; integral multipliers exact, others rounded half up to one money unit."""
    m = int(multiplier)
    if float(m) == multiplier:
        return price * qty * m
    return math.floor(float(price * qty) * multiplier + 0.5)


def margin_of(value, rate):
    return fee_round(value * rate)


def fut_fee(fee_row, kind, qty, value):
    """fee_row = dict(by_volume, open_rate, close_rate, close_today_rate); kind 0 open, 1 close, 2 close today."""
    if qty == 0:
        return 0
    rate = fee_row[("open_rate", "close_rate", "close_today_rate")[kind]]
    if fee_row["by_volume"]:
        return fee_round(qty * rate * 10000.0)
    return fee_round(value * rate)


class RefFutures:
    FIELDS = ("long_amount", "long_today", "short_amount", "short_today", "long_basis_total",
              "short_basis_total", "long_today_basis", "short_today_basis", "long_margin", "short_margin",
              "long_realised", "short_realised", "settle_price", "last_price")

    def __init__(self, n_sids, ledger):
        self.n = n_sids
        self.ledger = ledger
        self.multiplier = [1.0] * n_sids
        self.margin_rate = [0.0] * n_sids
        for f in self.FIELDS:
            setattr(self, f, [0] * n_sids)

    def _leg(self, side):
        return "long_" if side > 0 else "short_"

    def _get(self, side, name, s):
        return getattr(self, self._leg(side) + name)[s]

    def _add(self, side, name, s, delta):
        getattr(self, self._leg(side) + name)[s] += delta

    def closable(self, s, side, close_today):
        return self._get(side, "today", s) if close_today else self._get(side, "amount", s)

    def split(self, s, side, qty, close_today):
        carried = self._get(side, "amount", s) - self._get(side, "today", s)
        kc = 0 if close_today else min(qty, carried)
        return kc, qty - kc

    def open_cost(self, fees, s, qty, price):
        v = notional(price, qty, self.multiplier[s])
        return margin_of(v, self.margin_rate[s]) + fut_fee(fees[s], 0, qty, v)

    def close_fee(self, fees, s, side, qty, price, close_today):
        kc, kt = self.split(s, side, qty, close_today)
        m = self.multiplier[s]
        return fut_fee(fees[s], 1, kc, notional(price, kc, m)) + fut_fee(fees[s], 2, kt, notional(price, kt, m))

    def open(self, s, side, qty, price, fee):
        v = notional(price, qty, self.multiplier[s])
        margin = margin_of(v, self.margin_rate[s])
        for name, d in (("amount", qty), ("today", qty), ("basis_total", v), ("today_basis", v),
                        ("margin", margin)):
            self._add(side, name, s, d)
        self.ledger.cash -= margin + fee
        self.ledger.total_fees += fee
        return margin

    def close(self, s, side, qty, price, fee, close_today=False):
        held, today = self._get(side, "amount", s), self._get(side, "today", s)
        assert 0 < qty <= (today if close_today else held)
        kc, kt = self.split(s, side, qty, close_today)
        basis, tbasis = self._get(side, "basis_total", s), self._get(side, "today_basis", s)
        ref = div_half_up((basis - tbasis) * kc, held - today) if kc else 0
        if kt:
            part = div_half_up(tbasis * kt, today)
            self._add(side, "today_basis", s, -part)
            ref += part
        pnl = side * (notional(price, qty, self.multiplier[s]) - ref)
        released = div_half_up(self._get(side, "margin", s) * qty, held)
        self._add(side, "basis_total", s, -ref)
        self._add(side, "margin", s, -released)
        self._add(side, "amount", s, -qty)
        self._add(side, "today", s, -kt)
        self._add(side, "realised", s, pnl)
        self.ledger.cash += released + pnl - fee
        self.ledger.total_fees += fee
        return pnl

    def settle_day(self, settle, valid):
        total = 0
        for s in range(self.n):
            if valid[s] and settle[s] > 0:
                for side in (1, -1):
                    lots = self._get(side, "amount", s)
                    if lots:
                        v = notional(settle[s], lots, self.multiplier[s])
                        pnl = side * (v - self._get(side, "basis_total", s))
                        m = margin_of(v, self.margin_rate[s])
                        self.ledger.cash += pnl - (m - self._get(side, "margin", s))
                        getattr(self, self._leg(side) + "basis_total")[s] = v
                        getattr(self, self._leg(side) + "margin")[s] = m
                        total += pnl
                self.settle_price[s] = settle[s]
                self.last_price[s] = settle[s]
            for name in ("long_today", "short_today", "long_today_basis", "short_today_basis"):
                getattr(self, name)[s] = 0
        return total

    def expire(self, s, final_settle):
        pnl = 0
        for side in (1, -1):
            lots = self._get(side, "amount", s)
            if lots:
                pnl += self.close(s, side, lots, final_settle, 0)
        self.settle_price[s] = final_settle
        self.last_price[s] = final_settle
        return pnl

    def mark(self, price, valid):
        for s in range(self.n):
            if (self.long_amount[s] or self.short_amount[s]) and valid[s]:
                self.last_price[s] = price[s]

    def floating_pnl(self):
        total = 0
        for s in range(self.n):
            if self.long_amount[s]:
                total += notional(self.last_price[s], self.long_amount[s], self.multiplier[s]) - self.long_basis_total[s]
            if self.short_amount[s]:
                total += self.short_basis_total[s] - notional(self.last_price[s], self.short_amount[s], self.multiplier[s])
        return total

    # -- book dispatch -----------------------------------------------------------------------------

    def size_order(self, fees, s, otype, side, rem, cap, lot, price):
        """(qty, reason) for a futures order: closable lots, volume cap, lot, then cash step-down by lot."""
        reason = R_NONE
        q = rem
        closable = None
        if otype != FUT_OPEN:
            closable = self.closable(s, -side, otype == FUT_CLOSE_TODAY)
            if q > closable:
                q, reason = closable, R_POSITION_CLIPPED
        if cap is not None and q > cap:
            q, reason = cap, R_VOLUME_CAPPED
        if q % lot:
            q -= q % lot
            reason = reason or R_BELOW_MIN_LOT
        if otype != FUT_OPEN:
            if q == 0 and closable == 0:
                reason = R_NO_POSITION
            return q, reason
        if q == 0:
            return 0, reason
        fitted = q
        while fitted > 0 and self.open_cost(fees, s, fitted, price) > self.ledger.cash:
            fitted -= lot
        if fitted < q:
            q, reason = fitted, R_CASH_CLIPPED
            if q == 0:
                reason = R_NO_CASH
        return q, reason

    def fill_order(self, fees, s, otype, side, qty, price):
        if otype == FUT_OPEN:
            fee = fut_fee(fees[s], 0, qty, notional(price, qty, self.multiplier[s]))
            self.open(s, side, qty, price, fee)
        else:
            today = otype == FUT_CLOSE_TODAY
            fee = self.close_fee(fees, s, -side, qty, price, today)
            self.close(s, -side, qty, price, fee, today)
        return fee

    def set_position(self, s, side, amount, settle_price):
        v = notional(settle_price, amount, self.multiplier[s])
        leg = self._leg(side)
        for name, value in (("amount", amount), ("today", 0), ("today_basis", 0), ("basis_total", v),
                            ("margin", margin_of(v, self.margin_rate[s]) if amount else 0)):
            getattr(self, leg + name)[s] = value
        self.settle_price[s] = settle_price
        self.last_price[s] = settle_price

# -- margin trading --------------------------------------------------------------------------------

def scaled(x, r):
    return math.floor(float(x) * r + 0.5)


class RefMargin:
    FIELDS = ("fin_debt", "fin_amount", "slo_amount", "slo_basis", "slo_proceeds", "slo_realised", "last_price")
    SCALARS = ("fin_interest", "slo_fee")

    def __init__(self, n_sids, ledger):
        self.n = n_sids
        self.ledger = ledger
        for f in self.FIELDS:
            setattr(self, f, [0] * n_sids)
        self.haircut = [0.0] * n_sids
        self.fin_eligible = [0] * n_sids
        self.slo_eligible = [0] * n_sids
        self.fin_interest = self.slo_fee = 0
        self.fin_rate = self.slo_rate = 0.0
        self.fin_ratio = self.slo_ratio = 1.0
        self.fin_quota = self.slo_quota = 0

    # -- valuation ---------------------------------------------------------------------------------

    def available(self, px):
        def adj(x, h):
            return scaled(x, h) if x > 0 else x
        led = self.ledger
        total = led.cash - self.fin_interest - self.slo_fee
        for s in range(self.n):
            h = self.haircut[s]
            fa = min(self.fin_amount[s], led.amount[s])
            own = led.amount[s] - fa
            if own:
                total += scaled(own * px[s], h)
            if fa or self.fin_debt[s]:
                total += adj(fa * px[s] - self.fin_debt[s], h) - scaled(self.fin_debt[s], self.fin_ratio)
            if self.slo_amount[s] or self.slo_basis[s]:
                v = self.slo_amount[s] * px[s]
                total += adj(self.slo_basis[s] - v, h) - scaled(v, self.slo_ratio)
        return total

    @staticmethod
    def room(available, ratio, quota_left):
        if ratio > 0:
            return min(quota_left, math.floor(available / ratio) if available > 0 else 0)
        return quota_left

    def maintenance_ratio(self, px):
        led = self.ledger
        assets = led.cash + sum(self.slo_proceeds) + sum(a * p for a, p in zip(led.amount, px))
        debt = (sum(self.fin_debt) + sum(a * p for a, p in zip(self.slo_amount, px)) + self.fin_interest
                + self.slo_fee)
        return float("inf") if debt == 0 else assets / debt

    # -- fills and direct operations ---------------------------------------------------------------

    def fin_buy(self, s, qty, price, fee):
        self.ledger.apply_fill(s, BUY, qty, price, fee)
        self.ledger.cash += qty * price + fee
        self.fin_debt[s] += qty * price + fee
        self.fin_amount[s] += qty

    def fin_sell(self, s, qty, price, fee):
        self.ledger.apply_fill(s, SELL, qty, price, fee)
        rest = qty * price - fee
        if rest > 0:
            paid_interest = min(rest, self.fin_interest)
            paid_principal = min(rest - paid_interest, self.fin_debt[s])
            self.fin_interest -= paid_interest
            self.fin_debt[s] -= paid_principal
            self.ledger.cash -= paid_interest + paid_principal
        self.fin_amount[s] -= min(qty, self.fin_amount[s])
        if self.fin_debt[s] == 0:
            self.fin_amount[s] = 0

    def slo_sell(self, s, qty, price, fee):
        self.slo_amount[s] += qty
        self.slo_basis[s] += qty * price
        self.slo_proceeds[s] += qty * price - fee
        self.ledger.total_fees += fee

    def _release(self, s, qty):
        owed = self.slo_amount[s]
        released = div_half_up(self.slo_proceeds[s] * qty, owed)
        self.slo_proceeds[s] -= released
        self.slo_basis[s] -= div_half_up(self.slo_basis[s] * qty, owed)
        self.slo_amount[s] = owed - qty
        return released

    def slo_buy(self, s, qty, price, fee):
        assert 0 < qty <= self.slo_amount[s]
        released = self._release(s, qty)
        cost = qty * price + fee
        self.slo_realised[s] += released - cost
        self.ledger.cash += released - cost
        self.ledger.total_fees += fee
        return released - cost

    def direct_refund(self, value):
        left = min(value, self.ledger.cash)
        if left <= 0:
            return 0
        pay = 0
        for name in ("fin_interest", "slo_fee"):
            part = min(left, getattr(self, name))
            setattr(self, name, getattr(self, name) - part)
            left -= part
            pay += part
        for s in range(self.n):
            part = min(left, self.fin_debt[s])
            if part:
                self.fin_debt[s] -= part
                if self.fin_debt[s] == 0:
                    self.fin_amount[s] = 0
                left -= part
                pay += part
        self.ledger.cash -= pay
        return pay

    def direct_return(self, s, qty):
        assert 0 < qty <= min(self.slo_amount[s], self.ledger.enable_amount[s])
        self.ledger.apply_fill(s, SELL, qty, 0, 0)
        released = self._release(s, qty)
        self.ledger.realised_pnl[s] += released
        self.ledger.cash += released
        return released

    def accrue(self, days):
        interest = fee_round(sum(self.fin_debt) * self.fin_rate * days / 360.0)
        fee = fee_round(sum(self.slo_basis) * self.slo_rate * days / 360.0)
        self.fin_interest += interest
        self.slo_fee += fee
        return interest, fee

    def mark(self, price, valid):
        for s in range(self.n):
            if valid[s]:
                self.last_price[s] = price[s]

    # -- book dispatch -----------------------------------------------------------------------------

    def size_order(self, fee_rows, s, otype, rem, cap, lot, limit_price, price):
        """(qty, reason): eligibility and the short-sale price rule, position, volume cap, lot, then credit
        (stepping down one lot at a time) or cash."""
        led, fee, reason, q = self.ledger, fee_rows[s], R_NONE, rem
        if otype in (FIN_BUY, SLO_SELL):
            if not (self.fin_eligible if otype == FIN_BUY else self.slo_eligible)[s]:
                return 0, R_NOT_ELIGIBLE
            if otype == SLO_SELL:
                order_price = limit_price if limit_price > 0 else price
                if self.last_price[s] > 0 and order_price < self.last_price[s]:
                    return 0, R_SHORT_BELOW_LAST
            if cap is not None and q > cap:
                q, reason = cap, R_VOLUME_CAPPED
            if q % lot:
                q -= q % lot
                reason = reason or R_BELOW_MIN_LOT
            if q == 0:
                return 0, reason
            if otype == FIN_BUY:
                room = self.room(self.available(self.last_price), self.fin_ratio, self.fin_quota - sum(self.fin_debt))
                fitted = q
                while fitted > 0 and fitted * price + sum(fees_of(fitted * price, BUY, fee)) > room:
                    fitted -= lot
                if fitted < q:
                    q, reason = fitted, R_MARGIN_CLIPPED
            else:
                room = self.room(self.available(self.last_price), self.slo_ratio,
                                 self.slo_quota - sum(self.slo_basis))
                if q * price > room:
                    reason = R_MARGIN_CLIPPED
                    q = room // price if room > 0 else 0
                    q -= q % lot
                if q > 0 and q * price - sum(fees_of(q * price, SELL, fee)) < 0:
                    return 0, R_NO_CASH
            if q == 0 and reason == R_MARGIN_CLIPPED:
                reason = R_NO_MARGIN
            return q, reason

        have = led.enable_amount[s] if otype == FIN_SELL else self.slo_amount[s]
        if q > have:
            q, reason = have, R_POSITION_CLIPPED
        if cap is not None and q > cap:
            q, reason = cap, R_VOLUME_CAPPED
        whole = led.amount[s] if otype == FIN_SELL else have
        if q % lot and q < whole:
            q -= q % lot
            reason = reason or R_BELOW_MIN_LOT
        if q == 0:
            return 0, (R_NO_POSITION if have == 0 else reason)
        if otype == FIN_SELL:
            if led.cash + q * price - sum(fees_of(q * price, SELL, fee)) < 0:
                return 0, R_NO_CASH
            return q, reason
        while q > 0:
            cost = q * price + sum(fees_of(q * price, BUY, fee))
            if cost - div_half_up(self.slo_proceeds[s] * q, have) <= led.cash:
                break
            reason = R_CASH_CLIPPED
            q = (q - 1) // lot * lot
        return q, (R_NO_CASH if q == 0 else reason)

    def fill_order(self, fee_rows, s, otype, qty, price):
        side = BUY if otype in (FIN_BUY, SLO_BUY) else SELL
        parts = fees_of(qty * price, side, fee_rows[s])
        getattr(self, ("fin_buy", "fin_sell", "slo_sell", "slo_buy")[otype - FIN_BUY])(s, qty, price, sum(parts))
        return parts
