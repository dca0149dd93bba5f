"""The Ray backend: every cell a Ray task on a cluster (``pip install "ptrade_fast[ray]"``).

* ``ray.init(address=...)`` joins an existing cluster (``address=None`` → ``RAY_ADDRESS`` or a new
  local one; ``'auto'`` → the cluster started on this machine by ``ray start``).  Every node needs
  ptrade_fast installed.
* The data root is shared **by path**: each task opens the same absolute data-root path, which must
  be visible on every node (a shared or replicated folder).  No market data goes through the object
  store; only the task (parameters, strategy path) goes out and the cell's results folder (a few Parquet
  and JSON files, as bytes) comes back, and the driver writes it.  So the sweep folder only needs to
  be writable by the driver.
* A task whose worker process or node dies is retried by Ray (``retries`` times, default 3); a strategy
  error is an outcome, not a failure, and is not retried.
* Results stream back as they finish (``ray.wait`` one at a time), in longest-first submission order.
"""
from __future__ import annotations

from .task import CellTask, commit_folder, run_cell

RETRIES = 3


def _ray():
    try:
        import ray
    except ImportError as exc:
        raise ImportError('the Ray sweep backend needs Ray: pip install "ptrade_fast[ray]"') from exc
    return ray


def run_ray(tasks: list[CellTask], on_done, address=None, retries: int = RETRIES, workers: int | None = None,
            init_kwargs: dict | None = None) -> None:
    """Run ``tasks`` (already longest-first) as Ray tasks; ``on_done(task, outcome)`` per finished cell.

    ``workers`` bounds how many tasks are in flight (None: as many as the cluster schedules; each task
    asks for one CPU).  Ray is initialised when it is not already (and shut down again afterwards only
    in that case).
    """
    if not tasks:
        return
    ray = _ray()
    started = not ray.is_initialized()
    if started:
        ray.init(address=address, log_to_driver=False, **(init_kwargs or {}))
    try:
        remote = ray.remote(num_cpus=1, max_retries=int(retries), retry_exceptions=False)(run_cell)
        queue = list(reversed(tasks))
        by_ref = {}
        limit = workers if workers else len(tasks)
        while queue or by_ref:
            while queue and len(by_ref) < limit:
                task = queue.pop()
                by_ref[remote.remote(_detached(task))] = task
            done, _ = ray.wait(list(by_ref), num_returns=1)
            for ref in done:
                task = by_ref.pop(ref)
                try:
                    outcome = ray.get(ref)
                except ray.exceptions.RayError as exc:
                    for other in by_ref:
                        ray.cancel(other, force=True)
                    raise RuntimeError(f"sweep cell {task.cell} {task.params} failed on Ray "
                                       f"(after up to {retries} retries): {exc}") from exc
                commit_folder(task.folder, outcome.pop("files"))
                on_done(task, outcome)
    finally:
        if started:
            ray.shutdown()


def _detached(task: CellTask) -> CellTask:
    """The task as sent to Ray: no folder, so the worker returns the files for the driver to write."""
    return CellTask(cell=task.cell, params=task.params, strategy=task.strategy, run_kwargs=task.run_kwargs,
                    folder=None, cost=task.cost, tag=task.tag)
