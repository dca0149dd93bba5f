"""Ptrade's backtest execution rules, each proven by its own scenario on constructed data (§H)."""
from __future__ import annotations

import datetime as dt

import pytest

from ptrade_fast import _core as ptcore
from engine_data import backtest, flat_minutes, make_root, weekdays

CODE = "600570.SS"


def bars(closes, volume=1_000_000, **extra):
    return [None if c is None else {"close": c, "volume": volume, **extra} for c in closes]


def orders_of(bt):
    return bt.result.orders


def test_buy_is_not_sellable_the_same_day_and_is_the_next(tmp_path, days10):
    root = make_root(tmp_path, days10[:3], {CODE: bars([10.0, 10.0, 10.0])})
    bt = backtest("""
        def initialize(context):
            g.seen = []
        def handle_data(context, data):
            pos = get_position('600570.SS')
            g.seen.append((context.blotter.current_dt.date(), pos.amount, pos.enable_amount))
            if len(g.seen) == 1:
                order('600570.SS', 1000)
                order('600570.SS', -1000)   # same day: nothing sellable yet
            elif len(g.seen) == 3:
                order('600570.SS', -1000)
        def after_trading_end(context, data):
            p = get_position('600570.SS')
            g.seen.append(('after', p.amount, p.enable_amount, p.today_amount))
    """, tmp_path / "root")
    seen = bt.ns["g"].seen
    assert seen[0][1:] == (0, 0)
    assert seen[1] == ("after", 1000, 0, 1000)       # bought today: held, not sellable
    assert seen[2][1:] == (1000, 1000)               # next morning: sellable
    assert seen[3] == ("after", 0, 0, 0)
    o = orders_of(bt)
    assert list(o["status"]) == ["8", "6", "8"]
    assert o["error_info"].iloc[1] == ptcore_error(ptcore.R_NO_POSITION)


def ptcore_error(reason):
    from ptrade_fast.errors import error_info
    return error_info(reason)


def test_buy_rounds_down_to_the_lot_and_below_one_lot_is_rejected(tmp_path, days10):
    root = make_root(tmp_path, days10[:2], {CODE: bars([10.0, 10.0])})
    bt = backtest("""
        def initialize(context):
            pass
        def handle_data(context, data):
            g.a = order('600570.SS', 150)
            g.b = order('600570.SS', 50)
    """, root, end=days10[0])
    g = bt.ns["g"]
    assert g.a is not None and g.b is None
    o = orders_of(bt)
    assert list(o["amount"]) == [100, 50]
    assert list(o["status"]) == ["8", "9"]
    assert "minimum lot" in o["error_info"].iloc[1]
    assert any("rounded to 100" in m for m in bt.result.logs["message"])


def test_odd_lot_sell_of_the_whole_position_is_allowed_a_partial_one_rounds(tmp_path, days10):
    root = make_root(tmp_path, days10[:3], {CODE: bars([10.0, 10.0, 10.0])})
    bt = backtest("""
        def initialize(context):
            set_yesterday_position([{'sid': '600570.SS', 'amount': '250', 'enable_amount': '250', 'cost_basis': '9.5'}])
            g.n = 0
        def handle_data(context, data):
            g.n += 1
            if g.n == 1:
                order('600570.SS', -120)       # not the whole position: rounds to 100
            elif g.n == 2:
                order('600570.SS', -150)       # the whole remaining position, odd lot: allowed
    """, root)
    t = bt.result.trades
    assert list(t["amount"]) == [100, 150]
    assert int(bt.account.ledger.amount[bt.store.sid(CODE)]) == 0


def test_no_buy_fill_at_sealed_limit_up_and_no_sell_at_sealed_limit_down(tmp_path, days10):
    # Day 2 closes at the +10 % limit (11.00 from 10.00), day 3 at the −10 % limit (9.90 from 11.00).
    root = make_root(tmp_path, days10[:3], {CODE: bars([10.0, 11.0, 9.9])})
    bt = backtest("""
        def initialize(context):
            set_yesterday_position([{'sid': '600570.SS', 'amount': 1000, 'enable_amount': 1000, 'cost_basis': 10}])
            set_universe('600570.SS')
            g.n = 0
        def handle_data(context, data):
            g.n += 1
            if g.n == 2:
                g.limit = (data['600570.SS'].high_limit, data['600570.SS'].close)
                order('600570.SS', 100)
            if g.n == 3:
                order('600570.SS', -1000)
    """, root)
    assert bt.ns["g"].limit == (11.0, 11.0)
    o = orders_of(bt)
    assert list(o["status"]) == ["6", "6"]
    assert "limit-up" in o["error_info"].iloc[0] and "limit-down" in o["error_info"].iloc[1]
    assert bt.result.trades.empty


