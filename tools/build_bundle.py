#!/usr/bin/env python
"""Build the sample data bundle (``data/``) from the real fixtures in ``shared/data/real``.

    python tools/build_bundle.py [--src /work/shared/data/real] [--out data]

The layout is documented in docs/data-format.md.  Real series are copied with derived columns
(preclose with ex-rights reference prices, daily limits, is_open); synthetic series (clearly labelled
``synthetic=True`` in instruments.parquet and listed in meta.json) cover the securities the seed
strategies name but the fixtures lack, and the realistic synthetic market (tools/bundle_market.py: real codes
and names, dated membership of every major index, ST history, funds, bonds, the stocks the examples and
tests screen, their reports).  Bar and report files are written with fixed-point columns.  Files in
``--out`` that the build does not make (e.g. known_findings.json) are kept.  Output is deterministic: a seeded numpy Generator, sorted
rows and fixed Parquet options give byte-identical files on every run.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ptrade_fast.data import codes as codes_mod  # noqa: E402
from ptrade_fast.data.adjust import price_events  # noqa: E402
from ptrade_fast.data.derive import derive_daily  # noqa: E402  (shared with the importers)
from ptrade_fast.data import fundamentals as fund_mod  # noqa: E402
from ptrade_fast.data.synthetic import add_index_futures  # noqa: E402
from ptrade_fast.data.synthetic.fundamentals import fundamental_tables  # noqa: E402
from ptrade_fast.data.writer import RootWriter  # noqa: E402
from ptrade_fast.rules import futures as frules  # noqa: E402
from ptrade_fast.data.format import (  # noqa: E402
    FORMAT_VERSION, DAILY_SCHEMA, MINUTE_SCHEMA, INSTRUMENT_SCHEMA, read_bars, write_table_atomic, write_json_atomic,
)
from ptrade_fast.rules import instruments as irules  # noqa: E402
from ptrade_fast.rules.limits import (  # noqa: E402
    cb_first_day_limits, CB_LIMITS, limit_prices, limit_ratio,
)
from bundle_market import (  # noqa: E402
    EARLY_SPAN, LATE_SPAN, MARKET_SEED, MARKET_STOCKS, MUST_SHIP, SCREEN_WINDOWS, SHIP_CBS, choose_bonds,
    choose_stocks, generate_market, market_daily, market_ex_rights, market_fundamentals, market_instruments,
    members_on,
    market_st,
)

SEED = 20250805
SYN_START = "2005-01-04"
SYN_CONSTITUENT_START = "2019-01-02"
SYN_END = "2025-08-05"
# Synthetic index futures: the minute days of 000300.SS from 2019, and daily-only from 2023.
FUT_MINUTE_WINDOW = ("2019-01-02", "2019-02-01")
FUT_DAILY_START = "2023-01-03"
# IF1706 on 2016-11-08 (rqalpha example bars): its limits 2877.6 / 3516.8 imply this previous settlement.
IF1706_PRE_SETTLEMENT = 3197.2
# The TDX 2011-09-30 file has no announcement dates; Q3 reports were due by 2011-10-31 (the exchanges'
# deadline for third-quarter reports), so every record is taken as first published on that day.
Q3_2011_PUBL_DATE = "2011-10-31"
MINUTE_LABELS = np.concatenate([
    np.arange(np.datetime64("2000-01-01T09:31"), np.datetime64("2000-01-01T11:31"), np.timedelta64(1, "m")),
    np.arange(np.datetime64("2000-01-01T13:01"), np.datetime64("2000-01-01T15:01"), np.timedelta64(1, "m")),
]) - np.datetime64("2000-01-01T00:00")  # 240 offsets from midnight

SEED_SECURITIES = {
    # code: (name, start price)
    "600570.SS": ("恒生电子", 12.0),
    "000300.SS": ("沪深300", 1000.0),
    "510050.SS": ("50ETF", 0.9),
    "110059.SS": ("浦发转债", 100.0),
    "131810.SZ": ("R-001", 2.0),
}
# The 2018 CSI 300 constituents (hikyuu block files) are still drawn after the seed securities, in the
# same order and from the same stream, so the seed series stay byte-for-byte what they were; none of them
# ships (the realistic market's stocks do, see MARKET_SEED).
FUNDAMENTALS_SEED = SEED + 2
SHARES_SEED = SEED + 3
# 浦发转债's published terms (the bundle's 110059 prices are synthetic; its terms are the bond's).
BOND_TERMS = {"110059.SS": {"stock_code": "600000.SS", "convert_price": 15.05,
                            "convert_date": "2020-05-04", "maturity_date": "2025-10-27"}}


# -- HELPERS -------------------------------------------------------------------------------------------

def _dates(series) -> np.ndarray:
    return pd.to_datetime(pd.Series(series)).to_numpy().astype("datetime64[D]")


def _rule(code):
    typ = codes_mod.classify(code)
    return typ, irules.current(typ, codes_mod.exchange_of(code))


def _events_by_code(ex: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Ex-rights events that move the price, by code (see ``data.adjust.price_events``)."""
    return {k: g for k, g in price_events(ex).groupby("symbol")}


# -- SYNTHETIC -----------------------------------------------------------------------------------------

