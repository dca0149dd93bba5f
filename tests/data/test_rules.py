import numpy as np
import pytest

from ptrade_fast.rules import instruments
from ptrade_fast.rules.limits import ex_reference_price, limit_prices, limit_ratio


def test_limit_oracle_600000_2008_04_24_is_29_72():
    high, low = limit_prices(27.02, 0.10, 0.01)
    assert high == 29.72 and low == 24.32


def test_limits_round_half_up_in_ticks():
    high, low = limit_prices(np.array([3.33, 10.01]), np.array([0.05, 0.20]), 0.01)
    assert list(high) == [3.50, 12.01] and list(low) == [3.16, 8.01]


def test_no_limit_is_nan():
    high, low = limit_prices(np.array([10.0]), np.array([np.nan]), 0.01)
    assert np.isnan(high[0]) and np.isnan(low[0])


def test_ex_reference_prices_match_tdx_for_600000(oracles):
    assert ex_reference_price(35.29, 0.16, 0.3) == 27.02
    assert ex_reference_price(13.21, 0.16, 0.3) == 10.04
    assert ex_reference_price(18.40, 0.20, 0, 0.5) == 12.13
    assert ex_reference_price(30.59, 0.23, 0, 0.4) == 21.69


@pytest.mark.parametrize("typ, day, st, ratio", [
    ("stock", "2008-01-02", False, 0.10), ("stock", "2008-01-02", True, 0.05), ("stock", "2026-07-06", True, 0.10),
    ("stock", "1995-01-03", False, np.nan), ("chinext", "2020-08-21", False, 0.10),
    ("chinext", "2020-08-24", False, 0.20), ("star", "2020-01-02", False, 0.20), ("etf", "2020-01-02", False, 0.10),
    ("cb", "2022-07-29", False, np.nan), ("cb", "2022-08-01", False, 0.20), ("index", "2020-01-02", False, np.nan),
    ("repo", "2020-01-02", False, np.nan),
])
def test_limit_ratio_by_board_st_and_date(typ, day, st, ratio):
    got = limit_ratio([typ], np.array([day], "datetime64[D]"), is_st=[st])[0]
    assert (np.isnan(got) and np.isnan(ratio)) or got == ratio


def test_ipo_no_limit_days():
    days = np.array(["2021-01-04"] * 6, "datetime64[D]")
    got = limit_ratio(["chinext"] * 6, days, days_listed=np.arange(6), list_dates=days)
    assert np.isnan(got[:5]).all() and got[5] == 0.20


def test_instrument_rules_dated_values():
    assert instruments.current("star").min_buy == 200 and instruments.current("star").lot == 1
    assert instruments.current("cb").t_plus == 0 and instruments.current("stock").t_plus == 1
    assert instruments.current("stock").stamp and not instruments.current("etf").stamp
    assert instruments.current("etf").fee_class == "ETF" and instruments.current("cb").fee_class == "STOCK"
    assert instruments.resolve("repo", "SSE", "2022-01-04").lot == 1000
    assert instruments.resolve("repo", "SSE", "2022-05-16").lot == 10
