"""What the data checks cost (docs/data-format.md, "Checks"): S1's strategy on S1's minute market, run with
``data_checks='error'`` (the default) and ``'off'``, alternating, in fresh interpreters; prints both medians and
the overhead.  ``--quick`` uses scale.py's quick market (300 stocks × 20 minute days), the default the full S1
(5,300 stocks × 1 year; generated once, ~15 GB)."""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--year", type=int, help="S1 at full width on one generated year (5,300 stocks × that year's "
                                            "minute bars) instead of scale.py's multi-year S2 market")
    args = ap.parse_args()
    size = scale.sizes(args.quick)
    if args.year:
        root = scale.market(stocks=5300, years=(args.year, args.year), minute=True)
        size["s1_days"] = 10_000
    else:
        root = scale.market(**size["S2"], minute=True)
    import numpy as np
    from ptrade_fast.data.store import DataStore
    days = DataStore.open(root).minute_dates[-size["s1_days"]:]
    start, end = str(days[0]), str(days[-1])
    times = {"error": [], "off": []}
    scale.run_backtest(root, scale.S1_STRATEGY, start, end, "1m", data_checks="off")   # warm the page cache
    for k in range(args.repeat):
        for mode in (("error", "off") if k % 2 == 0 else ("off", "error")):
            r = scale.run_backtest(root, scale.S1_STRATEGY, start, end, "1m", data_checks=mode)
            times[mode].append(r["seconds"])
    on, off = statistics.median(times["error"]), statistics.median(times["off"])
    print(f"S1 {'quick ' if args.quick else ''}({root.name}, {len(days)} days): checks on {on:.3f} s, off {off:.3f} s, "
          f"cost {on - off:+.3f} s = {100 * (on - off) / off:+.1f} % (medians of {args.repeat})")
    _ = np


if __name__ == "__main__":
    main()
