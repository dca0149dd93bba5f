"""History reads on a synthetic whole market: one day of every security's minute bars, get_history of 60
days for 300 and 5,300 securities, get_price of a year of one security's minute bars.

The synthetic roots (``ptrade_fast.data.synthetic.generate``, seed 0) are built once and cached under
``/tmp/ptrade_fast_bench/`` keyed by their parameters, so repeated runs skip the generation.  After timing,
each case checks the shape of what it read, so a fast wrong answer fails.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from ptrade_fast.api.market import MarketAPI
from ptrade_fast.data.store import DataStore
from ptrade_fast.data.synthetic import generate
from ptrade_fast.engine.runtime import Runtime

CACHE = Path("/tmp/ptrade_fast_bench")
SEED = 0

# name: generate() arguments.
ROOTS = {
    "daily_5300": dict(stocks=5300, start="2019-01-01", end="2019-06-30", minute=False),
    "minute_5300": dict(stocks=5300, start="2019-06-03", end="2019-06-05", minute=True),
    "minute_year_20": dict(stocks=20, start="2019-01-01", end="2019-12-31", minute=True),
}


def root(name: str) -> Path:
    """The cached root ``name`` (generated on first use; a root without meta.json is regenerated)."""
    args = ROOTS[name]
    key = "-".join(f"{k}={v}" for k, v in sorted(args.items()))
    path = CACHE / f"{name}-seed={SEED}-{key}"
    if not (path / "meta.json").is_file():
        generate(path, seed=SEED, overwrite=True, **args)
    return path


def runtime(store, day, frequency="1d"):
    rt = Runtime(store, frequency, {})
    rt.phase, rt.trade_date, rt.bar_index = "handle", day, 0
    return rt


def stock_codes(store, n):
    types = store.instruments.loc[store.codes, "type"].to_numpy()
    stocks = store.codes[np.isin(types, ("stock", "star", "chinext"))]
    return list(stocks[:n])


class MinuteDay:
    """DataStore.minute_day: read and densify one trading day of the whole market's 1-minute bars."""
    timeout = 600

    def setup_cache(self):
        return str(root("minute_5300"))

    def setup(self, path):
        self.store = DataStore.open(path)
        self.day = self.store.minute_dates[1]

    def time_minute_day(self, path):
        self.store._minutes.clear()  # a cold read, as on each new day of a minute run
        md = self.store.minute_day(self.day)
        assert md.close.shape == (240, self.store.n_sids) and md.has_data.sum() > 5000


class GetHistory:
    """get_history(60, '1d', 'close', codes) in a daily run (year files already cached, as after day one)."""
    params = [300, 5300]
    param_names = ["securities"]
    timeout = 600

    def setup_cache(self):
        return str(root("daily_5300"))

    def setup(self, path, securities):
        self.store = DataStore.open(path)
        self.codes = stock_codes(self.store, securities)
        self.market = MarketAPI(runtime(self.store, dt.date(2019, 6, 28)))
        self.market.get_history(60, "1d", "close", self.codes)  # warm the year cache

    def time_get_history_60_days(self, path, securities):
        df = self.market.get_history(60, "1d", "close", self.codes)
        assert df.shape == (60 * securities, 2)

    def time_get_history_60_days_panel(self, path, securities):
        self.market.rt.options["history_format"] = "panel"
        try:
            df = self.market.get_history(60, "1d", "close", self.codes)
        finally:
            self.market.rt.options.pop("history_format")
        assert df.shape == (60, securities)


class GetPriceMinuteYear:
    """get_price of one security's 1-minute bars over a year (243 day files, read cold)."""
    timeout = 600

    def setup_cache(self):
        return str(root("minute_year_20"))

    def setup(self, path):
        self.store = DataStore.open(path)
        self.code = stock_codes(self.store, 1)[0]
        self.market = MarketAPI(runtime(self.store, dt.date(2019, 12, 31), "1m"))
        self.days = int(np.sum(self.store.minute_dates < np.datetime64("2019-12-31")))

    def time_get_price_one_year_of_minutes(self, path):
        df = self.market.get_price(self.code, start_date="2019-01-01", end_date="2019-12-31", frequency="1m",
                                   fields=["open", "high", "low", "close", "volume"])
        assert df.shape == (240 * self.days, 5)
