"""Rules seen through whole runs, with expected numbers worked out by hand (issue 19): conversion shares (转增)
and combined bonus + conversion + cash on real ex-dates of the bundled data, ``run_daily`` at the session edges
of a minute run, the default volume cap, and futures fees and margins by date."""
from __future__ import annotations

import pytest

import ptrade_fast
from engine_data import backtest, make_root, weekdays

# -- corporate actions on real ex-dates (bundle: data/ex_rights.parquet + daily bars) ---------------------------

HOLD = """
def initialize(context):
    set_universe('{code}')
    g.days = []
def handle_data(context, data):
    if get_position('{code}').amount == 0 and context.blotter.current_dt.date().isoformat() == '{buy}':
        order('{code}', 10000)
def after_trading_end(context, data):
    p = get_position('{code}')
    g.days.append((context.blotter.current_dt.date().isoformat(), p.amount, p.enable_amount,
                   round(p.cost_basis, 6), round(context.portfolio.cash, 2)))
"""


def _hold(code, buy, start, end, **options):
    bt = ptrade_fast.Backtest(HOLD.format(code=code, buy=buy), start=start, end=end, capital_base=300_000,
                              options={"slippage": 0.0, **options})
    r = bt.run()
    return r, {d[0]: d[1:] for d in bt.ns["g"].days}


def test_conversion_shares_only_000005_sz_1997_08_25():
    # 10转3 (conversion_ratio 0.3), no cash: 10,000 shares -> 13,000, cash unchanged, cost spread over 13,000.
    r, days = _hold("000005.SZ", "1997-08-21", "1997-08-21", "1997-08-26")
    buy = r.trades.iloc[0]
    assert (buy["amount"], buy["price"]) == (10_000, 9.70)
    paid = buy["value"] + buy["fees"]
    amount, enable, cost, cash = days["1997-08-22"]
    assert (amount, enable) == (10_000, 10_000)
    assert days["1997-08-25"] == (13_000, 13_000, round(paid / 13_000, 6), cash)
    assert len(r.trades) == 1
    line = "ex-rights 000005.SZ: cash dividend 0.00 CNY credited, 3000 bonus/conversion shares added"
    assert r.logs["message"].eq(line).sum() == 1


def test_cash_bonus_and_conversion_together_000005_sz_2001_07_16():
    # 10送0.44转0.44派0.113: 10,000 shares -> 10,880; cash + 0.0113 × 10,000 = 113.00 (pre-tax by default).
    r, days = _hold("000005.SZ", "2001-07-12", "2001-07-12", "2001-07-17")
    paid = r.trades.iloc[0]["value"] + r.trades.iloc[0]["fees"]
    _, _, _, cash_before = days["2001-07-13"]
    amount, enable, cost, cash = days["2001-07-16"]
    assert (amount, enable) == (10_880, 10_880)
    assert cash == round(cash_before + 113.00, 2)
    assert cost == round((paid - 113.00) / 10_880, 6)


def test_pre_2005_dividend_is_withheld_at_20_percent_under_holding_period_tax():
    # market-rules §5.8: before 2005-06-13 (project day) 20 % withheld at payment: 113.00 − 22.60 = 90.40.
    r, days = _hold("000005.SZ", "2001-07-12", "2001-07-12", "2001-07-17", dividend_tax="holding_period")
    assert days["2001-07-16"][0] == 10_880
    assert days["2001-07-16"][3] == round(days["2001-07-13"][3] + 90.40, 2)
    assert r.logs["message"].eq("dividend tax withheld on 000005.SZ: 22.60 CNY").sum() == 1


def test_cash_and_conversion_600000_ss_2002_08_22():
    # 10转5派2: 10,000 -> 15,000 shares, cash + 2,000.00.
    r, days = _hold("600000.SS", "2002-08-19", "2002-08-19", "2002-08-23")
    paid = r.trades.iloc[0]["value"] + r.trades.iloc[0]["fees"]
    amount, enable, cost, cash = days["2002-08-22"]
    assert (amount, enable) == (15_000, 15_000)
    assert cash == round(days["2002-08-21"][3] + 2_000.00, 2)
    assert cost == round((paid - 2_000.00) / 15_000, 6)


# -- run_daily at the session edges of a minute run ------------------------------------------------------------

