"""Scale benchmark: whole-market backtests on a synthetic market, each timed against a raw scan.

    python benchmarks/scale.py --quick          # small sizes, CI-friendly (about a minute)
    python benchmarks/scale.py                  # the full sizes (S1–S4 of issue 5; needs ~15 GB disk)
    python benchmarks/scale.py --only S1 S4     # some scenarios
    python benchmarks/scale.py --only S5 --s1-year 2024   # S5 on a one-year market (no five-year S2 data)

Scenarios (full sizes; --quick shrinks stocks and years):
  S1  5,300 stocks × 1 year of 1-minute bars; each minute the strategy reads ``data`` for 50 watched
      stocks and trades a few times a day.
  S2  the same over 5 years (peak memory must not grow with the years).
  S3  5,300 stocks × 10 years daily; every day it ranks the whole market by 20-day momentum from
      ``get_history(20, '1d', 'close', all_stocks)`` and rebalances into the top 50.
  S4  kernels alone: open orders matched per second (order-bar checks), fills booked per second.
  S0  the engine's own cost: S1's market with a strategy that does nothing.
  S5  S1's market (5,300 stocks × 1 year of 1-minute bars): every morning the strategy screens the whole market
      with ``get_history(60, '1d', 'close', all, fq='dypre')`` and keeps a 50-stock pool it trades minute by
      minute (``get_history(20, '1m', 'close', pool)``, ``data[code]`` without a universe, a few orders a day).

Every backtest runs in its own process (so its peak RSS is its own).  The raw scan reads the same bars
from the store's Parquet files into numpy and touches every value, with no engine: the physical floor.
Each row prints wall seconds, bar-rows per second (security-bars the engine stepped through), peak RSS
and the ratio to the raw scan measured in the same run.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

CACHE = Path(os.environ.get("PTRADE_FAST_BENCH_DIR", "/tmp/ptrade_fast_bench"))

S1_STRATEGY = """
def initialize(context):
    g.n = 0
def before_trading_start(context, data):
    if not hasattr(g, 'watch'):
        g.watch = get_Ashares()[:50]
        set_universe(g.watch)
