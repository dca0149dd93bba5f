import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ptrade_fast.api.reference import ReferenceAPI
from ptrade_fast.data.store import DataStore
from ptrade_fast.model.phases import PhaseError
from ptrade_fast.engine.runtime import Runtime


class ListLog:
    def __init__(self):
        self.warnings = []

    def warning(self, message):
        self.warnings.append(message)


@pytest.fixture(scope="module")
def store():
    return DataStore.open()


def make_api(store, day=dt.date(2010, 12, 29), frequency="1d", bar_index=0, phase="handle", **options):
    rt = Runtime(store, frequency, options, log=ListLog())
    rt.phase, rt.trade_date, rt.bar_index = phase, day, bar_index
    return ReferenceAPI(rt)


# -- markets ---------------------------------------------------------------------------------------------

def test_market_list_has_the_documented_columns_and_codes(store):
    df = make_api(store, phase="before").get_market_list()
    assert list(df.columns) == ["finance_mic", "finance_name"]
    assert {"XSHG", "XSHE", "CCFX", "XSGE", "XZCE", "XSHO"} <= set(df.finance_mic)


def test_market_detail_lists_shanghai_products_with_index_type_mri(store):
    api = make_api(store, phase="after")
    df = api.get_market_detail("XSHG")
    assert list(df.columns) == ["prod_code", "prod_name", "hq_type_code", "trade_time_rule"]
    row = df[df.prod_code == "600570"].iloc[0]
    assert row.prod_name == "恒生电子" and row.hq_type_code == "ESA"
    assert df[df.prod_code == "000001"].hq_type_code.iloc[0] == "MRI"
    assert df.trade_time_rule.dtype == np.int64
    assert len(api.get_market_detail("SS")) == len(df)
    assert "000001" in set(api.get_market_detail("XSHE").prod_code)


def test_market_detail_rejects_an_unknown_market(store):
    with pytest.raises(ValueError, match="finance_mic.*'NOPE'"):
        make_api(store, phase="before").get_market_detail("NOPE")


def test_market_functions_warn_in_handle_data_and_strict_phases_refuses(store):
    api = make_api(store)
    assert "XSHG" in list(api.get_market_list()["finance_mic"])
    assert "get_market_list is not on Ptrade's whitelist for handle_data" in api.rt.log.warnings[0]
    with pytest.raises(PhaseError, match="get_market_list cannot be called in handle_data"):
        make_api(store, strict_phases=True).get_market_list()


# -- names and listing -----------------------------------------------------------------------------------

def test_stock_name_is_a_dict_with_short_keys_and_none_for_unknown(store):
    api = make_api(store)
    assert api.get_stock_name("600570.XSHG") == {"600570.SS": "恒生电子"}
    assert api.get_stock_name(["000001.XSHE", "999999.SS"]) == {"000001.SZ": "深发展A", "999999.SS": None}


@pytest.mark.parametrize("bad, exc", [(600570, TypeError), ("600570", ValueError), (["600570.SS", "x"], ValueError)])
def test_stock_name_rejects_bad_stocks_naming_the_parameter(store, bad, exc):
    with pytest.raises(exc, match="stocks"):
        make_api(store).get_stock_name(bad)


def test_stock_info_defaults_to_name_and_formats_dates(store):
    api = make_api(store)
    assert api.get_stock_info("600000.SS") == {"600000.SS": {"stock_name": "浦发银行"}}
    info = api.get_stock_info(["600000.XSHG", "000003.SZ"], ["listed_date", "de_listed_date"])
    assert info["600000.SS"] == {"listed_date": "1999-11-10", "de_listed_date": "2900-01-01"}
    assert info["000003.SZ"]["de_listed_date"] == "2002-04-26"
    assert api.get_stock_info("999999.SS", "stock_name") == {"999999.SS": None}


def test_stock_info_rejects_an_unknown_field(store):
    with pytest.raises(ValueError, match="field.*'price'"):
        make_api(store).get_stock_info("600000.SS", "price")


# -- status ----------------------------------------------------------------------------------------------

