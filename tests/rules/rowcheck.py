"""Helpers for table-driven rule tests: each dated row is probed on the day before it starts, its first
day and a day inside its range.  Expected values are written in the test files from the contract
(docs/ and market-rules), never read from ``ptrade_fast.rules``."""
from __future__ import annotations

import datetime as dt


def probes(rows, last_inside: str = "2026-01-05"):
    """Yield ``(label, day, value)`` for dated rows ``[(first_day_iso, value), ...]`` (ascending).

    For each row: the day before its first day (the previous row's value; skipped for the first row),
    its first day, and the midpoint of its range (up to ``last_inside`` for the open-ended last row).
    """
    for i, (start, value) in enumerate(rows):
        first = dt.date.fromisoformat(start)
        end = dt.date.fromisoformat(rows[i + 1][0]) if i + 1 < len(rows) else dt.date.fromisoformat(last_inside)
        if i:
            yield f"{start}-before", first - dt.timedelta(days=1), rows[i - 1][1]
        yield f"{start}-first", first, value
        yield f"{start}-inside", first + (end - first) // 2, value
