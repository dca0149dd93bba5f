"""One unit of sweep work: a single backtest with one cell's parameters, and its results folder.

A :class:`CellTask` holds plain, picklable values only, so the same task runs in a local worker process
or as a Ray task.  :func:`run_cell` runs it exactly as ``ptrade_fast.run(strategy, ..., params=cell)``
would and either writes the results folder itself (local backend, ``task.folder`` set) or returns the
folder's files as bytes (Ray backend; the driver writes them with :func:`commit_folder`).

A cell's folder is complete when it exists: it is written under a temporary name and renamed into place
in one step, with ``_cell.json`` (id, parameters, status, error) inside it.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

MARKER = "_cell.json"


@dataclass(frozen=True)
class CellTask:
    """A backtest to run: ``ptrade_fast.run(strategy, params=params, **run_kwargs)``.

    ``cost`` is the scheduling estimate (trading days × bars per day × universe size); ``folder`` the
    final results folder when the worker writes it itself (``None``: return the files).
    """
    cell: str
    params: dict
    strategy: str
    run_kwargs: dict
    folder: str | None = None
    cost: float = 1.0
    tag: dict = field(default_factory=dict)


def run_cell(task: CellTask) -> dict:
    """Run ``task`` and return its outcome.

    Returns a dict: ``cell``, ``status`` ('ok' or 'error' — the strategy raised; the results up to the
    failure are saved), ``error`` (message or None), ``seconds`` and ``cpu_seconds`` (wall and CPU time of
    this run), ``pid``,
    ``maxrss_kb`` and ``rss_kb`` (the worker's peak resident memory so far, and its memory after the cell), and ``files`` (name → bytes, only when
    ``task.folder`` is None).  Errors that are not the strategy's (bad option, unknown parameter, missing
    data) propagate.
    """
    import ptrade_fast
    from ptrade_fast import errors as E

    t0, cpu0 = time.perf_counter(), time.process_time()
    try:
        result = ptrade_fast.run(task.strategy, params=task.params, **task.run_kwargs)
        status, error = "ok", None
    except E.StrategyRuntimeError as exc:
        result = getattr(exc, "partial_result", None)
        status, error = "error", str(exc)
        if result is None:
            raise
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    marker = {"cell": task.cell, "params": task.params, "status": status, "error": error, "complete": True}
    out = {"cell": task.cell, "status": status, "error": error, "seconds": seconds, "cpu_seconds": cpu,
           "pid": os.getpid(), "files": None}
    if task.folder is not None:
        _save_atomically(result, Path(task.folder), marker)
    else:
        with tempfile.TemporaryDirectory(prefix="ptrade-fast-cell-") as tmp:
            result.save(tmp)
            out["files"] = {p.name: p.read_bytes() for p in sorted(Path(tmp).iterdir()) if p.is_file()}
        out["files"][MARKER] = _marker_bytes(marker)
    del result
    _release_memory()
    out["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out["rss_kb"] = _current_rss_kb()
    return out


def _current_rss_kb() -> int:
    """This process's resident memory now (Linux ``/proc``; the peak elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _release_memory() -> None:
    """Give a finished cell's memory back, so a worker's footprint does not grow with the cells it ran:
    Arrow's allocator (mimalloc/jemalloc) otherwise keeps the Parquet buffers of every cell it read and
    wrote (several MB a cell)."""
    import gc

    import pyarrow as pa
    gc.collect()
    pa.default_memory_pool().release_unused()


def _marker_bytes(marker: dict) -> bytes:
    return (json.dumps(marker, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def _tmp_name(folder: Path) -> Path:
    return folder.with_name(f".tmp-{folder.name}-{os.getpid()}")


def _save_atomically(result, folder: Path, marker: dict) -> None:
    tmp = _tmp_name(folder)
    shutil.rmtree(tmp, ignore_errors=True)
    result.save(tmp)
    (tmp / MARKER).write_bytes(_marker_bytes(marker))
    _move_into_place(tmp, folder)


def commit_folder(folder: str | os.PathLike, files: dict[str, bytes]) -> None:
    """Write a returned cell's files as its complete results folder (Ray backend's driver side)."""
    folder = Path(folder)
    tmp = _tmp_name(folder)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name, blob in files.items():
        (tmp / name).write_bytes(blob)
    _move_into_place(tmp, folder)


def _move_into_place(tmp: Path, folder: Path) -> None:
    if folder.exists():          # a retried task finished twice: the newer copy wins (both are equal)
        shutil.rmtree(folder)
    os.replace(tmp, folder)


def read_marker(folder: str | os.PathLike) -> dict | None:
    """The ``_cell.json`` of a complete cell folder, or None when the cell has not finished."""
    path = Path(folder) / MARKER
    if not path.is_file():
        return None
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if marker.get("complete") else None
