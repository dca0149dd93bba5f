"""The ``ptrade-fast`` command line.

``ptrade-fast run STRATEGY.py | --example NAME [--start D] [--end D] [--frequency 1d|1m] [--capital C]
[--data ROOT] [--benchmark CODE] [--out DIR | --no-save] [--open]`` runs a backtest, shows progress
(tqdm, when standard error is a terminal), prints where the prices came from, a summary and the metrics,
and writes the results folder with its HTML report — by default to ``runs/<strategy>-<YYYYmmdd-HHMMSS>/``
under the current folder — printing the report's path.  A strategy error exits with status 1 and names
the file and line; bad arguments or data exit with status 2.

``ptrade-fast examples`` lists the example strategies shipped with the package.

``ptrade-fast report RESULTS_DIR [--open]`` rebuilds the HTML report of a saved results folder.

``ptrade-fast data import-csv|import-tdx|generate|info|validate --data ROOT`` manages data roots
(``ptrade_fast.data.cli``).

Every message printed here speaks in flags (``--force``), never in Python arguments (``cli_words``).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import sys
from pathlib import Path

from .cli_words import cli_words

RUNS_DIR = "runs"


def default_out_dir(strategy: str | Path, now: _dt.datetime | None = None) -> Path:
    """``runs/<strategy stem>-<YYYYmmdd-HHMMSS>`` under the current folder (a suffix ``-2``, ``-3`` … if
    that folder already exists)."""
    stamp = (now or _dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = Path(RUNS_DIR) / f"{Path(str(strategy)).stem}-{stamp}"
    out, k = base, 1
    while out.exists():
        k += 1
        out = base.with_name(f"{base.name}-{k}")
    return out


def _strategy_path(args) -> str:
    from . import examples
    if args.example and args.strategy:
        raise ValueError("give a strategy file or --example NAME, not both")
    if args.example:
        return str(examples.path(args.example))
    if not args.strategy:
        raise ValueError("give a strategy file (ptrade-fast run STRATEGY.py) or --example NAME "
                         "(ptrade-fast examples lists them)")
    return args.strategy


def print_run_summary(result, out=None) -> None:
    """The lines printed after a run: strategy, provenance (data, span, synthetic), capital, counts."""
    out = out or sys.stdout
    p = result.portfolio
    params = result.params
    print(f"strategy   {params['strategy']}", file=out)
    for label, text in result.provenance():
        print(f"{label:<10} {text}", file=out)
    print(f"capital    {params['capital_base']:,.2f} → {p['total_value'].iloc[-1]:,.2f}", file=out)
    print(f"orders     {len(result.orders)}  trades {len(result.trades)}  "
          f"run time {result.run_seconds:.2f} s", file=out)


def _run(args) -> int:
    import ptrade_fast
    from ptrade_fast import errors as E
    from ptrade_fast.progress import ProgressBar
    from ptrade_fast.report.cli_support import print_metrics_table

    if args.out and args.no_save:
        print("ptrade-fast: give --out DIR or --no-save, not both", file=sys.stderr)
        return 2
    try:
        strategy = _strategy_path(args)
    except ValueError as exc:
        print(f"ptrade-fast: {exc}", file=sys.stderr)
        return 2
    out_dir = None if args.no_save else Path(args.out) if args.out else default_out_dir(strategy)
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    frequency = {"daily": "1d", "minute": "1m"}.get(args.frequency, args.frequency)
    options = {}
    if args.log:
        options["log_echo"] = sys.stdout
    try:
        result = ptrade_fast.run(strategy, start=args.start, end=args.end, frequency=frequency,
                                 capital_base=args.capital, benchmark=args.benchmark, data=args.data,
                                 progress=ProgressBar(frequency, notebook=False) if show else None, **options)
    except E.StrategyRuntimeError as exc:
        print(f"\nptrade-fast: strategy error: {cli_words(exc)}", file=sys.stderr)
        partial = getattr(exc, "partial_result", None)
        if partial is not None and out_dir is not None:
            partial.save(out_dir)
            report = partial.report()
            print(f"ptrade-fast: partial results up to the failure written to {out_dir}\n"
                  f"report     {report}", file=sys.stderr)
        return 1
    except E.StrategyLoadError as exc:
        print(f"ptrade-fast: cannot load strategy: {cli_words(exc)}", file=sys.stderr)
        return 1
    except (E.DataError, ValueError, TypeError, FileNotFoundError) as exc:
        print(f"ptrade-fast: {cli_words(exc)}", file=sys.stderr)
        return 2

    print_run_summary(result)
    print()
    print_metrics_table(result.metrics)
    if out_dir is not None:
        path = result.save(out_dir)
        report = result.report(open_browser=args.open)
        print(f"\nresults    {path}\nreport     {report}")
    elif args.open:
        print(f"\nreport     {result.report(open_browser=True)}")
    return 0


def _report(args) -> int:
    from ptrade_fast.result import Result
    try:
        path = Result.load(args.results_dir).report(open_browser=args.open)
    except (FileNotFoundError, ValueError) as exc:
        print(f"ptrade-fast: {cli_words(exc)}", file=sys.stderr)
        return 2
    print(path)
    return 0


def _examples(args) -> int:
    from . import examples
    names = examples.names()
    width = max(len(n) for n in names)
    for name in names:
        print(f"{name:<{width}}  {examples.title(name)}")
    first = "double_ma" if "double_ma" in names else names[0]
    print(f"\nrun one:   ptrade-fast run --example {first}\nfiles in:  {examples.HERE}")
    return 0


def _version() -> str:
    from . import __version__
    return f"ptrade-fast {__version__}"


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="ptrade-fast", description="Backtest unmodified Ptrade strategies locally.")
    ap.add_argument("--version", action="version", version=_version())
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run a strategy file or a shipped example")
    r.add_argument("strategy", nargs="?", help="the Ptrade strategy file (.py)")
    r.add_argument("--example", metavar="NAME", help="run a shipped example instead (see: ptrade-fast examples)")
    r.add_argument("--start", help="first day, YYYY-mm-dd (default: the start of the span the data covers)")
    r.add_argument("--end", help="last day, YYYY-mm-dd (default: the end of the span the data covers)")
    r.add_argument("--frequency", "-f", default="1d", choices=["1d", "1m", "daily", "minute"])
    r.add_argument("--capital", type=float, default=1_000_000.0, help="starting cash in CNY (default 1,000,000)")
    r.add_argument("--data", help="data root (default: $PTRADE_FAST_DATA, else the bundled sample)")
    r.add_argument("--benchmark", help="benchmark code (default: the strategy's set_benchmark, else 000300.SS)")
    r.add_argument("--out", help=f"results folder (default: {RUNS_DIR}/<strategy>-<YYYYmmdd-HHMMSS>)")
    r.add_argument("--no-save", action="store_true", help="write no results folder")
    r.add_argument("--open", action="store_true", help="open the HTML report in the web browser")
    r.add_argument("--log", action="store_true", help="echo the strategy log while running")
    r.add_argument("--progress", dest="progress", action="store_true", default=None,
                   help="show the progress bar even when standard error is not a terminal")
    r.add_argument("--no-progress", dest="progress", action="store_false")
    r.set_defaults(func=_run)
    ex = sub.add_parser("examples", help="list the example strategies shipped with the package")
    ex.set_defaults(func=_examples)
    rep = sub.add_parser("report", help="rebuild the HTML report of a results folder")
    rep.add_argument("results_dir")
    rep.add_argument("--open", action="store_true", help="open the report in the web browser")
    rep.set_defaults(func=_report)
    from ptrade_fast.data.cli import add_data_commands
    add_data_commands(sub)
    return ap


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
