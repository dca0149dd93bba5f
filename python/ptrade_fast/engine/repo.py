"""Treasury reverse repo (国债逆回购), an extension beyond Ptrade's backtester (docs/ptrade-api.md §D.15).

``order('131810.SZ', -10)`` lends 10 张 × 100 CNY = 1,000 CNY at the rate of the bar (a repo's "price" is its
annual rate in percent).  The order goes through the order book like any other: it is created '2' (reported), or
rejected '9' with its ``error_info`` (a positive amount, an amount under the minimum of the day's rule); at the
bar's match it fills at the bar's rate ('8'), reduced to what the available cash pays ('5', the reason in
``error_info``); an order still open at the close is cancelled with the day's other orders.  Repo rows never
enter the matching kernel: this desk matches them in Python at the same point of the bar.

On the trade day the principal and the one-off commission by tenor (docs/market-rules.md §5.7) leave the
available cash; the loan shows in ``context.portfolio.positions`` as a position in the repo code (amount in 张,
nothing sellable, cost and last price 100 CNY per 张, so its value is the principal) until its maturity day M,
when principal and interest return to the cash before the open (usable that day; withdrawable on S, which a
backtest does not model).  Interest and the day count follow docs/market-rules.md §11.3 (``rules/repo.py``).
Without a volume cap: the repo market's depth is far beyond any retail order (docs/engine.md).

The desk's state is plain data on the account (``account.repo_state``), so checkpoints carry it.
"""
from __future__ import annotations

import numpy as np

from .. import _core
from ..errors import error_info
from ..model import Position
from ..model.units import SCALE
from ..rules import instruments as irules
from ..rules import repo as rrules

_CENT = SCALE // 100          # kernel money units per cent


def new_state() -> dict:
    """Empty desk state: pending order rows, open loans, and the rows the desk owns."""
    return {"pending": [], "loans": [], "rows": set()}


