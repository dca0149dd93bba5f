"""Market data and trading calendar: get_history, get_price, get_trading_day and friends (docs/ptrade-api.md §D.3, §D.4).

Reads go through the DataStore's dense arrays; pandas objects are built only for the return shape.
Nothing after the simulated clock is ever returned (see ``_clock``).
"""
from __future__ import annotations

import datetime as _dt
from collections import OrderedDict

import numpy as np
import pandas as pd

from ..data.codes import normalize_code
from ..data.resample import aggregate, group_starts, period_keys
from ..data.store import to_day, to_minute
from ..model.phases import ALL_PHASES, phases
from .history_frame import HistoryFrame

PRICE_FIELDS = ("open", "high", "low", "close", "volume", "money", "price")
DAILY_ONLY = ("preclose", "high_limit", "low_limit", "unlimited", "is_open")
ALL_FIELDS = PRICE_FIELDS + DAILY_ONLY
PRICE_LIKE = ("open", "high", "low", "close", "price", "preclose", "high_limit", "low_limit")

FREQUENCIES = {
    "1d": ("d", 1), "daily": ("d", 1), "1m": ("m", 1), "minute": ("m", 1),
    "5m": ("m", 5), "15m": ("m", 15), "30m": ("m", 30), "60m": ("m", 60), "120m": ("m", 120),
    "1w": ("W", 1), "weekly": ("W", 1), "mo": ("M", 1), "monthly": ("M", 1),
    "1q": ("Q", 1), "quarter": ("Q", 1), "1y": ("Y", 1), "yearly": ("Y", 1),
}
_PERIOD_DAYS = {"W": 5, "M": 23, "Q": 66, "Y": 250}
_HISTORY_PHASES = ("before", "handle", "after", "tick", "sched")


class Panel:
    """A minimal stand-in for ``pandas.Panel`` (removed from pandas): items × major_axis × minor_axis."""

    def __init__(self, frames: "OrderedDict[str, pd.DataFrame]"):
        self._frames = OrderedDict(frames)

    @property
    def items(self):
        return pd.Index(list(self._frames))

    @property
    def major_axis(self):
        return next(iter(self._frames.values())).index if self._frames else pd.Index([])

    @property
    def minor_axis(self):
        return next(iter(self._frames.values())).columns if self._frames else pd.Index([])

    def __getitem__(self, item):
        return self._frames[item]

    def __iter__(self):
        return iter(self._frames)

    def __len__(self):
        return len(self._frames)

    def swapaxes(self, axis1="minor_axis", axis2="items"):
        """Swap items and minor axis: ``panel.swapaxes('minor_axis', 'items')[code]`` is a dates × fields frame."""
        if {axis1, axis2} != {"minor_axis", "items"}:
            raise ValueError(f"only swapaxes('minor_axis', 'items') is supported, was ({axis1!r}, {axis2!r})")
        return Panel(OrderedDict((c, pd.DataFrame({f: df[c] for f, df in self._frames.items()}))
                                 for c in self.minor_axis))

    def __repr__(self):
        return (f"<Panel items: {list(self.items)}, major_axis: {len(self.major_axis)} rows, "
                f"minor_axis: {list(self.minor_axis)}>")


