"""Check a data root against docs/data-format.md and report each problem by file and row.

Streams: one daily year file, one minute or 5-minute day file at a time (plus the daily rows of the
year being compared), so it runs on a 5,300-stock × 1-year minute root in bounded memory.  Rows are
0-based positions in the Parquet file.

Kinds: ``root`` (meta.json missing / invalid / interrupted import, unknown format_version), ``unreadable`` (a
damaged file: every one is listed, validation goes on), ``missing`` (a declared daily year or minute day without
its file), ``unsorted``, ``duplicate``, ``price`` (a NaN or non-positive price on a traded bar), ``range`` (a
price above 1e5), ``ohlc`` (high below max(open, close) or below low, low above min(open, close)),
``volume`` (negative volume or money),
``limit`` (a price outside [low_limit, high_limit] by more than half a tick), ``calendar`` (a date that is
not a trading day, or a bar time off the bar-end grid), ``gap`` (a series missing trading days between its
first and last bar with no suspension row), ``instrument`` (bars of a code instruments.parquet does not
mark as having them), ``aggregate`` (minute bars that do not fit the daily bar: outside its high/low,
last close different, or Σ volume off by more than ``volume_tolerance``).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import DataError
from .checks import MAX_PRICE, check_format, price_problems
from .format import read_bars
from .writer import BAR_SETS, MARKER

PRICES = ("open", "high", "low", "close")


@dataclass(frozen=True)
class Issue:
    """One problem: ``file`` relative to the root, ``row`` (0-based, None for file-level problems)."""
    file: str
    row: int | None
    code: str | None
    date: str | None
    kind: str
    message: str
    known: str | None = None     # the reason, when the root's known_findings.json lists this finding

    def __str__(self):
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        what = " ".join(x for x in (self.code, self.date) if x)
        tail = f" [known: {self.known}]" if self.known else ""
        return f"{where}: {self.kind}: {what}{': ' if what else ''}{self.message}{tail}"


KNOWN_FILE = "known_findings.json"


def _known(root: Path) -> list[dict]:
    """The root's allow-list of findings in real data (``known_findings.json``): entries with ``file``, ``kind``
    and optionally ``code``, ``date``, ``row``, and the ``reason`` the data is right as it is."""
    path = root / KNOWN_FILE
    if not path.is_file():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def _matches(entry: dict, issue: Issue) -> bool:
    for key in ("file", "kind", "code", "date", "row"):
        if key in entry and entry[key] is not None:
            value = getattr(issue, key)
            if key == "date":
                value = (value or "")[:10]
            if value != entry[key]:
                return False
    return True


def mark_known(root: Path, issues: list[Issue]) -> list[Issue]:
    """Mark the issues the root's allow-list explains (they are reported apart and do not fail validation)."""
    known = _known(Path(root))
    if not known:
        return issues
    out = []
    for issue in issues:
        reason = next((e.get("reason", "listed") for e in known if _matches(e, issue)), None)
        out.append(Issue(issue.file, issue.row, issue.code, issue.date, issue.kind, issue.message, reason)
                   if reason else issue)
    return out


class _Sink:
    """Collects issues, keeping at most ``limit`` per (file, kind) and counting the rest."""

    def __init__(self, limit):
        self.limit = limit
        self.issues: list[Issue] = []
        self.counts: Counter = Counter()

    def add(self, file, row, code, date, kind, message):
        self.counts[(file, kind)] += 1
        if self.limit is None or self.counts[(file, kind)] <= self.limit:
            self.issues.append(Issue(file, None if row is None else int(row), code,
                                     None if date is None else str(date)[:19], kind, message))

    def finish(self):
        for (file, kind), n in sorted(self.counts.items()):
            if self.limit is not None and n > self.limit:
                self.issues.append(Issue(file, None, None, None, kind, f"{n - self.limit} more not listed"))
        return self.issues


