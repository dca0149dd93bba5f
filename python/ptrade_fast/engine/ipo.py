"""IPO subscription (新股申购), an extension beyond Ptrade's backtester (docs/ptrade-api.md §D.14).

The data root's IPO calendar (``ipo.parquet``, data/ipo.py) lists each issue.  On its subscription day T,
``ipo_stocks_order`` subscribes every issue of the day up to the quota from holdings (rules/ipo.py): the
average end-of-day market value of the run's non-restricted A shares on the issue's exchange over the 20
trading days ending on T−2, plus the option ``ipo_holdings_value`` (A shares held outside the backtest).  No
cash is frozen (the rule since 2016).  The subscription is an order row on the stock's code at the issue price,
'2' (reported) until the payment day.

At the start of the payment day (T+2 in the calendar) the seeded lottery's result is known; at that day's end
the allotment is paid from the cash: as many whole units as the cash covers, the rest given up (the exchanges'
rule: an unpaid part counts as abandoned).  The row ends '8' (paid in full, ``filled`` = shares paid, i.e. the
allotment), '5' (part given up) or '6' (nothing allotted, or nothing paid), with the reason in ``error_info``;
the payment is a trade at the issue price without fees.  The shares show in the positions from then, valued at
the issue price and not sellable until the listing day, when they become sellable (the new listing's limit
rules are those of rules/limits.py).

The desk's state is plain data on the account (``account.ipo_state``), so checkpoints carry it.
"""
from __future__ import annotations

import datetime as _dt

import numpy as np

from .. import _core
from ..data.ipo import read_ipo_calendar
from ..model.units import SCALE
from ..rules import ipo as irules

A_SHARE_TYPES = ("stock", "star", "chinext")
_CENT = SCALE // 100
# get_ipo_stocks categories and ipo_stocks_order market_type numbers by board (docs/ptrade-api.md §D.14).
CATEGORY = {"SH_main": "上证普通代码", "STAR": "上证科创板代码", "SZ_main": "深证普通代码", "ChiNext": "深证创业板代码"}
CATEGORIES = ("上证普通代码", "上证科创板代码", "深证普通代码", "深证创业板代码", "可转债代码")
MARKET_TYPE = {"SH_main": 0, "STAR": 1, "SZ_main": 2, "ChiNext": 3}
EXCHANGE_OF_BOARD = {"SH_main": "SSE", "STAR": "SSE", "SZ_main": "SZSE", "ChiNext": "SZSE"}


def new_state() -> dict:
    """Empty desk state: subscriptions, daily market values (cents by exchange), locked shares, owned rows."""
    return {"subs": [], "mv": {}, "locked": {}, "rows": set()}


