"""``ptrade-fast run -f tick``: a tick replay from the command line, and the error when a root has no snapshots."""
import subprocess
import sys

import pytest

from ptrade_fast.examples import __file__ as _examples_init
from tick_roots import synthetic_tick_root

EXAMPLES = __import__("pathlib").Path(_examples_init).parent


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "ptrade_fast.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=900)


@pytest.fixture(scope="module")
def syn_root(tmp_path_factory):
    return synthetic_tick_root(tmp_path_factory.mktemp("tick_cli"))


def test_cli_runs_a_tick_replay(syn_root, tmp_path):
    r = _cli("run", EXAMPLES / "large_order_tracking.py", "-f", "tick", "--data", syn_root, "--no-save", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "2019-01-31 … 2019-02-01" in r.stdout
    assert "Fills" in r.stdout and "成交笔数 Fills                                   0" not in r.stdout


def test_cli_tick_run_without_snapshots_is_a_clear_error(tmp_path):
    from ptrade_fast.data.synthetic import generate
    root = tmp_path / "plain"
    generate(root, stocks=12, start="2024-01-02", end="2024-01-10", seed=1)
    r = _cli("run", EXAMPLES / "tick_ma.py", "-f", "tick", "--data", root, "--no-save", cwd=tmp_path)
    assert r.returncode == 2
    assert f"data root {root} holds no snapshots (ticks/)" in r.stderr
    assert "ptrade-fast data import-ticks" in r.stderr
