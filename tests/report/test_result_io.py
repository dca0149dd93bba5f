"""Result: construction normalises the tables; save/load gives them back exactly, in stable bytes."""
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from ptrade_fast.report.tables import SCHEMA, TABLES
from ptrade_fast.result import Result


def assert_same_result(a: Result, b: Result):
    for name in TABLES:
        assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True, obj=name)
    assert a.params == b.params
    assert a.meta == b.meta


@pytest.mark.parametrize("which", ["five_days", "synthetic"])
def test_load_gives_back_every_table_exactly(which, request, tmp_path):
    result = request.getfixturevalue(which)

    result.save(tmp_path / "run")
    loaded = Result.load(tmp_path / "run")

    assert_same_result(result, loaded)
    assert json.dumps(loaded.metrics, default=str) == json.dumps(result.metrics, default=str)


def test_saving_twice_writes_the_same_bytes(five_days, tmp_path):
    five_days.save(tmp_path / "a")
    Result.load(tmp_path / "a").save(tmp_path / "b")

    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert names == sorted([f"{t}.parquet" for t in TABLES] + ["params.json", "meta.json", "metrics.json"])
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_tables_get_canonical_dtypes_from_loose_engine_output():
    dates = [dt.date(2024, 1, 2), dt.date(2024, 1, 3)]
    portfolio = pd.DataFrame({"total_value": [100, 101], "cash": [100, 1], "positions_value": [0, 100],
                              "returns": [0.0, 0.01], "pnl": [0, 1]}, index=dates)
    orders = pd.DataFrame({"id": ["a" * 32], "entrust_no": [7], "dt": [dt.datetime(2024, 1, 2, 15)],
                           "code": ["600570"], "symbol": ["600570.SS"], "amount": [np.int32(100)],
                           "filled": [100.0], "limit": [10], "status": ["8"], "error_info": [""]})

    r = Result(portfolio, None, orders, params={"start": dt.date(2024, 1, 2), "codes": ("A", "B")})

    assert r.portfolio.index.name == "date"
    assert r.portfolio.index.dtype == "datetime64[ns]"
    assert r.portfolio["total_value"].dtype == "float64"
    assert r.orders["dt"].dtype == "datetime64[ns]"
    assert r.orders["amount"].dtype == "int64" and r.orders["filled"].dtype == "int64"
    assert r.orders["limit"].dtype == "float64"
    assert r.orders.loc[0, "entrust_no"] == "7"
    assert r.params == {"start": "2024-01-02", "codes": ["A", "B"]}
    assert r.benchmark["returns"].isna().all() and len(r.benchmark) == 2


def test_missing_tables_are_empty_with_their_columns_and_round_trip(tmp_path):
    p = pd.DataFrame({"total_value": [1.0], "cash": [1.0], "positions_value": [0.0], "returns": [0.0],
                      "pnl": [0.0]}, index=pd.DatetimeIndex(["2024-01-02"]))
    r = Result(p)

    for name in ("orders", "trades", "positions", "logs"):
        assert list(getattr(r, name).columns) == list(SCHEMA[name]) and len(getattr(r, name)) == 0
    r.save(tmp_path / "run")
    assert_same_result(r, Result.load(tmp_path / "run"))


def test_int_columns_with_missing_values_are_refused_with_the_column_named(five_days):
    trades = five_days.trades.copy()
    trades["amount"] = trades["amount"].astype("float64")
    trades.loc[0, "amount"] = np.nan

    with pytest.raises(ValueError, match="trades.amount"):
        Result(five_days.portfolio, trades=trades)


def test_report_defaults_into_the_results_folder(five_days, tmp_path, monkeypatch):
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()

    unsaved = five_days.report()   # never saved: a fresh temporary folder named after the strategy

    assert unsaved.name == "report.html" and unsaved.parent.parent == tmp_path / "tmp"
    assert unsaved.parent.name.startswith("ptrade_fast-demo-") and unsaved.stat().st_size > 1_000_000
    five_days.save(tmp_path / "run")

    assert five_days.report() == tmp_path / "run" / "report.html"
    assert (tmp_path / "run" / "report.html").stat().st_size > 1_000_000


def test_load_refuses_a_folder_without_portfolio(tmp_path):
    with pytest.raises(FileNotFoundError, match="portfolio.parquet"):
        Result.load(tmp_path)


def test_summary_repr_and_jupyter_html(five_days):
    assert "策略收益 Total return" in five_days.summary()
    assert "0.99%" in five_days.summary()
    assert repr(five_days).startswith("<Result strategies/demo.py 2024-01-02..2024-01-08 days=5")
    html = five_days._repr_html_()
    assert "夏普比率 Sharpe" in html and "total_value" in html and "<script" not in html


def test_metrics_are_cached_and_use_params_risk_free(five_days):
    assert five_days.metrics is five_days.metrics

    r = Result(five_days.portfolio, five_days.benchmark, params={"risk_free": 0.0})

    assert r.metrics["risk_free"] == 0.0
