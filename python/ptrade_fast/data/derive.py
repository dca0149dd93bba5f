"""Derived daily columns: suspension rows, preclose (with ex-rights reference prices), limits, is_open.

One implementation for everything that turns raw traded bars into ``daily/YYYY.parquet`` rows
(docs/data-format.md, *daily*): the sample-bundle builder's rules, moved here so importers share them.
With ``list_date=None`` the output equals ``tools/build_bundle.derive_daily`` value for value.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import codes as codes_mod
from ..rules import futures as frules
from ..rules import instruments as irules
from ..rules.limits import CB_LIMITS, cb_first_day_limits, ex_reference_price, limit_prices, limit_ratio

RAW_DAILY_COLUMNS = ("date", "open", "high", "low", "close", "volume", "money")
# Optional raw daily inputs of futures: the day's settlement and open interest, and the previous settlement
# of a series' first day (the limit base a first row cannot derive).
FUTURES_RAW_COLUMNS = ("settlement", "open_interest", "pre_settlement")


def rule_of(code):
    """``(type, InstrumentRule)`` of a code: its type by prefix and the current per-type parameters.

    Raises
    ------
    ValueError
        If no prefix rule matches the code (naming it).
    """
    typ = codes_mod.classify(code)
    if typ is None:
        raise ValueError(f"cannot classify security code {code!r}: no prefix rule in rules/code_rules.json")
    return typ, irules.current(typ, codes_mod.exchange_of(code))


def _dates(series) -> np.ndarray:
    return pd.to_datetime(pd.Series(series)).to_numpy().astype("datetime64[D]")


def _repair_and_fill(cols: dict, have: np.ndarray) -> None:
    """In place: make high/low bracket open and close (16 impossible TDX index records), then fill days
    without a row (suspensions) with the last close and no money."""
    o, h, l, c = cols["open"], cols["high"], cols["low"], cols["close"]
    cols["high"] = np.where(have, np.fmax.reduce([o, h, l, c]), np.nan)
    cols["low"] = np.where(have, np.fmin.reduce([o, h, l, c]), np.nan)
    last = pd.Series(np.where(have, c, np.nan)).ffill().to_numpy()
    for k in ("open", "high", "low", "close"):
        cols[k] = np.where(have, cols[k], last)
    cols["money"] = np.where(have, cols["money"], 0.0)


def derive_daily(code, df, calendar, coverage_end=None, events=None, list_date=None, name=""):
    """Fill suspensions and compute preclose, limits, is_open for one security.

    Parameters
    ----------
    code : str
        Ptrade short code.
    df : DataFrame
        ``date, open, high, low, close, volume, money``, sorted by date, one row per date.  Rows with
        volume 0 are kept as given (a suspension row written earlier reads back as itself).
    calendar : array of datetime64[D]
        Trading days; rows are produced for every calendar day from the first bar to ``coverage_end``.
    coverage_end : datetime64[D], optional
        Last day of the series (default: the last bar).
    events : DataFrame, optional
        The code's price-moving ex-rights events (``data.adjust.price_events``).
    list_date : datetime64[D], optional
        Listing date, for the no-limit IPO days; default the first bar (the bundle's rule).
    """
    typ, rule = rule_of(code)
    if typ == "future":
        return derive_future_daily(code, df, calendar, coverage_end)
    d = _dates(df["date"])
    if coverage_end is None:
        coverage_end = d[-1]
    days = calendar[(calendar >= d[0]) & (calendar <= coverage_end)]
    pos = np.searchsorted(days, d)
    n = len(days)
    cols = {k: np.full(n, np.nan) for k in ("open", "high", "low", "close", "money")}
    vol = np.zeros(n, np.int64)
    have = np.zeros(n, bool)
    for k in cols:
        cols[k][pos] = df[k].to_numpy(float)
    vol[pos] = df["volume"].to_numpy(np.int64)
    have[pos] = True
    _repair_and_fill(cols, have)
    is_open = (have & (vol > 0)).astype(np.uint8)
    preclose = np.concatenate([[np.nan], cols["close"][:-1]])
    # Ex-rights: the reference price replaces the previous close on the first traded day on/after ex_date.
    if events is not None and rule.tick:
        traded_idx = np.flatnonzero(is_open)
        for ev in events.itertuples():
            e = np.datetime64(str(ev.ex_date)[:10])
            k = np.searchsorted(days[traded_idx], e) if len(traded_idx) else 0
            if k >= len(traded_idx) or e <= days[0]:
                continue
            i = traded_idx[k]
            if i == 0:
                continue
            preclose[i] = ex_reference_price(preclose[i], ev.cash_dividend, ev.bonus_ratio, ev.conversion_ratio,
                                             ev.rights_ratio, ev.rights_price, rule.tick)
    if list_date is None:
        days_listed = np.arange(n)
        listed = np.repeat(days[0], n)
    else:
        listed = np.repeat(np.datetime64(list_date, "D"), n)
        days_listed = np.searchsorted(calendar, days) - np.searchsorted(calendar, listed[0])
    ratio = limit_ratio(np.repeat(typ, n), days, is_st=np.zeros(n, bool), days_listed=days_listed,
                        list_dates=listed)
    hi, lo = limit_prices(preclose, ratio, rule.tick)
    if typ == "cb" and list_date is not None:
        # A CB's listing day from 2022-08-01: 56.7 … 157.3 % of the 100 CNY par (docs/market-rules.md §2.4).
        debut = (days_listed == 0) & (days >= CB_LIMITS)
        up, dn = cb_first_day_limits()
        hi, lo = np.where(debut, up, hi), np.where(debut, dn, lo)
    return pd.DataFrame({
        "code": code, "date": days, "open": cols["open"], "high": cols["high"], "low": cols["low"],
        "close": cols["close"], "volume": vol, "money": cols["money"], "preclose": preclose,
        "high_limit": hi, "low_limit": lo, "is_open": is_open,
    })


def instrument_defaults(code) -> dict:
    """The instruments.parquet columns implied by a code alone (type, board, exchange, lot, tick, ...).

    Futures of a product in ``rules/futures_products.json`` take its tick and decimals and gain ``product``
    and ``multiplier`` (``delivery_date`` needs a calendar: :func:`future_fields`)."""
    typ, board = codes_mod.classify_full(code)
    if typ is None:
        raise ValueError(f"cannot classify security code {code!r}: no prefix rule in rules/code_rules.json")
    exch = codes_mod.exchange_of(code)
    rule = irules.current(typ, exch)
    out = {"code": code, "type": typ, "exchange": exch, "board": board, "lot": rule.lot,
           "min_buy": rule.min_buy, "tick": rule.tick, "price_decimals": rule.decimals, "t_plus": rule.t_plus,
           "stamp_tax": rule.stamp, "fee_class": rule.fee_class}
    if typ == "future":
        product = frules.product_of(code)
        out["product"] = product
        if frules.is_known(product):
            sp = frules.spec(product)
            out.update(tick=sp.tick, price_decimals=sp.decimals, multiplier=sp.multiplier)
    return out


def future_fields(code, calendar=None) -> dict:
    """``product``, ``multiplier`` and ``delivery_date`` (last trading day) of a futures code; {} for a
    product the rules table does not know."""
    product = frules.product_of(code)
    if not frules.is_known(product):
        return {"product": product}
    last = frules.last_trading_day(product, frules.yymm_of(code), calendar)
    return {"product": product, "multiplier": frules.spec(product).multiplier,
            "delivery_date": pd.Timestamp(last).date()}


# -- FUTURES -------------------------------------------------------------------------------------------

def derive_future_daily(code, df, calendar, coverage_end=None):
    """Daily rows of one futures contract (docs/data-format.md, *Futures*).

    Days without a bar inside the series are rows with volume 0, OHLC = previous close, settlement and
    open interest carried.  ``preclose`` holds the **previous settlement** (昨结算, the limit and
    mark-to-market base; the previous close where a settlement is unknown); the first row takes the given
    ``pre_settlement``.  Limits are ± the product's ratio of it, rounded inward to the tick, with the
    last-trading-day ratio on the contract's last trading day (docs/market-rules.md §9.1).
    """
    d = _dates(df["date"])
    if coverage_end is None:
        coverage_end = d[-1]
    days = calendar[(calendar >= d[0]) & (calendar <= coverage_end)]
    pos = np.searchsorted(days, d)
    n = len(days)
    have = np.zeros(n, bool)
    have[pos] = True
    cols = {}
    for k in ("open", "high", "low", "close", "money", "settlement", "open_interest", "pre_settlement"):
        cols[k] = np.full(n, np.nan)
        if k in df:
            cols[k][pos] = pd.to_numeric(df[k], errors="coerce").to_numpy(float)
    vol = np.zeros(n, np.int64)
    vol[pos] = df["volume"].to_numpy(np.int64)
    _repair_and_fill(cols, have)
    for k in ("settlement", "open_interest"):
        cols[k] = np.where(have, cols[k], pd.Series(np.where(have, cols[k], np.nan)).ffill().to_numpy())
    base = np.where(np.isnan(cols["settlement"]), cols["close"], cols["settlement"])
    preclose = np.concatenate([[cols["pre_settlement"][0] if n else np.nan], base[:-1]])
    product = frules.product_of(code)
    if frules.is_known(product):
        sp = frules.spec(product)
        ratio = np.full(n, sp.limit_ratio)
        ratio[days == frules.last_trading_day(product, frules.yymm_of(code), calendar)] = sp.last_day_limit_ratio
        hi, lo = frules.limit_prices(preclose, ratio, sp.tick)
    else:
        hi = lo = np.full(n, np.nan)
    oi = cols["open_interest"]
    return pd.DataFrame({
        "code": code, "date": days, "open": cols["open"], "high": cols["high"], "low": cols["low"],
        "close": cols["close"], "volume": vol, "money": cols["money"], "preclose": preclose,
        "high_limit": hi, "low_limit": lo, "is_open": (have & (vol > 0)).astype(np.uint8),
        "settlement": cols["settlement"],
        "open_interest": pd.Series(np.rint(oi)).astype("Int64").array,
    })


def dominant_contracts(daily: pd.DataFrame) -> pd.DataFrame:
    """The dominant (主力) contract per product and day from daily futures rows.

    ``daily``: ``code, date, open_interest, is_open`` (one product or several).  On day D the dominant
    contract is, among the contracts with a traded bar on D, the one with the largest open interest at the
    previous trading day's close (so it is known before D's open); a contract without a previous row counts
    with D's open interest.  Ties go to the nearer contract month.  Returns ``date, product, contract``.
    """
    if daily.empty:
        return pd.DataFrame({"date": [], "product": [], "contract": []})
    df = daily[["code", "date", "open_interest", "is_open"]].copy()
    df["date"] = _dates(df["date"])
    df = df.sort_values(["code", "date"], kind="stable")
    oi = pd.to_numeric(df["open_interest"], errors="coerce").astype(float)
    prev = oi.groupby(df["code"]).shift(1)
    df["score"] = prev.fillna(oi).fillna(-1.0).to_numpy()
    df["product"] = [frules.product_of(c) for c in df["code"]]
    df = df[df["is_open"].astype(int) == 1]
    df = df.sort_values(["product", "date", "score", "code"], ascending=[True, True, False, True], kind="stable")
    top = df.drop_duplicates(["product", "date"], keep="first")
    return pd.DataFrame({"date": top["date"].to_numpy(), "product": top["product"].to_numpy(),
                         "contract": top["code"].to_numpy()}).sort_values(["date", "product"]).reset_index(drop=True)
