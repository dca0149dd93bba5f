"""A sweep's plan on disk: its spec, its cells, which cells are complete, and the tasks still to run.

Sweep folder layout::

    OUT/sweep.json          the run arguments shared by every cell + the cells (ids and parameters)
    OUT/cells/<cell id>/    each cell's results folder (as ``Result.save`` writes it) + ``_cell.json``
    OUT/results.parquet     the tidy table: one row per cell, parameters + status + every metric
    OUT/report.html         the sweep report

A folder under ``cells/`` exists only once its cell finished (it is renamed into place), so an
interrupted sweep resumes by running the cells without a folder.  ``sweep.json``'s run arguments must
match on resume: a folder holding a different sweep is refused rather than mixed.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .cells import _plain, canonical_json, cell_id
from .schedule import estimate_cost
from .task import CellTask, read_marker

SPEC_FILE = "sweep.json"
CELLS_DIR = "cells"
RUN_ARGS = ("start", "end", "frequency", "capital_base", "universe", "benchmark", "data")


def strategy_arg(strategy) -> str:
    """The strategy as every worker gets it: an absolute file path, or the source text itself."""
    if isinstance(strategy, os.PathLike) or (isinstance(strategy, str) and "\n" not in strategy):
        path = os.path.abspath(os.fspath(strategy))
        if not os.path.isfile(path):
            raise FileNotFoundError(f"strategy file not found: {path}")
        return path
    if isinstance(strategy, str):
        return strategy
    raise TypeError("a sweep needs the strategy as a file path or its source text (workers load it "
                    f"themselves), not a {type(strategy).__name__}")


def run_kwargs(start, end, frequency, capital_base, universe, benchmark, data, options: dict) -> dict:
    """The keyword arguments of ``ptrade_fast.run`` shared by every cell, as plain JSON-ready values."""
    from ptrade_fast.data.bundle import resolve_root
    if "params" in options:
        raise ValueError("pass the sweep's parameters as the params argument, not as an engine option")
    for bad in ("progress", "log_echo"):
        if bad in options:
            raise ValueError(f"option {bad!r} cannot be used in a sweep (cells run in other processes); "
                             "use sweep(progress=...) for progress")
    kw = {
        "start": None if start is None else str(start), "end": None if end is None else str(end),
        "frequency": str(frequency), "capital_base": float(capital_base),
        "universe": _plain(universe, "universe"), "benchmark": benchmark,
        "data": str(Path(resolve_root(data)).absolute()),
    }
    for name, value in options.items():
        kw[name] = _plain(value, f"option {name!r}")
    return kw


@dataclass
class Plan:
    """One sweep folder: ``kwargs`` for ``ptrade_fast.run``, the ``cells`` in order, their ``tasks``."""
    folder: Path
    strategy: str
    kwargs: dict
    cells: list[dict]
    ids: list[str]
    tasks: list[CellTask]          # the cells still to run
    resumed: int                   # cells found complete

    def cell_folder(self, cid: str) -> Path:
        return self.folder / CELLS_DIR / cid


def make_plan(folder, strategy: str, kwargs: dict, cells: list[dict], resume: bool = True,
              store=None) -> Plan:
    """Create or reopen the sweep folder and list the cells still to run (with their cost estimate)."""
    folder = Path(folder).absolute()
    spec = {"strategy": strategy, "run": kwargs}
    spec_path = folder / SPEC_FILE
    if spec_path.is_file():
        old = json.loads(spec_path.read_text(encoding="utf-8"))
        old_spec = {"strategy": old.get("strategy"), "run": old.get("run")}
        if canonical_json(old_spec) != canonical_json(spec):
            diff = sorted(k for k in set(old_spec["run"] or {}) | set(kwargs)
                          if (old_spec["run"] or {}).get(k) != kwargs.get(k))
            what = ", ".join(diff) if diff else "strategy"
            raise ValueError(f"{folder} holds a different sweep ({what} differ); use another out folder "
                             "or delete it")
    if not resume and (folder / CELLS_DIR).exists():
        shutil.rmtree(folder / CELLS_DIR)
    (folder / CELLS_DIR).mkdir(parents=True, exist_ok=True)
    for leftover in (folder / CELLS_DIR).glob(".tmp-*"):        # a worker killed while saving
        shutil.rmtree(leftover, ignore_errors=True)
    ids = [cell_id(c) for c in cells]
    spec["cells"] = [{"cell": i, "params": c} for i, c in zip(ids, cells)]
    _write_json(spec_path, spec)
    if store is None:
        from ptrade_fast.data.store import DataStore
        store = DataStore.open(kwargs["data"])
    cost = estimate_cost(store.calendar, store.n_sids, kwargs["start"], kwargs["end"], kwargs["frequency"],
                         kwargs["universe"])
    tasks, resumed = [], 0
    for cid, cell in zip(ids, cells):
        target = folder / CELLS_DIR / cid
        if read_marker(target) is not None:
            resumed += 1
            continue
        if target.exists():
            shutil.rmtree(target)
        tasks.append(CellTask(cell=cid, params=cell, strategy=strategy, run_kwargs=kwargs, folder=str(target),
                              cost=cost))
    return Plan(folder, strategy, kwargs, cells, ids, tasks, resumed)


def _write_json(path: Path, obj) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
