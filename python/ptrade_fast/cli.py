"""The ``ptrade-fast`` command line.

``ptrade-fast run STRATEGY.py [--start D] [--end D] [--frequency 1d|1m] [--capital C] [--data ROOT]
[--benchmark CODE] [--out DIR]`` runs a backtest, shows progress, prints a summary and the metrics,
and writes the results folder and its HTML report when ``--out`` is given.  A strategy error exits
with status 1 and names the file and line; bad arguments or data exit with status 2.

``ptrade-fast report RESULTS_DIR`` rebuilds the HTML report of a saved results folder.

``ptrade-fast sweep STRATEGY.py --grid params.yaml|json`` runs a parameter sweep (``ptrade_fast.sweeps.cli``).

``ptrade-fast data import-csv|import-tdx|generate|info|validate --data ROOT`` manages data roots
(``ptrade_fast.data.cli``).
"""
from __future__ import annotations

import argparse
import sys
import time


class Progress:
    """A one-line progress bar on stderr: simulated date, days done, simulated days per second."""

    def __init__(self, stream=None, enabled=True, width=30):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.width = width
        self.t0 = time.perf_counter()
        self._last = 0.0

    def __call__(self, done: int, total: int, day) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        frac = done / total if total else 1.0
        bar = "#" * int(frac * self.width)
        speed = done / max(now - self.t0, 1e-9)
        self.stream.write(f"\r[{bar:<{self.width}}] {day}  {done}/{total} days  {speed:,.0f} days/s")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


def _run(args) -> int:
    import ptrade_fast
    from ptrade_fast import errors as E
    from ptrade_fast.report.cli_support import print_metrics_table

    show = args.progress if args.progress is not None else sys.stderr.isatty()
    progress = Progress(enabled=show)
    options = {}
    if args.log:
        options["log_echo"] = sys.stdout
    try:
        result = ptrade_fast.run(args.strategy, start=args.start, end=args.end, frequency=args.frequency,
                                 capital_base=args.capital, benchmark=args.benchmark, data=args.data,
                                 progress=progress, **options)
    except E.StrategyRuntimeError as exc:
        print(f"\nptrade-fast: strategy error: {exc}", file=sys.stderr)
        partial = getattr(exc, "partial_result", None)
        if partial is not None and args.out:
            partial.save(args.out)
            print(f"ptrade-fast: partial results up to the failure written to {args.out}", file=sys.stderr)
        return 1
    except E.StrategyLoadError as exc:
        print(f"ptrade-fast: cannot load strategy: {exc}", file=sys.stderr)
        return 1
    except (E.DataError, ValueError, TypeError, FileNotFoundError) as exc:
        print(f"ptrade-fast: {exc}", file=sys.stderr)
        return 2

    p = result.portfolio
    params = result.params
    print(f"strategy   {params['strategy']}")
    print(f"period     {params['start']} … {params['end']} ({len(p)} trading days, {params['frequency']})")
    print(f"capital    {params['capital_base']:,.2f} → {p['total_value'].iloc[-1]:,.2f}")
    print(f"orders     {len(result.orders)}  trades {len(result.trades)}  "
          f"run time {getattr(result, 'run_seconds', 0.0):.2f} s")
    print()
    print_metrics_table(result.metrics)
    if args.out:
        path = result.save(args.out)
        report = result.report()
        print(f"\nresults    {path}\nreport     {report}")
    return 0


def _report(args) -> int:
    from ptrade_fast.result import rebuild_report
    try:
        path = rebuild_report(args.results_dir)
    except (FileNotFoundError, ValueError) as exc:
        print(f"ptrade-fast: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="ptrade-fast", description="Backtest unmodified Ptrade strategies locally.")
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run a strategy file")
    r.add_argument("strategy", help="the Ptrade strategy file (.py)")
    r.add_argument("--start", help="first day, YYYY-mm-dd (default: start of the data)")
    r.add_argument("--end", help="last day, YYYY-mm-dd (default: end of the data)")
    r.add_argument("--frequency", "-f", default="1d", choices=["1d", "1m", "daily", "minute"])
    r.add_argument("--capital", type=float, default=1_000_000.0, help="starting cash in CNY (default 1,000,000)")
    r.add_argument("--data", help="data root (default: $PTRADE_FAST_DATA, else the bundled sample)")
    r.add_argument("--benchmark", help="benchmark code (default: the strategy's set_benchmark, else 000300.SS)")
    r.add_argument("--out", help="write the results folder and report.html here")
    r.add_argument("--log", action="store_true", help="echo the strategy log while running")
    r.add_argument("--progress", dest="progress", action="store_true", default=None, help="force the progress bar")
    r.add_argument("--no-progress", dest="progress", action="store_false")
    r.set_defaults(func=_run)
    rep = sub.add_parser("report", help="rebuild the HTML report of a results folder")
    rep.add_argument("results_dir")
    rep.set_defaults(func=_report)
    from ptrade_fast.data.cli import add_data_commands
    add_data_commands(sub)
    from ptrade_fast.sweeps.cli import add_sweep_command
    add_sweep_command(sub)
    return ap


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
