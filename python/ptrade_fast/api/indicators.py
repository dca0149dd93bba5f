"""Ptrade technical indicators (§D.18): ``get_MACD``, ``get_KDJ``, ``get_RSI``, ``get_CCI``.

Definitions are the Chinese-terminal (通达信/同花顺) ones the spec gives:
``EMA(X, n)``: Y = (2X + (n−1)Y') / (n+1), seeded with the first X;
``SMA(X, n, m)``: Y = (mX + (n−m)Y') / n, seeded with the first X;
MACD: DIF = EMA(C, short) − EMA(C, long), DEA = EMA(DIF, m), MACD = 2(DIF − DEA);
KDJ: RSV = (C − LLV(L, n)) / (HHV(H, n) − LLV(L, n)) × 100, K = SMA(RSV, m1, 1), D = SMA(K, m2, 1), J = 3K − 2D;
RSI: SMA(max(C − C₁, 0), n, 1) / SMA(|C − C₁|, n, 1) × 100;
CCI: TP = (H + L + C)/3, CCI = (TP − MA(TP, n)) / (0.015 × AVEDEV(TP, n)).

Called with arrays they return arrays of the input's length (official form).  Called with a security
code (the seed's form, §0.1a) they compute on that security's daily bars up to the current bar and
return the latest values keyed as the seed reads them (``['DIF']``, ``['K']``, ``['RSI']``, ``['CCI']``).
"""
from __future__ import annotations

import numpy as np

from ..engine.phases import phases

_PH = ("before", "handle", "after", "tick", "sched", "on_order", "on_trade")


def ema(x: np.ndarray, n: int) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    if len(x) == 0:
        return out
    a = 2.0 / (n + 1)
    y = x[0]
    for i, v in enumerate(x):
        y = v if i == 0 else a * v + (1 - a) * y
        out[i] = y
    return out


def sma_cn(x: np.ndarray, n: int, m: int) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    y = np.nan
    for i, v in enumerate(x):
        if np.isnan(y):
            y = v
        elif not np.isnan(v):
            y = (m * v + (n - m) * y) / n
        out[i] = y
    return out


def _rolling(x: np.ndarray, n: int, fn) -> np.ndarray:
    out = np.full(len(x), np.nan)
    for i in range(len(x)):
        w = x[max(0, i - n + 1): i + 1]
        out[i] = fn(w)
    return out


def macd(close, short=12, long=26, m=9):
    c = np.asarray(close, dtype=float)
    dif = ema(c, short) - ema(c, long)
    dea = ema(dif, m)
    return dif, dea, 2.0 * (dif - dea)


def kdj(high, low, close, n=9, m1=3, m2=3):
    h, l, c = (np.asarray(a, dtype=float) for a in (high, low, close))
    hh = _rolling(h, n, np.max)
    ll = _rolling(l, n, np.min)
    rng = hh - ll
    with np.errstate(invalid="ignore", divide="ignore"):
        rsv = np.where(rng > 0, (c - ll) / rng * 100.0, 50.0)
    k = sma_cn(rsv, m1, 1)
    d = sma_cn(k, m2, 1)
    return k, d, 3 * k - 2 * d


def rsi(close, n=6):
    c = np.asarray(close, dtype=float)
    diff = np.diff(c, prepend=np.nan)
    up = sma_cn(np.where(np.isnan(diff), np.nan, np.maximum(diff, 0)), n, 1)
    tot = sma_cn(np.abs(diff), n, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, up / tot * 100.0, np.where(np.isnan(tot), np.nan, 50.0))


def cci(high, low, close, n=14):
    h, l, c = (np.asarray(a, dtype=float) for a in (high, low, close))
    tp = (h + l + c) / 3.0
    ma = _rolling(tp, n, np.mean)
    md = _rolling(tp, n, lambda w: np.mean(np.abs(w - w.mean())))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (tp - ma) / (0.015 * md)
    out[: n - 1] = np.nan
    return out


class IndicatorAPI:
    """The four indicator functions, accepting both the official array form and the seed's code form."""

    def __init__(self, rt, market):
        self.rt = rt
        self.market = market

    def _bars(self, code, count=250):
        df = self.market.get_history.__wrapped__(self.market, count, "1d", ["high", "low", "close"], code,
                                                 None, True)
        df = df.dropna()
        return df["high"].to_numpy(float), df["low"].to_numpy(float), df["close"].to_numpy(float)

    @staticmethod
    def _last(x):
        return float(x[-1]) if len(x) else float("nan")

    @phases(*_PH)
    def get_MACD(self, close, short=12, long=26, m=9, **seed_kw):
        """Ptrade ``get_MACD(close, short=12, long=26, m=9)`` → ``(dif, dea, macd)`` arrays.

        Seed form ``get_MACD(code, N1=12, N2=26, M=9)`` → ``{'DIF', 'DEA', 'MACD'}`` latest values.
        """
        if isinstance(close, str):
            short, long, m = seed_kw.get("N1", short), seed_kw.get("N2", long), seed_kw.get("M", m)
            _, _, c = self._bars(close)
            dif, dea, bar = macd(c, short, long, m)
            return {"DIF": self._last(dif), "DEA": self._last(dea), "MACD": self._last(bar)}
        return macd(close, short, long, m)

    @phases(*_PH)
    def get_KDJ(self, high, low=None, close=None, n=9, m1=3, m2=3, **seed_kw):
        """Ptrade ``get_KDJ(high, low, close, n=9, m1=3, m2=3)`` → ``(k, d, j)`` arrays.

        Seed form ``get_KDJ(code, N=9, M1=3, M2=3)`` → ``{'K', 'D', 'J'}`` latest values.
        """
        if isinstance(high, str):
            n, m1, m2 = seed_kw.get("N", n), seed_kw.get("M1", m1), seed_kw.get("M2", m2)
            h, l, c = self._bars(high)
            k, d, j = kdj(h, l, c, n, m1, m2)
            return {"K": self._last(k), "D": self._last(d), "J": self._last(j)}
        return kdj(high, low, close, n, m1, m2)

    @phases(*_PH)
    def get_RSI(self, close, n=6, **seed_kw):
        """Ptrade ``get_RSI(close, n=6)`` → array.  Seed form ``get_RSI(code, N=14)`` → ``{'RSI'}``."""
        if isinstance(close, str):
            n = seed_kw.get("N", n)
            _, _, c = self._bars(close)
            return {"RSI": self._last(rsi(c, n))}
        return rsi(close, n)

    @phases(*_PH)
    def get_CCI(self, high, low=None, close=None, n=14, **seed_kw):
        """Ptrade ``get_CCI(high, low, close, n=14)`` → array.  Seed form ``get_CCI(code, N=14)`` → ``{'CCI'}``."""
        if isinstance(high, str):
            n = seed_kw.get("N", n)
            h, l, c = self._bars(high)
            return {"CCI": self._last(cci(h, l, c, n))}
        return cci(high, low, close, n)
