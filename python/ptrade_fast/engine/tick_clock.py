"""The clock of a tick replay (``frequency='tick'``): the 3-second steps of a day and when the callbacks run.

Steps are milliseconds after midnight.  The continuous session has 4,800 steps, one every 3 s:
09:30:03 … 11:30:00 and 13:00:03 … 15:00:00.  Before them come the opening call auction steps, one per
3-second slot (09:15:00 … 09:29:57, slot ends on the 3-second grid) in which the day's data holds a
snapshot of a loaded security — none when the data has no auction snapshots.  At each step the strategy
sees, for every security, its latest snapshot at or before the step's time (docs/engine.md, "Tick replay").

* ``tick_data`` runs at the auction steps and the continuous steps up to 14:59:57 (the platform calls it
  09:30–14:59; the 15:00:00 step is the close);
* a ``run_interval`` function of period ``seconds`` runs every ``P`` = ``seconds`` rounded up to a whole
  number of 3-second steps (at least 3 s) of session time: at the continuous steps whose session time
  (seconds since 09:30:00, the lunch break not counted) is a multiple of ``P``, up to 14:59:57;
* ``handle_data`` and the ``run_daily`` functions run at the minute boundaries 09:31:00 … 11:30:00,
  13:01:00 … 15:00:00 (the 240 bar ends of a minute run).
"""
from __future__ import annotations

import math

import numpy as np

STEP_MS = 3000
_H = 3_600_000
OPEN_MS = 9 * _H + 30 * 60_000
NOON_MS = 11 * _H + 30 * 60_000
PM_MS = 13 * _H
CLOSE_MS = 15 * _H
AUCTION_MS = 9 * _H + 15 * 60_000
LAST_TICK_MS = CLOSE_MS - STEP_MS


def continuous_steps() -> np.ndarray:
    """The 4,800 continuous-session step times (ms after midnight)."""
    am = OPEN_MS + STEP_MS * np.arange(1, 2401, dtype=np.int64)
    pm = PM_MS + STEP_MS * np.arange(1, 2401, dtype=np.int64)
    return np.concatenate([am, pm])


CONTINUOUS = continuous_steps()
# Session seconds (lunch not counted) of each continuous step: 3, 6, … 14400.
SESSION_SECONDS = np.arange(1, 4801, dtype=np.int64) * 3


def auction_steps(snapshot_ms: np.ndarray) -> np.ndarray:
    """Steps of the opening call auction: the 3-second slot ends (09:15:00 … 09:30:00) holding a snapshot."""
    t = np.asarray(snapshot_ms, np.int64)
    t = t[(t >= AUCTION_MS) & (t < OPEN_MS)]
    if not len(t):
        return np.zeros(0, np.int64)
    ends = -(-t // STEP_MS) * STEP_MS               # ceil to the 3-second grid
    ends = np.minimum(ends, OPEN_MS - STEP_MS)      # a 09:29:58 snapshot is seen at 09:29:57 at the latest
    return np.unique(np.maximum(ends, t))           # never before the snapshot itself


def interval_steps(seconds) -> int:
    """A run_interval period in 3-second steps: ``seconds`` rounded up (at least 3 s, the platform's floor)."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds) \
            or seconds <= 0:
        raise ValueError(f"run_interval: seconds must be a positive number, was {seconds!r}")
    return max(1, math.ceil(max(float(seconds), 3.0) / 3.0))


def minute_bar_of(ms: int) -> int:
    """The minute bar (0 … 239) ending at ``ms``, or -1 when ``ms`` is not a bar end."""
    if ms % 60_000:
        return -1
    m = ms // 60_000
    if 9 * 60 + 31 <= m <= 11 * 60 + 30:
        return int(m - (9 * 60 + 31))
    if 13 * 60 + 1 <= m <= 15 * 60:
        return int(120 + m - (13 * 60 + 1))
    return -1


def bars_done(ms: int) -> int:
    """How many minute bars have ended by ``ms`` (0 … 240)."""
    if ms < OPEN_MS + 60_000:
        return 0
    if ms <= NOON_MS:
        return int((ms - OPEN_MS) // 60_000)
    if ms < PM_MS + 60_000:
        return 120
    return int(min(240, 120 + (ms - PM_MS) // 60_000))