def validate(root, volume_tolerance: float = 0.01, limit_per_kind: int | None = 1000, progress=None) -> list[Issue]:
    """Check the data root ``root``; return the issues found (empty when it is clean).

    Parameters
    ----------
    volume_tolerance : float
        Allowed relative difference between Σ minute volume and the daily volume.
    limit_per_kind : int or None
        At most this many issues per file and kind are listed (then one "N more" issue).
    """
    root = Path(root)
    sink = _Sink(limit_per_kind)
    if not (root / "meta.json").is_file():
        why = "an import was interrupted (meta.json.importing present)" if (root / MARKER).is_file() \
            else "meta.json missing: not a complete data root"
        sink.add("meta.json", None, None, None, "root", why)
        if not (root / "calendar.parquet").is_file():
            return sink.finish()
    meta = {}
    if (root / "meta.json").is_file():
        try:
            meta = json.loads((root / "meta.json").read_text(encoding="utf-8"))
            check_format(meta, root)
        except ValueError as exc:
            sink.add("meta.json", None, None, None, "root", f"meta.json is not valid JSON ({exc})")
        except DataError as exc:
            sink.add("meta.json", None, None, None, "root", str(exc))
    try:
        calendar = pq.read_table(root / "calendar.parquet").column("date").to_numpy().astype("datetime64[D]")
    except (OSError, pa.ArrowException) as exc:
        sink.add("calendar.parquet", None, None, None, "unreadable", f"{type(exc).__name__}: {exc}")
        return sink.finish()
    inst_path = root / "instruments.parquet"
    inst = pq.read_table(inst_path).to_pandas() if inst_path.is_file() else pd.DataFrame(
        columns=["code", "tick", "has_daily", "has_minute"])
    tick = dict(zip(inst["code"], inst["tick"].astype(float)))
    has_daily = set(inst.loc[inst["has_daily"].astype(bool), "code"])
    has_minute = set(inst.loc[inst["has_minute"].astype(bool), "code"])

    years = sorted((root / "daily").glob("*.parquet"))
    _check_missing_files(root, meta, years, sink)
    bar_files = [(kind, p) for kind, (folder, _) in BAR_SETS.items() for p in sorted((root / folder).glob("*/*.parquet"))]
    total, done = len(years) + len(bar_files), 0
    last_index: dict[str, int] = {}
    for path in years:
        df = _read(path, root, sink)
        if df is None:
            continue
        _check_daily(df, str(path.relative_to(root)), calendar, tick, has_daily, last_index, sink)
        done += 1
        if progress is not None:
            progress(done, total, path.name)
    daily_cache: dict = {}
    for kind, path in bar_files:
        df = _read(path, root, sink)
        if df is None:
            done += 1
            continue
        _check_bars(df, str(path.relative_to(root)), kind, path.stem, calendar, tick,
                    has_minute if kind == "minute" else None, sink)
        _check_aggregate(df, str(path.relative_to(root)), path.stem, root, daily_cache, tick, volume_tolerance, sink)
        done += 1
        if progress is not None:
            progress(done, total, path.name)
    return mark_known(root, sink.finish())


# -- CHECKS --------------------------------------------------------------------------------------------

def _read(path, root, sink):
    """A bar file as a DataFrame, or None after recording it as unreadable (validation goes on)."""
    try:
        return read_bars(path).to_pandas()
    except (OSError, pa.ArrowException) as exc:
        sink.add(str(path.relative_to(root)), None, None, None, "unreadable",
                 f"cannot read this Parquet file ({type(exc).__name__}: {exc})")
        return None


def _check_missing_files(root, meta, years, sink):
    """Files the root declares (meta.json) but does not have: daily years inside the span, minute days."""
    declared = meta.get("daily_years") or []
    have = {int(p.stem) for p in years if p.stem.isdigit()}
    if declared:
        for y in range(min(declared), max(declared) + 1):
            if y not in have and y in declared:
                sink.add(f"daily/{y}.parquet", None, None, None, "missing",
                         f"the root declares daily years {min(declared)}…{max(declared)} but this file is missing")
    mdays = meta.get("minute_days")
    files = sorted((root / "minute").glob("*/*.parquet"))
    if isinstance(mdays, list):
        present = {p.stem for p in files}
        for d in mdays:
            if str(d)[:10] not in present:
                sink.add(f"minute/{str(d)[:4]}/{str(d)[:10]}.parquet", None, None, str(d)[:10], "missing",
                         "meta.json lists this minute day but its file is missing")
    elif isinstance(mdays, int) and len(files) < mdays:
        sink.add("minute", None, None, None, "missing",
                 f"meta.json declares {mdays} minute days but {len(files)} files exist")

