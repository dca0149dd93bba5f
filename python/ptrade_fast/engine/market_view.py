"""The market view: the current day's and bar's rows of every security, as the strategy and the order
router see them.

It owns the daily window (a calendar year of the store's arrays, or ``window_days`` copied days), the index of
today in it, today's limits and tradability as kernel arrays, the row views behind ``data[code]``, the
latest price of a security at the simulated time, and each security's listing state.  Nothing here
changes the account.
"""
from __future__ import annotations

import datetime as _dt

import numpy as np

from ..data.codes import normalize_code
from ..model import BarDict
from ..model.units import SCALE


def to_kernel_prices(a: np.ndarray) -> np.ndarray:
    """Float prices (≥ 0, NaN allowed) → int64 kernel prices rounded half up at 1e-4, NaN → 0.

    Runs on whole [240, n_sids] days of a minute run: in place, one temporary."""
    out = np.multiply(a, SCALE)
    out += 0.5
    np.floor(out, out=out)
    out[~np.isfinite(out)] = 0.0
    return out.astype(np.int64)


_ROW_FIELDS = ("open", "high", "low", "close", "volume", "money", "preclose", "high_limit", "low_limit", "is_open")


class MarketView:
    """Today's rows of the store for one run (see the module docstring)."""

    def __init__(self, rt, store, settings, inst, days, options):
        self.rt = rt
        self.store = store
        self.settings = settings          # StrategySettings: the universe
        self.inst = inst                  # instrument arrays by sid (delist dates)
        self.days = days
        self.options = options
        self.win = None                   # daily window (arrays [days, n_sids])
        self.di = 0                       # today's row in the window
        self.md = None                    # today's minute arrays ([240, n_sids]) in a minute run
        self.high_limit_raw = None        # today's limits and tradability, kernel units
        self.low_limit_raw = None
        self.open_today = None
        self._win_last = -1
        self._rows: dict = {}
        self._rows_key = None             # (window, day row) the day rows in _rows were built for
        self._kernel: dict = {}           # whole-window kernel arrays (see _kernel_of)
        self.minute_fields: dict = {}     # today's [240, n_sids] fields behind data[code] (minute runs)
        self._bar_dt = None
        self._day_entries = None

    # -- the window ------------------------------------------------------------------------------
    def load_window(self, day_index: int):
        """Make the daily arrays holding days[day_index:] current (bounded memory).

        By default one calendar year at a time, as views of the store's cached year (no copy); with
        ``window_days`` set, a copied window of that many trading days (tests use 1)."""
        d0 = self.days[day_index]
        wd = self.options.get("window_days")
        if wd is None and d0 != self.store.calendar[0].astype(object):
            self.win = self.store.year_window(d0.year)
            last = day_index
            while last + 1 < len(self.days) and self.days[last + 1].year == d0.year:
                last += 1
        else:
            cal = self.store.calendar
            pos = int(np.searchsorted(cal, np.datetime64(d0, "D")))
            start = cal[max(pos - 1, 0)].astype(object)
            last = min(day_index + int(wd or 260) - 1, len(self.days) - 1)
            self.win = self.store.daily_window(start, self.days[last])
        self._win_index = {d.astype(object): i for i, d in enumerate(self.win.dates)}
        self._win_last = last
        self._kernel = {}                 # whole-window kernel arrays, made on first use (see _kernel_of)
        self._rows_key = None
        # The close of the trading day before the window's first day (for "previous close" on its day 0).
        cal = self.store.calendar
        i0 = int(np.searchsorted(cal, self.win.dates[0])) if len(self.win.dates) else 0
        self._win_prev_close = (self.store._daily_rows(i0 - 1, i0, ("close",))["close"][0] if i0 > 0
                                else np.full(self.store.n_sids, np.nan))

    def prev_close_row(self, di: int | None = None) -> np.ndarray:
        di = self.di if di is None else di
        return self.win.close[di - 1] if di > 0 else self._win_prev_close

    def start_day(self, k: int):
        """Point the view at trading day ``days[k]``: window row, limits and tradability as kernel arrays."""
        if self.win is None or k > self._win_last:
            self.load_window(k)
        w = self.win
        self.di = di = self._win_index[self.days[k]]
        self.md = None
        self._day_entries = None
        self.high_limit_raw = self._kernel_of("high_limit")[di]
        self.low_limit_raw = self._kernel_of("low_limit")[di]
        self.open_today = self._kernel_of("open_today")[di]

    def _kernel_of(self, name: str) -> np.ndarray:
        """``name`` for every day of the window in the kernels' units, converted once per window (the same
        element-wise conversion as one day at a time): the start of a day and a daily bar take row views.
        Kernels only read them."""
        a = self._kernel.get(name)
        if a is None:
            w = self.win
            if name == "open_today":
                a = (w.is_open & w.listed).astype(np.uint8)
            elif name == "valid":                     # has a daily bar: listed with a close
                a = (w.listed & np.isfinite(w.close)).astype(np.uint8)
            elif name == "volume":
                a = np.nan_to_num(w.volume).astype(np.int64)
            elif name in ("reference", "reference_valid"):
                prev = np.empty_like(w.preclose)
                if len(prev):
                    prev[0] = self._win_prev_close
                    prev[1:] = w.close[:-1]
                ref = np.where(np.isfinite(w.preclose), w.preclose, prev)
                self._kernel["reference"] = to_kernel_prices(ref)
                self._kernel["reference_valid"] = np.isfinite(ref).astype(np.uint8)
                return self._kernel[name]
            else:
                a = to_kernel_prices(getattr(w, name))
            self._kernel[name] = a
        return a

    def reference_close(self) -> np.ndarray:
        """Today's reference previous close (the ex-rights price on an ex-date), else yesterday's close."""
        w, di = self.win, self.di
        return np.where(np.isfinite(w.preclose[di]), w.preclose[di], self.prev_close_row(di))

    def reference_close_kernel(self) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`reference_close` in kernel prices, and where it is a price (uint8)."""
        return self._kernel_of("reference")[self.di], self._kernel_of("reference_valid")[self.di]

    def day_bar_kernel(self) -> tuple:
        """Today's daily bar for the kernels: close, high, low (kernel prices), volume (int) and valid (uint8)."""
        di = self.di
        return (self._kernel_of("close")[di], self._kernel_of("high")[di], self._kernel_of("low")[di],
                self._kernel_of("volume")[di], self._kernel_of("valid")[di])

    def load_minutes(self, day):
        """Today's minute arrays and the ``data[code]`` fields for them; returns ``has_data`` as uint8."""
        md = self.md = self.store.minute_day(day)
        w, di = self.win, self.di
        has = md.has_data.astype(np.uint8)
        self._rows_key = None                    # the minute rows replace the day rows from here on
        self._rows["is_open"] = (w.is_open[di] & has).astype(np.uint8)
        self.minute_fields = self._minute_fields(md, w.listed[di], self.prev_close_row(di))
        return has

    # -- what the API families ask ---------------------------------------------------------------
    def listing_state(self, sid: int) -> str:
        if self.win is None:
            return "listed"
        if self.win.listed[self.di, sid]:
            return "listed"
        dl = self.inst["delist_date"][sid]
        if not np.isnat(dl) and np.datetime64(self.rt.trade_date, "D") >= dl:   # the delisting day included
            return "delisted"
        return "not_listed"

    def day_is_open(self, sid: int) -> bool:
        return self.win is not None and bool(self.win.is_open[self.di, sid])

    def day_limits(self, sid: int) -> tuple[int, int]:
        """Today's (high, low) limit of ``sid`` in kernel units; (0, 0) before the first day."""
        if self.win is None:
            return 0, 0
        return int(self.high_limit_raw[sid]), int(self.low_limit_raw[sid])

    def is_tradable_code(self, security) -> bool:
        try:
            sid = self.store.sid(normalize_code(security))
        except (ValueError, TypeError):
            return False
        return sid >= 0 and self.listing_state(sid) == "listed" and self.day_is_open(sid)

    def current_price(self, sid: int) -> float:
        """Latest unadjusted price at the simulated time (previous close before the open)."""
        w, di = self.win, self.di
        if w is None:
            return 0.0
        bi = self.rt.bar_index
        if bi is None:
            v = self.prev_close_row(di)[sid]
        elif self.rt.frequency == "1m" and bi < 240 and self.md is not None and self.md.has_data[sid]:
            v = self.md.close[bi, sid]
        else:
            v = w.close[di, sid]
            if bi is not None and bi < 240 and self.rt.frequency == "1m":
                v = self.prev_close_row(di)[sid]
        return float(v) if np.isfinite(v) else 0.0

    # -- data[code] ------------------------------------------------------------------------------
    def bar_field(self, name: str, sid: int):
        """One field of the current bar of ``sid`` (``data[code].<name>``); runs per access, so it is a
        lookup in the row views :meth:`set_day_rows` / :meth:`set_minute_rows` prepared."""
        if name == "dt":
            return self._bar_dt
        v = self._rows[name][sid]
        return int(v) if name == "is_open" else float(v)

    def set_day_rows(self):
        """Row views of the current day for ``data[code]`` in a daily run (and before/after the session)."""
        w, di = self.win, self.di
        if self._rows_key != (id(w), di):        # twice a day (the bar, then after the close): build once
            self._rows = {f: getattr(w, f)[di] for f in _ROW_FIELDS}
            self._rows["price"] = self._rows["close"]
            self._rows_key = (id(w), di)
        self._bar_dt = _dt.datetime.combine(self.rt.trade_date, _dt.time(0, 0))

    def _minute_fields(self, md, listed_row, prev_close):
        """The day's [240, n_sids] minute fields for ``data``: a listed security without minute bars that day
        shows flat bars at its previous close with volume 0 (as a suspended one does)."""
        fields = {f: getattr(md, f) for f in ("open", "high", "low", "close", "volume", "money")}
        gap = (listed_row == 1) & np.isnan(md.close[0]) & np.isfinite(prev_close)
        if gap.any():
            for f in ("open", "high", "low", "close"):
                fields[f] = np.where(gap[None, :], prev_close[None, :], fields[f])
            for f in ("volume", "money"):
                fields[f] = np.where(gap[None, :], 0.0, fields[f])
        return fields

    def set_minute_rows(self, b: int):
        rows = self._rows
        self._rows_key = None
        for f, block in self.minute_fields.items():
            rows[f] = block[b]
        rows["price"] = rows["close"]
        self._bar_dt = self.rt.now

    def universe_changed(self):
        self._day_entries = None

    def _entries(self) -> dict[str, int]:
        if self._day_entries is None:
            entries = {}
            for code in self.settings.universe:
                sid = self.store.sid(code)
                if sid >= 0 and self.win is not None and self.win.listed[self.di, sid]:
                    entries[code] = sid
            self._day_entries = entries
        return self._day_entries

    def _listed_sid(self, code: str):
        """``data[code]`` outside the universe (§0.1a-5): the sid of a code listed today, else None."""
        sid = self.store.sid(code)
        if sid >= 0 and self.win is not None and self.win.listed[self.di, sid]:
            return sid
        return None

    def _why_missing(self, code: str) -> str:
        sid = self.store.sid(code)
        if sid < 0:
            return f"unknown code: no bars for it in data root {self.store.root}"
        return f"not listed on {self.rt.trade_date}"

    def bar_data(self) -> BarDict:
        """``data`` for ``handle_data``: the universe's current bars, and any listed code on first access."""
        return BarDict(self, self._entries(), normalize_code, self._why_missing, self._listed_sid)

    def empty_data(self) -> BarDict:
        """``data`` for ``before_trading_start`` / ``after_trading_end``."""
        return BarDict(self, {}, normalize_code)