def test_halt_is_point_in_time_from_daily_is_open(store):
    api = make_api(store, day=dt.date(2010, 12, 29))
    # 000004.SZ was suspended through early 2010 and traded on 2010-12-29.
    assert api.get_stock_status("000004.SZ", "HALT", "20100104") == {"000004.SZ": True}
    assert api.get_stock_status("000004.SZ", "HALT") == {"000004.SZ": False}
    assert api.get_stock_status("000004.SZ", "HALT", dt.date(2010, 1, 4)) == {"000004.SZ": True}


def test_halt_is_unknown_without_data_that_day(store):
    api = make_api(store)
    out = api.get_stock_status(["600705.SS", "999999.SS"], "HALT")
    assert out == {"600705.SS": None, "999999.SS": None}
    assert api.get_stock_status("600570.SS", "HALT", "20101225") == {"600570.SS": None}  # a Saturday


def test_st_comes_from_the_name(store):
    out = make_api(store).get_stock_status(["600705.SS", "600570.SS", "999999.SS"])
    assert out == {"600705.SS": True, "600570.SS": False, "999999.SS": None}


def test_delisting_is_by_the_query_date(store):
    api = make_api(store)
    assert api.get_stock_status("000003.SZ", "DELISTING", "20020425") == {"000003.SZ": False}
    assert api.get_stock_status("000003.SZ", "DELISTING", "20020426") == {"000003.SZ": True}
    assert api.get_stock_status("600570.SS", "DELISTING_SORTING") == {"600570.SS": False}


def test_stock_status_returns_none_for_documented_bad_input(store):
    api = make_api(store)
    assert api.get_stock_status(None) is None
    assert api.get_stock_status("600570.SS", "SUSPENDED") is None
    assert any("SUSPENDED" in w for w in api.rt.log.warnings)
    with pytest.raises(ValueError, match="query_date.*'yesterday'"):
        api.get_stock_status("600570.SS", "HALT", "yesterday")


def test_filter_stock_by_status_drops_st_halted_and_delisted(store):
    api = make_api(store, phase="before")
    kept = api.filter_stock_by_status(["600570.XSHG", "600705.SS", "000004.SZ", "000003.SZ"],
                                      query_date="20100104")
    assert kept == ["600570.SS"]
    assert api.filter_stock_by_status(["000004.SZ", "600705.SS"], "HALT", "20101229") == ["000004.SZ", "600705.SS"]


def test_filter_stock_by_status_warns_outside_before_trading_start(store):
    api = make_api(store)
    assert api.filter_stock_by_status("600570.SS") == ["600570.SS"]
    assert any("filter_stock_by_status" in w for w in api.rt.log.warnings)
    with pytest.raises(PhaseError):
        make_api(store, strict_phases=True).filter_stock_by_status("600570.SS")


def test_filter_stock_by_status_rejects_an_unknown_filter_type(store):
    with pytest.raises(ValueError, match="filter_type.*'PT'"):
        make_api(store, phase="before").filter_stock_by_status(["600570.SS"], ["ST", "PT"])


# -- ex-rights -------------------------------------------------------------------------------------------

def test_exrights_stops_at_the_simulated_date(store):
    df = make_api(store, day=dt.date(2010, 12, 29)).get_stock_exrights("600570.XSHG")
    assert list(df.columns) == ["allotted_ps", "rationed_ps", "rationed_px", "bonus_ps", "exer_forward_a",
                                "exer_forward_b", "exer_backward_a", "exer_backward_b"]
    assert df.index.dtype == np.int64 and df.index[-1] == 20100510
    assert (df.dtypes == np.float64).all()
    full = make_api(store, day=dt.date(2010, 12, 29), exrights_full_history=True).get_stock_exrights("600570.SS")
    assert full.index[-1] == 20110517 and len(full) == len(df) + 1


def test_exrights_factors_follow_the_documented_recurrence(store):
    df = make_api(store).get_stock_exrights("600570.SS")
    row = df.loc[20060601]
    # Backward: b adds the cash dividend times the share factor in force before the event (§H.8 sample).
    assert row.exer_backward_a == pytest.approx(2.1) and row.exer_backward_b == pytest.approx(0.63 + 0.11 * 1.5 + 0.0)
    last = df.iloc[-1]
    prev = df.iloc[-2]
    assert last.exer_forward_a == pytest.approx(prev.exer_backward_a / last.exer_backward_a)
    assert last.exer_forward_b == pytest.approx((prev.exer_backward_b - last.exer_backward_b) / last.exer_backward_a)


