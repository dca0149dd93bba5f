"""Longest-first scheduling, the cost estimate, progress with ETA, and the Ray extra's message."""
import io
import sys

import numpy as np
import pytest

import ptrade_fast
from ptrade_fast.sweeps.progress import SweepProgress
from ptrade_fast.sweeps.schedule import estimate_cost, longest_first
from ptrade_fast.sweeps.task import CellTask

CAL = np.array(["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08"], dtype="datetime64[D]")


def test_cost_is_span_times_bars_times_universe():
    assert estimate_cost(CAL, 7, "2024-01-03", "2024-01-05", "1d", None) == 3
    assert estimate_cost(CAL, 7, None, None, "1m", ["a", "b"]) == 5 * 240 * 2
    assert estimate_cost(CAL, 7, "2024-01-04", None, "1d", "Ashares") == 3 * 7
    assert estimate_cost(CAL, 7, "2024-01-06", "2024-01-07", "1d", None) == 1     # never zero


def test_longest_first_is_stable():
    tasks = [CellTask(cell=f"c{i}", params={}, strategy="s", run_kwargs={}, cost=c)
             for i, c in enumerate([1, 5, 3, 5, 1])]
    assert [t.cell for t in longest_first(tasks)] == ["c1", "c3", "c2", "c0", "c4"]


def test_progress_eta_weights_by_cost(monkeypatch):
    clock = iter([0.0, 10.0, 10.0, 10.0])
    monkeypatch.setattr("ptrade_fast.sweeps.progress.time.perf_counter", lambda: next(clock))
    seen, stream = [], io.StringIO()
    bar = SweepProgress(total=3, total_cost=40.0, callback=lambda *a: seen.append(a), stream=stream, resumed=1)
    bar.update({"status": "ok", "cell": "a"}, 30.0)     # 30 of 40 cost units in 10 s: 10/3 s left
    assert seen[0][:2] == (2, 3) and seen[0][2] == pytest.approx(10.0 / 30.0 * 10.0)
    assert "resuming: 1 of 3 cells already complete" in stream.getvalue()
    assert "cells 2/3  elapsed 00:10  ETA 00:03" in stream.getvalue()


def test_ray_backend_without_ray_names_the_extra(strategy, span, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ImportError, match=r'pip install "ptrade_fast\[ray\]"'):
        ptrade_fast.sweep(strategy, {"fast": [3]}, out=tmp_path / "r", backend="ray", **span)
