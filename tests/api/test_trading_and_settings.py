"""Trading, query and settings functions as a strategy sees them: names, shapes, codes, rejections."""
from __future__ import annotations

import datetime as dt

import pytest

from engine_data import backtest, flat_minutes, make_root, weekdays

CODE = "600570.SS"
DAYS = weekdays("2024-03-04", 5)


@pytest.fixture
def root(tmp_path):
    return make_root(tmp_path, DAYS, {CODE: [{"close": 10.0 + 0.1 * i, "volume": 10**7} for i in range(5)],
                                      "000001.SZ": [{"close": 8.0, "volume": 10**7}] * 5})


def run(src, root, **kw):
    return backtest(src, root, **kw)


def test_query_shapes_suffixes_and_get_order_forwarding(root):
    bt = run("""
        def initialize(context):
            g.out = {}
        def handle_data(context, data):
            if 'oid' not in g.out:
                g.out['oid'] = order('600570.XSHG', 1000)
            else:
                o = get_order(g.out['oid'])
                g.out['order'] = (type(o).__name__, len(o), o.status, o[0].symbol, o.amount, o.filled, o.entrust_no)
                g.out['positions'] = sorted(get_positions().keys())
                g.out['lookup'] = get_positions()['600570.SS'].amount
                g.out['ctx_keys'] = sorted(context.portfolio.positions.keys())
                g.out['ctx_lookup'] = context.portfolio.positions['600570.XSHG'].sid
                g.out['absent'] = (get_position('000001.SZ').amount, get_position('000001.SZ').last_sale_price)
        def after_trading_end(context, data):
            g.out.setdefault('trades', get_trades())
    """, root, end=DAYS[1])
    out = bt.ns["g"].out
    assert out["order"] == ("OrderList", 1, "8", "600570.XSHG", 1000, 1000, "1")
    assert out["positions"] == ["600570.XSHG"] and out["lookup"] == 1000
    assert out["ctx_keys"] == ["600570.SS"] and out["ctx_lookup"] == "600570.SS"
    assert out["absent"] == (0, 8.0)
    (oid, fills), = out["trades"].items()
    assert oid == out["oid"] and len(oid) == 32
    trade_id, entrust_no, code, side, qty, price, value, when = fills[0]
    assert (entrust_no, code, side, qty, price, value, when) == ("1", "600570.XSHG", "买", 1000.0, 10.0, 10000.0,
                                                                "2024-03-04 15:00:00")


def test_daily_unfilled_orders_are_visible_in_after_trading_end_then_cancelled(root):
    bt = run("""
        def initialize(context):
            pass
        def handle_data(context, data):
            g.oid = order('600570.SS', 1000, limit_price=9.5)     # never reached: close 10.00
        def after_trading_end(context, data):
            g.open = [(o.id, o.status, o.limit) for o in get_open_orders()]
    """, root, end=DAYS[0])
    g = bt.ns["g"]
    assert g.open == [(g.oid, "2", 9.5)]
    assert bt.result.orders["status"].tolist() == ["6"]


@pytest.mark.parametrize("price, reason", [(10.001, "decimals"), (11.5, "outside today's price limits")])
def test_limit_price_with_bad_precision_or_outside_the_band_is_rejected(root, price, reason):
    bt = run(f"""
        def initialize(context):
            pass
        def handle_data(context, data):
            g.oid = order('600570.SS', 100, limit_price={price})
    """, root, start=DAYS[1], end=DAYS[1])
    assert bt.ns["g"].oid is None
    o = bt.result.orders
    assert o["status"].tolist() == ["9"] and reason in o["error_info"].iloc[0]


def test_non_integer_amount_is_rejected_and_returns_none(root):
    bt = run("""
        def initialize(context):
            pass
        def handle_data(context, data):
            g.r = (order('600570.SS', 100.0), order('600570.SS', 150.5))
    """, root, end=DAYS[0])
    assert bt.ns["g"].r == (None, None)
    assert set(bt.result.orders["status"]) == {"9"}
    assert "integer" in bt.result.orders["error_info"].iloc[0]


def test_order_target_does_nothing_when_already_at_target_and_margin_trade_orders(root):
    bt = run("""
        def initialize(context):
            g.ids = []
        def handle_data(context, data):
            g.ids.append(order_target('600570.SS', 500))
            g.ids.append(margin_trade('000001.SZ', 200))
    """, root, end=DAYS[1])
    ids = bt.ns["g"].ids
    assert ids[0] is not None and ids[2] is None        # day 2: already at 500
    assert bt.result.trades.groupby("code")["amount"].sum().to_dict() == {"000001.SZ": 400, CODE: 500}


def test_seed_and_official_setting_forms_are_both_accepted(root):
    bt = run("""
        def initialize(context):
            set_commission(PerTrade(buy_cost=0.0003, sell_cost=0.0013, unit='perValue', min_cost=5))
            set_slippage(FixedSlippage(0.02))
            set_volume_ratio(0.025)
            set_limit_mode(0)
            set_parameters(context, ma_fast=5, position_ratio=0.95)
            set_parameters(holiday_not_do_before='1')
            set_benchmark('000001.SZ')
            g.c = (context.commission.cost, context.commission.min_trade_cost, context.commission.tax)
        def handle_data(context, data):
            if get_position('600570.SS').amount == 0:
                order('600570.SS', 10000)
            else:
                order('600570.SS', -10000)
    """, root, end=DAYS[1])
    assert bt.ns["g"].c == (0.0003, 5.0, 0.001)
    buy, sell = bt.result.trades.itertuples()
    assert buy.price == pytest.approx(10.01) and sell.price == pytest.approx(10.09)   # ± half of 0.02
    assert sell.stamp_duty == pytest.approx(0.001 * sell.value, abs=0.01)              # 0.0013 − 0.0003
    s = bt.result.params["settings"]
    assert s["limit_mode"] == "LIMIT" and s["volume_ratio"] == 0.025 and s["parameters"]["ma_fast"] == 5
    assert s["benchmark"] == "000001.SZ"


