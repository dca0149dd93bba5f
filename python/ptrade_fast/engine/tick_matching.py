"""Tick matching: orders against recorded five-level snapshots, through the account's one fill path.

The tick replay loop owns the clock and the data; it drives a :class:`TickMatcher` with four calls:

* ``submit(order, book=None, dt=None, market_type=None)`` when the strategy creates an order (the order row
  already exists in ``account.book``, status '2'): the order walks the current snapshot's opposite levels,
  the remainder rests in the exchange queue or ends, per its type;
* ``on_snapshot(sids, books, trades, dt)`` at every new snapshot, before the strategy sees it: resting orders
  of those securities fill from the trades since the previous snapshot and from the new book (only the
  securities of ``active_sids()`` need to be passed); ``on_snapshot_arrays`` takes the same data as
  ``(n, 5)`` arrays and concatenated trades, one kernel call for every security (the fast path);
* ``submit_new(dt)`` after each strategy callback: submits the orders ``order``, ``order_value`` … created;
* ``auction(sid, price, volume, dt, which)`` at 09:25 (``'open'``) and 15:00 (``'close'``) with the uncross
  price and volume of the data; orders entered in the auction windows wait for it;
* ``cancel(order, dt=None)`` (the auctions' no-cancel windows refuse it) and ``end_day()``.

The market side is the kernel ``_core.tickmatch`` (model: docs/engine.md, "Tick matching"); every fill then
goes through ``OrderBook.apply_fills``, the sizing and ledger code of bar matching (cash in whole lots,
``enable_amount``, fees, T+1, statuses and reason codes), and ``Account.collect_fills`` turns it into the
run's trade records.  Each call returns the new trades, as tuples of ``Account.trades``.

Book layout: a snapshot of one security is any object with ``bid_px``, ``bid_vol``, ``ask_px``, ``ask_vol``
(five ``int64`` each: raw prices in 1e-4 CNY, volumes in shares, best first, empty levels 0); trades are a pair
``(price, volume)`` of ``int64`` arrays (or ``None``).
"""
from __future__ import annotations

import datetime as _dt
from typing import NamedTuple

import numpy as np

from .. import _core
from .._core import tickmatch as _tm
from ..data.codes import normalize_code
from ..model.units import to_raw

_I64 = np.int64
_EMPTY = np.zeros(0, _I64)
_WORKING = (ord(_core.STATUS_REPORTED), ord(_core.STATUS_PART_FILLED))

OPEN_AUCTION_END = _dt.time(9, 25)
NO_CANCEL_OPEN = (_dt.time(9, 20), _dt.time(9, 25))
CLOSE_AUCTION = (_dt.time(14, 57), _dt.time(15, 0))
_SZSE_CLOSING_AUCTION = _dt.date(2006, 7, 1)
_SSE_STOCK_CLOSING_AUCTION = _dt.date(2018, 8, 20)
_SSE_FUND_CLOSING_AUCTION = _dt.date(2026, 7, 6)
_SSE_STOCK_TYPES = frozenset({"stock", "star", "b_share"})
_SSE_FUND_TYPES = frozenset({"etf", "lof", "fund", "reit", "bond", "cb"})

#: ``order_market`` types each exchange accepts (docs/ptrade-api.md, order_market and §E.8).
MARKET_TYPES = {"SS": frozenset({0, 1, 2, 4}), "SZ": frozenset({0, 2, 3, 4, 5})}


class Level1Book(NamedTuple):
    """One security's five-level snapshot (raw int64 prices, volumes in shares)."""
    bid_px: np.ndarray
    bid_vol: np.ndarray
    ask_px: np.ndarray
    ask_vol: np.ndarray


