"""Individual dividend tax by holding period (market-rules §5.8), every dated row and every holding band
probed at its edges; rates written from the contract."""
from __future__ import annotations

import datetime as dt

import pytest

from ptrade_fast.engine.dividend_tax import HoldingPeriodTax, sale_rate, withheld_rate
from rowcheck import probes

D = dt.date.fromisoformat

WITHHELD = [("1990-01-01", 0.20), ("2005-06-13", 0.10)]   # start of the flat 10 % is U: project day 06-13


@pytest.mark.parametrize("label, day, rate", list(probes(WITHHELD, "2012-12-31")),
                         ids=[p[0] for p in probes(WITHHELD, "2012-12-31")])
def test_withheld_rate_before_2013(label, day, rate):
    assert withheld_rate(day) == rate


# Sales from 2013-01-01: held ≤ 1 month 20 %, ≤ 1 year 10 %, longer 5 % (0 % for sales from 2015-09-08).
@pytest.mark.parametrize("bought, sold, rate", [
    ("2014-03-10", "2014-04-10", 0.20),      # exactly one month: still the ≤ 1 month band
    ("2014-03-10", "2014-04-11", 0.10),
    ("2014-01-31", "2014-02-28", 0.20),      # month end clamps to the last day of February
    ("2014-01-31", "2014-03-01", 0.10),
    ("2013-03-10", "2014-03-10", 0.10),      # exactly one year
    ("2013-03-10", "2014-03-11", 0.05),
    ("2013-09-01", "2015-09-07", 0.05),      # the day before the 0 % rule
    ("2013-09-01", "2015-09-08", 0.0),       # its first day
    ("2013-09-01", "2020-06-01", 0.0),
    ("2015-09-08", "2015-10-08", 0.20),
    ("2015-09-08", "2016-09-08", 0.10),
])
def test_sale_rate_bands(bought, sold, rate):
    assert sale_rate(D(bought), D(sold)) == rate


def test_lot_accounting_fifo_with_bonus_shares_and_sale_tax():
    tax = HoldingPeriodTax()
    tax.on_buy(1, 1000, D("2014-01-06"))
    tax.on_buy(1, 1000, D("2014-06-03"))
    # 0.50 CNY per share (5000 money units) and 3 bonus shares per 10: 600 extra shares over two lots.
    assert tax.on_dividend(1, 5000, 600, D("2014-06-20")) == 0
    assert [lot[1] for lot in tax.lots[1]] == [1300, 1300]
    # Sell 1300 on 2014-07-02: the first lot (held > 1 month, ≤ 1 year) pays 10 % of 500 CNY = 50 CNY.
    assert tax.on_sell(1, 1300, D("2014-07-02")) == 50 * 10000
    # The second lot, bought 2014-06-03, sold 2014-07-02 (within a month): 20 % of 500 CNY.
    assert tax.on_sell(1, 1300, D("2014-07-02")) == 100 * 10000
    assert not tax.lots[1]


def test_dividends_before_2013_are_withheld_at_payment():
    tax = HoldingPeriodTax()
    tax.on_buy(7, 1000, D("2004-01-05"))
    assert tax.on_dividend(7, 2000, 0, D("2005-06-10")) == int(1000 * 2000 * 0.20)
    assert tax.on_dividend(7, 2000, 0, D("2012-12-31")) == int(1000 * 2000 * 0.10)
    assert tax.on_sell(7, 1000, D("2013-01-04")) == 0


def test_dividends_from_2013_are_recorded_and_taxed_at_the_sale():
    tax = HoldingPeriodTax()
    tax.on_buy(8, 1000, D("2012-12-03"))
    assert tax.on_dividend(8, 2000, 0, D("2012-12-31")) == 200_000         # 10 % withheld the day before
    assert tax.on_dividend(8, 2000, 0, D("2013-01-04")) == 0               # from 2013-01-01: not withheld
    assert tax.on_sell(8, 1000, D("2013-01-31")) == 20_000 * 10            # held ≤ 1 year: 10 % of 200 CNY


def test_a_partly_sold_lot_keeps_its_remaining_shares_first_in_line():
    tax = HoldingPeriodTax()
    tax.on_buy(9, 1000, D("2014-01-06"))                     # lot A
    tax.on_buy(9, 1000, D("2014-03-03"))                     # lot B
    assert tax.on_sell(9, 500, D("2014-03-04")) == 0          # 500 of lot A, no dividend yet
    assert tax.on_dividend(9, 10000, 0, D("2014-03-10")) == 0  # 1 CNY a share: A 500.00, B 1,000.00
    # A's 500 (held > 1 month): 10 % of 500 = 50; B's 1000 (≤ 1 month): 20 % of 1,000 = 200.
    assert tax.on_sell(9, 1500, D("2014-03-20")) == 250 * 10000


def test_one_month_from_the_31st_ends_on_the_last_day_of_a_30_day_month():
    assert sale_rate(D("2014-03-31"), D("2014-04-30")) == 0.20
    assert sale_rate(D("2014-03-31"), D("2014-05-01")) == 0.10


def test_bonus_shares_remainder_goes_to_the_last_lot():
    tax = HoldingPeriodTax()
    for day in ("2014-01-06", "2014-02-10", "2014-03-03"):
        tax.on_buy(4, 1000, D(day))
    tax.on_dividend(4, 0, 100, D("2014-03-10"))              # 100 shares over 3,000: 33, 33, and 34
    assert [lot[1] for lot in tax.lots[4]] == [1033, 1033, 1034]


def test_no_lots_no_tax_and_a_one_share_sale_is_taxed():
    tax = HoldingPeriodTax()
    assert tax.on_dividend(5, 5000, 0, D("2014-03-10")) == 0
    tax.on_buy(5, 1, D("2014-03-03"))
    tax.on_dividend(5, 10000, 0, D("2014-03-10"))             # 1.00 CNY on the one share
    assert tax.on_sell(5, 1, D("2014-03-11")) == 2000           # 20 % of 1.00 CNY


def test_lots_without_dividends_owe_nothing():
    tax = HoldingPeriodTax()
    for day in ("2014-03-03", "2014-03-04", "2014-03-05", "2014-03-06", "2014-03-07"):
        tax.on_buy(6, 100, D(day))
    assert tax.on_sell(6, 500, D("2014-03-10")) == 0


def test_one_month_from_january_31st_in_a_leap_year_is_february_29th():
    assert sale_rate(D("2016-01-31"), D("2016-02-29")) == 0.20
    assert sale_rate(D("2016-01-31"), D("2016-03-01")) == 0.10