def test_positional_set_commission_and_etf_class(root):
    bt = run("""
        def initialize(context):
            set_commission(0.00025, 1.0)
            set_commission(commission_ratio=0.0005, min_commission=0.1, type='ETF')
        def handle_data(context, data):
            pass
    """, root, end=DAYS[0])
    assert bt.settings.fees.commission == {"STOCK": (0.00025, 1.0), "ETF": (0.0005, 0.1), "LOF": (0.0008, 5.0)}


def test_run_daily_fires_at_15_00_in_a_daily_run_and_at_its_minute_in_a_minute_run(tmp_path):
    day = DAYS[0]
    root = make_root(tmp_path, [day], {CODE: [{"close": 10.0, "volume": 2_400_000}]},
                     {day: {CODE: flat_minutes(10.0)}})
    src = """
        def initialize(context):
            g.calls = []
            run_daily(context, task, time='10:15')
            run_daily(context, early, time='09:25')
        def task(context):
            g.calls.append(('task', context.blotter.current_dt.strftime('%H:%M'), get_frequency()))
        def early(context):
            g.calls.append(('early', context.blotter.current_dt.strftime('%H:%M'), get_frequency()))
        def handle_data(context, data):
            if context.blotter.current_dt.strftime('%H:%M') in ('10:15', '15:00'):
                g.calls.append(('handle', context.blotter.current_dt.strftime('%H:%M'), is_trade()))
    """
    daily = run(src, root)
    # Daily: every task runs in the 15:00 step, its clock showing the registration time (§A.2).
    assert daily.ns["g"].calls == [("task", "10:15", "daily"), ("early", "09:25", "daily"),
                                   ("handle", "15:00", False)]
    minute = run(src, root, frequency="1m")
    assert minute.ns["g"].calls == [("early", "09:25", "minute"), ("task", "10:15", "minute"),
                                    ("handle", "10:15", False), ("handle", "15:00", False)]


def test_context_fields_and_portfolio_totals(root):
    bt = run("""
        def initialize(context):
            g.seen = []
        def before_trading_start(context, data):
            g.seen.append(('before', context.blotter.current_dt, context.previous_date, len(data)))
        def handle_data(context, data):
            p = context.portfolio
            g.seen.append(('handle', context.current_dt, context.capital_base, p.cash, p.total_value,
                           p.portfolio_value, context.sim_params.data_frequency, context.initialized))
            order('600570.SS', 1000)
    """, root, end=DAYS[1], capital_base=50_000)
    seen = bt.ns["g"].seen
    assert seen[0][:2] == ("before", dt.datetime(2024, 3, 4, 8, 30)) and seen[0][3] == 0
    assert seen[1][1:] == (dt.datetime(2024, 3, 4, 15, 0), 50_000, 50_000.0, 50_000.0, 50_000.0, "daily", True)
    assert seen[2][2] == dt.date(2024, 3, 4)
    p = bt.result.portfolio
    assert p["total_value"].iloc[-1] == pytest.approx(p["cash"].iloc[-1] + p["positions_value"].iloc[-1])


def test_yesterday_position_keeps_its_enable_amount(root):
    bt = run("""
        def initialize(context):
            set_yesterday_position([{'sid': '600570.SS', 'amount': '1000', 'enable_amount': '600', 'cost_basis': '55'}])
        def handle_data(context, data):
            p = get_position('600570.SS')
            g.p = (p.amount, p.enable_amount, p.cost_basis)
            order('600570.SS', -1000)
    """, root, end=DAYS[0])
    assert bt.ns["g"].p == (1000, 600, 55.0)
    assert bt.result.trades["amount"].tolist() == [600]


def test_portfolio_positions_show_the_latest_bar_price_in_a_minute_run(tmp_path):
    day = DAYS[0]
    path = [10.0 + 0.01 * k for k in range(240)]
    root = make_root(tmp_path, [day], {CODE: [{"close": path[-1], "volume": 2_400_000}]},
                     {day: {CODE: [(p, p, p, p, 10_000) for p in path]}})
    bt = run("""
        def initialize(context):
            set_yesterday_position([{'sid': '600570.SS', 'amount': 100, 'enable_amount': 100, 'cost_basis': 9}])
            g.px = []
        def handle_data(context, data):
            g.px.append(context.portfolio.positions['600570.SS'].last_sale_price)
    """, root, frequency="1m")
    # In each bar's handle_data the position is valued at that bar's close (§C.4).
    assert bt.ns["g"].px[:4] == pytest.approx(path[:4])


def test_compat_py35_returns_panel_shapes_for_multi_code_history(root):
    src = """
        def initialize(context):
            g.kind = None
        def handle_data(context, data):
            h = get_history(2, '1d', ['close', 'open'], ['600570.SS', '000001.SZ'])
            g.kind = (type(h).__name__, list(h['close'].columns) if hasattr(h['close'], 'columns') else list(h))
    """
    assert run(src, root, start=DAYS[2], end=DAYS[2], options={"compat": "py35"}).ns["g"].kind == \
        ("Panel", ["600570.SS", "000001.SZ"])
    # Default: the Python 3.11 edition's long DataFrame with a code column (a DataFrame subclass that also
    # answers frame[code], §0.1a-6).
    assert run(src, root, start=DAYS[2], end=DAYS[2]).ns["g"].kind == ("HistoryFrame", ["code", "close", "open"])
