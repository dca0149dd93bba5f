"""Futures forced liquidation (强平): a margin call after settlement closes positions at the next open."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import ptrade_fast
from ptrade_fast.data.store import DataStore

CONTRACT = "IF2403.CCFX"
SHORT_THEN_HOLD = f'''
def initialize(context):
    set_universe(['{CONTRACT}'])

def handle_data(context, data):
    if context.blotter.current_dt.strftime('%Y-%m-%d') == '2024-01-02':
        sell_open('{CONTRACT}', 1)
'''


@pytest.fixture(scope="module")
def result():
    # 20,000 CNY barely covers one short lot's margin: the rally of the first week is a margin call.
    return ptrade_fast.run(SHORT_THEN_HOLD, start="2024-01-02", end="2024-01-12", capital_base=20_000)


def test_the_margin_call_closes_the_position_at_the_next_open_with_a_reason(result):
    orders = result.orders
    assert len(orders) == 2
    forced = orders.iloc[1]
    assert forced["dt"] == dt.datetime(2024, 1, 8, 9, 30)                     # the next trading day's open
    assert (forced["amount"], forced["filled"], forced["status"]) == (1, 1, "8")   # buy_close of the short lot
    assert forced["error_info"] == "强平 (forced liquidation: margin call after settlement)"
    trade = result.trades.iloc[1]
    assert (trade["open_close"], trade["side"], trade["amount"]) == ("平仓", "买", 1)
    warnings = result.logs[result.logs["level"] == "WARNING"]["message"].tolist()
    assert warnings[0].startswith("margin call after settlement on 2024-01-05: available cash -446.70 CNY")
    assert warnings[1].startswith(f"forced liquidation: buy_close {CONTRACT} 1 lots")


def test_cash_after_the_liquidation_matches_a_hand_computation(result):
    store = DataStore.open()
    sid = store.sid(CONTRACT)
    w = store.year_window(2024)
    day = {d.astype(object): i for i, d in enumerate(w.dates)}
    settle_0105 = float(w.settlement[day[dt.date(2024, 1, 5)], sid])
    close_0108 = float(w.close[day[dt.date(2024, 1, 8)], sid])
    fill = round(close_0108 * (1 + 0.001 / 2), 4)          # default slippage 0.1 %, half on each side
    assert result.trades.iloc[1]["price"] == pytest.approx(fill, abs=1e-4)
    mult, fee_rate = 300, 0.000023                          # IF: 300 CNY per point; close fee 0.23‱ of notional
    fee = round(fill * mult * fee_rate + 1e-9, 2)
    equity_0105 = result.portfolio.loc["2024-01-05", "total_value"]     # cash + margin, marked at settlement
    expected_cash = equity_0105 + (settle_0105 - fill) * mult - fee
    assert result.portfolio.loc["2024-01-08", "cash"] == pytest.approx(expected_cash, abs=0.01)
    assert result.portfolio.loc["2024-01-08", "positions_value"] == 0
    assert np.allclose(result.portfolio.loc["2024-01-08":, "cash"], expected_cash, atol=0.01)
