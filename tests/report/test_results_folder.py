"""Results folders are written whole, replaced whole, and held by one run at a time."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

import ptrade_fast
from ptrade_fast.report import tables
from ptrade_fast.report.folder import FolderBusy, FolderLock
from ptrade_fast.result import Result

STRATEGY = """
def initialize(context):
    set_universe(['600570.SS'])

def handle_data(context, data):
    if context.portfolio.positions_value == 0:
        order('600570.SS', 100)
"""


@pytest.fixture(scope="module")
def result():
    return ptrade_fast.run(STRATEGY, start="2024-01-02", end="2024-01-12")


def test_saving_over_an_older_folder_leaves_none_of_its_files(result, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("an old report", encoding="utf-8")
    (out / "orders.parquet").write_bytes(b"old")
    result.save(out)
    assert not (out / "report.html").exists()
    assert Result.load(out).orders.equals(result.orders)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]        # no temporary folder left behind


def test_a_failed_save_leaves_the_older_folder_intact(result, tmp_path, monkeypatch):
    out = tmp_path / "out"
    result.save(out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = []

    def broken(df, path, name):
        calls.append(name)
        if len(calls) == 3:
            raise OSError("disk full (simulated)")
        return real(df, path, name)
    real = tables.write_table
    monkeypatch.setattr(tables, "write_table", broken)
    with pytest.raises(OSError, match="disk full"):
        result.save(out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_second_holder_of_a_results_folder_is_refused_naming_the_first(tmp_path):
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from ptrade_fast.report.folder import FolderLock
        with FolderLock({str(out)!r}):
            print("held", flush=True)
            sys.stdin.readline()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(FolderBusy, match=rf"results folder {out} is in use by another run \(pid {holder.pid} "):
            FolderLock(out).acquire()
    finally:
        holder.communicate("done\n", timeout=30)
    with FolderLock(out):                       # released by the first holder: free again
        assert json.loads((tmp_path / "out.lock").read_text())["pid"] == os.getpid()
    assert not (tmp_path / "out.lock").exists()


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / "out.lock").write_text(json.dumps({"pid": int(dead.stdout), "host": __import__("socket").gethostname()}))
    with FolderLock(tmp_path / "out") as lock:
        assert lock.held


def test_two_processes_saving_into_one_folder_never_interleave(result, tmp_path):
    out = tmp_path / "out"
    script = textwrap.dedent(f"""
        import sys, ptrade_fast
        r = ptrade_fast.run({STRATEGY!r}, start="2024-01-02", end=sys.argv[1])
        for _ in range(15):
            r.save({str(out)!r})
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, end]) for end in ("2024-01-12", "2024-02-09")]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    final = Result.load(out)
    # Every table of the folder comes from the same run: the portfolio length decides which one.
    days = len(final.portfolio)
    assert days in (9, 28)
    assert final.params["end"] == ("2024-01-12" if days == 9 else "2024-02-08")
    assert final.trades["dt"].max() <= __import__("pandas").Timestamp(final.params["end"]) + __import__("pandas").Timedelta(days=1)
    assert json.loads((out / "meta.json").read_text())["days_run"] == days
