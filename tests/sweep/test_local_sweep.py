"""The local backend: results equal single runs byte for byte, the table, resume, progress, report, CLI."""
import json
from pathlib import Path

import pandas as pd
import pytest

import ptrade_fast
from ptrade_fast.cli import main
from ptrade_fast.sweeps import SweepResult
from sweep_checks import SPAN, STRATEGY, assert_cells_equal_single_runs

GRID = {"fast": [3, 5], "slow": [10, 20]}


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "grid"
    calls = []
    res = ptrade_fast.sweep(STRATEGY, GRID, out=out, workers=2,
                            progress=lambda done, total, eta, o: calls.append((done, total, o["status"])), **SPAN)
    return res, calls


def test_every_cell_equals_its_single_run_byte_for_byte(swept, tmp_path):
    res, _ = swept
    assert len(res.ids) == 4
    assert_cells_equal_single_runs(res, tmp_path)


def test_tidy_table_one_row_per_cell(swept):
    res, calls = swept
    t = res.table
    assert list(t.columns[:5]) == ["cell", "fast", "slow", "status", "error"]
    assert t[["fast", "slow"]].values.tolist() == [[3, 10], [3, 20], [5, 10], [5, 20]]
    assert (t["status"] == "ok").all()
    for _, row in t.iterrows():
        metrics = json.loads((res.cell_path(row["cell"]) / "metrics.json").read_text())
        assert row["total_return"] == metrics["total_return"]
        assert row["trade_count"] == metrics["trade_count"]
        assert row["start_date"] == pd.Timestamp("2019-01-02")
    saved = pd.read_parquet(res.path / "results.parquet")
    pd.testing.assert_frame_equal(saved, t)
    assert sorted(c[0] for c in calls) == [1, 2, 3, 4] and {c[1] for c in calls} == {4}
    best = res.best("total_return")
    assert best["total_return"].iloc[0] == t["total_return"].max()
    assert SweepResult.load(res.path).table.equals(t)


def test_report_has_table_heatmap_and_best_curves(swept):
    res, _ = swept
    page = (res.path / "report.html").read_text(encoding="utf-8")
    assert '<table class="sortable">' in page and page.count("<tr>") >= 5
    assert 'id="chart-sweep-heatmap"' in page and 'id="chart-sweep-equity"' in page
    assert "fast=3, slow=10" in page
    assert "<script src" not in page and "<link" not in page   # offline: nothing to fetch
    assert res.report(res.path / "again.html").read_text(encoding="utf-8") == page


def test_resume_runs_only_the_missing_cells(swept, tmp_path):
    import shutil
    res, _ = swept
    copy = tmp_path / "copy"
    shutil.copytree(res.path, copy)
    lost = res.ids[2]
    shutil.rmtree(copy / "cells" / lost)
    (copy / "cells" / f".tmp-{lost}-999").mkdir()          # a worker killed while saving
    before = {cid: (copy / "cells" / cid / "portfolio.parquet").stat().st_mtime_ns
              for cid in res.ids if cid != lost}
    done = []
    again = ptrade_fast.sweep(res.spec["strategy"], GRID, out=copy, workers=1, report=False,
                              progress=lambda d, t, e, o: done.append(o["cell"]), start="2019-01-02",
                              end="2019-12-31")
    assert done == [lost]
    assert not list((copy / "cells").glob(".tmp-*"))
    for cid, mtime in before.items():
        assert (copy / "cells" / cid / "portfolio.parquet").stat().st_mtime_ns == mtime
    pd.testing.assert_frame_equal(again.table, res.table)


def test_a_folder_of_another_sweep_is_refused(swept):
    res, _ = swept
    with pytest.raises(ValueError, match="holds a different sweep \\(end differ\\)"):
        ptrade_fast.sweep(res.spec["strategy"], GRID, out=res.path, start="2019-01-02", end="2019-06-28")


