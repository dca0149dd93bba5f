"""Futures products: specs, dated margins and fees, contract months, last trading days, limits (docs/market-rules.md §9).

The table is data (``rules/futures_products.json``): per product its exchange, multiplier, tick, daily limit
ratio, a dated list of exchange margin rates and a dated fee schedule, and the names of its contract-month and
last-trading-day rules.  CFFEX rows follow docs/market-rules.md §9.1/§9.2; commodity fees, margins and ticks are
rqalpha's backtest defaults (``futures_product_specs.parquet``) and say so in their ``*_source`` field.

Dates here are ``numpy.datetime64[D]``.  A ``calendar`` (sorted trading days) makes holiday shifts exact;
past its last day only weekends are skipped (a holiday there is unknown).
"""
from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import NamedTuple

import numpy as np


class FutureSpec(NamedTuple):
    product: str
    exchange: str                # CFFEX SHFE INE DCE CZCE GFEX
    suffix: str                  # Ptrade code suffix: CCFX XSGE XINE XDCE XZCE XGFE
    exchange_name: str           # Chinese short name (中金所 …), as FutureParams.exchange
    name: str
    underlying: str | None       # index code of an index future
    multiplier: float            # CNY per point per lot
    tick: float
    decimals: int
    listed: str | None           # product listing date, ISO
    limit_ratio: float           # fraction of the previous settlement; NaN = not known (no limit)
    last_day_limit_ratio: float  # on the contract's last trading day
    margin_rate: float           # exchange margin rate in force on the date asked
    margin_source: str
    commission_type: str         # 'by_money' (fraction of value) or 'by_volume' (CNY per lot)
    open_commission: float
    close_commission: float
    close_today_commission: float
    fee_source: str
    close_today: bool            # the exchange distinguishes close-today orders (SHFE, INE)
    months: str                  # contract-month rule name
    last_trading_day_rule: str


_CODE = re.compile(r"^([A-Za-z]{1,2})(\d{3,4})F?$")


@functools.lru_cache(maxsize=1)
def _table() -> dict:
    text = resources.files("ptrade_fast.rules").joinpath("futures_products.json").read_text(encoding="utf-8")
    return json.loads(text)


def products() -> tuple[str, ...]:
    """Every product code in the table."""
    return tuple(_table()["products"])


def exchanges() -> dict:
    """Exchange -> {suffix, name, close_today}."""
    return _table()["exchanges"]


def is_known(product) -> bool:
    return isinstance(product, str) and product.upper() in _table()["products"]


def product_of(code) -> str:
    """Product code of a contract: 'IF2406.CCFX' -> 'IF', 'cu2112.XSGE' -> 'CU', 'IF' -> 'IF'.

    Raises
    ------
    ValueError
        If ``code`` is not a product or contract code (naming it).
    """
    if not isinstance(code, str):
        raise ValueError(f"futures code must be a str like 'IF2406.CCFX', was {code!r}")
    body = code.strip().partition(".")[0]
    if body.isalpha() and 1 <= len(body) <= 2:
        return body.upper()
    m = _CODE.match(body)
    if not m:
        raise ValueError(f"malformed futures code {code!r} (expected e.g. 'IF2406.CCFX')")
    return m.group(1).upper()


def yymm_of(code) -> str:
    """Contract month of a contract code: 'IF2406.CCFX' -> '2406' (CZCE 3-digit 'SR501' -> '2501')."""
    body = str(code).strip().partition(".")[0]
    m = _CODE.match(body)
    if not m:
        raise ValueError(f"malformed futures contract code {code!r} (expected e.g. 'IF2406.CCFX')")
    digits = m.group(2)
    return digits if len(digits) == 4 else "2" + digits


def contract_code(product: str, yymm) -> str:
    """'IF', '2406' -> 'IF2406.CCFX' (the product's exchange suffix)."""
    p = _product(product)
    return f"{product.upper()}{int(yymm):04d}.{_table()['exchanges'][p['exchange']]['suffix']}"


def _product(product) -> dict:
    try:
        return _table()["products"][product.upper()]
    except (KeyError, AttributeError):
        raise KeyError(f"unknown futures product {product!r} (see rules/futures_products.json)") from None


