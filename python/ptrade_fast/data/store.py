"""DataStore: read a data root (docs/data-format.md) as dense per-sid NumPy arrays.

Every security with any daily or minute bar gets a security id (``sid``), its position in the sorted
``codes`` array.  Daily data is read one year file at a time and cached as dense ``[days, n_sids]``
arrays; minute data is read one day file at a time (never the whole history).  Missing data is NaN:
before a security's first bar, after its last bar, and for fields the source lacks (index minute volume,
stock minute money in the real time-share).  Suspended days inside a series are stored rows with
``is_open`` 0, OHLC = previous close and volume 0, so no fill happens at read time.

Futures are ordinary sids (type ``future``).  Their ``settlement`` and ``open_interest`` are NaN for every
other security; a file without futures columns is read as all NaN through a read-only broadcast view, so
roots without futures pay no memory for them.
"""
from __future__ import annotations

import datetime as _dt
import json
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import DataError
from . import checks as _checks
from .bundle import resolve_root
from .codes import normalize_code
from .format import DAILY_FIELDS, MINUTE_FIELDS, minute_path, read_bars

# Bar-end labels of the 240 one-minute bars, as minutes after midnight: 09:31 … 11:30, 13:01 … 15:00.
MINUTE_OFFSETS = np.concatenate([np.arange(9 * 60 + 31, 11 * 60 + 31), np.arange(13 * 60 + 1, 15 * 60 + 1)])
_BAR_OF_MINUTE = np.full(24 * 60, -1, np.int64)
_BAR_OF_MINUTE[MINUTE_OFFSETS] = np.arange(240)

FUTURES_DAILY_FIELDS = ("settlement", "open_interest")
DAILY_ARRAY_FIELDS = DAILY_FIELDS + ("is_open", "listed") + FUTURES_DAILY_FIELDS
DOMINANT_PATH = "futures/dominant.parquet"


def _nan_view(shape) -> np.ndarray:
    """A read-only all-NaN array of ``shape`` that costs no memory (fields a file lacks)."""
    return np.broadcast_to(np.float64(np.nan), shape)


def to_day(value) -> np.datetime64:
    """Any date-like ('2019-01-02', '20190102', date, datetime, Timestamp, datetime64) -> datetime64[D]."""
    if isinstance(value, np.datetime64):
        return value.astype("datetime64[D]")
    if isinstance(value, (_dt.date, pd.Timestamp)):
        return np.datetime64(pd.Timestamp(value).date(), "D")
    text = str(value).strip()
    if len(text) >= 8 and text[:8].isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:8]}"
    try:
        return np.datetime64(pd.Timestamp(text).date(), "D")
    except (ValueError, TypeError, OverflowError):
        raise ValueError(f"cannot read {value!r} as a date: use 'YYYY-mm-dd' or 'YYYYmmdd'") from None


def to_minute(value) -> np.datetime64:
    """Any datetime-like -> datetime64[m] (a bare date means 15:00 of that day)."""
    if isinstance(value, np.datetime64):
        return value.astype("datetime64[m]")
    if isinstance(value, _dt.datetime):
        return np.datetime64(pd.Timestamp(value).to_datetime64(), "m")
    if isinstance(value, _dt.date):
        return np.datetime64(value, "D").astype("datetime64[m]") + np.timedelta64(15 * 60, "m")
    text = str(value).strip()
    if text.isdigit() and len(text) == 12:
        text = f"{text[:4]}-{text[4:6]}-{text[6:8]} {text[8:10]}:{text[10:12]}"
    elif text.isdigit() and len(text) == 8:
        return to_day(text).astype("datetime64[m]") + np.timedelta64(15 * 60, "m")
    try:
        ts = pd.Timestamp(text)
    except (ValueError, TypeError, OverflowError):
        raise ValueError(f"cannot read {value!r} as a date or time: use 'YYYY-mm-dd', 'YYYY-mm-dd HH:MM' or "
                         f"'YYYYmmddHHMM'") from None
    if len(text) <= 10:
        ts = ts + pd.Timedelta(hours=15)
    return np.datetime64(ts.to_datetime64(), "m")