def handle_data(context, data):
    g.n += 1
    total = 0.0
    for code in g.watch:
        if code in data:
            total += data[code].close
    if g.n % 80 == 0:                       # three decisions a day
        code = g.watch[(g.n // 80) % len(g.watch)]
        if code in data and data[code].volume > 0:
            if get_position(code).amount == 0:
                order_value(code, 100000)
            else:
                order_target(code, 0)
"""

S0_STRATEGY = """
def initialize(context):
    pass
def handle_data(context, data):
    pass
"""

S5_STRATEGY = """
import numpy as np
def initialize(context):
    g.pool = []
    g.n = 0
def before_trading_start(context, data):
    stocks = get_Ashares()
    h = get_history(60, '1d', 'close', stocks, fq='dypre')       # the whole market, long shape
    closes = h['close'].values.reshape(len(stocks), -1)          # rows grouped by code, in date order
    if closes.shape[1] < 2:
        g.pool = []
        return
    mom = closes[:, -1] / closes[:, 0] - 1
    ok = np.isfinite(mom)
    order = np.argsort(-mom[ok], kind='mergesort')[:50]
    g.pool = [stocks[i] for i in np.flatnonzero(ok)[order]]
def handle_data(context, data):
    g.n += 1
    if not g.pool:
        return
    h = get_history(20, '1m', 'close', g.pool)                  # the pool, minute by minute
    ma = np.nanmean(h['close'].values.reshape(len(g.pool), -1), axis=1)
    last = np.array([data[c].close for c in g.pool])             # data[code] outside the universe
    if g.n % 80 == 0:                                            # three decisions a day
        score = last / ma
        held = [c for c in context.portfolio.positions if context.portfolio.positions[c].amount > 0]
        if held and len(held) >= 5:
            pos = get_position(held[0])
            if pos.enable_amount > 0:
                order_target(held[0], 0)
        elif np.isfinite(score).any():
            best = g.pool[int(np.nanargmax(score))]
            if best not in held and data[best].volume > 0:
                order_value(best, 100000)
"""

S3_STRATEGY = """
def initialize(context):
    g.top = 50
def before_trading_start(context, data):
    g.stocks = get_Ashares()
def handle_data(context, data):
    h = get_history(20, '1d', 'close', g.stocks)          # dates × codes (history_format='panel')
    if len(h) < 20:
        return
    mom = (h.iloc[-1] / h.iloc[0] - 1).dropna()
    top = set(mom.nlargest(g.top).index)
    held = set(context.portfolio.positions)
    for code in held - top:
        order_target(code, 0)
    if top:
        each = context.portfolio.portfolio_value / len(top) * 0.98
        for code in sorted(top):
            order_target_value(code, each)
"""


def sizes(quick: bool) -> dict:
    """S1 runs on the last ``s1_days`` trading days of S2's minute market (one generated root serves both)."""
    if quick:
        return {"S2": dict(stocks=300, years=(2023, 2024), months=2), "s1_days": 20,
                "S3": dict(stocks=300, years=(2020, 2024)), "S4": dict(orders=100_000, sids=5300)}
    return {"S2": dict(stocks=5300, years=(2020, 2024)), "s1_days": 242,
            "S3": dict(stocks=5300, years=(2015, 2024)), "S4": dict(orders=1_000_000, sids=5300)}


def market(stocks: int, years: tuple[int, int], minute: bool, months: int | None = None) -> Path:
    """Generate (or reuse) a synthetic market root for these parameters."""
    start = f"{years[0]}-01-01"
    end = f"{years[1]}-12-31" if months is None else f"{years[1]}-{months:02d}-28"
    root = CACHE / f"m{stocks}_{start}_{end}_{'min' if minute else 'day'}"
    if (root / "meta.json").is_file():
        return root
    from ptrade_fast.data.synthetic import generate
    t = time.perf_counter()
    print(f"  generating {root.name} …", file=sys.stderr, flush=True)
    generate(root, stocks=stocks, start=start, end=end, minute=minute, seed=0)
    print(f"  generated in {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
    return root


def _child(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON dict; add its peak RSS."""
    wrapper = code + "\nimport resource, json, sys\n_r['peak_rss_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\nprint(json.dumps(_r))\n"
    out = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-4000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_backtest(root: Path, src: str, start: str, end: str, frequency: str, **options) -> dict:
    return _child(f"""
import time, ptrade_fast
from ptrade_fast.engine.runner import Backtest
t = time.perf_counter()
bt = Backtest({src!r}, start={start!r}, end={end!r}, frequency={frequency!r}, data={str(root)!r},
              capital_base=10_000_000, options={options!r})
r = bt.run()
_r = dict(seconds=time.perf_counter() - t, days=len(r.portfolio), trades=len(r.trades),
          final=float(r.portfolio['total_value'].iloc[-1]), n_sids=bt.store.n_sids)
""")


def raw_scan(root: Path, start: str, end: str, minute: bool) -> dict:
    """Read the bars of [start, end] from the Parquet files into numpy and touch every value."""
    return _child(f"""
import time
from pathlib import Path
import numpy as np, pyarrow.parquet as pq
root = Path({str(root)!r})
t = time.perf_counter()
rows = 0
acc = 0.0
if {minute!r}:
    files = sorted(p for p in (root / 'minute').glob('*/*.parquet') if {start!r} <= p.stem <= {end!r})
    cols = ['code', 'datetime', 'open', 'high', 'low', 'close', 'volume', 'money']
else:
    files = sorted(p for p in (root / 'daily').glob('*.parquet') if {start[:4]!r} <= p.stem <= {end[:4]!r})
    cols = ['code', 'date', 'open', 'high', 'low', 'close', 'volume', 'money', 'preclose', 'high_limit', 'low_limit', 'is_open']
for f in files:
    tb = pq.read_table(f, columns=cols, read_dictionary=['code'])
    rows += tb.num_rows
    for c in cols[2:]:
        acc += float(np.nansum(tb.column(c).to_numpy(zero_copy_only=False)))
    acc += float(tb.column('code').combine_chunks().indices.to_numpy().sum())
_r = dict(seconds=time.perf_counter() - t, rows=rows, files=len(files))
""")


def store_scan(root: Path, start: str, end: str) -> dict:
    """The data layer alone: ``DataStore.minute_day`` (read + pivot into [240, n_sids] arrays) for every day,
    plus the daily arrays the engine also loads — what a backtest reads before the engine does anything."""
    return _child(f"""
import time
import numpy as np
from ptrade_fast.data.store import DataStore
s = DataStore.open({str(root)!r})
s.instrument_arrays()
days = [d for d in s.minute_dates if np.datetime64({start!r}) <= d <= np.datetime64({end!r})]
t = time.perf_counter()
w = s.daily_window(days[0], days[-1])
acc = 0.0
for d in days:
    md = s.minute_day(d)
    acc += float(md.close[239, 0]) if md.has_data[0] else 0.0
    s._minutes.clear()
_r = dict(seconds=time.perf_counter() - t, days=len(days))
""")


def kernel_scan(n_orders: int, n_sids: int) -> dict:
    return _child(f"""
import time
import numpy as np
from ptrade_fast._core.fills import MatchParams, FillBuffer
from ptrade_fast._core.book import OrderBook
from ptrade_fast._core.fees import FeeTable
from ptrade_fast._core.ledger import Ledger
rng = np.random.default_rng(0)
n, m = {n_orders}, {n_sids}
lg = Ledger(m, 10**15)
lg.set_position(0, 0, 0, 0, 0)
fees = FeeTable(m)
fees.commission_rate[:] = 0.0003
fees.min_commission[:] = 50000
book = OrderBook(n)
sid = rng.integers(0, m, n).astype(np.int32)
close = (rng.integers(500, 5000, m) * 100).astype(np.int64)
# Resting limit orders below the market: every order is checked every bar and none fills.
for i in range(n):
    book.add(int(sid[i]), 1, 100, int(close[sid[i]]) - 1000, 100, 0)
vol = np.full(m, 10**9, dtype=np.int64)
zeros = np.zeros(m, dtype=np.int64)
trad = np.ones(m, dtype=np.uint8)
p = MatchParams()
fills = FillBuffer()
bars = 20
t = time.perf_counter()
for _ in range(bars):
    book.match(lg, fees, close, close, close, vol, zeros, zeros, trad, p, fills)
dt = time.perf_counter() - t
assert fills.n == 0 and book.n_open == n
k = 1_000_000
fsid = rng.integers(0, m, k).astype(np.int32)
side = np.ones(k, dtype=np.int8)
qty = np.full(k, 100, dtype=np.int64)
price = close[fsid]
fee = np.full(k, 50000, dtype=np.int64)
lg2 = Ledger(m, 10**15)
t = time.perf_counter()
lg2.ledger_apply_fills(fsid, side, qty, price, fee)
dt2 = time.perf_counter() - t
assert int(lg2.amount.sum()) == 100 * k
_r = dict(seconds=dt, checks=n * bars, checks_per_s=n * bars / dt, fills_per_s=k / dt2)
""")


def row(name, res, scan=None, bar_rows=None):
    secs = res["seconds"]
    rate = f"{bar_rows / secs / 1e6:8.2f}M" if bar_rows else "       -"
    ratio = f"{secs / scan['seconds']:6.2f}" if scan else "     -"
    scan_s = f"{scan['seconds']:8.2f}" if scan else "       -"
    print(f"{name:<4} {secs:9.2f} {rate} {res.get('peak_rss_mb', 0):9.0f} {scan_s} {ratio}  {res.get('note', '')}",
          flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (CI)")
    ap.add_argument("--only", nargs="*", default=["S0", "S1", "S2", "S3", "S4", "S5"])
    ap.add_argument("--s1-year", type=int, metavar="YEAR",
                    help="run S0/S1/S5 on a one-year 5,300-stock minute market of YEAR (about 3 GB, generated "
                         "if missing) instead of the last year of S2's five-year market (about 17 GB)")
    args = ap.parse_args(argv)
    CACHE.mkdir(parents=True, exist_ok=True)
    sz = sizes(args.quick)
    print(f"# ptrade_fast scale benchmark ({'quick' if args.quick else 'full'}), {time.strftime('%Y-%m-%d')}, "
          f"{os.cpu_count()} cores")
    print(f"{'case':<4} {'wall_s':>9} {'bars/s':>9} {'rss_MB':>9} {'scan_s':>8} {'ratio':>6}  note")
    s2 = sz["S2"]
    if {"S0", "S1", "S5"} & set(args.only):
        if args.s1_year:
            root = market(s2["stocks"], (args.s1_year, args.s1_year), True)
        else:
            root = market(s2["stocks"], s2["years"], True, s2.get("months"))
        start, end = _last_days(root, sz["s1_days"])
        raw_scan(root, start, end, True)                 # warm the page cache: time warm reads only
        scan = raw_scan(root, start, end, True)
        print(f"raw  {scan['seconds']:9.2f} {scan['rows'] / scan['seconds'] / 1e6:8.2f}M {scan['peak_rss_mb']:9.0f}"
              f"        -      -  {scan['rows']:,} minute rows, {scan['files']} days")
        if "S0" in args.only:
            st = store_scan(root, start, end)
            print(f"store{st['seconds']:9.2f}        - {st['peak_rss_mb']:9.0f} {scan['seconds']:8.2f} "
                  f"{st['seconds'] / scan['seconds']:6.2f}  data layer alone: read + pivot of {st['days']} days",
                  flush=True)
            r = run_backtest(root, S0_STRATEGY, start, end, "1m")
            bars = r["days"] * 240
            r["note"] = (f"idle: {(r['seconds'] - st['seconds']) / bars * 1e6:.1f} µs/bar of engine over the data "
                         f"layer, {(r['seconds'] - scan['seconds']) / bars * 1e6:.1f} µs/bar over the raw scan, "
                         f"{r['n_sids']} sids")
            row("S0", r, scan, bars * r["n_sids"])
        if "S1" in args.only:
            r = run_backtest(root, S1_STRATEGY, start, end, "1m")
            r["note"] = f"{r['days']} days, {r['trades']} trades"
            row("S1", r, scan, r["days"] * 240 * r["n_sids"])
        if "S5" in args.only:
            r = run_backtest(root, S5_STRATEGY, start, end, "1m")
            r["note"] = f"{r['days']} days, {r['trades']} trades"
            row("S5", r, scan, r["days"] * 240 * r["n_sids"])
    if "S2" in args.only:
        root = market(s2["stocks"], s2["years"], True, s2.get("months"))
        start, end = _range(root)
        raw_scan(root, start, end, True)
        scan = raw_scan(root, start, end, True)
        r = run_backtest(root, S1_STRATEGY, start, end, "1m")
        r["note"] = f"{r['days']} days, {r['trades']} trades"
        row("S2", r, scan, r["days"] * 240 * r["n_sids"])
    if "S3" in args.only:
        s3 = sz["S3"]
        root = market(s3["stocks"], s3["years"], False)
        start, end = _range(root)
        raw_scan(root, start, end, False)
        scan = raw_scan(root, start, end, False)
        r = run_backtest(root, S3_STRATEGY, start, end, "1d", history_format="panel")
        r["note"] = f"{r['days']} days, {r['trades']} trades"
        row("S3", r, scan, r["days"] * r["n_sids"])
    if "S4" in args.only:
        s4 = sz["S4"]
        r = kernel_scan(s4["orders"], s4["sids"])
        r["note"] = (f"{r['checks_per_s'] / 1e6:.1f}M order-bar checks/s ({s4['orders']:,} open orders, "
                     f"{s4['sids']} sids), {r['fills_per_s'] / 1e6:.1f}M fills booked/s")
        row("S4", r)
    return 0


def _last_days(root: Path, n: int) -> tuple[str, str]:
    days = sorted(p.stem for p in (root / "minute").glob("*/*.parquet"))
    return days[-n], days[-1]


def _range(root: Path) -> tuple[str, str]:
    meta = json.loads((root / "meta.json").read_text())
    return meta["calendar"][0], meta["calendar"][1]


if __name__ == "__main__":
    sys.exit(main())
