"""Daily price-limit rules by board, ST flag, regime date and listing day (market-rules §2), each regime
probed the day before it starts, on its first day and inside; expected ratios written from the contract."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ptrade_fast.rules import futures, limits
from rowcheck import probes

NaN = float("nan")


def ratio(typ, day, st=False, days_listed=None, list_date=None):
    kw = {}
    if days_listed is not None:
        kw = {"days_listed": np.array([days_listed]), "list_dates": np.array([list_date], "datetime64[D]")}
    return float(limits.limit_ratio(np.array([typ], object), np.array([str(day)], "datetime64[D]"),
                                    is_st=np.array([st]), **kw)[0])


def same(got, want):
    return (np.isnan(got) and np.isnan(want)) or got == want


# (type, is_st): dated rows [(first day, ratio)]; NaN = no daily limit.
REGIMES = {
    ("stock", False): [("1990-12-19", NaN), ("1996-12-16", 0.10)],
    ("stock", True): [("1990-12-19", NaN), ("1996-12-16", 0.10), ("1998-04-22", 0.05), ("2026-07-06", 0.10)],
    ("chinext", False): [("2009-10-30", 0.10), ("2020-08-24", 0.20)],
    ("chinext", True): [("2009-10-30", 0.05), ("2020-08-24", 0.20)],
    ("star", False): [("2019-07-22", 0.20)],
    ("star", True): [("2019-07-22", 0.20)],
    ("b_share", False): [("1992-02-21", NaN), ("1996-12-16", 0.10)],
    ("b_share", True): [("1992-02-21", NaN), ("1996-12-16", 0.10), ("1998-04-22", 0.05)],
    ("etf", False): [("1996-12-16", 0.10)],
    ("lof", False): [("1996-12-16", 0.10)],
    ("fund", False): [("1996-12-16", 0.10)],
    ("reit", False): [("2021-06-21", 0.10)],
    ("cb", False): [("1996-12-16", NaN), ("2022-08-01", 0.20)],
    ("index", False): [("1990-12-19", NaN)],
    ("bond", False): [("1990-12-19", NaN)],
    ("repo", False): [("1990-12-19", NaN)],
    ("future", False): [("2010-04-16", NaN)],
}
CASES = [(typ, st, label, day, want) for (typ, st), rows in REGIMES.items()
         for label, day, want in probes(rows, last_inside="2027-06-30")]


@pytest.mark.parametrize("typ, st, label, day, want", CASES,
                         ids=[f"{c[0]}-{'st' if c[1] else 'plain'}-{c[2]}" for c in CASES])
def test_limit_ratio_regimes(typ, st, label, day, want):
    assert same(ratio(typ, day, st), want)


# -- new listings (market-rules §2.3) ------------------------------------------------------------------------

@pytest.mark.parametrize("typ, list_day, free_days, after", [
    ("star", "2019-07-22", 5, 0.20),        # STAR from its opening: 5 no-limit days
    ("chinext", "2020-08-21", 1, 0.20),     # last pre-reform ChiNext IPO: day 1 only (then the new ±20 %)
    ("chinext", "2020-08-24", 5, 0.20),     # registration reform
    ("chinext", "2020-10-14", 5, 0.20),
    ("chinext", "2012-05-02", 1, 0.10),
    ("stock", "2023-04-07", 1, 0.10),       # approval-era main board: day 1 unbounded in our data
    ("stock", "2023-04-10", 5, 0.10),       # main-board registration from the first batch
    ("stock", "2024-01-10", 5, 0.10),
    ("stock", "2010-01-05", 1, 0.10),
])
def test_ipo_no_limit_days(typ, list_day, free_days, after):
    start = dt.date.fromisoformat(list_day)
    day = start + dt.timedelta(days=21)      # a day well inside the regime (the ratio depends on list date)
    got = [ratio(typ, day, days_listed=n, list_date=list_day) for n in range(7)]
    assert all(np.isnan(g) for g in got[:free_days])
    assert got[free_days:] == [after] * (7 - free_days)


def test_st_ipo_follows_the_same_no_limit_days():
    got = limits.limit_ratio(np.array(["stock"] * 6, object), np.array(["2024-01-10"] * 6, "datetime64[D]"),
                             is_st=np.ones(6, bool), days_listed=np.arange(6),
                             list_dates=np.array(["2024-01-10"] * 6, "datetime64[D]"))
    assert np.isnan(got[:5]).all() and got[5] == 0.05


def test_cb_first_day_is_unlimited_then_plus_minus_20_percent_and_the_par_band():
    assert np.isnan(ratio("cb", "2023-03-01", days_listed=0, list_date="2023-03-01"))
    assert ratio("cb", "2023-03-02", days_listed=1, list_date="2023-03-01") == 0.20
    assert np.isnan(ratio("cb", "2022-07-29", days_listed=1, list_date="2022-07-28"))
    assert limits.cb_first_day_limits() == (157.3, 56.7)
    assert limits.cb_first_day_limits(120.0) == (188.76, 68.04)


def test_funds_keep_ten_percent_on_any_listing_day():
    assert ratio("etf", "2024-01-10", days_listed=0, list_date="2024-01-10") == 0.10


# -- limit prices (market-rules §2.1) --------------------------------------------------------------------------

@pytest.mark.parametrize("base, r, tick, high, low", [
    (27.02, 0.10, 0.01, 29.72, 24.32),     # oracle 600000.SS 2008-04-24
    (3.33, 0.05, 0.01, 3.50, 3.16),        # ST half-up examples
    (10.01, 0.20, 0.01, 12.01, 8.01),      # ChiNext examples
    (1.005, 0.10, 0.001, 1.106, 0.905),    # fund in mills: 1.1055 -> 1.106, 0.9045 -> 0.905
    (100.0, 0.20, 0.001, 120.0, 80.0),     # CB
    (4.75, 0.30, 0.01, 6.18, 3.33),        # ±30 %: 6.175 -> 6.18, 3.325 -> 3.33
])
def test_limit_prices_round_half_up_to_the_tick(base, r, tick, high, low):
    assert limits.limit_prices(base, r, tick) == (high, low)


def test_futures_limits_round_inward():
    assert futures.limit_prices(3197.2, 0.10, 0.2) == (3516.8, 2877.6)       # IF1706 on 2016-11-08
    assert futures.limit_prices(100.0, 0.005, 0.002) == (100.5, 99.5)
    assert futures.limit_prices(101.003, 0.012, 0.005) == (102.215, 99.795)  # 102.215036 down, 99.790964 up


@pytest.mark.parametrize("args, want", [
    ((35.29, 0.16, 0.3), 27.02),                 # 600000.SS 2008-04-24 (bonus)
    ((18.40, 0.20, 0, 0.5), 12.13),              # conversion
    ((10.00, 0.50, 0.2, 0.3), 6.33),             # cash + bonus + conversion: 9.5 / 1.5 = 6.333
    ((12.00, 0.0, 0.0, 0.0, 0.3, 8.0), 11.08),   # rights issue: (12 + 2.4) / 1.3 = 11.0769 -> 11.08
])
def test_ex_reference_price(args, want):
    assert limits.ex_reference_price(*args) == want


# -- edges found by mutation testing (tests/mutation_survivors.md) -------------------------------------------

def test_round_to_tick_guards_binary_halves():
    # 2.675 / 0.01 = 267.49999999999997 in binary: the guard makes the exchange's half-up give 2.68.
    assert limits.round_to_tick(2.675, 0.01) == pytest.approx(2.68, abs=1e-12)
    assert limits.round_to_tick(1.0005, 0.001) == pytest.approx(1.001, abs=1e-12)


def test_cb_first_day_band_rounds_to_mills_for_any_par():
    # 99.99 × 1.573 = 157.28427 -> 157.284; 99.99 × 0.567 = 56.69433 -> 56.694
    assert limits.cb_first_day_limits(99.99) == (157.284, 56.694)


def test_ex_reference_price_keyword_defaults_are_no_action():
    assert limits.ex_reference_price(10.0) == 10.0
    assert limits.ex_reference_price(10.0, cash=0.5) == 9.5
    assert limits.ex_reference_price(10.0, conversion=1.0) == 5.0
    assert limits.ex_reference_price(12.0, rights_ratio=0.3, rights_price=8.0) == 11.08


def test_star_ipos_after_the_opening_also_have_five_free_days():
    got = [ratio("star", "2020-02-10", days_listed=n, list_date="2020-01-10") for n in range(6)]
    assert all(np.isnan(g) for g in got[:5]) and got[5] == 0.20


def test_limit_prices_return_floats_for_scalars_and_arrays_for_arrays():
    high, low = limits.limit_prices(27.02, 0.10, 0.01)
    assert type(high) is float and type(low) is float
    high, low = limits.limit_prices(np.array([27.02, 3.33, 10.0]), np.array([0.10, 0.05, np.nan]), 0.01)
    assert high[:2].tolist() == [29.72, 3.50] and low[:2].tolist() == [24.32, 3.16]
    assert np.isnan(high[2]) and np.isnan(low[2])


def test_ipo_days_need_both_the_day_count_and_the_listing_date():
    day = np.array(["2024-01-10"], "datetime64[D]")
    assert limits.limit_ratio(np.array(["stock"], object), day, days_listed=np.array([0]))[0] == 0.10
    assert limits.limit_ratio(np.array(["stock"], object), day, list_dates=day)[0] == 0.10


def test_ex_reference_price_rights_price_defaults_to_zero():
    assert limits.ex_reference_price(10.0, rights_ratio=0.5) == 6.67      # 10 / 1.5 = 6.667
