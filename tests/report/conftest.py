"""Results built by hand for the report tests: a 5-day hand-checked run and a seeded synthetic one."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ptrade_fast.result import Result


def five_day_result() -> Result:
    """Capital 100,000; buy 1,000 of 600570.SS at 10.00 on day 1, sell at 11.00 on day 4.

    total_value: 100,000 → 99,995 (fees 5) → 101,000 → 100,500 → 100,989.66 → 100,989.66.
    The benchmark moves +1 %, -1 %, +2 %, 0 %, +1 %.
    """
    dates = pd.DatetimeIndex(pd.to_datetime(
        ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08"]), name="date")
    total = np.array([99_995.0, 101_000.0, 100_500.0, 100_989.66, 100_989.66])
    prev = np.concatenate([[100_000.0], total[:-1]])
    cash = np.array([89_995.0, 89_995.0, 89_995.0, 100_989.66, 100_989.66])
    portfolio = pd.DataFrame({"total_value": total, "cash": cash, "positions_value": total - cash,
                              "returns": total / prev - 1.0, "pnl": total - prev}, index=dates)
    b_returns = np.array([0.01, -0.01, 0.02, 0.0, 0.01])
    benchmark = pd.DataFrame({"close": 3000.0 * np.cumprod(1 + b_returns), "returns": b_returns}, index=dates)
    orders = pd.DataFrame({
        "id": ["a" * 32, "b" * 32], "entrust_no": ["1", "2"],
        "dt": pd.to_datetime(["2024-01-02 15:00", "2024-01-05 15:00"]),
        "code": ["600570", "600570"], "symbol": ["600570.SS", "600570.SS"],
        "amount": [1000, -1000], "filled": [1000, -1000], "limit": [10.0, 11.0],
        "status": ["8", "8"], "error_info": ["", ""]})
    trades = pd.DataFrame({
        "trade_id": ["t1", "t2"], "order_id": ["a" * 32, "b" * 32], "entrust_no": ["1", "2"],
        "dt": pd.to_datetime(["2024-01-02 15:00", "2024-01-05 15:00"]), "code": ["600570.SS", "600570.SS"],
        "side": ["买", "卖"], "amount": [1000, 1000], "price": [10.0, 11.0], "value": [10_000.0, 11_000.0],
        "commission": [5.0, 5.0], "handling_fee": [0.0, 0.0], "transfer_fee": [0.0, 0.0],
        "stamp_duty": [0.0, 5.34], "fees": [5.0, 10.34]})
    positions = pd.DataFrame({
        "date": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04"]), "code": ["600570.SS"] * 3,
        "amount": [1000, 1000, 1000], "enable_amount": [0, 1000, 1000], "cost_basis": [10.005] * 3,
        "last_sale_price": [10.0, 11.005, 10.505], "market_value": [10_000.0, 11_005.0, 10_505.0]})
    logs = pd.DataFrame({"dt": pd.to_datetime(["2024-01-02 08:30"]), "level": ["INFO"], "message": ["开始"]})
    params = {"strategy": "strategies/demo.py", "start": "2024-01-02", "end": "2024-01-08",
              "frequency": "1d", "capital_base": 100_000, "benchmark": "000300.SS",
              "commission": {"buy_cost": 0.0003, "min_cost": 5}}
    meta = {"created_at": "2024-01-09T00:00:00", "seed": 0, "versions": {"ptrade_fast": "0.1.0"}}
    return Result(portfolio, benchmark, orders, trades, positions, logs, params, meta)


def synthetic_result(days: int = 500, codes: int = 20, seed: int = 7) -> Result:
    """A seeded random run: daily returns, a correlated benchmark, round trips in ``codes`` stocks."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2021-01-04", periods=days, name="date")
    b = rng.normal(0.0003, 0.012, days)
    r = 0.0002 + 0.8 * b + rng.normal(0, 0.008, days)
    total = 1_000_000 * np.cumprod(1 + r)
    cash = total * 0.3
    portfolio = pd.DataFrame({"total_value": total, "cash": cash, "positions_value": total - cash,
                              "returns": r, "pnl": np.diff(np.concatenate([[1_000_000], total]))}, index=dates)
    benchmark = pd.DataFrame({"close": 4000 * np.cumprod(1 + b), "returns": b}, index=dates)
    rows, pos_rows = [], []
    for k in range(codes):
        code = f"{600000 + k}.SS"
        for start in range(k % 5, days - 5, 10):
            buy, sell = 10 + rng.normal(0, 1), 10 + rng.normal(0, 1)
            for day, side, price in ((start, "买", buy), (start + 3, "卖", sell)):
                value = 1000 * price
                rows.append((f"{code}-{day}", f"{k:02d}{day:030d}", str(len(rows)), dates[day] + pd.Timedelta("15h"),
                             code, side, 1000, price, value, 5.0, 0.0, 0.0, 0.0, 5.0))
            for day in range(start, start + 3):
                pos_rows.append((dates[day], code, 1000, 1000, buy, buy, 1000 * buy))
    trades = pd.DataFrame(rows, columns=["trade_id", "order_id", "entrust_no", "dt", "code", "side", "amount",
                                         "price", "value", "commission", "handling_fee", "transfer_fee",
                                         "stamp_duty", "fees"])
    positions = pd.DataFrame(pos_rows, columns=["date", "code", "amount", "enable_amount", "cost_basis",
                                                "last_sale_price", "market_value"])
    params = {"strategy": "synthetic.py", "start": str(dates[0].date()), "end": str(dates[-1].date()),
              "frequency": "1d", "capital_base": 1_000_000, "benchmark": "000300.SS"}
    return Result(portfolio, benchmark, None, trades, positions, None, params, {"seed": seed})


@pytest.fixture
def five_days() -> Result:
    return five_day_result()


@pytest.fixture
def synthetic() -> Result:
    return synthetic_result()


@pytest.fixture(scope="session")
def synthetic_report_folder(tmp_path_factory):
    """A synthetic result and an empty folder for its report, shared by the browser tests."""
    return synthetic_result(), tmp_path_factory.mktemp("report")
