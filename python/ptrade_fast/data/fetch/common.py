"""Helpers the fetch sources share: code forms, latest snapshot per key, dated periods, coverage."""
from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from ..codes import normalize_code
from ..derive import rule_of


# Index daily bars fetched with the stocks (benchmarks and index-timing strategies need them).
INDEX_BARS = {"000001.SS": "上证指数", "000016.SS": "上证50", "000300.SS": "沪深300", "000905.SS": "中证500",
              "000852.SS": "中证1000", "399001.SZ": "深证成指", "399006.SZ": "创业板指"}


def a_share(code6: str) -> str | None:
    """6 digits → Ptrade code of an SSE/SZSE security (6/9/5 → .SS, else .SZ); None for Beijing codes."""
    code6 = str(code6).strip().zfill(6)
    if not code6.isdigit() or code6[:1] in ("4", "8"):
        return None
    code = normalize_code(f"{code6}.{'SS' if code6[:1] in ('5', '6', '9') else 'SZ'}")
    try:
        rule_of(code)
    except ValueError:
        return None
    return code


def ymd(day) -> str:
    return pd.Timestamp(day).strftime("%Y%m%d")


def latest_by_prefix(items, sep: str = "@"):
    """``[(key, frame)]`` with keys ``<name>@<YYYYMMDD>`` → ``{name: (date, frame)}`` keeping the newest."""
    out = {}
    for key, frame in items:
        name, _, stamp = key.rpartition(sep)
        if name not in out or stamp > out[name][0]:
            out[name] = (stamp, frame)
    return out


def dates(col) -> pd.Series:
    return pd.to_datetime(pd.Series(col).astype(str).str.strip().replace({"": None, "None": None, "nan": None,
                                                                              "NaT": None}),
                          errors="coerce").dt.date


def periods(codes: np.ndarray, days: np.ndarray, flags: np.ndarray, calendar: np.ndarray) -> pd.DataFrame:
    """Runs of consecutive flagged trading days per code → ``code, start_date, end_date`` (inclusive; the
    end is null when the run reaches the code's last row)."""
    df = pd.DataFrame({"code": codes, "date": pd.to_datetime(days).to_numpy().astype("datetime64[D]"),
                       "flag": flags.astype(bool)}).sort_values(["code", "date"], kind="stable")
    rows = []
    for code, g in df.groupby("code", sort=True):
        f = g["flag"].to_numpy()
        d = g["date"].to_numpy()
        i = 0
        while i < len(f):
            if not f[i]:
                i += 1
                continue
            j = i
            while j + 1 < len(f) and f[j + 1]:
                j += 1
            rows.append((code, d[i].astype(object), None if j == len(f) - 1 else d[j].astype(object)))
            i = j + 1
    return pd.DataFrame(rows, columns=["code", "start_date", "end_date"])


def dated_members(snapshots: dict) -> pd.DataFrame:
    """``{index_code: [(date, codes)]}`` snapshots → dated membership ``index_code, code, start_date,
    end_date``: a code is a member from a snapshot that lists it to the day before the next snapshot
    that does not (open-ended after the last snapshot)."""
    rows = []
    for index_code, snaps in snapshots.items():
        snaps = sorted(snaps, key=lambda s: s[0])
        open_since: dict = {}
        for i, (day, members) in enumerate(snaps):
            members = set(members)
            for code in list(open_since):
                if code not in members:
                    rows.append((index_code, code, open_since.pop(code), day - _dt.timedelta(days=1)))
            for code in members:
                open_since.setdefault(code, day)
        for code, since in open_since.items():
            rows.append((index_code, code, since, None))
    return pd.DataFrame(rows, columns=["index_code", "code", "start_date", "end_date"]).sort_values(
        ["index_code", "code", "start_date"], kind="stable").reset_index(drop=True)


def coverage(frames: dict) -> dict:
    """``{table: frame}`` → ``{table: {"rows", "codes", "first", "last"}}`` (dates from the first date
    column found)."""
    out = {}
    for table, df in frames.items():
        if df is None or len(df) == 0:
            out[table] = {"rows": 0}
            continue
        entry = {"rows": int(len(df))}
        if "code" in df:
            entry["codes"] = int(df["code"].nunique())
        for c in ("date", "datetime", "ex_date", "end_date", "start_date", "publ_date", "as_of"):
            if c in df and df[c].notna().any():
                v = pd.to_datetime(df[c].dropna())
                entry["first"], entry["last"] = str(v.min().date()), str(v.max().date())
                break
        out[table] = entry
    return out


def frame_tables(frames: dict, table_fields: dict, publ: pd.Series, end: pd.Series, codes: pd.Series) -> dict:
    """Build report tables from source columns: ``table_fields = {table: {field: (column, scale)}}``."""
    rtype = pd.to_datetime(end).dt.month.map({3: "1", 6: "2", 9: "3", 12: "4"})
    keys = pd.DataFrame({"code": codes.to_numpy(), "end_date": pd.to_datetime(end).dt.date.to_numpy(),
                         "publ_date": pd.to_datetime(publ).dt.date.to_numpy(), "report_type": rtype.to_numpy(),
                         "revision": np.zeros(len(codes), np.int16)})
    ok = keys[["publ_date", "end_date", "report_type"]].notna().all(axis=1).to_numpy()
    out = {}
    for table, fields in table_fields.items():
        cols = {}
        for field, (col, scale) in fields.items():
            if col in frames:
                cols[field] = pd.to_numeric(frames[col], errors="coerce").to_numpy(float) * scale
        if cols:
            out[table] = pd.concat([keys, pd.DataFrame(cols)], axis=1)[ok].reset_index(drop=True)
    return out