def _ramp_day(tmp_path):
    day = weekdays("2024-03-04", 1)
    closes = [round(10 + k * 0.01, 2) for k in range(240)]        # bar k closes at 10.00 + k cents
    minutes = [(p, p, p, p, 10_000) for p in closes]
    root = make_root(tmp_path, day, {"600570.SS": [{"close": 12.39, "open": 10.0, "high": 12.39, "low": 10.0,
                                                    "volume": 2_400_000}]}, {day[0]: {"600570.SS": minutes}})
    return root


def test_run_daily_at_the_session_edges_fires_with_the_right_bar(tmp_path):
    bt = backtest("""
        def initialize(context):
            g.n = 0
            g.seen = []
            for t in ('09:31', '11:30', '13:00', '15:00'):
                run_daily(context, lambda c, t=t: (g.seen.append((t, g.n)), order('600570.SS', 100)), time=t)
        def handle_data(context, data):
            g.n += 1
    """, _ramp_day(tmp_path), frequency="1m")
    # Each task runs before that bar's handle_data: 0, 119, 120 (the 13:01 bar), 239 handle_data calls before.
    assert bt.ns["g"].seen == [("09:31", 0), ("11:30", 119), ("13:00", 120), ("15:00", 239)]
    fills = [(t["dt"].strftime("%H:%M"), t["price"]) for _, t in bt.result.trades.iterrows()]
    assert fills == [("09:31", 10.00), ("11:30", 11.19), ("13:01", 11.20), ("15:00", 12.39)]


def test_run_daily_in_the_lunch_break_runs_with_the_13_01_bar(tmp_path):
    # Engine decision (api/settings.py session_time_for): 11:31–12:59 run with the 13:01 bar, with a warning.
    bt = backtest("""
        def initialize(context):
            g.n = 0
            g.seen = []
            run_daily(context, lambda c: g.seen.append(g.n), time='12:00')
        def handle_data(context, data):
            g.n += 1
    """, _ramp_day(tmp_path), frequency="1m")
    assert bt.ns["g"].seen == [120]


# -- the default volume cap ----------------------------------------------------------------------------------

def test_default_volume_cap_is_a_quarter_of_the_bar_and_the_rest_is_cancelled(tmp_path):
    day = weekdays("2024-03-04", 1)
    root = make_root(tmp_path, day, {"600570.SS": [{"close": 10.0, "volume": 10_000}]})
    bt = backtest("""
        def initialize(context):
            pass
        def handle_data(context, data):
            g.oid = order('600570.SS', 5000)
        def after_trading_end(context, data):
            g.o = get_order(g.oid)
    """, root)
    o = bt.ns["g"].o
    assert (o.status, o.filled, o.amount) == ("5", 2500, 5000)
    assert bt.result.trades["amount"].tolist() == [2500]


def test_default_volume_cap_applies_per_minute_bar(tmp_path):
    day = weekdays("2024-03-04", 1)
    minutes = [(10.0, 10.0, 10.0, 10.0, 1_000)] * 240
    root = make_root(tmp_path, day, {"600570.SS": [{"close": 10.0, "volume": 240_000}]},
                     {day[0]: {"600570.SS": minutes}})
    bt = backtest("""
        def initialize(context):
            g.done = False
        def handle_data(context, data):
            if not g.done:
                g.oid = order('600570.SS', 1000)
                g.done = True
        def after_trading_end(context, data):
            g.o = get_order(g.oid)
    """, root, frequency="1m")
    o = bt.ns["g"].o
    assert (o.status, o.filled) == ("5", 200)     # 0.25 × 1,000 = 250 rounded down to the 100-share lot


# -- futures fees and margins by hand (market-rules §9.1; rates written here, not read from the rules) -------

FUT = """
def initialize(context):
    g.n = 0
def handle_data(context, data):
    g.n += 1
    {body}
"""


def _fut(body, start, end):
    bt = ptrade_fast.Backtest(FUT.format(body=body), start=start, end=end, capital_base=2_000_000,
                              options={"slippage": 0.0})
    return bt.run()


