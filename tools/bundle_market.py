"""The realistic synthetic market's part of the sample bundle (called by ``tools/build_bundle.py``).

The bundle takes from ``generate(market='realistic')`` (what ``ptrade-fast data generate`` makes) its
instruments, the dated membership of every major index, the ST history, the bars of its indices, funds and
some bonds, and the series of a limited set of stocks with their ex-rights rows and reports
(docs/data-format.md, *The sample bundle*).  One function per table; every choice is a constant below.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ptrade_fast.data import fundamentals as fund_mod
from ptrade_fast.data.format import read_bars
from ptrade_fast.data.synthetic import generate

# The realistic synthetic market (``generate(market='realistic')``, what ``ptrade-fast data generate`` makes)
# over the generated window: the bundle takes its instruments (real codes and names of the shipped code
# list), dated membership of every major index, ST history, the bars of its indices, funds and some bonds,
# and the series of a limited set of stocks (with their ex-rights rows and reports).  Codes with real or
# seed series above keep those; their generated series are dropped.
MARKET_SEED = 20250805 + 4            # the bundle's SEED + 4
MARKET_STOCKS = 5300
MARKET_SPAN = ("2019-01-02", "2025-08-05")
# Stocks shipped with bars: the first N members (code order) of each index on every day of the screen
# windows (the examples' and corpus' index screens: scheduled_tasks takes get_index_stocks('000300.SS')[:50]
# in 2019-01 at 1m and in 2024 at 1d), the stocks tests and corpus files name, and a few with ST episodes.
# A stock needed in the 2019 window ships daily bars EARLY_SPAN and minute bars on the bundle's minute days
# inside the window; one needed in the 2024 window ships daily bars LATE_SPAN (the corpus reads at most 80
# days of history); one needed in both (and MUST_SHIP) ships the whole generated span.
SCREEN_WINDOWS = (("2019-01-14", "2019-01-25"), ("2024-01-02", "2024-06-28"))
SCREEN_HEAD = {"000300.SS": 50}
SCREEN_HEAD_OTHER = 5
EARLY_SPAN = ("2019-01-02", "2019-03-29")
LATE_SPAN = ("2023-07-03", "2025-08-05")
MUST_SHIP = ("000063.SZ", "000651.SZ", "600061.SS", "600519.SS")
SHIP_ST = 3
SHIP_CBS = 8
REPORTS_BEFORE = 400
SNAPSHOT_NEXT_DAY = "2011-12-07"      # the first trading day after the real instrument snapshot


# -- SELECTION AND TABLES ----------------------------------------------------------------------------------

def generate_market(workdir: Path, cache: Path | None = None) -> Path:
    """The realistic synthetic market over the generated window, in ``workdir/market`` (daily only), or in
    ``cache`` when given (reused when it already holds one: a development shortcut, same result)."""
    gen = cache or workdir / "market"
    if cache is not None and (cache / "meta.json").is_file():
        return cache
    generate(gen, stocks=MARKET_STOCKS, start=MARKET_SPAN[0], end=MARKET_SPAN[1], seed=MARKET_SEED,
             market="realistic")
    return gen


def members_on(members: pd.DataFrame, index_code: str, day) -> list[str]:
    """Codes of ``index_code`` on ``day`` in code order (what ``get_index_stocks`` answers)."""
    day = pd.Timestamp(day).date()
    m = members[(members.index_code == index_code) & (members.start_date <= day)
                & (members.end_date.isna() | (members.end_date >= day))]
    return sorted(m.code)


def choose_stocks(gen: Path, calendar, own: set) -> dict:
    """code -> (first, last) shipped day of the generated stocks the bundle ships bars for (see
    SCREEN_WINDOWS)."""
    members = pd.read_parquet(gen / "index_members.parquet")
    inst = pd.read_parquet(gen / "instruments.parquet", columns=["code", "type"])
    stocks = set(inst.loc[inst.type.isin(["stock", "star", "chinext"]), "code"]) - own
    need: dict = {}
    for k, (lo, hi) in enumerate(SCREEN_WINDOWS):
        days = calendar[(calendar >= np.datetime64(lo)) & (calendar <= np.datetime64(hi))]
        for index_code in sorted(members.index_code.unique()):
            head = SCREEN_HEAD.get(index_code, 0 if k == 0 else SCREEN_HEAD_OTHER)
            for day in days if head else ():
                # The screen's first N include codes with real or seed series (not shipped from here).
                for code in [c for c in members_on(members, index_code, day)[:head] if c in stocks]:
                    need.setdefault(code, set()).add(k)
    for code in MUST_SHIP:
        need[code] = {0, 1}
    st = pd.read_parquet(gen / "st.parquet")
    window = pd.Timestamp(SCREEN_WINDOWS[1][0]).date()
    st = st[st.code.isin(stocks) & (st.end_date.isna() | (st.end_date >= window))]
    for code in sorted(set(st.code) - set(need))[:SHIP_ST]:
        need[code] = {1}
    spans = {frozenset({0}): EARLY_SPAN, frozenset({1}): LATE_SPAN, frozenset({0, 1}): (EARLY_SPAN[0], LATE_SPAN[1])}
    return {c: tuple(np.datetime64(d) for d in spans[frozenset(k)]) for c, k in sorted(need.items())}


def choose_bonds(gen: Path, ship: dict, own: set) -> list[str]:
    """The convertible bonds shipped: those on shipped stocks first, then in code order, SHIP_CBS in all."""
    inst = pd.read_parquet(gen / "instruments.parquet", columns=["code", "type", "stock_code"])
    cbs = inst[(inst.type == "cb") & ~inst.code.isin(own)]
    on_shipped = cbs.stock_code.isin(ship)
    ranked = sorted(cbs.loc[on_shipped, "code"]) + sorted(cbs.loc[~on_shipped, "code"])
    return sorted(ranked[:SHIP_CBS])


def market_daily(gen: Path, ship: dict, others: set) -> pd.DataFrame:
    """Generated daily bars of the shipped stocks (their shipped span) and of ``others`` (indices, funds,
    bonds: every day)."""
    frames = []
    first = pd.Series({c: pd.Timestamp(a).date() for c, (a, b) in ship.items()}, dtype=object)
    last = pd.Series({c: pd.Timestamp(b).date() for c, (a, b) in ship.items()}, dtype=object)
    for path in sorted((gen / "daily").glob("*.parquet")):
        t = read_bars(path, filters=[("code", "in", sorted(set(ship) | others))]).to_pandas()
        never = pd.Timestamp("2100-01-01").date()
        keep = t.code.isin(others) | ((t.date >= t.code.map(first).fillna(never))
                                      & (t.date <= t.code.map(last).fillna(never)))
        t = t[keep].copy()
        t["date"] = pd.to_datetime(t["date"])
        frames.append(t)
    return pd.concat(frames, ignore_index=True)


def market_instruments(gen: Path, daily: pd.DataFrame, minute_codes: set, own: set, bonds: list,
                       snapshot: set) -> pd.DataFrame:
    """The generated instruments the bundle lists (every stock, index and fund of the realistic market that
    has no real or seed series here, and the shipped bonds), their bar columns set to what is shipped."""
    inst = pd.read_parquet(gen / "instruments.parquet")
    inst = inst[~inst.code.isin(own) & ((inst.type != "cb") | inst.code.isin(bonds))].copy()
    span = daily.groupby("code")["date"].agg(["min", "max"])
    inst["has_daily"] = inst.code.isin(span.index)
    inst["has_minute"] = inst.code.isin(minute_codes)
    inst["daily_start"] = inst.code.map(span["min"])
    inst["daily_end"] = inst.code.map(span["max"])
    inst["source"] = f"synthetic:{MARKET_SEED}"
    # A generated stock code the real instrument snapshot (2011-12-06) lacks cannot have listed before it:
    # its drawn earlier listing date moves to the first trading day after the snapshot, so the real
    # universe of earlier dates (get_Ashares in 2010) stays the snapshot's.
    late = ~inst.code.isin(snapshot) & inst.type.isin(["stock", "star", "chinext"])
    first = pd.Timestamp(SNAPSHOT_NEXT_DAY).date()
    inst.loc[late, "list_date"] = inst.loc[late, "list_date"].map(lambda d: max(d, first))
    return inst.reset_index(drop=True)


def market_ex_rights(gen: Path, shipped: set) -> pd.DataFrame:
    """Ex-rights rows (events and share capital) of the shipped generated stocks."""
    ex = pd.read_parquet(gen / "ex_rights.parquet")
    return ex[ex.code.isin(shipped)]


def market_st(gen: Path, own: set) -> pd.DataFrame:
    """The generated ST history (st.parquet) of every generated stock listed here."""
    st = pd.read_parquet(gen / "st.parquet")
    return st[~st.code.isin(own)].sort_values(["code", "start_date"], kind="stable").reset_index(drop=True)


def market_fundamentals(gen: Path, ship: dict) -> dict:
    """The generated reports of the shipped stocks for periods ending at most REPORTS_BEFORE days before
    their first shipped bar (trailing-year reads there still find four quarters): {table: frame}."""
    out = {}
    first = pd.Series({c: pd.Timestamp(a - np.timedelta64(REPORTS_BEFORE, "D")) for c, (a, b) in ship.items()})
    for table in fund_mod.STATEMENT_TABLES:
        frame = pd.read_parquet(gen / "fundamentals" / f"{table}.parquet")
        frame = frame[frame.code.isin(ship)]
        out[table] = frame[pd.to_datetime(frame.end_date) >= frame.code.map(first)]
    return out
