"""``ptrade-fast sweep STRATEGY --grid params.yaml|json``: the sweep from the command line.

The grid file holds one of:

* a mapping of parameter name → list of values (every combination is a cell);
* a list of mappings (each one cell);
* ``{"grid": {name: [values]}, "sample": N, "seed": S}``: N cells drawn at random from the grid.

YAML needs PyYAML (``pip install pyyaml``); JSON needs nothing.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .cells import RandomSampler


def read_grid(path) -> object:
    """The ``params`` argument of ``sweep`` described by a grid file (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"grid file not found: {path}")
    text = path.read_text(encoding="utf-8")
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            spec = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"{path}: not valid JSON ({exc})") from None
    elif suffix in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise ImportError(f"{path}: reading a YAML grid needs PyYAML (pip install pyyaml), "
                              "or give the grid as .json") from None
        try:
            spec = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: not valid YAML ({exc})") from None
    else:
        raise ValueError(f"{path}: a grid file must end in .json, .yaml or .yml")
    if isinstance(spec, dict) and "grid" in spec:
        extra = set(spec) - {"grid", "sample", "seed"}
        if extra:
            raise ValueError(f"{path}: unknown key(s) {sorted(extra)} beside 'grid' (allowed: sample, seed)")
        if "sample" not in spec:
            return spec["grid"]
        return RandomSampler(spec["grid"], spec["sample"], spec.get("seed", 0))
    if isinstance(spec, (dict, list)):
        return spec
    raise ValueError(f"{path}: the grid must be a mapping of name -> list of values, or a list of mappings")


def add_sweep_command(sub) -> None:
    """Register ``sweep`` on the ``ptrade-fast`` sub-command parser."""
    s = sub.add_parser("sweep", help="run a strategy over a grid of g parameters (docs/sweep.md)")
    s.add_argument("strategy", help="the Ptrade strategy file (.py)")
    s.add_argument("--grid", required=True, help="parameter grid file (.json, .yaml)")
    s.add_argument("--start", help="first day, YYYY-mm-dd")
    s.add_argument("--end", help="last day, YYYY-mm-dd")
    s.add_argument("--frequency", "-f", default="1d", choices=["1d", "1m", "daily", "minute"])
    s.add_argument("--capital", type=float, default=1_000_000.0, help="starting cash in CNY")
    s.add_argument("--data", help="data root (default: $PTRADE_FAST_DATA, else the bundled sample)")
    s.add_argument("--benchmark", help="benchmark code")
    s.add_argument("--out", help="sweep folder (default: sweeps/<strategy>-<hash>); an existing one resumes")
    s.add_argument("--backend", default="local", choices=["local", "ray"])
    s.add_argument("--workers", "-j", type=int, help="worker processes (default: the usable CPUs)")
    s.add_argument("--address", help="Ray cluster address (backend ray)")
    s.add_argument("--objective", default="sharpe", help="metric to rank the cells by (default sharpe)")
    s.add_argument("--top", type=int, default=10, help="cells to print (default 10)")
    s.add_argument("--no-resume", dest="resume", action="store_false", help="rerun cells already complete")
    s.add_argument("--progress", dest="progress", action="store_true", default=None, help="force the progress line")
    s.add_argument("--no-progress", dest="progress", action="store_false")
    s.set_defaults(func=run_sweep_command)


def run_sweep_command(args) -> int:
    """Run ``ptrade-fast sweep``; exit status 0, or 2 for bad arguments/data."""
    from ptrade_fast import errors as E

    from .api import sweep
    try:
        params = read_grid(args.grid)
        result = sweep(args.strategy, params, start=args.start, end=args.end, frequency=args.frequency,
                       capital_base=args.capital, benchmark=args.benchmark, data=args.data, out=args.out,
                       backend=args.backend, workers=args.workers, address=args.address, resume=args.resume,
                       progress=args.progress)
        best = result.best(args.objective, n=args.top)
    except (E.StrategyLoadError,) as exc:
        print(f"ptrade-fast: cannot load strategy: {exc}", file=sys.stderr)
        return 1
    except (E.DataError, ValueError, TypeError, KeyError, FileNotFoundError, ImportError) as exc:
        print(f"ptrade-fast: {exc}", file=sys.stderr)
        return 2
    failed = int((result.table["status"] != "ok").sum())
    print(f"cells      {len(result.table)} ({failed} failed)")
    cols = ["cell", *result.params, args.objective, "total_return", "max_drawdown"]
    cols = list(dict.fromkeys(c for c in cols if c in best.columns))
    print(f"best by {args.objective}:")
    print(best[cols].to_string(index=False))
    print(f"\nresults    {result.path / 'results.parquet'}\nreport     {result.path / 'report.html'}")
    return 0
