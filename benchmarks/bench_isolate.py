"""Cost of ``run(..., isolate=True)`` on a 100-stock daily market, and byte-identity of its results.

    python benchmarks/bench_isolate.py [--repeat 3] [--stocks 100] [--years 2020 2024]

Generates (or reuses, under the scale benchmarks' cache) a synthetic 100-stock daily market, then
times the same momentum strategy with and without isolation, alternating runs so machine noise
hits both.  Prints the first isolated run (which starts the warm zygote interpreter), the median
of the later ones, the overhead in seconds and in percent, whether it meets the budget
(overhead <= 0.5 s + 5 % of the plain run), the same in CPU seconds (this process plus the child's
own count, steadier than wall time on a busy machine), and whether the saved result folders are identical.
"""
from __future__ import annotations

import argparse
import filecmp
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ptrade_fast  # noqa: E402
from scale import market  # noqa: E402

STRATEGY = """
def initialize(context):
    g.top = 10
def before_trading_start(context, data):
    g.stocks = get_Ashares()
def handle_data(context, data):
    h = get_history(20, '1d', 'close', g.stocks)
    if len(h) < 20:
        return
    mom = (h.iloc[-1] / h.iloc[0] - 1).dropna()
    top = set(mom.nlargest(g.top).index)
    for code in sorted(set(context.portfolio.positions) - top):   # sorted: set order varies by process
        order_target(code, 0)
    if top:
        each = context.portfolio.portfolio_value / len(top) * 0.98
        for code in sorted(top):
            order_target_value(code, each)
"""


def _same_folders(a: Path, b: Path) -> bool:
    names = sorted(os.listdir(a))
    if names != sorted(os.listdir(b)):
        return False
    match, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    return not mismatch and not errors


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--stocks", type=int, default=100)
    ap.add_argument("--years", type=int, nargs=2, default=(2020, 2024))
    args = ap.parse_args(argv)
    root = market(args.stocks, tuple(args.years), minute=False)
    work = Path(tempfile.mkdtemp(prefix="ptrade_fast_bench_isolate_"))
    strategy = work / "momentum.py"
    strategy.write_text(STRATEGY, encoding="utf-8")
    kw = dict(data=str(root), research_path=str(work / "research"), history_format="panel")

    cpu = {"plain": [], "isolated": []}

    def timed(**extra):
        c = time.process_time()
        t = time.perf_counter()
        r = ptrade_fast.run(strategy, **kw, **extra)
        wall = time.perf_counter() - t
        used = time.process_time() - c + getattr(r, "isolated_cpu_seconds", 0.0)
        cpu["isolated" if extra else "plain"].append(used)
        return wall, r, wall - r.run_seconds     # time outside the engine's day loop

    plain0, ref, _ = timed()                       # warms this process's imports and caches
    first_iso, iso_result, first_out = timed(isolate=True)  # starts the zygote
    plain, iso, plain_out, iso_out = [], [], [], []
    for _ in range(args.repeat):
        w, _, o = timed()
        plain.append(w)
        plain_out.append(o)
        w, _, o = timed(isolate=True)
        iso.append(w)
        iso_out.append(o)
    ref.save(work / "plain")
    iso_result.save(work / "isolated")
    same = _same_folders(work / "plain", work / "isolated")
    p, i = statistics.median(plain), statistics.median(iso)
    overhead = i - p
    budget = 0.5 + 0.05 * p
    days = len(ref.portfolio)
    print(f"market       {root.name}: {args.stocks} stocks, {days} trading days, {len(ref.trades)} trades")
    print(f"plain run    median {p:.3f} s over {args.repeat} (first {plain0:.3f} s)")
    print(f"isolated run median {i:.3f} s over {args.repeat} (first, starting the zygote: {first_iso:.3f} s)")
    print(f"overhead     {overhead:+.3f} s = {100 * overhead / p:+.1f} % of the plain run; "
          f"budget 0.5 s + 5 % = {budget:.3f} s -> {'within' if overhead <= budget else 'OVER'}")
    po, io_ = statistics.median(plain_out), statistics.median(iso_out)
    print(f"outside the day loop: plain {po:.3f} s, isolated {io_:.3f} s (fork, sandbox, save, load): "
          f"fixed overhead {io_ - po:+.3f} s, less exposed to machine noise than the totals")
    print(f"first isolated run outside the day loop {first_out:.3f} s: fixed overhead {first_out - po:+.3f} s "
          "(includes starting the zygote, once per Python process)")
    cp, ci = statistics.median(cpu["plain"][1:]), statistics.median(cpu["isolated"][1:])
    print(f"CPU time     plain {cp:.3f} s, isolated {ci:.3f} s (this process + the child): overhead "
          f"{ci - cp:+.3f} s = {100 * (ci - cp) / cp:+.1f} %; budget {0.5 + 0.05 * cp:.3f} s -> "
          f"{'within' if ci - cp <= 0.5 + 0.05 * cp else 'OVER'}")
    files = ", ".join(sorted(os.listdir(work / "plain")))
    print(f"results      saved folders {'byte-identical' if same else 'DIFFER'} ({files})")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
