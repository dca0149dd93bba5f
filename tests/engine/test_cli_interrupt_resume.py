"""The command line keeps what was done: Ctrl-C gives one line and a resumable folder; --resume finishes it."""
from __future__ import annotations

import filecmp
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from ptrade_fast.report.folder import FolderLock

STRATEGY = textwrap.dedent('''
    def initialize(context):
        g.s = '600570.SS'
        g.n = 0
        set_universe([g.s])

    def handle_data(context, data):
        g.n += 1
        log.info('day %d' % g.n)
        if g.n % 7 == 1:
            order(g.s, 100)
        elif g.n % 7 == 4:
            order_target(g.s, 0)
''')
SPAN = ["--start", "2023-01-03", "--end", "2023-09-28"]


def _cli(*args, **kw):
    return [sys.executable, "-m", "ptrade_fast.cli", *args]


@pytest.fixture()
def strategy(tmp_path):
    path = tmp_path / "weekly.py"
    path.write_text(STRATEGY, encoding="utf-8")
    return path


def test_ctrl_c_prints_one_line_and_resume_finishes_the_same_results(strategy, tmp_path):
    full = tmp_path / "full"
    done = subprocess.run(_cli("run", str(strategy), *SPAN, "--out", str(full), "--no-progress"),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    proc = subprocess.Popen(_cli("run", str(strategy), *SPAN, "--out", str(out), "--checkpoint-every", "5",
                                 "--log", "--no-progress"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if line.rstrip().endswith("day 33"):
            proc.send_signal(signal.SIGINT)
            break
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 130
    assert "Traceback" not in err
    last = [l for l in err.splitlines() if l.strip()][-1]
    assert last.startswith("ptrade-fast: stopped (SIGINT); results up to 2023-")
    assert last.endswith(f"saved to {out} (complete: false); continue with: ptrade-fast run --resume {out}")
    assert (tmp_path / "out.checkpoint" / "checkpoint.pkl").is_file()

    resumed = subprocess.run(_cli("run", "--resume", str(out), "--no-progress"), capture_output=True, text=True,
                             timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert not (tmp_path / "out.checkpoint").exists()
    names = sorted(n for n in os.listdir(full) if n.endswith((".parquet", ".json")))
    assert names == sorted(n for n in os.listdir(out) if n.endswith((".parquet", ".json")))
    different = [n for n in names if not filecmp.cmp(full / n, out / n, shallow=False)]
    assert different == []


def test_a_second_run_into_a_folder_in_use_is_refused(strategy, tmp_path):
    out = tmp_path / "busy"
    with FolderLock(out):
        r = subprocess.run(_cli("run", str(strategy), *SPAN, "--out", str(out), "--no-progress"),
                           capture_output=True, text=True, timeout=300)
    assert r.returncode == 2
    assert f"results folder {out} is in use by another run (pid {os.getpid()}" in r.stderr
    assert not out.exists()
