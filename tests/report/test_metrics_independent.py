"""compute_metrics against empyrical-reloaded and plain numpy on the same seeded returns."""
import numpy as np
import pandas as pd
import pytest

from ptrade_fast.report.metrics import compute_metrics, drawdown_series, monthly_returns_table

ep = pytest.importorskip("empyrical", reason="empyrical-reloaded is the independent reference")


@pytest.fixture
def returns(synthetic):
    return synthetic.portfolio["returns"], synthetic.benchmark["returns"]


def test_return_and_volatility_match_empyrical(synthetic, returns):
    r, b = returns
    m = synthetic.metrics

    assert m["total_return"] == pytest.approx(ep.cum_returns_final(r), rel=1e-10)
    assert m["annual_return"] == pytest.approx(ep.annual_return(r), rel=1e-10)
    assert m["benchmark_return"] == pytest.approx(ep.cum_returns_final(b), rel=1e-10)
    assert m["benchmark_annual_return"] == pytest.approx(ep.annual_return(b), rel=1e-10)
    assert m["volatility"] == pytest.approx(ep.annual_volatility(r), rel=1e-10)
    assert m["benchmark_volatility"] == pytest.approx(ep.annual_volatility(b), rel=1e-10)
    assert m["tracking_error"] == pytest.approx(ep.annual_volatility(r - b), rel=1e-10)


def test_beta_and_drawdown_match_empyrical(synthetic, returns):
    r, b = returns
    m = synthetic.metrics

    assert m["beta"] == pytest.approx(ep.beta(r, b), rel=1e-10)
    # empyrical reports the drawdown as a negative fraction and does not count the starting capital
    # as a peak; this run rises on day 1, so its peak is a trading day and both agree.
    assert m["max_drawdown"] == pytest.approx(-ep.max_drawdown(r), rel=1e-10)


def test_ratios_built_from_empyrical_parts(synthetic, returns):
    r, b = returns
    m = synthetic.metrics
    annual, bench_annual = ep.annual_return(r), ep.annual_return(b)
    beta = ep.beta(r, b)

    assert m["sharpe"] == pytest.approx((annual - 0.04) / ep.annual_volatility(r), rel=1e-10)
    assert m["alpha"] == pytest.approx(annual - (0.04 + beta * (bench_annual - 0.04)), rel=1e-10)
    assert m["information_ratio"] == pytest.approx(
        (annual - bench_annual) / ep.annual_volatility(r - b), rel=1e-10)


def test_sortino_downside_is_below_the_mean_over_all_days(synthetic, returns):
    r, _ = returns
    x = r.to_numpy()
    below = x[x < x.mean()] - x.mean()
    downside = np.sqrt(252 / len(x) * np.sum(below ** 2))

    assert synthetic.metrics["sortino"] == pytest.approx(
        (ep.annual_return(r) - 0.04) / downside, rel=1e-10)


def test_monthly_table_matches_empyrical_aggregate(returns):
    r, _ = returns
    table = monthly_returns_table(r)
    expected = ep.aggregate_returns(r, "monthly")

    got = table.stack().dropna()
    assert len(got) == len(expected)
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-12)


def test_drawdown_series_matches_a_running_peak_loop(returns):
    r, _ = returns
    value, peak, expected = 1.0, 1.0, []
    for x in r:
        value *= 1 + x
        peak = max(peak, value)
        expected.append(value / peak - 1)

    np.testing.assert_allclose(drawdown_series(r).to_numpy(), expected, rtol=1e-12, atol=1e-15)


def test_risk_free_is_a_parameter(synthetic):
    m0 = compute_metrics(synthetic.portfolio, synthetic.benchmark, risk_free=0.0)
    m4 = compute_metrics(synthetic.portfolio, synthetic.benchmark)

    assert m4["risk_free"] == 0.04 and m0["risk_free"] == 0.0
    assert m0["sharpe"] - m4["sharpe"] == pytest.approx(0.04 / m4["volatility"], rel=1e-10)
    assert m0["beta"] == m4["beta"]