def _order(df, file, tcol, sink):
    """Unsorted and duplicate (code, time) rows."""
    code = df["code"].to_numpy(object)
    t = df[tcol].to_numpy()
    if len(df) > 1:
        same = code[1:] == code[:-1]
        back = (code[1:] < code[:-1]) | (same & (t[1:] < t[:-1]))
        for i in np.flatnonzero(back) + 1:
            sink.add(file, i, code[i], t[i], "unsorted", f"row comes after {code[i - 1]} {str(t[i - 1])[:19]}")
    dup = df.duplicated(["code", tcol], keep="first").to_numpy()
    for i in np.flatnonzero(dup):
        sink.add(file, i, code[i], t[i], "duplicate", f"second row for {code[i]} {str(t[i])[:19]}")


def _prices(df, file, tcol, tick, sink):
    """OHLC consistency, non-positive prices, negative volume or money."""
    code = df["code"].to_numpy(object)
    t = df[tcol].to_numpy()
    o, h, l, c = (df[k].to_numpy(float) for k in PRICES)
    half = np.array([tick.get(x, 0.01) for x in code]) / 2 if len(code) else np.zeros(0)
    traded = df["is_open"].to_numpy().astype(bool) if "is_open" in df else None
    masks = price_problems(o, h, l, c, traded)          # the run's own checks (data/checks.py), every row
    for i in np.flatnonzero(masks["price"]):
        sink.add(file, i, code[i], t[i], "price", f"a NaN or non-positive price on a traded bar "
                                                  f"(open {o[i]}, high {h[i]}, low {l[i]}, close {c[i]})")
    for i in np.flatnonzero(masks["range"]):
        sink.add(file, i, code[i], t[i], "range", f"a price above {MAX_PRICE:,.0f} CNY (close {c[i]})")
    for i in np.flatnonzero(masks["ohlc"]):
        sink.add(file, i, code[i], t[i], "ohlc",
                 f"high {h[i]} / low {l[i]} do not bracket open {o[i]} and close {c[i]}")
    for col in ("volume", "money"):
        v = pd.to_numeric(df[col]).to_numpy(float, na_value=np.nan)
        for i in np.flatnonzero(v < 0):
            sink.add(file, i, code[i], t[i], "volume", f"negative {col} {v[i]:g}")
    return half


def _check_daily(df, file, calendar, tick, has_daily, last_index, sink):
    _order(df, file, "date", sink)
    half = _prices(df, file, "date", tick, sink)
    code = df["code"].to_numpy(object)
    d = df["date"].to_numpy().astype("datetime64[D]")
    hi, lo = df["high_limit"].to_numpy(float), df["low_limit"].to_numpy(float)
    for k in PRICES:
        p = df[k].to_numpy(float)
        out = ((p > hi + half + 1e-9) | (p < lo - half - 1e-9)) & ~np.isnan(hi) & ~np.isnan(lo)
        for i in np.flatnonzero(out):
            sink.add(file, i, code[i], d[i], "limit", f"{k} {p[i]} outside [{lo[i]}, {hi[i]}]")
    idx = np.searchsorted(calendar, d)
    on_cal = (idx < len(calendar)) & (calendar[np.minimum(idx, len(calendar) - 1)] == d)
    for i in np.flatnonzero(~on_cal):
        sink.add(file, i, code[i], d[i], "calendar", "date is not a trading day of calendar.parquet")
    for c in sorted(set(code) - has_daily):
        sink.add(file, int(np.flatnonzero(code == c)[0]), c, None, "instrument",
                 "daily bars, but instruments.parquet has no row with has_daily for this code")
    # Gaps: consecutive rows of a code must be consecutive trading days (across year files too).
    order = np.lexsort((idx, code))
    for c, rows in pd.Series(order).groupby(code[order], sort=False):
        rows = rows.to_numpy()
        rows = rows[on_cal[rows]]
        if not len(rows):
            continue
        seq = np.concatenate([[last_index.get(c, idx[rows[0]] - 1)], idx[rows]])
        for j in np.flatnonzero(np.diff(seq) > 1):
            i = rows[j]
            missing = calendar[seq[j] + 1:seq[j + 1]]
            sink.add(file, i, c, d[i], "gap", f"{len(missing)} trading day(s) without a row before this one "
                                              f"({missing[0]} … {missing[-1]})")
        last_index[c] = int(idx[rows[-1]])


