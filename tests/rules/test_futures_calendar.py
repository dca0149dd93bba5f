"""Futures contract calendar and price rules (market-rules §9.1, §9.2, §9.4): last trading days, listed
months, listing dates, codes, settlement price; expected days worked out by hand from a calendar."""
from __future__ import annotations

import numpy as np
import pytest

from ptrade_fast.rules import futures

D = np.datetime64


@pytest.mark.parametrize("product, yymm, day", [
    ("IF", "2403", "2024-03-15"),     # 1 March 2024 is a Friday: third Friday the 15th
    ("IF", "2410", "2024-10-18"),
    ("IM", 2212, "2022-12-16"),
    ("T", "2406", "2024-06-14"),      # second Friday (1 June 2024 is a Saturday)
    ("TS", "2409", "2024-09-13"),
    ("CU", "2405", "2024-05-15"),     # 15th of the month
    ("CU", "2406", "2024-06-17"),     # 15 June 2024 is a Saturday -> Monday
    ("M", "2403", "2024-03-14"),      # 10th weekday of March 2024
    ("SC", "2405", "2024-04-30"),     # last weekday of the previous month
    ("SC", "2406", "2024-05-31"),
    ("SR", "2501", "2025-01-14"),     # 10th weekday of January 2025
])
def test_last_trading_day_without_a_calendar(product, yymm, day):
    assert futures.last_trading_day(product, yymm) == D(day)


def test_last_trading_day_moves_past_a_holiday_in_the_calendar():
    # A calendar without Friday 2024-03-15 (a constructed holiday): the next trading day, Monday the 18th.
    cal = np.array(["2024-03-14", "2024-03-18", "2024-03-19"], "datetime64[D]")
    assert futures.last_trading_day("IF", "2403", cal) == D("2024-03-18")
    cal10 = np.array([f"2024-03-{d:02d}" for d in (1, 4, 5, 6, 7, 8, 11, 12, 13, 15, 18)], "datetime64[D]")
    assert futures.last_trading_day("M", "2403", cal10) == D("2024-03-15")    # the 14th removed


@pytest.mark.parametrize("product, day, months", [
    ("IF", "2024-03-04", ["2403", "2404", "2406", "2409"]),
    ("IF", "2024-03-15", ["2403", "2404", "2406", "2409"]),   # the expiry day still lists the current month
    ("IF", "2024-03-18", ["2404", "2405", "2406", "2409"]),
    ("IF", "2024-05-20", ["2406", "2407", "2409", "2412"]),
    ("T", "2024-03-04", ["2403", "2406", "2409"]),
    ("T", "2024-03-11", ["2406", "2409", "2412"]),            # after the second Friday (03-08)
    ("CU", "2024-03-04", ["2403", "2404", "2405", "2406", "2407", "2408", "2409", "2410", "2411", "2412",
                          "2501", "2502"]),
])
def test_contract_months(product, day, months):
    assert futures.contract_months(product, day) == months


def test_listing_date_of_a_quarter_contract():
    # IF2406 joins the list the day after IF2310 expires (Friday 2023-10-20): Monday 2023-10-23.
    assert futures.listing_date("IF", "2406") == D("2023-10-23")
    # Never before the product's listing day.
    assert futures.listing_date("IM", "2207") == D("2022-07-22")


@pytest.mark.parametrize("code, product, yymm", [
    ("IF2406.CCFX", "IF", "2406"), ("cu2112.XSGE", "CU", "2112"), ("SR501.XZCE", "SR", "2501"),
    ("IF2406.CFX", "IF", "2406"),
])
def test_codes(code, product, yymm):
    assert futures.product_of(code) == product and futures.yymm_of(code) == yymm


def test_product_of_accepts_a_product_and_rejects_bad_codes():
    assert futures.product_of("IF") == "IF" and futures.product_of("cu") == "CU"
    assert futures.product_of("M") == "M" and futures.product_of("T") == "T"
    with pytest.raises(ValueError, match="malformed futures code '600570.SS'"):
        futures.product_of("600570.SS")
    with pytest.raises(ValueError, match="must be a str"):
        futures.product_of(2406)


def test_contract_code_uses_the_exchange_suffix():
    assert futures.contract_code("IF", 2406) == "IF2406.CCFX"
    assert futures.contract_code("cu", "2112") == "CU2112.XSGE"
    assert futures.contract_code("SC", "2405") == "SC2405.XINE"
    assert futures.contract_code("M", "2405") == "M2405.XDCE"
    assert futures.contract_code("SR", "2501") == "SR2501.XZCE"
    assert futures.contract_code("LC", "2501") == "LC2501.XGFE"


def test_settlement_price_is_the_vwap_rounded_half_up_to_the_tick():
    # (1,896,000 + 948,600) / 15 lots / 300 = 632.1333 -> 632.2 on the 0.2 grid (632.1333 / 0.2 = 3160.67)
    assert futures.settlement_price([1_896_000.0, 948_600.0], [10, 5], 300.0, 0.2) == 632.2
    assert futures.round_to_tick(632.1, 0.2) == 632.2           # a tie rounds up
    assert futures.round_to_tick(100.0025, 0.005) == 100.005
    assert np.isnan(futures.settlement_price([0.0], [0], 300.0, 0.2))


def test_is_known_and_exchanges():
    assert futures.is_known("if") and futures.is_known("IF") and not futures.is_known("XX")
    assert not futures.is_known(None)
    ex = futures.exchanges()
    assert {k: (v["suffix"], v["close_today"]) for k, v in ex.items()} == {
        "CFFEX": ("CCFX", False), "SHFE": ("XSGE", True), "INE": ("XINE", True), "DCE": ("XDCE", False),
        "CZCE": ("XZCE", False), "GFEX": ("XGFE", False)}


@pytest.mark.parametrize("day, months", [
    ("2024-04-15", ["2406", "2409", "2412"]),     # between quarter months: the next quarter month first
    ("2024-05-20", ["2406", "2409", "2412"]),
    ("2024-06-17", ["2409", "2412", "2503"]),     # after June's second Friday (06-14)
])
def test_cgb_contract_months_between_quarters(day, months):
    assert futures.contract_months("T", day) == months


@pytest.mark.parametrize("product, decimals", [("RB", 0), ("CU", 0), ("SC", 1), ("IF", 1), ("AU", 2), ("TS", 3),
                                               ("TF", 3), ("TL", 2), ("ZC", 1)])
def test_price_decimals_follow_the_tick(product, decimals):
    assert futures.spec(product).decimals == decimals


def test_round_to_tick_returns_a_float_for_a_scalar_and_an_array_for_an_array():
    assert type(futures.round_to_tick(632.1, 0.2)) is float
    got = futures.round_to_tick(np.array([632.1, 632.3]), 0.2)
    assert isinstance(got, np.ndarray) and got.tolist() == [632.2, 632.4]


def test_a_holiday_just_before_the_calendars_last_day_rolls_to_it():
    cal = np.array(["2024-03-14", "2024-03-18"], "datetime64[D]")
    assert futures.last_trading_day("IF", "2403", cal) == D("2024-03-18")


def test_dates_with_a_time_of_day_resolve_by_their_day():
    assert futures.spec("IF", "2023-03-17 15:00:00").close_today_commission == 0.000345
    assert futures.spec("IF", "2023-03-20 09:30:00").close_today_commission == 0.00023


def test_a_numeric_body_is_not_a_product():
    with pytest.raises(ValueError, match="malformed futures code '12'"):
        futures.product_of("12")
