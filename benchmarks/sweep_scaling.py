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
    cell_seconds = []
    rss = []

    def progress(done, total, eta, outcome):
        peaks[outcome["pid"]] = max(peaks.get(outcome["pid"], 0), outcome["maxrss_kb"])
        rss.append(outcome["rss_kb"])
        cell_seconds.append((outcome["seconds"], outcome["cpu_seconds"]))

    t0 = time.perf_counter()
    ptrade_fast.sweep(STRATEGY, cells, out=out, workers=workers, report=False, progress=progress, **span)
    seconds = time.perf_counter() - t0
    shutil.rmtree(out)
    timed_sweep.cell_seconds = cell_seconds
    timed_sweep.rss = rss
    return seconds, peaks


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=4)
    ap.add_argument("--start", default="2016-01-04")
    ap.add_argument("--end", default="2025-08-05")
    ap.add_argument("--mem-cells", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2, 4, 8, 16],
                    help="sweep sizes of the memory series (comma-separated)")
    ap.add_argument("--skip-timing", action="store_true", help="only the memory series")
    args = ap.parse_args(argv)
    span = {"start": args.start, "end": args.end}
    cells = grid(args.cells)
    print(f"CPUs usable: {len(os.sched_getaffinity(0))}; load average {os.getloadavg()[0]:.1f}; "
          f"{len(cells)} cells of {args.start}..{args.end} daily")
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as root:
        timed_sweep(cells[:1], 1, root, span, "warm")           # warm the page cache and imports
        if not args.skip_timing:
            t1, _ = timed_sweep(cells, 1, root, span, "w1")
            w1, u1 = map(sum, zip(*timed_sweep.cell_seconds))
            t2, _ = timed_sweep(cells, 2, root, span, "w2")
            w2, u2 = map(sum, zip(*timed_sweep.cell_seconds))
            # Busy workers = the cells' run times / wall time (2.0: the pool overlapped perfectly).  CPU
            # share = the cells' CPU time / their run time (1.0: each worker had a core to itself; less: the
            # machine's cores were busy with other work, which no pool can make up for).
            for n, t, w, u in ((1, t1, w1, u1), (2, t2, w2, u2)):
                print(f"{n} worker{'s' if n > 1 else ' '}: {t:8.2f} s   busy workers {w / t:.2f}   "
                      f"CPU share per worker {u / w:.2f}   cells' CPU time {u:.2f} s")
            print(f"ratio    : {t2 / t1:8.3f}  (target <= 0.6)")
        print("\nworker memory (MiB) vs cells in the sweep (1 worker, one year a cell): "
              "resident after the first and the last cell, and the peak")
        for n in args.mem_cells:
            _, peaks = timed_sweep(grid(n), 1, root, {"start": "2019-01-02", "end": "2019-12-31"}, f"m{n}")
            rss = timed_sweep.rss
            print(f"  {n:3d} cells: after first {rss[0] / 1024:6.1f}   after last {rss[-1] / 1024:6.1f}   "
                  f"peak {max(peaks.values()) / 1024:6.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