def _check_bars(df, file, kind, day, calendar, tick, has_codes, sink):
    _order(df, file, "datetime", sink)
    _prices(df, file, "datetime", tick, sink)
    code = df["code"].to_numpy(object)
    ts = df["datetime"].to_numpy().astype("datetime64[m]")
    labels = BAR_SETS[kind][1]
    minute = (ts - ts.astype("datetime64[D]")).astype(np.int64)
    off = ~np.isin(minute, labels) | (ts.astype("datetime64[D]") != np.datetime64(day))
    for i in np.flatnonzero(off):
        sink.add(file, i, code[i], ts[i], "calendar", f"bar time is not a {kind} bar end of {day}")
    i = np.searchsorted(calendar, np.datetime64(day))
    if i >= len(calendar) or calendar[i] != np.datetime64(day):
        sink.add(file, None, None, day, "calendar", f"{day} is not a trading day of calendar.parquet")
    if has_codes is not None:
        for c in sorted(set(code) - has_codes):
            sink.add(file, int(np.flatnonzero(code == c)[0]), c, None, "instrument",
                     "minute bars, but instruments.parquet has no row with has_minute for this code")


def _check_aggregate(df, file, day, root, cache, tick, tol, sink):
    """Minute bars of a code must fit its daily bar of that day."""
    year = int(day[:4])
    if cache.get("year") != year:
        path = root / "daily" / f"{year}.parquet"
        cache.clear()
        cache["year"] = year
        cache["df"] = (read_bars(path, columns=["code", "date", "high", "low", "close", "volume", "is_open"])
                       .to_pandas() if path.is_file() else None)
        if cache["df"] is not None:
            cache["df"]["date"] = cache["df"]["date"].astype(str)
    daily = cache["df"]
    if daily is None or df.empty:
        return
    bars = daily[daily["date"] == day].drop_duplicates("code").set_index("code")
    df = df.reset_index(drop=True)
    df["_row"] = np.arange(len(df))
    df = df.sort_values(["code", "datetime"], kind="stable")
    g = df.groupby("code", sort=False)
    agg = pd.DataFrame({"row": g["_row"].min(), "high": g["high"].max(), "low": g["low"].min(),
                        "close": g["close"].last(), "volume": g["volume"].sum(min_count=1),
                        "nvol": g["volume"].count(), "n": g["close"].size()})
    agg = agg.join(bars, rsuffix="_d", how="inner")
    for c, r in agg.iterrows():
        half = tick.get(c, 0.01) / 2 + 1e-9
        if r.is_open == 0:
            continue
        problems = []
        if r.high > r.high_d + half or r.low < r.low_d - half:
            problems.append(f"minute range [{r.low}, {r.high}] outside daily [{r.low_d}, {r.high_d}]")
        if abs(r.close - r.close_d) > half:
            problems.append(f"last minute close {r.close} != daily close {r.close_d}")
        if r.nvol == r.n and r.volume_d > 0 and abs(r.volume - r.volume_d) > tol * r.volume_d:
            problems.append(f"Σ volume {int(r.volume)} vs daily {int(r.volume_d)}")
        if problems:
            sink.add(file, r.row, c, day, "aggregate", "; ".join(problems))
