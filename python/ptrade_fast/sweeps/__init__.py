"""Parameter sweeps and walk-forward over Ptrade strategies (``docs/sweep.md``).

>>> import ptrade_fast
>>> sw = ptrade_fast.sweep("my_strategy.py", {"fast": [5, 10], "slow": [20, 30]}, start="2023-01-03",
...                        end="2024-12-31", workers=2, out="sweep_out")
>>> sw.table.sort_values("sharpe", ascending=False).head()
>>> wf = ptrade_fast.walk_forward("my_strategy.py", {"fast": [5, 10]}, train=250, test=60)

Modules: ``cells`` (grids, lists, samplers), ``plan`` (the sweep folder, resume), ``task`` (one cell's
backtest), ``schedule`` (longest-first), ``local`` / ``ray_backend`` (the backends), ``progress``,
``results`` (the tidy table), ``report`` (the HTML report), ``api`` (``sweep``), ``walkforward``,
``cli`` (``ptrade-fast sweep``).
"""
from __future__ import annotations

from .api import sweep
from .cells import RandomSampler
from .results import SweepResult
from .walkforward import WalkForwardResult, walk_forward

__all__ = ["sweep", "walk_forward", "SweepResult", "WalkForwardResult", "RandomSampler"]