def test_if_open_fee_margin_and_settlement_2024():
    # 2024-03-04 IF2403: 2 lots bought at the close 631.6 -> value 631.6 × 300 × 2 = 378,960.00;
    # open fee 0.23 per 10,000: 8.7161 -> 8.72; margin 10 % of the settlement 632.6: 37,956.00;
    # mark-to-market (632.6 − 631.6) × 300 × 2 = +600.00.
    r = _fut("if g.n == 1: buy_open('IF2403.CCFX', 2)", "2024-03-04", "2024-03-04")
    t = r.trades.iloc[0]
    assert (t["price"], t["value"], t["fees"]) == (631.6, 378_960.0, 8.72)
    p = r.portfolio.iloc[0]
    assert p["positions_value"] == 37_956.0
    assert p["cash"] == round(2_000_000 - 8.72 - 37_956.0 + 600.0, 2)


def test_if_close_yesterday_and_close_today_fees_2024():
    # Day 2 (close 617.0, one lot 185,100.00): close 1 carried lot 4.2573 -> 4.26; open 1: 4.26; close 2 =
    # 1 carried lot at 0.23 per 10,000 + 1 today's lot at 2.3 per 10,000: 4.2573 + 42.573 = 46.8303 -> 46.83.
    r = _fut("""if g.n == 1:
        buy_open('IF2403.CCFX', 2)
    if g.n == 2:
        sell_close('IF2403.CCFX', 1)
        buy_open('IF2403.CCFX', 1)
        sell_close('IF2403.CCFX', 2)""", "2024-03-04", "2024-03-05")
    assert r.trades["fees"].tolist() == [8.72, 4.26, 4.26, 46.83]
    # P&L: the two carried lots lose (617.0 − 632.6) × 300 × 2 = −9,360.00; the day's round trip nets 0.
    assert r.portfolio["total_value"].tolist() == [2_000_591.28, round(2_000_591.28 - 9_360.0 - 55.35, 2)]


@pytest.mark.parametrize("day, price, open_fee, close_today_fee", [
    ("2023-03-17", 690.8, 4.77, 71.50),    # 207,240.00 × 0.23 ‱ = 4.7665; × 3.45 ‱ = 71.4978
    ("2023-03-20", 711.6, 4.91, 49.10),    # 213,480.00 × 0.23 ‱ = 4.9100; × 2.3 ‱ (from 2023-03-20) = 49.1004
])
def test_if_close_today_fee_changes_on_2023_03_20(day, price, open_fee, close_today_fee):
    r = _fut("""buy_open('IF2306.CCFX', 1)
    sell_close('IF2306.CCFX', 1)""", day, day)
    assert r.trades["price"].tolist() == [price, price]
    assert r.trades["fees"].tolist() == [open_fee, close_today_fee]


def test_if_fees_and_margin_in_january_2019():
    # 2019-01-02 IF1906 at 560.0: 168,000.00 per lot; open 0.25 ‱ = 4.20; margin 10 % of the settlement 564.0
    # × 300 × 2 = 33,840.00.  Next day a same-day round trip at 549.0 (164,700.00): close-today 4.6 ‱ = 75.762
    # -> 75.76, open 4.1175 -> 4.12.
    r = _fut("""if g.n == 1: buy_open('IF1906.CCFX', 2)
    if g.n == 2:
        buy_open('IF1906.CCFX', 1)
        sell_close('IF1906.CCFX', 3)""", "2019-01-02", "2019-01-03")
    assert r.trades["fees"].tolist()[0] == 8.40
    assert r.portfolio["positions_value"].iloc[0] == 33_840.0
    # Closing 3 on day 2: 2 carried lots at 0.25 ‱ (164,700 × 2 × 0.000025 = 8.235) + 1 today's lot at 4.6 ‱.
    assert r.trades["fees"].tolist()[1:] == [4.12, round(8.235 + 75.762 + 1e-9, 2)]


# -- constructed ex-dates: the first day of a run, and the sale tax of the holding-period rule ------------------

def _with_action(root, code, day, cash=0.0, bonus=0.0, conversion=0.0):
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    ex = pd.DataFrame({"code": [code], "ex_date": pd.to_datetime([day]), "cash_dividend": [cash],
                       "bonus_ratio": [bonus], "conversion_ratio": [conversion], "rights_ratio": [0.0],
                       "rights_price": [0.0], "total_shares": [10**9], "float_shares": [10**9],
                       "has_action": [True]})
    pq.write_table(pa.Table.from_pandas(ex, preserve_index=False), root / "ex_rights.parquet")
    return root


