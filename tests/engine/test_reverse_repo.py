"""Treasury reverse repo (extension, engine/repo.py): hand-computed interest, commission and cash days across a
weekend and the 2019 National Day holiday (docs/market-rules.md §5.7, §11.3), lot rules by date, rejections."""
from __future__ import annotations

import datetime as dt

import pytest

from ptrade_fast.rules import repo as rrules
from engine_data import backtest, make_root

D = dt.date
# The real SSE calendar around the 2019 National Day holiday (Oct 1-7 closed).
HOLIDAY_DAYS = [D(2019, 9, 19), D(2019, 9, 20), D(2019, 9, 23), D(2019, 9, 24), D(2019, 9, 25), D(2019, 9, 26),
                D(2019, 9, 27), D(2019, 9, 30), D(2019, 10, 8), D(2019, 10, 9), D(2019, 10, 10)]

PLAN_STRATEGY = """
def initialize(context):
    g.plan = PLAN

def handle_data(context, data):
    day = context.blotter.current_dt.strftime('%Y-%m-%d')
    for item in g.plan.get(day, []):
        if item[0] == 'value':
            order_value(item[1], item[2])
        else:
            order(*item)
"""


def _run(tmp_path, days, rates, plan, **kw):
    daily = {code: [{"close": r, "volume": 10_000_000} for r in series] for code, series in rates.items()}
    daily["600000.SS"] = [{"close": 10.0} for _ in days]
    root = make_root(tmp_path, days, daily)
    return backtest(PLAN_STRATEGY.replace("PLAN", repr(plan)), root, start=str(days[0]), end=str(days[-1]), **kw)


def test_day_count_follows_the_rules_document():
    cal = HOLIDAY_DAYS
    # Thursday: F = Fri, M = Fri, S = Mon -> 3 days (the exchanges' example).
    assert rrules.repo_dates(D(2019, 9, 19), 1, cal) == (D(2019, 9, 20), D(2019, 9, 20), D(2019, 9, 23))
    assert rrules.interest_days(D(2019, 9, 19), 1, cal) == 3
    # Friday: F = Mon, M = Mon, S = Tue -> 1 day.
    assert rrules.repo_dates(D(2019, 9, 20), 1, cal) == (D(2019, 9, 23), D(2019, 9, 23), D(2019, 9, 24))
    assert rrules.interest_days(D(2019, 9, 20), 1, cal) == 1
    # The last Friday before the holiday spans it: F = Sep 30, M = Sep 30, S = Oct 8 -> 8 days.
    assert rrules.interest_days(D(2019, 9, 27), 1, cal) == 8
    # The last day before the holiday: F = M = Oct 8, S = Oct 9 -> 1 day.
    assert rrules.repo_dates(D(2019, 9, 30), 1, cal) == (D(2019, 10, 8), D(2019, 10, 8), D(2019, 10, 9))
    # 7 days from Thursday Sep 19: M = first trading day on/after Sep 26 = Sep 26, S = Sep 27, F = Sep 20.
    assert rrules.interest_days(D(2019, 9, 19), 7, cal) == 7
    # Before 2017-05-22 the nominal tenor counts (/360).
    assert rrules.interest_days(D(2016, 9, 29), 1, [D(2016, 9, 29), D(2016, 9, 30), D(2016, 10, 10),
                                                     D(2016, 10, 11)]) == 1


def test_interest_and_commission_to_the_cent():
    # The rules document's example: 100,000 CNY at 2.000 % over 3 days.
    assert rrules.interest_cents(10_000_000, 2.0, 3, D(2019, 9, 19)) == 1644
    assert rrules.commission_cents(10_000_000, 1) == 100
    assert rrules.commission_cents(10_000_000, 7) == 500
    assert rrules.commission_cents(10_000_000, 28) == 2000
    assert rrules.commission_cents(10_000_000, 182) == 3000
    assert rrules.commission_cents(100_000, 1) == 1            # 1,000 CNY: 0.01
    # Before 2017-05-22: /360 over the nominal tenor.
    assert rrules.interest_cents(10_000_000, 3.6, 1, D(2016, 9, 29)) == 1000


def test_a_thursday_repo_over_the_weekend_matches_to_the_cent(tmp_path):
    days = HOLIDAY_DAYS[:6]                   # Thu Sep 19 … Thu Sep 26
    bt = _run(tmp_path, days, {"131810.SZ": [2.0] * 6}, {"2019-09-19": [("131810.SZ", -1000)]})
    cash = dict(zip(bt.result.portfolio.index.strftime("%Y-%m-%d"), bt.result.portfolio["cash"]))
    total = dict(zip(bt.result.portfolio.index.strftime("%Y-%m-%d"), bt.result.portfolio["total_value"]))
    # T: principal 100,000 and commission 1.00 leave the cash; the loan is valued at its principal.
    assert cash["2019-09-19"] == pytest.approx(899_999.00, abs=1e-6)
    assert total["2019-09-19"] == pytest.approx(999_999.00, abs=1e-6)
    # M = Friday: principal + 3 days' interest 16.44 usable.
    assert cash["2019-09-20"] == pytest.approx(1_000_015.44, abs=1e-6)
    t = bt.result.trades.iloc[0]
    assert (t.code, t.side, t.amount, t.price, t.value, t.commission) == ("131810.SZ", "卖", 1000, 2.0, 100_000.0, 1.0)
    o = bt.result.orders.iloc[0]
    assert (o.status, o.amount, o.filled) == ("8", -1000, -1000)


