"""A finished sweep: the tidy table (one row per cell) and access to every cell's full result."""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ptrade_fast.report.metrics import METRIC_LABELS

from .plan import CELLS_DIR, SPEC_FILE
from .task import read_marker

TABLE_FILE = "results.parquet"
RESERVED = ("cell", "status", "error")


def _param_column(values: list):
    """A parameter column for Parquet: kept as is when its values share one scalar kind, else JSON text."""
    kinds = {type(v) for v in values if v is not None}
    if kinds <= {bool} or kinds <= {int} or kinds <= {int, float} or kinds <= {str}:
        return values
    return [None if v is None else json.dumps(v, sort_keys=True, ensure_ascii=False) for v in values]


def build_table(folder: Path, ids: list[str], cells: list[dict]) -> pd.DataFrame:
    """The tidy table of a sweep folder: ``cell``, the parameters, ``status``, ``error``, every metric.

    Metrics are read from each cell's ``metrics.json``; a metric whose name is also a parameter's is
    named ``metric_<name>``.  Cells not complete are left out.
    """
    names: list[str] = []
    for c in cells:
        names.extend(n for n in c if n not in names)
    clash = [n for n in names if n in RESERVED]
    if clash:
        raise ValueError(f"parameter name(s) {clash} clash with the sweep table's own columns {RESERVED}")
    rows, metric_names = [], []
    for cid, cell in zip(ids, cells):
        target = folder / CELLS_DIR / cid
        marker = read_marker(target)
        if marker is None:
            continue
        metrics = json.loads((target / "metrics.json").read_text(encoding="utf-8"))
        for m in metrics:
            if m not in metric_names:
                metric_names.append(m)
        rows.append((cid, cell, marker.get("status"), marker.get("error"), metrics))
    data = {"cell": [r[0] for r in rows]}
    for n in names:
        data[n] = _param_column([r[1].get(n) for r in rows])
    data["status"] = [r[2] for r in rows]
    data["error"] = [r[3] for r in rows]
    for m in metric_names:
        col = f"metric_{m}" if m in names else m
        data[col] = [_metric_value(r[4].get(m)) for r in rows]
    df = pd.DataFrame(data)
    for m in metric_names:
        col = f"metric_{m}" if m in names else m
        if METRIC_LABELS.get(m, ("", "", ""))[2] == "date":
            df[col] = pd.to_datetime(df[col])
    return df


def _metric_value(v):
    if v is None:
        return np.nan
    return v


def write_table(df: pd.DataFrame, path: Path) -> None:
    """Write the table as Parquet (same table → same bytes)."""
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), tmp, compression="zstd")
    os.replace(tmp, path)


class SweepResult:
    """The outcome of :func:`ptrade_fast.sweep`, read from its folder.

    Attributes
    ----------
    table : DataFrame
        One row per cell: ``cell`` (id), the parameters, ``status`` ('ok' | 'error'), ``error``, and
        every metric of the run report (``docs/metrics.md``).
    path : Path
        The sweep folder (``results.parquet``, ``report.html``, ``cells/<id>/``).
    params : list of str
        The parameter names (table columns).
    """

    def __init__(self, path, table: pd.DataFrame | None = None):
        self.path = Path(path)
        spec_path = self.path / SPEC_FILE
        if not spec_path.is_file():
            raise FileNotFoundError(f"not a sweep folder (no {SPEC_FILE}): {self.path}")
        self.spec = json.loads(spec_path.read_text(encoding="utf-8"))
        self.cells = [c["params"] for c in self.spec["cells"]]
        self.ids = [c["cell"] for c in self.spec["cells"]]
        self.params: list[str] = []
        for c in self.cells:
            self.params.extend(n for n in c if n not in self.params)
        if table is None:
            table_path = self.path / TABLE_FILE
            table = pd.read_parquet(table_path) if table_path.is_file() else build_table(
                self.path, self.ids, self.cells)
        self.table = table

    @classmethod
    def load(cls, path) -> "SweepResult":
        """Reopen a sweep folder."""
        return cls(path)

    def __repr__(self) -> str:
        ok = int((self.table["status"] == "ok").sum()) if len(self.table) else 0
        return f"<SweepResult {self.path} cells={len(self.table)} ok={ok} params={self.params}>"

    def _id(self, cell) -> str:
        if isinstance(cell, (int, np.integer)):
            return str(self.table["cell"].iloc[int(cell)])
        if isinstance(cell, str) and cell in self.ids:
            return cell
        if isinstance(cell, dict):
            for cid, c in zip(self.ids, self.cells):
                if c == cell:
                    return cid
        raise KeyError(f"no cell {cell!r} in sweep {self.path}")

    def cell_path(self, cell) -> Path:
        """The results folder of a cell (its id, its row number in ``table`` or its parameter dict)."""
        return self.path / CELLS_DIR / self._id(cell)

    def result(self, cell):
        """The full :class:`~ptrade_fast.result.Result` of one cell, loaded from its folder."""
        from ptrade_fast.result import Result
        return Result.load(self.cell_path(cell))

    def run_arguments(self, cell) -> tuple[str, dict]:
        """``(strategy, kwargs)`` such that ``ptrade_fast.run(strategy, **kwargs)`` re-runs the cell alone."""
        cid = self._id(cell)
        params = self.cells[self.ids.index(cid)]
        return self.spec["strategy"], {**self.spec["run"], "params": dict(params)}

    def best(self, objective: str = "sharpe", maximize: bool = True, n: int = 1) -> pd.DataFrame:
        """The ``n`` best successful cells by ``objective`` (a metric column); NaN ranks last, ties by order."""
        if objective not in self.table.columns:
            raise KeyError(f"objective {objective!r} is not a column of the sweep table; metrics: "
                           f"{[c for c in self.table.columns if c not in self.params and c not in RESERVED]}")
        ok = self.table[self.table["status"] == "ok"]
        return rank(ok, objective, maximize).head(n)

    def report(self, path=None, top: int = 5) -> Path:
        """Write the sweep report (``report.html`` in the sweep folder by default); returns its path."""
        from .report import write_sweep_report
        return write_sweep_report(self, path or self.path / "report.html", top=top)


def rank(table: pd.DataFrame, objective: str, maximize: bool = True) -> pd.DataFrame:
    """Rows sorted best first by ``objective``: NaN last, equal values in table order."""
    values = pd.to_numeric(table[objective], errors="coerce").to_numpy(dtype=float)
    key = np.where(np.isnan(values), math.inf, -values if maximize else values)
    order = np.argsort(key, kind="stable")
    return table.iloc[order]