def synth_daily(codes, start_prices, days, rng):
    """Generate daily bars for ``codes`` on ``days`` (all start on days[0]), one day at a time across codes.

    Prices live on each code's tick grid (integer ticks) and inside the day's limits; a few days per code
    are forced to the limit and a few are suspended.
    """
    m, n = len(codes), len(days)
    typs, rules = zip(*[_rule(c) for c in codes])
    typs = np.array(typs, dtype=object)
    tick = np.array([r.tick for r in rules])
    # Index values and repo rates on a coarser grid than their tick, stocks on their tick.
    grid = np.where(typs == "index", 0.01, tick)
    sigma = np.select([typs == "index", typs == "etf", typs == "cb", typs == "repo"],
                      [0.013, 0.014, 0.010, 0.08], 0.022)
    base_vol = np.select([typs == "index", typs == "etf", typs == "cb", typs == "repo"],
                         [8e9, 3e8, 3e5, 5e6], 8e6) * np.exp(rng.normal(0, 0.5, m))
    anchor = np.log(np.asarray(start_prices, float))
    p = np.rint(np.asarray(start_prices) / grid).astype(np.int64)  # previous close in grid units
    special = rng.random((n, m))
    forced_up = special < 0.003
    forced_dn = (special >= 0.003) & (special < 0.006)
    suspended = np.zeros((n, m), bool)
    for j in range(m):
        for _ in range(3):
            s = int(rng.integers(5, n - 10))
            suspended[s:s + int(rng.integers(1, 6)), j] = True
    out = {k: np.zeros((n, m)) for k in ("open", "high", "low", "close", "money", "preclose", "high_limit", "low_limit")}
    volume = np.zeros((n, m), np.int64)
    is_open = np.zeros((n, m), np.uint8)
    lot = np.where(np.isin(typs, ["cb", "repo"]), 10, 100)
    for t in range(n):
        day = days[t]
        pc = p * grid
        ratio = limit_ratio(typs, np.repeat(day, m), days_listed=np.full(m, t), list_dates=np.repeat(days[0], m))
        hi, lo = limit_prices(np.where(t == 0, np.nan, pc), ratio, tick)
        if t == 0:
            hi, lo = np.full(m, np.nan), np.full(m, np.nan)
        first_cb = (typs == "cb") & (t == 0) & (day >= CB_LIMITS)
        if first_cb.any():
            up, dn = cb_first_day_limits()
            hi, lo = np.where(first_cb, up, hi), np.where(first_cb, dn, lo)
        hi_g = np.where(np.isnan(hi), p * 1.3, np.floor(hi / grid + 1e-9)).astype(np.int64)
        lo_g = np.where(np.isnan(lo), np.maximum(p * 0.7, 1), np.ceil(lo / grid - 1e-9)).astype(np.int64)
        lo_g = np.maximum(lo_g, 1)
        drift = -0.002 * (np.log(np.maximum(p, 1) * grid) - anchor)
        c = np.rint(p * np.exp(drift + rng.normal(0, sigma, m))).astype(np.int64)
        c = np.where(forced_up[t], hi_g, np.where(forced_dn[t], lo_g, c))
        c = np.clip(c, lo_g, hi_g)
        o = np.clip(np.rint(p * np.exp(rng.normal(0, sigma / 3, m))).astype(np.int64), lo_g, hi_g)
        h = np.clip(np.maximum(o, c) + np.rint(np.abs(rng.normal(0, sigma / 2, m)) * p).astype(np.int64), lo_g, hi_g)
        l_ = np.clip(np.minimum(o, c) - np.rint(np.abs(rng.normal(0, sigma / 2, m)) * p).astype(np.int64), lo_g, hi_g)
        v = (np.rint(base_vol * np.exp(rng.normal(0, 0.4, m)) / lot) * lot).astype(np.int64)
        sus = suspended[t] & (t > 0)
        o, h, l_, c = (np.where(sus, p, x) for x in (o, h, l_, c))
        v = np.where(sus, 0, np.maximum(v, lot))
        vwap = (o + h + l_ + c) * grid / 4.0
        face = np.where(typs == "repo", 100.0, 1.0)
        out["money"][t] = np.rint(v * vwap * face)  # whole CNY, so minute sums are exact
        out["open"][t], out["high"][t], out["low"][t], out["close"][t] = (x * grid for x in (o, h, l_, c))
        out["preclose"][t] = np.nan if t == 0 else pc
        out["high_limit"][t], out["low_limit"][t] = hi, lo
        volume[t] = v
        is_open[t] = np.where(sus, 0, 1)
        p = c
    decimals = np.array([r.decimals for r in rules])
    frames = []
    for j, code in enumerate(codes):
        d = decimals[j]
        frames.append(pd.DataFrame({
            "code": code, "date": days,
            **{k: np.round(out[k][:, j], d) for k in ("open", "high", "low", "close")},
            "volume": volume[:, j], "money": out["money"][:, j],
            "preclose": np.round(out["preclose"][:, j], d),
            "high_limit": out["high_limit"][:, j], "low_limit": out["low_limit"][:, j],
            "is_open": is_open[:, j],
        }))
    return pd.concat(frames, ignore_index=True)


