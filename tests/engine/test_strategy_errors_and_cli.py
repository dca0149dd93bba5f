"""Bad strategies get clear errors naming file and line; the CLI runs the sample and reports failures."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import ptrade_fast
from ptrade_fast.errors import StrategyLoadError, StrategyRuntimeError

EXAMPLES = Path(__file__).resolve().parents[2] / "python" / "ptrade_fast" / "examples"


def write(tmp_path, text, name="strategy.py"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_a_strategy_without_handle_data_is_refused_naming_the_file(tmp_path):
    p = write(tmp_path, "def initialize(context):\n    pass\n")
    with pytest.raises(StrategyLoadError, match=r"strategy\.py.*handle_data"):
        ptrade_fast.run(p, start="2024-01-02", end="2024-01-05")


def test_a_syntax_error_names_file_and_line(tmp_path):
    p = write(tmp_path, "def initialize(context):\n    pass\ndef handle_data(context, data)\n    pass\n")
    with pytest.raises(StrategyLoadError, match=r"strategy\.py:3: syntax error"):
        ptrade_fast.run(p, start="2024-01-02", end="2024-01-05")


def test_an_exception_in_handle_data_names_file_line_and_keeps_partial_results(tmp_path):
    p = write(tmp_path, "def initialize(context):\n    g.n = 0\n"
                        "def handle_data(context, data):\n    g.n += 1\n    if g.n == 3:\n        1 / 0\n")
    with pytest.raises(StrategyRuntimeError) as info:
        ptrade_fast.run(p, start="2024-01-02", end="2024-01-31")
    err = info.value
    assert err.lineno == 6 and err.filename.endswith("strategy.py") and err.callback == "handle_data"
    assert "ZeroDivisionError" in str(err) and "2024-01-04 15:00" in str(err)
    assert len(err.partial_result.portfolio) == 2 and err.partial_result.meta["complete"] is False


def test_importing_os_is_refused_like_on_the_platform(tmp_path):
    p = write(tmp_path, "import os\ndef initialize(context):\n    pass\ndef handle_data(context, data):\n    pass\n")
    with pytest.raises(StrategyLoadError, match=r"strategy\.py:1: ImportError.*'os' is not allowed"):
        ptrade_fast.run(p, start="2024-01-02", end="2024-01-05")


def test_time_sleep_does_not_wait(tmp_path):
    p = write(tmp_path, "import time\ndef initialize(context):\n    pass\n"
                        "def handle_data(context, data):\n    time.sleep(100)\n")
    r = ptrade_fast.run(p, start="2024-01-02", end="2024-01-05")
    assert r.run_seconds < 30


def test_calling_an_order_function_in_initialize_raises_naming_the_phase(tmp_path):
    p = write(tmp_path, "def initialize(context):\n    order('600570.SS', 100)\ndef handle_data(context, data):\n    pass\n")
    with pytest.raises(StrategyRuntimeError, match=r"order cannot be called in initialize"):
        ptrade_fast.run(p, start="2024-01-02", end="2024-01-05")


def test_live_only_function_raises_a_clear_error(tmp_path):
    p = write(tmp_path, "def initialize(context):\n    pass\ndef handle_data(context, data):\n"
                        "    get_snapshot('600570.SS')\n")
    with pytest.raises(StrategyRuntimeError, match=r"get_snapshot is only available in live trading"):
        ptrade_fast.run(p, start="2024-01-02", end="2024-01-05")


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "ptrade_fast.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def test_cli_runs_the_sample_double_ma_and_writes_a_report(tmp_path):
    out = tmp_path / "out"
    r = _cli("run", EXAMPLES / "double_ma.py", "--start", "2024-01-02", "--end", "2024-06-28", "--out", out,
             "--progress", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "2024-01-02 … 2024-06-28" in r.stdout and "orders" in r.stdout
    assert "bars/s" in r.stderr and "days" in r.stderr  # the tqdm progress bar
    assert (out / "report.html").is_file() and (out / "portfolio.parquet").is_file()
    again = _cli("report", out, cwd=tmp_path)
    assert again.returncode == 0 and again.stdout.strip().endswith("report.html")


def test_cli_exits_non_zero_and_names_file_and_line_on_a_strategy_bug(tmp_path):
    p = write(tmp_path, "def initialize(context):\n    pass\n"
                        "def handle_data(context, data):\n    x = undefined_name + 1\n", name="buggy.py")
    r = _cli("run", p, "--start", "2024-01-02", "--end", "2024-01-05", cwd=tmp_path)
    assert r.returncode == 1
    assert "buggy.py:4" in r.stderr and "NameError" in r.stderr


def test_cli_rejects_a_minute_range_without_minute_data(tmp_path):
    r = _cli("run", EXAMPLES / "double_ma.py", "--frequency", "1m", "--start", "2024-01-02", "--end",
             "2024-01-05", cwd=tmp_path)
    assert r.returncode == 2 and "no minute bars" in r.stderr
