import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from ptrade_fast.data.importers.csv import import_csv, parse_code, read_csv
from ptrade_fast.data.store import DataStore


@pytest.fixture(scope="module")
def source(real_dir):
    """The real daily bars of 600000.SS (h5: volume in shares, money in CNY)."""
    bars = pd.read_parquet(real_dir / "daily_bars.parquet")
    bars = bars[bars.symbol == "600000.SS"].sort_values("date").reset_index(drop=True)
    assert (bars.volume % 100 == 0).all() and (bars.money % 1000 == 0).all()  # lots and thousands are exact
    return bars


def _layout(preset, bars):
    d = pd.to_datetime(bars["date"])
    if preset == "tushare":
        return pd.DataFrame({"ts_code": "600000.SH", "trade_date": d.dt.strftime("%Y%m%d"), "open": bars.open,
                             "high": bars.high, "low": bars.low, "close": bars.close, "pre_close": np.nan,
                             "vol": bars.volume / 100, "amount": bars.money / 1000})
    if preset == "akshare":
        return pd.DataFrame({"日期": d.dt.strftime("%Y-%m-%d"), "股票代码": "600000", "开盘": bars.open,
                             "收盘": bars.close, "最高": bars.high, "最低": bars.low,
                             "成交量": bars.volume // 100, "成交额": bars.money, "振幅": 0.0})
    return pd.DataFrame({"date": d.dt.strftime("%Y-%m-%d"), "code": "sh.600000", "open": bars.open,
                         "high": bars.high, "low": bars.low, "close": bars.close, "preclose": np.nan,
                         "volume": bars.volume, "amount": bars.money, "adjustflag": 3})


def _stored(root, code):
    frames = [pq.read_table(p, filters=[("code", "=", code)]).to_pandas() for p in sorted((root / "daily").glob("*.parquet"))]
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("preset", ["tushare", "akshare", "baostock"])
def test_preset_layout_imports_to_the_source_bars_exactly(preset, source, tmp_path):
    path = tmp_path / f"{preset}.csv"
    _layout(preset, source).to_csv(path, index=False, encoding="utf-8")

    summary = import_csv([path], tmp_path / "root", preset=preset)

    assert summary["codes"] == ["600000.SS"] and summary["rows"] == len(source)
    stored = _stored(tmp_path / "root", "600000.SS")
    traded = stored[stored.date.isin(pd.to_datetime(source.date).dt.date)].reset_index(drop=True)
    assert len(traded) == len(source)
    for col in ("open", "high", "low", "close", "volume", "money"):
        assert np.array_equal(traded[col].to_numpy(), source[col].to_numpy()), col
    assert DataStore.open(tmp_path / "root").sid("600000.SS") == 0


def test_generic_minute_csv_with_column_map_and_code(tmp_path):
    path = tmp_path / "m.csv"
    pd.DataFrame({"t": ["2019-01-02 09:31", "2019-01-02 09:32"], "o": [9.9, 9.91], "h": [9.92, 9.93],
                  "l": [9.89, 9.9], "c": [9.91, 9.92], "v": [1000, 2000], "amt": [9910.0, 19840.0]}).to_csv(path, index=False)
    mapping = {"t": "datetime", "o": "open", "h": "high", "l": "low", "c": "close", "v": "volume", "amt": "money"}

    import_csv(path, tmp_path / "root", frequency="1m", mapping=mapping, code="600000.XSHG")

    md = DataStore.open(tmp_path / "root").minute_day("2019-01-02")
    assert md.close[:2, 0].tolist() == [9.91, 9.92] and md.volume[:2, 0].tolist() == [1000, 2000]


def test_missing_columns_are_named(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"date": ["2019-01-02"], "close": [1.0]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match="no column for .*open.*--map"):
        read_csv(path, code="600000.SS")
    with pytest.raises(ValueError, match="unknown CSV preset"):
        read_csv(path, preset="wind")


def test_code_spellings():
    assert parse_code("sh.600000") == parse_code("SH600000") == parse_code("600000.SH") == "600000.SS"
    assert parse_code("000001") == "000001.SZ" and parse_code("510050") == "510050.SS"
    assert parse_code("sz.300750") == "300750.SZ"
