"""Tick replay (``frequency='tick'``, CLI ``-f tick``): a trading day replayed from the snapshot store in
3-second steps (an extension: the platform runs ``tick_data`` only live; docs/engine.md, "Tick replay").

Per trading day the runner does its usual start of day, ``before_trading_start`` and the pre-open
``run_daily`` functions, then hands the session to :meth:`TickReplay.run_session`: the day's snapshots of
the universe, the held and the working securities are loaded (``data.ticks.read_tick_day``), then at every
step of ``engine.tick_clock`` — opening-auction steps where the data has them (and at the times of the
``run_daily`` functions of 09:15 … 09:29), 09:30:03 … 15:00:00 —

1. the step's time becomes the simulated time and each security's latest snapshot its current price;
   orders resting in the simulated exchange fill from the new snapshots and the trades since the previous
   step, the call auctions uncross (09:25, 15:00), positions are marked to the latest snapshots;
2. at a minute boundary: the ``run_daily`` functions due then (those of 09:15 … 09:29 at the auction step
   of their time: they see that moment's auction snapshot, their orders wait for the opening auction);
3. the ``run_interval`` functions due (tick_clock: period rounded up to 3-second steps);
4. ``tick_data(context, data)`` with ``data[code]['tick' | 'order' | 'transcation']`` (up to 14:59:57);
5. at a minute boundary: ``handle_data`` with that minute's bar (from the minute file, or derived from the
   snapshots where the file lacks the security).

``get_snapshot``, ``get_gear_price``, ``get_individual_entrust`` and ``get_individual_transaction`` (alias
``get_individual_transcation``) answer from the store (``engine/tick_api.py``); the current price and the
minute bars of ``handle_data`` come from ``engine/tick_market.py``.  The orders a callback creates are
handed to the tick order matcher (``engine/tick_matching.py``) when it returns; what is still open at the
close is cancelled by the runner's end of day.
"""
from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from .. import _core
from .. import errors as E
from ..data.codes import classify, exchange_of
from ..data.span import minute_stretches
from ..data.ticks import read_tick_day, tick_dates
from .clock import as_date
from .tick_matching import Level1Book, TickMatcher
from .tick_clock import (AUCTION_MS, CLOSE_MS, CONTINUOUS, LAST_TICK_MS, OPEN_MS, SESSION_SECONDS, auction_steps,
                         bars_done, interval_steps, minute_bar_of)
from .tick_view import TickCursor, TickData, TickEntry, TickFrame

OPEN_AUCTION_MS = (9 * 60 + 25) * 60_000


def split_auction_tasks(pre: list) -> tuple[list, dict]:
    """Split the pre-open ``run_daily`` registrations of a tick run into (those before 09:15, which run before
    the session as in bar runs; ``{ms after midnight: tasks}`` of those 09:15 … 09:29, which run at the
    opening call auction's step of that time)."""
    before, auction = [], {}
    for task in pre:
        h, m = map(int, task[1].split(":"))
        ms = (h * 60 + m) * 60_000
        if AUCTION_MS <= ms < OPEN_MS:
            auction.setdefault(ms, []).append(task)
        else:
            before.append(task)
    return before, auction


def tick_trading_days(store, start, end) -> list[_dt.date]:
    """The days of a tick run: calendar days in ``start`` … ``end`` (default: the latest unbroken stretch of
    days with snapshots), each of which must have a snapshot file."""
    have = tick_dates(store.root)
    if not len(have):
        raise E.DataError(f"data root {store.root} holds no snapshots (ticks/): import them with "
                          f"'ptrade-fast data import-ticks' or generate them with 'ptrade-fast data generate "
                          f"--ticks CODES'")
    cal = store.calendar
    stretches = minute_stretches(cal, have)
    lo, hi = stretches[-1]
    if start is not None or end is not None:
        anchor = np.datetime64(as_date(end if start is None else start), "D")
        for a, b in stretches:
            if a <= anchor <= b:
                lo, hi = a, b
    s = np.datetime64(as_date(start), "D") if start is not None else lo
    e = np.datetime64(as_date(end), "D") if end is not None else hi
    if e < s:
        raise ValueError(f"end {e} is before start {s}")
    days = cal[(cal >= s) & (cal <= e)]
    if not len(days):
        raise E.DataError(f"no trading days between {s} and {e} in the calendar of {store.root}")
    missing = days[~np.isin(days, have)]
    if len(missing):
        raise E.DataError(f"no snapshots for {len(missing)} trading day(s) in {s} … {e}, first {missing[0]}; "
                          f"snapshots in {store.root} cover {', '.join(f'{a} … {b}' for a, b in stretches)}")
    return [d.astype(object) for d in days]


