"""Tick data -> a data root's snapshot store (docs/data-format.md, "ticks/"; CLI ``ptrade-fast data import-ticks``).

Two sources:

* **Recorded trades** (``import_trades``): a Parquet or CSV table of trade prints with columns ``symbol`` (or
  ``code``), ``datetime``, ``price`` (CNY), ``volume`` (shares) and ``side`` (``B`` buyer-initiated, ``S``
  seller-initiated, ``N`` neutral/auction) — the shape of TDX 分笔 data, prints every 3 seconds aggregating the
  trades in between.  Each print becomes one transaction and one snapshot.  The snapshot's prices and
  cumulative volume, turnover, count and inner/outer volume are exact sums of the prints; its five-level
  books are **reconstructed** (the source has none) and the files say so (``books = reconstructed``): a
  buyer-initiated print traded at the offer (offer 1 = price, bid 1 one tick lower), a seller-initiated or
  neutral one at the bid (bid 1 = price, offer 1 one tick higher); further levels one tick apart inside the
  day's limits; every level's volume is the running mean print volume of the day, rounded down to 100
  shares (at least 100).  ``preclose_px``, ``up_px`` and ``down_px`` come from the root's daily bars, which
  must hold the security that day.
* **Snapshot CSV** (``import_snapshot_csv``): one row per snapshot with the columns of the snapshot file
  (``code, time`` and the fields of docs/data-format.md); books ``recorded``.  A bad value is reported with
  the file, line and column.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ...errors import DataError
from ..codes import normalize_code
from ..store import DataStore
from ..ticks import (BOOK_PRICE_COLUMNS, BOOK_VOLUME_COLUMNS, LEVELS, SNAPSHOT_SCHEMA, STATUSES, closing_call,
                     ms_of_day, session_status, write_tick_day)
from ..writer import check_root

_SIDE = {"B": 1, "S": 0, "N": 2}


def _read_table(path: Path) -> pd.DataFrame:
    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    raise ValueError(f"{path}: trades must be a .parquet or .csv file")


def import_trades(path, root, codes=None, days=None) -> dict:
    """Import recorded trade prints into ``root``'s snapshot store (books reconstructed, see the module).

    Parameters
    ----------
    path : path
        Parquet or CSV with ``symbol``/``code``, ``datetime``, ``price``, ``volume``, ``side``.
    root : path
        A complete data root holding the daily bars of the securities on those days.
    codes, days : list, optional
        Import only these codes / trading days (default: all in the file).

    Returns
    -------
    dict
        ``{'days': [...], 'codes': [...], 'prints': int}``.
    """
    path = Path(path)
    root = check_root(root)
    df = _read_table(path)
    code_col = "symbol" if "symbol" in df.columns else "code"
    missing = [c for c in (code_col, "datetime", "price", "volume", "side") if c not in df.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)} (need symbol or code, datetime, price, "
                        f"volume, side)")
    df = df.rename(columns={code_col: "code"})
    df["code"] = [normalize_code(c) for c in df["code"].astype(str)]
    df["datetime"] = pd.to_datetime(df["datetime"])
    for c, least in (("price", 0), ("volume", -1)):
        df[c] = pd.to_numeric(df[c], errors="coerce")
        bad = df[c].isna() | (df[c] <= least) | ((df[c] % 1 != 0) if c == "volume" else False)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            what = "a positive number" if c == "price" else "a whole number of shares ≥ 0"
            raise DataError(f"{path}: row {i + 1}: column {c} must be {what}, was {df[c].iloc[i]!r}")
    unknown = ~df["side"].isin(list(_SIDE))
    if unknown.any():
        bad = int(np.flatnonzero(unknown)[0])
        raise DataError(f"{path}: row {bad + 1}: column side must be B, S or N, was {df['side'].iloc[bad]!r}")
    if codes is not None:
        df = df[df["code"].isin([normalize_code(c) for c in codes])]
    df["day"] = df["datetime"].dt.normalize()
    if days is not None:
        df = df[df["day"].isin(pd.to_datetime(list(days)))]
    if df.empty:
        raise DataError(f"{path}: no prints left for codes {codes} and days {days}")
    store = DataStore.open(root)
    out_days = []
    for day, part in df.groupby("day", sort=True):
        d = np.datetime64(day.date(), "D")
        part = part.sort_values(["code", "datetime"], kind="stable")
        snaps = _snapshots_from_prints(store, d, part, path)
        tr = part.assign(direction=part["side"].map(_SIDE).astype(np.int8), time=part["datetime"])
        trades = pa.table({"code": tr["code"].to_numpy(), "time": tr["time"].to_numpy().astype("datetime64[ms]"),
                           "price": tr["price"].to_numpy(float), "volume": tr["volume"].to_numpy(np.int64),
                           "direction": tr["direction"].to_numpy()})
        src = f"trades:{path.name}"
        write_tick_day(root, d, "snapshots", snaps, "reconstructed", src)
        write_tick_day(root, d, "trades", trades, "reconstructed", src)
        out_days.append(str(d))
    return {"days": out_days, "codes": sorted(df["code"].unique()), "prints": len(df)}


def _snapshots_from_prints(store, d, part, path) -> pa.Table:
    cal = store.calendar
    if not len(cal) or d < cal[0] or d > cal[-1] or cal[np.searchsorted(cal, d)] != d:
        raise DataError(f"{path}: {d} is not a trading day of the calendar of {store.root} "
                        f"({cal[0] if len(cal) else '-'} … {cal[-1] if len(cal) else '-'}); import the daily bars "
                        f"of that day first (the snapshots take preclose and the limits from them)")
    win = store.daily_window(d.astype(object), d.astype(object))
    cols = {c: [] for c in SNAPSHOT_SCHEMA.names}
    for code, g in part.groupby("code", sort=True):
        sid = store.sid(code)
        if sid < 0 or not np.isfinite(win.close[0, sid]):
            raise DataError(f"{path}: {code} has no daily bar on {d} in {store.root}; import its daily bars first "
                            f"(the snapshots take preclose and the limits from them)")
        tick = float(store.instruments.at[code, "tick"]) if "tick" in store.instruments else 0.01
        t = g["datetime"].to_numpy().astype("datetime64[ms]")
        if (np.diff(t.astype(np.int64)) <= 0).any():
            bad = int(np.flatnonzero(np.diff(t.astype(np.int64)) <= 0)[0]) + 1
            raise DataError(f"{path}: two prints of {code} at {t[bad]} (times must be distinct and sorted per code)")
        px = g["price"].to_numpy(float)
        vol = g["volume"].to_numpy(np.int64)
        side = g["side"].map(_SIDE).to_numpy()
        n = len(g)
        pre = float(win.preclose[0, sid]) if np.isfinite(win.preclose[0, sid]) else float(win.close[0, sid])
        up, down = float(win.high_limit[0, sid]), float(win.low_limit[0, sid])
        up = up if np.isfinite(up) else 0.0
        down = down if np.isfinite(down) else 0.0
        cols["code"] += [code] * n
        cols["time"].append(t)
        cols["trade_status"] += [STATUSES[i] for i in session_status(ms_of_day(t), closing_call(code, d))]
        cols["last_px"].append(px)
        cols["open_px"].append(np.full(n, px[0]))
        cols["high_px"].append(np.maximum.accumulate(px))
        cols["low_px"].append(np.minimum.accumulate(px))
        cols["preclose_px"].append(np.full(n, pre))
        cols["up_px"].append(np.full(n, up))
        cols["down_px"].append(np.full(n, down))
        cum = np.cumsum(vol)
        cols["business_amount"].append(cum)
        cols["business_balance"].append(np.cumsum(px * vol))
        cols["business_count"].append(np.arange(1, n + 1, dtype=np.int64))
        cols["business_amount_in"].append(np.cumsum(np.where(side == 0, vol, 0)))
        cols["business_amount_out"].append(np.cumsum(np.where(side == 1, vol, 0)))
        lot_vol = np.maximum(cum // np.arange(1, n + 1) // 100 * 100, 100)
        ticks = np.rint(px / tick).astype(np.int64)
        bid1 = np.where(side == 1, ticks - 1, ticks)
        for i in range(LEVELS):
            for name, lvl in (("bid", bid1 - i), ("offer", bid1 + 1 + i)):
                p = np.round(lvl * tick, 6)
                ok = (p > 0) & ((up == 0) | (p <= up + 1e-9)) & ((down == 0) | (p >= down - 1e-9))
                cols[f"{name}_px{i + 1}"].append(np.where(ok, p, 0.0))
                cols[f"{name}_vol{i + 1}"].append(np.where(ok, lot_vol, 0))
                cols[f"{name}_cnt{i + 1}"].append(np.zeros(n, np.int64))
        for c in ("total_bidqty", "total_offerqty"):
            cols[c].append(np.zeros(n, np.int64))
    arrays = {}
    for f in SNAPSHOT_SCHEMA:
        v = cols[f.name]
        if f.name in ("code", "trade_status"):
            arrays[f.name] = pa.array(v, pa.string())
        else:
            arrays[f.name] = pa.array(np.concatenate(v), f.type)
    return pa.table(arrays)


# -- snapshot CSV ------------------------------------------------------------------------------------------
CSV_REQUIRED = ("code", "time", "last_px", "open_px", "high_px", "low_px", "preclose_px", "up_px", "down_px",
                "business_amount", "business_balance") + BOOK_PRICE_COLUMNS + BOOK_VOLUME_COLUMNS
_INT_COLUMNS = {f.name for f in SNAPSHOT_SCHEMA if pa.types.is_integer(f.type)}


def import_snapshot_csv(files, root) -> dict:
    """Import snapshot CSV files (one row per snapshot, docs/data-format.md "Snapshot CSV") into ``root``.

    Parameters
    ----------
    files : list of path
        CSV files, UTF-8, header row with the snapshot columns (``code``, ``time`` as
        ``YYYY-mm-dd HH:MM:SS[.fff]``, prices in CNY, volumes in shares); optional columns may be left out.
    root : path
        A complete data root.

    Returns
    -------
    dict
        ``{'days': [...], 'codes': [...], 'rows': int, 'files': int}``.

    Raises
    ------
    DataError
        Naming the file, the line (1 = the header) and the column of the first bad value, or a missing column.
    """
    root = check_root(root)
    frames = []
    for f in files:
        frames.append(_read_snapshot_csv(Path(f)))
    if not frames:
        raise ValueError("import-ticks --snapshots: no CSV file given")
    df = pd.concat(frames, ignore_index=True)
    df["day"] = df["time"].dt.normalize()
    days = []
    for day, part in df.groupby("day", sort=True):
        d = np.datetime64(day.date(), "D")
        part = part.drop(columns=["day"])
        table = pa.Table.from_pandas(part, preserve_index=False)
        write_tick_day(root, d, "snapshots", table, "recorded", "csv:" + ",".join(Path(f).name for f in files))
        days.append(str(d))
    return {"days": days, "codes": sorted(df["code"].unique()), "rows": len(df), "files": len(frames)}


def _read_snapshot_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(f"{path}: not a readable UTF-8 CSV ({exc})") from None
    raw.columns = [c.strip() for c in raw.columns]
    missing = [c for c in CSV_REQUIRED if c not in raw.columns]
    if missing:
        raise DataError(f"{path}: line 1: missing column(s) {', '.join(missing)}")
    known = set(SNAPSHOT_SCHEMA.names)
    extra = [c for c in raw.columns if c not in known]
    if extra:
        raise DataError(f"{path}: line 1: unknown column(s) {', '.join(extra)} (docs/data-format.md lists the "
                        f"snapshot columns)")
    out = pd.DataFrame(index=raw.index)
    codes = []
    for i, c in enumerate(raw["code"]):
        try:
            codes.append(normalize_code(c.strip()))
        except ValueError as exc:
            raise DataError(f"{path}: line {i + 2}: column code: {exc}") from None
    out["code"] = codes
    text = raw["time"].str.strip()
    t = pd.to_datetime(text, errors="coerce", format="%Y-%m-%d %H:%M:%S.%f")
    t = t.fillna(pd.to_datetime(text, errors="coerce", format="%Y-%m-%d %H:%M:%S"))
    if t.isna().any():
        bad = int(np.flatnonzero(t.isna())[0])
        raise DataError(f"{path}: line {bad + 2}: column time: cannot read {raw['time'].iloc[bad]!r} as "
                        f"'YYYY-mm-dd HH:MM:SS'")
    out["time"] = t
    if "trade_status" in raw.columns:
        bad = ~raw["trade_status"].isin(STATUSES)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(f"{path}: line {i + 2}: column trade_status: {raw['trade_status'].iloc[i]!r} is not "
                            f"one of {', '.join(STATUSES)}")
        out["trade_status"] = raw["trade_status"]
    for c in raw.columns:
        if c in ("code", "time", "trade_status"):
            continue
        v = pd.to_numeric(raw[c].str.strip(), errors="coerce")
        bad = v.isna() | (v < 0)
        if c in _INT_COLUMNS:
            bad |= (v.fillna(0) % 1 != 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            kind = "a whole number ≥ 0" if c in _INT_COLUMNS else "a number ≥ 0"
            raise DataError(f"{path}: line {i + 2}: column {c}: {raw[c].iloc[i]!r} is not {kind}")
        out[c] = v.astype(np.int64) if c in _INT_COLUMNS else v.astype(float)
    return out
