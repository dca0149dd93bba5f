"""Issue 10 item 7: the function-by-function audit's smaller deviations, each fixed or decided (docs/engine.md)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import ptrade_fast
import ptrade_fast.errors
from ptrade_fast.api.fundamentals import FundamentalsAPI
from ptrade_fast.api.market import MarketAPI
from ptrade_fast.api.reference import ReferenceAPI
from ptrade_fast.data.fundamentals import VALUATION_FIELDS
from ptrade_fast.data.store import DataStore
from ptrade_fast.engine.runtime import Runtime
from ptrade_fast.errors import DataError
from ptrade_fast.model.phases import ACTING_FUNCTIONS, PhaseError


class ListLog:
    def __init__(self):
        self.warnings = []

    def warning(self, msg):
        self.warnings.append(msg)

    info = debug = warning


@pytest.fixture(scope="module")
def store():
    return DataStore.open(None)


def rt_for(store, day=dt.date(2024, 6, 3), phase="handle", frequency="1d", **options):
    rt = Runtime(store, frequency, options, log=ListLog())
    rt.phase, rt.trade_date, rt.bar_index = phase, day, 0
    return rt


def run(src, **kw):
    kw.setdefault("start", "2024-06-03")
    kw.setdefault("end", "2024-06-04")
    bt = ptrade_fast.Backtest(src, options={"log_level": "INFO", **kw.pop("options", {})}, **kw)
    return bt, bt.run()


# -- get_business_type ---------------------------------------------------------------------------------

@pytest.mark.parametrize("options, expected", [({}, "stock"), ({"margin_account": True}, "rzrq"),
                                               ({"business_type": "future"}, "future")])
def test_business_type_follows_the_account(options, expected):
    bt, _ = run("def initialize(context):\n    g.kind = get_business_type()\n"
                "def handle_data(context, data):\n    pass\n", options=options)
    assert bt.ns["g"].kind == expected


def test_an_unknown_business_type_is_an_error():
    with pytest.raises(ValueError, match="business_type must be one of 'stock', 'rzrq', 'future', was 'hks'"):
        run("def initialize(context):\n    pass\ndef handle_data(context, data):\n    pass\n",
            options={"business_type": "hks"})


# -- industries and blocks -----------------------------------------------------------------------------

def test_industry_code_of_the_spec_form_selects_its_blocks(store):
    api = ReferenceAPI(rt_for(store))
    farm = api.get_industry_stocks("A01000.XBHS")
    assert farm == api.get_industry_stocks("农业") and "600108.SS" in farm
    assert api.get_industry_stocks("a01000.xbhs") == farm
    assert api.get_industry_stocks("Z99000.XBHS") == []


def test_stock_blocks_never_invent_xbhs_codes(store):
    blocks = ReferenceAPI(rt_for(store)).get_stock_blocks("600570.SS")
    assert blocks["HY"] == [["I65000.XBHS", "软件服务"]]
    for kind, items in blocks.items():
        for code, name in items:
            assert code == name or code.endswith(".XBHS") and code[:-5] != name, (kind, code, name)
            assert code != f"{name}.XBHS"


# -- fq adjusts prices only ----------------------------------------------------------------------------

@pytest.mark.parametrize("fq", ["pre", "dypre", "post"])
def test_fq_leaves_volume_and_money_as_traded(store, fq):
    m = MarketAPI(rt_for(store, day=dt.date(2025, 8, 1)))
    raw = m.get_history(400, "1d", ["close", "volume", "money"], "600000.SS")
    adj = m.get_history(400, "1d", ["close", "volume", "money"], "600000.SS", fq=fq)
    assert adj["volume"].equals(raw["volume"]) and adj["money"].equals(raw["money"])
    if fq == "post":   # 600000 paid dividends before the window: backward adjustment moves every close
        assert not np.allclose(adj["close"].to_numpy(), raw["close"].to_numpy())


# -- minute history outside the minute data ------------------------------------------------------------

def test_minute_history_outside_the_minute_data_raises_naming_the_span(store):
    m = MarketAPI(rt_for(store, day=dt.date(2024, 6, 3)))
    with pytest.raises(DataError, match=r"get_history\(frequency='1m'\) on 2024-06-03: .* minute bars for "
                                        r"2016-11-08 … 2019-02-01 only"):
        m.get_history(5, "1m", "close", "600570.SS")
    with pytest.raises(DataError, match="5m"):
        m.get_history(5, "5m", "close", "600570.SS")


def test_minute_history_inside_the_minute_data_is_served(store):
    day = store.minute_dates[-1].astype(object)
    m = MarketAPI(rt_for(store, day=day, frequency="1m"))
    df = m.get_history(3, "1m", "close", "600570.SS")
    assert len(df) == 3 and df.index[-1].date() <= day


# -- get_cb_info ---------------------------------------------------------------------------------------

def test_cb_info_computes_the_terms_the_data_carries(store, tmp_path, monkeypatch):
    api = ReferenceAPI(rt_for(store, day=dt.date(2024, 6, 3)))
    inst = store.instruments.copy()
    inst["stock_code"] = None
    inst["convert_price"] = np.nan
    inst.loc["110059.SS", ["stock_code", "convert_price"]] = ["600570.SS", 20.0]
    monkeypatch.setattr(type(store), "instruments", property(lambda self: inst), raising=False)
    info = api.get_cb_info().set_index("bond_code").loc["110059.SS"]
    closes = store.daily_history([store.sid("600570.SS"), store.sid("110059.SS")], ("close",),
                                 np.datetime64("2024-06-03"), 1, include_end=False)[1]["close"][-1]
    assert info["stock_code"] == "600570.SS" and info["stock_name"] == inst.at["600570.SS", "name"]
    assert info["convert_rate"] == 5.0 and info["convert_price"] == 20.0
    assert info["convert_value"] == pytest.approx(5.0 * closes[0])
    assert info["premium_rate"] == pytest.approx((closes[1] / (5.0 * closes[0]) - 1.0) * 100.0)


def test_cb_info_without_terms_leaves_them_empty(store, monkeypatch):
    inst = store.instruments.drop(columns=[c for c in ("stock_code", "underlying", "convert_price", "convert_date",
                                                       "maturity_date") if c in store.instruments.columns])
    monkeypatch.setattr(type(store), "instruments", property(lambda self: inst), raising=False)
    info = ReferenceAPI(rt_for(store, day=dt.date(2024, 6, 3))).get_cb_info()
    row = info.set_index("bond_code").loc["110059.SS"]
    assert row["stock_code"] is None and np.isnan(row["convert_price"]) and np.isnan(row["premium_rate"])


# -- valuation and empty fundamentals ------------------------------------------------------------------

SPEC_VALUATION = ("total_value", "float_value", "naps", "pcf", "ps", "ps_ttm", "pe_ttm", "a_shares", "a_floats",
                  "pe_dynamic", "pe_static", "b_floats", "b_shares", "h_shares", "total_shares", "turnover_rate",
                  "dividend_ratio", "pb", "roe")


def test_valuation_knows_every_field_of_the_platform(store):
    assert set(SPEC_VALUATION) <= set(VALUATION_FIELDS)
    df = FundamentalsAPI(rt_for(store, day=dt.date(2012, 1, 4))).get_fundamentals(
        ["600000.SS"], "valuation", list(SPEC_VALUATION))
    row = df.loc["600000.SS"]
    assert row["a_shares"] == row["total_shares"] > 0
    assert row["pb"] == pytest.approx(row["total_value"] / row["total_shares"] / row["naps"])
    assert np.isnan(row["b_shares"]) and np.isnan(row["h_shares"])
    assert set(df.columns) == set(SPEC_VALUATION) | {"secu_abbr", "trading_day"}


def test_pe_dynamic_annualises_the_latest_report(store):
    f = FundamentalsAPI(rt_for(store, day=dt.date(2012, 1, 4)))
    val = f.get_fundamentals("600000.SS", "valuation", ["total_value", "pe_dynamic", "pe_static"]).iloc[0]
    rep = f.get_fundamentals("600000.SS", "income_statement", ["net_profit"], date="20120104").iloc[0]
    quarter = {3: 1, 6: 2, 9: 3, 12: 4}[int(rep["end_date"][5:7])]
    assert val["pe_dynamic"] == pytest.approx(val["total_value"] / (rep["net_profit"] * 4 / quarter))


@pytest.mark.parametrize("table", ["valuation", "balance_statement"])
def test_fundamentals_on_an_empty_code_list_is_an_empty_frame(store, table):
    df = FundamentalsAPI(rt_for(store)).get_fundamentals([], table, ["total_value"] if table == "valuation"
                                                          else ["total_assets"])
    assert df.empty and df.index.name == "secu_code"
    assert list(df.columns)[0] in ("total_value", "total_assets")


# -- one phase rule ------------------------------------------------------------------------------------

def test_read_only_calls_in_initialize_warn_and_are_served():
    bt, res = run("def initialize(context):\n"
                  "    g.pos = get_positions()\n    g.members = get_index_stocks('000300.XBHS')\n"
                  "    g.hist = get_history(2, '1d', 'close', '600570.SS')\n"
                  "def handle_data(context, data):\n    pass\n")
    g = bt.ns["g"]
    assert g.pos == {} and len(g.members) == 300 and len(g.hist) == 2
    msgs = " ".join(res.logs["message"])
    for name in ("get_positions", "get_index_stocks", "get_history"):
        assert f"{name} is not on Ptrade's whitelist for initialize" in msgs


def test_orders_outside_their_phases_raise_and_strict_phases_refuses_reads():
    with pytest.raises(ptrade_fast.errors.StrategyRuntimeError, match="PhaseError: order cannot be called in initialize"):
        run("def initialize(context):\n    order('600570.SS', 100)\ndef handle_data(context, data):\n    pass\n")
    with pytest.raises(ptrade_fast.errors.StrategyRuntimeError,
                       match="PhaseError: get_positions cannot be called in initialize"):
        run("def initialize(context):\n    get_positions()\ndef handle_data(context, data):\n    pass\n",
            options={"strict_phases": True})


def test_acting_functions_are_orders_cancels_and_settings():
    assert {"order", "order_value", "cancel_order", "buy_open", "set_benchmark", "run_daily"} <= ACTING_FUNCTIONS
    assert not {"get_positions", "get_history", "get_index_stocks", "get_snapshot"} & ACTING_FUNCTIONS