def closing_auction_in_force(code: str, inst_type: str, day: _dt.date) -> bool:
    """Whether ``code`` (a security of type ``inst_type``) has a 14:57–15:00 closing call auction on ``day``.

    docs/market-rules.md §7.1: every SZSE security since 2006-07-01; SSE stocks since 2018-08-20; SSE funds
    and bonds since 2026-07-06 (SSE repo never: its close is a VWAP); BSE always.
    """
    suffix = normalize_code(code).rsplit(".", 1)[-1]
    if suffix == "SZ":
        return day >= _SZSE_CLOSING_AUCTION
    if suffix == "BJ":
        return True
    if suffix == "SS":
        if inst_type in _SSE_STOCK_TYPES:
            return day >= _SSE_STOCK_CLOSING_AUCTION
        if inst_type in _SSE_FUND_TYPES:
            return day >= _SSE_FUND_CLOSING_AUCTION
    return False


def auction_window(code: str, inst_type: str, now: _dt.datetime) -> str | None:
    """``'open'`` for an order entered before 09:25, ``'close'`` in a closing auction (14:57–15:00 where in
    force), else ``None`` (continuous trading)."""
    t = now.time()
    if t < OPEN_AUCTION_END:
        return "open"
    if CLOSE_AUCTION[0] <= t < CLOSE_AUCTION[1] and closing_auction_in_force(code, inst_type, now.date()):
        return "close"
    return None


def _as_book(book) -> Level1Book:
    parts = [np.ascontiguousarray(getattr(book, name), dtype=_I64) for name in Level1Book._fields]
    for name, arr in zip(Level1Book._fields, parts):
        if arr.shape != (5,):
            raise ValueError(f"snapshot {name} must hold 5 levels, had shape {arr.shape}")
    return Level1Book(*parts)


