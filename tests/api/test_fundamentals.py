"""get_fundamentals (§D.6) on the sample bundle: TDX 2011-Q3 reports, first published 2011-10-31."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ptrade_fast.api.fundamentals import FundamentalsAPI
from ptrade_fast.api.market import Panel
from ptrade_fast.data.store import DataStore
from ptrade_fast.model.phases import PhaseError
from ptrade_fast.engine.runtime import Runtime


@pytest.fixture(scope="module")
def store():
    return DataStore.open()


def api(store, day, phase="handle", **options):
    rt = Runtime(store, "1d", options)
    rt.phase, rt.trade_date, rt.bar_index = phase, day, 0
    return FundamentalsAPI(rt)


# -- point in time --

def test_a_query_before_publication_sees_nothing(store):
    df = api(store, dt.date(2011, 10, 20)).get_fundamentals("600000.SS", "balance_statement", "total_assets")
    assert df.index.tolist() == ["600000.SS"]
    assert df.isna().all(axis=None)


def test_the_publication_day_itself_is_not_yet_visible(store):
    df = api(store, dt.date(2011, 10, 31)).get_fundamentals("600000.SS", "eps", "basic_eps")
    assert np.isnan(df.at["600000.SS", "basic_eps"])


def test_the_day_after_publication_sees_the_q3_report(store):
    df = api(store, dt.date(2011, 11, 1)).get_fundamentals(["600000.SS", "000001.SZ"], "eps",
                                                           ["basic_eps", "naps"])
    assert df.at["600000.SS", "basic_eps"] == 1.067 and df.at["600000.SS", "naps"] == 7.482
    assert df.at["000001.SZ", "basic_eps"] == 2.01
    assert df.at["600000.SS", "end_date"] == "2011-09-30" and df.at["600000.SS", "publ_date"] == "2011-10-31"
    assert df.at["600000.SS", "secu_abbr"] == "浦发银行"


def test_an_explicit_date_after_the_simulated_date_is_capped(store):
    df = api(store, dt.date(2011, 10, 20)).get_fundamentals("600000.SS", "eps", "basic_eps", date="20111201")
    assert np.isnan(df.at["600000.SS", "basic_eps"])


def test_an_explicit_earlier_date_hides_later_reports(store):
    df = api(store, dt.date(2012, 3, 1)).get_fundamentals("600000.SS", "eps", "basic_eps",
                                                          date=dt.date(2011, 10, 31))
    assert np.isnan(df.at["600000.SS", "basic_eps"])


def test_report_types_filter(store):
    a = api(store, dt.date(2012, 1, 4))
    assert a.get_fundamentals("600000.SS", "eps", "basic_eps", report_types="3").at["600000.SS", "basic_eps"] == 1.067
    assert np.isnan(a.get_fundamentals("600000.SS", "eps", "basic_eps", report_types=["4"]).at["600000.SS", "basic_eps"])


# -- fields and shapes --

def test_date_mode_shape_is_fields_then_abbr_end_and_publ_date(store):
    df = api(store, dt.date(2012, 1, 4)).get_fundamentals(["600000.SS", "600570.SS", "000002.SZ"],
                                                          "balance_statement", ["total_assets", "total_liability"])
    assert df.index.name == "secu_code"
    assert df.index.tolist() == ["600000.SS", "600570.SS", "000002.SZ"]
    assert df.columns.tolist() == ["total_assets", "total_liability", "secu_abbr", "end_date", "publ_date"]
    assert df.at["600000.SS", "total_assets"] == pytest.approx(2.521417e12)


def test_default_fields_are_the_whole_table(store):
    df = api(store, dt.date(2012, 1, 4)).get_fundamentals("600000.SS", "income_statement")
    assert {"operating_revenue", "net_profit", "np_parent_company_owners", "net_profit_ttm"} <= set(df.columns)
    assert df.at["600000.SS", "operating_revenue_ttm"] > 1e10  # stored in CNY, not 10,000 CNY


@pytest.mark.parametrize("table", ["balance_statement", "income_statement", "cashflow_statement", "growth_ability",
                                   "profit_ability", "eps", "operating_ability", "debt_paying_ability"])
def test_every_report_table_answers(store, table):
    df = api(store, dt.date(2012, 1, 4)).get_fundamentals("600000.SS", table)
    assert len(df) == 1 and df.at["600000.SS", "end_date"] == "2011-09-30"


def test_year_mode_is_a_long_frame_by_default(store):
    df = api(store, dt.date(2012, 1, 4)).get_fundamentals(["600000.SS", "000001.SZ"], "eps", "basic_eps",
                                                          start_year="2011", end_year="2011")
    assert df.index.tolist() == ["600000.SS", "000001.SZ"]
    assert df.columns.tolist() == ["basic_eps", "secu_abbr", "end_date", "publ_date"]


def test_year_mode_panel(store):
    a = api(store, dt.date(2012, 1, 4), history_format="panel")
    p = a.get_fundamentals(["600000.SS", "000001.SZ"], "eps", "basic_eps", start_year=2010, end_year=2011)
    assert isinstance(p, Panel) and list(p.items) == ["600000.SS", "000001.SZ"]
    assert p["600000.SS"].index.tolist() == ["2011-09-30"]
    assert isinstance(a.get_fundamentals("600000.SS", "eps", start_year=2011, end_year=2011, is_dataframe=True),
                      pd.DataFrame)


def test_year_mode_is_point_in_time_too(store):
    df = api(store, dt.date(2011, 10, 20)).get_fundamentals("600000.SS", "eps", "basic_eps",
                                                            start_year="2011", end_year="2011")
    assert len(df) == 0


def test_date_mode_wins_over_year_mode(store):
    df = api(store, dt.date(2012, 1, 4)).get_fundamentals("600000.SS", "eps", "basic_eps", date="20111101",
                                                          start_year="2011", end_year="2011")
    assert df.index.tolist() == ["600000.SS"] and df.at["600000.SS", "basic_eps"] == 1.067


def test_merge_type_1_gives_the_latest_revision(store):
    # 000415.SZ appears twice in the TDX file with different weighted ROE: revision 0 and 1.
    a = api(store, dt.date(2012, 1, 4))
    first = a.get_fundamentals("000415.SZ", "profit_ability", "roe_weighted")
    latest = a.get_fundamentals("000415.SZ", "profit_ability", "roe_weighted", merge_type=1)
    assert first.at["000415.SZ", "roe_weighted"] == 3.78
    assert latest.at["000415.SZ", "roe_weighted"] == 0.0


def test_deprecated_date_type_is_accepted(store):
    df = api(store, dt.date(2012, 1, 4)).get_fundamentals("600000.SS", "eps", "basic_eps", date_type=0)
    assert df.at["600000.SS", "basic_eps"] == 1.067


def test_a_code_without_reports_gets_a_nan_row(store):
    df = api(store, dt.date(2012, 1, 4)).get_fundamentals(["000300.SS"], "eps", "basic_eps")
    assert df.index.tolist() == ["000300.SS"] and df.isna().all(axis=None)


# -- valuation --

def test_valuation_during_the_session_is_yesterdays(store):
    df = api(store, dt.date(2011, 11, 2)).get_fundamentals("600000.SS", "valuation",
                                                           ["total_value", "pb", "turnover_rate"])
    assert df.at["600000.SS", "trading_day"] == "2011-11-01"
    close = 9.18  # 600000.SS close on 2011-11-01
    assert df.at["600000.SS", "total_value"] == pytest.approx(close * 18_653_470_000)
    assert df.at["600000.SS", "pb"] == pytest.approx(close / 7.482)


def test_valuation_after_the_close_is_todays(store):
    df = api(store, dt.date(2011, 11, 2), phase="after").get_fundamentals("600000.SS", "valuation", "total_value")
    assert df.at["600000.SS", "trading_day"] == "2011-11-02"


def test_valuation_uses_reports_published_strictly_before_the_day(store):
    a = api(store, dt.date(2011, 11, 2), phase="after")
    v = a.get_fundamentals("600000.SS", "valuation", ["pe_ttm", "pb", "total_shares"], start_year=2011, end_year=2011)
    on_publ = v[v.trading_day == "2011-10-31"].iloc[0]
    after = v[v.trading_day == "2011-11-01"].iloc[0]
    assert np.isnan(on_publ["pb"]) and np.isnan(on_publ["pe_ttm"]) and on_publ["total_shares"] > 0
    assert after["pb"] > 0 and after["pe_ttm"] > 0
    assert v.trading_day.iloc[-1] == "2011-11-02"


def test_valuation_shares_follow_ex_rights(store):
    # 600000.SS: 10送3 on 2011-06-03 took total shares from 14,348,820,000 to 18,653,470,000.
    v = api(store, dt.date(2011, 6, 7), phase="after").get_fundamentals(
        "600000.SS", "valuation", "total_shares", start_year=2011, end_year=2011)
    by_day = dict(zip(v.trading_day, v.total_shares))
    assert by_day["2011-06-02"] == 14_348_820_000 and by_day["2011-06-03"] == 18_653_470_000


# -- errors and phases --

@pytest.mark.parametrize("kwargs, match", [
    (dict(table="share_change"), "table must be one of"),
    (dict(table="eps", fields="no_such_field"), "not a field of eps"),
    (dict(table="eps", report_types="5"), "report_types"),
    (dict(table="eps", merge_type=2), "merge_type"),
    (dict(table="eps", start_year="2011"), "both start_year and end_year"),
    (dict(table="eps", date="not a date"), "date must be"),
])
def test_bad_arguments_raise_naming_the_parameter(store, kwargs, match):
    with pytest.raises(ValueError, match=match):
        api(store, dt.date(2012, 1, 4)).get_fundamentals("600000.SS", **kwargs)


def test_a_malformed_code_raises(store):
    with pytest.raises(ValueError, match="security"):
        api(store, dt.date(2012, 1, 4)).get_fundamentals("nonsense", "eps")


def test_not_allowed_in_initialize(store):
    with pytest.raises(PhaseError, match="get_fundamentals cannot be called in initialize"):
        api(store, dt.date(2012, 1, 4), phase="init", strict_phases=True).get_fundamentals("600000.SS", "eps")
