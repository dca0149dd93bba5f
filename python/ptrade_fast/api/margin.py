"""融资融券: Ptrade's margin trading functions (§D.9) on a simulated credit account.

Ptrade's own backtest has only ``margin_trade`` (collateral buy/sell, in ``api.trading``); financing and
short selling are live-only there.  ptrade_fast offers them as a labelled **extension** (docs/ptrade-api.md §0.1a item 4),
off unless the run asks for it: ``ptrade_fast.run(..., margin_account=True)`` or a dict of the credit
terms below.  Without it every function here behaves as a live-only name (§H.12).

The credit account IS the stock account: financed buys put shares into the ordinary ledger (T+1, cost
basis as usual) and create debt instead of spending cash; short sales create a share debt whose proceeds
are frozen.  The kernel (``ptrade_fast._core.margin``) holds the debts, accrues interest and lending fees daily and
computes 保证金可用余额 and 维持担保比例; its module docstring states the formulas (docs/market-rules.md §10,
several items marked U there).  Orders go through the same order book as every other order.

Credit terms (``margin_account`` dict keys; defaults in ``DEFAULT_TERMS``): ``fin_rate`` and ``slo_rate``
(annual, days/360), ``fin_quota`` and ``slo_quota`` (CNY credit lines, default 2 × capital), ``fin_ratio`` /
``slo_ratio`` (margin ratios; default: the exchange minimum in force on the date, docs/market-rules.md §10.1),
``haircuts`` (by type), ``eligible`` (codes that may be financed/shorted; default every stock and ETF with
data — the data has no exchange lists), ``warning_ratio`` (maintenance ratio that logs a warning, 1.3).
"""
from __future__ import annotations

import datetime as _dt
import math
from numbers import Integral, Real

import numpy as np
import pandas as pd

from .. import _core

from .. import errors as E
from ..data.codes import normalize_code
from ..model.units import SCALE
from ..model.phases import phases
from ..errors import LiveOnlyError

_ORDER_PHASES = ("handle", "sched", "tick", "on_order", "on_trade")
_QUERY_PHASES = ("handle", "sched", "tick", "before", "after", "on_order", "on_trade")

# docs/market-rules.md §10.1: (first day, financing ratio, short-selling ratio).
MARGIN_RATIOS = [
    (_dt.date(2010, 3, 31), 0.5, 0.5),
    (_dt.date(2015, 11, 23), 1.0, 0.5),
    (_dt.date(2023, 9, 11), 0.8, 0.5),
    (_dt.date(2023, 10, 30), 0.8, 0.8),
    (_dt.date(2024, 7, 22), 0.8, 1.0),
    (_dt.date(2026, 1, 19), 1.0, 1.0),
]

DEFAULT_TERMS = {
    "fin_rate": 0.0835, "slo_rate": 0.1035, "fin_quota": None, "slo_quota": None,
    "fin_ratio": None, "slo_ratio": None, "warning_ratio": 1.3,
    # Exchange caps (docs/market-rules.md §10.2, U): stocks ≤ 65–70 %, ETFs ≤ 90 %, bonds ≤ 80 %.
    "haircuts": {"stock": 0.65, "chinext": 0.65, "star": 0.65, "etf": 0.9, "lof": 0.8, "fund": 0.8,
                 "cb": 0.8, "bond": 0.8},
    "eligible": None,
}


def ratios_on(day) -> tuple[float, float]:
    row = MARGIN_RATIOS[0]
    for r in MARGIN_RATIOS:
        if day is not None and r[0] <= day:
            row = r
    return row[1], row[2]