class TickMatcher:
    """Matches one account's orders against snapshots (the tick replay's exchange).

    Parameters
    ----------
    account : engine.account.Account
        The run's account: its ``book`` holds the orders, its ledger takes the fills.
    participation : float
        Share of a displayed level or of a traded volume our orders may take, in (0, 1]; default 1.0 (the
        queue model already puts us behind every displayed order; a lower value models hidden competition).
    current_book : callable, optional
        ``sid -> snapshot`` of the replay's current snapshot, used when ``submit`` gets no book.
    router : engine.order_router.OrderRouter, optional
        When given, every change is reported through it (clip/cancel logs, order and trade callbacks).
    """

    def __init__(self, account, participation: float = 1.0, current_book=None, router=None):
        if not isinstance(participation, (int, float)) or not 0.0 < float(participation) <= 1.0:
            raise ValueError(f"TickMatcher: participation must be in (0, 1], was {participation!r}")
        self.account = account
        self.ppm = int(round(float(participation) * _tm.PPM))
        self.current_book = current_book
        self.router = router
        cap = 64
        self._side = np.zeros(cap, np.int8)
        self._price = np.zeros(cap, _I64)
        self._rem = np.zeros(cap, _I64)
        self._ahead = np.zeros(cap, _I64)
        self._known = np.zeros(cap, np.uint8)
        self._row = np.zeros(cap, _I64)
        self._n = 0
        self._free: list[int] = []
        self._slots_by_sid: dict[int, list[int]] = {}     # resting slots of a security, placement order
        self._slot_of_row: dict[int, int] = {}
        self._idx_cache: dict[int, np.ndarray] = {}
        n = account.ledger.n_sids
        self._count = np.zeros(n, _I64)                     # resting orders per security
        # the last snapshot seen per security (the start of its next interval), one (n_sids, 5) array per field
        self._bk = {f: np.zeros((n, 5), _I64) for f in Level1Book._fields}
        self._has_book = np.zeros(n, bool)
        # what our orders took from each level of a security's snapshot at time _taken_dt[sid]
        self._taken_bid = np.zeros((n, 5), _I64)
        self._taken_ask = np.zeros((n, 5), _I64)
        self._taken_dt = np.full(n, None, dtype=object)
        self._auction: dict[str, dict[int, list[int]]] = {"open": {}, "close": {}}   # sid -> order rows
        self._auction_of_row: dict[int, str] = {}
        self._auction_price: dict[int, int] = {}
        self.market_type: dict[int, int] = {}
        self._next_row = 0                  # rows below it were seen by submit_new
        self._submitted: set[int] = set()   # rows at or above it already submitted
        self._out_px = np.zeros(5, _I64)
        self._out_qty = np.zeros(5, _I64)

    # -- state -------------------------------------------------------------------------------------
    @property
    def n_resting(self) -> int:
        """Orders resting in the simulated exchange queues."""
        return len(self._slot_of_row)

    def active_sids(self) -> list[int]:
        """Securities with resting orders: the only ones ``on_snapshot`` needs (a security without resting
        orders may be left out; its books are read through ``current_book`` when an order arrives)."""
        return sorted(self._slots_by_sid)

    def queue_ahead(self, order) -> tuple[int, bool] | None:
        """``(shares ahead, known)`` of a resting order (an order row or id), ``None`` if it is not resting."""
        slot = self._slot_of_row.get(self._row_of(order))
        return None if slot is None else (int(self._ahead[slot]), bool(self._known[slot]))

    def _row_of(self, order) -> int:
        if isinstance(order, (int, np.integer)):
            row = int(order)
            if not 0 <= row < self.account.book.n_orders:
                raise IndexError(f"TickMatcher: order row {row} does not exist")
            return row
        oid = getattr(order, "id", order)
        row = self.account.id_to_row.get(oid)
        if row is None:
            raise KeyError(f"TickMatcher: no order {order!r} in this run")
        return row

    def _grow(self):
        cap = 2 * self._side.shape[0]
        for name in ("_side", "_price", "_rem", "_ahead", "_known", "_row"):
            old = getattr(self, name)
            new = np.zeros(cap, old.dtype)
            new[:old.shape[0]] = old
            setattr(self, name, new)

    def _rest(self, row: int, sid: int, side: int, price: int, rem: int, ahead: int, known: bool):
        if self._free:
            slot = self._free.pop()
        else:
            if self._n == self._side.shape[0]:
                self._grow()
            slot = self._n
            self._n += 1
        self._side[slot], self._price[slot], self._rem[slot] = side, price, rem
        self._ahead[slot], self._known[slot], self._row[slot] = ahead, known, row
        self._slots_by_sid.setdefault(sid, []).append(slot)
        self._slot_of_row[row] = slot
        self._idx_cache.pop(sid, None)
        self._count[sid] += 1

    def _drop(self, row: int):
        slot = self._slot_of_row.pop(row, None)
        if slot is None:
            return
        sid = int(self.account.book.sid[row])
        slots = self._slots_by_sid[sid]
        slots.remove(slot)
        if not slots:
            del self._slots_by_sid[sid]
        self._idx_cache.pop(sid, None)
        self._count[sid] -= 1
        self._rem[slot] = 0
        self._free.append(slot)

    def _taken_for(self, sid: int, dt):
        # One pair of counters per security and simulated time: orders of one tick_data call share the
        # snapshot's levels with each other and with the crossing fills of on_snapshot at that time.
        if self._taken_dt[sid] != dt:
            self._taken_bid[sid] = 0
            self._taken_ask[sid] = 0
            self._taken_dt[sid] = dt
        return self._taken_bid[sid], self._taken_ask[sid]

    def _remember(self, sid: int, book: Level1Book) -> None:
        for f in Level1Book._fields:
            self._bk[f][sid] = getattr(book, f)
        self._has_book[sid] = True

    # -- applying fills ----------------------------------------------------------------------------
    def _apply(self, rows, qty, price, end, dt) -> list[tuple]:
        acct = self.account
        rows = np.asarray(rows, _I64)
        if rows.size == 0:
            return []
        acct.book.apply_fills(acct.ledger, acct.fees, rows, np.asarray(qty, _I64), np.asarray(price, _I64),
                              np.asarray(end, np.int32), acct.fills, futures=acct.futures,
                              futures_fees=acct.futures_fees,
                              margin=acct.margin if acct.margin_enabled else None)
        changed = acct.book.changed_indices()
        new = acct.collect_fills(dt)
        if self.router is not None:
            self.router.report(changed, new)
        elif len(changed):
            acct.touch()
        return new

    def _sync(self, row: int) -> bool:
        """After fills: forget an order that ended; True while it still works."""
        st = int(self.account.book.status[row])
        if st not in (ord(_core.STATUS_REPORTED), ord(_core.STATUS_PART_FILLED)):
            self._drop(row)
            self.market_type.pop(row, None)
            return False
        slot = self._slot_of_row.get(row)
        if slot is not None:
            b = self.account.book
            self._rem[slot] = int(b.amount[row]) - int(b.filled[row])
        return True

    def book_of(self, sid: int) -> Level1Book | None:
        """The current snapshot of ``sid``: from ``current_book`` when given, else the last one seen."""
        sid = int(sid)
        if self.current_book is not None:
            book = self.current_book(sid)
            if book is not None:
                return book if isinstance(book, Level1Book) else _as_book(book)
        if not self._has_book[sid]:
            return None
        return Level1Book(*(self._bk[f][sid].copy() for f in Level1Book._fields))

    def closing_auction(self, code: str, sid: int, day: _dt.date) -> bool:
        """Whether ``code`` has a closing call auction on ``day`` (docs/market-rules.md §7.1)."""
        return closing_auction_in_force(code, str(self.account.inst["type"][int(sid)]), day)

    # -- arrival -----------------------------------------------------------------------------------
    def submit_new(self, dt=None) -> list[tuple]:
        """Submit every working order created since the last call and not submitted yet (``order``,
        ``order_value`` … create rows only; the loop calls this after each strategy callback), in creation
        order.  Returns the new trades."""
        b = self.account.book
        new: list[tuple] = []
        for row in range(self._next_row, b.n_orders):
            if row not in self._submitted:
                new += self.submit(row, dt=dt)
        self._next_row = b.n_orders
        self._submitted.clear()
        return new

    def submit(self, order, book=None, dt=None, market_type=None) -> list[tuple]:
        """Match a new order on arrival (the order row exists in ``account.book``, working).

        ``market_type`` ``None`` is a limit order at the row's ``limit_price`` (0: at the latest price the
        order was sized at, as Ptrade's ``order`` without ``limit_price``); 0–5 are ``order_market`` types,
        the row's ``limit_price`` being the protective price.  In an auction window (before 09:25, or
        14:57–15:00 where a closing auction is in force) the order waits for ``auction``.  Returns the new
        trades.
        """
        acct = self.account
        row = self._row_of(order)
        b = acct.book
        if row >= self._next_row:
            self._submitted.add(row)
        if int(b.status[row]) not in (ord(_core.STATUS_REPORTED), ord(_core.STATUS_PART_FILLED)):
            return []
        dt = dt or acct.rt.now
        sid, side = int(b.sid[row]), int(b.side[row])
        rem = int(b.amount[row]) - int(b.filled[row])
        mtype = _tm.LIMIT if market_type is None else int(market_type)
        if mtype not in (_tm.LIMIT, 0, 1, 2, 3, 4, 5):
            raise ValueError(f"TickMatcher.submit: market_type must be None or 0..5, was {market_type!r}")
        limit = int(b.limit_price[row])
        if mtype == _tm.LIMIT and limit == 0:
            limit = to_raw(acct.order_ref[row])
        code = str(acct.codes[sid])
        window = auction_window(code, str(acct.inst["type"][sid]), dt)
        if window is not None:
            if mtype != _tm.LIMIT:
                raise ValueError(f"TickMatcher.submit: market orders are not accepted in a call auction "
                                 f"({code} at {dt})")
            self._auction[window].setdefault(sid, []).append(row)
            self._auction_of_row[row] = window
            self._auction_price[row] = limit
            return []
        book = self.book_of(sid) if book is None else book
        if book is None:
            raise ValueError(f"TickMatcher.submit: no snapshot for {code} at {dt}")
        book = book if isinstance(book, Level1Book) else _as_book(book)
        self._remember(sid, book)           # the next on_snapshot of this security starts from it
        bt, at = self._taken_for(sid, dt)
        n, outcome, reason, rest_px, ahead, known = _tm.arrive(
            side, limit, rem, mtype, book.bid_px, book.bid_vol, book.ask_px, book.ask_vol, bt, at, self.ppm,
            self._out_px, self._out_qty)
        end = reason if outcome == _tm.CANCEL else 0
        if n:
            rows, qty, px = [row] * n, self._out_qty[:n].copy(), self._out_px[:n].copy()
            ends = [0] * (n - 1) + [end]
        else:
            rows, qty, px, ends = ([row], [0], [0], [end]) if end else ([], [], [], [])
        new = self._apply(rows, qty, px, ends, dt)
        if mtype != _tm.LIMIT:
            self.market_type[row] = mtype
        if outcome == _tm.REST and self._sync(row):
            self._rest(row, sid, side, rest_px, int(b.amount[row]) - int(b.filled[row]), ahead, known)
        return new

    # -- resting orders ----------------------------------------------------------------------------
    def on_snapshot(self, sids, books, trades=None, dt=None) -> list[tuple]:
        """A new snapshot of ``sids`` (``books[i]`` for ``sids[i]``, ``trades[i]`` = (price, volume) arrays of
        the trades since that security's previous snapshot, or ``None``): resting orders fill, queues move.
        Returns the new trades.  ``on_snapshot_arrays`` takes the same data as arrays."""
        if len(books) != len(sids) or (trades is not None and len(trades) != len(sids)):
            raise ValueError(f"on_snapshot: {len(sids)} sids need as many books and trade pairs")
        books = [b if isinstance(b, Level1Book) else _as_book(b) for b in books]
        fields = [np.array([getattr(b, f) for b in books], _I64).reshape(len(books), 5) for f in Level1Book._fields]
        pairs = [(_EMPTY, _EMPTY) if trades is None or t is None else t for t in (trades or [None] * len(sids))]
        lengths = [len(p) for p, _ in pairs]
        tp = np.concatenate([np.asarray(p, _I64) for p, _ in pairs]) if pairs else _EMPTY
        tv = np.concatenate([np.asarray(v, _I64) for _, v in pairs]) if pairs else _EMPTY
        start = np.zeros(len(sids) + 1, _I64)
        start[1:] = np.cumsum(lengths, dtype=_I64)
        return self.on_snapshot_arrays(sids, *fields, tp, tv, start, dt)

    def on_snapshot_arrays(self, sids, bid_px, bid_vol, ask_px, ask_vol, trade_px=None, trade_vol=None,
                           trade_start=None, dt=None) -> list[tuple]:
        """``on_snapshot`` with the snapshot of ``sids`` (distinct) as arrays: ``bid_px`` … ``ask_vol`` of shape
        ``(len(sids), 5)``, the interval's trades of security i in ``trade_px[trade_start[i]:trade_start[i+1]]``
        (``trade_vol`` alike; ``None``: no trades).  One kernel call serves every security with resting
        orders.  Returns the new trades."""
        sids = np.asarray(sids, _I64)
        g = sids.shape[0]
        new_bk = [np.ascontiguousarray(a, _I64) for a in (bid_px, bid_vol, ask_px, ask_vol)]
        for name, a in zip(Level1Book._fields, new_bk):
            if a.shape != (g, 5):
                raise ValueError(f"on_snapshot_arrays: {name} must have shape ({g}, 5), had {a.shape}")
        if trade_px is None:
            trade_px = trade_vol = _EMPTY
            trade_start = np.zeros(g + 1, _I64)
        trade_px = np.ascontiguousarray(trade_px, _I64)
        trade_vol = np.ascontiguousarray(trade_vol, _I64)
        trade_start = np.ascontiguousarray(trade_start, _I64)
        if trade_start.shape != (g + 1,) or trade_vol.shape != trade_px.shape:
            raise ValueError(f"on_snapshot_arrays: trade_start needs {g + 1} offsets and trade_vol one volume "
                             f"per price")
        dt = dt or self.account.rt.now
        n_sids = self._count.shape[0]
        if g and (sids.min() < 0 or sids.max() >= n_sids):
            raise IndexError(f"on_snapshot_arrays: sids must be in [0, {n_sids})")
        new: list[tuple] = []
        act = np.flatnonzero(self._count[sids] > 0) if g else _EMPTY
        if act.size:
            new = self._step(sids, act, new_bk, trade_px, trade_vol, trade_start, dt)
        else:
            self._taken_bid[sids] = 0
            self._taken_ask[sids] = 0
            self._taken_dt[sids] = dt
        for f, a in zip(Level1Book._fields, new_bk):
            self._bk[f][sids] = a
        self._has_book[sids] = True
        return new

    def _idx_of(self, sid: int) -> np.ndarray:
        idx = self._idx_cache.get(sid)
        if idx is None:
            idx = self._idx_cache[sid] = np.asarray(self._slots_by_sid[sid], _I64)
        return idx

    def _step(self, sids, act, new_bk, trade_px, trade_vol, trade_start, dt) -> list[tuple]:
        # orders that ended outside the matcher since (cancel_order): one vectorised look at the statuses
        act_sids = sids[act].tolist()
        idx = np.concatenate([self._idx_of(s) for s in act_sids])
        status = self.account.book.status[self._row[idx]]
        if not np.all((status == _WORKING[0]) | (status == _WORKING[1])):
            for slot in idx.tolist():
                self._sync(int(self._row[slot]))
            act = act[self._count[sids[act]] > 0]
            act_sids = sids[act].tolist()
            idx = np.concatenate([self._idx_of(s) for s in act_sids]) if act_sids else _EMPTY
        idx_start = np.zeros(len(act_sids) + 1, _I64)
        idx_start[1:] = np.cumsum([self._idx_cache[s].shape[0] for s in act_sids], dtype=_I64)
        a_sids = sids[act]
        has = self._has_book[a_sids]
        prev = [np.where(has[:, None], self._bk[f][a_sids], nb[act]) for f, nb in zip(Level1Book._fields, new_bk)]
        cur = [nb[act] for nb in new_bk]
        lengths = np.diff(trade_start)
        if act.shape[0] == sids.shape[0]:
            tp, tv, ts = trade_px, trade_vol, trade_start
        else:
            keep = np.repeat(np.isin(np.arange(sids.shape[0]), act), lengths)
            tp, tv = trade_px[keep], trade_vol[keep]
            ts = np.zeros(act.shape[0] + 1, _I64)
            ts[1:] = np.cumsum(lengths[act], dtype=_I64)
        bt = np.zeros((act.shape[0], 5), _I64)
        at = np.zeros((act.shape[0], 5), _I64)
        oo = np.empty(max(1, idx.shape[0]), _I64)
        oq = np.empty(max(1, idx.shape[0]), _I64)
        n = _tm.step_many(self._side, self._price, self._rem, self._ahead, self._known, idx, idx_start, *prev, *cur,
                          tp, tv, ts, bt, at, self.ppm, oo, oq) if act_sids else 0
        self._taken_bid[sids] = 0
        self._taken_ask[sids] = 0
        self._taken_bid[a_sids] = bt
        self._taken_ask[a_sids] = at
        self._taken_dt[sids] = dt
        if not n:
            return []
        slots = oo[:n]
        rows = self._row[slots]
        new = self._apply(rows, oq[:n], self._price[slots], np.zeros(n, np.int32), dt)
        for row in rows.tolist():
            self._sync(row)
        return new

    # -- call auctions -----------------------------------------------------------------------------
    def auction(self, sid: int, price: int, volume: int, dt=None, which: str = "open") -> list[tuple]:
        """Uncross the orders waiting for the ``which`` (``'open'`` / ``'close'``) auction of ``sid`` at the
        data's ``price`` (raw) and ``volume``.  After the opening auction the remainders rest at their limit
        with their queue taken from the current snapshot (unknown without one); after the closing auction
        they wait for the day's end.  Returns the new trades."""
        if which not in self._auction:
            raise ValueError(f"auction: which must be 'open' or 'close', was {which!r}")
        acct = self.account
        dt = dt or acct.rt.now
        waiting = self._auction[which].pop(int(sid), [])
        prices = {r: self._auction_price.pop(r) for r in waiting}
        for r in waiting:
            self._auction_of_row.pop(r, None)
        rows = [r for r in waiting if int(acct.book.status[r]) in _WORKING]     # not cancelled meanwhile
        if not rows:
            return []
        b = acct.book
        side = np.asarray([int(b.side[r]) for r in rows], np.int8)
        px = np.asarray([prices[r] for r in rows], _I64)
        rem = np.asarray([int(b.amount[r]) - int(b.filled[r]) for r in rows], _I64)
        oo = np.empty(len(rows), _I64)
        oq = np.empty(len(rows), _I64)
        n = _tm.auction(side, px, rem, np.arange(len(rows), dtype=_I64), int(price), int(volume), self.ppm, oo, oq)
        fill_rows = np.asarray(rows, _I64)[oo[:n]]
        new = self._apply(fill_rows, oq[:n], np.full(n, int(price), _I64), np.zeros(n, np.int32), dt)
        for r, p in zip(rows, px.tolist()):
            if not self._sync(r) or which == "close":
                continue
            book = self.book_of(int(sid))
            ahead, known = 0, False
            if book is not None:
                own = (book.bid_px, book.bid_vol) if b.side[r] > 0 else (book.ask_px, book.ask_vol)
                ahead, known = _tm.queue_position(int(b.side[r]), p, *own)
            self._rest(r, int(sid), int(b.side[r]), p, int(b.amount[r]) - int(b.filled[r]), ahead, known)
        return new

    # -- cancels and the day's end -----------------------------------------------------------------
    def cancel_allowed(self, order, dt=None) -> bool:
        """Whether the order (row or id) may be cancelled now: not while it waits for a call auction inside
        that auction's no-cancel window (09:20–09:25, 14:57–15:00; docs/market-rules.md §7.1).  A refusal is
        logged.  ``TradingAPI.cancel_guard`` calls this for ``cancel_order``."""
        acct = self.account
        row = self._row_of(order)
        dt = dt or acct.rt.now
        window = self._auction_of_row.get(row)
        if window is not None and dt is not None:
            t = dt.time()
            lo, hi = NO_CANCEL_OPEN if window == "open" else CLOSE_AUCTION
            if lo <= t < hi:
                acct.rt.log.warning(f"cancel_order({acct.order_ids[row]}): no cancellation in the call auction "
                                    f"between {lo:%H:%M} and {hi:%H:%M}; the order keeps waiting")
                return False
        return True

    def cancel(self, order, dt=None) -> bool:
        """Cancel a working order (row or id); ``False`` when it already ended or a call auction's no-cancel
        window holds it (``cancel_allowed``)."""
        acct = self.account
        row = self._row_of(order)
        if not self.cancel_allowed(row, dt):
            return False
        window = self._auction_of_row.get(row)
        status = acct.book.cancel(row, _core.R_USER_CANCEL)
        if window is not None:
            waiting = self._auction[window].get(int(acct.book.sid[row]), [])
            if row in waiting:
                waiting.remove(row)
            self._auction_of_row.pop(row, None)
            self._auction_price.pop(row, None)
        self._drop(row)
        if status:
            if self.router is not None:
                self.router.report(acct.book.changed_indices(), [])
            else:
                acct.touch()
        return bool(status)

    def end_day(self) -> None:
        """Forget the day's queues, books and auctions (the loop cancels the working orders, R_DAY_END)."""
        for row in list(self._slot_of_row):
            self._drop(row)
        self._has_book[:] = False
        self._taken_dt[:] = None
        self._idx_cache.clear()
        for d in self._auction.values():
            d.clear()
        self._auction_of_row.clear()
        self._auction_price.clear()
        self.market_type.clear()
