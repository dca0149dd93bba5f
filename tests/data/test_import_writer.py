import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from ptrade_fast.data import writer as writer_mod
from ptrade_fast.data.importers.tdx import read_day
from ptrade_fast.data.store import DataStore
from ptrade_fast.data.writer import InterruptedImportError, RootWriter, check_root, info


@pytest.fixture(scope="module")
def bars(real_dir):
    """Raw daily bars of 600000.SS 2010-2012 and 000001.SS (TDX)."""
    a = read_day(real_dir / "tdx" / "vipdoc" / "sh" / "lday" / "sh600000.day")
    b = read_day(real_dir / "tdx" / "vipdoc" / "sh" / "lday" / "sh000001.day")
    both = pd.concat([a, b], ignore_index=True)
    return both[(both.date >= np.datetime64("2010-01-01")) & (both.date < np.datetime64("2013-01-01"))]


def _daily(root):
    return pd.concat([pq.read_table(p).to_pandas() for p in sorted((root / "daily").glob("*.parquet"))],
                     ignore_index=True)


def test_interrupted_import_leaves_an_invalid_root_and_a_rerun_completes_it(bars, tmp_path, monkeypatch):
    clean = tmp_path / "clean"
    with RootWriter.open(clean) as w:
        w.add_daily(bars)
    root = tmp_path / "root"
    with RootWriter.open(root) as w:  # a complete root holding part of the data
        w.add_daily(bars[bars.date < np.datetime64("2011-01-01")])
    real_write = writer_mod.write_table_atomic
    calls = {"n": 0}

    def crash_on_second_file(table, path):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("simulated Ctrl-C")
        real_write(table, path)

    monkeypatch.setattr(writer_mod, "write_table_atomic", crash_on_second_file)
    with pytest.raises(KeyboardInterrupt):
        with RootWriter.open(root) as w:
            w.add_daily(bars)
    monkeypatch.setattr(writer_mod, "write_table_atomic", real_write)

    assert not (root / "meta.json").exists() and (root / "meta.json.importing").exists()
    with pytest.raises(FileNotFoundError):
        DataStore.open(root)
    with pytest.raises(InterruptedImportError, match="interrupted"):
        check_root(root)
    assert info(root)["state"] == "interrupted import"

    with RootWriter.open(root) as w:
        w.add_daily(bars)

    assert not (root / "meta.json.importing").exists()
    pd.testing.assert_frame_equal(_daily(root), _daily(clean))
    assert DataStore.open(root).daily_bar("2012-12-31")["close"].tolist() == \
        DataStore.open(clean).daily_bar("2012-12-31")["close"].tolist()


def test_adding_to_a_root_merges_and_new_rows_win(bars, tmp_path):
    root = tmp_path / "root"
    with RootWriter.open(root) as w:
        w.add_daily(bars[bars.date < np.datetime64("2012-01-01")])
    fixed = bars[bars.date >= np.datetime64("2011-12-01")].copy()
    fixed.loc[(fixed.code == "600000.SS") & (fixed.date == np.datetime64("2011-12-06")), "close"] = 8.74

    with RootWriter.open(root) as w:
        w.add_daily(fixed)

    d = _daily(root)
    row = d[(d.code == "600000.SS") & (d.date == pd.Timestamp("2011-12-06").date())]
    assert row.close.tolist() == [8.74] and not d.duplicated(["code", "date"]).any()
    nxt = d[(d.code == "600000.SS") & (d.date == pd.Timestamp("2011-12-07").date())]
    assert nxt.preclose.tolist() == [8.74]  # derived columns follow the merged series
    assert d.date.max() == pd.Timestamp("2012-12-31").date()
    assert len(DataStore.open(root).calendar) == bars.date.nunique()


def test_new_calendar_days_give_existing_series_a_suspension_row(tmp_path):
    a = pd.DataFrame({"code": "600000.SS", "date": ["2019-01-02", "2019-01-04"], "open": 10.0, "high": 10.0,
                      "low": 10.0, "close": [10.0, 10.1], "volume": 100, "money": 1000.0})
    b = a.assign(code="600004.SS", date=["2019-01-02", "2019-01-03"])
    with RootWriter.open(tmp_path) as w:
        w.add_daily(a)
    with RootWriter.open(tmp_path) as w:
        w.add_daily(b)

    d = _daily(tmp_path)
    s = d[d.code == "600000.SS"]
    assert s.date.astype(str).tolist() == ["2019-01-02", "2019-01-03", "2019-01-04"]
    assert s.is_open.tolist() == [1, 0, 1] and s.close.tolist() == [10.0, 10.0, 10.1]


def test_instruments_are_filled_from_the_code(tmp_path):
    with RootWriter.open(tmp_path) as w:
        w.add_instruments(pd.DataFrame({"code": ["688001.XSHG", "510050.SS"], "name": ["华兴源创", "50ETF"]}))
        w.add_calendar(["2019-07-22"])
    inst = pd.read_parquet(tmp_path / "instruments.parquet").set_index("code")
    assert inst.loc["688001.SS", ["type", "board", "lot", "min_buy", "tick"]].tolist() == ["star", "STAR", 1, 200, 0.01]
    assert inst.loc["510050.SS", "fee_class"] == "ETF" and inst.loc["510050.SS", "name"] == "50ETF"
    assert not inst.has_daily.any()


def test_bad_input_never_touches_the_root(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ValueError, match="not a ptrade_fast data root"):
        RootWriter.open(tmp_path)
    root = tmp_path / "r"
    with pytest.raises(ValueError, match="cannot classify"):
        with RootWriter.open(root) as w:
            w.add_daily(pd.DataFrame({"code": ["880001.SS"], "date": ["2019-01-02"], "open": 1.0, "high": 1.0,
                                      "low": 1.0, "close": 1.0, "volume": 1, "money": 1.0}))
    with pytest.raises(ValueError, match="bar-end times"):
        RootWriter.open(tmp_path / "m").add_minutes(pd.DataFrame({
            "code": ["600000.SS"], "datetime": ["2019-01-02 09:30"], "open": 1.0, "high": 1.0, "low": 1.0,
            "close": 1.0, "volume": 1, "money": 1.0}))