def test_an_ex_date_on_the_first_day_of_the_run_applies_to_yesterdays_position(tmp_path):
    days = weekdays("2014-03-03", 2)
    root = _with_action(make_root(tmp_path, days, {"600570.SS": [{"close": 10.0}, {"close": 10.0}]}),
                        "600570.SS", "2014-03-03", conversion=0.5)
    bt = backtest("""
        def initialize(context):
            set_yesterday_position([{'sid': '600570.SS', 'amount': 1000, 'enable_amount': 1000, 'cost_basis': 15}])
            g.amounts = []
        def handle_data(context, data):
            g.amounts.append(get_position('600570.SS').amount)
    """, root)
    assert bt.ns["g"].amounts == [1500, 1500]


def test_holding_period_tax_is_charged_on_a_sale_within_a_month_and_logged(tmp_path):
    # Buy 1,000 on 2014-03-03; 0.50 CNY cash on 2014-03-05 (500.00, paid gross); sold 2014-03-07, held under a
    # month: 20 % of 500.00 = 100.00 CNY taken from cash at the sale.
    days = weekdays("2014-03-03", 5)
    root = _with_action(make_root(tmp_path, days, {"600570.SS": [{"close": 10.0}] * 5}),
                        "600570.SS", "2014-03-05", cash=0.5)
    src = """
        def initialize(context):
            g.n = 0
            g.cash = []
        def handle_data(context, data):
            g.n += 1
            if g.n == 1:
                order('600570.SS', 1000)
            if g.n == 5:
                order('600570.SS', -1000)
        def after_trading_end(context, data):
            g.cash.append(round(context.portfolio.cash, 2))
    """
    taxed = backtest(src, root, options={"dividend_tax": "holding_period"})
    plain = backtest(src, root)
    assert taxed.ns["g"].cash[:4] == plain.ns["g"].cash[:4]
    assert plain.ns["g"].cash[2] - plain.ns["g"].cash[1] == 500.0
    assert round(plain.ns["g"].cash[4] - taxed.ns["g"].cash[4], 2) == 100.0
    logs = taxed.result.logs
    assert logs["message"].str.contains("dividend tax on the sale of 1000 600570.SS: 100.00 CNY").sum() == 1
    line = "ex-rights 600570.SS: cash dividend 500.00 CNY credited, 0 bonus/conversion shares added"
    assert logs["message"].eq(line).sum() == 1


def test_holding_period_tax_also_applies_to_a_financed_position_sold_to_repay(tmp_path):
    # 融资买入 (margincash_open) 1,000 on 2014-03-03, 0.50 CNY cash on 2014-03-05, 卖券还款 (margincash_close)
    # on 2014-03-07: the same 20 % of 500.00 = 100.00 CNY as for a cash account.
    days = weekdays("2014-03-03", 5)
    root = _with_action(make_root(tmp_path, days, {"600570.SS": [{"close": 10.0}] * 5}),
                        "600570.SS", "2014-03-05", cash=0.5)
    src = """
        def initialize(context):
            g.n = 0
        def handle_data(context, data):
            g.n += 1
            if g.n == 1:
                margincash_open('600570.SS', 1000)
            if g.n == 5:
                margincash_close('600570.SS', 1000)
    """
    taxed = backtest(src, root, options={"dividend_tax": "holding_period", "margin_account": True})
    plain = backtest(src, root, options={"margin_account": True})
    assert len(taxed.result.trades) == len(plain.result.trades) == 2
    assert round(plain.result.portfolio["total_value"].iloc[-1] - taxed.result.portfolio["total_value"].iloc[-1],
                 2) == 100.0


def test_an_ex_date_on_the_last_day_of_the_run_applies():
    _, days = _hold("000005.SZ", "1997-08-21", "1997-08-21", "1997-08-25")
    assert days["1997-08-25"][:2] == (13_000, 13_000)


def test_ten_for_ten_conversion_without_cash_doubles_the_position(tmp_path):
    days = weekdays("2014-03-03", 3)
    root = _with_action(make_root(tmp_path, days, {"600570.SS": [{"close": 10.0}, {"close": 10.0}, {"close": 5.0}]}),
                        "600570.SS", "2014-03-05", conversion=1.0)
    bt = backtest("""
        def initialize(context):
            g.amounts = []
        def handle_data(context, data):
            if not g.amounts:
                order('600570.SS', 1000)
            g.amounts.append(get_position('600570.SS').amount)
    """, root)
    assert bt.ns["g"].amounts == [0, 1000, 2000]      # seen in handle_data: the buy fills after it
