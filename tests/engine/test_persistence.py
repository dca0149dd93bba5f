"""g persistence (§B.3): the restart simulation pickles public g attributes at the save points and restores
them after initialize runs again; '__' names and unpicklable values are not persisted."""
from __future__ import annotations

import datetime as dt

from engine_data import backtest, make_root, weekdays

DAYS = weekdays("2024-03-04", 4)
SRC = """
def initialize(context):
    g.count = 0
    g.inits = getattr(g, 'inits', 0) + 1
    g.__helper = object()                 # private: never persisted, recreated by initialize
    g.fn = lambda x: x                    # unpicklable: skipped with a warning
    g.seen = []
    run_daily(context, tick, time='10:00')
def tick(context):
    g.count += 100
def handle_data(context, data):
    g.count += 1
    g.seen.append((context.blotter.current_dt.date().isoformat(), g.count, hasattr(g, '_GlobalVars__helper') or '__helper' in vars(g)))
"""


def test_restart_restores_public_g_after_initialize_and_keeps_schedules_single(tmp_path):
    root = make_root(tmp_path, DAYS, {"600570.SS": [{"close": 10.0}] * 4})
    bt = backtest(SRC, root, options={"restart_before": [DAYS[2]]})
    g = bt.ns["g"]
    # 101 per day; the count survives the restart before day 3, and run_daily is not registered twice.
    assert [s[1] for s in g.seen] == [101, 202, 303, 404]
    assert g.inits == 1                              # restored from the snapshot, not re-counted
    assert all(s[2] for s in g.seen)                 # the private helper exists after initialize reran
    assert "__helper" not in bt.persistence.snapshot and "fn" not in bt.persistence.snapshot
    assert any("g.fn cannot be pickled" in m for m in bt.result.logs["message"])
    assert any("simulated restart before 2024-03-06" in m for m in bt.result.logs["message"])
