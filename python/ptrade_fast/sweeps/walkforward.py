"""``ptrade_fast.walk_forward``: choose the best cell on each training window, run it on the next test window.

Windows are counted in trading days of the data root's calendar within ``[start, end]``: window ``k``
trains on days ``[k·step, k·step + train)`` and tests on the ``test`` days that follow (the last test
window may be shorter).  Every training window is a sweep folder of its own (``OUT/train/wNN``), all run
as one longest-first batch; each test run is a one-cell sweep folder (``OUT/test/wNN``).  The
out-of-sample equity chains the test windows' daily returns from ``capital_base``: each test run starts
with fresh capital, so its first-day return is measured against ``capital_base`` and compounding the
returns gives the equity of one account that traded the chosen cell of every window in turn.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .api import execute, finish, prepare
from .cells import canonical_json, expand
from .results import SweepResult, rank, write_table

WINDOWS_FILE = "windows.parquet"
EQUITY_FILE = "equity.parquet"


@dataclass
class WalkForwardResult:
    """The outcome of :func:`walk_forward`.

    Attributes
    ----------
    windows : DataFrame
        One row per window: ``window``, ``train_start``, ``train_end``, ``test_start``, ``test_end``, the
        chosen parameters, ``train_<objective>`` and the test run's ``test_<objective>`` and
        ``test_total_return``.
    equity : DataFrame
        The stitched out-of-sample ``total_value`` and ``returns`` by date, and the ``window`` of each day.
    metrics : dict
        The run-report metrics of the stitched out-of-sample curve (trades are not merged: trade metrics
        are those of no trades; read each test run for them).
    train, test : list of SweepResult
        The training sweeps and the test runs, window by window.
    path : Path
    """
    windows: pd.DataFrame
    equity: pd.DataFrame
    metrics: dict
    train: list
    test: list
    path: Path


def _windows(days: np.ndarray, train: int, test: int, step: int) -> list[tuple[int, int, int]]:
    out, s = [], 0
    while s + train < len(days):
        out.append((s, s + train, min(s + train + test, len(days))))
        s += step
    return out


def walk_forward(strategy, params, train: int, test: int, step: int | None = None, objective: str = "sharpe",
                 maximize: bool = True, start=None, end=None, frequency="1d", capital_base=1_000_000.0,
                 universe=None, benchmark=None, data=None, *, out=None, backend="local", workers=None,
                 address=None, retries=3, resume=True, progress=None, **options) -> WalkForwardResult:
    """Walk-forward optimisation of a Ptrade strategy's ``g`` parameters (no Ptrade counterpart).

    Parameters
    ----------
    strategy, params
        As in :func:`ptrade_fast.sweep` (a grid, a list of cells or a sampler).
    train, test : int
        Training and test window lengths in trading days.
    step : int, optional
        Trading days between window starts; default ``test`` (back-to-back test windows).  Must be at
        least ``test`` so test windows do not overlap.
    objective : str
        The metric the best training cell maximises (``maximize=False``: minimises), e.g. ``'sharpe'``,
        ``'total_return'``, ``'max_drawdown'``.  Failed cells and NaN values never win; ties go to the
        earlier cell.
    start, end, frequency, capital_base, universe, benchmark, data, **options
        As in :func:`ptrade_fast.run`; ``start``/``end`` bound all windows.
    out, backend, workers, address, retries, resume, progress
        As in :func:`ptrade_fast.sweep`; ``out`` defaults to ``walk_forward/<strategy name>-<hash>``.

    Returns
    -------
    WalkForwardResult
    """
    from ptrade_fast.data.bundle import resolve_root
    from ptrade_fast.data.store import DataStore
    from ptrade_fast.report.metrics import compute_metrics

    for name, value in (("train", train), ("test", test)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"walk_forward: {name} must be a positive number of trading days, was {value!r}")
    step = test if step is None else step
    if not isinstance(step, int) or isinstance(step, bool) or step < test:
        raise ValueError(f"walk_forward: step must be an integer ≥ test ({test}) so test windows do not "
                         f"overlap, was {step!r}")
    store = DataStore.open(resolve_root(data))
    cal = store.calendar
    lo = 0 if start is None else int(np.searchsorted(cal, np.datetime64(str(start)[:10], "D")))
    hi = len(cal) if end is None else int(np.searchsorted(cal, np.datetime64(str(end)[:10], "D"), side="right"))
    days = cal[lo:hi]
    spans = _windows(days, train, test, step)
    if not spans:
        raise ValueError(f"walk_forward: {len(days)} trading days in the range are not enough for one "
                         f"{train}-day training window followed by a test day")
    cells = expand(params)
    if out is None:
        import hashlib
        stem = Path(str(strategy)).stem if "\n" not in str(strategy) else "strategy"
        digest = hashlib.sha1(canonical_json({"s": str(strategy), "cells": cells, "w": [train, test, step],
                                              "r": [str(start), str(end), frequency, capital_base, universe,
                                                    benchmark, str(data), sorted(options.items())]})
                              .encode("utf-8")).hexdigest()[:8]
        out = Path("walk_forward") / f"{stem}-{digest}"
    out = Path(out)
    shared = dict(frequency=frequency, capital_base=capital_base, universe=universe, benchmark=benchmark,
                  data=data)

    def day(i):
        return str(days[i])

    train_plans = [prepare(strategy, cells, day(a), day(b - 1), options=dict(options), out=out / "train" / f"w{k:02d}",
                           resume=resume, **shared) for k, (a, b, _) in enumerate(spans)]
    execute(train_plans, backend=backend, workers=workers, address=address, retries=retries, progress=progress)
    train_results = [finish(p, report=False) for p in train_plans]

    chosen = []
    for k, res in enumerate(train_results):
        if objective not in res.table.columns:
            raise KeyError(f"walk_forward: objective {objective!r} is not a metric of the sweep table")
        ok = res.table[res.table["status"] == "ok"]
        ranked = rank(ok, objective, maximize)
        if len(ranked) == 0 or pd.isna(ranked[objective].iloc[0]):
            raise ValueError(f"walk_forward: window {k} ({day(spans[k][0])}..{day(spans[k][1] - 1)}) has no "
                             f"successful cell with a finite {objective!r}")
        cid = ranked["cell"].iloc[0]
        chosen.append((cid, res.cells[res.ids.index(cid)], float(ranked[objective].iloc[0])))

    test_plans = [prepare(strategy, [chosen[k][1]], day(b), day(c - 1), options=dict(options),
                          out=out / "test" / f"w{k:02d}", resume=resume, **shared)
                  for k, (_, b, c) in enumerate(spans)]
    execute(test_plans, backend=backend, workers=workers, address=address, retries=retries, progress=progress)
    test_results = [finish(p, report=False) for p in test_plans]

    rows, frames = [], []
    for k, ((a, b, c), (cid, cell, score), res) in enumerate(zip(spans, chosen, test_results)):
        tr = res.table.iloc[0]
        row = {"window": k, "train_start": pd.Timestamp(days[a]), "train_end": pd.Timestamp(days[b - 1]),
               "test_start": pd.Timestamp(days[b]), "test_end": pd.Timestamp(days[c - 1]), "cell": cid}
        row.update({f"param_{n}": v for n, v in cell.items()})
        row[f"train_{objective}"] = score
        row["test_status"] = tr["status"]
        row[f"test_{objective}"] = tr.get(objective, np.nan)
        row["test_total_return"] = tr.get("total_return", np.nan)
        rows.append(row)
        port = res.result(0).portfolio
        frames.append(pd.DataFrame({"returns": port["returns"], "window": k}, index=port.index))
    windows = pd.DataFrame(rows)
    oos = pd.concat(frames)
    equity = pd.DataFrame({"total_value": float(capital_base) * (1.0 + oos["returns"]).cumprod(),
                           "returns": oos["returns"], "window": oos["window"].astype("int64")}, index=oos.index)
    equity.index.name = "date"
    metrics = compute_metrics(equity, None, None, None, capital_base=float(capital_base))
    out.mkdir(parents=True, exist_ok=True)
    write_table(windows, out / WINDOWS_FILE)
    write_table(equity.reset_index(), out / EQUITY_FILE)
    return WalkForwardResult(windows, equity, metrics, train_results, test_results, out)


__all__ = ["walk_forward", "WalkForwardResult", "SweepResult"]