def _day(value) -> np.datetime64:
    if value is None:
        return np.datetime64("2262-01-01")
    return np.datetime64(str(value)[:10], "D")


def _in_force(rows, day):
    chosen = rows[0]
    for r in rows:
        if np.datetime64(r[0], "D") <= day:
            chosen = r
    return chosen


def _decimals(tick: float) -> int:
    return int(np.clip(np.ceil(-np.log10(tick) - 1e-9), 0, 8))


def spec(product, date=None) -> FutureSpec:
    """The product's spec with the margin rate and fees in force on ``date`` (default: the latest rows).

    Raises
    ------
    KeyError
        If the product is not in the table.
    """
    p = _product(product)
    day = _day(date)
    margin = _in_force(p["margin"], day)
    fees = p["fees"]
    fees = _table()["fee_schedules"][fees] if isinstance(fees, str) else fees
    fee = _in_force(fees, day)
    exch = _table()["exchanges"][p["exchange"]]
    nan = float("nan")
    return FutureSpec(
        product=product.upper(), exchange=p["exchange"], suffix=exch["suffix"], exchange_name=exch["name"],
        name=p["name"], underlying=p.get("underlying"), multiplier=float(p["multiplier"]), tick=float(p["tick"]),
        decimals=_decimals(float(p["tick"])), listed=p.get("listed"),
        limit_ratio=nan if p["limit_ratio"] is None else float(p["limit_ratio"]),
        last_day_limit_ratio=nan if p["last_day_limit_ratio"] is None else float(p["last_day_limit_ratio"]),
        margin_rate=float(margin[1]), margin_source=margin[2],
        commission_type=fee[1], open_commission=float(fee[2]), close_commission=float(fee[3]),
        close_today_commission=float(fee[4]), fee_source=fee[5], close_today=bool(exch["close_today"]),
        months=p["months"], last_trading_day_rule=p["last_trading_day"],
    )


# -- CALENDAR ------------------------------------------------------------------------------------------

def _cal(calendar):
    return None if calendar is None else np.asarray(calendar, "datetime64[D]")


def _on_or_after(day, calendar) -> np.datetime64:
    """``day`` if it is a trading day, else the next one (weekdays only past the calendar's end)."""
    if calendar is not None and len(calendar) and day <= calendar[-1]:
        i = int(np.searchsorted(calendar, day))
        return calendar[i]
    return np.busday_offset(day, 0, roll="forward")


def _next_trading_day(day, calendar) -> np.datetime64:
    return _on_or_after(day + np.timedelta64(1, "D"), calendar)


def _month_start(yymm) -> np.datetime64:
    yymm = int(yymm)
    return np.datetime64(f"{2000 + yymm // 100:04d}-{yymm % 100:02d}-01", "D")


def _yymm(month: np.datetime64) -> str:
    s = str(month.astype("datetime64[M]"))
    return s[2:4] + s[5:7]


def _nth_weekday(first: np.datetime64, weekday: int, n: int) -> np.datetime64:
    """The n-th given weekday (0 = Monday) of the month starting ``first``."""
    dow = int((first.astype(np.int64) + 3) % 7)  # day 0 (1970-01-01) was a Thursday
    return first + np.timedelta64((weekday - dow) % 7 + 7 * (n - 1), "D")


def last_trading_day(product, yymm, calendar=None) -> np.datetime64:
    """Last trading day of contract ``yymm`` ('2406' or 2406) of ``product`` (docs/market-rules.md §9.1, §9.2).

    Index futures: the third Friday of the contract month, the next trading day if that is a holiday.
    """
    rule = _product(product)["last_trading_day"]
    cal = _cal(calendar)
    first = _month_start(yymm)
    if rule == "third_friday":
        return _on_or_after(_nth_weekday(first, 4, 3), cal)
    if rule == "second_friday":
        return _on_or_after(_nth_weekday(first, 4, 2), cal)
    if rule == "day_15":
        return _on_or_after(first + np.timedelta64(14, "D"), cal)
    if rule == "trading_day_10":
        day = _on_or_after(first, cal)
        for _ in range(9):
            day = _next_trading_day(day, cal)
        return day
    if rule == "prev_month_last_trading_day":
        prev = (first.astype("datetime64[M]") - 1).astype("datetime64[D]")
        day = _on_or_after(prev, cal)
        while True:
            nxt = _next_trading_day(day, cal)
            if nxt >= first:
                return day
            day = nxt
    raise KeyError(f"unknown last-trading-day rule {rule!r} of {product!r}")


