"""Sweep progress: cells done, failed, elapsed and an ETA weighted by the cells' estimated costs."""
from __future__ import annotations

import sys
import time


class SweepProgress:
    """Report progress as ``callback(done, total, eta_seconds, outcome)`` and/or a line on a stream.

    The ETA is the elapsed time divided by the estimated cost finished, times the cost left (so a sweep
    with cells of unequal length does not read the long first cells as the average).  Cells found complete
    when a sweep resumes count as done without adding cost.
    """

    def __init__(self, total: int, total_cost: float, callback=None, stream=None, resumed: int = 0):
        self.total, self.total_cost = total, float(total_cost)
        self.callback, self.stream = callback, stream
        self.done, self.failed = resumed, 0
        self.cost_done = 0.0
        self.cost_left = float(total_cost)
        self.t0 = time.perf_counter()
        if stream is not None and resumed:
            stream.write(f"resuming: {resumed} of {total} cells already complete\n")
            stream.flush()

    def eta(self) -> float | None:
        """Seconds left, or None before the first cell finishes."""
        if self.cost_done <= 0:
            return None
        return (time.perf_counter() - self.t0) / self.cost_done * max(self.cost_left, 0.0)

    def update(self, outcome: dict, cost: float) -> None:
        """Record one finished cell (``outcome`` from ``run_cell``)."""
        self.done += 1
        self.failed += outcome.get("status") != "ok"
        self.cost_done += cost
        self.cost_left -= cost
        eta = self.eta()
        if self.callback is not None:
            self.callback(self.done, self.total, eta, outcome)
        if self.stream is not None:
            elapsed = time.perf_counter() - self.t0
            fail = f"  {self.failed} failed" if self.failed else ""
            line = f"\rcells {self.done}/{self.total}{fail}  elapsed {_clock(elapsed)}"
            if self.done < self.total:
                line += f"  ETA {_clock(eta)}   "
            self.stream.write(line + ("\n" if self.done >= self.total else ""))
            self.stream.flush()


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def default_stream():
    """stderr when it is a terminal, else None (no progress line in logs and pipes)."""
    return sys.stderr if sys.stderr.isatty() else None
