"""``get_snapshot``, ``get_gear_price``, ``get_individual_entrust`` and ``get_individual_transaction`` (alias
``get_individual_transcation``) in a tick replay: answers from the snapshot store at the simulated time
(docs/engine.md, "Tick replay").  Injected only in tick runs; daily and minute runs keep the live-only stubs
(or ``snapshot='bars'``)."""
from __future__ import annotations

import pandas as pd

from ..data.codes import normalize_code
from ..model.phases import phases

_SNAPSHOT_PHASES = ("handle", "tick", "sched", "before", "after")
_L2_PHASES = ("before", "handle", "after", "tick", "sched")


class TickAPI:
    """get_snapshot, get_gear_price, get_individual_entrust / _transaction from the snapshot store."""

    def __init__(self, replay: TickReplay):
        self.replay = replay
        self.rt = replay.rt

    def _codes(self, security, fn):
        if isinstance(security, str):
            return [security], True
        try:
            items = list(security)
        except TypeError:
            raise TypeError(f"{fn}: security must be a code or a list of codes, was {security!r}") from None
        for c in items:
            if not isinstance(c, str):
                raise TypeError(f"{fn}: every code must be a str, got {c!r}")
        return items, False

    def _latest(self, given: str):
        rp = self.replay
        if not rp.active:                             # before today's session: no snapshot yet
            return None, None
        code = normalize_code(given)
        j = rp._pos(code)
        return code, j

    @phases(*_SNAPSHOT_PHASES)
    def get_snapshot(self, security):
        """get_snapshot, from the snapshot store (tick replay, ``frequency='tick'``).

        Parameters
        ----------
        security : str or list of str
            Codes in any suffix form; the keys echo the caller's spelling.

        Returns
        -------
        dict
            code -> the latest snapshot at the simulated time with every field of §C.11; a code without a
            snapshot yet today is left out (``{}`` before the first snapshot).

        Differences from Ptrade
        -----------------------
        Live only on the platform.  P/E, P/B, turnover and volume ratio, free-float shares and the
        total bid/offer turnover are not in the store and are 0; ``entrust_diff`` / ``entrust_rate`` and
        (where the store has none) the total bid/offer quantity are computed from the five levels.
        """
        items, _ = self._codes(security, "get_snapshot")
        out = {}
        for given in items:
            code, j = self._latest(given)
            if j is not None:
                snap = self.replay.snapshot(code, j)
                if snap is not None:
                    out[given] = snap
        return out

    @phases("handle", "tick", "sched")
    def get_gear_price(self, sids):
        """get_gear_price, from the snapshot store (tick replay).

        Parameters
        ----------
        sids : str or list of str

        Returns
        -------
        dict
            One code: ``{'bid_grp': {1: [price, volume, count], …}, 'offer_grp': {…}}``; several codes:
            ``{code: {...}}``.  A code without a snapshot yet gets empty groups.

        Differences from Ptrade
        -----------------------
        Live only on the platform.  Counts are those of the store (0 without Level-2 data); reconstructed
        books (imported from trades) are labelled so in the data (docs/data-format.md).
        """
        items, single = self._codes(sids, "get_gear_price")
        out = {}
        rp = self.replay
        for given in items:
            code, j = self._latest(given)
            row = int(rp.cursor.snap[rp.step, j]) if j is not None else -1
            out[given] = ({"bid_grp": rp.cursor.levels(row, "bid"), "offer_grp": rp.cursor.levels(row, "ask")}
                          if row >= 0 else {"bid_grp": {}, "offer_grp": {}})
        return out[items[0]] if single else out

    def _individual(self, fn, kind, stocks, data_count, start_pos, search_direction):
        if stocks is None:
            stocks = list(self.rt.universe)
        items, _ = self._codes(stocks, fn)
        if isinstance(data_count, bool) or not isinstance(data_count, int) or not 0 < data_count <= 200:
            raise ValueError(f"{fn}: data_count must be an int in 1 … 200, was {data_count!r}")
        if isinstance(start_pos, bool) or not isinstance(start_pos, int) or start_pos < 0:
            raise ValueError(f"{fn}: start_pos must be an int ≥ 0, was {start_pos!r}")
        if search_direction not in (1, 2):
            raise ValueError(f"{fn}: search_direction must be 1 (forward) or 2 (backward), was {search_direction!r}")
        rp = self.replay
        if not rp.active:
            return None
        frames = []
        for given in items:
            code, j = self._latest(given)
            events = rp.cursor.day.trades if kind == "trades" else rp.cursor.day.orders
            if j is None or events is None:
                continue
            n = rp.cursor.ntr if kind == "trades" else rp.cursor.nor
            first, now = int(events["start"][j]), int(n[rp.step, j])
            if rp.rt.phase == "after":
                now = int(events["start"][j + 1])
            elif rp.rt.phase == "before":
                now = first
            if search_direction == 1:
                lo = first + start_pos
                hi = min(lo + data_count, now)
            else:
                hi = now - start_pos
                lo = max(hi - data_count, first)
            lo, hi = min(lo, now), max(min(hi, now), min(lo, now))
            f = rp.cursor.transactions(j, lo, hi) if kind == "trades" else rp.cursor.entrusts(j, lo, hi)
            f.insert(0, "code", normalize_code(given))
            frames.append(f)
        if not frames:
            return None
        return pd.concat(frames, ignore_index=True)

    @phases(*_L2_PHASES)
    def get_individual_entrust(self, stocks=None, data_count=50, start_pos=0, search_direction=1):
        """get_individual_entrust (逐笔委托), from the store's orders file (tick replay).

        Parameters
        ----------
        stocks : str or list of str, optional
            Default: the universe.
        data_count : int
            Rows per code, at most 200.
        start_pos : int
            Rows skipped from the start (forward) or from the latest (backward).
        search_direction : {1, 2}
            1 forward from the day's first order, 2 backward from the latest.

        Returns
        -------
        DataFrame or None
            Columns ``code, business_time`` (``YYYYmmddHHMMSSfff``), ``hq_px, business_amount, order_no,
            business_direction, trans_kind``; only orders up to the simulated time; ``None`` when the store
            has no orders for the day or codes.

        Differences from Ptrade
        -----------------------
        Live and Level-2 only on the platform, which returns a Panel keyed by code (a DataFrame per code in
        its Python 3.11 edition); here one long DataFrame with a ``code`` column.
        """
        return self._individual("get_individual_entrust", "orders", stocks, data_count, start_pos, search_direction)

    @phases(*_L2_PHASES)
    def get_individual_transaction(self, stocks=None, data_count=50, start_pos=0, search_direction=1):
        """get_individual_transaction (逐笔成交), from the store's trades file (tick replay).

        Parameters and the shape as :meth:`get_individual_entrust`; columns ``code, business_time, hq_px,
        business_amount, trade_index, business_direction`` (0 sell, 1 buy, 2 neutral/auction), ``buy_no,
        sell_no, trans_flag, trans_identify_am, channel_num``.

        Differences from Ptrade
        -----------------------
        Live and Level-2 only on the platform (a Panel keyed by code); here one long DataFrame with a
        ``code`` column, ``None`` when the store has no trades for the day or codes.
        """
        return self._individual("get_individual_transaction", "trades", stocks, data_count, start_pos,
                                search_direction)

    @phases(*_L2_PHASES)
    def get_individual_transcation(self, stocks=None, data_count=50, start_pos=0, search_direction=1):
        """get_individual_transcation: the old, misspelt name of :meth:`get_individual_transaction`."""
        return self._individual("get_individual_transcation", "trades", stocks, data_count, start_pos,
                                search_direction)
