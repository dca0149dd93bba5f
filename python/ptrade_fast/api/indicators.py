"""Ptrade technical indicators (§D.18): ``get_MACD``, ``get_KDJ``, ``get_RSI``, ``get_CCI``.

Definitions are the Chinese-terminal (通达信/同花顺) ones the spec gives:
MACD: DIF = EMA(C, short) − EMA(C, long), DEA = EMA(DIF, m), MACD = 2(DIF − DEA);
KDJ: RSV = (C − LLV(L, n)) / (HHV(H, n) − LLV(L, n)) × 100, K = SMA(RSV, m1, 1), D = SMA(K, m2, 1), J = 3K − 2D;
RSI: SMA(max(C − C₁, 0), n, 1) / SMA(|C − C₁|, n, 1) × 100;
CCI: TP = (H + L + C)/3, CCI = (TP − MA(TP, n)) / (0.015 × AVEDEV(TP, n)).

Which piece is computed by what:
- TA-Lib (when ``talib`` is importable) where its definition is the terminal's: ``MAX``/``MIN`` for
  HHV/LLV over full windows, and ``CCI`` (TA-Lib's CCI is exactly TP, its n-bar simple mean and mean
  absolute deviation, NaN for the first n−1 bars).  Without TA-Lib the same values come from NumPy.
- Our own recursion for ``EMA(X, n)``: Y = (2X + (n−1)Y') / (n+1) and ``SMA(X, n, m)``: Y = (mX + (n−m)Y') / n,
  both seeded with the first value.  TA-Lib's EMA and its RSI (Wilder) seed with the mean of the first
  n values, which gives different numbers for the whole warm-up and beyond, so they are not used.
- HHV/LLV over the first n−1 bars use the bars available so far (a running max/min), as the terminals do;
  TA-Lib's MAX/MIN are NaN there.

Called with arrays they return arrays of the input's length (official form).  Called with a security
code (the seed's form, §0.1a) they compute on that security's daily bars up to the current bar and
return the latest values keyed as the seed reads them (``['DIF']``, ``['K']``, ``['RSI']``, ``['CCI']``).
"""
from __future__ import annotations

import numpy as np

from ..model.phases import phases

try:  # TA-Lib ships manylinux wheels with the C library inside; strategies also `import talib` (§K).
    import talib as _talib
except ImportError:  # pragma: no cover - exercised only where the wheel is absent
    _talib = None

_PH = ("before", "handle", "after", "tick", "sched", "on_order", "on_trade")
_SEED_BARS = 250

# -- BUILDING BLOCKS -------------------------------------------------------------------------------------


def _f64(x) -> np.ndarray:
    return np.ascontiguousarray(x, dtype=np.float64)


def _recursive(x: np.ndarray, alpha: float) -> np.ndarray:
    """Y = alpha·X + (1 − alpha)·Y', seeded with the first non-NaN X; a NaN X keeps Y'."""
    out = np.full(len(x), np.nan)
    y = np.nan
    # Runs once per indicator call over at most a few hundred bars.
    for i, v in enumerate(x.tolist()):
        if y != y:  # not yet seeded
            y = v
        elif v == v:
            y = alpha * v + (1.0 - alpha) * y
        out[i] = y
    return out


def ema(x, n: int) -> np.ndarray:
    """Terminal EMA(X, n) = (2X + (n−1)Y') / (n+1), seeded with the first value."""
    return _recursive(_f64(x), 2.0 / (n + 1))


def sma_cn(x, n: int, m: int) -> np.ndarray:
    """Terminal SMA(X, n, m) = (mX + (n−m)Y') / n, seeded with the first value."""
    return _recursive(_f64(x), m / n)


def hhv(x, n: int) -> np.ndarray:
    """Highest value of the last n bars (of the bars so far during the first n−1)."""
    x = _f64(x)
    return _extreme(x, n, np.fmax, _talib.MAX if _talib is not None else None)


def llv(x, n: int) -> np.ndarray:
    """Lowest value of the last n bars (of the bars so far during the first n−1)."""
    x = _f64(x)
    return _extreme(x, n, np.fmin, _talib.MIN if _talib is not None else None)


def _extreme(x, n, ufunc, ta):
    out = ufunc.accumulate(x) if len(x) else x.copy()
    if len(x) >= n and n > 1:
        if ta is not None and not np.isnan(x).any():
            full = ta(x, timeperiod=n)
        else:
            windows = np.lib.stride_tricks.sliding_window_view(x, n)
            full = np.concatenate([np.full(n - 1, np.nan), ufunc.reduce(windows, axis=1)])
        out[n - 1:] = full[n - 1:]
    return out


