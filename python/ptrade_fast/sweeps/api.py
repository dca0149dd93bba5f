"""``ptrade_fast.sweep``: run one strategy over many parameter cells, locally or on a Ray cluster."""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from .cells import canonical_json, expand
from .plan import Plan, make_plan, run_kwargs, strategy_arg
from .progress import SweepProgress, default_stream
from .results import TABLE_FILE, SweepResult, build_table, write_table
from .schedule import longest_first

BACKENDS = ("local", "ray")


def sweep(strategy, params, start=None, end=None, frequency="1d", capital_base=1_000_000.0, universe=None,
          benchmark=None, data=None, *, out=None, backend="local", workers=None, address=None, retries=3,
          resume=True, progress=None, report=True, **options) -> SweepResult:
    """Run a Ptrade strategy once per parameter cell and collect every result.

    Ptrade has no parameter sweep; this is the local tool's.  Each cell is exactly
    ``ptrade_fast.run(strategy, ..., params=cell)``: the cell's values are set on ``g`` right after the
    strategy's ``initialize`` returns (and on ``set_parameters`` names; ``docs/sweep.md``), so a cell's
    saved results folder is byte-identical to that single run's.

    Parameters
    ----------
    strategy : str or path
        The strategy file (or its source text).
    params : dict of lists, list of dicts, or sampler
        A grid (every combination, first key varying slowest), explicit cells, or a sampler: any object
        with a ``cells()`` method returning dicts (e.g. :class:`ptrade_fast.sweeps.RandomSampler`).
    start, end, frequency, capital_base, universe, benchmark, data, **options
        As in :func:`ptrade_fast.run`, shared by every cell (options must be JSON-ready values).
    out : str or path, optional
        The sweep folder; default ``sweeps/<strategy name>-<hash of the arguments>`` under the current
        directory, so calling the same sweep again resumes it.
    backend : {'local', 'ray'}
        A process pool on this machine, or Ray tasks (``pip install "ptrade_fast[ray]"``).
    workers : int, optional
        Local: worker processes (default: the usable CPUs).  Ray: most tasks in flight (default: all).
    address : str, optional
        Ray cluster address for ``ray.init`` (``'auto'``, ``'ray://host:10001'``, ``'host:6379'``);
        default ``RAY_ADDRESS`` or a new local instance.
    retries : int
        Ray: retries of a task whose worker or node died.
    resume : bool
        Keep the cells already complete in ``out`` (default); ``False`` reruns every cell.
    progress : bool or callable, optional
        ``True``: a progress line with ETA on stderr; a callable gets
        ``(cells_done, cells_total, eta_seconds_or_None, outcome)`` per finished cell; default: the line
        when stderr is a terminal.
    report : bool
        Write ``report.html`` in the sweep folder.

    Returns
    -------
    SweepResult
        ``.table`` (one row per cell: parameters, status, every metric), ``.result(cell)``, ``.best()``.

    Raises
    ------
    ValueError
        A parameter the strategy's ``initialize`` does not set (checked before any cell runs), a bad
        option, or ``out`` holding a different sweep.
    """
    plan = prepare(strategy, params, start, end, frequency, capital_base, universe, benchmark, data, options,
                   out, resume)
    execute([plan], backend=backend, workers=workers, address=address, retries=retries, progress=progress)
    return finish(plan, report=report)


def prepare(strategy, params, start, end, frequency, capital_base, universe, benchmark, data, options: dict,
            out, resume: bool = True) -> Plan:
    """Check the arguments, create or reopen the sweep folder and list the cells still to run."""
    strat = strategy_arg(strategy)
    cells = expand(params)
    kwargs = run_kwargs(start, end, frequency, capital_base, universe, benchmark, data, dict(options))
    if out is None:
        stem = Path(strat).stem if "\n" not in strat else "strategy"
        digest = hashlib.sha1(canonical_json({"strategy": strat, "run": kwargs, "cells": cells})
                              .encode("utf-8")).hexdigest()[:8]
        out = Path("sweeps") / f"{stem}-{digest}"
    plan = make_plan(out, strat, kwargs, cells, resume=resume)
    preflight(plan)
    return plan


def preflight(plan: Plan) -> None:
    """Run ``initialize`` once per distinct set of parameter names, so an unknown name, a strategy that
    does not load or a bad option fails here, before any worker starts.  A strategy error raised inside
    ``initialize`` is left for the cells to record."""
    from ptrade_fast import errors as E
    from ptrade_fast.engine.runner import Backtest
    seen = set()
    for task in plan.tasks:
        names = tuple(sorted(task.params))
        if names in seen:
            continue
        seen.add(names)
        kw = dict(plan.kwargs)
        opts = {k: v for k, v in kw.items() if k not in ("start", "end", "frequency", "capital_base",
                                                         "universe", "benchmark", "data")}
        opts["params"] = task.params
        bt = Backtest(plan.strategy, start=kw["start"], end=kw["end"], frequency=kw["frequency"],
                      capital_base=kw["capital_base"], universe=kw["universe"], benchmark=kw["benchmark"],
                      data=kw["data"], options=opts)
        try:
            bt.start()
        except E.StrategyRuntimeError:
            pass


def execute(plans: list[Plan], backend="local", workers=None, address=None, retries=3, progress=None) -> None:
    """Run the pending cells of several sweep folders as one batch, longest first."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, was {backend!r}")
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be a positive integer, was {workers!r}")
    tasks = longest_first([t for p in plans for t in p.tasks])
    total = sum(len(p.ids) for p in plans)
    resumed = sum(p.resumed for p in plans)
    if progress is True:
        stream, callback = default_stream() or sys.stderr, None
    elif callable(progress):
        stream, callback = None, progress
    elif progress is None or progress is False:
        stream, callback = (default_stream() if progress is None else None), None
    else:
        raise TypeError(f"progress must be True, False, None or a callable, was {progress!r}")
    bar = SweepProgress(total, sum(t.cost for t in tasks), callback, stream, resumed=resumed)

    def on_done(task, outcome):
        bar.update(outcome, task.cost)

    if backend == "local":
        from .local import default_workers, run_local
        run_local(tasks, workers or default_workers(), on_done)
    else:
        from .ray_backend import run_ray
        run_ray(tasks, on_done, address=address, retries=retries, workers=workers)


def finish(plan: Plan, report: bool = True) -> SweepResult:
    """Build and save the tidy table (and the report) of a sweep folder whose cells are all complete."""
    table = build_table(plan.folder, plan.ids, plan.cells)
    missing = len(plan.ids) - len(table)
    if missing:
        raise RuntimeError(f"{missing} cell(s) of {plan.folder} did not complete")
    write_table(table, plan.folder / TABLE_FILE)
    result = SweepResult(plan.folder, table)
    if report:
        result.report()
    return result
