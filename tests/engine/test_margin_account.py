"""融资融券 on a simulated credit account (issue 6): financing with interest, short selling with lending fees,
and orders that breach the rules, each against a hand computation."""
from __future__ import annotations

import datetime as dt

import pytest

from ptrade_fast.engine.runner import Backtest
from ptrade_fast.errors import StrategyRuntimeError

CODE = "600570.SS"
START, END = "2024-03-04", "2024-03-15"


def run(src, **terms):
    bt = Backtest(src, start=START, end=END, capital_base=1_000_000,
                  options={"slippage": 0.0, "margin_account": terms or True})
    return bt, bt.run()


def cents(x):
    return int(x * 100 + 0.5 + 1e-9) / 100


def test_financed_buy_interest_for_n_days_then_sell_to_repay_gives_the_hand_computed_cash():
    bt, r = run("""
def initialize(context):
    g.day = 0
def handle_data(context, data):
    g.day += 1
    if g.day == 1:
        margincash_open('600570.SS', 10000)
    if g.day == 8:
        margincash_close('600570.SS', 10000)
    if g.day in (1, 7):
        g.asset = getattr(g, 'asset', []) + [get_margin_assert()]
""", fin_rate=0.06)
    t = r.trades
    buy, sell = t.iloc[0], t.iloc[1]
    assert buy["amount"] == sell["amount"] == 10000
    debt = round(buy["value"] + buy["fees"], 2)
    days = [d.date() for d in r.portfolio.index]
    # Interest accrues at each day's start for the calendar days since the previous trading day,
    # on the debt, rounded to the cent (days / 360); the sell on day 8 pays it before principal.
    interest = sum(cents(debt * 0.06 * (days[i] - days[i - 1]).days / 360) for i in range(1, 8))
    assert bt.ns["g"].asset[1]["fin_compact_interest"] == pytest.approx(
        sum(cents(debt * 0.06 * (days[i] - days[i - 1]).days / 360) for i in range(1, 7)), abs=0.001)
    expected_cash = 1_000_000 + (sell["value"] - sell["fees"]) - debt - interest
    assert r.portfolio["cash"].iloc[7] == pytest.approx(expected_cash, abs=0.01)
    assert bt.account.margin.fin_debt.sum() == 0 and bt.account.margin.fin_interest == 0
    # Cash was not spent on the financed buy: day 1 cash is the starting capital.
    assert r.portfolio["cash"].iloc[0] == pytest.approx(1_000_000)
    assert "maintenance_ratio" in r.portfolio


def test_short_sale_then_buy_to_return_gives_the_hand_computed_equity():
    bt, r = run("""
def initialize(context):
    g.day = 0
def handle_data(context, data):
    g.day += 1
    if g.day == 1:
        marginsec_open('600570.SS', 5000)
    if g.day == 6:
        marginsec_close('600570.SS', 5000)
""", slo_rate=0.10)
    t = r.trades
    short, cover = t.iloc[0], t.iloc[1]
    basis = short["value"]
    days = [d.date() for d in r.portfolio.index]
    # The fee accrues on the short value at each day's start up to the day of the cover (day 6).
    fee = sum(cents(basis * 0.10 * (days[i] - days[i - 1]).days / 360) for i in range(1, 6))
    pnl = (short["value"] - short["fees"]) - (cover["value"] + cover["fees"])
    # Equity at the end: capital + the short round trip − lending fees accrued (still owed).
    assert r.portfolio["total_value"].iloc[-1] == pytest.approx(1_000_000 + pnl - fee, abs=0.02)
    assert bt.account.margin.slo_amount.sum() == 0
    assert bt.account.margin.slo_fee / 1e4 == pytest.approx(fee, abs=0.001)


def test_orders_that_breach_the_rules_end_with_status_and_reason():
    bt, r = run("""
def initialize(context):
    pass
def handle_data(context, data):
    margincash_open('600570.SS', 100000)      # 1 M CNY against a 50,000 CNY credit line: clipped
    margincash_open('000300.SS', 100)         # an index is not eligible
    marginsec_open('600570.SS', 1000, limit_price=1.0)   # below the latest price
""", fin_quota=50_000)
    o = r.orders.set_index("code")
    first = r.orders.iloc[0]
    assert first["status"] == "5" and 0 < first["filled"] < 100000
    assert "credit line" in first["error_info"]
    # Rules knowable at the order are rejected there, as 废单 '9' (§E.1), with the reason.
    assert r.orders.iloc[1]["status"] == "9" and "not eligible" in r.orders.iloc[1]["error_info"]
    assert r.orders.iloc[2]["status"] == "9" and "below the latest price" in r.orders.iloc[2]["error_info"]
    fin = r.trades.iloc[0]
    assert fin["value"] + fin["fees"] <= 50_000                 # never beyond the credit line


def test_a_financed_buy_with_no_credit_left_is_rejected():
    bt, r = run("""
def initialize(context):
    pass
def handle_data(context, data):
    margincash_open('600570.SS', 1000)
""", fin_quota=0)
    assert r.orders["status"].tolist()[0] == "9" and "credit line" in r.orders["error_info"].iloc[0]


def test_without_a_credit_account_financing_is_live_only():
    with pytest.raises(StrategyRuntimeError, match="margincash_open is live-only"):
        Backtest("""
def initialize(context):
    pass
def handle_data(context, data):
    margincash_open('600570.SS', 100)
""", start=START, end=START).run()
