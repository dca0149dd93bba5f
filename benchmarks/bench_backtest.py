"""End-to-end backtests on the bundled sample data (the README's job), daily and minute.

``time_*`` time one whole ``ptrade_fast.run``; ``track_*`` report per-bar costs and the minute/daily ratio
measured within one run, so machine noise cancels.  After timing, the end state is checked so a fast wrong
answer fails.
"""
from __future__ import annotations

import time
from pathlib import Path

import ptrade_fast

EXAMPLES = Path(ptrade_fast.__file__).resolve().parent / "examples"  # shipped in the package
DOUBLE_MA = str(EXAMPLES / "double_ma.py")

# A strategy that does nothing: the engine's own per-bar overhead.
IDLE = """
def initialize(context):
    set_universe(['600570.SS', '600000.SS'])
def handle_data(context, data):
    pass
"""


class EndToEnd:
    timeout = 600

    def setup(self):
        self.research = "/tmp/ptrade_fast_bench_research"

    def time_double_ma_daily_two_years(self):
        r = ptrade_fast.run(DOUBLE_MA, start="2023-01-03", end="2024-12-31", research_path=self.research)
        assert len(r.portfolio) == 484 and len(r.trades) > 0

    def time_double_ma_minute_one_month(self):
        r = ptrade_fast.run(DOUBLE_MA, start="2019-01-02", end="2019-02-01", frequency="1m",
                            research_path=self.research)
        assert len(r.portfolio) == 23

    def time_idle_minute_one_month(self):
        ptrade_fast.run(IDLE, start="2019-01-02", end="2019-02-01", frequency="1m", research_path=self.research)

    def track_idle_engine_us_per_minute_bar(self):
        t = time.perf_counter()
        r = ptrade_fast.run(IDLE, start="2019-01-02", end="2019-02-01", frequency="1m", research_path=self.research)
        return (time.perf_counter() - t) / (len(r.portfolio) * 240) * 1e6

    track_idle_engine_us_per_minute_bar.unit = "µs/bar"

    def track_minute_over_daily_cost_per_day(self):
        """How much more a minute day costs than a daily day for the same strategy, in one run."""
        t0 = time.perf_counter()
        d = ptrade_fast.run(DOUBLE_MA, start="2023-01-03", end="2024-12-31", research_path=self.research)
        t1 = time.perf_counter()
        m = ptrade_fast.run(DOUBLE_MA, start="2019-01-02", end="2019-02-01", frequency="1m",
                            research_path=self.research)
        t2 = time.perf_counter()
        return ((t2 - t1) / len(m.portfolio)) / ((t1 - t0) / len(d.portfolio))

    track_minute_over_daily_cost_per_day.unit = "ratio"
