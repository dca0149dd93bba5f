"""Daily price limits (涨跌停) by board, ST flag and date; ex-rights reference prices.

docs/market-rules.md §2 and §8.2.  Everything is vectorised over numpy arrays and done in integer ticks:
a limit is ``base × (1 ± r)`` rounded half-up to the tick, with ``r`` held in basis points so the
multiplication is exact (oracle: 600000.SS on 2008-04-24, base 27.02, ratio 10 % -> 29.72).
A ratio of NaN means "no limit that day".
"""
from __future__ import annotations

import numpy as np

# -- DATES ---------------------------------------------------------------------------------------------

LIMITS_START = np.datetime64("1996-12-16")      # ±10 % regime on both exchanges
ST_START = np.datetime64("1998-04-22")          # ST ±5 %
ST_10PCT = np.datetime64("2026-07-06")          # main-board ST back to ±10 %
CHINEXT_REFORM = np.datetime64("2020-08-24")    # ChiNext ±20 %, 5 no-limit IPO days
STAR_START = np.datetime64("2019-07-22")
MAIN_REGISTRATION = np.datetime64("2023-04-10")  # main-board registration IPOs: 5 no-limit days
CB_LIMITS = np.datetime64("2022-08-01")          # CB ±20 %; first day 56.7 / 157.3 of par

NO_LIMIT_TYPES = ("index", "bond", "repo", "future")
FUND_TYPES = ("etf", "lof", "fund", "reit")

# -- RATIOS --------------------------------------------------------------------------------------------


def limit_ratio(types, dates, is_st=None, days_listed=None, list_dates=None):
    """Return the daily limit ratio (e.g. 0.1) per element; NaN where there is no limit.

    Parameters
    ----------
    types : array of str
        Instrument types as in ``codes.classify`` (``'stock'``, ``'chinext'``, ``'star'``, ...).
    dates : array of datetime64[D]
        Trading days.
    is_st : array of bool, optional
        ST / *ST flag on that day.
    days_listed : array of int, optional
        0 on the first trading day, 1 on the second, ...; enables the no-limit IPO days.
    list_dates : array of datetime64[D], optional
        Listing dates (needed with ``days_listed`` to pick the IPO regime).
    """
    types = np.asarray(types, dtype=object)
    dates = np.asarray(dates, dtype="datetime64[D]")
    types, dates = np.broadcast_arrays(types, dates)
    st = np.zeros(dates.shape, bool) if is_st is None else np.broadcast_to(np.asarray(is_st, bool), dates.shape)
    out = np.full(dates.shape, np.nan)

    is_stock = types == "stock"
    is_b = types == "b_share"
    is_gem = types == "chinext"
    is_star = types == "star"
    is_fund = np.isin(types, FUND_TYPES)
    is_cb = types == "cb"
    st_regime = st & (dates >= ST_START)

    main = np.where(st_regime & (dates < ST_10PCT), 0.05, 0.10)
    out = np.where(is_stock | is_b, np.where(is_b & st_regime, 0.05, main), out)
    gem_old = np.where(st_regime, 0.05, 0.10)
    out = np.where(is_gem, np.where(dates >= CHINEXT_REFORM, 0.20, gem_old), out)
    out = np.where(is_star, 0.20, out)
    out = np.where(is_fund, 0.10, out)
    out = np.where(is_cb & (dates >= CB_LIMITS), 0.20, out)
    # Before the 1996-12-16 regime there were no daily limits.
    out = np.where(dates < LIMITS_START, np.nan, out)

    if days_listed is not None and list_dates is not None:
        n = np.broadcast_to(np.asarray(days_listed), dates.shape)
        ld = np.broadcast_to(np.asarray(list_dates, dtype="datetime64[D]"), dates.shape)
        five_free = ((is_star & (ld >= STAR_START)) | (is_gem & (ld >= CHINEXT_REFORM))
                     | (is_stock & (ld >= MAIN_REGISTRATION)))
        # Older main-board IPOs: day 1 bounded by the issue price, which the data lack -> no limit.
        one_free = (is_stock | is_gem) & ~five_free
        out = np.where((five_free & (n < 5)) | (one_free & (n < 1)), np.nan, out)
        # CB first day from 2022-08-01 is bounded relative to par: see cb_first_day_limits.
        out = np.where(is_cb & (n < 1), np.nan, out)
    return out


def cb_first_day_limits(par: float = 100.0):
    """Limits of a convertible bond's first trading day from 2022-08-01: (157.3 %, 56.7 %) of par."""
    return round(par * 1.573, 3), round(par * 0.567, 3)


# -- PRICES --------------------------------------------------------------------------------------------


def _to_ticks(price, tick):
    return np.rint(np.asarray(price, float) / tick)


def round_to_tick(price, tick):
    """Round prices half-up to the tick (in integer ticks, with a tiny guard for binary floats)."""
    price = np.asarray(price, float)
    tick = np.asarray(tick, float)
    return np.floor(price / tick + 0.5 + 1e-9) * tick


def limit_prices(base, ratio, tick):
    """Return ``(high_limit, low_limit)`` arrays: base × (1 ± ratio) rounded half-up to the tick.

    NaN where ``base`` or ``ratio`` is NaN.  The product is done in integer ticks and basis points,
    so 27.02 × 1.10 = 29.722 rounds to exactly 29.72.
    """
    base = np.asarray(base, float)
    ratio = np.asarray(ratio, float)
    tick = np.asarray(tick, float)
    base, ratio, tick = np.broadcast_arrays(base, ratio, tick)
    ok = ~(np.isnan(base) | np.isnan(ratio) | np.isnan(tick))
    bt = np.where(ok, _to_ticks(np.where(ok, base, 0.0), np.where(ok, tick, 1.0)), 0).astype(np.int64)
    bp = np.where(ok, np.rint(np.where(ok, ratio, 0.0) * 10000), 0).astype(np.int64)
    up_t = (2 * bt * (10000 + bp) + 10000) // 20000
    dn_t = (2 * bt * (10000 - bp) + 10000) // 20000
    high = np.where(ok, up_t * tick, np.nan)
    low = np.where(ok, dn_t * tick, np.nan)
    # Keep the decimals clean (29.720000000000002 -> 29.72) for byte-stable output.
    scale = 10.0 ** np.clip(np.ceil(-np.log10(np.where(ok, tick, 1.0)) - 1e-9), 0, 8)
    high = np.rint(high * scale) / scale
    low = np.rint(low * scale) / scale
    if high.ndim == 0:
        return float(high), float(low)
    return high, low


def ex_reference_price(prev_close, cash=0.0, bonus=0.0, conversion=0.0, rights_ratio=0.0, rights_price=0.0, tick=0.01):
    """Ex-rights reference price (除权参考价), rounded half-up to the tick (docs/market-rules.md §8.2).

    (prev_close − cash + rights_ratio × rights_price) / (1 + bonus + conversion + rights_ratio).
    Oracle: 600000.SS 2008-04-24, (35.29 − 0.16) / 1.3 -> 27.02.
    """
    prev_close = np.asarray(prev_close, float)
    raw = (prev_close - cash + np.asarray(rights_ratio) * rights_price) / (1.0 + np.asarray(bonus) + conversion + rights_ratio)
    out = round_to_tick(raw, tick)
    decimals = int(np.clip(np.ceil(-np.log10(float(np.max(tick))) - 1e-9), 0, 8))
    return np.round(out, decimals)
