"""The Runtime: the simulation state every part of a run reads (API families and engine parts alike).

API modules (``ptrade_fast.api.*``) are classes constructed with a Runtime plus the engine parts they
use; their methods are injected into the strategy's globals under the Ptrade names.  The loop
(``engine.runner``) owns and advances the Runtime.  Fields:

``store``        the DataStore (``ptrade_fast.data.store``)
``frequency``    ``'1d'`` or ``'1m'``
``phase``        current lifecycle phase (``model.phases.ALL_PHASES``)
``trade_date``   current trading day (``datetime.date``)
``now``          simulated clock (``datetime.datetime``), = ``context.blotter.current_dt``
``bar_index``    0..239 in a minute run once the session started (index of the bar that just ended),
                 0 in a daily run's 15:00 step, ``None`` before the open, 240 after the close
``bar_seq``      count of bars matched so far (orders remember the bar they were created on)
``restarting``   True while a simulated server restart re-runs ``initialize`` (§B.3)
``universe``     list of short codes set by ``set_universe``
``options``      run options (``strict_phases``, ``history_format``, ``cost_model`` …)
``log``          the strategy logger (``engine.logs.StrategyLog``)
"""
from __future__ import annotations

import datetime as _dt
import os
from typing import Any


class Runtime:
    def __init__(self, store, frequency: str, options: dict[str, Any] | None = None, log=None):
        self.store = store
        self.frequency = frequency
        self.options = dict(options or {})
        self.log = log
        self.phase = "init"
        self.trade_date: _dt.date | None = None
        self.now: _dt.datetime | None = None
        self.bar_index: int | None = None
        self.bar_seq = 0
        self.restarting = False
        self.universe: list[str] = []
        self._warned: set[str] = set()

    # The current day is "complete" (its bar may be read with include semantics) only from 15:00 on.
    @property
    def session_started(self) -> bool:
        return self.bar_index is not None

    def market_closed(self) -> bool:
        """After the last bar of the day (orders placed now are refused)."""
        return self.bar_index == 240 or self.phase == "after"

    def today(self):
        """The simulated trading day as ``numpy.datetime64[D]`` (the data's last day when no clock runs)."""
        import numpy as np
        if self.trade_date is not None:
            return np.datetime64(self.trade_date, "D")
        if self.now is not None:
            return np.datetime64(self.now.date(), "D")
        return self.store.calendar[-1]

    def research_path(self) -> str:
        """The research folder (``get_research_path``): option ``research_path``, else ``./research``."""
        path = self.options.get("research_path") or os.path.join(os.getcwd(), "research")
        os.makedirs(path, exist_ok=True)
        return os.path.join(os.path.abspath(path), "")

    def warn_once(self, key: str, message: str) -> None:
        if key in self._warned:
            return
        self._warned.add(key)
        if self.log is not None:
            self.log.warning(message)
