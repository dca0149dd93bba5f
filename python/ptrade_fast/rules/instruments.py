"""Per-type trading parameters with the dates they change (docs/market-rules.md §3, §4, §6; docs/ptrade-api.md §F, §G).

One table, ``INSTRUMENT_RULES``: for each type (and optionally exchange) the rows are in force from
``start`` until the next row of the same key.  ``resolve(type, exchange, date)`` returns the row in force;
``current(type, exchange)`` the latest one (what ``instruments.parquet`` stores).

Columns: lot = buy step (shares/units/张/lots), min_buy, tick (CNY, or points/rate), decimals, t_plus
(0 = sell the day you buy), stamp (stamp tax applies to sells), fee_class (``set_commission`` type).
"""
from __future__ import annotations

import datetime as _dt
from typing import NamedTuple


class InstrumentRule(NamedTuple):
    type: str
    exchange: str | None  # None = both exchanges
    start: str            # first day in force, ISO
    lot: int
    min_buy: int
    tick: float
    decimals: int
    t_plus: int
    stamp: bool
    fee_class: str
    note: str = ""


R = InstrumentRule
INSTRUMENT_RULES: tuple[InstrumentRule, ...] = (
    R("stock", None, "1990-01-01", 100, 100, 0.01, 2, 1, True, "STOCK"),
    R("chinext", None, "2009-10-30", 100, 100, 0.01, 2, 1, True, "STOCK"),
    # STAR: buy at least 200 shares, then in steps of 1 share (from the board's opening).
    R("star", None, "2019-07-22", 1, 200, 0.01, 2, 1, True, "STOCK"),
    # B shares: SSE quotes in USD 0.001, SZSE in HKD 0.01 (docs/market-rules.md §4).
    R("b_share", "SSE", "1992-02-21", 100, 100, 0.001, 3, 1, True, "STOCK"),
    R("b_share", "SZSE", "1991-01-01", 100, 100, 0.01, 2, 1, True, "STOCK"),
    R("index", None, "1990-01-01", 100, 100, 0.001, 3, 1, False, "STOCK", "not tradable; tick holds 3-decimal index values"),
    # Equity ETFs T+1; bond, gold, money-market and cross-border ETFs trade T+0: FUND_KIND_T_PLUS below.
    R("etf", None, "1990-01-01", 100, 100, 0.001, 3, 1, False, "ETF", "t_plus by fund_kind: fund_t_plus"),
    R("lof", None, "1990-01-01", 100, 100, 0.001, 3, 1, False, "LOF"),
    R("fund", None, "1990-01-01", 100, 100, 0.001, 3, 1, False, "LOF", "closed-end funds"),
    R("reit", None, "2021-06-21", 100, 100, 0.001, 3, 1, False, "ETF"),
    # Convertible bonds and bonds trade T+0, in 10 张; fees as STOCK per docs/ptrade-api.md §F.
    R("cb", None, "1990-01-01", 10, 10, 0.001, 3, 0, False, "STOCK"),
    R("bond", None, "1990-01-01", 10, 10, 0.001, 3, 0, False, "STOCK"),
    # Reverse repo (a sell): SSE in 1,000 张 (100,000 CNY) before 2022-05-16, then 10 张 like SZSE;
    # rate tick 0.005 on both exchanges from 2022-05-16, SZSE 0.001 before (docs/market-rules.md §3, §4, §11).
    R("repo", "SSE", "1990-01-01", 1000, 1000, 0.005, 3, 0, False, "STOCK"),
    R("repo", "SSE", "2022-05-16", 10, 10, 0.005, 3, 0, False, "STOCK"),
    R("repo", "SZSE", "1990-01-01", 10, 10, 0.001, 3, 0, False, "STOCK"),
    R("repo", "SZSE", "2022-05-16", 10, 10, 0.005, 3, 0, False, "STOCK"),
    R("future", None, "1990-01-01", 1, 1, 0.2, 1, 0, False, "STOCK", "tick is product-specific; 0.2 = index futures"),
)
del R


# Settlement cycle of a fund by its kind (instruments.parquet ``fund_kind``), dated: (kind, first day, t_plus).
# docs/market-rules.md §6: bond, money-market and gold ETFs T+0 (already before 2015); cross-border (QDII /
# Hong Kong) ETFs T+0 from 2015-01-19, T+1 before; equity ETFs and ordinary LOFs T+1.  Cross-border LOFs are
# T+0 (U, docs/market-rules.md §14).
FUND_KINDS = ("stock", "bond", "gold", "money", "cross_border")
FUND_KIND_T_PLUS: tuple[tuple[str, str, int], ...] = (
    ("stock", "1990-01-01", 1),
    ("bond", "1990-01-01", 0),
    ("gold", "1990-01-01", 0),
    ("money", "1990-01-01", 0),
    ("cross_border", "1990-01-01", 1),
    ("cross_border", "2015-01-19", 0),
)


def fund_t_plus(kind: str, date=None) -> int:
    """Settlement cycle (0 = sell the day you buy) of a fund of ``kind`` on ``date`` (default: today's rule).

    Raises
    ------
    ValueError
        For a kind not in :data:`FUND_KINDS`.
    """
    if kind not in FUND_KINDS:
        raise ValueError(f"fund_kind must be one of {', '.join(FUND_KINDS)}, was {kind!r}")
    day = None if date is None else str(_dt.date.fromisoformat(str(date)[:10]))
    chosen = None
    for k, start, t in FUND_KIND_T_PLUS:
        if k == kind and (day is None or start <= day):
            chosen = t
    return 1 if chosen is None else chosen


def _key_rows(typ: str, exchange: str | None) -> list[InstrumentRule]:
    rows = [r for r in INSTRUMENT_RULES if r.type == typ and r.exchange == exchange]
    if not rows:
        rows = [r for r in INSTRUMENT_RULES if r.type == typ and r.exchange is None]
    if not rows:
        raise KeyError(f"no instrument rule for type {typ!r}")
    return sorted(rows, key=lambda r: r.start)


def resolve(typ: str, exchange: str | None = None, date=None) -> InstrumentRule:
    """Return the rule of ``typ`` on ``exchange`` in force on ``date`` (default: the latest)."""
    rows = _key_rows(typ, exchange)
    if date is None:
        return rows[-1]
    day = str(_dt.date.fromisoformat(str(date)[:10]))
    chosen = rows[0]
    for r in rows:
        if r.start <= day:
            chosen = r
    return chosen


def current(typ: str, exchange: str | None = None) -> InstrumentRule:
    """The latest rule for ``typ`` on ``exchange``."""
    return resolve(typ, exchange)
