"""``run(..., isolate=True)``: the whole backtest in a child process the operating system confines.

The import guard of a normal run is a portability aid, not a boundary (docs/isolation.md).  With
``isolate=True`` the engine and the strategy run together in a child process that cannot start
processes, open sockets, or read and write files outside the data root (read-only) and the run's
research and output folders, under CPU-time and memory limits.  Enforcement is by the kernel
(Linux: Landlock + seccomp + rlimits, see :mod:`.linux`); where it cannot be enforced the run is
refused with :class:`~ptrade_fast.errors.IsolationError`, never run unconfined.

The strategy shares its process with the engine, so the boundary protects the machine, not the
engine's state: a strategy can still reach (``gc.get_objects()``) and tamper with its own
backtest's objects and therefore with its own results.
"""
from __future__ import annotations

import os

from ..errors import IsolationError

#: Options consumed by the isolation layer (not passed to the engine).
ISOLATE_OPTIONS = ("isolate_cpu_seconds", "isolate_memory_mb", "isolate_file_mb")

__all__ = ["run_isolated", "availability", "ISOLATE_OPTIONS"]


def availability() -> str:
    """Describe the enforcement available here, or raise IsolationError saying why there is none."""
    from .linux import availability as _linux
    return _linux()


def run_isolated(strategy, start=None, end=None, frequency="1d", capital_base=1_000_000.0, universe=None,
                 benchmark=None, data=None, progress=None, **options):
    """Run a Ptrade strategy like :func:`ptrade_fast.run`, confined in a sandboxed child process.

    Parameters
    ----------
    strategy : str or path
        The strategy file or its source text (a module object lives in this process and cannot be
        isolated).
    start, end, frequency, capital_base, universe, benchmark, data, progress
        As :func:`ptrade_fast.run`.  ``progress`` is called in this process as the child reports.
    **options
        Engine options as for :func:`ptrade_fast.run` (``log_echo`` may be any stream: the child's
        log lines are relayed to it), plus ``isolate_cpu_seconds`` (default 3600),
        ``isolate_memory_mb`` (address space the run may map beyond the warm interpreter's own,
        default 4096) and ``isolate_file_mb`` (largest file it may write, default 1024).

    Returns
    -------
    Result
        Equal, once saved, byte for byte to the results folder of the same run without isolation.

    Raises
    ------
    ptrade_fast.errors.IsolationError
        Isolation cannot be enforced here (not Linux, Landlock ABI < 3, ``[isolate]`` extra missing),
        or the child died outside the strategy (``exc.partial_result`` when any was saved).
    ptrade_fast.errors.StrategyRuntimeError
        The strategy raised, including when the sandbox refused it something: the message says
        so, and ``exc.partial_result`` holds the results up to the failure.

    Differences from Ptrade
    -----------------------
    The platform confines strategies on its servers by its own means; this is the local
    equivalent.  Printing from the strategy goes to this process's standard output and error
    file descriptors (in Jupyter: the kernel's console, not the notebook).
    """
    from ..data.bundle import resolve_root
    from . import parent
    from .policy import Policy, python_paths

    isolate = options.pop("isolate", True)
    unknown = sorted(k for k in options if k.startswith("isolate_") and k not in ISOLATE_OPTIONS)
    if unknown:
        raise ValueError(f"unknown option {unknown[0]!r}; isolation options are {', '.join(ISOLATE_OPTIONS)}")
    limits = {k: options.pop(k) for k in ISOLATE_OPTIONS if k in options}
    if not isolate:
        raise ValueError(f"{', '.join(limits)} only apply with isolate=True")
    availability()
    for k, v in limits.items():
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise ValueError(f"{k} must be a positive whole number, was {v!r}")
    if not isinstance(strategy, (str, os.PathLike)):
        raise IsolationError(f"isolate=True needs the strategy as a file path or source text, not a "
                             f"{type(strategy).__name__}: a module object lives in this process")
    echo = options.pop("log_echo", None)
    if echo is not None and not callable(getattr(echo, "write", None)):
        raise TypeError(f"log_echo must be a writable stream, was {type(echo).__name__}")
    strategy_file = None
    if isinstance(strategy, os.PathLike) or "\n" not in strategy:
        strategy_file = os.path.abspath(os.fspath(strategy))
        if not os.path.isfile(strategy_file):
            from ..errors import StrategyLoadError
            raise StrategyLoadError(f"strategy file not found: {strategy_file}")
    root = str(resolve_root(data))
    research = os.path.abspath(options.get("research_path") or os.path.join(os.getcwd(), "research"))
    os.makedirs(research, exist_ok=True)
    out = parent.make_out_dir()
    try:
        policy = Policy(data_root=root, strategy_file=strategy_file, research=research, out_dir=out,
                        python_paths=python_paths(),
                        cpu_seconds=limits.get("isolate_cpu_seconds", Policy.cpu_seconds),
                        memory_mb=limits.get("isolate_memory_mb", Policy.memory_mb),
                        file_mb=limits.get("isolate_file_mb", Policy.file_mb))
        job = {"strategy": os.fspath(strategy), "options": options, "echo": echo is not None,
               "progress": progress is not None, "cwd": os.getcwd(), "policy": policy.as_job(),
               "kwargs": {"start": start, "end": end, "frequency": frequency, "capital_base": capital_base,
                          "universe": universe, "benchmark": benchmark, "data": root}}
        return parent.execute(job, policy, progress=progress, echo=echo)
    finally:
        parent.remove_out_dir(out)

