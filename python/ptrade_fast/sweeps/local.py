"""The local backend: a pool of worker processes on this machine.

Workers are started with the ``spawn`` method (no inherited threads or locks from the caller) and each
runs many cells; every cell opens the data root by path, and the store reads its Parquet files
memory-mapped, so the market data lives once in the OS page cache however many workers read it and is
never copied into the tasks.  Tasks are submitted longest-first and each worker writes its own cell's
results folder; outcomes arrive as cells finish.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from .task import CellTask, run_cell


# A worker process is replaced after this many cells: whatever a cell leaves behind in the interpreter (allocator
# caches, module-level caches of the strategy's libraries) cannot accumulate, so a worker's memory does not grow
# with the number of cells in the sweep.  Starting a worker costs about a second, against cells of seconds to hours.
CELLS_PER_WORKER = 4


def default_workers() -> int:
    """Worker count when none is given: the CPUs this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return max(os.cpu_count() or 1, 1)


def run_local(tasks: list[CellTask], workers: int, on_done) -> None:
    """Run ``tasks`` (already longest-first) on ``workers`` processes; ``on_done(task, outcome)`` per cell.

    ``workers=1`` still uses one worker process, so the caller's process never holds a cell's state and
    the 1-worker time is comparable with N workers.  The first task that raises (not a strategy error,
    which is an outcome) cancels the rest and is re-raised with the cell named.
    """
    if not tasks:
        return
    ctx = multiprocessing.get_context("spawn")
    recycle = {"max_tasks_per_child": CELLS_PER_WORKER} if sys.version_info >= (3, 11) else {}
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=ctx, **recycle) as pool:
        # Keep a bounded window of submissions so the order of execution is the longest-first order
        # and cancellation on failure is cheap.
        queue = list(reversed(tasks))
        running = {}
        window = 2 * workers
        while queue or running:
            while queue and len(running) < window:
                task = queue.pop()
                running[pool.submit(run_cell, task)] = task
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                task = running.pop(fut)
                exc = fut.exception()
                if exc is not None:
                    for other in running:
                        other.cancel()
                    raise RuntimeError(f"sweep cell {task.cell} {task.params} failed: "
                                       f"{type(exc).__name__}: {exc}") from exc
                on_done(task, fut.result())