def test_unknown_parameter_fails_before_any_cell_runs(strategy, span, tmp_path):
    with pytest.raises(ValueError, match="'window' is not set by the strategy's initialize"):
        ptrade_fast.sweep(strategy, {"window": [1, 2]}, out=tmp_path / "x", **span)
    assert list((tmp_path / "x" / "cells").iterdir()) == []


@pytest.mark.parametrize("kw, err, match", [
    ({"backend": "dask"}, ValueError, "backend must be one of"),
    ({"workers": 0}, ValueError, "workers must be a positive integer"),
    ({"log_echo": "x"}, ValueError, "option 'log_echo' cannot be used in a sweep"),
    ({"progress": "yes"}, TypeError, "progress must be"),
])
def test_bad_sweep_arguments(strategy, span, tmp_path, kw, err, match):
    with pytest.raises(err, match=match):
        ptrade_fast.sweep(strategy, {"fast": [3]}, out=tmp_path / "bad", **span, **kw)


def test_strategy_error_is_a_failed_cell_with_partial_results(tmp_path, span):
    src = ("def initialize(context):\n    g.boom = 0\n    set_universe('600000.SS')\n"
           "def handle_data(context, data):\n    if g.boom and context.blotter.current_dt.month == 3:\n"
           "        raise RuntimeError('boom')\n")
    res = ptrade_fast.sweep(src, [{"boom": 0}, {"boom": 1}], out=tmp_path / "err", workers=1, **span)
    assert res.table["status"].tolist() == ["ok", "error"]
    assert "RuntimeError: boom" in res.table["error"].iloc[1]
    assert pd.isna(res.table["error"].iloc[0])
    partial = res.result(1)
    assert partial.portfolio.index[-1] < pd.Timestamp("2019-03-31")


def test_cli_sweep(strategy, tmp_path, capsys):
    grid = tmp_path / "grid.json"
    grid.write_text(json.dumps({"grid": {"fast": [3, 5, 8], "slow": [10, 20]}, "sample": 2, "seed": 1}))
    out = tmp_path / "cli"
    code = main(["sweep", strategy, "--grid", str(grid), "--start", "2019-01-02", "--end", "2019-06-28",
                 "--out", str(out), "--workers", "1", "--no-progress", "--objective", "total_return"])
    text = capsys.readouterr().out
    assert code == 0
    assert "cells      2 (0 failed)" in text and "best by total_return:" in text
    table = pd.read_parquet(out / "results.parquet")
    assert len(table) == 2 and (out / "report.html").is_file()


def test_cli_sweep_bad_grid_file(strategy, tmp_path, capsys):
    bad = tmp_path / "grid.txt"
    bad.write_text("{}")
    assert main(["sweep", strategy, "--grid", str(bad)]) == 2
    assert "must end in .json, .yaml or .yml" in capsys.readouterr().err


def test_a_killed_sweep_resumes_without_recomputing_finished_cells(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    out = tmp_path / "killed"
    code = (f"import ptrade_fast\nptrade_fast.sweep({STRATEGY!r}, {GRID!r}, out={str(out)!r}, workers=1, "
            f"report=False, progress=False, **{SPAN!r})\n")
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            if (out / "cells").is_dir() and [p for p in (out / "cells").iterdir() if p.name.startswith("c-")]:
                break
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)               # the sweep and its worker, mid-sweep
        proc.wait()
    finished = {p.name: (p / "portfolio.parquet").stat().st_mtime_ns
                for p in (out / "cells").iterdir() if p.name.startswith("c-")}
    assert 1 <= len(finished) < 4, "the sweep was not interrupted mid-way"
    ran = []
    res = ptrade_fast.sweep(STRATEGY, GRID, out=out, workers=2, report=False,
                            progress=lambda d, t, e, o: ran.append(o["cell"]), **SPAN)
    assert sorted(ran) == sorted(set(res.ids) - set(finished))
    for cid, mtime in finished.items():
        assert (out / "cells" / cid / "portfolio.parquet").stat().st_mtime_ns == mtime
    assert len(res.table) == 4 and (res.table["status"] == "ok").all()