def test_nothing_trades_on_a_suspended_day(tmp_path, days10):
    suspended = {"close": 10.0, "volume": 0, "is_open": 0}
    root = make_root(tmp_path, days10[:3], {CODE: [{"close": 10.0}, suspended, {"close": 10.2}]})
    bt = backtest("""
        def initialize(context):
            set_universe('600570.SS')
            g.rets = []
        def handle_data(context, data):
            bar = data['600570.SS']
            g.rets.append((bar.is_open, bar.volume, order('600570.SS', 100)))
    """, root)
    rets = bt.ns["g"].rets
    assert rets[1][0] == 0 and rets[1][1] == 0 and rets[1][2] is None
    o = orders_of(bt)
    assert list(o["status"]) == ["8", "9", "8"]
    assert "suspended" in o["error_info"].iloc[1]


def test_large_order_is_capped_by_volume_ratio_and_the_excess_cancelled(tmp_path, days10):
    root = make_root(tmp_path, days10[:1], {CODE: bars([10.0], volume=10_000)})
    bt = backtest("""
        def initialize(context):
            set_volume_ratio(0.25)
        def handle_data(context, data):
            g.oid = order('600570.SS', 5000)
        def after_trading_end(context, data):
            g.o = get_order(g.oid)
    """, root)
    o = bt.ns["g"].o
    assert (o.status, o.filled, o.amount) == ("5", 2500, 5000)
    assert "volume cap" in o.error_info


def test_unlimited_mode_fills_beyond_the_bar_volume(tmp_path, days10):
    root = make_root(tmp_path, days10[:1], {CODE: bars([10.0], volume=10_000)})
    bt = backtest("""
        def initialize(context):
            set_limit_mode('UNLIMITED')
        def handle_data(context, data):
            order('600570.SS', 50000)
    """, root)
    assert list(orders_of(bt)["status"]) == ["8"]


def test_limit_order_rests_across_minute_bars_until_its_price_is_reached(tmp_path, days10):
    day = days10[0]
    path = [10.0] * 240
    for k in range(30, 240):
        path[k] = 9.9                                 # the price falls to 9.90 at the 31st bar (10:01)
    minute = [(p, p, p, p, 10_000) for p in path]
    root = make_root(tmp_path, [day], {CODE: bars([9.9], volume=2_400_000, open=10.0, high=10.0, low=9.9)},
                     {day: {CODE: minute}})
    bt = backtest("""
        def initialize(context):
            g.done = False
            g.states = []
        def handle_data(context, data):
            if not g.done:
                g.hit = order('600570.SS', 1000, limit_price=9.9)
                g.miss = order('600570.SS', 1000, limit_price=9.5)
                g.done = True
            g.states.append(get_order(g.hit).status)
        def after_trading_end(context, data):
            g.open_after = [o.id for o in get_open_orders()]
    """, root, frequency="1m")
    g = bt.ns["g"]
    # Placed at 09:31, open (reported '2') through 10:00, filled by the 10:01 bar (matched after
    # that bar's handle_data, so the strategy sees '8' from 10:02 on).
    assert g.states[:31] == ["2"] * 31 and g.states[31] == "8"
    assert g.open_after == [g.miss]                   # still open at 15:30 …
    o = orders_of(bt).set_index("id")
    assert o.loc[g.miss, "status"] == "6"             # … and cancelled by the day-end sweep
    assert "day end" in o.loc[g.miss, "error_info"]
    fill = bt.result.trades.iloc[0]
    assert fill["dt"] == dt.datetime.combine(day, dt.time(10, 1)) and fill["price"] == 9.9


def test_commission_minimum_and_handling_fee_on_a_small_buy(tmp_path, days10):
    root = make_root(tmp_path, days10[:1], {CODE: bars([10.0])})
    bt = backtest("""
        def initialize(context):
            pass
        def handle_data(context, data):
            order('600570.SS', 100)
    """, root, capital_base=100_000)
    t = bt.result.trades.iloc[0]
    # value 1,000: commission 0.30 is raised to the 5.00 minimum; handling 0.0487 rounds to 0.05.
    assert (t["value"], t["commission"], t["handling_fee"], t["stamp_duty"]) == (1000.0, 5.0, 0.05, 0.0)
    assert bt.account.cash == pytest.approx(100_000 - 1000 - 5.05, abs=1e-9)


