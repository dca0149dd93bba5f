"""Aggregate consecutive bars into longer ones (5m…120m from minutes, weeks…years from days).

Rows are [bars, securities] float arrays; a group is a run of consecutive rows.  NaN rows (no data)
are skipped inside a group; a group with no data at all stays NaN.
"""
from __future__ import annotations

import numpy as np

FIRST = ("open", "preclose")
LAST = ("close", "price", "high_limit", "low_limit", "unlimited", "listed")
SUM = ("volume", "money")


def aggregate(rows: dict, starts: np.ndarray) -> dict:
    """Aggregate ``rows`` (field -> [n, m]) over the groups beginning at ``starts`` (ascending, starts[0] = 0)."""
    out = {}
    if not len(starts):
        return {f: v[:0] for f, v in rows.items()}
    n = len(next(iter(rows.values())))
    ends = np.append(starts[1:], n)
    for f, v in rows.items():
        v = np.asarray(v, float)
        valid = ~np.isnan(v)
        any_valid = np.add.reduceat(valid.astype(np.int64), starts, axis=0) > 0
        if f in SUM:
            r = np.add.reduceat(np.where(valid, v, 0.0), starts, axis=0)
        elif f == "high" or f == "is_open":
            r = np.fmax.reduceat(v, starts, axis=0)
        elif f == "low":
            r = np.fmin.reduceat(v, starts, axis=0)
        elif f in FIRST:
            r = _first_valid(v, valid, starts, ends)
        else:
            r = _last_valid(v, valid, starts, ends)
        out[f] = np.where(any_valid, r, np.nan)
    return out


def _first_valid(v, valid, starts, ends):
    out = np.full((len(starts), v.shape[1]), np.nan)
    for g, (a, b) in enumerate(zip(starts, ends)):
        blk, ok = v[a:b], valid[a:b]
        idx = np.argmax(ok, axis=0)
        out[g] = blk[idx, np.arange(v.shape[1])]
    return out


def _last_valid(v, valid, starts, ends):
    out = np.full((len(starts), v.shape[1]), np.nan)
    for g, (a, b) in enumerate(zip(starts, ends)):
        blk, ok = v[a:b][::-1], valid[a:b][::-1]
        idx = np.argmax(ok, axis=0)
        out[g] = blk[idx, np.arange(v.shape[1])]
    return out


def group_starts(keys: np.ndarray) -> np.ndarray:
    """Start index of each run of equal consecutive ``keys``."""
    if len(keys) == 0:
        return np.array([], np.int64)
    return np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))


def period_keys(dates: np.ndarray, unit: str) -> np.ndarray:
    """Integer period key per trading day: 'W' (ISO week), 'M', 'Q', 'Y'."""
    d = dates.astype("datetime64[D]")
    if unit == "W":
        # Weeks start on Monday; 1970-01-01 was a Thursday.
        return (d.astype(np.int64) + 3) // 7
    m = d.astype("datetime64[M]").astype(np.int64)
    if unit == "M":
        return m
    if unit == "Q":
        return m // 3
    return m // 12
