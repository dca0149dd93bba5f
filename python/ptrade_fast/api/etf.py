"""ETF functions (docs/ptrade-api.md §D.12) in a backtest: basket queries, creation/redemption and basket
orders against the data root's basket file ``etf_baskets.parquet`` — a ptrade_fast extension
(docs/data-format.md, *etf_baskets.parquet*); and the dated T+0/T+1 cycle of funds by ``fund_kind``.

Creation/redemption rule (docs/market-rules.md §6.2, our choices marked U there):

* creation (``amount > 0`` fund units, a multiple of ``report_unit``): per unit, ``code_num`` shares of each
  constituent leave the position (flag '0' must be held in full; flag '1' may be short, the shortfall paid in
  cash at the previous close × (1 + ``replace_ratio``); flag '2' is always paid in cash, ``replace_balance``),
  and the cash component is paid; the cash substituted may not exceed ``max_cash_ratio`` of the units' NAV.
  The ETF units are credited at once and can be sold the same day, not redeemed before the next day.
* redemption (``amount < 0``): of units held, those bought today included, not those created today.  The units
  leave at once; the constituents (flags '0'/'1') are credited at once and can be sold the same day; the cash of
  flag-'2' members and the cash component are paid at the start of the next trading day.  No fee is charged on
  creation or redemption.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
from numbers import Integral

import numpy as np

from ..data.codes import normalize_code
from ..data.etf_baskets import BasketFile
from ..model.phases import phases
from ..model.units import SCALE
from ..rules.instruments import fund_t_plus

_QUERY = ("handle", "tick", "sched")
_ORDERS = ("handle", "tick", "sched", "on_order", "on_trade")
PRICE_STYLES = ("new",) + tuple(f"{s}{k}" for s in "BS" for k in range(1, 6))


class ETFAPI:
    """Ptrade's ETF functions and the dated fund settlement cycle, bound to one backtest."""

    def __init__(self, rt, account, market, trading):
        self.rt = rt
        self._acct = account
        self._market = market
        self._trading = trading
        self._file = None
        self._iopv_terms: dict = {}             # (etf, basket date) -> (constituent sids, code_num)
        self.pending: list[dict] = []          # cash due at the next open (plain values: checkpointed)
        self.created_today: dict[int, int] = {}
        self._n = 0
        inst = rt.store.instruments
        self._kind_sids = []
        if "fund_kind" in inst.columns:
            kinds = inst.loc[account.codes, "fund_kind"].to_numpy(object)
            self._kind_sids = [(i, str(k)) for i, k in enumerate(kinds) if isinstance(k, str) and k]

    @property
    def baskets(self) -> BasketFile:
        if self._file is None:
            self._file = BasketFile(self.rt.store)
        return self._file

    # -- the day boundary ------------------------------------------------------------------------------

    def start_day(self, day: _dt.date) -> None:
        """Set today's T+0 flags of funds by kind (dated, docs/market-rules.md §6) and pay the redemption
        cash due today."""
        lg = self._acct.ledger
        if self._kind_sids:
            t0 = lg.t0
            for sid, kind in self._kind_sids:
                t0[sid] = 1 if fund_t_plus(kind, day) == 0 else 0
        self.created_today = {}
        if not self.pending:
            return
        keep = []
        for item in self.pending:
            if _dt.date.fromisoformat(item["date"]) >= day:
                keep.append(item)
                continue
            lg.cash = lg.cash + item["cash"]
            self.rt.log.info(f"etf redemption {item['etf']} of {item['date']}: {item['cash'] / SCALE:.2f} CNY paid")
        self.pending = keep
        self._acct.touch()

    # -- queries ---------------------------------------------------------------------------------------

    def _codes(self, arg, name):
        if isinstance(arg, str):
            return [normalize_code(arg)]
        if isinstance(arg, (list, tuple)) and all(isinstance(c, str) for c in arg):
            return [normalize_code(c) for c in arg]
        raise TypeError(f"{name} must be a code string or a list of them, was {arg!r}")

    def _basket(self, etf):
        return self.baskets.basket(etf, self.rt.trade_date)

    def _prev_close(self, codes) -> np.ndarray:
        ref = self._market.reference_close()
        sids = self.rt.store.sids(list(codes))
        return np.array([float(ref[s]) if s >= 0 else np.nan for s in sids])

    def _nav_percu(self, b) -> float:
        px = self._prev_close(b.members["code"])
        return float(np.nansum(b.members["code_num"].to_numpy(float) * px) + b.cash_component)

    def iopv(self, code: str) -> float | None:
        """The snapshot field ``iopv`` of an ETF (extension, docs/engine.md): the indicative NAV per unit of
        the basket in force today at the constituents' current prices, (Σ code_num × price + cash component)
        / report_unit, rounded to 0.001 (the fund's price step); ``None`` for a code without a basket today
        or when a constituent has no price yet (no IOPV is published then).

        Not a documented snapshot field on the platform; some brokers add it, and strategies read it with
        ``snapshot[etf].get('iopv', …)``.
        """
        if code not in self.baskets.dates:
            return None
        b = self._basket(code)
        if b is None:
            return None
        key = (code, b.date)
        terms = self._iopv_terms.get(key)
        if terms is None:
            sids = self.rt.store.sids(list(b.members["code"]))
            terms = self._iopv_terms[key] = (sids, b.members["code_num"].to_numpy(float))
        sids, nums = terms
        if (sids < 0).any():
            return None
        price = self._market.current_price
        total = b.cash_component
        for sid, num in zip(sids.tolist(), nums.tolist()):
            px = price(sid)
            if not px > 0:
                return None
            total += num * px
        return round(total / b.report_unit, 3)

    @phases(*_QUERY)
    def get_etf_info(self, etf_code):
        """get_etf_info: creation/redemption terms of ETFs from the basket file (extension).

        Parameters
        ----------
        etf_code : str or list of str

        Returns
        -------
        dict
            ``{code: {etf_redemption_code, publish, report_unit, cash_balance, max_cash_ratio,
            pre_cash_component, nav_percu, nav_pre, allot_max, redeem_max}}`` for the codes with a basket in
            force today; ``{}`` when none has one.

        Differences from Ptrade
        -----------------------
        Live only on the platform.  Here from ``etf_baskets.parquet``: ``etf_redemption_code`` is the SSE
        creation code (fund code + 1, e.g. '510051') or the SZSE fund code itself; ``publish`` 1;
        ``pre_cash_component`` and ``cash_balance`` the basket's cash component; ``nav_percu`` = Σ code_num ×
        previous close + cash component, ``nav_pre`` = nav_percu / report_unit; ``allot_max`` and
        ``redeem_max`` 0.0 (no cap).
        """
        out = {}
        for code in self._codes(etf_code, "etf_code"):
            b = self._basket(code)
            if b is None:
                continue
            nav = round(self._nav_percu(b), 4)
            six, sfx = code[:6], code[-2:]
            out[code] = {"etf_redemption_code": f"{int(six) + 1:06d}" if sfx == "SS" else six, "publish": 1,
                         "report_unit": b.report_unit, "cash_balance": b.cash_component,
                         "max_cash_ratio": b.max_cash_ratio, "pre_cash_component": b.cash_component,
                         "nav_percu": nav, "nav_pre": round(nav / b.report_unit, 4),
                         "allot_max": 0.0, "redeem_max": 0.0}
        return out

    @phases(*_QUERY)
    def get_etf_stock_list(self, etf_code):
        """get_etf_stock_list: the constituent codes of an ETF's basket in force today (extension).

        Returns
        -------
        list of str
            Sorted codes; ``[]`` when the ETF has no basket in the data root.

        Differences from Ptrade
        -----------------------
        Live only on the platform; here from ``etf_baskets.parquet``.
        """
        if not isinstance(etf_code, str):
            raise TypeError(f"get_etf_stock_list: etf_code must be a code string, was {etf_code!r}")
        b = self._basket(normalize_code(etf_code))
        return [] if b is None else list(b.members["code"])

    @phases(*_QUERY)
    def get_etf_stock_info(self, etf_code, security):
        """get_etf_stock_info: per-constituent basket terms (extension).

        Parameters
        ----------
        etf_code : str
        security : str or list of str
            Constituent code(s).

        Returns
        -------
        dict
            ``{code: {code_num, cash_replace_flag, replace_ratio, replace_balance, is_open}}`` for the codes in
            the basket (``is_open`` 1 when the constituent trades today, 0 when suspended); ``{}`` otherwise.

        Differences from Ptrade
        -----------------------
        Live only on the platform; here from ``etf_baskets.parquet``.
        """
        if not isinstance(etf_code, str):
            raise TypeError(f"get_etf_stock_info: etf_code must be a code string, was {etf_code!r}")
        b = self._basket(normalize_code(etf_code))
        if b is None:
            return {}
        rows = {c: r for c, r in zip(b.members["code"], b.members.itertuples(index=False))}
        out = {}
        for code in self._codes(security, "security"):
            r = rows.get(code)
            if r is None:
                continue
            sid = self.rt.store.sid(code)
            out[code] = {"code_num": float(r.code_num), "cash_replace_flag": str(r.cash_replace_flag),
                         "replace_ratio": float(r.replace_ratio), "replace_balance": float(r.replace_balance),
                         "is_open": int(sid >= 0 and self._market.day_is_open(sid))}
        return out

    # -- creation / redemption ---------------------------------------------------------------------------

    def _refuse(self, fn, code, amount, why):
        self.rt.log.warning(f"{fn}({code}, {amount}) rejected: {why}")
        return None

    @phases(*_ORDERS)
    def etf_purchase_redemption(self, etf_code, amount, limit_price=None):
        """etf_purchase_redemption: create (``amount > 0``) or redeem (``amount < 0``) ETF units in kind.

        Parameters
        ----------
        etf_code : str
        amount : int
            Fund units, a multiple of the basket's ``report_unit``.
        limit_price : float, optional
            Accepted and not used (creation and redemption are not priced).

        Returns
        -------
        str or None
            An id, or None when refused (logged: no basket, not a multiple of the unit, constituents or
            cash missing, the cash-substitution cap, units created today, market closed).

        Differences from Ptrade
        -----------------------
        Live only on the platform: an extension here (module docstring for the settlement rule).  Not an
        order: it does not appear in ``get_orders``/``get_trades``; no fee is charged.
        """
        fn = "etf_purchase_redemption"
        if not isinstance(etf_code, str):
            raise TypeError(f"{fn}: etf_code must be a code string, was {etf_code!r}")
        if not isinstance(amount, Integral) or isinstance(amount, bool):
            raise ValueError(f"{fn}: amount must be a whole number of fund units, was {amount!r}")
        code = normalize_code(etf_code)
        store, acct = self.rt.store, self._acct
        lg = acct.ledger
        esid = store.sid(code)
        b = self._basket(code)
        if esid < 0 or b is None:
            return self._refuse(fn, code, amount, f"no basket for {code} on {self.rt.trade_date} in "
                                                  f"{self.baskets.path} (extension file, docs/data-format.md)")
        if amount == 0 or amount % b.report_unit:
            return self._refuse(fn, code, amount, f"amount must be a non-zero multiple of report_unit {b.report_unit}")
        if self.rt.market_closed():
            return self._refuse(fn, code, amount, f"market closed at {self.rt.now}")
        if not self._market.day_is_open(esid):
            return self._refuse(fn, code, amount, f"{code} does not trade on {self.rt.trade_date}")
        units = abs(int(amount)) // b.report_unit
        m = b.members
        sids = store.sids(list(m["code"]))
        if (sids < 0).any():
            return self._refuse(fn, code, amount, f"constituent {m['code'][int(np.argmax(sids < 0))]} has no bars")
        need = (m["code_num"].to_numpy(np.int64) * units)
        flag = m["cash_replace_flag"].to_numpy(object)
        px = self._prev_close(m["code"])
        cash_comp = int(round(b.cash_component * units * SCALE))
        if amount > 0:
            held = lg.amount[sids].astype(np.int64)
            take = np.where(flag == "2", 0, np.minimum(held, need))
            short = need - take
            unpriced = (flag == "1") & (short > 0) & ~np.isfinite(px)
            if unpriced.any():
                i = int(np.argmax(unpriced))
                return self._refuse(fn, code, amount, f"{m['code'][i]} is short and has no previous close to "
                                                      f"price its cash substitution")
            if ((flag == "0") & (short > 0)).any():
                i = int(np.argmax((flag == "0") & (short > 0)))
                return self._refuse(fn, code, amount, f"{m['code'][i]} (no cash substitution) held {int(held[i])}, "
                                                      f"needs {int(need[i])}")
            subst = np.where(flag == "2", m["replace_balance"].to_numpy(float) * units,
                             short * px * (1.0 + m["replace_ratio"].to_numpy(float)))
            subst_raw = int(np.round(np.nansum(subst) * 100)) * 100       # to the fen
            nav = self._nav_percu(b) * units
            if subst_raw / SCALE > b.max_cash_ratio * nav + 1e-9:
                return self._refuse(fn, code, amount, f"cash substitution {subst_raw / SCALE:.2f} exceeds "
                                                      f"max_cash_ratio {b.max_cash_ratio} of the NAV {nav:.2f}")
            pay = subst_raw + max(cash_comp, 0)
            if pay > lg.cash:
                return self._refuse(fn, code, amount, f"needs {pay / SCALE:.2f} CNY cash, has {lg.cash / SCALE:.2f}")
            released = 0
            for s, q in zip(sids, take):
                if q:
                    released += self._remove(int(s), int(q))
            lg.cash = lg.cash - pay + (-cash_comp if cash_comp < 0 else 0)
            n = int(amount)
            lg.set_position(esid, int(lg.amount[esid]) + n, int(lg.enable_amount[esid]) + n,
                            int(lg.cost_total[esid]) + released + pay, int(lg.last_price[esid]))
            self.created_today[esid] = self.created_today.get(esid, 0) + n
            cid = self._next_id()
            self.rt.log.info(f"{fn}: created {n} {code} from {int(take.sum())} constituent shares, "
                             f"{pay / SCALE:.2f} CNY cash")
        else:
            n = -int(amount)
            # Units bought today may be redeemed today; units created today may not (docs/market-rules.md §6.2).
            free = int(lg.amount[esid]) - self.created_today.get(esid, 0)
            if free < n:
                return self._refuse(fn, code, amount, f"only {max(free, 0)} units of {code} can be redeemed "
                                                      f"(units created today are redeemable tomorrow)")
            held = int(lg.amount[esid])
            released = self._remove(esid, n, held)
            cid = self._next_id()
            give = np.where(flag == "2", 0, need)
            cash_later = int(np.round(np.nansum(np.where(flag == "2", m["replace_balance"].to_numpy(float) * units,
                                                         0.0)) * 100)) * 100 + cash_comp
            value = give * np.nan_to_num(px)
            total = float(value.sum()) + max(cash_later, 0) / SCALE
            for s, q, v in zip(sids, give, value):
                if q:
                    s = int(s)
                    share = int(round(released * (v / total))) if total > 0 else 0
                    lg.set_position(s, int(lg.amount[s]) + int(q), int(lg.enable_amount[s]) + int(q),
                                    int(lg.cost_total[s]) + share, int(lg.last_price[s]))
            if cash_later < 0:
                lg.cash = lg.cash + cash_later
            elif cash_later > 0:
                self.pending.append({"id": cid, "date": str(self.rt.trade_date), "etf": code, "cash": cash_later})
            self.rt.log.info(f"{fn}: redeemed {n} {code} for {int(give.sum())} constituent shares and "
                             f"{cash_later / SCALE:.2f} CNY cash (paid next trading day)")
        acct.touch()
        return cid

    def _next_id(self) -> str:
        self._n += 1
        return hashlib.md5(f"ptrade_fast:{self._acct.seed}:etf:{self._n}".encode()).hexdigest()

    def _remove(self, sid: int, q: int, held: int | None = None) -> int:
        """Take ``q`` units out of a position (sellable ones last); return the cost released."""
        lg = self._acct.ledger
        held = int(lg.amount[sid]) if held is None else held
        cost = int(lg.cost_total[sid])
        released = (2 * cost * q + held) // (2 * held) if held else 0
        left = held - q
        lg.set_position(sid, left, min(int(lg.enable_amount[sid]), left), cost - released, int(lg.last_price[sid]))
        return released

    @phases(*_ORDERS)
    def etf_basket_order(self, etf_code, amount, price_style=None, position=True, info=None):
        """etf_basket_order: buy (``amount > 0``) or sell (``amount < 0``) ``amount`` baskets of constituents.

        Parameters
        ----------
        etf_code : str
        amount : int
            Baskets (creation units).
        price_style : str, optional
            'new' (default), 'B1' … 'B5', 'S1' … 'S5'.
        position : bool
            Buys: count existing holdings towards the basket (default True).
        info : dict, optional
            ``{code: {'cash_replace_flag': 0/1, 'position_replace_flag': 0/1, 'limit_price': float}}``.

        Returns
        -------
        dict
            ``{code: order_id}`` of the orders placed (``{}`` when none).

        Differences from Ptrade
        -----------------------
        Live only on the platform; here one ``order`` per constituent (quantity ``code_num × amount``, less the
        holding when ``position``); members with mandatory cash substitution are skipped, as are members an
        ``info`` entry sets to cash substitution where the basket allows it.  Bar backtests have no order book,
        so every ``price_style`` orders at the latest price (an ``info`` ``limit_price`` is used as given).
        """
        fn = "etf_basket_order"
        if price_style is None:
            price_style = "new"
        if price_style not in PRICE_STYLES:
            raise ValueError(f"{fn}: price_style must be one of {', '.join(PRICE_STYLES)}, was {price_style!r}")
        if not isinstance(amount, Integral) or isinstance(amount, bool) or amount == 0:
            raise ValueError(f"{fn}: amount must be a non-zero whole number of baskets, was {amount!r}")
        if info is not None and not isinstance(info, dict):
            raise TypeError(f"{fn}: info must be a dict keyed by constituent code, was {info!r}")
        info = {normalize_code(k): v for k, v in (info or {}).items()}
        for k, v in info.items():
            bad = set(v) - {"cash_replace_flag", "position_replace_flag", "limit_price"}
            if bad:
                raise ValueError(f"{fn}: unknown info key(s) {sorted(bad)} for {k}")
        code = normalize_code(etf_code)
        b = self._basket(code)
        if b is None:
            self.rt.log.warning(f"{fn}({code}, {amount}) rejected: no basket for {code} on {self.rt.trade_date}")
            return {}
        lg = self._acct.ledger
        order = self._trading.order.__wrapped__
        out = {}
        for r in b.members.itertuples(index=False):
            over = info.get(r.code, {})
            cash_instead = r.cash_replace_flag == "1" and int(over.get("cash_replace_flag", 0)) == 1
            if r.cash_replace_flag == "2" or cash_instead:
                continue
            qty = int(r.code_num) * abs(int(amount))
            sid = self.rt.store.sid(r.code)
            if amount > 0 and position and int(over.get("position_replace_flag", 1)) == 1 and sid >= 0:
                qty = max(0, qty - int(lg.amount[sid]))
            if qty == 0:
                continue
            oid = order(self._trading, r.code, qty if amount > 0 else -qty, over.get("limit_price"))
            if oid is not None:
                out[r.code] = oid
        return out
