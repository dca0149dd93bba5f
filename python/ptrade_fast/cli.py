"""The ``ptrade-fast`` command line.

``ptrade-fast run STRATEGY.py | --example NAME [--start D] [--end D] [--frequency 1d|1m|tick] [--capital C]
[--data ROOT] [--benchmark CODE] [--out DIR | --no-save] [--open] [--no-sandbox] [--snapshot bars]`` runs a backtest, shows progress
(tqdm, when standard error is a terminal), prints where the prices came from, a summary and the metrics,
and writes the results folder with its HTML report — by default to ``runs/<strategy>-<YYYYmmdd-HHMMSS>/``
under the current folder — printing the report's path.  A strategy error exits with status 1 and names
the file and line; bad arguments or data exit with status 2.

``ptrade-fast check STRATEGY.py [--target py35|py311] [--format text|json]`` reports what would stop
the file on the platform (``ptrade_fast.check``); exit 0 clean, 1 warnings, 3 errors.  ``run`` prints
the check's warnings first; ``run --isolate`` runs the backtest in a sandboxed child process
(``ptrade_fast.isolate``, docs/isolation.md).

``ptrade-fast examples`` lists the example strategies shipped with the package.

``ptrade-fast report RESULTS_DIR [--open]`` rebuilds the HTML report of a saved results folder.

``ptrade-fast sweep STRATEGY.py --grid params.yaml|json`` runs a parameter sweep (``ptrade_fast.sweeps.cli``).

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
    from ptrade_fast.report.folder import FolderBusy, FolderLock

    if args.out and args.no_save:
        print("ptrade-fast: give --out DIR or --no-save, not both", file=sys.stderr)
        return 2
    if args.resume and (args.strategy or args.example or args.out or args.no_save or args.checkpoint_every):
        print("ptrade-fast: --resume OUT continues the run saved in OUT with its own strategy and options; "
              "give no strategy, --example, --out, --no-save or --checkpoint-every with it", file=sys.stderr)
        return 2
    if args.resume:
        strategy, out_dir = None, Path(args.resume)
    else:
        try:
            strategy = _strategy_path(args)
        except ValueError as exc:
            print(f"ptrade-fast: {exc}", file=sys.stderr)
            return 2
        _print_check_warnings(strategy)
        out_dir = None if args.no_save else Path(args.out) if args.out else default_out_dir(strategy)
    if args.checkpoint_every and out_dir is None:
        print("ptrade-fast: --checkpoint-every needs a results folder (drop --no-save)", file=sys.stderr)
        return 2
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    frequency = {"daily": "1d", "minute": "1m"}.get(args.frequency, args.frequency)
    options = {}
    if args.log:
        options["log_echo"] = sys.stdout
    if args.isolate:
        options["isolate"] = True
    if args.callback_timeout is not None:
        options["callback_timeout"] = args.callback_timeout
    if args.data_checks is not None:
        options["data_checks"] = args.data_checks
    checkpoints = _checkpoint_dir(out_dir) if out_dir is not None else None
    if args.checkpoint_every:
        options.update(checkpoint_every=args.checkpoint_every, checkpoint_dir=str(checkpoints))
    lock = FolderLock(out_dir) if out_dir is not None else None
    if args.no_sandbox:
        options["sandbox"] = False
    if args.snapshot:
        options["snapshot"] = args.snapshot
    try:
        if lock is not None:
            lock.acquire()
        try:
            if args.resume:
                result = ptrade_fast.resume(checkpoints, progress=ProgressBar("1d", notebook=False) if show else None,
                                            log_echo=options.get("log_echo"))
            else:
                result = ptrade_fast.run(strategy, start=args.start, end=args.end, frequency=frequency,
                                         capital_base=args.capital, benchmark=args.benchmark, data=args.data,
                                         progress=ProgressBar(frequency, notebook=False) if show else None,
                                         **options)
        except E.RunInterrupted as exc:
            # One line, no traceback: what stopped the run, where its finished days are, how to go on.
            partial = exc.partial_result
            where = ""
            if partial is not None and out_dir is not None:
                partial.save(out_dir)
                last = partial.portfolio.index[-1].date() if len(partial.portfolio) else None
                where = f"; results up to {last} saved to {out_dir} (complete: false)"
            again = (f"; continue with: ptrade-fast run --resume {out_dir}" if exc.checkpoint else "")
            print(f"\nptrade-fast: stopped ({exc.reason}){where}{again}", file=sys.stderr)
            return 130
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
        except E.IsolationError as exc:
            print(f"ptrade-fast: {exc}", file=sys.stderr)
            return 2
        except (E.DataError, E.PtradeFastError, ValueError, TypeError, FileNotFoundError) as exc:
            print(f"ptrade-fast: {cli_words(exc)}", file=sys.stderr)
            return 2
        _finish_run(result, out_dir, args)
        if checkpoints is not None and checkpoints.is_dir():
            import shutil
            shutil.rmtree(checkpoints, ignore_errors=True)      # the run finished: nothing to resume
        return 0
    except FolderBusy as exc:
        print(f"ptrade-fast: {exc}", file=sys.stderr)
        return 2
    finally:
        if lock is not None:
            lock.release()


def _checkpoint_dir(out_dir: Path) -> Path:
    """Checkpoints live beside the results folder (which is replaced whole when results are saved)."""
    return out_dir.parent / (out_dir.name + ".checkpoint")


def _finish_run(result, out_dir, args) -> None:
    from ptrade_fast.report.cli_support import print_metrics_table
    print_run_summary(result)
    print()
    print_metrics_table(result.metrics)
    if out_dir is not None:
        path = result.save(out_dir)
        report = result.report(open_browser=args.open)
        print(f"\nresults    {path}\nreport     {report}")
    elif args.open:
        print(f"\nreport     {result.report(open_browser=True)}")


def _check(args) -> int:
    from ptrade_fast.check import check
    try:
        report = check(args.strategy, target=args.target)
    except (FileNotFoundError, ValueError) as exc:
        print(f"ptrade-fast: {exc}", file=sys.stderr)
        return 2
    print(report.to_json() if args.format == "json" else report.format_text())
    return report.exit_status


def _print_check_warnings(strategy) -> None:
    """``run`` shows the portability check's warnings and errors first (never stops the run)."""
    from ptrade_fast.check import check
    try:
        report = check(strategy)
    except (FileNotFoundError, ValueError):
        return  # the run itself reports a missing file
    if report.errors or report.warnings:
        print(report.format_text(min_severity="warning"), file=sys.stderr)


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
    r.add_argument("--frequency", "-f", default="1d", choices=["1d", "1m", "daily", "minute", "tick"],
                   help="tick: replay the root's 3-second snapshots (tick_data, run_interval; docs/engine.md)")
    r.add_argument("--capital", type=float, default=1_000_000.0, help="starting cash in CNY (default 1,000,000)")
    r.add_argument("--data", help="data root (default: $PTRADE_FAST_DATA, else the bundled sample)")
    r.add_argument("--benchmark", help="benchmark code (default: the strategy's set_benchmark, else 000300.SS)")
    r.add_argument("--out", help=f"results folder (default: {RUNS_DIR}/<strategy>-<YYYYmmdd-HHMMSS>)")
    r.add_argument("--no-save", action="store_true", help="write no results folder")
    r.add_argument("--open", action="store_true", help="open the HTML report in the web browser")
    r.add_argument("--log", action="store_true", help="echo the strategy log while running")
    r.add_argument("--progress", dest="progress", action="store_true", default=None,
                   help="show the progress bar even when standard error is not a terminal")
    r.add_argument("--no-sandbox", dest="no_sandbox", action="store_true",
                   help="allow imports the platform refuses (os, network, libraries it does not bundle)")
    r.add_argument("--snapshot", choices=["bars"], default=None,
                   help="extension: get_snapshot/get_gear_price answer from bars and run_interval runs on them")
    r.add_argument("--no-progress", dest="progress", action="store_false")
    r.add_argument("--checkpoint-every", type=int, metavar="N",
                   help="write a checkpoint every N finished trading days beside the results folder, so that "
                        "'ptrade-fast run --resume OUT' continues an interrupted run")
    r.add_argument("--resume", metavar="OUT", help="continue the interrupted run whose results folder is OUT")
    r.add_argument("--callback-timeout", type=float, metavar="SECONDS",
                   help="stop a strategy callback that runs longer than this (an endless loop), naming file and line")
    r.add_argument("--data-checks", choices=["error", "warn", "off"],
                   help="what a failed data check does when a file is first read (default error)")
    r.add_argument("--isolate", action="store_true",
                   help="run in a sandboxed child process: no processes, sockets or files outside the data "
                        "and research/output folders (Linux; docs/isolation.md)")
    r.set_defaults(func=_run)
    c = sub.add_parser("check", help="check a strategy file for portability to the platform (never runs it)")
    c.add_argument("strategy", help="the Ptrade strategy file (.py)")
    c.add_argument("--target", default="py311", choices=["py35", "py311"],
                   help="platform edition: py311 (default) or py35 (Python 3.5.2, pandas 0.23)")
    c.add_argument("--format", default="text", choices=["text", "json"])
    c.set_defaults(func=_check)
    ex = sub.add_parser("examples", help="list the example strategies shipped with the package")
    ex.set_defaults(func=_examples)
    rep = sub.add_parser("report", help="rebuild the HTML report of a results folder")
    rep.add_argument("results_dir")
    rep.add_argument("--open", action="store_true", help="open the report in the web browser")
    rep.set_defaults(func=_report)
    from ptrade_fast.data.cli import add_data_commands
    add_data_commands(sub)
    from ptrade_fast.sweeps.cli import add_sweep_command
    add_sweep_command(sub)
    return ap


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:          # Ctrl-C outside a run (loading data, writing results): one line
        print("\nptrade-fast: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
