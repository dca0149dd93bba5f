"""Futures in one account with stocks (issue 6): a hedged strategy's daily P&L equals a hand computation
from settlement prices × multiplier × lots, fees and margin; a contract held to expiry settles at the final
settlement price and leaves the positions."""
from __future__ import annotations

import numpy as np
import pytest

from ptrade_fast.data.store import DataStore
from ptrade_fast.engine.runner import Backtest
from ptrade_fast.rules import futures as fut_rules

HEDGE = """
def initialize(context):
    set_universe(['600570.SS', '600000.SS'])
    g.day = 0
def handle_data(context, data):
    g.day += 1
    if g.day == 1:
        order('600570.SS', 20000)
        order('600000.SS', 30000)
        g.oid = sell_open('IF2403.CCFX', 2)
def after_trading_end(context, data):
    p = get_position('IF2403.CCFX')
    g.legs = getattr(g, 'legs', []) + [(p.short_amount, p.long_amount, round(p.margin_rate, 4))]
    g.trades = getattr(g, 'trades', []) + [get_trades()]
"""
START, END = "2024-03-04", "2024-03-15"       # IF2403's last trading day is the third Friday, 2024-03-15


def test_hedged_basket_daily_pnl_equals_the_hand_computation():
    bt = Backtest(HEDGE, start=START, end=END, capital_base=2_000_000, options={"slippage": 0.0})
    r = bt.run()
    store = DataStore.open()
    w = store.daily_window(START, END)
    f_sid, a_sid, b_sid = (store.sid(c) for c in ("IF2403.CCFX", "600570.SS", "600000.SS"))
    settle, close = w.settlement[:, f_sid], w.close
    spec = fut_rules.spec("IF", START)
    mult, lots = 300.0, 2

    t = r.trades.set_index("code")
    fill = t.loc["IF2403.CCFX"]
    assert fill["side"] == "卖" and fill["open_close"] == "开仓" and fill["amount"] == 2
    assert fill["price"] == close[0, f_sid]                       # market order at the day's close
    notional = fill["price"] * mult * lots
    assert fill["value"] == pytest.approx(notional)
    assert fill["fees"] == pytest.approx(round(notional * spec.open_commission, 2))

    # Day by day: stock P&L at closes, futures P&L at settlement prices (short: −Δ), fees on day 1.
    stock_amounts = {a_sid: 20000, b_sid: 30000}
    fees_day1 = t["fees"].sum()
    stock_cost = sum(t.loc[c, "value"] for c in ("600570.SS", "600000.SS"))
    expected = []
    value = 2_000_000.0
    for d in range(len(w.dates)):
        if d == 0:
            stock_pnl = sum(n * close[0, s] for s, n in stock_amounts.items()) - stock_cost
            fut_pnl = -lots * mult * (settle[0] - fill["price"])
            value += stock_pnl + fut_pnl - fees_day1
        else:
            stock_pnl = sum(n * (close[d, s] - close[d - 1, s]) for s, n in stock_amounts.items())
            fut_pnl = -lots * mult * (settle[d] - settle[d - 1])
            value += stock_pnl + fut_pnl
        expected.append(value)
    assert r.portfolio["total_value"].tolist() == pytest.approx(expected, abs=0.02)

    # Margin: frozen at the open, re-evaluated at each settlement: cash = equity − stocks − margin.
    rate = fut_rules.spec("IF", START).margin_rate
    margin_day2 = round(settle[1] * mult * lots * rate, 2)
    stocks_day2 = sum(n * close[1, s] for s, n in stock_amounts.items())
    assert r.portfolio["cash"].iloc[1] == pytest.approx(expected[1] - stocks_day2 - margin_day2, abs=0.02)
    assert bt.ns["g"].legs[0] == (2, 0, round(rate, 4))


def test_a_contract_held_to_expiry_settles_at_the_final_price_and_leaves_the_positions():
    bt = Backtest(HEDGE, start=START, end="2024-03-18", capital_base=2_000_000, options={"slippage": 0.0})
    r = bt.run()
    pos = r.positions
    fut = pos[pos["code"] == "IF2403.CCFX"]
    assert fut["date"].max() == np.datetime64("2024-03-14")        # held through the day before expiry …
    assert (fut["side"] == "short").all() and (fut["amount"] == -2).all()
    legs = bt.ns["g"].legs
    assert legs[-2][:2] == (2, 0)            # still held at 15:30 on the last trading day (2024-03-15) …
    assert legs[-1][:2] == (0, 0)            # … settled at the day's end and gone on 2024-03-18
    assert "IF2403.CCFX" not in bt.context.portfolio.positions
    assert any("IF2403.CCFX expired: final settlement at 600.0100" in m for m in r.logs["message"])
    assert bt.account.futures.margin_total() == 0