@pytest.mark.parametrize("day, rate", [("2023-08-25", 0.001), ("2023-08-28", 0.0005)])
def test_stamp_tax_on_sells_is_0_1_percent_before_2023_08_28_and_0_05_percent_from_it(tmp_path, day, rate):
    d = dt.date.fromisoformat(day)
    root = make_root(tmp_path, [d], {CODE: bars([10.0])})
    bt = backtest("""
        def initialize(context):
            set_yesterday_position([{'sid': '600570.SS', 'amount': 10000, 'enable_amount': 10000, 'cost_basis': 10}])
        def handle_data(context, data):
            g.tax = context.commission.tax
            order('600570.SS', -10000)
    """, root)
    t = bt.result.trades.iloc[0]
    assert t["stamp_duty"] == pytest.approx(100_000 * rate)
    assert bt.ns["g"].tax == rate


def test_cash_never_goes_negative_when_orders_ask_for_more(tmp_path, days10):
    root = make_root(tmp_path, days10[:2], {CODE: bars([10.0, 10.0], volume=10**9),
                                            "600000.SS": bars([5.0, 5.0], volume=10**9)})
    bt = backtest("""
        def initialize(context):
            pass
        def handle_data(context, data):
            order_value('600570.SS', context.portfolio.cash * 0.8)
            order_value('600000.SS', context.portfolio.cash * 0.8)   # only ~20 % left when matched
    """, root, capital_base=100_000)
    assert (bt.result.portfolio["cash"] >= 0).all()
    o = orders_of(bt)
    assert "available cash" in o["error_info"].iloc[1]
    assert bt.account.ledger.cash >= 0


def test_order_value_and_order_target_value_arithmetic_with_fees(tmp_path, days10):
    root = make_root(tmp_path, days10[:2], {CODE: bars([10.0, 12.5])})
    bt = backtest("""
        def initialize(context):
            g.n = 0
        def handle_data(context, data):
            g.n += 1
            if g.n == 1:
                order_value('600570.SS', 100000)        # int(100000 / 10.00) = 10,000 shares
            else:
                order_target_value('600570.SS', 50000)   # target int(50000 / 12.50) = 4,000: sell 6,000
    """, root, capital_base=200_000)
    t = bt.result.trades
    assert list(t["amount"]) == [10000, 6000]
    buy_fee = 30.0 + 4.87                               # 0.0003 × 100,000 + 0.0000487 × 100,000
    sell_value = 75_000.0
    sell_fee = 22.5 + 3.65 + 37.5                       # commission, handling (3.6525 → 3.65), stamp 0.05 %
    assert list(t["fees"]) == pytest.approx([buy_fee, sell_fee])
    assert bt.account.cash == pytest.approx(200_000 - 100_000 - buy_fee + sell_value - sell_fee)
    pos = bt.account.position(bt.store.sid(CODE))
    assert pos.amount == 4000
    assert pos.cost_basis == pytest.approx((100_000 + buy_fee) / 10_000)


CALLBACK_STRATEGY = """
    def initialize(context):
        g.orders, g.trades = [], []
    def handle_data(context, data):
        order('600570.SS', 100)
    def on_order_response(context, order_list):
        g.orders.extend(order_list)
    def on_trade_response(context, trade_list):
        g.trades.extend(trade_list)
"""


def test_order_callbacks_are_off_by_default_as_in_the_platforms_backtest(tmp_path, days10):
    root = make_root(tmp_path, days10[:1], {CODE: bars([10.0])})
    bt = backtest(CALLBACK_STRATEGY, root)
    assert bt.ns["g"].orders == [] and bt.ns["g"].trades == []
    assert len(bt.result.trades) == 1


def test_order_callbacks_fire_with_the_spec_keys(tmp_path, days10):
    # The extension (option order_callbacks=True) pushes what the platform pushes live.
    root = make_root(tmp_path, days10[:1], {CODE: bars([10.0])})
    bt = backtest(CALLBACK_STRATEGY, root, options={"order_callbacks": True})
    g = bt.ns["g"]
    assert set(g.orders[0]) == {"entrust_no", "error_info", "order_time", "stock_code", "amount", "price",
                                "business_amount", "status", "entrust_type", "entrust_prop", "order_id"}
    assert set(g.trades[0]) == {"entrust_no", "business_time", "stock_code", "entrust_bs", "business_amount",
                                "business_price", "business_balance", "business_id", "status", "order_id"}
    assert g.trades[0]["entrust_bs"] == "1" and g.orders[-1]["status"] == "8"
    assert g.trades[0]["order_id"] == g.orders[-1]["order_id"]


def test_cancel_in_the_same_callback_cancels_before_any_fill(tmp_path, days10):
    root = make_root(tmp_path, days10[:1], {CODE: bars([10.0])})
    bt = backtest("""
        def initialize(context):
            pass
        def handle_data(context, data):
            oid = order('600570.SS', 100)
            g.before = get_order(oid).status
            cancel_order(oid)
            g.after = get_order(oid)[0].status
    """, root)
    assert (bt.ns["g"].before, bt.ns["g"].after) == ("2", "6")
    assert bt.result.trades.empty
