"""Sweep scaling on this machine: 1 worker vs 2 workers on a CPU-bound grid, and worker memory vs cells.

    python benchmarks/sweep_scaling.py [--cells 4] [--start 2016-01-04] [--end 2025-08-05]

Prints the wall time of the same grid with 1 and 2 local workers and their ratio (target ≤ 0.6 on two
free cores), then each worker's peak resident memory after sweeps of increasing size (it should not grow
with the number of cells: every cell's backtest is released when it ends, and market data is read
memory-mapped).  The strategy is the sweep tests' moving-average cross on the bundled real daily bars of
600000.SS, ~10 years a cell for the timing and one year a cell for the memory series.  Timing is printed, never asserted.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import ptrade_fast

STRATEGY = str(Path(__file__).resolve().parents[1] / "tests" / "sweep" / "ma_cross.py")


def grid(n: int) -> list[dict]:
    cells = [{"fast": f, "slow": s} for s in (10, 20, 30, 40, 60, 90) for f in (2, 3, 5, 8)]
    if n > len(cells):
        raise SystemExit(f"--cells at most {len(cells)}")
    return cells[:n]


def timed_sweep(cells, workers, root, span, tag):
    out = Path(root) / tag
    peaks = {}

    def progress(done, total, eta, outcome):
        peaks[outcome["pid"]] = max(peaks.get(outcome["pid"], 0), outcome["maxrss_kb"])

    t0 = time.perf_counter()
    ptrade_fast.sweep(STRATEGY, cells, out=out, workers=workers, report=False, progress=progress, **span)
    seconds = time.perf_counter() - t0
    shutil.rmtree(out)
    return seconds, peaks


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=4)
    ap.add_argument("--start", default="2016-01-04")
    ap.add_argument("--end", default="2025-08-05")
    args = ap.parse_args(argv)
    span = {"start": args.start, "end": args.end}
    cells = grid(args.cells)
    print(f"CPUs usable: {len(os.sched_getaffinity(0))}; load average {os.getloadavg()[0]:.1f}; "
          f"{len(cells)} cells of {args.start}..{args.end} daily")
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as root:
        timed_sweep(cells[:1], 1, root, span, "warm")           # warm the page cache and imports
        t1, _ = timed_sweep(cells, 1, root, span, "w1")
        t2, _ = timed_sweep(cells, 2, root, span, "w2")
        print(f"1 worker : {t1:8.2f} s")
        print(f"2 workers: {t2:8.2f} s")
        print(f"ratio    : {t2 / t1:8.3f}  (target <= 0.6)")
        print("\npeak RSS per worker (MiB) vs cells in the sweep (1 worker):")
        for n in (1, 2, 4, 8):
            _, peaks = timed_sweep(grid(n), 1, root, {"start": "2019-01-02", "end": "2019-12-31"}, f"m{n}")
            print(f"  {n:3d} cells: " + ", ".join(f"{kb / 1024:.1f}" for kb in peaks.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