class MarginAPI:
    """The 融资融券 functions, bound to one backtest (active only with ``margin_account``)."""

    def __init__(self, rt, trading, account, market, terms):
        self.rt = rt
        self._trading = trading
        self._acct = account
        self._market = market
        self.enabled = bool(terms)
        t = dict(DEFAULT_TERMS)
        if isinstance(terms, dict):
            unknown = set(terms) - set(DEFAULT_TERMS)
            if unknown:
                raise ValueError(f"margin_account: unknown keys {sorted(unknown)}; known: {sorted(DEFAULT_TERMS)}")
            t.update(terms)
        self.terms = t

    # -- set-up and daily upkeep (called by the runner) ----------------------------------------------
    def setup(self, margin, inst, capital_base: float):
        """Configure the kernel: haircuts and eligibility per sid, rates, quotas."""
        t = self.terms
        types = inst["type"]
        hair = np.array([t["haircuts"].get(str(x), 0.0) for x in types], dtype=np.float64)
        margin.haircut[:] = hair
        if t["eligible"] is None:
            elig = np.isin(types, ["stock", "chinext", "star", "etf"]).astype(np.uint8)
        else:
            codes = {normalize_code(c) for c in t["eligible"]}
            elig = np.array([c in codes for c in self.rt.store.codes], dtype=np.uint8)
        margin.fin_eligible[:] = elig
        margin.slo_eligible[:] = elig
        margin.fin_rate = float(t["fin_rate"])
        margin.slo_rate = float(t["slo_rate"])
        fq = 2 * capital_base if t["fin_quota"] is None else float(t["fin_quota"])
        sq = 2 * capital_base if t["slo_quota"] is None else float(t["slo_quota"])
        margin.fin_quota = int(round(fq * SCALE))
        margin.slo_quota = int(round(sq * SCALE))

    def start_day(self, margin, day, previous_day):
        """Margin ratios in force on ``day``; interest and lending fees for the calendar days since the last
        trading day (days/360, docs/market-rules.md §10.4)."""
        fin, slo = ratios_on(day)
        margin.fin_ratio = float(self.terms["fin_ratio"] or fin)
        margin.slo_ratio = float(self.terms["slo_ratio"] or slo)
        if previous_day is not None:
            days = (day - previous_day).days
            if days > 0:
                margin.accrue(days)

    def end_day(self, margin, day):
        ratio = margin.maintenance_ratio()
        if math.isfinite(ratio) and ratio < float(self.terms["warning_ratio"]):
            self.rt.log.warning(f"maintenance ratio {ratio:.1%} on {day} is below "
                                f"{float(self.terms['warning_ratio']):.0%}: the broker would call for collateral")
        return ratio

    # -- helpers -------------------------------------------------------------------------------------
    def _need(self, name):
        if not self.enabled:
            raise LiveOnlyError(f"{name} is live-only on Ptrade (financing and short selling); run the backtest "
                                f"with margin_account=True to simulate a credit account")

    @property
    def _m(self):
        return self._acct.margin

    def _order(self, fn, security, amount, limit_price, side, otype):
        self._need(fn)
        if not isinstance(amount, Integral) or isinstance(amount, bool) or amount <= 0:
            if isinstance(amount, Integral) and not isinstance(amount, bool):
                raise ValueError(f"{fn}: amount is a positive quantity, was {amount}")
            code, sid = self._trading._resolve(fn, security)
            if sid < 0:
                return None
            return self._trading._reject(fn, code, sid, side, 0, 0, E.R_BAD_AMOUNT, f"amount was {amount!r}")
        if otype in (_core.OTYPE_FIN_BUY, _core.OTYPE_SLO_SELL):
            # Rules knowable when the order is placed reject it as a 废单 ('9'), as the counter would.
            code, sid = self._trading._resolve(fn, security)
            if sid < 0:
                return None
            m = self._m
            reason, detail = 0, ""
            eligible = m.fin_eligible[sid] if otype == _core.OTYPE_FIN_BUY else m.slo_eligible[sid]
            last = self._market.current_price(sid)
            if not eligible:
                reason, detail = E.R_NOT_ELIGIBLE, f"{code} is not on the {'financing' if side > 0 else 'short-selling'} list"
            elif otype == _core.OTYPE_FIN_BUY and m.max_fin_value() <= 0:
                reason, detail = E.R_NO_MARGIN, "no available margin or credit line left"
            elif otype == _core.OTYPE_SLO_SELL and limit_price is not None and last and float(limit_price) < last:
                reason, detail = E.R_SHORT_BELOW_LAST, f"limit_price {limit_price} < latest price {last}"
            if reason:
                return self._trading._reject(fn, code, sid, side, int(amount), 0, reason, detail)
        return self._trading._create(fn, security, side * int(amount), limit_price, otype=otype)

    def _qty_dict(self, security, fn, compute):
        self._need(fn)
        codes = [security] if isinstance(security, str) else list(security)
        out = {}
        for c in codes:
            code, sid = self._trading._resolve(fn, c)
            if sid >= 0:
                out[code] = int(compute(sid))
        return out

    def _price(self, sid, price):
        p = float(price) if price is not None else self._market.current_price(sid)
        return p if p > 0 and math.isfinite(p) else 0.0

    # -- orders --------------------------------------------------------------------------------------
    @phases(*_ORDER_PHASES)
    def margincash_open(self, security, amount, limit_price=None, market_type=None):
        """Ptrade ``margincash_open``: financed buy (融资买入) of ``amount`` shares; the cost becomes debt.
        Clipped at matching to 保证金可用余额 / financing ratio and the credit line.  Returns the order id."""
        return self._order("margincash_open", security, amount, limit_price, 1, _core.OTYPE_FIN_BUY)

    @phases(*_ORDER_PHASES)
    def margincash_close(self, security, amount, limit_price=None):
        """Ptrade ``margincash_close``: sell to repay (卖券还款); proceeds pay interest, then principal."""
        return self._order("margincash_close", security, amount, limit_price, -1, _core.OTYPE_FIN_SELL)

    @phases(*_ORDER_PHASES)
    def margincash_direct_refund(self, value=None, **seed_kw):
        """Ptrade ``margincash_direct_refund(value)``: repay financing with cash (interest first).
        The seed's keyword ``amount=`` is accepted.  Returns ``None``."""
        self._need("margincash_direct_refund")
        if value is None:
            value = seed_kw.get("amount")
        if not isinstance(value, Real) or isinstance(value, bool) or not math.isfinite(value) or value <= 0:
            raise ValueError(f"margincash_direct_refund: value must be a positive amount of CNY, was {value!r}")
        raw = min(int(round(float(value) * SCALE)), max(self._acct.ledger.cash, 0))
        paid = self._m.direct_refund(raw)
        self.rt.log.info(f"margincash_direct_refund: {paid / SCALE:,.2f} CNY repaid")
        self._acct.touch()

    @phases(*_ORDER_PHASES)
    def marginsec_open(self, security, amount, limit_price=None):
        """Ptrade ``marginsec_open``: short sell borrowed shares (融券卖出); proceeds are frozen."""
        return self._order("marginsec_open", security, amount, limit_price, -1, _core.OTYPE_SLO_SELL)

    @phases(*_ORDER_PHASES)
    def marginsec_close(self, security, amount, limit_price=None):
        """Ptrade ``marginsec_close``: buy shares to return the loan (买券还券)."""
        return self._order("marginsec_close", security, amount, limit_price, 1, _core.OTYPE_SLO_BUY)

    @phases(*_ORDER_PHASES)
    def marginsec_direct_refund(self, security, amount):
        """Ptrade ``marginsec_direct_refund``: return borrowed shares from holdings (直接还券).  Returns None."""
        self._need("marginsec_direct_refund")
        code, sid = self._trading._resolve("marginsec_direct_refund", security)
        if sid < 0:
            return None
        if not isinstance(amount, Integral) or isinstance(amount, bool) or amount <= 0:
            raise ValueError(f"marginsec_direct_refund: amount must be a positive integer for {code}, was {amount!r}")
        lg = self._acct.ledger
        qty = min(int(amount), int(self._m.slo_amount[sid]), int(lg.enable_amount[sid]))
        if qty <= 0:
            self.rt.log.warning(f"marginsec_direct_refund({code}, {amount}): nothing to return "
                                f"(borrowed {int(self._m.slo_amount[sid])}, sellable {int(lg.enable_amount[sid])})")
            return None
        self._m.direct_return(sid, qty)
        self.rt.log.info(f"marginsec_direct_refund: {qty} {code} returned from holdings")
        self._acct.touch()

    # -- queries -------------------------------------------------------------------------------------
    def _eligible(self, arr):
        return [str(c) for c, ok in zip(self.rt.store.codes, arr) if ok]

    @phases(*_QUERY_PHASES)
    def get_margincash_stocks(self):
        """Ptrade ``get_margincash_stocks``: codes that may be bought on financing."""
        self._need("get_margincash_stocks")
        return self._eligible(self._m.fin_eligible)

    @phases(*_QUERY_PHASES)
    def get_marginsec_stocks(self):
        """Ptrade ``get_marginsec_stocks``: codes that may be sold short."""
        self._need("get_marginsec_stocks")
        return self._eligible(self._m.slo_eligible)

    @phases(*_QUERY_PHASES)
    def get_assure_security_list(self):
        """Ptrade ``get_assure_security_list``: codes accepted as collateral (haircut > 0)."""
        self._need("get_assure_security_list")
        return self._eligible(self._m.haircut > 0)

    @phases(*_QUERY_PHASES)
    def get_margin_assert(self):
        """Ptrade ``get_margin_assert`` (also ``get_margin_asset``): the credit account's assets and debts."""
        self._need("get_margin_assert")
        m, lg = self._m, self._acct.ledger
        fin_debt = int(m.fin_debt.sum())
        assure = lg.cash + int(m.slo_proceeds.sum()) + lg.positions_value()
        return {
            "assure_asset": assure / SCALE, "total_debit": m.total_debit() / SCALE,
            "enable_bail_balance": m.available_margin() / SCALE,
            "assure_enbuy_balance": max(lg.cash, 0) / SCALE,
            "fin_enrepaid_balance": max(lg.cash, 0) / SCALE,
            "fin_max_quota": m.fin_quota / SCALE, "fin_enable_quota": m.max_fin_value() / SCALE,
            "fin_used_quota": fin_debt / SCALE, "fin_compact_balance": fin_debt / SCALE,
            "fin_compact_fare": 0.0, "fin_compact_interest": m.fin_interest / SCALE,
            "slo_enable_quota": max(m.slo_quota - int(m.slo_basis.sum()), 0) / SCALE,
            "slo_compact_fare": 0.0, "slo_compact_interest": m.slo_fee / SCALE,
        }

    @phases(*_QUERY_PHASES)
    def get_margin_asset(self):
        """Ptrade ``get_margin_asset`` (later editions' name of ``get_margin_assert``)."""
        return self.get_margin_assert.__wrapped__(self)

    @phases(*_QUERY_PHASES)
    def get_margin_contract(self):
        """Ptrade ``get_margin_contract``: one row per open debt.  ptrade_fast keeps one contract per security
        and type (financing '0', securities lending '1'); ``compact_id`` is ``'<code>-<type>'``."""
        self._need("get_margin_contract")
        m, codes = self._m, self.rt.store.codes
        rows = []
        day = int(self.rt.trade_date.strftime("%Y%m%d")) if self.rt.trade_date else 0
        for sid in np.flatnonzero(m.fin_debt):
            debt = m.fin_debt[sid] / SCALE
            rows.append({"open_date": day, "compact_id": f"{codes[sid]}-0", "stock_code": str(codes[sid]),
                         "compact_type": "0", "compact_status": "0", "business_amount": int(m.fin_amount[sid]),
                         "business_balance": debt, "real_compact_balance": debt,
                         "real_compact_amount": int(m.fin_amount[sid]), "total_debit": debt})
        for sid in np.flatnonzero(m.slo_amount):
            rows.append({"open_date": day, "compact_id": f"{codes[sid]}-1", "stock_code": str(codes[sid]),
                         "compact_type": "1", "compact_status": "0", "business_amount": int(m.slo_amount[sid]),
                         "business_balance": m.slo_basis[sid] / SCALE, "real_compact_balance": m.slo_basis[sid] / SCALE,
                         "real_compact_amount": int(m.slo_amount[sid]), "total_debit": m.slo_basis[sid] / SCALE})
        cols = ["open_date", "compact_id", "stock_code", "entrust_no", "entrust_price", "entrust_amount",
                "business_amount", "business_balance", "compact_type", "compact_status", "repaid_interest",
                "repaid_amount", "repaid_balance", "used_bail_balance", "ret_end_date", "date_clear", "fin_income",
                "slo_income", "total_debit", "compact_interest", "real_compact_interest", "real_compact_balance",
                "real_compact_amount"]
        return pd.DataFrame(rows, columns=cols)

    @phases(*_QUERY_PHASES)
    def get_margincash_open_amount(self, security, price=None):
        """Ptrade ``get_margincash_open_amount``: most shares a financed buy may take now (lot-rounded)."""
        room = self._m.max_fin_value() if self.enabled else 0

        def qty(sid):
            p = self._price(sid, price)
            lot = int(self._acct.inst["lot"][sid])
            q = int(room / SCALE / p) if p else 0
            return q - q % lot if self._m.fin_eligible[sid] else 0
        return self._qty_dict(security, "get_margincash_open_amount", qty)

    @phases(*_QUERY_PHASES)
    def get_margincash_close_amount(self, security, price=None):
        """Ptrade ``get_margincash_close_amount``: financed shares that can be sold to repay now."""
        lg = self._acct.ledger
        return self._qty_dict(security, "get_margincash_close_amount",
                              lambda sid: min(int(lg.enable_amount[sid]), int(self._m.fin_amount[sid])))

    @phases(*_QUERY_PHASES)
    def get_marginsec_open_amount(self, security, price=None):
        """Ptrade ``get_marginsec_open_amount``: most shares a short sale may take now (lot-rounded)."""
        def qty(sid):
            m = self._m
            p = self._price(sid, price)
            if not p or not m.slo_eligible[sid]:
                return 0
            left = max(m.slo_quota - int(m.slo_basis.sum()), 0)
            by_margin = max(m.available_margin(), 0) / m.slo_ratio if m.slo_ratio > 0 else left
            q = int(min(left, by_margin) / SCALE / p)
            lot = int(self._acct.inst["lot"][sid])
            return q - q % lot
        return self._qty_dict(security, "get_marginsec_open_amount", qty)

    @phases(*_QUERY_PHASES)
    def get_marginsec_close_amount(self, security, price=None):
        """Ptrade ``get_marginsec_close_amount``: borrowed shares still to be bought back."""
        return self._qty_dict(security, "get_marginsec_close_amount", lambda sid: int(self._m.slo_amount[sid]))

    @phases(*_QUERY_PHASES)
    def get_margin_entrans_amount(self, security):
        """Ptrade ``get_margin_entrans_amount``: borrowed shares returnable from holdings now."""
        lg = self._acct.ledger
        return self._qty_dict(security, "get_margin_entrans_amount",
                              lambda sid: min(int(lg.enable_amount[sid]), int(self._m.slo_amount[sid])))
