"""Streaming changes no result: a run in one go equals a run driven day by day with the smallest windows
and the store's caches dropped between days."""
from __future__ import annotations

from pathlib import Path

import pandas.testing as pdt

from ptrade_fast.engine.runner import Backtest
from goldens import render

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


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