_ALL_BARS = np.arange(240)


@dataclass
class DailyWindow:
    """Dense daily arrays for ``dates`` × all sids (float64; ``is_open``/``listed`` uint8)."""
    dates: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    money: np.ndarray
    preclose: np.ndarray
    high_limit: np.ndarray
    low_limit: np.ndarray
    is_open: np.ndarray
    listed: np.ndarray
    settlement: np.ndarray      # futures daily settlement price (NaN for other securities)
    open_interest: np.ndarray   # futures open interest in contracts (NaN for other securities)


@dataclass
class MinuteDay:
    """One trading day of 1-minute bars: ``times`` (240 bar-end labels) × all sids."""
    date: np.datetime64
    times: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    money: np.ndarray
    has_data: np.ndarray
    open_interest: np.ndarray = None  # futures open interest after the bar (NaN elsewhere; read-only view if none)


class DataStore:
    """Read-only view of one data root.  Use :meth:`open`."""

    YEAR_CACHE = 8
    MINUTE_CACHE = 4

    def __init__(self, root: Path, data_checks: str = "error"):
        self.root = Path(root)
        try:
            self.meta = json.loads((self.root / "meta.json").read_text(encoding="utf-8"))
        except ValueError as exc:
            raise DataError(f"data root {self.root}: meta.json is not valid JSON ({exc})") from None
        _checks.check_format(self.meta, self.root)
        for name in ("calendar.parquet", "instruments.parquet"):
            if not (self.root / name).is_file():
                raise DataError(f"data root {self.root} has no {name}: the root is incomplete (re-import or "
                                f"regenerate it; docs/data-format.md lists the files of a root)")
        if data_checks not in _checks.MODES:
            raise ValueError(f"data_checks must be one of {', '.join(_checks.MODES)}, was {data_checks!r}")
        self.data_checks = data_checks
        self.warn = None                  # set by the run: where 'warn'-mode findings are logged
        cal = pq.read_table(self.root / "calendar.parquet").column("date").to_numpy()
        self.calendar = np.asarray(cal).astype("datetime64[D]")
        # Each calendar row's year and its row inside that year's arrays: a window inside one year is one
        # slice of the cached year (the per-call path of get_history).
        years = self.calendar.astype("datetime64[Y]").astype(np.int64) + 1970
        self._cal_year = years
        first = np.searchsorted(years, years, side="left")
        self._cal_row = np.arange(len(years)) - first
        inst = pq.read_table(self.root / "instruments.parquet").to_pandas()
        # Futures columns exist only in roots with futures; give every root the same columns.
        for col, empty in (("product", None), ("multiplier", np.nan), ("delivery_date", pd.NaT)):
            if col not in inst:
                inst[col] = empty
        for col in ("list_date", "delist_date", "daily_start", "daily_end", "delivery_date"):
            if col in inst:
                inst[col] = pd.to_datetime(inst[col])
        self.instruments = inst.set_index("code", drop=False)
        self.instruments.index.name = None
        with_bars = inst["has_daily"].astype(bool) | inst["has_minute"].astype(bool)
        self.codes = np.array(sorted(inst.loc[with_bars, "code"]), dtype=object)
        self.n_sids = len(self.codes)
        self._sid = {c: i for i, c in enumerate(self.codes)}
        self._years: OrderedDict[int, dict] = OrderedDict()
        self._minutes: OrderedDict[np.datetime64, MinuteDay] = OrderedDict()
        self._arrays = None
        self._exrights = None
        self._factors = None
        self._dominant = None
        mdir = self.root / "minute"
        days = sorted(p.stem for p in mdir.glob("*/*.parquet")) if mdir.is_dir() else []
        self.minute_dates = np.array(days, dtype="datetime64[D]")

    @classmethod
    def open(cls, root=None, data_checks: str = "error") -> "DataStore":
        """Open a data root: ``root``, else ``$PTRADE_FAST_DATA``, else the bundled sample.  Files are checked
        as they are first read (``data.checks``; ``data_checks`` 'error' | 'warn' | 'off')."""
        return cls(resolve_root(root), data_checks)

    # -- CODES ---------------------------------------------------------------------------------------

    def sid(self, code) -> int:
        """Security id of ``code`` (any suffix form); -1 if it has no bars or is malformed."""
        sid = self._sid.get(code)             # hot: whole-market lists of short codes arrive every day
        if sid is not None:
            return sid
        try:
            return self._sid.get(normalize_code(code), -1)
        except ValueError:
            return -1

    def sids(self, codes) -> np.ndarray:
        """Sids of many codes (-1 where unknown): one dict lookup per code (whole-market lists of short codes
        arrive every day; a pandas indexer costs more below thousands of codes and no less above)."""
        get = self._sid.get
        out = np.array([get(c, -1) for c in codes], dtype=np.int64)
        if len(out) and out.min() < 0:
            for i in np.flatnonzero(out < 0):   # other suffix forms ('.XSHG') or unknown codes
                out[i] = self.sid(codes[i])
        return out

    def instrument_arrays(self) -> dict:
        """Per-sid parameter arrays for the kernels (tick in 1e-4 CNY)."""
        if self._arrays is None:
            i = self.instruments.loc[self.codes]
            self._arrays = {
                "lot": i["lot"].to_numpy(np.int32),
                "min_buy": i["min_buy"].to_numpy(np.int32),
                "tick": np.rint(i["tick"].to_numpy(float) * 10000).astype(np.int64),
                "t0": (i["t_plus"].to_numpy() == 0).astype(np.uint8),
                "type": i["type"].to_numpy(object),
                "fee_class": i["fee_class"].to_numpy(object),
                "stamp": i["stamp_tax"].to_numpy(bool).astype(np.uint8),
                "exchange": i["exchange"].to_numpy(object),
                "price_decimals": i["price_decimals"].to_numpy(np.int8),
                "list_date": i["list_date"].to_numpy().astype("datetime64[D]"),
                "delist_date": i["delist_date"].to_numpy().astype("datetime64[D]"),
                # Futures: CNY per point per lot and the last trading day; 1 and NaT for everything else.
                "multiplier": np.where(i["type"].to_numpy() == "future",
                                       i["multiplier"].to_numpy(float), 1.0).astype(np.float64),
                "delivery_date": i["delivery_date"].to_numpy().astype("datetime64[D]"),
                "product": i["product"].to_numpy(object),
            }
        return self._arrays

    # -- DAILY ---------------------------------------------------------------------------------------

    def _year(self, year: int) -> dict:
        """Dense arrays of one calendar year (cached, least recently used evicted)."""
        if year in self._years:
            self._years.move_to_end(year)
            return self._years[year]
        y = self.calendar.astype("datetime64[Y]").astype(int) + 1970
        days = self.calendar[y == year]
        n, m = len(days), self.n_sids
        arrays = {f: np.full((n, m), np.nan) for f in DAILY_FIELDS}
        arrays["is_open"] = np.zeros((n, m), np.uint8)
        arrays["listed"] = np.zeros((n, m), np.uint8)
        for f in FUTURES_DAILY_FIELDS:
            arrays[f] = _nan_view((n, m))
        path = self.root / "daily" / f"{year}.parquet"
        declared = self.meta.get("daily_years") or []
        if n and not path.is_file() and declared and min(declared) <= year <= max(declared) \
                and self.data_checks != "off":
            msg = (f"{path}: data check 'missing' failed: the root declares daily years {min(declared)}…"
                   f"{max(declared)} (meta.json) but this year's file is missing")
            if self.data_checks == "error":
                raise _checks.CheckFailure(msg, str(path), None, None, "missing")
            if self.warn:
                self.warn(msg)
        if path.is_file() and n:
            t = _read(path, ("code", "date", "is_open") + DAILY_FIELDS)
            _checks.check_bar_file(t, path, "daily", self.data_checks, self.warn)
            code = t.column("code").combine_chunks()
            lut = np.array([self._sid.get(str(v), -1) for v in code.dictionary.to_pylist()], np.int64)
            sid = lut[code.indices.to_numpy()]
            row = np.searchsorted(days, t.column("date").to_numpy().astype("datetime64[D]"))
            ok = sid >= 0
            sid, row = sid[ok], row[ok]
            # One flat index for every field: 1-D scatter is several times faster than 2-D fancy indexing.
            flat = row * m + sid
            for f in DAILY_FIELDS:
                arrays[f].ravel()[flat] = t.column(f).to_numpy(zero_copy_only=False).astype(float)[ok]
            for f in FUTURES_DAILY_FIELDS:
                if f in t.column_names:
                    arrays[f] = np.full((n, m), np.nan)
                    arrays[f].ravel()[flat] = t.column(f).to_numpy(zero_copy_only=False).astype(float)[ok]
            arrays["is_open"].ravel()[flat] = t.column("is_open").to_numpy()[ok]
            delist = self.instrument_arrays()["delist_date"]
            alive = np.isnat(delist)[sid] | (days[row] < delist[sid])
            arrays["listed"].ravel()[flat] = alive.astype(np.uint8)
        arrays["dates"] = days
        self._years[year] = arrays
        if len(self._years) > self.YEAR_CACHE:
            self._years.popitem(last=False)
        return arrays

    def _daily_rows(self, i0: int, i1: int, fields, sids=None) -> dict:
        """Rows [i0, i1) of the calendar for ``fields`` (all sids, or the given ones)."""
        if i1 <= i0:
            m = self.n_sids if sids is None else len(sids)
            return {f: np.empty((0, m), np.uint8 if f in ("is_open", "listed") else float) for f in fields}
        year = self._cal_year[i0]
        if year == self._cal_year[i1 - 1]:           # inside one year: one slice of its arrays
            arrays = self._year(int(year))
            a = int(self._cal_row[i0])
            b = a + (i1 - i0)
            if sids is None:
                return {f: arrays[f][a:b] for f in fields}
            neg = sids < 0
            if neg.any():
                return {f: _take(arrays[f][a:b], sids) for f in fields}
            return {f: arrays[f][a:b, sids] for f in fields}
        years = [int(y) for y in np.unique(self.calendar[i0:i1].astype("datetime64[Y]").astype(int) + 1970)]
        # Cached years first: a span longer than the cache then reads only the years missing from it (in
        # calendar order it would evict each year just before it is needed again, on every pass).
        parts = {}
        for year in sorted(years, key=lambda y: y not in self._years):
            arrays = self._year(year)
            days = arrays["dates"]
            a = np.searchsorted(days, self.calendar[i0])
            b = np.searchsorted(days, self.calendar[i1 - 1], side="right")
            parts[year] = {f: arrays[f][a:b] if sids is None else _take(arrays[f][a:b], sids) for f in fields}
        out = {f: [parts[y][f] for y in years] for f in fields}
        return {f: np.concatenate(v) if len(v) > 1 else v[0] for f, v in out.items()}

    def year_window(self, year: int) -> DailyWindow:
        """The trading days of one calendar year for all sids, as views of the cached year arrays (no copy):
        what a daily backtest steps through, one year at a time."""
        arrays = self._year(int(year))
        return DailyWindow(dates=arrays["dates"], **{f: arrays[f] for f in DAILY_ARRAY_FIELDS})

    def daily_window(self, start, end) -> DailyWindow:
        """All sids' daily arrays for the trading days in [start, end]."""
        i0 = int(np.searchsorted(self.calendar, to_day(start)))
        i1 = int(np.searchsorted(self.calendar, to_day(end), side="right"))
        rows = self._daily_rows(i0, i1, DAILY_ARRAY_FIELDS)
        return DailyWindow(dates=self.calendar[i0:i1], **rows)

    def daily_bar(self, date) -> dict:
        """One day's arrays (1-D, per sid) — the current bar of a daily run."""
        w = self.daily_window(date, date)
        if len(w.dates) == 0 or w.dates[0] != to_day(date):
            raise KeyError(f"{date} is not a trading day")
        return {f: getattr(w, f)[0] for f in DAILY_ARRAY_FIELDS}

    def daily_history(self, sids, fields, end_date, count, include_end=True):
        """The last ``count`` calendar rows ending at ``end_date`` (or the day before if not ``include_end``).

        Returns ``(dates, {field: array[n_rows, len(sids)]})``; fewer rows near the calendar start.
        Fields: ``open high low close volume money preclose high_limit low_limit is_open listed settlement
        open_interest``.
        """
        sids = np.asarray(sids, np.int64)
        end = to_day(end_date)
        e = int(np.searchsorted(self.calendar, end, side="right" if include_end else "left"))
        s = max(0, e - int(count))
        return self.calendar[s:e], self._daily_rows(s, e, tuple(fields), sids)

    def daily_range(self, sids, fields, start, end):
        """Rows for the trading days in [start, end]: ``(dates, {field: array})``."""
        sids = np.asarray(sids, np.int64)
        i0 = int(np.searchsorted(self.calendar, to_day(start)))
        i1 = int(np.searchsorted(self.calendar, to_day(end), side="right"))
        return self.calendar[i0:i1], self._daily_rows(i0, i1, tuple(fields), sids)

    def benchmark_close(self, code, start, end) -> pd.Series:
        """Daily closes of ``code`` on the trading days in [start, end] (NaN where it has no data)."""
        sid = self.sid(code)
        if sid < 0:
            raise KeyError(f"no daily data for benchmark {code!r}")
        dates, rows = self.daily_range([sid], ("close",), start, end)
        return pd.Series(rows["close"][:, 0], index=pd.DatetimeIndex(dates.astype("datetime64[ns]")),
                         name=normalize_code(code))

    # -- MINUTES -------------------------------------------------------------------------------------

    def has_minutes(self, date) -> bool:
        day = to_day(date)
        i = np.searchsorted(self.minute_dates, day)
        return bool(i < len(self.minute_dates) and self.minute_dates[i] == day)

    def minute_day(self, date) -> MinuteDay:
        """The 240 one-minute bars of ``date`` for all sids (reads that day's file only).

        Securities with rows that day (``has_data`` 1) have their missing minutes forward-filled from the
        previous minute (or the previous daily close) with volume and money 0.  Securities suspended that
        day (daily ``is_open`` 0) get 240 flat bars at the previous close with volume 0 and has_data 0.
        Everything else is NaN.
        """
        day = to_day(date)
        if day in self._minutes:
            self._minutes.move_to_end(day)
            return self._minutes[day]
        m = self.n_sids
        arrays = None
        has = np.zeros(m, np.uint8)
        path = minute_path(self.root, day)
        if path.is_file():
            t = _read(path, ("code", "datetime") + MINUTE_FIELDS)
            code = t.column("code").combine_chunks()
            lut = np.array([self._sid.get(str(v), -1) for v in code.dictionary.to_pylist()], np.int64)
            sid = lut[code.indices.to_numpy()]
            ts = t.column("datetime").to_numpy()
            n = len(sid)
            k = n // 240
            # Whole-market files are complete and sorted (240 bars per code, in session order): each code's
            # bars are one block, so a field is one reshape and one column assignment.  This runs once per
            # trading day over ~1.3 M rows and is most of a minute backtest's cost beyond reading the file.
            session = (day.astype("datetime64[m]") + MINUTE_OFFSETS.astype("timedelta64[m]")).astype(ts.dtype)
            blocks = (n == 240 * k and k > 0 and (ts[:240] == session).all()
                      and (ts.reshape(k, 240) == ts[:240]).all())
            if blocks:
                sid_blocks = sid.reshape(k, 240)
                cols = sid_blocks[:, 0]
                blocks = bool((cols >= 0).all() and (sid_blocks == cols[:, None]).all())
            # Checked once per file as it is read (data/checks.py); a file of whole, ordered, distinct blocks needs
            # no duplicate/order test (the costly part: a sort of every row).
            fields = list(MINUTE_FIELDS) + (["open_interest"] if "open_interest" in t.column_names else [])
            # Each column converted once, for the checks and for the day's arrays.
            values = {f: np.asarray(t.column(f).to_numpy(zero_copy_only=False), dtype=float) for f in fields}
            _checks.check_bar_file(t, path, "minute", self.data_checks, self.warn,
                                   order_checked=bool(blocks) and len(np.unique(cols)) == len(cols), values=values)
            if blocks:
                # Stored sid-major ([m, 240], each code's day one contiguous row) and exposed as the
                # [240, m] transpose: filling is a row copy per code.  Columns with data are overwritten
                # whole, so storage starts uninitialised and only the others are set to NaN.
                empty = np.ones(m, bool)
                empty[cols] = False
                arrays = {}
                for f in fields:
                    store = np.empty((m, 240))
                    store[empty] = np.nan
                    store[cols] = values[f].reshape(k, 240)
                    arrays[f] = store.T
                has[cols] = 1
            else:
                arrays = {f: np.full((240, m), np.nan) for f in fields}
                bar = _BAR_OF_MINUTE[(ts.astype("datetime64[m]") - day.astype("datetime64[m]")).astype(np.int64)
                                     % (24 * 60)]
                ok = (sid >= 0) & (bar >= 0)
                flat = bar[ok] * m + sid[ok]
                for f in fields:
                    col = values[f]
                    arrays[f].ravel()[flat] = col[ok]
                has[sid[ok]] = 1
            if "open_interest" not in arrays:
                arrays["open_interest"] = _nan_view((240, m))
            self._fill_minutes(arrays, has, day)
        if arrays is None:
            arrays = {f: np.full((240, m), np.nan) for f in MINUTE_FIELDS}
            arrays["open_interest"] = _nan_view((240, m))
        self._fill_suspended(arrays, has, day)
        times = day.astype("datetime64[m]") + MINUTE_OFFSETS.astype("timedelta64[m]")
        md = MinuteDay(date=day, times=times, has_data=has, **arrays)
        self._minutes[day] = md
        if len(self._minutes) > self.MINUTE_CACHE:
            self._minutes.popitem(last=False)
        return md

    def _prev_close(self, day) -> np.ndarray:
        i = int(np.searchsorted(self.calendar, day))
        if i == 0:
            return np.full(self.n_sids, np.nan)
        return self._daily_rows(i - 1, i, ("close",))["close"][0]

    def _fill_minutes(self, a, has, day):
        cols = np.flatnonzero(has)
        close = a["close"][:, cols]
        present = ~np.isnan(close)
        if present.all():
            return
        filled = pd.DataFrame(close).ffill().to_numpy()
        lead = np.isnan(filled)
        if lead.any():
            prev = self._prev_close(day)[cols]
            first_open = pd.DataFrame(a["open"][:, cols]).bfill().to_numpy()[0]
            seed = np.where(np.isnan(prev), first_open, prev)
            filled = np.where(lead, seed[None, :], filled)
        for f in ("open", "high", "low", "close"):
            block = a[f][:, cols]
            a[f][:, cols] = np.where(present, block, filled)
        for f in ("volume", "money"):
            block = a[f][:, cols]
            a[f][:, cols] = np.where(present, block, 0.0)
        oi = a["open_interest"]
        if oi.flags.writeable:
            # Futures minutes without a row keep the open interest of the bar before.
            a["open_interest"][:, cols] = pd.DataFrame(np.where(present, oi[:, cols], np.nan)).ffill().to_numpy()

    def _fill_suspended(self, a, has, day):
        i = int(np.searchsorted(self.calendar, day))
        if i >= len(self.calendar) or self.calendar[i] != day:
            return
        row = self._daily_rows(i, i + 1, ("close", "is_open", "listed"))
        sus = (row["listed"][0] == 1) & (row["is_open"][0] == 0) & (has == 0)
        if sus.any():
            for f in ("open", "high", "low", "close"):
                a[f][:, sus] = row["close"][0][sus]
            a["volume"][:, sus] = 0.0
            a["money"][:, sus] = 0.0

    def minute_history(self, sids, fields, end_dt, count):
        """The last ``count`` one-minute bars ending at ``end_dt`` (inclusive), across the days that have
        minute data (days without minute files are skipped).  Returns ``(times, {field: array})``."""
        sids = np.asarray(sids, np.int64)
        end = to_minute(end_dt)
        day = end.astype("datetime64[D]")
        k = int(np.searchsorted(self.minute_dates, day, side="right"))
        chunks_t, chunks = [], {f: [] for f in fields}
        need = int(count)
        while need > 0 and k > 0:
            k -= 1
            d = self.minute_dates[k]
            md = self.minute_day(d)
            n_bars = int(np.searchsorted(md.times, end, side="right")) if d == day else 240
            lo = max(0, n_bars - need)
            chunks_t.append(md.times[lo:n_bars])
            for f in fields:
                chunks[f].append(_take(getattr(md, f)[lo:n_bars], sids))
            need -= n_bars - lo
        if not chunks_t:
            return np.array([], "datetime64[m]"), {f: np.empty((0, len(sids))) for f in fields}
        times = np.concatenate(chunks_t[::-1])
        return times, {f: np.concatenate(v[::-1]) for f, v in chunks.items()}

    # -- REFERENCE -----------------------------------------------------------------------------------

    def st_periods(self) -> pd.DataFrame | None:
        """Dated ST periods (``st.parquet``: code, start_date, end_date inclusive, null end = still ST), or
        ``None`` when the root has no ST history."""
        if not hasattr(self, "_st"):
            path = self.root / "st.parquet"
            self._st = None
            if path.is_file():
                st = pd.read_parquet(path)
                st["start_date"] = pd.to_datetime(st["start_date"]).to_numpy().astype("datetime64[D]")
                st["end_date"] = pd.to_datetime(st["end_date"]).to_numpy().astype("datetime64[D]")
                self._st = st
        return self._st

    def is_st(self, code: str, day) -> bool | None:
        """Point-in-time ST flag from ``st.parquet``; ``None`` when the root has no ST history, or none for
        ``day`` (outside ``meta.st.span`` where the root gives one, e.g. the bundle's 2019 … 2025)."""
        st = self.st_periods()
        if st is None:
            return None
        d = to_day(day)
        span = (self.meta.get("st") or {}).get("span")
        if span and not (np.datetime64(span[0], "D") <= d <= np.datetime64(span[1], "D")):
            return None
        if not hasattr(self, "_st_by_code"):     # per-code arrays, grouped once (called per code per day)
            self._st_by_code = {c: (g["start_date"].to_numpy(), g["end_date"].to_numpy())
                                for c, g in st.groupby("code", sort=False)}
        hit = self._st_by_code.get(code)
        if hit is None:
            return False
        start, end = hit
        return bool(((start <= d) & (np.isnat(end) | (end >= d))).any())

    def exrights_table(self) -> pd.DataFrame:
        """Every raw ex-rights row of the root (columns as ex_rights.parquet), read once."""
        if self._exrights is None:
            path = self.root / "ex_rights.parquet"
            self._exrights = pd.read_parquet(path) if path.is_file() else pd.DataFrame(columns=["code", "ex_date"])
        return self._exrights

    def adjust_factors(self):
        """The root's :class:`~ptrade_fast.data.adjust.FactorTable` (every security's A·P + B factors), built
        on first use and kept: adjusted history is then one vectorised multiply per call."""
        if self._factors is None:
            from .adjust import FactorTable
            self._factors = FactorTable(self.exrights_table(), self._sid, self.calendar)
        return self._factors

    def exrights(self, code) -> pd.DataFrame:
        """Raw ex-rights rows of ``code`` (columns as ex_rights.parquet), sorted by ex_date."""
        ex = self.exrights_table()
        code = normalize_code(code)
        return ex[ex["code"] == code].reset_index(drop=True)

    # -- FUTURES -------------------------------------------------------------------------------------

    def dominant_table(self) -> pd.DataFrame:
        """``futures/dominant.parquet`` (``date, product, contract``), read once; empty if absent."""
        if self._dominant is None:
            path = self.root / DOMINANT_PATH
            df = (pd.read_parquet(path) if path.is_file()
                  else pd.DataFrame({"date": [], "product": [], "contract": []}))
            df["date"] = pd.to_datetime(df["date"]).to_numpy().astype("datetime64[D]")
            self._dominant = {p: (g["date"].to_numpy(), g["contract"].to_numpy(object))
                              for p, g in df.sort_values("date").groupby("product")}
            self._dominant_frame = df
        return self._dominant_frame

    def dominant(self, product, date):
        """The dominant (主力) contract code of ``product`` ('IF') on trading day ``date``, or None.

        A date that is not a trading day takes the last trading day before it; a day the table does not
        cover gives None (no stale answer across gaps in the data).
        """
        self.dominant_table()
        entry = self._dominant.get(str(product).upper())
        if entry is None:
            return None
        day = to_day(date)
        k = int(np.searchsorted(self.calendar, day, side="right")) - 1
        if k < 0:
            return None
        day = self.calendar[k]
        dates, contracts = entry
        i = int(np.searchsorted(dates, day))
        if i < len(dates) and dates[i] == day:
            return str(contracts[i])
        return None

    def table(self, name: str) -> pd.DataFrame:
        """A small reference table of the root (``blocks``, ``index_members``), read on demand."""
        path = self.root / f"{name}.parquet"
        return pd.read_parquet(path) if path.is_file() else pd.DataFrame()


def _read(path: Path, columns=()):
    """One bar file; an unreadable one (truncated, flipped bytes) or one lacking a column of the format is a
    DataError naming it."""
    try:
        t = read_bars(path, read_dictionary=["code"], memory_map=True)  # page cache shared by sweep workers
    except (OSError, pa.ArrowException) as exc:
        raise DataError(f"{path}: cannot read this Parquet file ({type(exc).__name__}: {exc}); it is damaged — "
                        f"re-import or regenerate it (ptrade-fast data validate lists every damaged file)") from None
    missing = [c for c in columns if c not in t.column_names]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)} required by the data format "
                        f"(docs/data-format.md); the file has {', '.join(t.column_names)}")
    return t


def _take(block: np.ndarray, sids: np.ndarray) -> np.ndarray:
    """Columns ``sids`` of a [rows, n_sids] block; sid -1 gives a NaN (or 0 for uint8) column."""
    out = block[:, np.where(sids >= 0, sids, 0)]
    if (sids < 0).any():
        out = out.astype(float) if out.dtype != np.uint8 else out.copy()
        out[:, sids < 0] = np.nan if out.dtype != np.uint8 else 0
    return out
