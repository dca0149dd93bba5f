"""Per-call latency of the Ptrade API paths strategies spend their time in (issue 12), at 1, 100 and 5,300
codes, adjusted against unadjusted.

A real backtest is driven with ``Backtest.start()`` / ``step()`` to a day in the middle of a seeded synthetic
market (``benchmarks/common.py``), then held in its ``handle_data`` phase while asv times one API call at a time
through the strategy's own namespace (the functions a strategy file calls).  Each case also checks the shape of
what it got, so a fast wrong answer fails.  ``python benchmarks/bench_api.py`` prints the same cases as medians
without asv.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

if __package__ in (None, ""):                    # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import synthetic_root
else:
    from .common import synthetic_root

MARKET = dict(stocks=5300, start="2019-01-01", end="2019-06-30", minute=False)
DAY = "2019-06-03"
SIZES = [1, 100, 5300]

STRATEGY = """
def initialize(context):
    g.bought = False

def handle_data(context, data):
    if not g.bought:
        g.bought = True
        for code in sorted(get_Ashares())[:40]:
            order(code, 100)
"""


def engine(path, day=DAY):
    """A daily backtest stopped after ``day`` and put back in ``handle_data`` of that day, holding the stocks
    its first day bought."""
    from ptrade_fast.engine.runner import Backtest
    bt = Backtest(STRATEGY, start="2019-04-01", end="2019-06-28", data=str(path))
    bt.start()
    while str(bt.days[bt._next_day]) <= day:
        bt.step()
    bt.rt.phase = "handle"
    return bt, bt.ns, stocks(bt.store, 5300)


def stocks(store, n):
    types = store.instruments.loc[store.codes, "type"].to_numpy()
    return list(store.codes[np.isin(types, ("stock", "star", "chinext"))][:n])


class GetHistory:
    """get_history(60, '1d', ['open', 'close', 'volume'], codes, fq) against building its frame directly."""
    params = [SIZES, [None, "pre", "dypre", "post"]]
    param_names = ["codes", "fq"]
    timeout = 900

    def setup_cache(self):
        return str(synthetic_root("api_daily_5300", **MARKET))

    def setup(self, path, n, fq):
        self.bt, self.ns, codes = engine(path)
        self.codes = codes[:n] if n > 1 else codes[0]
        self.ns["get_history"](60, "1d", ["open", "close", "volume"], self.codes, fq=fq)   # warm caches

    def time_get_history(self, path, n, fq):
        out = self.ns["get_history"](60, "1d", ["open", "close", "volume"], self.codes, fq=fq)
        assert len(out) == 60 * n

    def time_get_history_is_dict(self, path, n, fq):
        out = self.ns["get_history"](60, "1d", ["open", "close", "volume"], self.codes, fq=fq, is_dict=True)
        assert len(out) == n

    def time_get_price(self, path, n, fq):
        out = self.ns["get_price"](self.codes, end_date="20190531", count=60, fields=["open", "close", "volume"],
                                   fq=fq)
        assert len(out) == 60 * n


class BuildFrame:
    """The floor of get_history: building the same pandas frame from ready arrays (no engine)."""
    params = [SIZES]
    param_names = ["codes"]

    def setup(self, n):
        self.index = pd.DatetimeIndex(np.arange(60).astype("datetime64[D]").astype("datetime64[ns]"))
        self.values = {f: np.random.default_rng(0).random((60, n)) for f in ("open", "close", "volume")}
        self.codes = np.array([f"{i:06d}.SZ" for i in range(n)], dtype=object)

    def time_build_frame(self, n):
        if n == 1:
            out = pd.DataFrame({f: v[:, 0].copy() for f, v in self.values.items()}, index=self.index)
        else:
            cols = {"code": np.repeat(self.codes, 60)}
            for f, v in self.values.items():
                cols[f] = v.T.ravel()
            out = pd.DataFrame(cols, index=self.index[np.tile(np.arange(60), n)])
        assert len(out) == 60 * n


class SingleCodeHistory:
    """get_history(20, '1d', 'close', code): the per-stock call of simple strategies, and its frame alone."""
    timeout = 900

    def setup_cache(self):
        return str(synthetic_root("api_daily_5300", **MARKET))

    def setup(self, path):
        self.bt, self.ns, codes = engine(path)
        self.code = codes[0]
        h = self.ns["get_history"](20, "1d", "close", self.code)
        self.index, self.values = h.index, h["close"].to_numpy()

    def time_get_history_20_close(self, path):
        assert len(self.ns["get_history"](20, "1d", "close", self.code)) == 20

    def time_build_its_frame(self, path):
        assert len(pd.DataFrame({"close": self.values.copy()}, index=self.index)) == 20


class Reads:
    """data[code], context.portfolio.positions, get_position(s), get_open_orders, get_stock_status,
    check_limit on a whole-market daily run (order paths are timed end to end by benchmarks/floor.py)."""
    timeout = 900

    def setup_cache(self):
        return str(synthetic_root("api_daily_5300", **MARKET))

    def setup(self, path):
        self.bt, self.ns, codes = engine(path)
        self.data = self.bt.market.bar_data()
        self.ctx = self.bt.context
        self.inside = codes[0]
        self.held = sorted(self.ctx.portfolio.positions)[0]
        self.n_held = len(self.ctx.portfolio.positions)
        self.codes100 = codes[:100]
        self.data[self.inside]

    def time_data_close(self, path):
        assert self.data[self.inside].close > 0

    def time_positions_get(self, path):
        assert self.ctx.portfolio.positions.get(self.held).amount == 100

    def time_get_position(self, path):
        assert self.ns["get_position"](self.held).amount == 100

    def time_get_positions(self, path):
        assert len(self.ns["get_positions"]()) == self.n_held

    def time_get_open_orders(self, path):
        assert self.ns["get_open_orders"]() == []

    def time_get_stock_status_100(self, path):
        assert len(self.ns["get_stock_status"](self.codes100, "ST")) == 100

    def time_check_limit_100(self, path):
        assert len(self.ns["check_limit"](self.codes100)) == 100


def _median_us(fn, repeat=200):
    import time
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return float(np.median(ts)) * 1e6


def main() -> None:
    path = synthetic_root("api_daily_5300", **MARKET)
    print("| call | codes | fq | median µs |")
    print("| --- | ---: | --- | ---: |")
    for n in SIZES:
        bf = BuildFrame()
        bf.setup(n)
        print(f"| build the frame alone | {n} | — | {_median_us(lambda: bf.time_build_frame(n)):.0f} |", flush=True)
        for fq in GetHistory.params[1]:
            gh = GetHistory()
            gh.setup(path, n, fq)
            rep = 200 if n < 5300 else 20
            for name in ("time_get_history", "time_get_history_is_dict", "time_get_price"):
                us = _median_us(lambda: getattr(gh, name)(path, n, fq), rep)
                print(f"| {name[5:]} | {n} | {fq} | {us:.0f} |", flush=True)
    sc = SingleCodeHistory()
    sc.setup(path)
    for name in ("time_get_history_20_close", "time_build_its_frame"):
        print(f"| {name[5:]} | 1 | None | {_median_us(lambda: getattr(sc, name)(path), 1000):.1f} |")
    rd = Reads()
    rd.setup(path)
    for name in sorted(n for n in dir(rd) if n.startswith("time_")):
        print(f"| {name[5:]} | — | — | {_median_us(lambda: getattr(rd, name)(path), 2000):.2f} |")


if __name__ == "__main__":
    main()
