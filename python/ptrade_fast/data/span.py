"""The span a run covers when the user gives no start or end: the span the data covers for the frequency.

Daily runs take the data's daily bars from their first day (never before 2005-01-04, Ptrade's data start,
docs/ptrade-api.md §F) to the calendar's last day.  Minute runs take the latest unbroken stretch of
trading days that all have minute bars: a data root often holds a few separate minute samples, and a run
across a gap would stop on the first day without bars.
"""
from __future__ import annotations

import numpy as np

from .. import errors as E

PTRADE_DATA_START = np.datetime64("2005-01-04", "D")


def minute_stretches(calendar: np.ndarray, minute_dates: np.ndarray) -> list[tuple[np.datetime64, np.datetime64]]:
    """The unbroken stretches of trading days with minute bars, as ``(first, last)`` pairs, oldest first."""
    if len(minute_dates) == 0:
        return []
    pos = np.searchsorted(calendar, minute_dates)
    breaks = np.flatnonzero(np.diff(pos) != 1)
    firsts = np.r_[0, breaks + 1]
    lasts = np.r_[breaks, len(minute_dates) - 1]
    return [(minute_dates[a], minute_dates[b]) for a, b in zip(firsts, lasts)]


def data_span(store, frequency: str, start=None, end=None) -> tuple[np.datetime64, np.datetime64]:
    """``(first, last)`` day a run of ``frequency`` covers by default, given the bounds the user set.

    With only ``end`` set, a minute run starts at the first day of the stretch holding ``end``; with only
    ``start`` set, it ends at the last day of the stretch holding ``start``.
    """
    cal = store.calendar
    if frequency == "1m":
        stretches = minute_stretches(cal, store.minute_dates)
        if not stretches:
            raise E.DataError(f"data root {store.root} holds no minute bars: run daily (frequency '1d')")
        if start is None and end is None:
            return stretches[-1]
        anchor = np.datetime64(end if start is None else start, "D")
        for lo, hi in stretches:
            if lo <= anchor <= hi:
                return lo, hi
        return stretches[-1]
    first_bar = getattr(store, "first_daily_date", None)
    lo = np.datetime64(first_bar, "D") if first_bar is not None else cal[0]
    return max(lo, PTRADE_DATA_START), cal[-1]