class RepoDesk:
    """Creates, matches and settles reverse-repo orders of one run."""

    def __init__(self, rt, account, calendar):
        self.rt = rt
        self.acct = account
        self.calendar = np.asarray(calendar).astype("datetime64[D]")
        self.is_repo = np.asarray(account.inst["type"] == "repo", dtype=bool)
        self.market = None              # the run's MarketView, passed with each create/match call

    @property
    def state(self) -> dict:
        return self.acct.repo_state

    def owns(self, row: int) -> bool:
        return row in self.state["rows"]

    # -- creation ------------------------------------------------------------------------------------
    def create(self, fn, code, sid, side, qty, limit_raw, reject, warn, market, sized=False):
        """An order on a repo code that passed the common checks; returns its id, or None when rejected."""
        acct = self.acct
        self.market = market
        if sized:
            return self._reject(reject, fn, code, sid, side, qty, limit_raw, _core.R_BAD_AMOUNT,
                                f"{fn} sizes by price, and a repo's price is its rate: lend with order({code!r}, -n) "
                                f"(n in 张 of 100 CNY)")
        if side > 0:
            return self._reject(reject, fn, code, sid, side, qty, limit_raw, _core.R_BAD_AMOUNT,
                                "a reverse repo lends with a negative amount (a sell); buying a repo code borrows "
                                "(正回购), which this backtest does not offer")
        rule = irules.resolve("repo", str(acct.inst["exchange"][sid]), self.rt.trade_date)
        if qty < rule.min_buy:
            return self._reject(reject, fn, code, sid, side, qty, limit_raw, _core.R_BELOW_MIN_LOT,
                                f"{code} lends at least {rule.min_buy} 张 ({rule.min_buy * rrules.FACE:,} CNY) "
                                f"on {self.rt.trade_date} (docs/market-rules.md §3, §11.2)")
        rounded = qty - qty % rule.lot
        if rounded != qty:
            warn(f"{fn}({code}, {-qty}): amount rounded to {-rounded} (repo unit {rule.lot} 张)")
        book = acct.book
        row = book.add_rejected(sid, -1, rounded, limit_raw, rule.lot, self.rt.bar_seq, _core.R_NONE)
        book.status[row] = ord(_core.STATUS_REPORTED)
        oid = acct.new_order_row(row, self.rt.now, limit_raw / SCALE if limit_raw else self.market.current_price(sid))
        self.state["pending"].append(row)
        self.state["rows"].add(row)
        acct.touch()
        return oid

    def _reject(self, reject, fn, code, sid, side, qty, limit_raw, reason, detail):
        reject(fn, code, sid, side, qty, limit_raw, reason, detail)
        self.acct.order_notes[self.acct.book.n_orders - 1] = f"reverse repo: {detail}"
        return None

    def cancel(self, row: int) -> int:
        """cancel_order on a repo row: '6' while it is pending, 0 when it already finished."""
        if row not in self.state["pending"]:
            return 0
        self.state["pending"].remove(row)
        self._finish(row, _core.R_USER_CANCEL)
        return int(self.acct.book.status[row])

    def _finish(self, row, reason):
        book = self.acct.book
        filled, amount = int(book.filled[row]), int(book.amount[row])
        st = _core.STATUS_FILLED if filled == amount else _core.STATUS_PART_CANCELLED if filled else \
            _core.STATUS_CANCELLED
        book.status[row] = ord(st)
        book.reason[row] = reason
        self.acct.touch()

    # -- matching ------------------------------------------------------------------------------------
    def match(self, market, log) -> list[tuple]:
        """Fill the pending repo orders at the current bar's rate; returns the new trade tuples."""
        pending = self.state["pending"]
        if not pending:
            return []
        self.market = market
        acct, book = self.acct, self.acct.book
        new, keep = [], []
        for row in pending:
            sid = int(book.sid[row])
            rate = self.market.current_price(sid)
            limit = int(book.limit_price[row])
            rate_raw = int(round(rate * SCALE)) if rate and np.isfinite(rate) else 0
            if not rate_raw or (limit and rate_raw < limit) or not self._bar_traded(sid):
                keep.append(row)        # no rate this bar, or below the order's limit rate: stays open
                continue
            t = self._fill(row, sid, rate_raw, log)
            if t is not None:
                new.append(t)
        self.state["pending"] = keep
        if new:
            acct.trades.extend(new)
            acct.touch()
        return new

    def _bar_traded(self, sid) -> bool:
        m = self.market
        if self.rt.frequency == "1m" and m.md is not None and self.rt.bar_index is not None \
                and self.rt.bar_index < 240:
            return bool(m.md.has_data[sid]) and m.day_is_open(sid)
        return m.day_is_open(sid)

    def _fill(self, row, sid, rate_raw, log):
        acct, book = self.acct, self.acct.book
        code = str(acct.codes[sid])
        tenor = rrules.tenor_of(code)
        qty, lot = int(book.amount[row]), int(book.lot[row])
        cash_cents = acct.ledger.cash // _CENT
        q = qty
        while q > 0 and q * rrules.FACE * 100 + rrules.commission_cents(q * rrules.FACE * 100, tenor) > cash_cents:
            q -= lot
        rule = irules.resolve("repo", str(acct.inst["exchange"][sid]), self.rt.trade_date)
        if q < rule.min_buy:
            self._finish(row, _core.R_NO_CASH)
            log.warning(f"order {book.entrust_no[row]} {code} reverse repo {qty} 张: {error_info(_core.R_NO_CASH)}")
            return None
        principal = q * rrules.FACE * 100
        commission = rrules.commission_cents(principal, tenor)
        day = self.rt.trade_date
        f, m, s = rrules.repo_dates(day, tenor, self.calendar)
        days = rrules.interest_days(day, tenor, self.calendar)
        interest = rrules.interest_cents(principal, rate_raw / SCALE, days, day)
        lg = acct.ledger
        lg.cash = lg.cash - (principal + commission) * _CENT
        lg.acct[1] += commission * _CENT          # total fees (ledger acct slot 1)
        book.filled[row] = q
        self._finish(row, _core.R_CASH_CLIPPED if q < qty else _core.R_NONE)
        if q < qty:
            acct.order_notes[row] = f"reverse repo reduced to {q} 张: principal + commission within the cash"
            log.warning(f"order {book.entrust_no[row]} {code} reverse repo {qty} 张: "
                        f"{error_info(_core.R_CASH_CLIPPED)}; filled {q}, status '5'")
        self.state["loans"].append({
            "row": row, "sid": sid, "code": code, "qty": q, "principal": principal, "rate": rate_raw,
            "commission": commission, "trade_date": day, "first_settle": f, "maturity": m, "settle": s,
            "days": days, "interest": interest, "tenor": tenor})
        acct._trade_seq += 1
        return (str(acct._trade_seq), row, self.rt.now, sid, -1, q, rate_raw, principal * _CENT,
                commission * _CENT, 0, 0, 0)

    # -- the day's edges -----------------------------------------------------------------------------
    def start_day(self, day, log) -> None:
        """Loans whose maturity day M is today return principal + interest to the cash before the open."""
        loans = self.state["loans"]
        if not loans:
            return
        keep = []
        for ln in loans:
            if ln["maturity"] <= day:
                self.acct.ledger.cash = self.acct.ledger.cash + (ln["principal"] + ln["interest"]) * _CENT
                log.info(f"reverse repo {ln['code']} of {ln['trade_date']} ({ln['qty']} 张 at "
                         f"{ln['rate'] / SCALE:.3f} %) matured: principal {ln['principal'] / 100:,.2f} + interest "
                         f"{ln['interest'] / 100:,.2f} CNY ({ln['days']} days) usable today, withdrawable on "
                         f"{ln['settle']} (docs/market-rules.md §11.3)")
            else:
                keep.append(ln)
        if len(keep) != len(loans):
            self.state["loans"] = keep
            self.acct.touch()

    def end_day(self, log) -> list[int]:
        """Cancel the repo orders still open at the close (as the book does with the others)."""
        rows = list(self.state["pending"])
        self.state["pending"] = []
        for row in rows:
            self._finish(row, _core.R_DAY_END)
            log.warning(f"order {self.acct.book.entrust_no[row]} {self.acct.codes[self.acct.book.sid[row]]}: "
                        f"{error_info(_core.R_DAY_END)}")
        return rows

    # -- views ---------------------------------------------------------------------------------------
    def value_raw(self) -> int:
        """Principal lent and not yet returned (kernel money units)."""
        return sum(ln["principal"] for ln in self.state["loans"]) * _CENT

    def held_sids(self) -> list[int]:
        return sorted({ln["sid"] for ln in self.state["loans"]})

    def holds(self, sid: int) -> bool:
        return any(ln["sid"] == sid for ln in self.state["loans"])

    def position(self, sid: int, code: str) -> Position:
        """The repo position of ``code``: 张 lent (open loans), none sellable, 100 CNY per 张."""
        loans = [ln for ln in self.state["loans"] if ln["sid"] == sid]
        amount = sum(ln["qty"] for ln in loans)
        today = sum(ln["qty"] for ln in loans if ln["trade_date"] == self.rt.trade_date)
        return Position(code, amount, 0, float(rrules.FACE), float(rrules.FACE), today, "stock", self.rt.now)

    def position_rows(self, day) -> list[tuple]:
        """Result rows (day, code, amount, enable, cost_basis, last, market_value, side) of the open loans."""
        out = []
        for sid in sorted({ln["sid"] for ln in self.state["loans"]}):
            amount = sum(ln["qty"] for ln in self.state["loans"] if ln["sid"] == sid)
            out.append((day, str(self.acct.codes[sid]), amount, 0, float(rrules.FACE), float(rrules.FACE),
                        float(amount * rrules.FACE), ""))
        return out