def test_exrights_forward_factors_match_dypre_prices(store):
    api = make_api(store)
    df = api.get_stock_exrights("600570.SS")
    events = df.index.to_numpy()
    from ptrade_fast.data import adjust
    ev = adjust.price_events(store.exrights("600570.SS"))
    day = np.array(["2006-05-31"], "datetime64[D]")
    dypre = adjust.adjust(np.array([10.0]), day, ev, "dypre", anchor=np.datetime64("2010-12-29"))[0]
    row = df.loc[events[events > 20060531][0]]
    assert row.exer_forward_a * 10.0 + row.exer_forward_b == pytest.approx(dypre)


def test_exrights_on_a_date(store):
    api = make_api(store)
    assert list(api.get_stock_exrights("600570.SS", "20100510").index) == [20100510]
    assert list(api.get_stock_exrights("600570.SS", dt.date(2010, 5, 10)).index) == [20100510]
    assert api.get_stock_exrights("600570.SS", 20100511) is None
    # A named date after the simulated date is served.
    assert api.get_stock_exrights("600570.SS", 20110517).bonus_ps.iloc[0] == 0.05


def test_exrights_none_without_events(store):
    api = make_api(store)
    assert api.get_stock_exrights("999999.SS") is None
    assert make_api(store, day=dt.date(2003, 1, 2)).get_stock_exrights("600570.SS") is None


@pytest.mark.parametrize("bad, exc", [(["600570.SS"], TypeError), ("600570", ValueError)])
def test_exrights_rejects_bad_stock_code(store, bad, exc):
    with pytest.raises(exc, match="stock_code"):
        make_api(store).get_stock_exrights(bad)


# -- blocks, indices, industries -------------------------------------------------------------------------

def test_stock_blocks_by_type_with_codes_industry_stocks_accepts(store):
    api = make_api(store)
    blocks = api.get_stock_blocks("600570.XSHG")
    assert set(blocks) == {"HY", "DY", "GN"}
    # Industries carry their Ptrade code (rules/industry_codes.json); other blocks their name, never a made-up code.
    assert blocks["HY"] == [["I65000.XBHS", "软件服务"]] and blocks["DY"] == [["浙江", "浙江"]]
    assert "600570.SS" in api.get_industry_stocks(blocks["HY"][0][0])


def test_stock_blocks_none_for_unknown_or_delisted(store):
    api = make_api(store)
    assert api.get_stock_blocks("999999.SS") is None
    assert api.get_stock_blocks("000003.SZ") is None
    with pytest.raises(ValueError, match="stock_code"):
        api.get_stock_blocks("abc")


def test_industry_stocks_by_name_and_unknown_code(store):
    api = make_api(store)
    by_name = api.get_industry_stocks("软件服务")
    assert "600570.SS" in by_name and by_name == sorted(by_name)
    assert api.get_industry_stocks("A01000.XBHS") == api.get_industry_stocks("农业") != []
    assert api.get_industry_stocks("Z99000.XBHS") == []
    assert any("Z99000.XBHS" in w for w in api.rt.log.warnings)
    with pytest.raises(TypeError, match="industry_code"):
        api.get_industry_stocks(None)


@pytest.mark.parametrize("code", ["000300.SS", "000300.XSHG", "000300.XBHS"])
def test_index_stocks_accepts_every_suffix(store, code):
    out = make_api(store, day=dt.date(2024, 11, 5)).get_index_stocks(code)
    assert len(out) == 300 and "600519.SS" in out and all(c.endswith((".SS", ".SZ")) for c in out)