def test_repos_across_the_national_day_holiday_match_to_the_cent(tmp_path):
    days = HOLIDAY_DAYS[4:]                   # Wed Sep 25 … Thu Oct 10
    rates = {"204001.SS": [3.0] * len(days), "131810.SZ": [2.5] * len(days)}
    plan = {"2019-09-27": [("204001.SS", -1000)],          # Friday before the holiday: 8 days
            "2019-09-30": [("131810.SZ", -500)]}           # last day before it: 1 day, back on Oct 8
    bt = _run(tmp_path, days, rates, plan)
    cash = dict(zip(bt.result.portfolio.index.strftime("%Y-%m-%d"), bt.result.portfolio["cash"]))
    # Sep 27: 100,000 + 1.00 commission out.
    assert cash["2019-09-27"] == pytest.approx(899_999.00, abs=1e-6)
    # Sep 30 (M of the Friday repo): + 100,000 + 100,000 × 3 % × 8 / 365 = 65.75; then 50,000 + 0.50 out.
    assert cash["2019-09-30"] == pytest.approx(899_999.00 + 100_065.75 - 50_000.50, abs=1e-6)
    # Oct 8 (M of the Sep 30 repo): + 50,000 + 50,000 × 2.5 % × 1 / 365 = 3.42.
    assert cash["2019-10-08"] == pytest.approx(899_999.00 + 100_065.75 - 50_000.50 + 50_003.42, abs=1e-6)
    assert list(bt.result.trades["commission"]) == [1.0, 0.5]


def test_lot_rules_by_date_and_rejections(tmp_path):
    days = [D(2022, 5, 12), D(2022, 5, 13), D(2022, 5, 16), D(2022, 5, 17), D(2022, 5, 18)]
    rates = {"204001.SS": [1.5] * 5, "131810.SZ": [1.5] * 5}
    plan = {"2022-05-13": [("204001.SS", -10), ("131810.SZ", -10), ("204001.SS", -1000)],
            "2022-05-16": [("204001.SS", -10), ("131810.SZ", -15), ("131810.SZ", 10), ("131810.SZ", -5)],
            "2022-05-17": [("value", "131810.SZ", -10000)]}
    bt = _run(tmp_path, days, rates, plan)
    o = bt.result.orders
    got = [(r.dt.strftime("%m-%d"), r.code, r.amount, r.filled, r.status) for r in o.itertuples()]
    assert got == [
        ("05-13", "204001.SS", -10, 0, "9"),          # SSE: 1,000 张 (100,000 CNY) minimum before 2022-05-16
        ("05-13", "131810.SZ", -10, -10, "8"),        # SZSE: 10 张 always
        ("05-13", "204001.SS", -1000, -1000, "8"),
        ("05-16", "204001.SS", -10, -10, "8"),        # SSE: 10 张 from 2022-05-16
        ("05-16", "131810.SZ", -10, -10, "8"),        # -15 rounded down to the 10 张 unit
        ("05-16", "131810.SZ", 10, 0, "9"),           # a buy would borrow: rejected
        ("05-16", "131810.SZ", -5, 0, "9"),           # under the minimum
        ("05-17", "131810.SZ", -6666, 0, "9"),        # order_value: 10,000 / 1.5 "per 张": refused
    ]
    assert "lends at least 1000 张 (100,000 CNY) on 2022-05-13" in o.iloc[0].error_info
    assert "委托数量不足一手" in o.iloc[0].error_info
    assert "正回购" in o.iloc[5].error_info
    assert "a repo's price is its rate" in o.iloc[7].error_info


def test_a_repo_is_a_position_while_open_and_clipped_to_the_cash(tmp_path):
    days = HOLIDAY_DAYS[:4]
    src = """
def initialize(context):
    g.seen = []

def handle_data(context, data):
    if not g.seen:
        order('131810.SZ', -20000)          # 2,000,000 CNY: more than the cash

def after_trading_end(context, data):
    p = context.portfolio.positions.get('131810.SZ')
    g.seen.append((p.amount, p.enable_amount, p.cost_basis, context.portfolio.positions_value) if p else None)
"""
    daily = {"131810.SZ": [{"close": 2.0, "volume": 10_000_000}] * 4}
    root = make_root(tmp_path, days, daily)
    bt = backtest(src, root, start=str(days[0]), end=str(days[-1]))
    o = bt.result.orders.iloc[0]
    # 999,990 CNY + 10.00 commission = all the cash: 9,999 张 … rounded to the 10 张 unit: 9,990.
    assert (o.amount, o.filled, o.status) == (-20000, -9990, "5")
    assert "reverse repo reduced" in o.error_info
    assert bt.g.seen[0] == (9990, 0, 100.0, 999_000.0)   # Thu: the loan shows until it returns on Fri
    assert bt.g.seen[1] is None
