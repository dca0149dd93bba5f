"""Convertible-bond conversion (债转股, docs/ptrade-api.md §D.13): ``debt_to_stock_order`` in a backtest, and the
repayment of bonds held at maturity.

Rule (docs/market-rules.md §6.1, our choices marked U there): a conversion entered on trading day T takes
``amount`` 张 (face value 100 CNY each) out of the bond position at once; at the start of the next trading
day T+1 the account receives ``floor(amount × 100 / K)`` shares of the underlying, K the conversion price in
force on T, sellable from T+1, and the odd remainder ``amount × 100 − shares × K`` in cash (rounded down to
the fen; accrued interest on it is not paid).  The shares carry the bonds' cost less the cash remainder.
Bonds still held on the first trading day on or after their ``maturity_date`` are repaid at the data's
``redemption_price`` per 张 that day.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import math
from numbers import Integral

import numpy as np

from ..data.cb_terms import PAR, BondTerms
from ..data.codes import normalize_code
from ..model.phases import phases
from ..model.units import SCALE

_ORDER_PHASES = ("handle", "tick", "sched", "on_order", "on_trade")


class ConvertibleAPI:
    """``debt_to_stock_order`` and the T+1 delivery of converted shares, bound to one backtest."""

    def __init__(self, rt, account, market):
        self.rt = rt
        self._acct = account
        self._market = market
        self._terms = None
        self._cb_sid_array = None
        self.pending: list[dict] = []       # conversions waiting for delivery (plain values: checkpointed)
        self._n = 0

    @property
    def terms(self) -> BondTerms:
        if self._terms is None:
            self._terms = BondTerms(self.rt.store)
        return self._terms

    def _refuse(self, code, amount, why: str):
        self.rt.log.warning(f"debt_to_stock_order({code}, {amount}) rejected: {why}")
        return None

    @phases(*_ORDER_PHASES)
    def debt_to_stock_order(self, security, amount):
        """debt_to_stock_order: convert ``amount`` 张 of a convertible bond into its underlying's shares.

        Parameters
        ----------
        security : str
            The bond's code (``'110059.SS'``; for Shanghai bonds the bond code itself, not the conversion code).
        amount : int
            Bonds to convert in 张; the sign is ignored (the official example passes ``-1000``).

        Returns
        -------
        str or None
            A conversion id, or None when refused (logged with the reason: not a convertible bond, outside
            the conversion period, no conversion price or underlying in the data, fewer sellable bonds than
            ``amount``, market closed).

        Differences from Ptrade
        -----------------------
        Live only on the platform.  Here the bonds leave the position at once and the shares (whole shares
        at the conversion price in force that day) plus the cash for the odd remainder arrive at the start
        of the next trading day; accrued interest on the remainder is not paid.  Conversions are not orders:
        they do not appear in ``get_orders``/``get_trades`` (they are logged at INFO).
        """
        if not isinstance(security, str):
            raise TypeError(f"debt_to_stock_order: security must be a bond code such as '110059.SS', was {security!r}")
        if not isinstance(amount, Integral) or isinstance(amount, bool):
            raise ValueError(f"debt_to_stock_order: amount must be a whole number of 张, was {amount!r}")
        code = normalize_code(security)
        n = abs(int(amount))
        store, acct = self.rt.store, self._acct
        sid = store.sid(code)
        if sid < 0:
            return self._refuse(code, amount, f"no bars for {code} in data root {store.root}")
        if str(acct.inst["type"][sid]) != "cb":
            return self._refuse(code, amount, f"{code} is not a convertible bond (type {acct.inst['type'][sid]})")
        if n == 0:
            return self._refuse(code, amount, "amount is 0")
        if self.rt.market_closed():
            return self._refuse(code, amount, f"market closed at {self.rt.now}")
        day = self.rt.trade_date
        start, end = self.terms.date(code, "convert_date"), self.terms.date(code, "maturity_date")
        if start is None or day < start:
            return self._refuse(code, amount, f"conversion period of {code} starts on {start} (data: convert_date)")
        if end is not None and day >= end:
            return self._refuse(code, amount, f"{code} matures on {end}: conversion has ended")
        k = self.terms.convert_price(code, day)
        under = self.terms.underlying(code)
        usid = store.sid(under) if under else -1
        if not math.isfinite(k) or k <= 0 or usid < 0:
            return self._refuse(code, amount, f"no conversion price or underlying with bars for {code} on {day}")
        lg = acct.ledger
        if int(lg.enable_amount[sid]) < n:
            return self._refuse(code, amount, f"only {int(lg.enable_amount[sid])} 张 of {code} available")
        # Bonds out now (their cost share leaves with them).
        held = int(lg.amount[sid])
        cost = int(lg.cost_total[sid])
        released = (2 * cost * n + held) // (2 * held)            # half-up share of the cost
        lg.set_position(sid, held - n, int(lg.enable_amount[sid]) - n, cost - released, int(lg.last_price[sid]))
        k_raw = int(round(k * SCALE))                            # conversion price in 1e-4 CNY
        face = n * int(PAR) * int(SCALE)
        shares = face // k_raw
        cash = (face - shares * k_raw) // 100 * 100              # down to the fen
        self._n += 1
        cid = hashlib.md5(f"ptrade_fast:{acct.seed}:conversion:{self._n}".encode()).hexdigest()
        item = {"id": cid, "date": str(day), "bond": code, "amount": n, "convert_price": k, "stock": under,
                "shares": int(shares), "cash": cash / SCALE, "cost": int(released)}
        self.pending.append(item)
        acct.touch()
        self.rt.log.info(f"debt_to_stock_order: {n} 张 {code} at conversion price {k:g} -> {shares} {under} "
                         f"and {cash / SCALE:.2f} CNY remainder, delivered on the next trading day")
        return cid

    def start_day(self, day: _dt.date) -> None:
        """Deliver the shares and remainder cash of conversions entered before ``day`` (after the T+1 roll), then
        redeem bonds held past their maturity."""
        self._deliver(day)
        self._redeem_matured(day)

    def _redeem_matured(self, day: _dt.date) -> None:
        """Bonds still held on or after their ``maturity_date`` are repaid at ``redemption_price`` per 张
        (docs/market-rules.md §6.1); without a redemption price in the data they stay (logged once)."""
        lg = self._acct.ledger
        cb = self._cb_sids()
        held = cb[lg.amount[cb] > 0] if len(cb) else cb
        for sid in held:
            code = str(self._acct.codes[sid])
            end = self.terms.date(code, "maturity_date")
            if end is None or day < end:
                continue
            price = self.terms.redemption_price(code)
            n = int(lg.amount[sid])
            if not math.isfinite(price):
                self.rt.warn_once(f"maturity:{code}", f"{code} matured on {end} but the data have no "
                                                      f"redemption_price: the {n} 张 held stay in the account")
                continue
            cash = n * int(round(price * SCALE))
            lg.set_position(int(sid), 0, 0, 0, int(lg.last_price[sid]))
            lg.cash = lg.cash + cash
            self.rt.log.info(f"{code} matured on {end}: {n} 张 redeemed at {price:g}, {cash / SCALE:.2f} CNY paid")
            self._acct.touch()

    def _cb_sids(self) -> np.ndarray:
        if self._cb_sid_array is None:
            self._cb_sid_array = np.flatnonzero(self._acct.inst["type"] == "cb")
        return self._cb_sid_array

    def _deliver(self, day: _dt.date) -> None:
        if not self.pending:
            return
        acct, store = self._acct, self.rt.store
        lg = acct.ledger
        keep = []
        for item in self.pending:
            if _dt.date.fromisoformat(item["date"]) >= day:
                keep.append(item)
                continue
            usid = store.sid(item["stock"])
            cash = int(round(item["cash"] * SCALE))
            lg.set_position(usid, int(lg.amount[usid]) + item["shares"], int(lg.enable_amount[usid]) + item["shares"],
                            int(lg.cost_total[usid]) + item["cost"] - cash, int(lg.last_price[usid]))
            lg.cash = lg.cash + cash
            self.rt.log.info(f"conversion of {item['amount']} 张 {item['bond']}: {item['shares']} {item['stock']} "
                             f"credited, {item['cash']:.2f} CNY remainder paid")
        self.pending = keep
        acct.touch()


def conversion_preview(amount: int, convert_price: float) -> tuple[int, float]:
    """(shares, cash remainder) of converting ``amount`` 张 at ``convert_price`` (the rule of this module)."""
    k_raw = int(round(convert_price * SCALE))
    face = int(amount) * int(PAR) * int(SCALE)
    shares = face // k_raw
    return int(shares), float((face - shares * k_raw) // 100 * 100) / SCALE
