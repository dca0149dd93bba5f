"""IPO subscription (extension, engine/ipo.py): quota from holdings, the seeded lottery, payment, listing-day
sale (docs/market-rules.md §12, docs/engine.md "IPO subscription")."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ptrade_fast.data.ipo import subscription_code, write_ipo_calendar
from ptrade_fast.errors import StrategyRuntimeError
from ptrade_fast.rules import ipo as irules
from engine_data import backtest, make_root, weekdays

DAYS = weekdays("2019-03-04", 30)
T, PAY, LIST = DAYS[25], DAYS[27], DAYS[29]

STRATEGY = """
def initialize(context):
    g.out = {}
    g.seen = []

def handle_data(context, data):
    day = context.blotter.current_dt.strftime('%Y-%m-%d')
    if day == DAY0:
        order('600000.SS', 10000)
    if day == SUB:
        g.stocks = get_ipo_stocks()
        g.out = ipo_stocks_order()
    p = context.portfolio.positions.get('603999.SS')
    g.seen.append((day, p.amount, p.enable_amount) if p else (day, 0, 0))
    if day == LIST and p and p.enable_amount:
        order('603999.SS', -p.enable_amount)
"""


def _root(tmp_path, rate=1.0, price=8.0):
    daily = {"600000.SS": [{"close": 10.0}] * 30,
             "603999.SS": [None] * 29 + [{"close": 11.52, "open": 11.52}],
             "300999.SZ": [None] * 29 + [{"close": 30.0}]}
    root = make_root(tmp_path, DAYS, daily)
    write_ipo_calendar(root, pd.DataFrame([
        {"code": "603999.SS", "subscription_code": "732999.SS", "name": "新股甲", "exchange": "SSE",
         "board": "SH_main", "subscription_date": T, "issue_price": price, "max_subscription": 8000,
         "lottery_rate": rate, "payment_date": PAY, "listing_date": LIST},
        {"code": "300999.SZ", "subscription_code": "300999.SZ", "name": "新股乙", "exchange": "SZSE",
         "board": "ChiNext", "subscription_date": T, "issue_price": 20.0, "max_subscription": 6000,
         "lottery_rate": rate, "payment_date": PAY, "listing_date": LIST}]))
    return root


def _run(tmp_path, root, **kw):
    src = (STRATEGY.replace("DAY0", repr(str(DAYS[0]))).replace("SUB", repr(str(T)))
           .replace("LIST", repr(str(LIST))))
    return backtest(src, root, start=str(DAYS[0]), end=str(DAYS[-1]), **kw)


def test_quota_and_subscription_units():
    assert irules.quota(9_999.99, "SH_main", "2019-01-02", 30_000) == 0
    assert irules.quota(100_000, "SH_main", "2019-01-02", 30_000) == 10_000       # 1,000 per 10,000 CNY
    assert irules.quota(100_000, "SH_main", "2023-04-10", 30_000) == 10_000       # 500 per 5,000 from then
    assert irules.quota(14_999, "SH_main", "2023-04-10", 30_000) == 1_000
    assert irules.quota(14_999, "SH_main", "2023-04-07", 30_000) == 1_000
    assert irules.quota(54_999, "ChiNext", "2019-01-02", 30_000) == 5_000
    assert irules.quota(1_000_000, "STAR", "2019-08-01", 6_500) == 6_500
    assert irules.quota(1_000_000, "SH_main", "2019-08-01", 8_500) == 8_000       # whole units only
    assert subscription_code("603999.SS") == "732999.SS" and subscription_code("688001.SS") == "787001.SS"
    assert subscription_code("300999.SZ") == "300999.SZ"


def test_lottery_is_seeded_and_deterministic():
    draws = {s: irules.lottery(s, "603999.SS", "2019-04-08", 20_000, "SH_main", 0.3) for s in range(20)}
    assert draws == {s: irules.lottery(s, "603999.SS", "2019-04-08", 20_000, "SH_main", 0.3) for s in range(20)}
    assert len(set(draws.values())) > 1                          # different seeds can differ
    assert all(v % 1000 == 0 and 0 <= v <= 20_000 for v in draws.values())
    assert irules.lottery(7, "603999.SS", "2019-04-08", 20_000, "SH_main", 1.0) == 20_000
    assert irules.lottery(7, "603999.SS", "2019-04-08", 20_000, "SH_main", 0.0) == 0


def test_quota_from_holdings_payment_locked_shares_and_listing_day_sale(tmp_path):
    bt = _run(tmp_path, _root(tmp_path))
    out = bt.g.out
    # Held 10,000 × 10.00 = 100,000 CNY of SSE shares every day from day 0: the 20 days to T−2 average
    # 100,000 → 10,000 shares, capped at the 8,000.  No SZSE holdings: no ChiNext quota.
    assert bt.g.stocks == {"上证普通代码": ["732999.SS"], "上证科创板代码": [], "深证普通代码": [],
                           "深证创业板代码": ["300999.SZ"], "可转债代码": []}
    assert (out["732999.SS"]["status"], out["732999.SS"]["amount"], out["732999.SS"]["price"]) == (1, 8000, 8.0)
    assert out["300999.SZ"]["status"] == 0 and "no subscription quota" in out["300999.SZ"]["error_info"]
    seen = dict((d, (a, e)) for d, a, e in bt.g.seen)
    assert seen[str(T)] == (0, 0) and seen[str(DAYS[26])] == (0, 0)
    assert seen[str(DAYS[28])] == (8000, 0)            # paid on the payment day, not sellable before listing
    assert seen[str(LIST)] == (8000, 8000)             # sellable on the listing day
    pf = bt.result.portfolio
    cash = dict(zip(pf.index.strftime("%Y-%m-%d"), pf["cash"]))
    assert cash[str(DAYS[26])] - cash[str(PAY)] == pytest.approx(64_000.0)        # 8,000 × 8.00, no fees
    trades = bt.result.trades
    ipo = trades[trades.code == "603999.SS"]
    assert [(t.side, t.amount, t.price, t.fees) for t in ipo.itertuples()][0] == ("买", 8000, 8.0, 0.0)
    assert (ipo.iloc[1].side, ipo.iloc[1].amount, ipo.iloc[1].price) == ("卖", 8000, 11.52)   # sold on listing day
    o = bt.result.orders
    sub = o[(o.code == "603999.SS") & (o.amount > 0)].iloc[0]
    assert (sub.status, sub.filled) == ("8", 8000) and "8000 of 8000 shares allotted" in sub.error_info


def test_quota_counts_days_before_the_run_as_zero_and_the_outside_holdings_option(tmp_path):
    root = _root(tmp_path)
    bt = _run(tmp_path, root, options={"ipo_holdings_value": {"SSE": 0.0, "SZSE": 30_000.0}})
    # SZSE: 30,000 outside the run → 6 units × 500 = 3,000 ChiNext shares (cap 6,000).
    assert (bt.g.out["300999.SZ"]["status"], bt.g.out["300999.SZ"]["amount"]) == (1, 3000)
    desk = bt.account.ipo
    # The SSE average over the 20 days to DAYS[12] − 2 covers DAYS[0..10] held (11 days) and 9 days before the
    # calendar: 11 × 100,000 / 20 = 55,000 → 5,000 shares.
    assert desk.average_value("SSE", DAYS[12]) == pytest.approx(55_000.0)
    assert irules.quota(desk.average_value("SSE", DAYS[12]), "SH_main", DAYS[12], 30_000) == 5_000


def test_an_allotment_the_cash_cannot_pay_is_given_up_in_whole_units(tmp_path):
    bt = _run(tmp_path, _root(tmp_path, price=10.0), capital_base=150_000.0)
    # 100,000 in the stock (+ fees) leaves 49,965.13 of cash: 8,000 × 10.00 cannot be paid; 4 whole units of
    # 1,000 shares can (40,000), the other 4,000 shares are given up.
    o = bt.result.orders
    sub = o[(o.code == "603999.SS") & (o.amount > 0)].iloc[0]
    assert bt.result.portfolio["cash"].iloc[26] == pytest.approx(49_965.13)
    assert (sub.filled, sub.status) == (4000, "5")
    assert "8000 of 8000 shares allotted, 4000 given up (cash short)" in sub.error_info
    assert bt.result.portfolio["cash"].iloc[27] == pytest.approx(9_965.13)


def test_same_seed_same_allotment_and_without_a_calendar_the_functions_stay_live_only(tmp_path):
    root = _root(tmp_path, rate=0.05)
    a = _run(tmp_path, root, options={"seed": 5}).result.orders
    b = _run(tmp_path, root, options={"seed": 5}).result.orders
    assert a.equals(b)
    (root / "ipo.parquet").unlink()
    with pytest.raises(StrategyRuntimeError, match="get_ipo_stocks is only available in live trading"):
        _run(tmp_path, root)


def test_a_bad_calendar_row_is_named(tmp_path):
    root = make_root(tmp_path, DAYS, {"600000.SS": [{"close": 10.0}] * 30})
    row = {"code": "603999.SS", "subscription_code": "732999.SS", "name": "x", "exchange": "SSE", "board": "ChiNext",
           "subscription_date": T, "issue_price": 8.0, "max_subscription": 8000, "lottery_rate": 0.001,
           "payment_date": PAY, "listing_date": LIST}
    with pytest.raises(ValueError, match=r"ipo.parquet: row 0 \(603999.SS\): board ChiNext is not on SSE"):
        write_ipo_calendar(root, pd.DataFrame([row]))
    row["board"], row["lottery_rate"] = "SH_main", 2.0
    with pytest.raises(ValueError, match="lottery_rate is a fraction"):
        write_ipo_calendar(root, pd.DataFrame([row]))


def test_a_resumed_run_carries_open_loans_and_subscriptions(tmp_path):
    import ptrade_fast
    from ptrade_fast import errors as E
    root = _root(tmp_path, rate=1.0)
    src = (STRATEGY.replace("DAY0", repr(str(DAYS[0]))).replace("SUB", repr(str(T))).replace("LIST", repr(str(LIST)))
           + "\n    if context.portfolio.cash > 20000:\n        order('131810.SZ', -100)\n")
    path = tmp_path / "s.py"
    path.write_text(src, encoding="utf-8")
    daily = {"131810.SZ": [{"close": 2.0, "volume": 10_000_000}] * 30}
    repo_root = make_root(tmp_path / "r", DAYS, {**daily, "600000.SS": [{"close": 10.0}] * 30,
                                               "603999.SS": [None] * 29 + [{"close": 11.52}]})
    (repo_root / "ipo.parquet").write_bytes((root / "ipo.parquet").read_bytes())
    span = dict(start=str(DAYS[0]), end=str(DAYS[-1]), data=str(repo_root), benchmark=None, log_level="WARNING")
    full = ptrade_fast.run(str(path), **span)

    def stop(done, total, day):
        if done == 27:                           # after T, before the payment day: a subscription is open
            raise E.RunInterrupted("stopped by the test", "test")
    with pytest.raises(E.RunInterrupted):
        ptrade_fast.run(str(path), checkpoint_every=1, checkpoint_dir=str(tmp_path / "ck"), progress=stop, **span)
    resumed = ptrade_fast.resume(tmp_path / "ck")
    assert resumed.orders.equals(full.orders) and resumed.trades.equals(full.trades)
    assert resumed.portfolio.equals(full.portfolio)
    assert (full.trades.code == "603999.SS").sum() == 2 and (full.trades.code == "131810.SZ").sum() > 20