def contract_months(product, date, calendar=None) -> list[str]:
    """Contract months (``'YYMM'``) listed on ``date``.

    Index futures: current month, next month and the next two quarter months (Mar/Jun/Sep/Dec); the current
    month rolls to the next after its last trading day.  CGB futures: the three nearest quarter months.
    Commodities: twelve consecutive months (an approximation; see the JSON's ``rules``).
    """
    day = _day(date)
    cal = _cal(calendar)
    rule = _product(product)["months"]
    month = day.astype("datetime64[M]")
    # The current contract is the first month whose last trading day is on or after ``date``.
    if rule == "quarterly_3":
        month = month + (-(month.astype(np.int64) % 12 + 1) % 3)
        while last_trading_day(product, _yymm(month), cal) < day:
            month = month + 3
        return [_yymm(month + 3 * k) for k in range(3)]
    while last_trading_day(product, _yymm(month), cal) < day:
        month = month + 1
    if rule == "index":
        nxt = month + 1
        q = nxt + 1
        while (q.astype(np.int64) % 12 + 1) % 3:
            q = q + 1
        return [_yymm(month), _yymm(nxt), _yymm(q), _yymm(q + 3)]
    return [_yymm(month + k) for k in range(12)]


def listing_date(product, yymm, calendar=None) -> np.datetime64:
    """First trading day on which contract ``yymm`` is among :func:`contract_months` (not before the
    product's listing)."""
    yymm = f"{int(yymm):04d}"
    cal = _cal(calendar)
    first = _month_start(yymm).astype("datetime64[M]")
    listed = _day(_product(product).get("listed") or "1990-01-01")
    for k in range(13, 0, -1):
        prev = first - k
        day = _next_trading_day(last_trading_day(product, _yymm(prev), cal), cal)
        if yymm in contract_months(product, day, cal):
            return max(day, _on_or_after(listed, cal))
    return last_trading_day(product, yymm, cal)


# -- PRICES --------------------------------------------------------------------------------------------

def limit_prices(base, ratio, tick):
    """Futures daily limits: ``base × (1 ± ratio)`` rounded **inward** to the tick (up limit down, down
    limit up), ``base`` = the previous settlement.  NaN where base or ratio is NaN.

    Oracle: IF1706 on 2016-11-08, previous settlement 3197.2, ±10 % -> 3516.8 / 2877.6.
    """
    base, ratio, tick = np.broadcast_arrays(np.asarray(base, float), np.asarray(ratio, float),
                                            np.asarray(tick, float))
    ok = ~(np.isnan(base) | np.isnan(ratio) | np.isnan(tick))
    b = np.where(ok, base, 0.0)
    r = np.where(ok, ratio, 0.0)
    t = np.where(ok, tick, 1.0)
    hi = np.floor(b * (1 + r) / t + 1e-7) * t
    lo = np.ceil(b * (1 - r) / t - 1e-7) * t
    scale = 10.0 ** np.clip(np.ceil(-np.log10(t) - 1e-9), 0, 8)
    hi = np.where(ok, np.rint(hi * scale) / scale, np.nan)
    lo = np.where(ok, np.rint(lo * scale) / scale, np.nan)
    if hi.ndim == 0:
        return float(hi), float(lo)
    return hi, lo


def round_to_tick(price, tick):
    """Round half-up to the tick with clean decimals (settlement prices)."""
    price = np.asarray(price, float)
    tick = np.asarray(tick, float)
    out = np.floor(price / tick + 0.5 + 1e-9) * tick
    scale = 10.0 ** np.clip(np.ceil(-np.log10(tick) - 1e-9), 0, 8)
    out = np.rint(out * scale) / scale
    return float(out) if out.ndim == 0 else out


def settlement_price(money, volume, multiplier, tick):
    """Daily settlement = VWAP (Σ money / Σ volume / multiplier) rounded half-up to the tick; NaN if no volume."""
    money = float(np.sum(money))
    volume = float(np.sum(volume))
    if volume <= 0:
        return float("nan")
    return round_to_tick(money / volume / multiplier, tick)