class TickReplay:
    """The session loop of a tick run and its API (see the module docstring)."""

    def __init__(self, bt):
        self.bt = bt
        self.rt = bt.rt
        self.store = bt.store
        self.rt.tick_mode = True
        self.market = bt.market
        bt.market.replay = self              # engine/tick_market.TickMarketView
        self.cursor = None
        self.active = False            # the loaded day is today's and its session has started
        self.sid_pos: dict[int, int] = {}
        self.step = 0
        self._l2 = True
        self._tick_prev = None
        # The exchange of the replay (engine/tick_matching.py); order_tick/order_market submit to it directly.
        self.matcher = TickMatcher(bt.account, participation=float(bt.options.get("tick_participation", 1.0)),
                                   current_book=self.book_of)
        bt.apis.tick_orders.attach(self.matcher)    # order_tick/order_market, cancel_order's auction windows
        self._seen_rows = 0
        self._info: dict = {}
        self._ticks: dict = {}
        self._last_ms = 0
        self._auction_tasks: dict = {}

    # -- the day's data ------------------------------------------------------------------------------
    def _wanted(self) -> list[str]:
        acct = self.bt.account
        codes = set(self.bt.settings.universe)
        held = np.flatnonzero(acct.ledger.amount != 0)
        codes.update(str(self.store.codes[s]) for s in held)
        return sorted(codes)

    def load_day(self, day, extra=(), steps=None):
        """Load the day's snapshots of the universe, the held securities and ``extra`` codes; the day's
        steps are made from them unless given (a code loaded during the session keeps the clock)."""
        codes = sorted(set(self._wanted()) | set(extra))
        td = read_tick_day(self.store.root, day, codes)
        if td is None:
            raise E.DataError(f"no snapshots for {day} in {self.store.root}")
        if steps is None:
            auction = np.union1d(auction_steps(td.time), np.fromiter(self._auction_tasks, np.int64))
            steps = np.concatenate([auction, CONTINUOUS])
        self.steps = steps
        self.cursor = TickCursor(td, steps)
        self.sid_pos = {}
        for j, c in enumerate(td.codes):
            sid = self.store.sid(c)
            if sid >= 0:
                self.sid_pos[sid] = j
        self._asked = set(codes)
        self._last_raw = None
        self.n_auction = len(steps) - len(CONTINUOUS)

    def _pos(self, code: str) -> int | None:
        """Position of ``code`` in the loaded day, loading it (once per day) when first asked."""
        td = self.cursor.day
        j = td.index.get(code)
        if j is None and code not in self._asked:
            step = self.step
            self.load_day(self.rt.trade_date, extra=sorted(self._asked | {code}), steps=self.steps)
            self.step = step
            j = self.cursor.day.index.get(code)
        return j

    # -- the session ---------------------------------------------------------------------------------
    def run_session(self, day, bar_tasks: dict, auction_tasks: dict | None = None) -> None:
        """Replay ``day`` (see the module docstring); ``auction_tasks`` are the ``run_daily`` functions of
        the opening call auction (``split_auction_tasks``)."""
        bt, rt, acct, market = self.bt, self.rt, self.bt.account, self.market
        call, ctx = bt.caller.call, bt.context
        self._l2 = str(bt.settings.parameters.get("tick_data_no_l2", "0")) != "1"
        persist = bool(bt.options.get("persistence")) or bool(bt.options.get("restart_before"))
        self._auction_tasks = auction_tasks or {}
        self.load_day(day)
        self.matcher.router = bt.router
        self._seen_rows = acct.day_first_row          # today's orders (before_trading_start's included)
        self._info = {}
        tick_cb = bt.ns.get("tick_data")
        handle = bt._cb["handle_data"]
        rt.bar_index = None
        self.step = 0
        self.active = True
        market.load_minutes(day)
        minute_data = market.bar_data()
        base = _dt.datetime.combine(day, _dt.time())
        self._tick_prev = None
        self._last_raw = None
        uni_list, uni_len, universe = None, -1, frozenset()
        # Orders created before the session (before_trading_start, pre-open run_daily) enter the opening auction.
        rt.now = base + _dt.timedelta(hours=9, minutes=15)
        self._submit()
        open_done = False
        for s, ms in enumerate(self.steps):
            self.step = s
            ms = int(ms)
            rt.now = base + _dt.timedelta(milliseconds=ms)
            done = bars_done(ms)
            rt.bar_index = done - 1 if done else None
            if acct.book.n_open:
                # Resting orders meet the new snapshot first; an auction's remainders rest from the next one.
                self._match(s)
                if not open_done and ms >= OPEN_AUCTION_MS:
                    self._auction("open", s)
                if ms == CLOSE_MS:
                    self._auction("close", s)
            open_done = open_done or ms >= OPEN_AUCTION_MS
            if acct.holding():
                self._mark()
            b = minute_bar_of(ms)
            if b < 0 and ms in self._auction_tasks:            # run_daily at 09:15 … 09:29
                bt._run_tasks(self._auction_tasks[ms])
                rt.now = base + _dt.timedelta(milliseconds=ms)
                self._submit()
            if b >= 0:
                market.set_minute_rows(b)
                tasks = bar_tasks.get((base + _dt.timedelta(milliseconds=ms)).time().replace(second=0))
                if tasks:
                    bt._run_tasks(tasks)
                    rt.now = base + _dt.timedelta(milliseconds=ms)
                    self._submit()
            if ms <= LAST_TICK_MS:
                self._intervals(s, ms)
                if tick_cb is not None:
                    if bt.settings.universe is not uni_list or len(uni_list) != uni_len:
                        uni_list = bt.settings.universe           # set_universe during the day
                        uni_len, universe = len(uni_list), frozenset(uni_list)
                    call("tick", tick_cb, ctx, TickData(self, universe))
                    self._tick_prev = s
                    self._submit()
            if b >= 0:
                call("handle", handle, ctx, minute_data)
                self._submit()
                if persist:
                    bt._save_g()                         # the platform's save point after handle_data
                bt.router.skip_bar()
        rt.bar_index = 239
        self._last_ms = CLOSE_MS
        self.matcher.end_day()              # the runner's end of day cancels what still works

    def _intervals(self, s: int, ms: int) -> None:
        tasks = self.bt.settings.interval_tasks
        if not tasks or ms <= OPEN_MS:
            return
        k = s - self.n_auction                           # continuous step index: session seconds 3 (k+1)
        secs = int(SESSION_SECONDS[k])
        for func, seconds in list(tasks):
            if secs % (3 * interval_steps(seconds)) == 0:
                self.bt.caller.call("sched", func, self.bt.context)
                self._submit()

    # -- the matcher ---------------------------------------------------------------------------------
    def book_of(self, sid: int):
        """The current five-level book of ``sid`` (``Level1Book``, raw prices), ``None`` without a snapshot;
        a security not loaded yet is loaded (an order for a code outside the universe)."""
        j = self.sid_pos.get(int(sid))
        if j is None:
            j = self._pos(str(self.store.codes[int(sid)]))
        if j is None:
            return None
        row = int(self.cursor.snap[self.step, j])
        if row < 0:
            return None
        d = self.cursor.day
        return Level1Book(d.bid_px[row], d.bid_vol[row], d.ask_px[row], d.ask_vol[row])

    def _submit(self) -> None:
        """Hand the orders the strategy just created to the matcher (arrival against the current book); an
        order of a security without a snapshot at this time is cancelled with the reason logged."""
        book, acct = self.bt.account.book, self.bt.account
        n = book.n_orders
        if n == self._seen_rows:
            return
        working = (ord(_core.STATUS_REPORTED), ord(_core.STATUS_PART_FILLED))
        for row in range(self._seen_rows, n):
            if int(book.status[row]) in working and self.book_of(int(book.sid[row])) is None \
                    and self.rt.now.time() >= _dt.time(9, 25):
                self.bt.log.warning(f"order {acct.order_ids[row]} {acct.codes[int(book.sid[row])]}: no snapshot of "
                                    f"it in the store at {self.rt.now}; cancelled")
                book.cancel(row, _core.R_NO_COUNTERPARTY)
                self.bt.router.report(book.changed_indices(), [])
        self._seen_rows = n
        self.matcher.submit_new(dt=self.rt.now)

    def _working_sids(self) -> np.ndarray:
        book = self.bt.account.book
        a = self.bt.account.day_first_row
        st = book.status[a:book.n_orders]
        working = (st == ord(_core.STATUS_REPORTED)) | (st == ord(_core.STATUS_PART_FILLED))
        return np.unique(book.sid[a:book.n_orders][working])

    def _match(self, s: int) -> None:
        """Resting orders against the new snapshots at step ``s`` of their securities and the trades since
        the previous step: one ``TickMatcher.on_snapshot_arrays`` call for every such security."""
        active = self.matcher.active_sids()
        if not active:
            return
        cur = self.cursor
        sids, rows, lo, hi = [], [], [], []
        tr = cur.day.trades
        for sid in active:
            j = self.sid_pos.get(sid)
            if j is None:
                continue
            row = int(cur.snap[s, j])
            if row < 0 or (s > 0 and row == int(cur.snap[s - 1, j])):
                continue
            sids.append(sid)
            rows.append(row)
            if tr is not None:
                lo.append(int(cur.ntr[s - 1, j]) if s > 0 else int(tr["start"][j]))
                hi.append(int(cur.ntr[s, j]))
        if not sids:
            return
        d = cur.day
        r = np.asarray(rows, np.int64)
        if tr is not None:
            take = np.concatenate([np.arange(a, b, dtype=np.int64) for a, b in zip(lo, hi)])
            start = np.r_[0, np.cumsum(np.subtract(hi, lo))].astype(np.int64)
            trades = (tr["price"][take], tr["volume"][take], start)
        else:
            trades = (None, None, None)
        self.matcher.on_snapshot_arrays(sids, d.bid_px[r], d.bid_vol[r], d.ask_px[r], d.ask_vol[r], *trades,
                                        dt=self.rt.now)

    def _auction(self, which: str, s: int) -> None:
        """Uncross the orders waiting for a call auction at its price and volume in the data: the closing one at 15:00:00 (price = the close snapshot, volume = the volume since 14:57).
        The opening one runs at the first step from 09:25:00 (price and cumulative volume of the latest
        snapshot before 09:30; none: volume 0, the orders then rest at their limit)."""
        cur, d = self.cursor, self.cursor.day
        for sid in self._working_sids().tolist():
            j = self.sid_pos.get(sid)
            if j is None:
                continue
            rows = d.rows(j)
            t = d.time[rows]
            if which == "open":
                k = int(np.searchsorted(t, min(int(self.steps[s]), OPEN_MS - 1), side="right")) - 1
                price = int(d.last[rows][k]) if k >= 0 else 0
                volume = int(d.volume[rows][k]) if k >= 0 else 0
            else:
                k = int(cur.snap[s, j]) - rows.start
                k0 = int(np.searchsorted(t, CLOSE_MS - 180_000, side="left")) - 1
                price = int(d.last[rows][k]) if k >= 0 else 0
                volume = int(d.volume[rows][k]) - (int(d.volume[rows][k0]) if k0 >= 0 else 0) if k >= 0 else 0
            self.matcher.auction(sid, price, volume, dt=self.rt.now, which=which)

    def _mark(self) -> None:
        """Value holdings at each loaded security's latest snapshot (the minute close elsewhere)."""
        acct = self.bt.account
        cur, td = self.cursor, self.cursor.day
        if self._last_raw is None:
            self._last_raw = np.zeros(self.store.n_sids, np.int64)
            self._valid = np.zeros(self.store.n_sids, np.uint8)
            self._sids = np.array(list(self.sid_pos), np.int64)
            self._cols = np.array([self.sid_pos[s] for s in self._sids], np.int64)
        rows = cur.snap[self.step, self._cols]
        ok = rows >= 0
        self._last_raw[self._sids[ok]] = td.last[rows[ok]]
        self._valid[self._sids[ok]] = (td.last[rows[ok]] > 0).astype(np.uint8)
        acct.mark(self._last_raw, self._valid)

    # -- what the strategy reads ---------------------------------------------------------------------
    def _tick_size(self, code: str) -> float:
        t = self._ticks.get(code)
        if t is None:
            from ..rules.instruments import resolve
            inst = self.store.instruments
            if code in inst.index and np.isfinite(inst.at[code, "tick"]):
                t = float(inst.at[code, "tick"])
            else:
                try:
                    t = float(resolve(classify(code) or "stock", exchange_of(code), self.rt.trade_date).tick)
                except KeyError:
                    t = 0.01
            self._ticks[code] = t
        return t

    def _code_info(self, code: str) -> dict:
        info = self._info.get(code)
        if info is None:
            inst = self.store.instruments
            info = {}
            if code in inst.index:
                ld, dd = inst.at[code, "list_date"], inst.at[code, "delist_date"]
                if pd.notna(ld):
                    info["issue_date"] = int(pd.Timestamp(ld).strftime("%Y%m%d"))
                    info["start_trade_date"] = pd.Timestamp(ld).strftime("%Y%m%d")
                if pd.notna(dd):
                    info["end_trade_date"] = pd.Timestamp(dd).strftime("%Y%m%d")
            self._info[code] = info
        return info

    def snapshot(self, code: str, j: int) -> dict | None:
        row = int(self.cursor.snap[self.step, j])
        if row < 0:
            return None
        ms = int(self.steps[self.step]) if self.rt.phase != "after" else CLOSE_MS
        mins = 240 if self.rt.phase == "after" else bars_done(ms)
        snap = self.cursor.snapshot(j, row, self._tick_size(code), mins, self._code_info(code))
        iopv = self.bt.apis.etf.iopv(code)            # ETFs with a basket (extension, docs/engine.md)
        if iopv is not None:
            snap["iopv"] = iopv
        return snap

    def entry(self, code: str, j: int) -> TickEntry:
        """``data[code]`` of tick_data at the current step."""
        cur, s = self.cursor, self.step
        prev = self._tick_prev

        def make(key):
            if key == "tick":
                row = int(cur.snap[s, j])
                return TickFrame(lambda: self.snapshot(code, j), lambda f: cur.field(row, f))
            events, n = (cur.day.orders, cur.nor) if key == "order" else (cur.day.trades, cur.ntr)
            if events is None:
                return None
            lo = int(n[prev, j]) if prev is not None else int(events["start"][j])
            hi = int(n[s, j])
            return cur.entrusts(j, lo, hi) if key == "order" else cur.transactions(j, lo, hi)

        keys = ("tick", "order", "transcation", "transaction") if self._l2 else ("tick",)
        return TickEntry(make, keys)