def test_index_stocks_are_the_members_on_the_date(store):
    # The bundle's membership is dated (the realistic synthetic market's, from 2019-01-02).
    api = make_api(store, day=dt.date(2024, 11, 5))
    early = api.get_index_stocks("000300.SS", "20190102")
    now = api.get_index_stocks("000300.SS")
    assert len(early) == len(now) == 300
    assert "000009.SZ" in now and "000009.SZ" not in early
    assert "000006.SZ" in early and "000006.SZ" not in now
    assert make_api(store, day=dt.date(2019, 1, 2)).get_index_stocks("000300.SS") == early
    assert api.get_index_stocks("000300.SS", "20100104") == []       # before the membership data
    assert not any("snapshot" in w for w in api.rt.log.warnings)


def test_index_stocks_shenzhen_and_block_fallback(store):
    api = make_api(store, day=dt.date(2024, 11, 5))
    gem = api.get_index_stocks("399006.XSHE")
    assert len(gem) == 100 and gem[:3] == ["300001.SZ", "300002.SZ", "300003.SZ"]
    sse180 = api.get_index_stocks("000010.SS")   # 上证180: from the index blocks of that name
    assert len(sse180) == 180 and sse180[:3] == ["600000.SS", "600008.SS", "600009.SS"]
    assert api.get_index_stocks("000999.SS") == []


def test_index_stocks_rejects_bad_codes_and_warns_in_initialize(store):
    with pytest.raises(ValueError, match="index_code"):
        make_api(store).get_index_stocks("000300")
    with pytest.raises(TypeError, match="index_code"):
        make_api(store).get_index_stocks(300)
    api = make_api(store, day=dt.date(2024, 11, 5), phase="init")
    assert len(api.get_index_stocks("000300.SS")) == 300
    assert any("initialize" in w for w in api.rt.log.warnings)


# -- universes -------------------------------------------------------------------------------------------

def test_ashares_are_the_a_shares_listed_on_the_date(store):
    api = make_api(store, day=dt.date(2010, 12, 29))
    now = api.get_Ashares()
    assert "600000.SS" in now and "000001.SZ" in now
    assert "000001.SS" not in now and "900957.SS" not in now  # index, B share
    assert "000003.SZ" not in now and "000003.SZ" in api.get_Ashares("20000104")  # delisted 2002
    assert "600000.SS" not in api.get_Ashares("19991109")  # listed 1999-11-10
    assert now == sorted(now)
    with pytest.raises(ValueError, match="date"):
        api.get_Ashares("soon")


def test_reits_list_is_empty_in_the_sample(store):
    assert make_api(store).get_reits_list() == []
    assert make_api(store).get_reits_list("20240102") == []


def test_etf_and_cb_lists_are_codes_with_data_on_the_date(store):
    api = make_api(store, day=dt.date(2019, 1, 3))
    assert api.get_etf_list() == ["159901.SZ", "159915.SZ", "159919.SZ", "159949.SZ", "510050.SS", "510300.SS",
                                  "510500.SS", "510880.SS", "512100.SS", "512880.SS", "513100.SS", "518880.SS",
                                  "588000.SS"]
    assert api.get_cb_list() == ["110004.SS", "110008.SS", "110017.SS", "110041.SS", "110059.SS", "110083.SS",
                                 "110087.SS", "127877.SZ"]
    old = make_api(store, day=dt.date(2004, 12, 31))
    assert old.get_etf_list() == [] and old.get_cb_list() == []


def test_cb_info_fills_what_the_data_has(store):
    df = make_api(store, day=dt.date(2019, 1, 3)).get_cb_info()
    assert list(df.columns) == ["bond_code", "bond_name", "stock_code", "stock_name", "list_date", "premium_rate",
                                "convert_date", "maturity_date", "convert_rate", "convert_price", "convert_value"]
    row = df.set_index("bond_code", drop=False).loc["110059.SS"]
    assert (row.bond_code, row.bond_name, row.list_date) == ("110059.SS", "浦发转债", "2005-01-04")
    # The bundle carries 浦发转债's published terms (underlying, conversion price and dates).
    assert (row.stock_code, row.stock_name) == ("600000.SS", "浦发银行")
    assert (row.convert_price, row.convert_date, row.maturity_date) == (15.05, "2020-05-04", "2025-10-27")
    assert row.convert_rate == pytest.approx(100 / 15.05)
    assert row.convert_value > 0 and np.isfinite(row.premium_rate)
    assert make_api(store, day=dt.date(2004, 12, 31)).get_cb_info().empty


