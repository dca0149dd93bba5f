"""Price adjustment (复权) factors from ex-rights events, in Ptrade's A·P + B form (docs/ptrade-api.md §H.8).

Backward (后复权): after event e, a = a_prev × (1 + bonus + conversion + rights_ratio) and
b = b_prev + a_prev × (cash − rights_ratio × rights_price); adjusted = a·P + b with the latest event ≤ t.
Forward anchored at date A (前复权 at the last data, 'dypre' at the simulated date):
adjusted = (back_t(P) − b_A) / a_A.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def price_events(ex: pd.DataFrame) -> pd.DataFrame:
    """Events that move the price: placements (price without ratio) and share-reform considerations
    (bonus shares with unchanged total shares, no exchange reference price) are dropped."""
    if ex.empty:
        return ex
    key = "code" if "code" in ex else "symbol"
    ex = ex.sort_values([key, "ex_date"]).copy()
    ex["prev_total"] = ex.groupby(key)["total_shares"].shift(1)
    rights = (ex.rights_ratio > 0) & (ex.rights_price > 0)
    moves = (ex.cash_dividend > 0) | (ex.bonus_ratio > 0) | (ex.conversion_ratio > 0) | rights
    reform = ((ex.bonus_ratio + ex.conversion_ratio) > 0) & (ex.cash_dividend == 0) & ~rights \
        & (ex.total_shares == ex.prev_total)
    ex = ex[ex.has_action.astype(bool) & moves & ~reform].copy()
    ex.loc[~rights, "rights_ratio"] = 0.0
    ex.loc[~rights, "rights_price"] = 0.0
    return ex.drop(columns="prev_total")


def backward_factors(events: pd.DataFrame):
    """Return (ex_dates datetime64[D], a, b) running backward factors after each event."""
    dates = pd.to_datetime(events["ex_date"]).to_numpy().astype("datetime64[D]")
    a = np.empty(len(events))
    b = np.empty(len(events))
    ap, bp = 1.0, 0.0
    for i, ev in enumerate(events.itertuples()):
        bp = bp + ap * (ev.cash_dividend - ev.rights_ratio * ev.rights_price)
        ap = ap * (1.0 + ev.bonus_ratio + ev.conversion_ratio + ev.rights_ratio)
        a[i], b[i] = ap, bp
    return dates, a, b


def adjust(values: np.ndarray, dates: np.ndarray, events: pd.DataFrame, how: str, anchor=None, volume=False):
    """Adjust a 1-D price (or volume) series of one security observed on ``dates``.

    ``how``: 'post' (backward), 'pre' (forward, anchored at the last event) or 'dypre' (forward, anchored at
    ``anchor``).  Volumes are scaled by the inverse share factor.
    """
    if events is None or events.empty:
        return values
    ed, a, b = backward_factors(events)
    k = np.searchsorted(ed, dates.astype("datetime64[D]"), side="right") - 1
    at = np.where(k >= 0, a[np.maximum(k, 0)], 1.0)
    bt = np.where(k >= 0, b[np.maximum(k, 0)], 0.0)
    if how == "post":
        aa, bb = 1.0, 0.0
    elif how == "pre":
        aa, bb = a[-1], b[-1]
    elif how == "dypre":
        j = int(np.searchsorted(ed, np.datetime64(anchor, "D"), side="right")) - 1
        aa, bb = (a[j], b[j]) if j >= 0 else (1.0, 0.0)
    else:
        raise ValueError(f"fq must be None, 'pre', 'post' or 'dypre', was {how!r}")
    if volume:
        return values * aa / at
    return (at * values + bt - bb) / aa


class FactorTable:
    """Every security's backward factors (A, B after each price-moving event), built once per data root.

    Events of all securities sit in flat arrays sorted by (sid, ex_date); ``start[s]:stop[s]`` is security
    ``s``'s segment.  :meth:`apply` adjusts a whole [days × codes] window with one ``searchsorted`` over
    combined (sid, day) keys and one vectorised multiply: the same formula, the same float operations in
    the same order as :func:`adjust`, so results are identical to adjusting code by code.
    """

    _SHIFT = np.int64(1) << np.int64(32)      # day numbers (days since 1970) fit in 32 bits

    YEAR_GRIDS = 4                             # dense per-year event grids kept (see _year_grid)

    def __init__(self, ex: pd.DataFrame, sid_of: dict, calendar: np.ndarray | None = None):
        ev = price_events(ex) if not ex.empty else ex
        n_sids = len(sid_of)
        self.n_sids = n_sids
        # With the trading calendar, windows of consecutive trading days read the event in force from a dense
        # [days × sids] grid per calendar year instead of searching the events on every call.
        self._cal = None if calendar is None else np.asarray(calendar).astype("datetime64[D]").astype(np.int64)
        self._cal_year = None if calendar is None else \
            self._cal.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        self._grids: dict = {}
        self._has = None
        self.start = np.zeros(n_sids, np.int64)
        self.stop = np.zeros(n_sids, np.int64)
        if ev.empty:
            self.keys = np.empty(0, np.int64)
            self.a = np.empty(0)
            self.b = np.empty(0)
            self._a1, self._b0 = np.ones(1), np.zeros(1)
            return
        key = "code" if "code" in ev else "symbol"
        sids = np.array([sid_of.get(c, -1) for c in ev[key]], np.int64)
        keep = sids >= 0
        ev = ev[keep]
        sids = sids[keep]
        days = pd.to_datetime(ev["ex_date"]).to_numpy().astype("datetime64[D]").astype(np.int64)
        order = np.lexsort((days, sids))      # price_events sorted by (code, ex_date) already; sids follow codes
        sids, days = sids[order], days[order]
        cash = ev["cash_dividend"].to_numpy(float)[order].tolist()
        rr = ev["rights_ratio"].to_numpy(float)[order].tolist()
        rp = ev["rights_price"].to_numpy(float)[order].tolist()
        grow = (ev["bonus_ratio"].to_numpy(float)[order], ev["conversion_ratio"].to_numpy(float)[order])
        bonus, conv = grow[0].tolist(), grow[1].tolist()
        a = np.empty(len(sids))
        b = np.empty(len(sids))
        prev = -1
        ap, bp = 1.0, 0.0
        for i, s in enumerate(sids.tolist()):   # the running product of backward_factors, one pass over all
            if s != prev:
                ap, bp, prev = 1.0, 0.0, s
            bp = bp + ap * (cash[i] - rr[i] * rp[i])
            ap = ap * (1.0 + bonus[i] + conv[i] + rr[i])
            a[i], b[i] = ap, bp
        self.keys = sids * self._SHIFT + days
        self.a, self.b = a, b
        self._a1, self._b0 = np.append(a, 1.0), np.append(b, 0.0)   # index -1: before any event
        first = np.searchsorted(sids, np.arange(n_sids), side="left")
        self.start[:] = first
        self.stop[:] = np.searchsorted(sids, np.arange(n_sids), side="right")

    def _year_grid(self, year: int) -> tuple:
        """(first calendar row, A, B): for every trading day of ``year`` and every sid, the factors of the event
        in force (1, 0 before any); built once per year with the rule of :meth:`_at`."""
        hit = self._grids.get(year)
        if hit is not None:
            return hit
        cal, years = self._cal, self._cal_year
        i0, i1 = int(np.searchsorted(years, year, "left")), int(np.searchsorted(years, year, "right"))
        days = cal[i0:i1]
        m = self.n_sids
        base = np.arange(m, dtype=np.int64) * self._SHIFT
        lo = np.searchsorted(self.keys, base + days[0], side="right")
        first = np.where(lo > self.start, lo - 1, -1)
        grid = np.empty((len(days), m), np.int64)
        grid[:] = first
        ev_sid = self.keys // self._SHIFT
        ev_day = self.keys - ev_sid * self._SHIFT
        idx = np.flatnonzero((ev_day > days[0]) & (ev_day <= days[-1]))
        if len(idx):
            row = np.searchsorted(days, ev_day[idx], side="left")
            np.maximum.at(grid, (row, ev_sid[idx]), idx)
            np.maximum.accumulate(grid, axis=0, out=grid)
        if len(self._grids) >= self.YEAR_GRIDS:
            self._grids.pop(next(iter(self._grids)))
        self._grids[year] = hit = (i0, self._a1[grid], self._b0[grid])     # (A, B) in force, day by sid
        return hit

    def _window(self, sids, days):
        """(A, B) for ``days`` as :meth:`_at`; from the year grids when ``days`` are consecutive trading days."""
        cal = self._cal
        n = len(days)
        if cal is not None and n:
            i0 = int(np.searchsorted(cal, days[0]))
            if i0 + n <= len(cal) and cal[i0] == days[0] and cal[i0 + n - 1] == days[-1]:
                year = int(self._cal_year[i0])
                s = np.where(sids >= 0, sids, 0)
                parts_a, parts_b, row, left = [], [], i0, n
                while left:
                    g0, ga, gb = self._year_grid(year)
                    a = row - g0
                    take = min(left, len(ga) - a)
                    parts_a.append(ga[a:a + take, s])
                    parts_b.append(gb[a:a + take, s])
                    row, left, year = row + take, left - take, year + 1
                at = parts_a[0] if len(parts_a) == 1 else np.concatenate(parts_a)
                bt = parts_b[0] if len(parts_b) == 1 else np.concatenate(parts_b)
                unknown = sids < 0
                if unknown.any():                 # no data: the factors before any event
                    at[:, unknown] = 1.0
                    bt[:, unknown] = 0.0
                return at, bt
        return self._at(sids, days)

    def has_events(self, sids: np.ndarray) -> bool:
        if self._has is None:
            # Per sid (and a trailing False for sid −1): whether it has any event; and the 'pre' anchor
            # (A, B after its last event; 1, 0 without one).
            has = self.stop > self.start
            last = np.maximum(self.stop - 1, 0)
            self._has = np.append(has, False)
            self._pre_a = np.append(np.where(has, self.a[last] if len(self.a) else 1.0, 1.0), 1.0)
            self._pre_b = np.append(np.where(has, self.b[last] if len(self.b) else 0.0, 0.0), 0.0)
        return bool(self._has[sids].any())

    def _at(self, sids, days):
        """(A, B) in force on ``days`` ([n] ascending day numbers) for ``sids`` ([m]).

        Shaped [1, m] when no requested security has an event inside the window (the usual case: one
        lookup per security, broadcast over the rows), else [n, m]: only the securities with events inside
        the window get a per-row column, where each event marks the first row it applies to with its flat
        index and a running maximum down the rows carries it forward (flat indices grow with the date inside
        a security).  Flat index −1 (no event yet) picks the trailing A = 1, B = 0.
        """
        s = np.where(sids >= 0, sids, 0)
        base = s * self._SHIFT
        lo = np.searchsorted(self.keys, base + days[0], side="right")        # events up to the first row
        first = np.where((lo > self.start[s]) & (sids >= 0), lo - 1, -1)
        if len(days) == 1:
            return self._a1[first][None, :], self._b0[first][None, :]
        hi = np.searchsorted(self.keys, base + days[-1], side="right")
        counts = np.where(sids >= 0, hi - lo, 0)
        cols = np.flatnonzero(counts)
        if not len(cols):
            return self._a1[first][None, :], self._b0[first][None, :]
        grid = np.repeat(first[None, :], len(days), axis=0)
        sub = grid[:, cols]
        c = counts[cols]
        total = int(c.sum())
        col = np.repeat(np.arange(len(cols)), c)
        ev = np.arange(total) - np.repeat(np.cumsum(c) - c, c) + np.repeat(lo[cols], c)
        row = np.searchsorted(days, self.keys[ev] - base[cols][col], side="left")
        np.maximum.at(sub, (row, col), ev)
        np.maximum.accumulate(sub, axis=0, out=sub)
        grid[:, cols] = sub
        return self._a1[grid], self._b0[grid]

    def apply(self, data: dict, sids: np.ndarray, dates: np.ndarray, how: str, anchor, price_fields) -> dict:
        """Adjust ``data`` ({field: [n, m]}) in place for the codes ``sids`` observed on ``dates``.

        Price fields get ``(A_t·P + B_t − B_A) / A_A``; volume and money stay as traded (the spec adjusts
        prices only; docs/engine.md, "fq").
        """
        sids = np.asarray(sids, np.int64)
        if how not in ("pre", "post", "dypre"):
            raise ValueError(f"fq must be None, 'pre', 'post' or 'dypre', was {how!r}")
        if not len(self.keys) or not len(dates) or not self.has_events(sids):
            return data                    # nothing to adjust (an empty window: the data's first day)
        days = np.asarray(dates).astype("datetime64[D]").astype(np.int64)
        at, bt = self._window(sids, days)
        m = len(sids)
        if how == "post":
            aa, bb = np.ones(m), np.zeros(m)
        elif how == "pre":
            aa, bb = self._pre_a[sids], self._pre_b[sids]       # filled by has_events above
        else:
            day = np.datetime64(anchor, "D").astype(np.int64)
            aa, bb = (x[0] for x in self._window(sids, np.array([day], np.int64)))
        for f, v in data.items():
            if f in price_fields:
                out = at * v          # (A_t·P + B_t − B_A) / A_A, operation by operation as written
                out += bt
                out -= bb
                out /= aa
                data[f] = out
        return data
