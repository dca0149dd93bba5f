"""Synthetic treasury reverse repo series (the GC / R- family, clearly labelled synthetic).

``add_repo_series(root, seed)`` adds the nine SSE codes (204001 … 204182) and the nine SZSE codes (131810 …
131806) of docs/market-rules.md §11.1 to a complete data root, for every trading day of its calendar, with
1-minute bars on the days the root has minute files.  A repo's "price" is its annual rate in percent:

- a common level follows a slow mean-reverting walk around 2 % (log scale), each tenor adds a term premium,
  SZSE quotes a little below SSE on average with its own noise (so which exchange pays more changes from day
  to day);
- the short tenors spike in the last five trading days of each quarter (most at the year end, rising to the
  quarter's last day), a little at other month ends, and on the trading day whose 1-day repo spans a holiday;
- the day opens above its close and falls through the morning (the usual intraday shape of repo rates); every
  price is on the tick of the day's rule (0.001 SZSE before 2022-05-16, 0.005 otherwise) and positive;
- volume in 张 (100 CNY face), in lots of 10; money = volume × 100 CNY, so minute sums are exact and the daily
  bar is the exact aggregate of its minutes.

Written through :class:`data.writer.RootWriter`; the output depends only on the root and ``seed``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ...rules import instruments as irules
from ...rules import repo as rrules
from ..format import write_table_atomic
from ..store import DataStore
from ..writer import RootWriter, check_root

# Term premium (percentage points) by tenor, and the share of the 1-day volume.
_PREMIUM = {1: 0.0, 2: 0.03, 3: 0.05, 4: 0.07, 7: 0.15, 14: 0.25, 28: 0.35, 91: 0.45, 182: 0.50}
_VOLUME_SHARE = {1: 1.0, 2: 0.08, 3: 0.06, 4: 0.03, 7: 0.12, 14: 0.04, 28: 0.02, 91: 0.005, 182: 0.003}
_BASE_VOLUME = {"SSE": 6e7, "SZSE": 1.5e7}     # 张 a day of the 1-day code
_U_SHAPE = 2.5 - 1.5 * np.linspace(0, 1, 240) + 1.0 * np.linspace(-1, 1, 240) ** 2   # heavy in the morning


def add_repo_series(root, seed: int = 0, start=None, end=None, minute_compression: int = 1,
                    codes=None, minute_codes=None, minute_days=None) -> list[str]:
    """Add the 18 synthetic repo codes (or the subset ``codes``) to the data root ``root``; returns the codes
    added.

    Parameters
    ----------
    root : path
        A complete data root (its calendar decides the days; its minute days get minute bars).
    seed : int
        Seed of the numpy Generator.
    start, end : date-like, optional
        Trading days to cover (default: the root's whole calendar).  Rows already in the root for these
        codes and days are replaced.
    minute_compression : int
        zstd level of the rewritten minute files (1 as the generator's bulk files; the sample bundle uses 9).
    codes, minute_codes : list of str, optional
        Write only these codes (default: all 18), and minute bars only for ``minute_codes`` among them (default:
        all written codes).  The whole family is still drawn in the same order, so a subset's series are
        identical to the same codes' series in a full build (the sample bundle ships the two 1-day codes).
    minute_days : list of date-like, optional
        Write minute bars only on these of the root's minute days (default: every minute day).  The bars of the
        other minute days are still drawn, so the series stay those of a full build.

    Minute rows are merged into each day file with Arrow (read, append, sort, write once), inside the writer's
    session so an interruption leaves the root marked incomplete.
    """
    root = check_root(root)
    store = DataStore.open(root, "off")
    cal = np.asarray(store.calendar).astype("datetime64[D]")
    if start is not None:
        cal = cal[cal >= np.datetime64(str(start)[:10], "D")]
    if end is not None:
        cal = cal[cal <= np.datetime64(str(end)[:10], "D")]
    if len(cal) < 2:
        raise ValueError(f"add_repo_series: {root} has {len(cal)} trading days in {start} … {end}; need 2")
    daily_rows, minutes = [], {}
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, 204001])
    n = len(cal)
    level = np.empty(n)
    x = 0.0
    shocks = rng.normal(0, 0.035, n)
    for t in range(n):
        x = 0.97 * x + shocks[t]
        level[t] = 2.0 * np.exp(x)
    spike = _spikes(cal, rng)
    keep_days = None if minute_days is None else {np.datetime64(str(d)[:10], "D") for d in minute_days}
    root_minute_days = {np.datetime64(d, "D") for d in store.minute_dates}
    family = rrules.repo_codes()
    keep = set(family if codes is None else codes)
    unknown = sorted(keep - set(family))
    if unknown:
        raise ValueError(f"add_repo_series: {unknown} are not reverse repo codes (known: {family})")
    keep_minutes = keep if minute_codes is None else set(minute_codes) & keep
    for exchange, table, shift in (("SSE", rrules.SSE_TENORS, 0.0), ("SZSE", rrules.SZSE_TENORS, -0.05)):
        suffix = "SS" if exchange == "SSE" else "SZ"
        ticks = np.array([irules.resolve("repo", exchange, str(d)).tick for d in cal])
        for six, tenor in table.items():
            code = f"{six}.{suffix}"
            short = 1.0 if tenor <= 4 else 0.35 if tenor <= 14 else 0.1
            noise = rng.normal(0, 0.06, n)
            close = np.maximum(level * (1 + short * spike) + _PREMIUM[tenor] + shift + noise, 0.3)
            open_up = rng.uniform(0.0, 0.25, n) * (1 + spike)
            vol_z = rng.normal(0, 0.3, n)
            for t, day in enumerate(cal):
                tick = float(ticks[t])
                c = max(int(round(close[t] / tick)), 1)
                o = max(int(round(close[t] * (1 + open_up[t]) / tick)), c)
                lots = max(int(_BASE_VOLUME[exchange] * _VOLUME_SHARE[tenor] * np.exp(vol_z[t]) / 10), 240)
                if day in root_minute_days:
                    bars = _minute_bars(o, c, lots, tick, rng)
                    if code in keep_minutes and (keep_days is None or day in keep_days):
                        minutes.setdefault(day, []).append((code, bars))
                    o_, h_, l_, c_ = bars["open"][0], bars["high"].max(), bars["low"].min(), bars["close"][-1]
                    volume = int(bars["volume"].sum())
                else:
                    h = int(round(o * (1 + abs(rng.normal(0, 0.03)))))
                    lo = max(int(round(c * (1 - abs(rng.normal(0, 0.04))))), 1)
                    o_, h_, l_, c_ = (round(v * tick, 3) for v in (o, h, lo, c))
                    volume = lots * 10
                if code in keep:
                    daily_rows.append((code, day, o_, h_, l_, c_, volume, float(volume * rrules.FACE)))
    daily = pd.DataFrame(daily_rows, columns=["code", "date", "open", "high", "low", "close", "volume", "money"])
    daily["date"] = pd.to_datetime(daily["date"])
    codes = [c for c in family if c in keep]
    with RootWriter.open(root, source="synthetic:repo") as w:
        w.add_daily(daily)
        # Every minute day: a day without new repo bars still loses any earlier repo rows (e.g. a stock-like
        # series under a repo code), so no minute file contradicts the daily rates.
        for day in sorted(root_minute_days):
            _merge_minute_file(root, day, minutes.get(day, []), minute_compression)
        w.add_instruments(pd.DataFrame({"code": codes, "name": [rrules.NAMES[c[:6]] for c in codes],
                                        "synthetic": True, "has_minute": [c in keep_minutes and bool(minutes)
                                                                          for c in codes],
                                        "source": f"synthetic:repo:{seed}"}))
    return codes


def _merge_minute_file(root, day, items, level) -> None:
    """Replace the repo rows of one minute file by ``items`` [(code, bars)], keeping every other row."""
    path = root / "minute" / str(day)[:4] / f"{day}.parquet"
    old = pq.read_table(path)
    old = old.filter(pc.invert(pc.is_in(old["code"], value_set=pa.array(rrules.repo_codes()))))
    if not items:
        if old.num_rows != pq.read_metadata(path).num_rows:
            write_table_atomic(old, path, level)
        return
    stamps = _minute_times(day)
    new = pa.table({"code": pa.array(np.repeat([c for c, _ in items], 240)),
                    "datetime": pa.array(np.tile(stamps, len(items)), pa.timestamp("ms")),
                    **{f: pa.array(np.concatenate([b[f] for _, b in items])) for f in ("open", "high", "low", "close")},
                    "volume": pa.array(np.concatenate([b["volume"] for _, b in items]), pa.int64()),
                    "money": pa.array(np.concatenate([b["money"] for _, b in items]), pa.float64())})
    for field in old.schema:
        if field.name not in new.column_names:
            new = new.append_column(field, pa.nulls(new.num_rows, field.type))
    new = new.select(old.schema.names).cast(old.schema)
    table = pa.concat_tables([old, new]).sort_by([("code", "ascending"), ("datetime", "ascending")])
    write_table_atomic(table, path, level)


def _spikes(cal, rng) -> np.ndarray:
    """Relative rate spike per day: quarter ends (year end most), month ends, holiday-spanning days."""
    n = len(cal)
    out = np.zeros(n)
    months = cal.astype("datetime64[M]")
    last_of_month = np.r_[months[1:] != months[:-1], True]
    ends = np.flatnonzero(last_of_month)
    for e in ends:
        m = int(str(months[e])[5:7])
        if m % 3 == 0:
            peak = rng.uniform(1.0, 2.5) if m == 12 else rng.uniform(0.5, 1.6)
            for k in range(5):
                if e - k >= 0:
                    out[e - k] = max(out[e - k], peak * (1.0 - 0.2 * k))
        else:
            out[e] = max(out[e], rng.uniform(0.1, 0.4))
    gaps = np.r_[(cal[1:] - cal[:-1]).astype(int), 1]
    for t in np.flatnonzero(gaps > 3):      # the day before a holiday: its predecessor's 1-day repo spans it
        if t >= 1:
            out[t - 1] = max(out[t - 1], rng.uniform(0.3, 0.9))
    return out


def _minute_times(day) -> np.ndarray:
    mins = np.concatenate([np.arange(571, 691), np.arange(781, 901)])      # 09:31 … 11:30, 13:01 … 15:00
    return (np.datetime64(day, "D").astype("datetime64[m]") + mins.astype("timedelta64[m]")).astype("datetime64[ms]")


def _minute_bars(o, c, lots, tick, rng) -> dict:
    """240 bars from ``o`` ticks down to ``c`` ticks (decaying), noise on the grid, volume in lots of 10."""
    path = c + (o - c) * np.exp(-np.linspace(0, 6, 240)) + rng.normal(0, max((o - c) * 0.05, 0.5), 240)
    close = np.maximum(np.rint(path).astype(np.int64), 1)
    close[-1] = c
    opn = np.concatenate([[o], close[:-1]])
    high = np.maximum(opn, close) + (rng.random(240) < 0.2)
    low = np.maximum(np.minimum(opn, close) - (rng.random(240) < 0.2), 1)
    vol = (1 + rng.multinomial(int(lots) - 240, _U_SHAPE / _U_SHAPE.sum())).astype(np.int64) * 10
    return {"open": np.round(opn * tick, 3), "high": np.round(high * tick, 3), "low": np.round(low * tick, 3),
            "close": np.round(close * tick, 3), "volume": vol, "money": (vol * rrules.FACE).astype(float)}
