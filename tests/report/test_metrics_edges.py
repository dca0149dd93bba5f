"""compute_metrics and closed_trades on the runs that break naive code: no benchmark, one day, no
trades, a fall on day 1, bonus shares, shorts, sell orders filled in parts."""
import math

import numpy as np
import pandas as pd
import pytest

from ptrade_fast.report.metrics import closed_trades, compute_metrics, max_drawdown


def portfolio(returns, start="2024-03-01", capital=1_000_000.0):
    dates = pd.bdate_range(start, periods=len(returns), name="date")
    r = np.asarray(returns, dtype="float64")
    total = capital * np.cumprod(1 + r)
    return pd.DataFrame({"total_value": total, "cash": total, "positions_value": 0.0, "returns": r,
                         "pnl": np.diff(np.concatenate([[capital], total]))}, index=dates)


def fills(rows):
    cols = ["dt", "code", "side", "amount", "price", "order_id"]
    t = pd.DataFrame(rows, columns=cols)
    t["dt"] = pd.to_datetime(t["dt"])
    t["value"] = t["amount"] * t["price"]
    t["fees"] = 0.0
    return t


def test_all_nan_benchmark_gives_nan_benchmark_metrics_and_win_days_against_zero():
    p = portfolio([0.01, -0.02, 0.03, 0.0])
    bench = pd.DataFrame({"close": np.nan, "returns": np.nan}, index=p.index)

    m = compute_metrics(p, bench)

    for key in ("benchmark_return", "benchmark_annual_return", "excess_return", "alpha", "beta",
                "information_ratio", "benchmark_volatility", "tracking_error"):
        assert math.isnan(m[key]), key
    assert m["daily_win_rate"] == 0.5
    assert m["sharpe"] == m["sharpe"]   # still defined


def test_one_day_run_has_nan_volatility_but_a_return():
    m = compute_metrics(portfolio([0.02]), None)

    assert m["total_return"] == pytest.approx(0.02)
    assert math.isnan(m["volatility"]) and math.isnan(m["sharpe"])
    assert m["max_drawdown"] == 0.0 and m["max_drawdown_start"] is None


def test_flat_run_has_nan_ratios_not_division_errors():
    m = compute_metrics(portfolio([0.0] * 10), None)

    assert m["volatility"] == 0.0
    assert math.isnan(m["sharpe"]) and math.isnan(m["sortino"])
    assert m["max_drawdown"] == 0.0


def test_no_trades_gives_nan_win_rate_and_zero_counts():
    m = compute_metrics(portfolio([0.01, 0.01]), None, trades=None)

    assert math.isnan(m["win_rate"]) and math.isnan(m["profit_loss_ratio"])
    assert m["trade_count"] == 0 and m["closed_trades"] == 0 and m["turnover"] == 0.0


def test_a_fall_on_day_one_counts_from_the_starting_capital():
    p = portfolio([-0.05, 0.01, 0.01])

    mdd, start, end = max_drawdown(p["returns"])

    assert mdd == pytest.approx(0.05)
    assert start == end == p.index[0]


def test_partial_benchmark_uses_the_days_both_have():
    p = portfolio([0.01, -0.01, 0.02, 0.005])
    bench = pd.DataFrame({"close": 1.0, "returns": [np.nan, -0.02, 0.01, 0.0]}, index=p.index)

    m = compute_metrics(p, bench)

    assert m["benchmark_return"] == pytest.approx(0.98 * 1.01 - 1)
    r, b = p["returns"].iloc[1:], bench["returns"].iloc[1:]
    assert m["beta"] == pytest.approx(np.cov(r, b)[0, 1] / np.var(b, ddof=1))
    assert m["daily_win_rate"] == pytest.approx(3 / 3)


def test_sell_order_filled_in_parts_is_one_closed_trade():
    t = fills([("2024-03-01 10:00", "A", "买", 200, 10.0, "b1"),
               ("2024-03-04 10:00", "A", "卖", 100, 12.0, "s1"),
               ("2024-03-04 10:01", "A", "卖", 100, 9.0, "s1")])

    closed = closed_trades(t)

    assert len(closed) == 1
    assert closed.loc[0, "amount"] == 200
    assert closed.loc[0, "pnl"] == pytest.approx(2100 - 2000)


def test_losses_and_profit_loss_ratio_use_average_cost():
    t = fills([("2024-03-01 10:00", "A", "买", 100, 10.0, "b1"),
               ("2024-03-01 10:05", "A", "买", 100, 12.0, "b2"),   # average cost 11
               ("2024-03-04 10:00", "A", "卖", 100, 13.0, "s1"),   # +200
               ("2024-03-05 10:00", "A", "卖", 100, 10.0, "s2")])  # -100
    m = compute_metrics(portfolio([0.0] * 5), None, trades=t)

    assert (m["winning_trades"], m["losing_trades"], m["closed_trades"]) == (1, 1, 2)
    assert m["win_rate"] == 0.5
    assert m["profit_loss_ratio"] == pytest.approx(2.0)


def test_bonus_shares_seen_in_positions_keep_the_total_cost():
    t = fills([("2024-03-01 10:00", "A", "买", 100, 10.0, "b1"),
               ("2024-03-05 10:00", "A", "卖", 200, 6.0, "s1")])
    # 10-for-10 bonus shares on 03-04: 200 shares held at end of that day, total cost still 1,000.
    positions = pd.DataFrame({"date": pd.to_datetime(["2024-03-01", "2024-03-04"]), "code": ["A", "A"],
                              "amount": [100, 200], "cost_basis": [10.0, 5.0]})

    closed = closed_trades(t, positions)

    assert closed.loc[0, "cost"] == pytest.approx(1000.0)
    assert closed.loc[0, "pnl"] == pytest.approx(200.0)


def test_base_position_from_positions_starts_at_its_cost_basis():
    t = fills([("2024-03-04 10:00", "A", "卖", 100, 12.0, "s1")])
    positions = pd.DataFrame({"date": pd.to_datetime(["2024-03-01"]), "code": ["A"],
                              "amount": [100], "cost_basis": [10.0]})

    assert closed_trades(t, positions).loc[0, "pnl"] == pytest.approx(200.0)


def test_a_short_sale_has_no_cost_and_is_not_counted():
    t = fills([("2024-03-01 10:00", "IF2403", "卖", 1, 3500.0, "s1")])
    m = compute_metrics(portfolio([0.0, 0.0]), None, trades=t)

    assert math.isnan(closed_trades(t).loc[0, "pnl"])
    assert m["closed_trades"] == 0 and math.isnan(m["win_rate"])
