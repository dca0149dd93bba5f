"""Synthetic stock-index futures derived from a root's index series (issue 6; clearly labelled synthetic).

``add_index_futures(root)`` adds, for every product whose underlying index has daily bars in the root
(000300.SS -> IF, 000016.SS -> IH, 000905.SS -> IC, 000852.SS -> IM), the contracts CFFEX lists on each day
(current month, next month, next two quarter months; last trading day the third Friday) with:

- prices = index × (1 + basis), the basis drawn per contract and decaying linearly to 0 at expiry, on the
  0.2 tick and inside the day's limits (± 10 % of the previous settlement, ± 20 % on the last day);
- 1-minute bars on the days the index has minute bars, from the index minutes; the daily bar then is their
  exact aggregate (money in whole CNY: a 0.2 tick × 300 or 200 is a whole number);
- daily settlement = last-hour VWAP (money / volume / multiplier) rounded to the tick, on days without
  minutes a tick-grid average of the day's prices; on the last trading day the delivery settlement = mean of
  the index over the last two hours (the afternoon's 120 minute closes), else the index close, 2 decimals;
- open interest peaking about 20 trading days before expiry so the roll happens about a week before it,
  and the dominant-contract table derived from it (``derive.dominant_contracts``).

Everything is written through :class:`data.writer.RootWriter`; the output depends only on the root and
``seed``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...rules import futures as frules
from ..derive import dominant_contracts
from ..store import DataStore
from ..writer import RootWriter, check_root

INDEX_PRODUCTS = {"IF": "000300.SS", "IH": "000016.SS", "IC": "000905.SS", "IM": "000852.SS"}
# Typical open interest of the peak contract, in lots.
_OI_SCALE = {"IF": 150_000, "IH": 60_000, "IC": 120_000, "IM": 100_000}


def add_index_futures(root, products=("IF", "IH", "IC", "IM"), seed=0, start=None, end=None) -> list[str]:
    """Add synthetic index-futures contracts (daily, minute where the index has minutes, dominant table).

    Parameters
    ----------
    root : path
        A complete data root.
    products : iterable of str
        Products to add; those whose underlying index has no daily bars in the root are skipped.
    seed : int
        Seed of the numpy Generator.
    start, end : date-like, optional
        Trading days to cover (default: the underlying's whole daily span from the product's listing).

    Returns
    -------
    list of str
        The contract codes written.
    """
    store = DataStore(check_root(root))
    rng = np.random.default_rng(seed)
    frames = {"daily": [], "minute": [], "instruments": []}
    for product in products:
        underlying = INDEX_PRODUCTS[product]
        sid = store.sid(underlying)
        row = store.instruments.loc[underlying] if underlying in store.instruments.index else None
        if sid < 0 or row is None or not bool(row["has_daily"]):
            continue
        _product(store, product, sid, rng, start, end, frames)
    if not frames["daily"]:
        return []
    daily = pd.concat(frames["daily"], ignore_index=True)
    with RootWriter.open(root, source=f"synthetic_futures:{seed}") as w:
        w.add_daily(daily)
        if frames["minute"]:
            w.add_minutes(pd.concat(frames["minute"], ignore_index=True))
        w.add_instruments(pd.DataFrame(frames["instruments"]))
        w.add_dominant(dominant_contracts(daily.assign(is_open=(daily["volume"] > 0).astype(np.uint8))))
    return sorted(set(daily["code"]))


def _product(store, product, sid, rng, start, end, frames):
    sp = frules.spec(product)
    cal = store.calendar
    first = max(np.datetime64(sp.listed, "D"), store.instruments.loc[sp.underlying, "daily_start"].to_datetime64()
                .astype("datetime64[D]"))
    if start is not None:
        first = max(first, np.datetime64(pd.Timestamp(start).date(), "D"))
    last = store.instruments.loc[sp.underlying, "daily_end"].to_datetime64().astype("datetime64[D]")
    if end is not None:
        last = min(last, np.datetime64(pd.Timestamp(end).date(), "D"))
    dates, idx = store.daily_range([sid], ("open", "high", "low", "close"), first, last)
    if not len(dates):
        return
    i0 = int(np.searchsorted(cal, dates[0]))
    prev_close = store._daily_rows(i0 - 1, i0, ("close",), np.array([sid]))["close"][0, 0] if i0 else np.nan
    index = {k: v[:, 0] for k, v in idx.items()}
    months = [frules.contract_months(product, d, cal) for d in dates]
    contracts = sorted({m for ms in months for m in ms})
    for yymm in contracts:
        on = np.array([yymm in ms for ms in months])
        _contract(store, sp, yymm, dates[on], {k: v[on] for k, v in index.items()},
                  index["close"][np.flatnonzero(on)[0] - 1] if np.flatnonzero(on)[0] > 0 else prev_close,
                  sid, rng, frames)


def _contract(store, sp, yymm, days, index, prev_index_close, sid, rng, frames):
    """Daily (and minute) bars of one contract on ``days`` (consecutive trading days it is listed on)."""
    cal = store.calendar
    code = frules.contract_code(sp.product, yymm)
    expiry = frules.last_trading_day(sp.product, yymm, cal)
    tick, mult = sp.tick, sp.multiplier
    # Trading days to expiry (past the calendar's end: weekdays).
    tau = np.searchsorted(cal, expiry) - np.searchsorted(cal, days)
    tau = np.where(expiry > cal[-1], np.busday_count(days, expiry), tau).astype(float)
    b0 = rng.normal(-0.004, 0.006)
    noise = rng.normal(0, 0.0004, len(days))
    basis = b0 * np.clip(tau / 60.0, 0, 3) + noise * np.sqrt(np.clip(tau / 60.0, 0, 1))
    basis[tau <= 0] = 0.0
    # Open interest: rises over the first days of trading, decays with time to expiry, ~0 at expiry.
    scale = _OI_SCALE[sp.product] * np.exp(rng.normal(0, 0.03))
    shape = np.clip(tau / 8.0, 0.02, 1.0) * np.exp(-np.clip(tau - 20, 0, None) / 40.0)
    oi = np.maximum(np.rint(scale * shape * np.exp(rng.normal(0, 0.04, len(days)))), 10).astype(np.int64)
    turnover = np.clip(rng.lognormal(np.log(0.6), 0.3, len(days)), 0.05, 3.0)
    volume = np.maximum(np.rint(oi * turnover * np.clip(shape, 0.05, 1)), 1).astype(np.int64)

    def grid(x):
        return np.rint(np.asarray(x, float) / tick).astype(np.int64)

    if np.isnan(prev_index_close):  # the index's first day: take its open
        prev_index_close = index["open"][0]
    pre_settle = frules.round_to_tick(prev_index_close * (1 + basis[0]), tick)
    settle_prev = pre_settle
    prev_oi = int(oi[0])
    rows = []
    for t, day in enumerate(days):
        is_last = day == expiry
        ratio = sp.last_day_limit_ratio if is_last else sp.limit_ratio
        hi_lim, lo_lim = frules.limit_prices(settle_prev, ratio, tick)
        hi_g, lo_g = grid(hi_lim), grid(lo_lim)
        k = 1 + basis[t]
        md = store.minute_day(day) if store.has_minutes(day) else None
        if md is not None and md.has_data[sid]:
            bars = _minutes(md, sid, k, hi_g, lo_g, int(volume[t]), prev_oi, int(oi[t]), tick, mult, rng)
            frames["minute"].append(pd.DataFrame({"code": code, "datetime": md.times.astype("datetime64[ms]"),
                                                  **{f: bars[f] for f in ("open", "high", "low", "close",
                                                                          "volume", "money", "open_interest")}}))
            o, h, l, c = bars["open"][0], bars["high"].max(), bars["low"].min(), bars["close"][-1]
            money = float(bars["money"].sum())
            settle = frules.settlement_price(bars["money"][-60:], bars["volume"][-60:], mult, tick)
            if np.isnan(settle):
                settle = frules.settlement_price(bars["money"], bars["volume"], mult, tick)
            delivery = np.mean(md.close[120:, sid])
        else:
            ohlc = np.clip(grid([index[f][t] * k for f in ("open", "high", "low", "close")]), lo_g, hi_g)
            o, c = ohlc[0], ohlc[3]
            h, l = max(ohlc[1], o, c), min(ohlc[2], o, c)
            settle_g = int(np.clip(np.rint((h + l + 2 * c) / 4.0), l, h))
            money = float(volume[t] * settle_g * round(tick * mult))
            o, h, l, c = (x * tick for x in (o, h, l, c))
            settle = settle_g * tick
            delivery = index["close"][t]
        if is_last:
            settle = round(float(delivery), 2)  # delivery settlement price, two decimals (docs/market-rules.md §9.1)
        rows.append((day, o, h, l, c, int(volume[t]), money, settle, int(oi[t])))
        settle_prev, prev_oi = settle, int(oi[t])
    d = pd.DataFrame(rows, columns=["date", "open", "high", "low", "close", "volume", "money", "settlement",
                                    "open_interest"])
    for f in ("open", "high", "low", "close"):
        d[f] = frules.round_to_tick(d[f].to_numpy(), tick)
    d["settlement"] = np.where(d["date"].to_numpy() == expiry, d["settlement"],
                               frules.round_to_tick(d["settlement"].to_numpy(), tick))
    d["pre_settlement"] = np.nan
    d.loc[0, "pre_settlement"] = pre_settle
    d.insert(0, "code", code)
    frames["daily"].append(d)
    frames["instruments"].append({
        "code": code, "name": f"{sp.name}{yymm}", "list_date": frules.listing_date(sp.product, yymm, cal),
        "product": sp.product, "multiplier": mult, "delivery_date": expiry, "synthetic": True,
        "source": "synthetic:index_futures",
    })


def _minutes(md, sid, k, hi_g, lo_g, volume, oi_open, oi_close, tick, mult, rng):
    """240 bars from the index minutes × k on the tick grid, clipped to the limits, volume U-shaped."""
    def grid(x):
        return np.clip(np.rint(x * k / tick).astype(np.int64), lo_g, hi_g)

    close = grid(md.close[:, sid])
    opn = np.concatenate([[grid(md.open[:1, sid])[0]], close[:-1]])
    high = np.maximum(np.maximum(grid(md.high[:, sid]), opn), close)
    low = np.minimum(np.minimum(grid(md.low[:, sid]), opn), close)
    w = 1.0 + 2.0 * (np.linspace(-1, 1, 240) ** 2)
    vol = rng.multinomial(volume, w / w.sum()).astype(np.int64)
    # Money per bar at the bar's mean price on the grid: volume × ticks × (tick × multiplier), whole CNY.
    mid = np.rint((opn + high + low + close) / 4.0).astype(np.int64)
    money = vol * mid * int(round(tick * mult))
    steps = np.rint(np.linspace(oi_open, oi_close, 241)[1:]).astype(np.int64)
    return {"open": frules.round_to_tick(opn * tick, tick), "high": frules.round_to_tick(high * tick, tick),
            "low": frules.round_to_tick(low * tick, tick), "close": frules.round_to_tick(close * tick, tick),
            "volume": vol, "money": money.astype(float), "open_interest": steps}



