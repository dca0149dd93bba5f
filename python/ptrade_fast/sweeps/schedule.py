"""Longest-first scheduling: estimate each backtest's cost and order the tasks by it.

The estimate is span × frequency × universe: trading days in ``[start, end]`` of the data root's
calendar, times the bars per day (1 daily, 240 minute), times the initial universe size (the ``universe``
argument's length; ``'Ashares'`` counts every code of the root; none given counts 1 — the strategy's
``set_universe`` is not known before it runs).  Cells of one sweep usually cost the same; walk-forward
windows and multi-span batches do not, and running the longest first keeps the last worker from
finishing long after the others.
"""
from __future__ import annotations

import numpy as np


def estimate_cost(calendar: np.ndarray, n_codes: int, start, end, frequency: str, universe) -> float:
    """Estimated relative cost of one backtest (see the module docstring)."""
    lo = 0 if start is None else int(np.searchsorted(calendar, np.datetime64(str(start)[:10], "D")))
    hi = len(calendar) if end is None else int(np.searchsorted(calendar, np.datetime64(str(end)[:10], "D"),
                                                                side="right"))
    days = max(hi - lo, 1)
    bars = 240 if frequency in ("1m", "minute", "min") else 1
    if universe is None:
        width = 1
    elif isinstance(universe, str):
        width = n_codes if universe.lower() == "ashares" else 1
    else:
        width = max(len(universe), 1)
    return float(days * bars * width)


def longest_first(tasks: list) -> list:
    """``tasks`` sorted by decreasing ``cost``; equal costs keep their given order."""
    return sorted(tasks, key=lambda t: -t.cost)
