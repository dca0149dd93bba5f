"""Synthetic market generation (ptrade_fast.data.synthetic): securities × trading days, daily and minute.

The whole-market figure (5,300 stocks × 1 year of minutes, peak RSS) is measured outside asv with
``/usr/bin/time -v``; these cases track the per-day cost of the vectorised loop.
"""
import shutil
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

from ptrade_fast.data.synthetic import generate

SEED = 20240601
RANGES = {20: ("2019-06-03", "2019-06-28"), 250: ("2019-01-01", "2019-12-31")}


class GenerateDaily:
    params = ([100, 1000, 5300], [20, 250])
    param_names = ["stocks", "days"]
    timeout = 600

    def setup(self, stocks, days):
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-gen-"))
        self.n = 0

    def teardown(self, stocks, days):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def time_generate(self, stocks, days):
        self.n += 1
        start, end = RANGES[days]
        out = self.tmp / f"r{self.n}"
        summary = generate(out, stocks=stocks, start=start, end=end, seed=SEED)
        assert summary["stocks"] == stocks and (out / "meta.json").is_file()


class GenerateMinute:
    params = ([100, 1000, 5300],)
    param_names = ["stocks"]
    timeout = 600

    def setup(self, stocks):
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-gen-"))
        self.n = 0

    def teardown(self, stocks):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def time_generate_5_days(self, stocks):
        self.n += 1
        out = self.tmp / f"r{self.n}"
        summary = generate(out, stocks=stocks, start="2019-06-03", end="2019-06-07", minute=True, seed=SEED)
        day = pq.read_metadata(out / "minute" / "2019" / "2019-06-03.parquet")
        # 2019-06-07 is the Dragon Boat holiday: four trading days in the real calendar.
        assert summary["minute_days"] == summary["days"] == 4 and day.num_rows % 240 == 0