class MarketAPI:
    """get_history and get_price over the Runtime's DataStore."""

    def __init__(self, rt):
        self.rt = rt
        self._code_cache: dict = {}       # (item type, codes) -> (normalised items, sids)
        self._columns: dict = {}          # codes -> columns Index of panel frames (shared read-only data)

    # -- ARGUMENTS -----------------------------------------------------------------------------------

    def _codes(self, security, name):
        """(codes, single, sids) of a code argument.  A list seen before is answered from a cache keyed on its
        codes (a strategy passes the same universe every bar): no normalising, no sid lookups, no checks."""
        if security is None:
            security = list(self.rt.universe)
            single = False
        elif isinstance(security, str):
            security, single = [security], True
        elif isinstance(security, (list, tuple, np.ndarray, pd.Index)):
            security, single = list(security), False
        else:
            raise TypeError(f"{name} must be a str or a list of codes, was {security!r}")
        try:
            key = (type(security[0]) if security else None, tuple(security))
            hit = self._code_cache.get(key)
        except TypeError:                  # an unhashable item: the full path names it
            key = hit = None
        if hit is not None:
            fixes, sids = hit
            for i, c in fixes:
                security[i] = c
            return security, single, sids
        known = self.rt.store._sid
        try:
            # Whole-market lists arrive every day: short codes the store knows need no normalising.
            codes = [c if c in known else normalize_code(c) for c in security]
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{name}: {exc}") from None
        for c in codes:
            if c not in known:
                self.rt.warn_once(f"nodata:{c}", f"no market data for {c}; its values are NaN")
        sids = self.rt.store.sids(codes)
        sids.flags.writeable = False
        if key is not None:
            if len(self._code_cache) >= 256:
                self._code_cache.clear()
            self._code_cache[key] = ([(i, c) for i, (c, o) in enumerate(zip(codes, security)) if c is not o],
                                     sids)
        return codes, single, sids

    @staticmethod
    def _fields(field, name, kind, default):
        if field is None:
            field = list(default)
        single = isinstance(field, str)
        fields = [field] if single else list(field)
        for f in fields:
            if f not in ALL_FIELDS:
                raise ValueError(f"{name} must be among {', '.join(ALL_FIELDS)}, was {f!r}")
            if kind != "d" and kind not in ("W", "M", "Q", "Y") and f in DAILY_ONLY:
                raise ValueError(f"{name} {f!r} exists only for daily frequencies")
        return fields, single

    @staticmethod
    def _frequency(frequency):
        if frequency not in FREQUENCIES:
            raise ValueError(f"frequency must be one of {', '.join(FREQUENCIES)}, was {frequency!r}")
        return FREQUENCIES[frequency]

    @staticmethod
    def _count(count, required=True):
        if count is None and not required:
            return None
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count <= 0:
            raise ValueError(f"count must be an int > 0, was {count!r}")
        return int(count)

    # -- CLOCK ---------------------------------------------------------------------------------------

    def _today(self) -> np.datetime64:
        return self.rt.today()

    def _bars_done(self) -> int:
        """One-minute bars of today completed at the simulated clock."""
        rt = self.rt
        if rt.bar_index is None or rt.phase == "before":
            return 0
        if rt.bar_index >= 240 or rt.frequency == "1d" or rt.phase == "after":
            return 240
        return rt.bar_index + 1

    def _in_period(self) -> bool:
        """True while a bar is 'current' (handle/tick/sched during the session)."""
        return self.rt.phase not in ("before", "after", "init") and self._bars_done() > 0

    # -- READS ---------------------------------------------------------------------------------------

    def _need_minutes(self, day, fn, frequency):
        """Minute queries read the minute bars up to ``day``: refuse a day outside the minute data's span."""
        store = self.rt.store
        if store.has_minutes(day):
            return
        avail = store.minute_dates
        from ..errors import DataError
        span = f"{avail[0]} … {avail[-1]}" if len(avail) else "no days"
        raise DataError(f"{fn}(frequency={frequency!r}) on {day}: the data root {store.root} has minute bars "
                        f"for {span} only, so there are no minute bars up to {day} (import minute data for "
                        f"that period, or query daily bars)")

    def _daily(self, sids, fields, end_day, count=None, start_day=None):
        """Daily rows ending at ``end_day`` (inclusive): (dates, {field: [n, m]}), with derived fields."""
        store = self.rt.store
        raw = {"close" if f == "price" else f for f in fields if f != "unlimited"}
        if "unlimited" in fields:
            raw.add("high_limit")
        raw = sorted(raw)
        if start_day is not None:
            dates, rows = store.daily_range(sids, raw, start_day, end_day)
        else:
            dates, rows = store.daily_history(sids, raw, end_day, count, include_end=True)
        return dates, self._derive(rows, fields, daily=True, fresh=True)

    @staticmethod
    def _derive(rows, fields, daily, fresh=False):
        """The requested fields as float arrays.  ``fresh``: ``rows`` are the caller's own copies (the store's
        reads with sids), so a float field is handed on as it is instead of copied once more."""
        out = {}
        for f in fields:
            if f == "price":
                out[f] = rows["close"].astype(float)
            elif f == "unlimited":
                listed = ~np.isnan(rows["close"]) if "close" in rows else True
                out[f] = np.where(np.isnan(rows["high_limit"]) & listed, 1.0, 0.0)
            else:
                out[f] = rows[f].astype(float, copy=not fresh)
        return out

    def _today_partial(self, sids, fields, n_done):
        """Today's bar aggregated from its first ``n_done`` minutes (minute runs, include=True)."""
        store, day = self.rt.store, self._today()
        md = store.minute_day(day)
        mins = {f: getattr(md, "close" if f == "price" else f)[:n_done][:, sids] for f in
                ("open", "high", "low", "close", "volume", "money")}
        agg = aggregate(mins, np.array([0]))
        _, drow = store.daily_history(sids, ("preclose", "high_limit", "low_limit", "is_open"), day, 1)
        agg.update({k: drow[k].astype(float) for k in drow})
        agg["price"] = agg["close"]
        agg["unlimited"] = np.where(np.isnan(agg["high_limit"]), 1.0, 0.0)
        agg["is_open"] = np.where(agg["volume"] > 0, 1.0, 0.0)
        return {f: agg[f] for f in fields}

    def _minutes(self, sids, fields, end_dt, count):
        raw = sorted({"close" if f == "price" else f for f in fields})
        times, rows = self.rt.store.minute_history(sids, raw, end_dt, count)
        return times, self._derive(rows, fields, daily=False)

    def _apply_fq(self, sids, dates, data, fq):
        if fq is None:
            return data
        if fq not in ("pre", "post", "dypre"):
            raise ValueError(f"fq must be None, 'pre', 'post' or 'dypre', was {fq!r}")
        return self.rt.store.adjust_factors().apply(data, sids, dates, fq, self._today(), PRICE_LIKE)

    def _resample_minutes(self, sids, fields, end_dt, count, k, drop_current):
        times, rows = self._minutes(sids, fields + ["close"] if "close" not in fields else fields, end_dt,
                                    count * k + k)
        tod = (times - times.astype("datetime64[D]")).astype(np.int64)
        bar = np.searchsorted(np.concatenate([np.arange(571, 691), np.arange(781, 901)]), tod)
        keys = times.astype("datetime64[D]").astype(np.int64) * 1000 + bar // k
        starts = group_starts(keys)
        sizes = np.diff(np.append(starts, len(keys)))
        agg = aggregate(rows, starts)
        ends = np.append(starts[1:], len(keys)) - 1
        labels = times[ends]
        keep = np.ones(len(starts), bool)
        if len(starts) and (bar[0] % k) != 0:
            keep[0] = False  # a group cut by the fetch window
        if drop_current and len(starts):
            keep[-1] = keep[-1] and sizes[-1] == k
        idx = np.flatnonzero(keep)[-count:]
        # Label full groups by their scheduled end (e.g. 10:00 for 09:31-10:00).
        return labels[idx], {f: agg[f][idx] for f in fields}

    def _resample_days(self, sids, fields, dates, rows, unit, count, drop_current, today):
        keys = period_keys(dates, unit)
        starts = group_starts(keys)
        agg = aggregate(rows, starts)
        ends = np.append(starts[1:], len(keys)) - 1
        labels = dates[ends]
        keep = np.ones(len(starts), bool)
        if drop_current and len(starts) and keys[-1] == period_keys(np.array([today]), unit)[0]:
            keep[-1] = False
        idx = np.flatnonzero(keep)[-count:] if count else np.flatnonzero(keep)
        return labels[idx], {f: agg[f][idx] for f in fields}

    # -- SHAPES --------------------------------------------------------------------------------------

    def _index(self, times, minute) -> pd.DatetimeIndex:
        """The DatetimeIndex of ``times``, its data shared between calls asking for the same bars (a strategy
        asks for the same window for every stock of a bar)."""
        times = np.asarray(times)
        key = (minute, times.dtype.str, times.tobytes())
        cache = self.__dict__.setdefault("_index_cache", {})
        index = cache.get(key)
        if index is None:
            if len(cache) >= 64:
                cache.clear()
            index = cache[key] = self._new_index(times, minute)
        return index.view()      # a new Index object over the same data: setting .name stays on its frame

    def _new_index(self, times, minute) -> pd.DatetimeIndex:
        if not minute and len(times):
            # Daily windows are runs of trading days: a slice of one DatetimeIndex of the whole calendar (the
            # window slides one day at a time, so the cache above misses once a day).
            cal = self.rt.store.calendar
            i0 = int(np.searchsorted(cal, times[0]))
            i1 = i0 + len(times)
            if i1 <= len(cal) and np.array_equal(cal[i0:i1], times):
                full = self.__dict__.get("_calendar_index")
                if full is None or len(full) != len(cal):
                    full = self._calendar_index = pd.DatetimeIndex(cal.astype("datetime64[ns]"))
                return full[i0:i1]
        ns = times.astype("datetime64[ns]") if minute else times.astype("datetime64[D]").astype("datetime64[ns]")
        return pd.DatetimeIndex(ns)

    def _shape(self, codes, single_code, fields, single_field, times, data, is_dict, minute):
        index = self._index(times, minute)
        if is_dict:
            parts = [np.asarray(getattr(index, a), np.int64) for a in ("year", "month", "day", "hour", "minute")]
            stamp = parts[0] * 100_000_000 + parts[1] * 1_000_000 + parts[2] * 10_000 + parts[3] * 100 + parts[4]
            dtype = [("datetime", np.int64)] + [(f, np.int64 if f == "is_open" else np.float64) for f in fields]
            out = OrderedDict()
            for j, c in enumerate(codes):
                rec = np.empty(len(index), dtype=dtype)
                rec["datetime"] = stamp
                for f in fields:
                    rec[f] = np.nan_to_num(data[f][:, j], nan=0).astype(np.int64) if f == "is_open" else data[f][:, j]
                out[c] = rec
            return out
        if single_code:
            if "is_open" not in fields and len(set(fields)) == len(fields):   # float64: one 2-D block
                block = np.empty((len(index), len(fields)))
                for j, f in enumerate(fields):
                    block[:, j] = data[f][:, 0]
                cols = _COLUMNS.get(tuple(fields))
                if cols is None:
                    cols = _COLUMNS.setdefault(tuple(fields), pd.Index(fields, dtype=object))
                return pd.DataFrame(block, index=index, columns=cols.view(), copy=False)
            return pd.DataFrame({f: _col(f, data[f][:, 0]) for f in fields}, index=index)
        if self.rt.options.get("history_format", "long") == "panel":
            key = tuple(codes)
            columns = self._columns.get(key)
            if columns is None:
                if len(self._columns) >= 64:
                    self._columns.clear()
                columns = self._columns[key] = pd.Index(list(codes))
            frames = OrderedDict((f, pd.DataFrame(data[f], index=index, columns=columns.view())) for f in fields)
            return frames[fields[0]] if single_field else Panel(frames)
        if len(codes) == 0:
            return HistoryFrame(columns=["code", *fields])
        # One frame, rows grouped by code (Python 3.11 edition's long shape), built in one go: the
        # whole-market call (5,300 codes) is a per-day hot path of ranking strategies.
        n = len(index)
        long_index = index[np.tile(np.arange(n), len(codes))] if n else index[:0]
        cols = {"code": np.repeat(np.asarray(list(codes), dtype=object), n)}
        for f in fields:
            cols[f] = _col(f, np.ascontiguousarray(data[f].T).ravel())
        return HistoryFrame.build(cols, long_index, list(codes), n, fields[0] if single_field else None)

    # -- API -----------------------------------------------------------------------------------------

    @phases(*_HISTORY_PHASES)
    def get_history(self, count, frequency="1d", field="close", security_list=None, fq=None, include=False,
                    fill="nan", is_dict=False):
        """get_history: the last ``count`` bars of one or more securities up to the simulated clock.

        Parameters
        ----------
        count : int
            Number of bars (> 0).
        frequency : str
            '1m', '5m', '15m', '30m', '60m', '120m', '1d', '1w'/'weekly', 'mo'/'monthly', '1q'/'quarter',
            '1y'/'yearly'.
        field : str or list of str
            open, high, low, close, volume, money, price; daily only: preclose, high_limit, low_limit,
            unlimited, is_open.
        security_list : str or list of str, optional
            Codes in any suffix form; None = the universe.
        fq : {None, 'pre', 'post', 'dypre'}
            Price adjustment (§H.8); 'dypre' is anchored at the simulated date.
        include : bool
            Include the current, still running period: a daily run at 15:00 with False ends at T−1; a minute
            bar t with False ends at t−1; '1d' in a minute run with True appends today's partial bar.
        fill : str
            Live only; ignored in backtest.
        is_dict : bool
            Return an OrderedDict code -> structured array (first field 'datetime' as int YYYYmmddHHMM).

        Returns
        -------
        DataFrame, Panel or OrderedDict
            Single code: dates × fields.  List of codes: a long DataFrame with a 'code' column
            (``history_format='long'``, default) or, with ``history_format='panel'``, dates × codes for one
            field and a Panel for several.

        Raises
        ------
        ValueError
            For a bad count, frequency, field, fq or code (naming the parameter and the value).

        Differences from Ptrade
        -----------------------
        Minute history skips days the data root has no minute file for inside the span its minute data
        covers; a minute query on a simulated day outside that span raises ``DataError`` (it would otherwise
        answer with bars from another year).
        """
        count = self._count(count)
        kind, k = self._frequency(frequency)
        fields, single_field = self._fields(field, "field", kind, ())
        codes, single_code, sids = self._codes(security_list, "security_list")
        today = self._today()
        n_done = self._bars_done()
        current = self.rt.phase not in ("before", "after", "init") and n_done > 0     # _in_period()
        minute = kind == "m"
        if minute:
            self._need_minutes(today, "get_history", frequency)
            n_used = n_done - 1 if (current and not include and k == 1) else n_done
            end = today.astype("datetime64[m]") + np.timedelta64(9 * 60 + 30, "m")
            if n_used > 0:
                end = self.rt.store.minute_day(today).times[n_used - 1] if self.rt.store.has_minutes(today) else \
                    today.astype("datetime64[m]") + np.timedelta64(int(_MINUTE_OFFSETS[n_used - 1]), "m")
            else:
                end = end - np.timedelta64(1, "m")
            if k == 1:
                times, data = self._minutes(sids, fields, end, count)
            else:
                times, data = self._resample_minutes(sids, fields, end, count, k, current and not include)
        else:
            today_complete = n_done == 240 and (self.rt.frequency == "1d" or self.rt.phase == "after")
            full_today = include and today_complete
            prev = today - np.timedelta64(1, "D")
            need = count if kind == "d" else (count + 1) * _PERIOD_DAYS[kind] * k
            if full_today:
                times, data = self._daily(sids, fields, today, need)
            else:
                times, data = self._daily(sids, fields, prev, need)
                if include and current and n_done > 0 and self.rt.store.has_minutes(today):
                    part = self._today_partial(sids, fields, n_done)
                    times = np.append(times, today)
                    data = {f: np.vstack([data[f], part[f]]) for f in fields}
            if kind != "d":
                times, data = self._resample_days(sids, fields, times, data, kind, count,
                                                  not include, today)
            if len(times) > count:
                times, data = times[-count:], {f: v[-count:] for f, v in data.items()}
        data = self._apply_fq(sids, times, data, fq)
        return self._shape(codes, single_code, fields, single_field, times, data, is_dict, minute)

    @phases(*_HISTORY_PHASES)
    def get_price(self, security, start_date=None, end_date=None, frequency="1d", fields=None, fq=None, count=None,
                  is_dict=False):
        """get_price: bars of one or more securities in a date range or the last ``count`` bars, never the current day.

        Parameters
        ----------
        security : str or list of str
        start_date, end_date : str or date, optional
            'YYYYmmdd', 'YYYY-mm-dd', 'YYYY-mm-dd HH:MM', 'YYYYmmddHHMM'.  Exactly one of start_date and count.
            end_date defaults to the last completed trading day and is clipped to it.
        frequency : str
            As get_history ('daily' accepted); weekly and longer take only end_date + count.
        fields : str or list of str, optional
            Default: all fields of the frequency.
        fq : {None, 'pre', 'post', 'dypre'}
        count : int, optional
        is_dict : bool

        Returns
        -------
        DataFrame, Panel or OrderedDict, shaped as get_history.

        Raises
        ------
        ValueError
            For bad arguments, naming the parameter and the value.

        Differences from Ptrade
        -----------------------
        Minute ranges skip days without minute data in the data root.
        """
        kind, k = self._frequency(frequency)
        default = PRICE_FIELDS + (DAILY_ONLY if kind != "m" else ())
        flds, single_field = self._fields(fields, "fields", kind, default)
        codes, single_code, sids = self._codes(security, "security")
        if (start_date is None) == (count is None):
            raise ValueError(f"give exactly one of start_date and count, were start_date={start_date!r}, count={count!r}")
        count = self._count(count, required=False)
        if kind in ("W", "M", "Q", "Y") and start_date is not None:
            raise ValueError(f"frequency {frequency!r} takes end_date and count, not start_date")
        cal = self.rt.store.calendar
        today = self._today()
        last_done = cal[max(0, int(np.searchsorted(cal, today)) - 1)]
        minute = kind == "m"
        if minute:
            cap = last_done.astype("datetime64[m]") + np.timedelta64(15 * 60, "m")
            end = cap if end_date is None else min(to_minute(end_date), cap)
            if start_date is not None:
                start = _start_minute(start_date)
                n = self._minutes_between(start, end)
                times, data = self._minutes(sids, flds, end, max(n, 1)) if n else (np.array([], "datetime64[m]"), {f: np.empty((0, len(sids))) for f in flds})
                keep = times >= start
                times, data = times[keep], {f: v[keep] for f, v in data.items()}
                if k > 1:
                    times, data = self._resample_minutes(sids, flds, end, max(1, len(times) // k), k, False)
            elif k == 1:
                times, data = self._minutes(sids, flds, end, count)
            else:
                times, data = self._resample_minutes(sids, flds, end, count, k, False)
        else:
            end = last_done if end_date is None else min(to_day(end_date), last_done)
            if kind == "d":
                times, data = self._daily(sids, flds, end, count,
                                          None if start_date is None else to_day(start_date))
            else:
                times, data = self._daily(sids, flds, end, (count + 1) * _PERIOD_DAYS[kind])
                times, data = self._resample_days(sids, flds, times, data, kind, count, False, today)
        data = self._apply_fq(sids, times, data, fq)
        return self._shape(codes, single_code, flds, single_field, times, data, is_dict, minute)

    def _minutes_between(self, start, end) -> int:
        store = self.rt.store
        days = store.minute_dates[(store.minute_dates >= start.astype("datetime64[D]"))
                                  & (store.minute_dates <= end.astype("datetime64[D]"))]
        return 240 * len(days)


_COLUMNS: dict = {}      # field tuple -> columns Index (immutable, shared by single-code frames)

_MINUTE_OFFSETS = np.concatenate([np.arange(9 * 60 + 31, 11 * 60 + 31), np.arange(13 * 60 + 1, 15 * 60 + 1)])


def _start_minute(value) -> np.datetime64:
    text = str(value)
    if isinstance(value, (_dt.date,)) and not isinstance(value, _dt.datetime) or (len(text) in (8, 10) and ":" not in text):
        return to_day(value).astype("datetime64[m]")
    return to_minute(value)


def _col(field, values):
    # is_open is numpy.int64 in Ptrade (0 where there is no data).
    return np.nan_to_num(values, nan=0).astype(np.int64) if field == "is_open" else values


# -- CALENDAR --------------------------------------------------------------------------------------------

class CalendarAPI:
    """Trading-calendar functions (docs/ptrade-api.md §D.3); dates are ``datetime.date``."""

    def __init__(self, rt):
        self.rt = rt

    def _ref(self):
        rt = self.rt
        if rt.trade_date is not None:
            return to_day(rt.trade_date)
        if rt.now is not None:
            return to_day(rt.now)
        return rt.store.calendar[-1]

    def _shift(self, ref, day):
        cal = self.rt.store.calendar
        if isinstance(day, bool) or not isinstance(day, (int, np.integer)):
            raise ValueError(f"day must be an int, was {day!r}")
        i = int(np.searchsorted(cal, ref, side="right")) - 1
        is_trading = i >= 0 and cal[i] == ref
        j = i + day if (is_trading or day >= 0) else i + day + 1
        if j < 0 or j >= len(cal):
            return None
        return cal[j].astype(object)

    @phases("init", "before", "handle", "after", "tick", "sched")
    def get_trading_day(self, day=0):
        """get_trading_day: the trading day ``day`` trading days after (or before, if negative) the simulated date.

        Parameters
        ----------
        day : int
            0 = the simulated date if it is a trading day, else the previous trading day.

        Returns
        -------
        datetime.date or None
            None beyond the calendar.
        """
        return self._shift(self._ref(), day)

    @phases(*ALL_PHASES)
    def get_all_trades_days(self, date=None):
        """get_all_trades_days: all trading days up to and including ``date`` (default: the simulated date).

        Returns
        -------
        numpy.ndarray of datetime.date
        """
        end = self._ref() if date is None else _parse_day(date, "date")
        cal = self.rt.store.calendar
        return cal[cal <= end].astype(object)

    @phases(*ALL_PHASES)
    def get_trade_days(self, start_date=None, end_date=None, count=None):
        """get_trade_days: trading days in [start_date, end_date] or the ``count`` days ending at end_date.

        Parameters
        ----------
        start_date, end_date : str or date, optional
            end_date defaults to the simulated date.  Give start_date or count, not both.
        count : int, optional

        Returns
        -------
        numpy.ndarray of datetime.date

        Raises
        ------
        ValueError
            If both start_date and count are given, or count is not a positive int.
        """
        if start_date is not None and count is not None:
            raise ValueError(f"give start_date or count, not both (start_date={start_date!r}, count={count!r})")
        end = self._ref() if end_date is None else _parse_day(end_date, "end_date")
        cal = self.rt.store.calendar
        upto = cal[cal <= end]
        if count is not None:
            if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count <= 0:
                raise ValueError(f"count must be an int > 0, was {count!r}")
            return upto[-int(count):].astype(object)
        if start_date is not None:
            upto = upto[upto >= _parse_day(start_date, "start_date")]
        return upto.astype(object)

    @phases("init", "before", "handle", "after", "tick", "sched")
    def get_trading_day_by_date(self, query_date, day=0):
        """get_trading_day_by_date: like get_trading_day, relative to ``query_date``.

        Returns
        -------
        datetime.date or None
            A 'YYYYmmdd' str instead with the run option ``trading_day_by_date_format='str'``.
        """
        out = self._shift(_parse_day(query_date, "query_date"), day)
        if out is not None and self.rt.options.get("trading_day_by_date_format") == "str":
            return out.strftime("%Y%m%d")
        return out


def _parse_day(value, name):
    try:
        return to_day(value)
    except (ValueError, TypeError):
        raise ValueError(f"{name} must be a date like '20240102' or '2024-01-02', was {value!r}") from None