class IpoDesk:
    """The IPO calendar, quotas, subscriptions, lottery, payment and listing of one run."""

    def __init__(self, rt, account, store, options):
        self.rt = rt
        self.acct = account
        self.store = store
        self.calendar = np.asarray(store.calendar).astype("datetime64[D]")
        self.table = read_ipo_calendar(store.root)
        v = options.get("ipo_holdings_value", 0.0) or 0.0
        self.outside = {k: float(v.get(k, 0.0)) for k in ("SSE", "SZSE")} if isinstance(v, dict) \
            else {"SSE": float(v), "SZSE": float(v)}
        typ = np.asarray(account.inst["type"], dtype=object)
        exch = np.asarray(account.inst["exchange"], dtype=object)
        a_share = np.isin(typ, A_SHARE_TYPES)
        self.sids_of = {e: np.flatnonzero(a_share & (exch == e)) for e in ("SSE", "SZSE")}

    @property
    def state(self) -> dict:
        return self.acct.ipo_state

    def owns(self, row: int) -> bool:
        return row in self.state["rows"]

    # -- the calendar --------------------------------------------------------------------------------
    def today(self):
        """Rows of the calendar whose subscription day is today (a DataFrame, maybe empty), or None."""
        if self.table is None:
            return None
        return self.table[self.table["subscription_date"] == self.rt.trade_date]

    def ipo_stocks(self) -> dict:
        """``get_ipo_stocks()``: today's subscription codes by category (every category key present)."""
        out = {k: [] for k in CATEGORIES}
        rows = self.today()
        if rows is not None:
            for r in rows.itertuples(index=False):
                out[CATEGORY[r.board]].append(r.subscription_code)
        return out

    # -- quota ---------------------------------------------------------------------------------------
    def average_value(self, exchange: str, day) -> float:
        """Average daily market value (CNY) on ``exchange`` over the 20 trading days ending on T−2."""
        pos = int(np.searchsorted(self.calendar, np.datetime64(day, "D")))
        lo, hi = max(pos - irules.QUOTA_LAG - irules.QUOTA_WINDOW + 1, 0), pos - irules.QUOTA_LAG + 1
        k = 0 if exchange == "SSE" else 1
        mv = self.state["mv"]
        total = sum(mv.get(d.astype(object), (0, 0))[k] for d in self.calendar[max(lo, 0):max(hi, 0)])
        return total / 100.0 / irules.QUOTA_WINDOW + self.outside[exchange]

    def quota(self, board: str, max_subscription: int, day) -> tuple[int, float]:
        value = self.average_value(EXCHANGE_OF_BOARD[board], day)
        return irules.quota(value, board, day, max_subscription), value

    # -- subscribing ---------------------------------------------------------------------------------
    def subscribe(self, market_type=None, black_stocks=None, warn=None) -> dict:
        """``ipo_stocks_order``: subscribe today's issues; ``{subscription code: result dict}``."""
        rows = self.today()
        out = {}
        if rows is None or rows.empty:
            return out
        types = _market_types(market_type)
        black = _black_list(black_stocks)
        acct, day = self.acct, self.rt.trade_date
        done = {s["code"] for s in self.state["subs"]}
        for r in rows.itertuples(index=False):
            if types is not None and MARKET_TYPE[r.board] not in types:
                continue
            if r.subscription_code.partition(".")[0] in black or r.code.partition(".")[0] in black:
                continue
            info = {"entrust_no": None, "order_id": None, "stock_code": r.subscription_code, "code": r.code,
                    "name": r.name, "price": float(r.issue_price), "amount": 0, "status": 0, "error_info": ""}
            sid = self.store.sid(r.code)
            qty, value = self.quota(r.board, int(r.max_subscription), day)
            if r.code in done:
                info["error_info"] = "already subscribed today (one subscription per issue and account)"
            elif sid < 0:
                info["error_info"] = f"{r.code} has no bars in data root {self.store.root}"
            elif qty <= 0:
                info["error_info"] = (f"no subscription quota: average market value on "
                                      f"{EXCHANGE_OF_BOARD[r.board]} over the 20 trading days to T-2 is "
                                      f"{value:,.2f} CNY (at least 10,000 needed, docs/market-rules.md §12)")
            else:
                unit, _ = irules.unit_of(r.board, day)
                price_raw = int(round(float(r.issue_price) * SCALE))
                row = acct.book.add_rejected(sid, 1, qty, price_raw, unit, self.rt.bar_seq, _core.R_NONE)
                acct.book.status[row] = ord(_core.STATUS_REPORTED)
                oid = acct.new_order_row(row, self.rt.now, float(r.issue_price))
                acct.order_notes[row] = f"IPO subscription {r.subscription_code} (extension)"
                self.state["rows"].add(row)
                self.state["subs"].append({
                    "row": row, "sid": sid, "code": r.code, "sub_code": r.subscription_code, "board": r.board,
                    "day": day, "qty": qty, "price": price_raw, "rate": float(r.lottery_rate),
                    "payment_date": r.payment_date, "listing_date": r.listing_date, "allotted": None,
                    "open": True})
                acct.touch()
                info.update(entrust_no=str(int(acct.book.entrust_no[row])), order_id=oid, amount=qty, status=1)
                self.rt.log.info(f"IPO subscription {r.subscription_code} ({r.code} {r.name}): {qty} shares at "
                                 f"{r.issue_price:.2f} (quota from {value:,.2f} CNY average market value)")
            if not info["status"] and warn is not None:
                warn(f"ipo_stocks_order: {r.subscription_code} not subscribed: {info['error_info']}")
            out[r.subscription_code] = info
        return out

    def cancel(self, row: int) -> int:
        """cancel_order on a subscription: allowed on its subscription day only ('6'); else 0."""
        for s in self.state["subs"]:
            if s["row"] == row and s["open"] and s["day"] == self.rt.trade_date:
                s["open"] = False
                self._close(row, 0, _core.R_USER_CANCEL, "")
                self.state["subs"].remove(s)
                return int(self.acct.book.status[row])
        return 0

    def _close(self, row, filled, reason, note):
        book = self.acct.book
        book.filled[row] = filled
        amount = int(book.amount[row])
        st = _core.STATUS_FILLED if filled == amount or (filled and reason == _core.R_NONE) else \
            _core.STATUS_PART_CANCELLED if filled else _core.STATUS_CANCELLED
        book.status[row] = ord(st)
        book.reason[row] = reason
        if note:
            self.acct.order_notes[row] = note
        self.acct.touch()

    # -- the day's edges -----------------------------------------------------------------------------
    def start_day(self, day, log) -> None:
        """Lottery results of today's payments; locked shares stay unsellable before their listing day."""
        st = self.state
        for s in st["subs"]:
            if s["open"] and s["allotted"] is None and s["payment_date"] <= day:
                s["allotted"] = irules.lottery(self.rt.options.get("seed", 0), s["code"], s["day"], s["qty"],
                                               s["board"], s["rate"])
                log.info(f"IPO lottery {s['sub_code']} ({s['code']}): {s['allotted']} of {s['qty']} shares allotted")
        lg = self.acct.ledger
        for sid, (qty, listing) in list(st["locked"].items()):
            if listing <= day:
                del st["locked"][sid]
                log.info(f"{self.acct.codes[sid]} lists today: {qty} allotted shares are sellable")
            else:
                lg.enable_amount[sid] = max(int(lg.enable_amount[sid]) - qty, 0)

    def end_day(self, day, log) -> None:
        """Pay today's allotments (or give them up), then record today's market value for future quotas."""
        st = self.state
        for s in st["subs"]:
            if s["open"] and s["payment_date"] <= day:
                self._pay(s, day, log)
        st["subs"] = [s for s in st["subs"] if s["open"]]
        lg = self.acct.ledger
        value = []
        for e in ("SSE", "SZSE"):
            sids = self.sids_of[e]
            amount = lg.amount[sids].astype(np.int64)
            for sid, (qty, _) in st["locked"].items():
                amount[sids == sid] -= qty
            value.append(int(np.sum(amount * lg.last_price[sids])) // _CENT)
        if value[0] or value[1]:
            st["mv"][day] = (value[0], value[1])

    def _pay(self, s, day, log):
        s["open"] = False
        row, allotted = s["row"], int(s["allotted"] or 0)
        if allotted == 0:
            self._close(row, 0, _core.R_NONE, f"IPO subscription {s['sub_code']}: not allotted in the lottery")
            return
        unit, _ = irules.unit_of(s["board"], s["day"])
        lg = self.acct.ledger
        per_unit = unit * s["price"]
        units = min(allotted // unit, max(lg.cash, 0) // per_unit)
        paid = units * unit
        if paid == 0:
            self._close(row, 0, _core.R_NO_CASH, f"IPO allotment of {allotted} {s['code']} given up: cash "
                        f"{lg.cash / SCALE:,.2f} short of {allotted * s['price'] / SCALE:,.2f} CNY")
            log.warning(f"IPO allotment {s['code']}: {allotted} shares given up, cash short")
            return
        value = paid * s["price"]
        lg.cash = lg.cash - value
        sid = s["sid"]
        held, enable = int(lg.amount[sid]), int(lg.enable_amount[sid])
        last = int(lg.last_price[sid]) if held else s["price"]
        lg.set_position(sid, held + paid, enable, int(lg.cost_total[sid]) + value, last)
        qty0, _ = self.state["locked"].get(sid, (0, None))
        self.state["locked"][sid] = (qty0 + paid, s["listing_date"])
        note = (f"IPO subscription {s['sub_code']}: {allotted} of {s['qty']} shares allotted"
                + (f", {allotted - paid} given up (cash short)" if paid < allotted else "") + ", paid")
        self._close(row, paid, _core.R_NONE if paid == allotted else _core.R_CASH_CLIPPED, note)
        acct = self.acct
        acct._trade_seq += 1
        dt = _dt.datetime.combine(day, _dt.time(16, 0))
        acct.trades.append((str(acct._trade_seq), row, dt, sid, 1, paid, s["price"], value, 0, 0, 0, 0))
        log.info(f"IPO allotment {s['code']}: paid {paid} shares × {s['price'] / SCALE:.2f} = {value / SCALE:,.2f} CNY; "
                 f"sellable from the listing day {s['listing_date']}")


def _market_types(market_type):
    if market_type is None:
        return None
    items = market_type if isinstance(market_type, (list, tuple, set)) else [market_type]
    out = set()
    for m in items:
        if isinstance(m, bool) or not isinstance(m, int) or m not in (0, 1, 2, 3, 4):
            raise ValueError(f"ipo_stocks_order: market_type must be 0 (SSE main), 1 (STAR), 2 (SZSE main), "
                             f"3 (ChiNext) or 4 (convertible bonds), was {market_type!r}")
        out.add(m)
    return out


def _black_list(black_stocks) -> set:
    if black_stocks is None:
        return set()
    items = [black_stocks] if isinstance(black_stocks, str) else list(black_stocks)
    for x in items:
        if not isinstance(x, str):
            raise TypeError(f"ipo_stocks_order: black_stocks must be a code string or a list of them, was {x!r}")
    return {x.partition(".")[0] for x in items}