def synth_minutes(bar, rng):
    """240 one-minute bars for one traded daily bar that aggregate exactly to it."""
    code = bar.code
    typ, rule = _rule(code)
    grid = 0.01 if typ == "index" else rule.tick
    O, H, L, C = (int(round(getattr(bar, k) / grid)) for k in ("open", "high", "low", "close"))
    steps = rng.normal(0, max((H - L) / 12.0, 0.5), 240).cumsum()
    bridge = O + steps - np.linspace(0, 1, 240) * (steps[-1] - (C - O))
    close = np.clip(np.rint(bridge).astype(np.int64), L, H)
    close[-1] = C
    opn = np.concatenate([[O], close[:-1]])
    high = np.maximum(opn, close)
    low = np.minimum(opn, close)
    high[int(rng.integers(0, 240))] = H
    low[int(rng.integers(0, 240))] = L
    high = np.maximum(high, low)
    lot = 10 if typ in ("cb", "repo") else 100
    w = 1.0 + 2.0 * (np.linspace(-1, 1, 240) ** 2)  # U-shaped intraday volume
    lots = rng.multinomial(int(bar.volume) // lot, w / w.sum()).astype(np.int64)
    vol = lots * lot
    vol[-1] += int(bar.volume) - int(vol.sum())
    total = int(bar.money)
    share = vol * close
    # Exact integer split (total × share overflows int64 for index-sized turnover).
    denom = max(int(share.sum()), 1)
    money = np.array([total * int(s) // denom for s in share.tolist()], dtype=np.int64)
    money[-1] += total - int(money.sum())
    d = rule.decimals
    return {"open": np.round(opn * grid, d), "high": np.round(high * grid, d), "low": np.round(low * grid, d),
            "close": np.round(close * grid, d), "volume": vol, "money": money.astype(float)}


# -- REALISTIC MARKET (the rest is in tools/bundle_market.py) -------------------------------------

def market_minutes(daily: pd.DataFrame, codes: set, days, rng) -> dict:
    """Minute bars (``synth_minutes``) of ``codes`` on the bundle's minute days: {day: [frame]}."""
    out: dict = {}
    bars = daily[daily.code.isin(codes) & (daily.is_open == 1)
                 & pd.to_datetime(daily.date).dt.date.isin({pd.Timestamp(d).date() for d in days})]
    for bar in bars.sort_values(["date", "code"]).itertuples():
        day = np.datetime64(pd.Timestamp(bar.date).date(), "D")
        dt = (day + MINUTE_LABELS).astype("datetime64[ms]")
        out.setdefault(day, []).append(pd.DataFrame({"code": bar.code, "datetime": dt, **synth_minutes(bar, rng)}))
    return out


def compact_files(root: Path) -> None:
    """Rewrite every bar and report file of the bundle with fixed-point columns, and the tick files with
    delta-encoded integers (docs/data-format.md)."""
    for path in (sorted((root / "daily").glob("*.parquet")) + sorted((root / "minute").glob("*/*.parquet"))
                 + sorted((root / "fundamentals").glob("*.parquet"))):
        write_table_atomic(read_bars(path), path, fixed_point=True)
    # Tick files keep their types (data/ticks.py reads them as they are): delta-encoded integers only.
    for path in sorted((root / "ticks").glob("*/*.parquet")):
        write_table_atomic(pq.read_table(path), path, compression_level=19, delta_integers=True)


# -- BUILD ---------------------------------------------------------------------------------------------

def build(src: Path, out: Path, market_cache: Path | None = None) -> None:
    rng = np.random.default_rng(SEED)
    tmp = Path(tempfile.mkdtemp(prefix=".bundle-", dir=out.parent))
    work = Path(tempfile.mkdtemp(prefix=".bundle-market-", dir=out.parent))
    try:
        _build_into(src, tmp, rng, generate_market(work, market_cache))
        for d in [tmp, *(p for p in tmp.rglob("*") if p.is_dir())]:
            os.chmod(d, 0o755)
        if out.exists():
            # Files the build does not make (e.g. known_findings.json) stay: they move into the new bundle.
            for entry in out.iterdir():
                if not (tmp / entry.name).exists():
                    os.replace(entry, tmp / entry.name)
            shutil.rmtree(out)
        os.replace(tmp, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if tmp.exists():
            shutil.rmtree(tmp)


def _build_into(src: Path, root: Path, rng, gen: Path) -> None:
    calendar = _dates(pd.read_parquet(src / "trade_calendar.parquet")["date"])
    inst_real = pd.read_parquet(src / "instruments.parquet")
    ex = pd.read_parquet(src / "ex_rights.parquet")
    events = _events_by_code(ex)
    blocks = pd.read_parquet(src / "block_members.parquet")

    # Real daily series: TDX for the two symbols it covers to 2025-08-05, h5 for the rest.
    h5 = pd.read_parquet(src / "daily_bars.parquet")
    tdx = pd.read_parquet(src / "tdx_day_decoded.parquet")
    h5_end = _dates([h5["date"].max()])[0]
    tdx_end = _dates([tdx["date"].max()])[0]
    names = dict(zip(inst_real.symbol, inst_real.name))
    daily = []
    real_daily_codes = []
    for code, g in tdx.groupby("symbol"):
        daily.append(derive_daily(code, g.sort_values("date"), calendar, tdx_end, events.get(code)))
        real_daily_codes.append(code)
    for code, g in h5.groupby("symbol"):
        if code in real_daily_codes:
            continue
        daily.append(derive_daily(code, g.sort_values("date"), calendar, h5_end, events.get(code)))
        real_daily_codes.append(code)

    ts = pd.read_parquet(src / "minute_timeshare.parquet")
    imin = pd.read_parquet(src / "index_minute_bars.parquet")
    real_codes = set(real_daily_codes) | set(ts.symbol) | set(imin.symbol)

    # Synthetic series: the seed securities, and CSI 300 members without any real data.
    members = blocks[(blocks.category == "index") & (blocks.block == "沪深300")].symbol
    constituents = sorted(set(members) - real_codes - set(SEED_SECURITIES))
    seeds = sorted(c for c in SEED_SECURITIES if c not in real_codes)
    syn_days = calendar[(calendar >= np.datetime64(SYN_START)) & (calendar <= np.datetime64(SYN_END))]
    daily.append(synth_daily(seeds, [SEED_SECURITIES[c][1] for c in seeds], syn_days, rng))
    con_days = syn_days[syn_days >= np.datetime64(SYN_CONSTITUENT_START)]
    con_prices = np.round(np.exp(rng.uniform(np.log(4), np.log(60), len(constituents))), 2)
    daily.append(synth_daily(constituents, con_prices, con_days, rng))
    daily = pd.concat(daily, ignore_index=True).sort_values(["code", "date"], kind="stable")
    # The 2018 CSI 300 constituents are still drawn (the seed securities' minute paths interleave with
    # theirs, so the seed series stay as they were) but not shipped: the realistic market's stocks are.
    minute_kept = set(seeds)
    generated = daily[daily.code.isin(set(seeds) | set(constituents))]
    daily = daily[~daily.code.isin(set(constituents))]
    own = real_codes | set(seeds)
    # generate() takes its calendar from the installed bundle: it must be the fixtures' (a stale or
    # hand-edited installed bundle would shift every generated day).
    gen_days = _dates(pd.read_parquet(gen / "calendar.parquet")["date"])
    if not np.array_equal(gen_days, calendar[(calendar >= gen_days[0]) & (calendar <= gen_days[-1])]):
        raise SystemExit("the generated market's calendar differs from trade_calendar.parquet: reinstall the "
                         "package (pip install -e .) so its bundle calendar is the fixtures'")
    ship = choose_stocks(gen, calendar, own)
    bonds = choose_bonds(gen, ship, own)
    gen_inst = pd.read_parquet(gen / "instruments.parquet", columns=["code", "type"])
    others = set(gen_inst.loc[gen_inst.type.isin(["index", "etf", "lof"]), "code"]) - own
    mkt_daily = market_daily(gen, ship, others | set(bonds))
    daily = pd.concat([daily, mkt_daily], ignore_index=True).sort_values(["code", "date"], kind="stable")
    synthetic = set(seeds) | set(mkt_daily.code)

    # -- minutes --
    minute_frames: dict[np.datetime64, list[pd.DataFrame]] = {}
    ts = ts.rename(columns={"symbol": "code"})
    ts["open"] = ts["high"] = ts["low"] = ts["close"] = ts["price"]
    ts["day"] = ts["datetime"].to_numpy().astype("datetime64[D]")
    for day, g in ts.groupby("day"):
        minute_frames.setdefault(np.datetime64(day, "D"), []).append(g)
    # Index bars of 2017 have no 11:30 bar: their 13:00 bar merges 11:30 and 13:01.  It is labelled 13:01
    # when no 13:01 bar exists that day, and 11:30 when one does (2017-06-21).
    imin = imin.rename(columns={"symbol": "code"}).copy()
    imin["day"] = imin["datetime"].to_numpy().astype("datetime64[D]")
    hm = imin["datetime"].dt.strftime("%H:%M")
    has_1301 = imin.assign(x=hm == "13:01").groupby("day")["x"].transform("any")
    thirteen = hm == "13:00"
    shift = np.where(has_1301, np.timedelta64(-90, "m"), np.timedelta64(1, "m"))
    imin.loc[thirteen, "datetime"] = imin.loc[thirteen, "datetime"] + pd.to_timedelta(shift[thirteen.to_numpy()])
    imin["volume"] = pd.array([None] * len(imin), dtype="Int64")
    for day, g in imin.groupby("day"):
        minute_frames.setdefault(np.datetime64(day, "D"), []).append(g)
    syn_minute_days = sorted(np.datetime64(d, "D") for d in ts["day"].unique())
    minute_ship = {c for c, (a, b) in ship.items() if a == np.datetime64(EARLY_SPAN[0])}
    window = [d for d in syn_minute_days if SCREEN_WINDOWS[0][0] <= str(d) <= SCREEN_WINDOWS[0][1]]
    for day, frames in market_minutes(mkt_daily, minute_ship, window,
                                      np.random.default_rng(MARKET_SEED + 1)).items():
        minute_frames.setdefault(day, []).extend(frames)
    syn_daily = generated[generated.date.isin(syn_minute_days) & (generated.is_open == 1)]
    for bar in syn_daily.sort_values(["date", "code"]).itertuples():
        bars = synth_minutes(bar, rng)     # drawn for every generated series, kept for some
        if bar.code not in minute_kept:
            continue
        day = np.datetime64(bar.date, "D")
        dt = (day + MINUTE_LABELS).astype("datetime64[ms]")
        minute_frames.setdefault(day, []).append(pd.DataFrame({"code": bar.code, "datetime": dt, **bars}))

    # -- write --
    (root / "daily").mkdir(parents=True)
    years = daily["date"].to_numpy().astype("datetime64[Y]").astype(int) + 1970
    for y in np.unique(years):
        write_table_atomic(_daily_table(daily[years == y]), root / "daily" / f"{y}.parquet")
    minute_days = sorted(minute_frames)
    minute_codes = set()
    for day in minute_days:
        f = pd.concat(minute_frames[day], ignore_index=True).sort_values(["code", "datetime"], kind="stable")
        minute_codes |= set(f.code)
        y = str(day)[:4]
        (root / "minute" / y).mkdir(parents=True, exist_ok=True)
        write_table_atomic(_minute_table(f), root / "minute" / y / f"{day}.parquet")

    write_table_atomic(pa.table({"date": pa.array(calendar, pa.date32())}), root / "calendar.parquet")
    gen_rows = market_instruments(gen, mkt_daily, minute_codes, own, bonds, set(inst_real.symbol))
    listed = set(gen_rows.code)
    inst = _instruments(inst_real[~inst_real.symbol.isin(listed)], daily[~daily.code.isin(listed)],
                        minute_codes - listed, synthetic)
    terms = pd.DataFrame([{"code": c, **t} for c, t in BOND_TERMS.items()])
    for col in ("convert_date", "maturity_date"):
        terms[col] = pd.to_datetime(terms[col]).dt.date
    inst = inst.merge(terms, on="code", how="left")
    inst = pd.concat([inst, gen_rows[inst.columns]], ignore_index=True).sort_values("code", kind="stable")
    write_table_atomic(pa.Table.from_pandas(inst, schema=pa.schema(list(INSTRUMENT_SCHEMA) + [
        pa.field("stock_code", pa.string()), pa.field("convert_price", pa.float64()),
        pa.field("convert_date", pa.date32()), pa.field("maturity_date", pa.date32())]), preserve_index=False),
                       root / "instruments.parquet")
    exr = ex.rename(columns={"symbol": "code"})
    exr = exr[~exr.code.isin(listed)]    # real events of codes whose series here are generated
    exr = pd.concat([exr, _share_capital(daily[~daily.code.isin(listed)], synthetic, set(exr["code"])),
                     market_ex_rights(gen, set(ship))], ignore_index=True)
    exr = exr.sort_values(["code", "ex_date"], kind="stable")
    write_table_atomic(pa.Table.from_pandas(exr, preserve_index=False), root / "ex_rights.parquet")
    shutil.copyfile(gen / "index_members.parquet", root / "index_members.parquet")   # dated, every index
    write_table_atomic(pa.Table.from_pandas(market_st(gen, own), schema=pa.schema([
        ("code", pa.string()), ("start_date", pa.date32()), ("end_date", pa.date32())]), preserve_index=False),
        root / "st.parquet")
    bl = blocks.rename(columns={"symbol": "code"}).sort_values(["category", "block", "code"], kind="stable")
    write_table_atomic(pa.Table.from_pandas(bl, preserve_index=False), root / "blocks.parquet")
    fin = pd.read_parquet(src / "financials_2011q3.parquet")
    # Reports of the stocks with bars in the bundle, and 000415.SZ (its record revised in the same file).
    with_bars = {codes_mod.normalize_code(c) for c in real_daily_codes} | {"000415.SZ"}
    fin = fin[fin["symbol"].map(codes_mod.normalize_code).isin(with_bars)]
    syn_stocks = [c for c in seeds if codes_mod.classify(c) in ("stock", "star", "chinext")]
    generated = fundamental_tables(root, FUNDAMENTALS_SEED, syn_stocks)
    market_reports = market_fundamentals(gen, ship)
    for table, frame in fund_mod.tdx_tables(fin, Q3_2011_PUBL_DATE, "3").items():
        frame = pd.concat([frame, generated[table][frame.columns], market_reports[table][frame.columns]],
                          ignore_index=True)
        frame = frame.sort_values(["code", "end_date", "revision"], kind="stable").reset_index(drop=True)
        fund_mod.write_table(root, table, frame)

    meta = {
        "format_version": FORMAT_VERSION,
        "title": "ptrade_fast sample bundle",
        "built_by": "tools/build_bundle.py",
        "sources": {
            "real": "shared/data/real (hikyuu test data, Apache-2.0; see its README)",
            "synthetic": f"numpy default_rng({SEED})",
        },
        "calendar": [str(calendar[0]), str(calendar[-1])],
        "daily_years": [int(y) for y in np.unique(years)],
        "minute_days": len(minute_days),
        "minute_range": [str(minute_days[0]), str(minute_days[-1])],
        "synthetic": {"seed": SEED, "codes": sorted(synthetic),
                      "market_seed": MARKET_SEED,
                      "without_bars": sorted(set(gen_rows.code) - set(mkt_daily.code)),
                      "without_bars_note": "generated instruments of the realistic market whose bars are not "
                                           "shipped (bundle size); `ptrade-fast data generate` makes a whole market"},
        "index_members": {"kind": "dated", "indices": dict(json.loads((gen / "meta.json").read_text(
                              encoding="utf-8"))["index_members"]["indices"]),
                          "rule": "the realistic synthetic market's (docs/data-format.md, *Synthetic market*)"},
        "st": {"file": "st.parquet", "columns": ["code", "start_date", "end_date"], "kind": "dated",
               "dates": "inclusive; end_date null = ST at the end of the data",
               "span": [SYN_CONSTITUENT_START, SYN_END],
               "covers": "the generated stocks (synthetic); none for the real fixtures and seed securities"},
        "notes": [
            "Real daily bars: TDX files for 000001.SS and 600000.SS (to 2025-08-05), hikyuu h5 for the rest (to 2011-12-06).",
            "Suspended days inside a series are rows with is_open 0, OHLC = previous close, volume 0.",
            f"Realistic synthetic market (generate(market='realistic', stocks={MARKET_STOCKS}, seed={MARKET_SEED}), "
            f"{SYN_CONSTITUENT_START} … {SYN_END}): every instrument, the dated membership of its "
            f"{len(pd.read_parquet(gen / 'index_members.parquet').index_code.unique())} indices and the ST history are shipped; bars of its indices and funds "
            f"(except 000001.SS real and the seed 000300.SS, 510050.SS), of {SHIP_CBS} bonds and of the stocks "
            "the examples, tests and index screens use (synthetic.codes), with their ex-rights rows and reports.",
            f"Generated stocks screened in {' … '.join(SCREEN_WINDOWS[0])} ship daily bars {' … '.join(EARLY_SPAN)} "
            "and minute bars on that window's minute days; those screened in "
            f"{' … '.join(SCREEN_WINDOWS[1])} ship daily bars {' … '.join(LATE_SPAN)}; both (and "
            f"{', '.join(MUST_SHIP)}): the whole span.",
            "Funds and index levels of the realistic market follow its own members, not the seed 000300.SS.",
            "Real time-share minutes carry one price per minute (open = high = low = close); stock minutes have no money, index minutes no volume (null).",
            "2017 index minutes: the 13:00 bar (11:30 + 13:01 merged) is labelled 13:01; 11:30 is absent.",
            f"Synthetic stocks have generated quarterly reports in fundamentals/ (seed {FUNDAMENTALS_SEED} for "
            f"600570.SS, the market's for the others).",
            "Bar and report files store exact-decimal columns as fixed-point int64 (docs/data-format.md, *Fixed-point columns*).",
            "cb_conversion_prices.parquet: 110059.SS from 15.05 adjusted on 600000.SS's ex-dates by the prospectus "
            "formula; etf_baskets.parquet (extension): one synthetic 510050.SS basket of 2019-01-03 over the Shanghai "
            "上证50/沪深300 members with bars (a stand-in: the bundle has bars for one 上证50 member only).",
        ],
    }
    _add_cb_etf_tables(root, daily, exr, pd.read_parquet(root / "index_members.parquet"))
    write_json_atomic(meta, root / "meta.json")  # last: its presence marks a complete root
    _add_futures(src, root)
    add_repo_and_ipos(root)
    _add_ticks(src, root)
    compact_files(root)   # last: rewrites every bar and report file in the fixed-point encoding


def _add_cb_etf_tables(root: Path, daily: pd.DataFrame, exr: pd.DataFrame, members: pd.DataFrame) -> None:
    """cb_conversion_prices.parquet for 110059.SS and etf_baskets.parquet (extension) for 510050.SS
    (docs/data-format.md).

    Conversion price: 15.05 at listing, then adjusted on each ex-date of 600000.SS in the bundle's ex-rights
    table from the conversion start by the prospectus formula K1 = (K0 − cash) / (1 + bonus + conversion),
    rounded to the fen.  Basket: one, dated 2019-01-03, for a unit of 900,000 shares (the seed example's
    ``g.min_unit``) worth 900,000 × 510050.SS's close of 2019-01-02 (the shipped members' first bar), over the
    Shanghai 上证50 / 沪深300 members (dated membership) with bars that day in proportion to float capital × close, in
    whole lots; the rest is the cash component; substitution allowed at +10 %, cash at most 50 %
    (synthetic terms, labelled so in meta.json notes)."""
    code, under = "110059.SS", BOND_TERMS["110059.SS"]["stock_code"]
    k = BOND_TERMS[code]["convert_price"]
    start = pd.Timestamp(BOND_TERMS[code]["convert_date"])
    rows = []
    ev = exr[(exr["code"] == under) & exr["has_action"].fillna(True).astype(bool)]
    for e in ev.sort_values("ex_date").itertuples():
        if not start <= pd.Timestamp(e.ex_date) < pd.Timestamp(BOND_TERMS[code]["maturity_date"]):
            continue
        shares = 1 + float(e.bonus_ratio or 0) + float(e.conversion_ratio or 0)
        k = round((k - float(e.cash_dividend or 0)) / shares, 2)
        rows.append({"code": code, "start_date": pd.Timestamp(e.ex_date).date(), "convert_price": k})
    write_table_atomic(pa.Table.from_pandas(pd.DataFrame(rows, columns=["code", "start_date", "convert_price"]),
                                            schema=pa.schema([("code", pa.string()), ("start_date", pa.date32()),
                                                              ("convert_price", pa.float64())]),
                                            preserve_index=False), root / "cb_conversion_prices.parquet")
    day, prev = pd.Timestamp("2019-01-03"), pd.Timestamp("2019-01-02")
    d = daily[pd.to_datetime(daily["date"]) == prev].set_index("code")["close"]
    fs = exr.dropna(subset=["float_shares"]).sort_values("ex_date").groupby("code")["float_shares"].last()
    # The bundle ships bars for one 上证50 member only: the basket holds the Shanghai members of 上证50 and
    # 沪深300 that have bars and share capital that day (a stand-in, said so in meta.json).
    pool = members_on(members, "000016.SS", day) + members_on(members, "000300.SS", day)
    sse50 = sorted({c for c in pool if c.endswith(".SS") and c in d.index and c in fs.index})
    unit = 900000
    value = float(d["510050.SS"]) * unit
    cap = np.array([fs[c] * d[c] for c in sse50], float)
    px = np.array([d[c] for c in sse50], float)
    num = (np.floor(value * cap / cap.sum() / px / 100) * 100).astype(np.int64)
    keep = num > 0
    codes, num, px = [c for c, k_ in zip(sse50, keep) if k_], num[keep], px[keep]
    cash = round(value - float((num * px).sum()), 2)
    b = pd.DataFrame({"etf_code": "510050.SS", "date": day.date(), "report_unit": unit, "cash_component": cash,
                      "max_cash_ratio": 0.5, "code": codes, "code_num": num, "cash_replace_flag": "1",
                      "replace_ratio": 0.1, "replace_balance": 0.0})
    write_table_atomic(pa.Table.from_pandas(b, preserve_index=False), root / "etf_baskets.parquet")


TICK_SEED = 20190201
TICK_CODES = ["600570.SS"]
# One day each keeps the wheel under 10 MB (`data generate --ticks` makes more): 600570.SS on 2019-01-31, a day
# its 5-day average is above the 10-day one (the seed's tick_ma buys), the real 600000.SS prints of 2019-02-01.
TICK_DAYS = ["2019-01-31"]
REAL_TICK_DAYS = ["2019-02-01"]


def _add_ticks(src: Path, root: Path) -> None:
    """The snapshot store (docs/data-format.md, *ticks/*) for a tick replay of the seed's tick examples:
    synthetic snapshots, trades and orders of 600570.SS on ``TICK_DAYS`` (consistent with its minute bars), and
    the real recorded prints of 600000.SS on ``REAL_TICK_DAYS`` (books reconstructed)."""
    from ptrade_fast.data.importers.ticks import import_trades
    from ptrade_fast.data.synthetic.ticks import add_ticks
    add_ticks(root, TICK_CODES, days=TICK_DAYS, seed=TICK_SEED)
    import_trades(src / "ticks.parquet", root, codes=["600000.SS"], days=REAL_TICK_DAYS)


def _add_futures(src: Path, root: Path) -> None:
    """Futures (docs/data-format.md, *Futures*): the real IF1706 day, the product specs, synthetic IF.

    Written through RootWriter, which only rewrites the files that gain futures rows; meta.json is then
    rewritten without the writer's import timestamps so the bundle stays byte-stable.
    """
    bars = pd.read_parquet(src / "futures_minute_bars.parquet").rename(columns={"symbol": "code"})
    code = bars["code"].iloc[0]
    product, yymm = frules.product_of(code), frules.yymm_of(code)
    sp = frules.spec(product)
    last_hour = bars["datetime"].dt.hour * 60 + bars["datetime"].dt.minute > 14 * 60
    daily = pd.DataFrame([{
        "code": code, "date": bars["datetime"].iloc[0].date(), "open": bars["open"].iloc[0],
        "high": bars["high"].max(), "low": bars["low"].min(), "close": bars["close"].iloc[-1],
        "volume": int(bars["volume"].sum()), "money": float(bars["money"].sum()),
        # Daily settlement = last-hour VWAP (14:01 … 15:00 bars), rounded to the tick (market-rules §9.1).
        "settlement": frules.settlement_price(bars.loc[last_hour, "money"], bars.loc[last_hour, "volume"],
                                              sp.multiplier, sp.tick),
        "open_interest": int(bars["open_interest"].iloc[-1]), "pre_settlement": IF1706_PRE_SETTLEMENT,
    }])
    calendar = _dates(pd.read_parquet(root / "calendar.parquet")["date"])
    with RootWriter.open(root, source="rqalpha:examples/IF1706_20161108.csv") as w:
        w.add_minutes(bars[["code", "datetime", "open", "high", "low", "close", "volume", "money",
                            "open_interest"]])
        w.add_daily(daily)
        w.add_instruments(pd.DataFrame([{
            "code": code, "name": f"{sp.name}{yymm}", "list_date": frules.listing_date(product, yymm, calendar),
            "synthetic": False, "source": "rqalpha:examples/IF1706_20161108.csv"}]))
    specs = pd.read_parquet(src / "futures_product_specs.parquet")
    table = pa.Table.from_pandas(specs, preserve_index=False).replace_schema_metadata({
        "title": "futures product specs (rqalpha backtest defaults, not an exchange schedule)",
        "source": "shared/data/real/futures_product_specs.parquet (rqalpha future_info.json; see its licence caution)"})
    write_table_atomic(table, root / "futures" / "product_specs.parquet")
    add_index_futures(root, ("IF",), seed=SEED, start=FUT_MINUTE_WINDOW[0], end=FUT_MINUTE_WINDOW[1])
    add_index_futures(root, ("IF",), seed=SEED + 1, start=FUT_DAILY_START, end=SYN_END)

    meta = json.loads((root / "meta.json").read_text(encoding="utf-8"))
    meta.pop("imports", None)
    meta["sources"]["futures"] = ("IF1706.CCFX 2016-11-08 minute bars and futures/product_specs.parquet: rqalpha "
                                  "(factual numbers; licence caution in shared/data/real/README.md)")
    meta["futures"]["synthetic"] = {"products": ["IF"], "underlying": "000300.SS (synthetic)",
                                    "minute": list(FUT_MINUTE_WINDOW), "daily": [FUT_DAILY_START, SYN_END],
                                    "seeds": [SEED, SEED + 1]}
    inst = pd.read_parquet(root / "instruments.parquet", columns=["code", "type", "synthetic", "has_daily"])
    generated = inst["synthetic"].fillna(False).astype(bool)
    meta["synthetic_instruments"] = sorted(inst.loc[generated, "code"])
    # synthetic.codes: the securities whose generated series the bundle ships (RootWriter adds every
    # synthetic instrument; the members without bars are listed under synthetic.without_bars instead).
    meta["synthetic"]["codes"] = sorted(inst.loc[generated & inst["has_daily"] & (inst["type"] != "future"), "code"])
    meta["notes"] = meta["notes"] + [
        "IF1706.CCFX 2016-11-08 is real (240 minute bars; daily bar aggregated from them, settlement = last-hour "
        "VWAP, preclose = the previous settlement 3197.2 implied by the day's limits).",
        "Every other futures contract is SYNTHETIC: IF from the synthetic 000300.SS (synthetic.add_index_futures).",
    ]
    write_json_atomic(meta, root / "meta.json")


# -- REVERSE REPO AND IPOS (issue 17 items 4-5) -------------------------------------------------------------

REPO_SEED = SEED + 4
IPO_SEED = SEED + 5
# Synthetic new issues: (code, name, board, subscription day, issue price, max subscription, lottery rate).
# Two in the minute window (2019-01), the others on daily bars; listing 8 trading days after subscription.
# The codes are free in the realistic market's code list (add_repo_and_ipos refuses a code already listed).
BUNDLE_IPOS = (
    ("603999.SS", "新股甲", "SH_main", "2019-01-07", 9.86, 11_000, 0.00045),
    ("002999.SZ", "新股乙", "SZ_main", "2019-01-10", 14.22, 7_000, 0.00052),
    ("001299.SZ", "新股丙", "SZ_main", "2023-02-08", 21.35, 9_500, 0.00031),
    ("688996.SS", "新股丁", "STAR", "2023-06-13", 38.60, 5_500, 0.00062),
    ("301998.SZ", "新股戊", "ChiNext", "2023-09-12", 25.18, 8_000, 0.00040),
    ("603998.SS", "新股己", "SH_main", "2024-03-05", 12.40, 12_000, 0.00035),
)
IPO_LISTING_GAP = 8


BUNDLE_REPO_CODES = ["204001.SS", "131810.SZ"]


def _minute_days_of(root: Path, code: str) -> list:
    """The minute days on which ``code`` has bars in ``root`` (the seed securities' time-share days)."""
    days = []
    for path in sorted((root / "minute").rglob("*.parquet")):
        codes = pq.read_table(path, columns=["code"]).column("code")
        if code in set(codes.unique().to_pylist()):
            days.append(path.stem)
    return days


def add_repo_and_ipos(root: Path) -> None:
    """The reverse repo family and an IPO calendar (docs/data-format.md, *ipo.parquet*), all synthetic.

    Repo: the 1-day GC/R- codes (``BUNDLE_REPO_CODES``) from ``data.synthetic.repo`` over the synthetic span (131810.SZ's earlier
    stock-like series is replaced by rates with the family's shape).  IPOs: ``BUNDLE_IPOS``, each with daily
    bars from its listing day to the end of the synthetic span (day 1 within its first-day band, then the usual
    limits), minute bars on the minute days, and its instruments row; ``ipo.parquet`` lists them.
    """
    from ptrade_fast.data.ipo import subscription_code, write_ipo_calendar
    from ptrade_fast.data.synthetic.repo import add_repo_series
    # The two 1-day codes only, minute bars for 131810.SZ (the seed example lends it) on the 2019
    # time-share days (the minute window of the seed goldens): the whole family is in generated roots.
    add_repo_series(root, seed=REPO_SEED, start=SYN_START, end=SYN_END, minute_compression=9,
                    codes=BUNDLE_REPO_CODES, minute_codes=["131810.SZ"],
                    minute_days=[d for d in _minute_days_of(root, "600570.SS") if d >= "2019-01-02"])
    rng = np.random.default_rng(IPO_SEED)
    store_cal = _dates(pd.read_parquet(root / "calendar.parquet")["date"])
    cal = store_cal[store_cal <= np.datetime64(SYN_END)]
    minute_days = {np.datetime64(p.stem, "D") for p in (root / "minute").rglob("*.parquet")}
    listed = set(pd.read_parquet(root / "instruments.parquet", columns=["code"])["code"])
    taken = sorted(c for c, *_ in BUNDLE_IPOS if c in listed)
    if taken:
        raise SystemExit(f"build_bundle: IPO codes {taken} are already instruments of the bundle; pick free codes")
    rows, daily, minutes = [], [], []
    for code, name, board, sub, price, max_sub, rate in BUNDLE_IPOS:
        t = int(np.searchsorted(cal, np.datetime64(sub)))
        listing = cal[t + IPO_LISTING_GAP]
        rows.append({"code": code, "subscription_code": subscription_code(code), "name": name,
                     "exchange": codes_mod.exchange_of(code), "board": board,
                     "subscription_date": cal[t].astype(object), "issue_price": price, "max_subscription": max_sub,
                     "lottery_rate": rate, "payment_date": cal[t + 2].astype(object),
                     "listing_date": listing.astype(object)})
        bars = _ipo_daily(code, price, cal[cal >= listing], rng)
        daily.append(bars)
        for bar in bars[bars.date.isin(sorted(minute_days))].itertuples():
            m = synth_minutes(bar, rng)
            day = np.datetime64(bar.date, "D")
            minutes.append(pd.DataFrame({"code": code, "datetime": (day + MINUTE_LABELS).astype("datetime64[ms]"),
                                         **m}))
    with RootWriter.open(root, source="synthetic:ipo") as w:
        w.add_daily(pd.concat(daily, ignore_index=True))
        if minutes:
            w.add_minutes(pd.concat(minutes, ignore_index=True))
        w.add_instruments(pd.DataFrame({"code": [r["code"] for r in rows], "name": [r["name"] for r in rows],
                                        "synthetic": True, "source": f"synthetic:ipo:{IPO_SEED}"}))
    write_ipo_calendar(root, pd.DataFrame(rows))
    meta = json.loads((root / "meta.json").read_text(encoding="utf-8"))
    meta.pop("imports", None)
    meta["sources"]["repo_ipo"] = f"synthetic: repo seed {REPO_SEED}, IPO seed {IPO_SEED} (tools/build_bundle.py)"
    meta["ipo_calendar"] = {"file": "ipo.parquet", "issues": len(rows)}
    inst = pd.read_parquet(root / "instruments.parquet", columns=["code", "synthetic", "has_daily", "type"])
    generated = inst["synthetic"].fillna(False).astype(bool)
    meta["synthetic_instruments"] = sorted(inst.loc[generated, "code"])
    meta["synthetic"]["codes"] = sorted(inst.loc[generated & inst["has_daily"] & (inst["type"] != "future"), "code"])
    # The 1-day repo codes and the new issues now have bars: no longer "without bars".
    with_bars = set(inst.loc[inst["has_daily"].fillna(False).astype(bool), "code"])
    meta["synthetic"]["without_bars"] = sorted(set(meta["synthetic"]["without_bars"]) - with_bars)
    meta["notes"] = meta["notes"] + [
        "Reverse repo 204001.SS and 131810.SZ (the 1-day codes) are SYNTHETIC rates in percent "
        "(data/synthetic/repo.py; `data generate --market realistic` makes the whole family).",
        "ipo.parquet lists six SYNTHETIC new issues (two in the 2019-01 minute window) whose bars start on their "
        "listing day.",
    ]
    write_json_atomic(meta, root / "meta.json")


def _ipo_daily(code, issue, days, rng) -> pd.DataFrame:
    """Daily bars of a new listing: day 1 opens within +20 % and closes at +44 % of the issue price (the
    approval-era band) or up to +150 % where the first days have no limit, then a random walk in the limits."""
    typ, rule = _rule(code)
    tick = rule.tick
    list_dates = np.repeat(days[0], 1)
    out, prev = [], issue
    for k, day in enumerate(days):
        ratio = limit_ratio(np.array([typ], dtype=object), np.array([day]), days_listed=np.array([k]),
                            list_dates=list_dates)[0]
        if k == 0:
            unlimited = np.isnan(limit_ratio(np.array([typ], dtype=object), np.array([day]),
                                             days_listed=np.array([1]), list_dates=list_dates)[0])
            c = round(issue * (rng.uniform(1.3, 2.5) if unlimited else 1.44), 2)
            o = round(issue * 1.2, 2)
            hi, lo = (None, None)
        else:
            hi, lo = limit_prices(np.array([prev]), np.array([ratio]), tick) if not np.isnan(ratio) else (None, None)
            hi, lo = (float(hi[0]), float(lo[0])) if hi is not None else (None, None)
            c = round(prev * float(np.exp(rng.normal(0.0, 0.035))), 2)
            o = round(prev * float(np.exp(rng.normal(0.0, 0.01))), 2)
            if hi is not None:
                c, o = min(max(c, lo), hi), min(max(o, lo), hi)
        h = max(o, c) + round(abs(rng.normal(0, 0.01)) * prev, 2)
        l_ = min(o, c) - round(abs(rng.normal(0, 0.01)) * prev, 2)
        if hi is not None:
            h, l_ = min(h, hi), max(l_, lo)
        h, l_ = round(max(h, o, c), 2), round(max(min(l_, o, c), 0.01), 2)
        vol = int(rng.integers(2_000, 40_000)) * 100 * (8 if k == 0 else 1)
        out.append({"code": code, "date": pd.Timestamp(day), "open": o, "high": h, "low": l_, "close": c,
                    "volume": vol, "money": float(round(vol * (o + h + l_ + c) / 4.0))})
        prev = c
    return pd.DataFrame(out)


def _daily_table(df):
    return pa.Table.from_pandas(df.assign(date=pd.to_datetime(df["date"]).dt.date), schema=DAILY_SCHEMA,
                                preserve_index=False)


def _minute_table(df):
    cols = {k: df[k] for k in ("code", "datetime", "open", "high", "low", "close")}
    cols["volume"] = pd.array(df["volume"], dtype="Int64")
    cols["money"] = df["money"].astype(float)
    return pa.Table.from_pandas(pd.DataFrame(cols), schema=MINUTE_SCHEMA, preserve_index=False)


def _instruments(inst_real, daily, minute_codes, synthetic):
    real = inst_real.set_index("symbol")
    span = daily.groupby("code")["date"].agg(["min", "max"])
    all_codes = sorted(set(real.index) | set(span.index) | set(minute_codes))
    rows = []
    for code in all_codes:
        typ, board = codes_mod.classify_full(code)
        exch = codes_mod.exchange_of(code)
        rule = irules.current(typ, exch)
        r = real.loc[code] if code in real.index else None
        syn = code in synthetic
        name = r["name"] if r is not None else SEED_SECURITIES.get(code, (f"SYN{code[:6]}",))[0]
        if syn:
            list_date, delist = span.loc[code, "min"], None
        else:
            list_date = r["list_date"] if r is not None else (span.loc[code, "min"] if code in span.index else None)
            delist = r["delist_date"] if r is not None else None
        rows.append({
            "code": code, "name": name, "type": typ, "exchange": exch, "board": board,
            "list_date": _d(list_date), "delist_date": _d(delist),
            "lot": rule.lot, "min_buy": rule.min_buy, "tick": rule.tick, "price_decimals": rule.decimals,
            "t_plus": rule.t_plus, "stamp_tax": rule.stamp, "fee_class": rule.fee_class,
            "is_valid": bool(r["is_valid"]) if r is not None else True,
            "has_daily": code in span.index, "has_minute": code in minute_codes,
            "daily_start": _d(span.loc[code, "min"]) if code in span.index else None,
            "daily_end": _d(span.loc[code, "max"]) if code in span.index else None,
            "synthetic": syn,
            "source": f"synthetic:{SEED}" if syn else ("hikyuu:stock.db@2011-12-06" if r is not None else "data"),
        })
    return pd.DataFrame(rows)


def _share_capital(daily, synthetic, known) -> pd.DataFrame:
    """A ``has_action = False`` ex_rights row at the first bar of each synthetic stock without share capital
    on record (a cap drawn as in the synthetic market), so valuation and reports have shares."""
    rng = np.random.default_rng(SHARES_SEED)
    first = daily[daily.code.isin(synthetic)].groupby("code").head(1)
    first = first[first["code"].map(codes_mod.classify).isin(["stock", "star", "chinext"])]
    first = first[~first.code.isin(known)].sort_values("code")
    cap = np.exp(rng.normal(np.log(6e9), 1.0, len(first))).clip(8e8, 2e12)
    float_shares = (np.rint(cap / first["close"].to_numpy() / 1e4) * 1e4).astype(np.int64)
    total = (np.rint(float_shares * rng.uniform(1.0, 2.5, len(first)) / 1e4) * 1e4).astype(np.int64)
    return pd.DataFrame({"code": first["code"].to_numpy(), "ex_date": pd.to_datetime(first["date"]).dt.date.to_numpy(),
                         "cash_dividend": 0.0, "bonus_ratio": 0.0, "conversion_ratio": 0.0, "rights_ratio": 0.0,
                         "rights_price": 0.0, "total_shares": total, "float_shares": float_shares,
                         "has_action": False})


def _d(x):
    if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NaT:
        return None
    try:
        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        pass
    return pd.Timestamp(x).date()


def main(argv=None):
    here = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=Path("/work/shared/data/real"))
    ap.add_argument("--out", type=Path, default=here / "data")
    ap.add_argument("--market-cache", type=Path, default=None,
                    help="folder of the generated realistic market, reused when present (development)")
    args = ap.parse_args(argv)
    build(args.src.resolve(), args.out.resolve(), args.market_cache and args.market_cache.resolve())


if __name__ == "__main__":
    main()
