"""Corporate actions on held positions (spec §H.9) on real data: 600000.SS 2010 dividend, 10送3派1.6,
ex-date 2011-06-03 (data README oracle #3)."""
from __future__ import annotations

import numpy as np
import pytest

from ptrade_fast import _core as ptcore
import ptrade_fast
from ptrade_fast._core.ledger import Ledger

HOLD = """
def initialize(context):
    set_universe('600000.SS')
def handle_data(context, data):
    if get_position('600000.SS').amount == 0 and context.portfolio.cash > 200000:
        order('600000.SS', 10000)
def after_trading_end(context, data):
    p = get_position('600000.SS')
    g.days = getattr(g, 'days', []) + [(context.blotter.current_dt.date().isoformat(), p.amount,
                                        p.enable_amount, round(p.cost_basis, 6), round(context.portfolio.cash, 2))]
"""


def test_buy_and_hold_across_a_dividend_ends_with_the_right_cash_and_shares():
    bt = ptrade_fast.Backtest(HOLD, start="2011-05-30", end="2011-06-08", capital_base=300_000,
                              options={"slippage": 0.0})
    r = bt.run()
    days = {d[0]: d[1:] for d in bt.ns["g"].days}
    buy = r.trades.iloc[0]
    assert buy["dt"].date().isoformat() == "2011-05-30" and buy["amount"] == 10_000
    cash_after_buy = 300_000 - buy["value"] - buy["fees"]
    cost_after_buy = (buy["value"] + buy["fees"]) / 10_000
    assert days["2011-06-02"] == (10_000, 10_000, pytest.approx(cost_after_buy), pytest.approx(cash_after_buy))
    # Ex-date: 0.16 CNY × 10,000 = 1,600 CNY cash; 0.3 × 10,000 = 3,000 bonus shares, sellable at once.
    amount, enable, cost_basis, cash = days["2011-06-03"]
    assert (amount, enable) == (13_000, 13_000)
    assert cash == pytest.approx(cash_after_buy + 1_600.0)
    assert cost_basis == pytest.approx((cost_after_buy * 10_000 - 1_600) / 13_000)
    assert len(r.trades) == 1
    # Marked at 2011-06-03's close 10.09 (oracle) on the last row of that day.
    p = r.positions.set_index("date").loc["2011-06-03"]
    assert p["amount"] == 13_000 and p["last_sale_price"] == 10.09


def test_apply_actions_kernel_credits_cash_shares_and_tax():
    lg = Ledger(3, 0)
    lg.apply_fill(1, ptcore.SIDE_BUY, 1000, 100_000, 0)      # 1,000 shares at 10.00, no fees
    sid = np.array([1, 2], dtype=np.int32)
    cash_out = np.zeros(2, dtype=np.int64)
    shares_out = np.zeros(2, dtype=np.int64)
    lg.apply_actions(sid, np.array([1_600, 500], dtype=np.int64), np.array([0.3, 1.0]), 0.1, cash_out, shares_out)
    assert cash_out.tolist() == [1000 * 1_600 - 160_000, 0]   # 10 % tax on 160 CNY; sid 2 not held
    assert shares_out.tolist() == [300, 0]
    # Bought today (T+1, not yet sellable); the 300 bonus shares are sellable on the ex-date.
    assert (lg.amount[1], lg.enable_amount[1], lg.cost_total[1]) == (1300, 300, 100_000_000 - 1_600_000)
    assert lg.cash == -100_000_000 + 1_440_000


def test_holding_period_dividend_tax_is_charged_when_the_shares_are_sold():
    # 600000.SS pays 0.16 CNY on 2011-06-03: before 2013 the tax (10 %) is withheld at payment.
    bt = ptrade_fast.Backtest(HOLD, start="2011-05-30", end="2011-06-08", capital_base=300_000,
                              options={"slippage": 0.0, "dividend_tax": "holding_period"})
    r = bt.run()
    days = {d[0]: d[1:] for d in bt.ns["g"].days}
    assert days["2011-06-03"][3] == pytest.approx(days["2011-06-02"][3] + 1_600.0 - 160.0)


def test_sale_rates_follow_the_holding_period_and_the_date():
    import datetime as dt
    from ptrade_fast.engine.dividend_tax import HoldingPeriodTax, sale_rate
    assert sale_rate(dt.date(2016, 1, 4), dt.date(2016, 2, 4)) == 0.20      # ≤ 1 month
    assert sale_rate(dt.date(2016, 1, 4), dt.date(2016, 2, 5)) == 0.10      # ≤ 1 year
    assert sale_rate(dt.date(2014, 1, 2), dt.date(2015, 3, 2)) == 0.05      # > 1 year, before 2015-09-08
    assert sale_rate(dt.date(2014, 1, 2), dt.date(2015, 9, 8)) == 0.0
    m = HoldingPeriodTax()
    m.on_buy(7, 1000, dt.date(2016, 1, 4))
    m.on_buy(7, 1000, dt.date(2016, 6, 1))
    assert m.on_dividend(7, 1000, 0, dt.date(2016, 6, 20)) == 0              # 0.1 CNY/share, taxed at sale
    # Selling 1,500 on 2016-06-25: FIFO takes the January lot (10 %) and 500 of the June lot (20 %).
    tax = m.on_sell(7, 1500, dt.date(2016, 6, 25))
    assert tax == round(1000 * 1000 * 0.10 + 500 * 1000 * 0.20)
