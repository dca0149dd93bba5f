"""A corpus of broken data roots, each with the message a run must stop with.

``python tests/data/broken_roots.py OUT`` writes every root under OUT (for trying ``ptrade-fast run`` and
``ptrade-fast data validate`` on them by hand); the tests build them in temporary folders.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from engine_data import flat_minutes, make_root, weekdays

DAYS = weekdays("2024-03-04", 6)
CODE = "600000.SS"


def _base(tmp: Path, minutes: bool = False) -> Path:
    daily = {CODE: [{"close": 10.0 + 0.1 * i} for i in range(len(DAYS))]}
    mins = {DAYS[2]: {CODE: flat_minutes(10.2)}} if minutes else None
    return make_root(tmp, DAYS, daily, mins)


def _edit_daily(root: Path, fn) -> None:
    path = root / "daily" / "2024.parquet"
    df = pq.read_table(path).to_pandas()
    df = fn(df)
    pq.write_table(pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False), path)


def _edit_minute(root: Path, fn) -> None:
    path = root / "minute" / "2024" / f"{DAYS[2].isoformat()}.parquet"
    df = pq.read_table(path).to_pandas()
    pq.write_table(pa.Table.from_pandas(fn(df).reset_index(drop=True), preserve_index=False), path)


def _set(row, **values):
    def fn(df):
        for k, v in values.items():
            df.loc[row, k] = v
        return df
    return fn


def _dup(df):
    extra = df.iloc[[3]].copy()
    extra["close"] = 99.0
    extra["high"] = 99.0
    return pd.concat([df, extra])


def _meta(root: Path, **changes) -> None:
    meta = json.loads((root / "meta.json").read_text())
    meta.update(changes)
    (root / "meta.json").write_text(json.dumps(meta))


def _flip_bytes(root: Path) -> None:
    path = root / "daily" / "2024.parquet"
    raw = bytearray(path.read_bytes())
    for i in range(len(raw) // 3, len(raw) // 3 + 64):
        raw[i] ^= 0xFF
    path.write_bytes(bytes(raw[: len(raw) - 20]))


# (name, frequency, how to break the base root, expected message of the run (regex))
CASES = [
    ("duplicate_day", "1d", lambda r: _edit_daily(r, _dup),
     r"daily/2024.parquet: row 6: 600000.SS 2024-03-07: data check 'duplicate' failed: a second row for the same "
     r"date \(first at row 3\)"),
    ("close_1e8", "1d", lambda r: _edit_daily(r, _set(2, close=1e8, high=1e8)),
     r"daily/2024.parquet: row 2: 600000.SS 2024-03-06: data check 'range' failed: a price above 100,000 CNY "
     r"\(close 100000000.0\)"),
    ("close_1e6", "1d", lambda r: _edit_daily(r, _set(2, close=1e6, high=1e6)),
     r"data check 'range' failed: a price above 100,000 CNY \(close 1000000.0\)"),
    ("negative_volume", "1d", lambda r: _edit_daily(r, _set(1, volume=-500)),
     r"row 1: 600000.SS 2024-03-05: data check 'volume' failed: negative volume -500.0"),
    ("nan_close_on_traded_day", "1d", lambda r: _edit_daily(r, _set(4, close=float("nan"))),
     r"row 4: 600000.SS 2024-03-08: data check 'price' failed: a NaN or non-positive price on a traded bar "
     r"\(open 10.4, high 10.4, low 10.4, close nan\)"),
    ("high_below_low", "1d", lambda r: _edit_daily(r, _set(3, high=9.0, low=11.0)),
     r"row 3: 600000.SS 2024-03-07: data check 'ohlc' failed: OHLC out of order \(open 10.3, high 9.0, low 11.0"),
    ("format_version_99", "1d", lambda r: _meta(r, format_version=99),
     r"has format_version 99; this ptrade_fast reads 1 \(meta.json\)"),
    ("bad_meta_json", "1d", lambda r: (r / "meta.json").write_text("{not json"),
     r"meta.json is not valid JSON"),
    ("missing_year_file", "1d", lambda r: (_meta(r, daily_years=[2023, 2024, 2025]),
                                            (r / "daily" / "2024.parquet").rename(r / "daily" / "x.bak")),
     r"daily/2024.parquet: data check 'missing' failed: the root declares daily years 2023…2025 \(meta.json\) "
     r"but this year's file is missing"),
    ("flipped_bytes", "1d", _flip_bytes,
     r"daily/2024.parquet: cannot read this Parquet file \(.*\); it is damaged"),
    ("minute_duplicate", "1m", lambda r: _edit_minute(r, lambda df: pd.concat([df, df.iloc[[10]]])),
     r"minute/2024/2024-03-06.parquet: row 240: 600000.SS 2024-03-06 09:41:00: data check 'duplicate' failed"),
    ("minute_unsorted", "1m", lambda r: _edit_minute(r, lambda df: df.iloc[list(range(0, 100)) + [120, 100]
                                                                            + list(range(101, 120))
                                                                            + list(range(121, 240))]),
     r"minute/2024/2024-03-06.parquet: row 120: 600000.SS 2024-03-06 11:30:00: data check 'unsorted' failed: bar times of the code are not "
     r"increasing in the file"),
]


def build(name: str, tmp: Path) -> tuple[Path, str, str]:
    """The broken root of case ``name`` under ``tmp``: (root, frequency, expected message)."""
    for case, freq, breaker, message in CASES:
        if case == name:
            root = _base(tmp, minutes=freq == "1m")
            breaker(root)
            return root, freq, message
    raise KeyError(name)


if __name__ == "__main__":
    out = Path(sys.argv[1])
    for name, *_ in CASES:
        root, _, msg = build(name, out / name)
        print(f"{root}  →  {msg}")