def test_stand_ins_replace_the_live_only_stubs_in_a_strategy():
    from ptrade_fast.engine.runner import Backtest
    ns = Backtest("def initialize(context):\n    pass\ndef handle_data(context, data):\n    pass\n", start="2019-01-02", end="2019-01-04").ns
    for name in ("get_etf_list", "get_cb_list", "get_cb_info", "get_Ashares", "check_limit"):
        # Bound to the run's ReferenceAPI (its families live in api/reference_*.py), not a live-only stub.
        assert type(ns[name].__self__).__name__ == "ReferenceAPI" and ns[name].__name__ == name


# -- check_limit -----------------------------------------------------------------------------------------

def test_check_limit_daily_compares_the_close(store):
    api = make_api(store, day=dt.date(2010, 12, 29))
    assert api.check_limit(["600570.XSHG", "000001.SS", "999999.SS"]) == {"600570.SS": -1, "000001.SS": 0,
                                                                          "999999.SS": 0}
    assert api.check_limit("000005.SZ", "20100728") == {"000005.SZ": 1}
    assert api.check_limit("600570.SS", "20101228") == {"600570.SS": 0}


def test_check_limit_minute_run_uses_the_bar_that_just_ended(store):
    # 000503.SZ touches its limit-up 28.99 at bar 100 of 2019-01-21, leaves it, and closes on it.
    day = dt.date(2019, 1, 21)
    assert make_api(store, day, "1m", bar_index=99).check_limit("000503.SZ") == {"000503.SZ": 0}
    assert make_api(store, day, "1m", bar_index=100).check_limit("000503.SZ") == {"000503.SZ": 1}
    assert make_api(store, day, "1m", bar_index=101).check_limit("000503.SZ") == {"000503.SZ": 0}
    assert make_api(store, day, "1m", bar_index=240, phase="after").check_limit("000503.SZ") == {"000503.SZ": 1}


def test_check_limit_counts_within_half_a_tick(store):
    day = dt.date(2019, 1, 4)
    # 510050.SS (tick 0.001) is 0.003 above its limit-down at bar 59 and closes on it.
    assert make_api(store, day, "1m", bar_index=59).check_limit("510050.SS") == {"510050.SS": 0}
    assert make_api(store, day, "1d").check_limit("510050.SS") == {"510050.SS": -1}


def test_check_limit_before_the_open_uses_the_previous_close(store):
    api = make_api(store, dt.date(2019, 1, 22), "1m", bar_index=None, phase="before")
    assert api.check_limit("000503.SZ") == {"000503.SZ": 0}
    assert api.check_limit("000503.SZ", "20190121") == {"000503.SZ": 1}


def test_check_limit_bad_inputs(store):
    api = make_api(store)
    assert api.check_limit(600570) == {} and api.check_limit(None) == {}
    assert api.check_limit(["bad"]) == {"bad": 0}
    assert api.check_limit("600570.SS", "20101226") == {"600570.SS": 0}  # a Sunday
    with pytest.raises(ValueError, match="query_date.*after the simulated date"):
        api.check_limit("600570.SS", "20110104")


# -- phases ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, args", [("get_stock_name", ("600570.SS",)), ("get_Ashares", ()),
                                        ("check_limit", ("600570.SS",)), ("get_cb_list", ())])
def test_reference_functions_run_in_order_callbacks(store, name, args):
    got = getattr(make_api(store, phase="on_trade"), name)(*args)
    assert got == getattr(make_api(store, phase="handle"), name)(*args)      # the same answer as in handle_data
    expected = {"get_stock_name": {"600570.SS": "恒生电子"}, "check_limit": {"600570.SS": -1},
                "get_cb_list": ["110059.SS"]}
    if name == "get_Ashares":
        assert len(got) == 2040 and got[:3] == ["000001.SZ", "000002.SZ", "000004.SZ"]
    else:
        assert got == expected[name]


def test_strict_phases_refuses_initialize(store):
    with pytest.raises(PhaseError, match="get_Ashares cannot be called in initialize"):
        make_api(store, phase="init", strict_phases=True).get_Ashares()
