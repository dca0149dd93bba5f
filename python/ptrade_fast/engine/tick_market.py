"""The market view of a tick replay: current prices from the latest snapshots, and minute bars derived from
the snapshots for securities the day's minute file lacks (``handle_data`` in a tick run, docs/engine.md)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..model.units import SCALE
from .market_view import MarketView


class TickMarketView(MarketView):
    """The market view of a tick run: the current price of a security is its latest snapshot's last price;
    a minute bar of a security the minute file lacks is derived from its snapshots."""

    replay = None                                    # set by TickReplay

    def start_day(self, k: int):
        super().start_day(k)
        if self.replay is not None:
            self.replay.active = False               # yesterday's snapshots no longer answer

    def current_price(self, sid: int) -> float:
        rp = self.replay
        if rp is not None and rp.active:
            j = rp.sid_pos.get(sid)
            if j is not None:
                row = rp.cursor.snap[rp.step, j]
                if row >= 0 and rp.cursor.day.last[row] > 0:
                    return rp.cursor.day.last[row] / SCALE
        return super().current_price(sid)

    def load_minutes(self, day):
        has = super().load_minutes(day)
        rp = self.replay
        if rp is None or not rp.active:
            return has
        fields = None
        for sid, j in rp.sid_pos.items():
            if self.md.has_data[sid]:
                continue
            bars = derived_minutes(rp.cursor.day, j)
            if bars is None:
                continue
            if fields is None:                        # the file's arrays are shared: copy before writing
                fields = {k: np.array(v, dtype=float) for k, v in self.minute_fields.items()}
            for f, v in bars.items():
                fields[f][:, sid] = v
            has[sid] = 1
        if fields is None:
            return has
        self.minute_fields = fields
        self._rows["is_open"] = (self.win.is_open[self.di] & has).astype(np.uint8)
        return has


def derived_minutes(day, j: int) -> dict | None:
    """The 240 one-minute bars of the ``j``-th code of a TickDay from its snapshots: open/high/low = first,
    highest and lowest last price of the minute's snapshots that traded, close = last price at the bar end
    (carried over minutes without trades), volume and money = the growth of the cumulative volume and
    turnover.  Snapshots before 09:30 count in the first bar, those of the lunch break in 13:01's."""
    a, b = int(day.start[j]), int(day.start[j + 1])
    if b <= a:
        return None
    ms = day.time[a:b]
    minute = -(-ms // 60_000)                        # the minute the snapshot falls in (bar end)
    bar = np.where(minute <= 9 * 60 + 31, 0, np.where(minute <= 11 * 60 + 30, minute - (9 * 60 + 31),
                   np.where(minute <= 13 * 60 + 1, 120, np.minimum(minute - (13 * 60 + 1) + 120, 239))))
    last = day.last[a:b] / SCALE
    vol = np.diff(np.r_[0, day.volume[a:b]])
    money = np.diff(np.r_[0.0, day.balance[a:b]])
    volume = np.bincount(bar, vol, 240)
    out = {"volume": volume, "money": np.bincount(bar, money, 240)}
    traded = vol > 0
    close = np.full(240, np.nan)
    close[bar] = last                                  # later snapshots overwrite: the bar's last one
    close = pd.Series(close).ffill().to_numpy()
    first_px = last[0] if len(last) else np.nan
    close[np.isnan(close)] = first_px
    o = np.full(240, np.nan)
    h = np.full(240, -np.inf)
    lo = np.full(240, np.inf)
    tb, tp = bar[traded], last[traded]
    o[tb[::-1]] = tp[::-1]                             # the first traded snapshot of each bar
    np.maximum.at(h, tb, tp)
    np.minimum.at(lo, tb, tp)
    none = volume == 0
    o[none] = close[none]
    h[none] = close[none]
    lo[none] = close[none]
    out.update(open=o, high=h, low=lo, close=close)
    return out