def _cci_numpy(h, l, c, n):
    tp = (h + l + c) / 3.0
    out = np.full(len(tp), np.nan)
    if len(tp) >= n:
        w = np.lib.stride_tricks.sliding_window_view(tp, n)
        mean = w.mean(axis=1)
        dev = np.abs(w - mean[:, None]).mean(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[n - 1:] = (tp[n - 1:] - mean) / (0.015 * dev)
    return out


# -- INDICATORS ----------------------------------------------------------------------------------------


def macd(close, short=12, long=26, m=9):
    c = _f64(close)
    dif = ema(c, short) - ema(c, long)
    dea = ema(dif, m)
    return dif, dea, 2.0 * (dif - dea)


def kdj(high, low, close, n=9, m1=3, m2=3):
    h, l, c = _f64(high), _f64(low), _f64(close)
    hh, ll = hhv(h, n), llv(l, n)
    rng = hh - ll
    with np.errstate(invalid="ignore", divide="ignore"):
        rsv = np.where(rng > 0, (c - ll) / rng * 100.0, 50.0)  # a flat window counts as mid-range
    k = sma_cn(rsv, m1, 1)
    d = sma_cn(k, m2, 1)
    return k, d, 3 * k - 2 * d


def rsi(close, n=6):
    c = _f64(close)
    diff = np.diff(c, prepend=np.nan)
    up = sma_cn(np.where(np.isnan(diff), np.nan, np.maximum(diff, 0)), n, 1)
    tot = sma_cn(np.abs(diff), n, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, up / tot * 100.0, np.where(np.isnan(tot), np.nan, 50.0))


def cci(high, low, close, n=14):
    h, l, c = _f64(high), _f64(low), _f64(close)
    if _talib is not None and len(c) >= n and not (np.isnan(h).any() or np.isnan(l).any() or np.isnan(c).any()):
        out = _talib.CCI(h, l, c, timeperiod=n)
        out[: n - 1] = np.nan
        return out
    return _cci_numpy(h, l, c, n)


# -- API -----------------------------------------------------------------------------------------------


class IndicatorAPI:
    """The four indicator functions, accepting both the official array form and the seed's code form."""

    def __init__(self, rt, market):
        self.rt = rt
        self.market = market

    def _bars(self, code, count=_SEED_BARS):
        df = self.market.get_history.__wrapped__(self.market, count, "1d", ["high", "low", "close"], code,
                                                 None, True)
        df = df.dropna()
        return df["high"].to_numpy(float), df["low"].to_numpy(float), df["close"].to_numpy(float)

    @staticmethod
    def _last(x):
        return float(x[-1]) if len(x) else float("nan")

    @phases(*_PH)
    def get_MACD(self, close, short=12, long=26, m=9, **seed_kw):
        """get_MACD: MACD of a close series → ``(dif, dea, macd)`` arrays of the input's length.

        Parameters
        ----------
        close : numpy.ndarray or str
            Closes; or a security code (seed form, with ``N1``, ``N2``, ``M``).
        short, long, m : int

        Returns
        -------
        tuple of numpy.ndarray, or dict
            Seed form: ``{'DIF', 'DEA', 'MACD'}`` latest values over the last 250 daily bars.
        """
        if isinstance(close, str):
            short, long, m = seed_kw.get("N1", short), seed_kw.get("N2", long), seed_kw.get("M", m)
            _, _, c = self._bars(close)
            dif, dea, bar = macd(c, short, long, m)
            return {"DIF": self._last(dif), "DEA": self._last(dea), "MACD": self._last(bar)}
        return macd(close, short, long, m)

    @phases(*_PH)
    def get_KDJ(self, high, low=None, close=None, n=9, m1=3, m2=3, **seed_kw):
        """get_KDJ: KDJ → ``(k, d, j)`` arrays.  Seed form ``get_KDJ(code, N=9, M1=3, M2=3)`` → ``{'K', 'D', 'J'}``."""
        if isinstance(high, str):
            n, m1, m2 = seed_kw.get("N", n), seed_kw.get("M1", m1), seed_kw.get("M2", m2)
            h, l, c = self._bars(high)
            k, d, j = kdj(h, l, c, n, m1, m2)
            return {"K": self._last(k), "D": self._last(d), "J": self._last(j)}
        return kdj(high, low, close, n, m1, m2)

    @phases(*_PH)
    def get_RSI(self, close, n=6, **seed_kw):
        """get_RSI: RSI → array.  Seed form ``get_RSI(code, N=14)`` → ``{'RSI'}``."""
        if isinstance(close, str):
            n = seed_kw.get("N", n)
            _, _, c = self._bars(close)
            return {"RSI": self._last(rsi(c, n))}
        return rsi(close, n)

    @phases(*_PH)
    def get_CCI(self, high, low=None, close=None, n=14, **seed_kw):
        """get_CCI: CCI → array (NaN for the first n−1 bars).  Seed form ``get_CCI(code, N=14)`` → ``{'CCI'}``."""
        if isinstance(high, str):
            n = seed_kw.get("N", n)
            h, l, c = self._bars(high)
            return {"CCI": self._last(cci(h, l, c, n))}
        return cci(high, low, close, n)
