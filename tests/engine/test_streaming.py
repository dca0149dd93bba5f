"""Streaming changes no result: a run in one go equals a run driven day by day with the smallest windows
and the store's caches dropped between days."""
from __future__ import annotations

from pathlib import Path

import pandas.testing as pdt

from ptrade_fast.engine.runner import Backtest
from goldens import render

EXAMPLES = Path(__file__).resolve().parents[2] / "python" / "ptrade_fast" / "examples"


def test_day_by_day_with_one_day_windows_equals_one_go(tmp_path):
    kw = dict(start="2019-01-02", end="2019-01-18", frequency="1m")
    whole = Backtest(EXAMPLES / "double_ma.py", options={"research_path": str(tmp_path)}, **kw).run()
    bt = Backtest(EXAMPLES / "double_ma.py", options={"research_path": str(tmp_path), "window_days": 1}, **kw)
    bt.start()
    more = True
    while more:
        bt.store._minutes.clear()    # nothing read on an earlier day may be reused
        bt.store._years.clear()
        more = bt.step()
    stepped = bt.finish()
    assert render(stepped) == render(whole)
    pdt.assert_frame_equal(stepped.positions, whole.positions, check_exact=True)


def test_scale_s1_strategy_gives_identical_results_in_one_go_and_day_by_day(tmp_path):
    """Issue 5: S1 (whole-market minute run reading 50 stocks a minute, trading a few times a day) on a
    synthetic market, in one go versus driven day by day with one-day windows and dropped caches."""
    import sys
    from ptrade_fast.data.synthetic import generate
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import scale
    root = tmp_path / "market"
    generate(root, stocks=120, start="2024-01-02", end="2024-01-10", minute=True, seed=1)
    kw = dict(start="2024-01-02", end="2024-01-10", frequency="1m", data=root, capital_base=10_000_000)
    whole = Backtest(scale.S1_STRATEGY, options={"research_path": str(tmp_path)}, **kw).run()
    bt = Backtest(scale.S1_STRATEGY, options={"research_path": str(tmp_path), "window_days": 1}, **kw)
    bt.start()
    while True:
        bt.store._minutes.clear()
        bt.store._years.clear()
        if not bt.step():
            break
    stepped = bt.finish()
    assert len(whole.trades) == 21                # seed 1, 120 stocks: a fixed run
    assert render(stepped) == render(whole)
    pdt.assert_frame_equal(stepped.trades, whole.trades, check_exact=True)
