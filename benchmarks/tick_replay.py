"""Tick replay speed: one day of 100 securities (4,801 snapshots each, ≈ 480k) replayed with a ``tick_data``
that reads five snapshots per call (issue 17: at most 10 s on this machine).

    python benchmarks/tick_replay.py              # 100 securities
    python benchmarks/tick_replay.py --codes 20   # smaller

The root (a synthetic market of 130 stocks, January 2024, with synthetic ticks for the first ``--codes``
stocks on 2024-01-31) is generated once under ``$PTRADE_FAST_BENCH_DIR`` (default /tmp/ptrade_fast_bench).
Prints: snapshots replayed, the wall and CPU time of each run (strategy load, the day's read and the 4,801
steps included), the time to read the day alone, the rates and the peak RSS.  Three strategies are timed:
``data[code]['tick']`` reads (the platform's one-row frame, one field read per snapshot), ``get_snapshot`` of
five codes, and the first with a 100-share buy at bid 1 every fourth call (orders rest: the matcher works at
every step).
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

CACHE = Path(os.environ.get("PTRADE_FAST_BENCH_DIR", "/tmp/ptrade_fast_bench"))
DAY = "2024-01-31"

FRAME_READS = '''
def initialize(context):
    g.codes = CODES
    set_universe(g.codes)
    g.k = 0
    g.total = 0.0

def tick_data(context, data):
    n = len(g.codes)
    for i in range(5):
        code = g.codes[(g.k + i) % n]
        if code in data:
            g.total += data[code]['tick']['last_px'][0]
    g.k += 5

def handle_data(context, data):
    pass
'''

SNAPSHOT_READS = '''
def initialize(context):
    g.codes = CODES
    set_universe(g.codes)
    g.k = 0
    g.total = 0.0

def tick_data(context, data):
    n = len(g.codes)
    five = [g.codes[(g.k + i) % n] for i in range(5)]
    for code, snap in get_snapshot(five).items():
        g.total += snap['last_px'] + snap['bid_grp'][1][0]
    g.k += 5

def handle_data(context, data):
    pass
'''

TRADING = '''
def initialize(context):
    g.codes = CODES
    set_universe(g.codes)
    g.k = 0
    g.total = 0.0

def tick_data(context, data):
    n = len(g.codes)
    for i in range(5):
        code = g.codes[(g.k + i) % n]
        if code in data:
            tick = data[code]['tick']
            g.total += tick['last_px'][0]
            if g.k % 20 == 0 and i == 0:
                bid1 = eval(tick['bid_grp'][0])[1][0]
                order(code, 100, limit_price=bid1)       # rests at bid 1: the matcher works every step
    g.k += 5

def handle_data(context, data):
    pass
'''


def build_root(n_codes: int) -> tuple[Path, list[str]]:
    from ptrade_fast.data.store import DataStore
    from ptrade_fast.data.synthetic import generate
    from ptrade_fast.data.synthetic.ticks import add_ticks
    root = CACHE / f"tick_replay_v2_{n_codes}"
    if not (root / "ticks").is_dir():
        generate(root, stocks=max(130, n_codes + 30), start="2024-01-02", end="2024-01-31", seed=17,
                 market="realistic", overwrite=True)
        store = DataStore.open(root)
        inst = store.instruments
        win = store.daily_window(DAY, DAY)
        stocks = [c for c in store.codes if inst.at[c, "type"] in ("stock", "chinext", "star")
                  and win.volume[0, store.sid(c)] > 0]
        add_ticks(root, stocks[:n_codes], days=[DAY], seed=17)
    import pyarrow.parquet as pq
    from ptrade_fast.data.ticks import tick_path
    codes = sorted(set(pq.read_table(tick_path(root, DAY), columns=["code"]).column("code").to_pylist()))
    return root, codes


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--codes", type=int, default=100)
    args = ap.parse_args(argv)
    from ptrade_fast.data.ticks import read_tick_day
    from ptrade_fast.engine.runner import Backtest
    root, codes = build_root(args.codes)
    import resource

    def rss_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    base = rss_mb()
    t0 = time.perf_counter()
    day = read_tick_day(root, DAY, codes)
    t_read = time.perf_counter() - t0
    size = sum(v.nbytes for v in vars(day).values() if hasattr(v, "nbytes"))
    size += sum(v.nbytes for ev in (day.trades, day.orders) if ev for v in ev.values())
    print(f"the day's arrays: {size / 1e6:,.0f} MB; peak RSS {base:,.0f} MB before reading it, "
          f"{rss_mb():,.0f} MB after")
    n = len(day.time)
    print(f"{len(codes)} securities, {n:,} snapshots, {len(day.trades['time']):,} trades on {DAY}; "
          f"reading the day: {t_read:.2f} s")
    del day
    runs = (("data[code]['tick'] × 5", FRAME_READS), ("get_snapshot(5 codes)", SNAPSHOT_READS),
            ("× 5 + resting orders", TRADING))
    for name, src in runs:
        t0, c0 = time.perf_counter(), time.process_time()
        bt = Backtest(src.replace("CODES", repr(codes)), start=DAY, end=DAY, frequency="tick", data=str(root))
        bt.run()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        calls = bt.tick.n_auction + 4799
        assert bt.g.k == 5 * calls, bt.g.k
        fills = f", {len(bt.account.trades)} fills of {bt.account.book.n_orders} orders" if src is TRADING else ""
        print(f"{name:<24} wall {wall:6.2f} s, cpu {cpu:6.2f} s  ({n / wall:,.0f} snapshots/s, {calls} tick_data "
              f"calls, {5 * calls / wall:,.0f} snapshot reads/s{fills})")
        del bt
    print(f"peak RSS {rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
