import numpy as np
import pytest

from ptrade_fast.data.store import DataStore


def test_open_prefers_argument_then_env(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError):
        DataStore.open(tmp_path)
    monkeypatch.setenv("PTRADE_FAST_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError):
        DataStore.open()


def test_sids_accept_any_suffix(store):
    assert store.sid("600000.XSHG") == store.sid("600000.SS") >= 0
    assert store.sid("999999.SS") == -1 and store.sid("junk") == -1
    assert list(store.codes) == sorted(store.codes) and store.n_sids == len(store.codes)


def test_instrument_arrays_shapes_and_units(store):
    a = store.instrument_arrays()
    s = store.sid("600000.SS")
    assert a["tick"][s] == 100 and a["lot"][s] == 100 and a["t0"][s] == 0 and a["stamp"][s] == 1
    cb = store.sid("110059.SS")
    assert a["t0"][cb] == 1 and a["lot"][cb] == 10 and a["tick"][cb] == 10
    assert a["fee_class"][store.sid("510050.SS")] == "ETF"
    for k in ("lot", "min_buy", "tick", "t0", "type", "fee_class", "stamp", "exchange", "list_date", "delist_date"):
        assert len(a[k]) == store.n_sids


def test_suspension_is_filled_with_previous_close(store):
    s = store.sid("600000.SS")
    w = store.daily_window("2006-03-20", "2006-05-12")
    assert w.is_open[0, s] == 1 and (w.is_open[1:-1, s] == 0).all()
    assert (w.close[1:-1, s] == w.close[0, s]).all() and (w.volume[1:-1, s] == 0).all()
    assert (w.listed[:, s] == 1).all()


def test_nan_before_first_bar(store):
    s = store.sid("600000.SS")
    w = store.daily_window("1999-11-08", "1999-11-10")
    assert np.isnan(w.close[:2, s]).all() and (w.listed[:2, s] == 0).all()
    assert w.listed[2, s] == 1 and w.close[2, s] > 0


def test_daily_history_include_end(store):
    s = store.sid("600000.SS")
    d1, r1 = store.daily_history([s], ["close"], "2024-11-04", 5, include_end=True)
    d0, r0 = store.daily_history([s], ["close"], "2024-11-04", 5, include_end=False)
    assert str(d1[-1]) == "2024-11-04" and str(d0[-1]) == "2024-11-01" and len(d0) == 5
    assert (r1["close"][:-1] == r0["close"][1:]).all()


def test_minute_day_fills_missing_minutes(store):
    md = store.minute_day("2017-03-03")  # 000001.SS starts at 13:22 that day
    s = store.sid("000001.SS")
    assert md.has_data[s] == 1 and not np.isnan(md.close[:, s]).any()
    assert (md.money[:140, s] == 0).all()
    assert str(md.times[0]) == "2017-03-03T09:31" and str(md.times[-1]) == "2017-03-03T15:00"


def test_minute_history_crosses_days(store):
    s = store.sid("600000.SS")
    times, rows = store.minute_history([s], ["close"], "2019-01-10 09:35", 10)
    assert len(times) == 10 and str(times[0]) == "2019-01-09T14:56" and str(times[-1]) == "2019-01-10T09:35"


def test_benchmark_close(store):
    bc = store.benchmark_close("000300.SS", "2019-01-02", "2019-01-10")
    assert len(bc) == 7 and bc.notna().all()
