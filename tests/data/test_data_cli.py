import json
import subprocess
import sys

import pandas as pd
import pytest

from ptrade_fast import cli as main_cli


def _wired():
    try:
        main_cli.build_parser().parse_args(["data", "info"])
        return True
    except SystemExit:
        return False


def run(*args, env=None):
    """``ptrade-fast data ARGS`` through the main CLI once it registers ``data``, else the data CLI."""
    module = ["-m", "ptrade_fast.cli", "data"] if _wired() else ["-m", "ptrade_fast.data.cli"]
    return subprocess.run([sys.executable, *module, *map(str, args)], capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def tdx_root(real_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("cli") / "root"
    r = run("import-tdx", real_dir / "tdx" / "vipdoc", "--data", root)
    assert r.returncode == 0, r.stderr
    return root


def test_import_tdx_then_info(tdx_root):
    r = run("info", "--data", tdx_root, "--json")
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["state"] == "complete"
    assert out["instruments"]["by_type"] == {"index": 1, "stock": 1}
    assert out["daily"]["rows"] > 14574 and out["calendar"]["first"] == "1990-12-19"


def test_validate_exit_status_is_1_with_issues_and_names_file_and_row(tdx_root):
    # Without ex_rights.parquet the ex-dates' limits come from the raw previous close: real issues.
    r = run("validate", "--data", tdx_root)
    assert r.returncode == 1
    assert "daily/2008.parquet:" in r.stdout and "limit: 600000.SS 2008-04-24" in r.stdout


def test_import_csv_and_validate_clean(tmp_path):
    csv = tmp_path / "bars.csv"
    pd.DataFrame({"ts_code": "600000.SH", "trade_date": ["20190102", "20190103"], "open": [9.8, 9.9],
                  "high": [9.95, 10.0], "low": [9.75, 9.85], "close": [9.9, 9.95], "vol": [1000, 2000],
                  "amount": [985.0, 1985.0]}).to_csv(csv, index=False)
    r = run("import-csv", csv, "--preset", "tushare", "--data", tmp_path / "root")
    assert r.returncode == 0, r.stderr
    r = run("validate", "--data", tmp_path / "root")
    assert r.returncode == 0 and "no issues" in r.stdout


def test_bad_input_exits_2(tmp_path):
    assert run("import-csv", tmp_path / "missing.csv", "--data", tmp_path / "r").returncode == 2
    assert run("import-csv", tmp_path / "x.csv", "--data", tmp_path / "r", "--map", "nofield").returncode == 2
    assert run("info", "--data", tmp_path / "empty").returncode == 2
    assert run("import-tdx", tmp_path, "--data", tmp_path / "r").returncode == 2


def test_reads_default_to_the_environment_root(tdx_root):
    import os
    r = run("info", "--json", env={**os.environ, "PTRADE_FAST_DATA": str(tdx_root)})
    assert json.loads(r.stdout)["root"] == str(tdx_root)
