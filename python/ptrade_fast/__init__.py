"""ptrade_fast: run unmodified Ptrade (恒生量化) strategies locally, fast.

>>> import ptrade_fast
>>> result = ptrade_fast.run("my_strategy.py", start="2024-01-02", end="2024-12-31", frequency="1d")
>>> result.portfolio.tail()
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["run", "resume", "check", "sweep", "walk_forward", "Backtest", "Result", "RunOptions", "__version__"]

import datetime as _dt
import os as _os
from types import ModuleType as _ModuleType
from typing import TYPE_CHECKING, Callable, Sequence

from .options import RunOptions  # noqa: E402  (light: dataclasses only)

if TYPE_CHECKING:
    from .result import Result


def run(strategy: str | _os.PathLike | _ModuleType, start: str | _dt.date | None = None,
        end: str | _dt.date | None = None, frequency: str = "1d", capital_base: float = 1_000_000.0,
        universe: str | Sequence[str] | None = None, benchmark: str | None = None,
        data: str | _os.PathLike | None = None,
        progress: bool | Callable[[int, int, _dt.date], None] | None = None,
        params: dict | None = None, options: RunOptions | None = None, **kwargs) -> "Result":
    """Run a Ptrade strategy and return its :class:`~ptrade_fast.result.Result`.

    Parameters
    ----------
    strategy : str, path, module or object
        The strategy file (as written for Ptrade), its source text, an imported module, or any object with
        ``initialize`` and ``handle_data`` (e.g. a class instance).  Each run uses a fresh namespace: the
        module or object given is not modified, and running it twice gives identical results.
    start, end : str or date, optional
        First and last simulated day ('YYYY-mm-dd' or 'YYYYmmdd'); default the data's full range
        (daily runs start no earlier than 2005-01-04, Ptrade's data start).
    frequency : {'1d', '1m', 'tick'}
        Daily or minute backtest (Ptrade's 日线 / 分钟), or ``'tick'``: a replay of the data root's 3-second
        snapshots with ``tick_data`` and ``run_interval`` (an extension; docs/engine.md, "Tick replay").
    capital_base : float
        Starting cash in CNY (``context.capital_base``).
    universe : None, 'Ashares' or list of codes
        Initial universe (the strategy's ``set_universe`` replaces it).
    benchmark : str, optional
        Benchmark code; overrides the strategy's ``set_benchmark`` (default ``'000300.SS'``).
    data : str or path, optional
        Data root; default ``$PTRADE_FAST_DATA``, else the bundled sample data.
    progress : bool or callable, optional
        ``True`` shows a tqdm bar (days done, bars/s, time left; the widget in Jupyter); a callable is
        called as ``progress(days_done, days_total, date)`` after each simulated day.
    params : dict, optional
        Strategy parameter overrides, set on ``g`` (or the ``set_parameters`` store) right after
        ``initialize`` returns: one cell of :func:`sweep` (see ``docs/sweep.md``).  A name the
        strategy's ``initialize`` does not set is a ``ValueError``.
    options : RunOptions, optional
        Engine options as one typed object (see :class:`ptrade_fast.options.RunOptions`).
    **kwargs
        The same engine options by name (``cost_model='market'``, ``strict_phases=True`` …); they override
        ``options``.  An unknown name is a ``TypeError`` naming the closest valid option.  ``isolate=True`` runs the
        whole backtest in an OS-confined child process (``ptrade_fast.isolate``, docs/isolation.md).

    Raises
    ------
    TypeError
        An unknown option.
    ptrade_fast.errors.StrategyLoadError
        The file cannot be loaded (names file and line).
    ptrade_fast.errors.StrategyRuntimeError
        The strategy raised; the message names file, line and simulated time, and
        ``exc.partial_result`` holds the results up to the failure.
    """
    if options is not None and not isinstance(options, RunOptions):
        raise TypeError(f"options must be a RunOptions, was {type(options).__name__} "
                        f"(pass engine options as keyword arguments or RunOptions(...))")
    opts = RunOptions.from_kwargs(options, **kwargs)
    engine = opts.engine_dict()
    if params is not None:
        if not isinstance(params, dict):
            raise TypeError(f"params must be a dict of strategy parameters, was {type(params).__name__}")
        engine["params"] = dict(params)
    from .progress import progress_callback
    progress = progress_callback(progress, {"daily": "1d", "minute": "1m"}.get(frequency, frequency))
    isolate = engine.pop("isolate", False)
    if isolate or any(k.startswith("isolate_") for k in engine):
        from .isolate import run_isolated    # OS-confined child process (docs/isolation.md)
        return run_isolated(strategy, start, end, frequency, capital_base, universe, benchmark, data, progress,
                            isolate=isolate, **engine)
    from .engine.runner import Backtest
    bt = Backtest(strategy, start=start, end=end, frequency=frequency, capital_base=capital_base,
                  universe=universe, benchmark=benchmark, data=data, options=engine, progress=progress)
    return bt.run()


def resume(checkpoint_dir, progress=None, log_echo=None):
    """Continue an interrupted run from the checkpoint in ``checkpoint_dir`` and return its full
    :class:`~ptrade_fast.result.Result` (equal, byte for byte, to the run had it not been interrupted).

    The run must have been started with ``checkpoint_every=N, checkpoint_dir=...``; the strategy file, the
    data root and the run's arguments must be unchanged (a changed one is refused, naming it)."""
    from .engine.runner import Backtest
    return Backtest.from_checkpoint(checkpoint_dir, progress=progress, log_echo=log_echo).run()


def __getattr__(name):
    if name == "check":  # the portability checker; the package module itself is callable
        import importlib
        return importlib.import_module(".check", __name__)
    if name == "Backtest":
        from .engine.runner import Backtest
        return Backtest
    if name == "Result":
        from .result import Result
        return Result
    if name in ("sweep", "walk_forward"):
        from . import sweeps  # the package is "sweeps" so that ptrade_fast.sweep stays this function
        return getattr(sweeps, name)
    raise AttributeError(name)
