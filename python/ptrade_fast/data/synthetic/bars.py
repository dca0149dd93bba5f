"""Bar arithmetic shared by every security type: minute paths that aggregate exactly to the daily bar,
intraday volume splits and whole-CNY money."""
from __future__ import annotations

import numpy as np

from .params import _U_SHAPE


def _attach_minutes(daily, mins):
    """Give minute bars their whole-CNY money and make the daily money its sum."""
    mins["money"] = _minute_money(mins).astype(float)
    money = np.zeros(len(daily["g"]))
    money[daily["open_mask"]] = mins["money"].sum(axis=1)
    daily["money"] = money
    daily["min"] = mins


def minute_path(o, h, low, c, rng):
    """240 one-minute bars (integer ticks) per row that aggregate exactly to the daily (o, h, low, c).

    A Brownian bridge from the open to the close, clipped to [low, high]; one random bar reaches the
    high and one the low.  Vectorised over rows (securities)."""
    n = len(o)
    o, h, low, c = (np.asarray(x, np.int64) for x in (o, h, low, c))
    scale = np.maximum((h - low) / 16.0, 0.3)
    path = np.cumsum(rng.standard_normal((n, 240)) * scale[:, None], axis=1)
    ramp = np.arange(1, 241) / 240.0
    bridge = o[:, None] + path - ramp[None, :] * (path[:, -1] - (c - o))[:, None]
    close = np.clip(np.rint(bridge).astype(np.int64), low[:, None], h[:, None])
    close[:, -1] = c
    opn = np.empty_like(close)
    opn[:, 0] = o
    opn[:, 1:] = close[:, :-1]
    high = np.maximum(opn, close)
    lo_ = np.minimum(opn, close)
    rows = np.arange(n)
    high[rows, rng.integers(0, 240, n)] = h
    lo_[rows, rng.integers(0, 240, n)] = low
    return opn, high, lo_, close


def split_lots(lots, rng):
    """Split each row's daily lots over 240 bars (at least one lot each, U-shaped, noisy); rows sum exactly."""
    lots = np.asarray(lots, np.int64)
    n = len(lots)
    w = _U_SHAPE[None, :] * np.exp(0.5 * rng.standard_normal((n, 240)))
    w /= w.sum(axis=1, keepdims=True)
    spare = lots - 240
    out = np.floor(w * spare[:, None]).astype(np.int64)
    out[np.arange(n), np.argmax(w, axis=1)] += spare - out.sum(axis=1)
    return out + 1


def _minute_money(p):
    """Whole-CNY money of minute bars: volume × (O+H+L+C)/4, in integers (``div`` = 4 / (lot × tick))."""
    s = p["o"] + p["h"] + p["l"] + p["c"]
    div = p["div"]
    return (p["lots"] * s + div // 2) // div


def _daily_money(lots, o, h, low, c, div):
    return ((lots * (o + h + low + c) + div // 2) // div).astype(float)


