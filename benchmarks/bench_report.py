"""Results side: metrics, the results folder and the HTML report, sized as codes × days.

The seeded synthetic run is built here; it can move into ``benchmarks/common.py`` once that exists.
"""
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from ptrade_fast.report.metrics import compute_metrics
from ptrade_fast.result import Result


def synthetic_result(codes: int, days: int, seed: int = 42) -> Result:
    """A run holding ``codes`` stocks, each bought and sold back every 10 days."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2015-01-05", periods=days, name="date")
    b = rng.normal(0.0003, 0.012, days)
    r = 0.0002 + 0.8 * b + rng.normal(0, 0.008, days)
    total = 1e7 * np.cumprod(1 + r)
    portfolio = pd.DataFrame({"total_value": total, "cash": total * 0.2, "positions_value": total * 0.8,
                              "returns": r, "pnl": np.diff(np.concatenate([[1e7], total]))}, index=dates)
    benchmark = pd.DataFrame({"close": 4000 * np.cumprod(1 + b), "returns": b}, index=dates)
    starts = np.arange(0, days - 5, 10)
    k, s = np.meshgrid(np.arange(codes), starts, indexing="ij")
    k, s = k.ravel(), (s.ravel() + k.ravel() % 5)
    n = len(k)
    day = np.concatenate([s, s + 3])
    price = 10 + rng.normal(0, 1, 2 * n)
    trades = pd.DataFrame({
        "trade_id": [f"t{i}" for i in range(2 * n)],
        "order_id": [f"{i:032x}" for i in range(2 * n)],
        "entrust_no": [str(i) for i in range(2 * n)],
        "dt": dates[day] + pd.Timedelta("15h"),
        "code": [f"{600000 + c}.SS" for c in np.concatenate([k, k])],
        "side": ["买"] * n + ["卖"] * n,
        "amount": 1000, "price": price, "value": 1000 * price,
        "commission": 5.0, "handling_fee": 0.0, "transfer_fee": 0.0, "stamp_duty": 0.0, "fees": 5.0})
    held = [(dates[d], f"{600000 + c}.SS") for c, s0 in zip(k, s) for d in range(s0, s0 + 3)]
    positions = pd.DataFrame(held, columns=["date", "code"])
    positions["amount"] = 1000
    positions["enable_amount"] = 1000
    positions["cost_basis"] = 10.0
    positions["last_sale_price"] = 10.0
    positions["market_value"] = 10_000.0
    params = {"strategy": "bench.py", "capital_base": 1e7, "benchmark": "000300.SS", "frequency": "1d"}
    return Result(portfolio, benchmark, None, trades, positions, None, params, {"seed": seed})


class Metrics:
    params = ([10, 100, 500], [250, 2500])
    param_names = ["codes", "days"]

    def setup(self, codes, days):
        self.result = synthetic_result(codes, days)

    def time_compute_metrics(self, codes, days):
        r = self.result
        self.metrics = compute_metrics(r.portfolio, r.benchmark, r.trades, r.positions)

    def teardown(self, codes, days):
        # A fast wrong answer must fail: every round trip is one closed trade.
        if hasattr(self, "metrics"):
            assert self.metrics["closed_trades"] == len(self.result.trades) // 2


class ResultsFolder:
    params = ([10, 500], [250, 2500])
    param_names = ["codes", "days"]

    def setup(self, codes, days):
        self.result = synthetic_result(codes, days)
        self.tmp = Path(tempfile.mkdtemp())
        self.result.save(self.tmp / "saved")

    def teardown(self, codes, days):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def time_save(self, codes, days):
        self.result.save(self.tmp / "out")

    def time_load(self, codes, days):
        loaded = Result.load(self.tmp / "saved")
        assert len(loaded.trades) == len(self.result.trades)

    def time_report(self, codes, days):
        self.result.report(self.tmp / "report.html")

    def track_report_megabytes(self, codes, days):
        return self.result.report(self.tmp / "report.html").stat().st_size / 1e6
    track_report_megabytes.unit = "MB"
