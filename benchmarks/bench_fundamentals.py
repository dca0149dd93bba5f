"""Point-in-time fundamentals at whole-market scale: one ``get_fundamentals`` over 5,300 codes on a date.

Target (issue 13): ≤ 20 ms per call once the table is loaded.  The root is a synthetic 5,300-stock market
(``data.synthetic.generate``, seed 0, one month of daily bars, cached under ``/tmp/ptrade_fast_bench/``)
with seeded report tables written through ``data.fundamentals.write_table``: every code has 24 quarterly
reports (2014-Q1 … 2019-Q4), each first published 20–110 days after its period end, a quarter of them
revised later.  The first call (which reads the Parquet file and builds the index) is timed separately.
After timing, the answer is checked against the point-in-time rule for a sample of codes.

Run: ``python benchmarks/bench_fundamentals.py`` (prints the figures).
"""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ptrade_fast.api.fundamentals import FundamentalsAPI
from ptrade_fast.data.fundamentals import TDX_FIELDS, write_table
from ptrade_fast.data.store import DataStore
from ptrade_fast.data.synthetic import generate
from ptrade_fast.engine.runtime import Runtime

ROOT = Path("/tmp/ptrade_fast_bench/fundamentals_5300")
SEED = 0


def build_root() -> Path:
    if not (ROOT / "meta.json").is_file():
        generate(ROOT, stocks=5300, start="2019-12-01", end="2019-12-31", minute=False, seed=SEED,
                 progress=None, overwrite=True)
    store = DataStore.open(ROOT)
    inst = store.instruments
    codes = sorted(inst.index[inst["type"].isin(["stock", "star", "chinext"])])
    rng = np.random.default_rng(SEED)
    ends = pd.date_range("2014-03-31", "2019-12-31", freq="QE")
    n = len(codes) * len(ends)
    end = np.tile(ends.to_numpy().astype("datetime64[D]"), len(codes))
    publ = end + rng.integers(20, 110, n).astype("timedelta64[D]")
    keys = pd.DataFrame({"code": np.repeat(codes, len(ends)), "end_date": end, "publ_date": publ,
                         "report_type": pd.Series(end).dt.month.map({3: "1", 6: "2", 9: "3", 12: "4"}).to_numpy(),
                         "revision": np.zeros(n, np.int16)})
    revised = keys[rng.random(n) < 0.25].copy()
    revised["revision"] = 1
    revised["publ_date"] = revised["publ_date"] + np.timedelta64(60, "D")
    keys = pd.concat([keys, revised], ignore_index=True)
    for table, fields in TDX_FIELDS.items():
        vals = {f: rng.normal(size=len(keys)).round(4) for f in fields}
        write_table(ROOT, table, pd.concat([keys, pd.DataFrame(vals)], axis=1))
    return ROOT


def main() -> None:
    root = build_root()
    store = DataStore.open(root)
    rt = Runtime(store, "1d", {})
    rt.phase, rt.trade_date, rt.bar_index = "handle", dt.date(2019, 12, 20), 0
    api = FundamentalsAPI(rt)
    codes = list(store.instruments.index[store.instruments["type"].isin(["stock", "star", "chinext"])])
    for table, fields in (("balance_statement", None), ("eps", ["basic_eps", "naps"])):
        t0 = time.perf_counter()
        api.get_fundamentals(codes, table, fields)
        first = time.perf_counter() - t0
        runs = []
        for _ in range(20):
            t0 = time.perf_counter()
            df = api.get_fundamentals(codes, table, fields)
            runs.append(time.perf_counter() - t0)
        print(f"get_fundamentals({len(codes)} codes, {table!r}, {len(df.columns) - 3} fields): "
              f"first call {first * 1e3:.1f} ms (load + index), then median {np.median(runs) * 1e3:.2f} ms, "
              f"max {max(runs) * 1e3:.2f} ms")
    t0 = time.perf_counter()
    api.get_fundamentals(codes, "valuation")
    first = time.perf_counter() - t0
    runs = []
    for _ in range(10):
        t0 = time.perf_counter()
        val = api.get_fundamentals(codes, "valuation")
        runs.append(time.perf_counter() - t0)
    print(f"get_fundamentals({len(codes)} codes, 'valuation'): first call {first * 1e3:.1f} ms, then median "
          f"{np.median(runs) * 1e3:.2f} ms ({int(val['total_value'].notna().sum())} codes with a market value)")
    # Check a sample against the rule: latest end_date among revision-0 reports published before the day.
    raw = pd.read_parquet(root / "fundamentals" / "eps.parquet")
    day = dt.date(2019, 12, 20)
    for code in codes[:: max(1, len(codes) // 50)]:
        g = raw[(raw.code == code) & (raw.revision == 0) & (raw.publ_date < day)]
        want = g.sort_values(["end_date", "publ_date"]).iloc[-1]
        assert df.at[code, "basic_eps"] == want.basic_eps and df.at[code, "end_date"] == str(want.end_date)
    print("checked: answers follow the point-in-time rule")


if __name__ == "__main__":
    main()
