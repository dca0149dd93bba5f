import datetime as dt
from collections import OrderedDict

import numpy as np
import pandas as pd
import pytest

from ptrade_fast.api.market import CalendarAPI, MarketAPI
from ptrade_fast.data.store import DataStore
from ptrade_fast.model.phases import PhaseError
from ptrade_fast.engine.runtime import Runtime


@pytest.fixture(scope="module")
def store():
    return DataStore.open()


def make_rt(store, frequency="1d", day=dt.date(2024, 11, 5), bar_index=0, phase="handle", **options):
    rt = Runtime(store, frequency, options)
    rt.phase, rt.trade_date, rt.bar_index = phase, day, bar_index
    rt.universe = ["600000.SS", "600570.SS"]
    return rt


def test_daily_include_false_ends_yesterday(store):
    df = MarketAPI(make_rt(store)).get_history(3, "1d", "close", "600000.SS")
    assert list(df.index.strftime("%Y-%m-%d")) == ["2024-10-31", "2024-11-01", "2024-11-04"]
    assert df["close"].iloc[-1] == 9.99


def test_daily_include_true_ends_today(store):
    df = MarketAPI(make_rt(store)).get_history(2, "1d", ["open", "close"], "600000.XSHG", include=True)
    assert df.index[-1] == pd.Timestamp("2024-11-05")


def test_before_trading_start_never_sees_today(store):
    rt = make_rt(store, bar_index=None, phase="before")
    df = MarketAPI(rt).get_history(1, "1d", "close", "600000.SS", include=True)
    assert df.index[-1] == pd.Timestamp("2024-11-04")


def test_long_format_for_lists(store):
    df = MarketAPI(make_rt(store)).get_history(2, "1d", ["close", "is_open", "unlimited", "high_limit"])
    assert list(df.columns) == ["code", "close", "is_open", "unlimited", "high_limit"]
    assert list(df.code) == ["600000.SS"] * 2 + ["600570.SS"] * 2
    assert df.is_open.dtype == np.int64


def test_panel_format(store):
    m = MarketAPI(make_rt(store, history_format="panel"))
    one = m.get_history(2, "1d", "close")
    assert list(one.columns) == ["600000.SS", "600570.SS"]
    p = m.get_history(2, "1d", ["open", "close"])
    assert list(p.items) == ["open", "close"] and list(p.minor_axis) == ["600000.SS", "600570.SS"]
    assert list(p.swapaxes("minor_axis", "items")["600000.SS"].columns) == ["open", "close"]


def test_is_dict_records(store):
    d = MarketAPI(make_rt(store)).get_history(2, "1d", ["close"], ["600000.SS"], is_dict=True)
    assert isinstance(d, OrderedDict)
    rec = d["600000.SS"]
    assert rec["datetime"][-1] == 202411040000 and rec["close"][-1] == 9.99


def test_minute_include_semantics(store):
    rt = make_rt(store, "1m", dt.date(2019, 1, 10), bar_index=4)  # the 09:35 bar just ended
    m = MarketAPI(rt)
    excl = m.get_history(2, "1m", "close", "600000.SS")
    incl = m.get_history(2, "1m", "close", "600000.SS", include=True)
    assert excl.index[-1] == pd.Timestamp("2019-01-10 09:34") and incl.index[-1] == pd.Timestamp("2019-01-10 09:35")


def test_daily_in_minute_run_appends_partial_bar(store):
    rt = make_rt(store, "1m", dt.date(2019, 1, 10), bar_index=4)
    m = MarketAPI(rt)
    df = m.get_history(2, "1d", ["open", "close", "volume"], "600570.SS", include=True)
    md = store.minute_day("2019-01-10")
    s = store.sid("600570.SS")
    assert df.index[-1] == pd.Timestamp("2019-01-10")
    assert df["open"].iloc[-1] == md.open[0, s] and df["close"].iloc[-1] == md.close[4, s]
    assert df["volume"].iloc[-1] == md.volume[:5, s].sum()


def test_get_price_never_returns_today(store):
    m = MarketAPI(make_rt(store))
    df = m.get_price("600000.SS", "20241101", "20241130", fields=["close"])
    assert df.index[-1] == pd.Timestamp("2024-11-04")
    assert len(m.get_price("600000.SS", count=3)) == 3


def test_weekly_bars_aggregate_days(store):
    m = MarketAPI(make_rt(store))
    w = m.get_history(1, "1w", ["open", "close", "volume"], "600000.SS")
    d = m.get_price("600000.SS", "2024-10-28", "2024-11-01", fields=["open", "close", "volume"])
    assert w["open"].iloc[0] == d["open"].iloc[0] and w["close"].iloc[0] == d["close"].iloc[-1]
    assert w["volume"].iloc[0] == d["volume"].sum()


def test_fq_post_and_pre_around_ex_date(store):
    m = MarketAPI(make_rt(store, day=dt.date(2011, 6, 7)))
    raw = m.get_price("600000.SS", "2011-06-02", "2011-06-03", fields="close")
    pre = m.get_price("600000.SS", "2011-06-02", "2011-06-03", fields="close", fq="dypre")
    assert raw["close"].tolist() == [13.21, 10.09]
    assert pre["close"].iloc[0] == pytest.approx((13.21 - 0.16) / 1.3) and pre["close"].iloc[1] == 10.09


@pytest.mark.parametrize("kwargs, word", [
    (dict(count=0), "count"), (dict(count=2, frequency="2d"), "frequency"),
    (dict(count=2, field="vwap"), "field"), (dict(count=2, security_list="600000"), "security_list"),
    (dict(count=2, frequency="1m", field="preclose"), "preclose"), (dict(count=2, fq="both"), "fq"),
])
def test_bad_arguments_name_the_parameter(store, kwargs, word):
    with pytest.raises((ValueError, TypeError), match=word):
        MarketAPI(make_rt(store)).get_history(**kwargs)


def test_read_only_in_initialize_warns_and_strict_phases_refuses(store):
    # One phase rule (docs/engine.md): a read-only call outside the whitelist is served with a warning.
    rt = make_rt(store, phase="init")
    warned = []
    rt.warn_once = lambda key, msg: warned.append(msg)
    assert MarketAPI(rt).get_history(1, field="close", security_list="600000.SS").shape == (1, 1)
    assert "get_history is not on Ptrade's whitelist for initialize" in warned[0]
    with pytest.raises(PhaseError, match="get_history cannot be called in initialize"):
        MarketAPI(make_rt(store, phase="init", strict_phases=True)).get_history(1)


def test_calendar_functions(store):
    c = CalendarAPI(make_rt(store, day=dt.date(2024, 11, 5)))
    assert c.get_trading_day() == dt.date(2024, 11, 5) and c.get_trading_day(-1) == dt.date(2024, 11, 4)
    assert list(c.get_trade_days(count=2)) == [dt.date(2024, 11, 4), dt.date(2024, 11, 5)]
    assert c.get_trading_day_by_date("20241109", 0) == dt.date(2024, 11, 8)
    assert c.get_trading_day_by_date("20241109", 1) == dt.date(2024, 11, 11)
    assert c.get_trading_day_by_date("2024-11-09", -1) == dt.date(2024, 11, 8)
    assert c.get_all_trades_days()[-1] == dt.date(2024, 11, 5)
    assert c.get_trading_day(10000) is None
    with pytest.raises(ValueError, match="start_date or count"):
        c.get_trade_days(start_date="20240101", count=3)
