"""The five-day run of conftest.five_day_result, every metric worked out by hand."""
import math

import pandas as pd
import pytest

RF = 0.04
TOTAL = [99_995.0, 101_000.0, 100_500.0, 100_989.66, 100_989.66]
R = [TOTAL[0] / 100_000 - 1] + [TOTAL[i] / TOTAL[i - 1] - 1 for i in range(1, 5)]
B = [0.01, -0.01, 0.02, 0.0, 0.01]


def mean(xs):
    return sum(xs) / len(xs)


def sample_std(xs):
    m = mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def test_returns_are_compounded_and_annualised_over_252_days(five_days):
    m = five_days.metrics

    assert m["trading_days"] == 5
    assert m["capital_base"] == pytest.approx(100_000.0)
    assert m["final_value"] == 100_989.66
    assert m["total_return"] == pytest.approx(0.0098966, abs=1e-12)
    assert m["annual_return"] == pytest.approx(1.0098966 ** (252 / 5) - 1, rel=1e-12)
    assert m["benchmark_return"] == pytest.approx(1.01 * 0.99 * 1.02 * 1.0 * 1.01 - 1, rel=1e-12)
    assert m["excess_return"] == pytest.approx(1.0098966 / (1.01 * 0.99 * 1.02 * 1.01) - 1, rel=1e-12)


def test_risk_ratios_follow_the_documented_formulas(five_days):
    m = five_days.metrics
    annual = 1.0098966 ** (252 / 5) - 1
    bench_annual = (1.01 * 0.99 * 1.02 * 1.01) ** (252 / 5) - 1
    vol = sample_std(R) * math.sqrt(252)
    mr, mb = mean(R), mean(B)
    beta = sum((r - mr) * (b - mb) for r, b in zip(R, B)) / sum((b - mb) ** 2 for b in B)
    downside = math.sqrt(252 / 5 * sum((r - mr) ** 2 for r in R if r < mr))
    te = sample_std([r - b for r, b in zip(R, B)]) * math.sqrt(252)

    assert m["volatility"] == pytest.approx(vol, rel=1e-12)
    assert m["benchmark_volatility"] == pytest.approx(sample_std(B) * math.sqrt(252), rel=1e-12)
    assert m["sharpe"] == pytest.approx((annual - RF) / vol, rel=1e-12)
    assert m["sortino"] == pytest.approx((annual - RF) / downside, rel=1e-12)
    assert m["beta"] == pytest.approx(beta, rel=1e-12)
    assert m["alpha"] == pytest.approx(annual - (RF + beta * (bench_annual - RF)), rel=1e-12)
    assert m["tracking_error"] == pytest.approx(te, rel=1e-12)
    assert m["information_ratio"] == pytest.approx((annual - bench_annual) / te, rel=1e-12)
    assert m["risk_free"] == RF


def test_max_drawdown_runs_from_the_peak_to_the_trough(five_days):
    m = five_days.metrics

    # Peak 101,000 on 01-03, trough 100,500 on 01-04.
    assert m["max_drawdown"] == pytest.approx(500 / 101_000, rel=1e-12)
    assert m["max_drawdown_start"] == pd.Timestamp("2024-01-03")
    assert m["max_drawdown_end"] == pd.Timestamp("2024-01-04")


def test_trade_statistics_count_the_sell_against_its_average_cost(five_days):
    m = five_days.metrics

    # Bought 1,000 for 10,000 + 5 fees; sold for 11,000 - 10.34 fees: one winning closed trade.
    assert m["closed_trades"] == 1
    assert m["winning_trades"] == 1 and m["losing_trades"] == 0
    assert m["win_rate"] == 1.0
    assert m["profit_loss_ratio"] == math.inf
    assert m["trade_count"] == 2
    assert m["total_fees"] == pytest.approx(15.34)
    assert m["turnover"] == pytest.approx(21_000 / 2 / mean(TOTAL), rel=1e-12)
    assert m["annual_turnover"] == pytest.approx(21_000 / 2 / mean(TOTAL) * 252 / 5, rel=1e-12)
    # Days beating the benchmark: day 2 (+1.0 % vs -1 %) and day 4 (+0.49 % vs 0 %).
    assert m["daily_win_rate"] == pytest.approx(2 / 5)


def test_monthly_and_daily_returns_tables(five_days):
    monthly = five_days.monthly_returns

    assert list(monthly.index) == [2024]
    assert list(monthly.columns) == list(range(1, 13))
    assert monthly.loc[2024, 1] == pytest.approx(0.0098966, abs=1e-12)
    assert monthly.loc[2024, 2:].isna().all()
    assert five_days.daily_returns.tolist() == pytest.approx(R, rel=1e-12)
