"""CSV exports -> a data root: a generic column mapping plus presets for tushare, akshare and baostock.

A mapping says which CSV column holds each field (``code, date`` or ``datetime``, ``open, high, low,
close, volume, money``) and by what factor a column is multiplied to reach the format's units (volume in
shares, money in CNY).  Presets, by frequency (docs/data-format.md, *Importing*):

=========  ==================================================  ==================================
preset     daily (``1d``)                                       minute (``1m``; baostock ``5m``)
=========  ==================================================  ==================================
tushare    ``daily``: ts_code 600000.SH, trade_date YYYYMMDD,   ``stk_mins``: trade_time, vol in
           vol in lots (×100), amount in 1,000 CNY (×1000)      shares, amount in CNY
akshare    ``stock_zh_a_hist``: 日期 开盘 收盘 最高 最低,         ``stock_zh_a_hist_min_em``: 时间,
           成交量 in lots (×100), 成交额 CNY, code 股票代码        成交量 in lots (×100), 成交额 CNY
baostock   ``query_history_k_data_plus`` d: date, code           frequency 5: time
           sh.600000, volume in shares, amount CNY              YYYYMMDDHHMMSSsss (bar end)
=========  ==================================================  ==================================

Prices must be unadjusted (不复权: tushare ``daily``, akshare ``adjust=""``, baostock ``adjustflag=3``).
Codes may be ``600000.SH``, ``sh.600000``, ``sh600000``, ``600000.XSHG`` or bare ``600000`` (a bare code
is placed by prefix: 5, 6, 9, 11 -> Shanghai, else Shenzhen; pass ``code=`` for indices such as 000001.SS).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..codes import normalize_code
from ..derive import rule_of

FIELDS = ("code", "date", "datetime", "open", "high", "low", "close", "volume", "money")
# Optional fields of futures bars (docs/data-format.md, Futures): taken when a column maps to them.
FUTURES_FIELDS = ("settlement", "open_interest", "pre_settlement")
FREQUENCIES = {"1d": "1d", "daily": "1d", "1m": "1m", "minute": "1m", "5m": "5m"}

PRESETS: dict[str, dict[str, dict]] = {
    "tushare": {
        "1d": {"columns": {"ts_code": "code", "trade_date": "date", "open": "open", "high": "high", "low": "low",
                           "close": "close", "vol": "volume", "amount": "money"},
               "scale": {"volume": 100, "money": 1000}},
        "1m": {"columns": {"ts_code": "code", "trade_time": "datetime", "open": "open", "high": "high",
                           "low": "low", "close": "close", "vol": "volume", "amount": "money"},
               "scale": {}},
    },
    "akshare": {
        "1d": {"columns": {"股票代码": "code", "日期": "date", "开盘": "open", "最高": "high", "最低": "low",
                           "收盘": "close", "成交量": "volume", "成交额": "money"},
               "scale": {"volume": 100}},
        "1m": {"columns": {"股票代码": "code", "时间": "datetime", "开盘": "open", "最高": "high", "最低": "low",
                           "收盘": "close", "成交量": "volume", "成交额": "money"},
               "scale": {"volume": 100}},
    },
    "baostock": {
        "1d": {"columns": {"code": "code", "date": "date", "open": "open", "high": "high", "low": "low",
                           "close": "close", "volume": "volume", "amount": "money"},
               "scale": {}},
        "5m": {"columns": {"code": "code", "time": "datetime", "open": "open", "high": "high", "low": "low",
                           "close": "close", "volume": "volume", "amount": "money"},
               "scale": {}},
    },
    "generic": {
        f: {"columns": {k: k for k in FIELDS}, "scale": {}} for f in ("1d", "1m", "5m")
    },
}

_PREFIXED = re.compile(r"^(sh|sz)\.?(\d{6})$", re.IGNORECASE)


def parse_code(value) -> str:
    """Any common spelling of an A-share code -> Ptrade short form ('sh.600000' -> '600000.SS')."""
    text = str(value).strip()
    m = _PREFIXED.match(text)
    if m:
        return normalize_code(f"{m.group(2)}.{'SS' if m.group(1).lower() == 'sh' else 'SZ'}")
    if text.isdigit() and len(text) <= 6:
        text = text.zfill(6)
        return normalize_code(f"{text}.{'SS' if text[0] in '569' or text[:2] == '11' else 'SZ'}")
    return normalize_code(text)


# Dates are read only in unambiguous forms: ISO (2024-01-02, 2024/01/02, with an optional time) or digits
# (20240102, 202401020931…).  '02/01/2024' could be 2 January or 1 February: it needs an explicit format.
_ISO = r"\d{4}[-/]\d{1,2}[-/]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?"


def _parse_times(values, daily: bool, date_format=None, path=None, column=None) -> np.ndarray:
    s = pd.Series(values).astype(str).str.strip()
    what = "dates" if daily else "times"
    where = f"{path}: column {column!r}: " if path is not None else ""
    if date_format is not None:
        parsed = pd.to_datetime(s, format=date_format, errors="coerce")
    elif s.str.fullmatch(r"\d+").all():
        n = s.str.len().iloc[0] if len(s) else 8
        fmt = {8: "%Y%m%d", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}.get(min(n, 14))
        if fmt is None:
            raise ValueError(f"{where}cannot read {what} like {s.iloc[0]!r} (line 2)")
        parsed = pd.to_datetime(s.str[:14], format=fmt, errors="coerce")
    else:
        iso = s.str.fullmatch(_ISO)
        if not iso.all():
            i = int(np.flatnonzero(~iso.to_numpy())[0])
            raise ValueError(f"{where}line {i + 2}: {what} like {s.iloc[i]!r} are ambiguous or not ISO "
                             f"(is 02/01/2024 the 2nd of January or the 1st of February?); give the format "
                             f"explicitly: --date-format '%d/%m/%Y' (Python: date_format='%d/%m/%Y')")
        parsed = pd.to_datetime(s.str.replace("/", "-", regex=False), format="ISO8601", errors="coerce")
    bad = parsed.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{where}line {i + 2}: cannot read {s.iloc[i]!r} as a "
                         f"{'date' if daily else 'time'}{f' with format {date_format!r}' if date_format else ''}")
    unit = "datetime64[D]" if daily else "datetime64[ms]"
    return parsed.to_numpy().astype(unit)


def _numbers(raw, column, path) -> pd.Series:
    """A numeric column; a value that is not a number names the file, line and column."""
    values = pd.to_numeric(raw[column], errors="coerce")
    bad = values.isna().to_numpy() & raw[column].notna().to_numpy() & (raw[column].astype(str).str.strip() != "").to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{path}: line {i + 2}, column {column!r}: {raw[column].iloc[i]!r} is not a number")
    return values.astype(float)


def read_csv(path, preset="generic", frequency="1d", mapping=None, scale=None, code=None,
             encoding=None, date_format=None) -> pd.DataFrame:
    """Read one CSV file into bars in the format's units (see the module docstring).

    Parameters
    ----------
    preset : str
        ``tushare``, ``akshare``, ``baostock`` or ``generic`` (columns already named as the fields).
    frequency : str
        ``1d``, ``1m`` or ``5m``.
    mapping : dict, optional
        ``{csv column: field}`` added to (and overriding) the preset's columns.
    scale : dict, optional
        ``{field: factor}`` overriding the preset's factors.
    code : str, optional
        The security of every row (for files without a code column, or to override it).
    date_format : str, optional
        ``strftime`` format of the date/time column when it is neither ISO nor digits (e.g. ``'%d/%m/%Y'``).

    Raises
    ------
    ValueError
        Unknown preset or frequency, a required field no column provides (naming the columns seen), an
        ambiguous date without ``date_format``, a value that is not a number, or rows whose high/low do not
        bracket open and close (never repaired silently) — each naming the file, line and column.
    """
    freq = FREQUENCIES.get(str(frequency))
    if preset not in PRESETS:
        raise ValueError(f"unknown CSV preset {preset!r}; choose one of {sorted(PRESETS)}")
    if freq not in PRESETS[preset]:
        raise ValueError(f"preset {preset!r} has no {frequency!r} layout; it has {sorted(PRESETS[preset])}")
    spec = PRESETS[preset][freq]
    columns = dict(spec["columns"])
    for col, field in (mapping or {}).items():
        if field not in FIELDS + FUTURES_FIELDS:
            raise ValueError(f"--map {col}={field}: field must be one of {', '.join(FIELDS + FUTURES_FIELDS)}")
        columns = {k: v for k, v in columns.items() if v != field}
        columns[col] = field
    factors = {**spec["scale"], **(scale or {})}
    raw = _read_text(path, encoding)
    time_field = "date" if freq == "1d" else "datetime"
    need = [time_field, "open", "high", "low", "close", "volume", "money"] + ([] if code else ["code"])
    have = {field: col for col, field in columns.items() if col in raw.columns}
    missing = [f for f in need if f not in have]
    if missing:
        raise ValueError(f"{path}: no column for {missing} with preset {preset!r} "
                         f"(columns are {list(raw.columns)}; map them with --map COLUMN=FIELD)")
    out = pd.DataFrame({"code": [parse_code(code)] * len(raw) if code else [parse_code(c) for c in raw[have["code"]]]})
    out[time_field] = _parse_times(raw[have[time_field]], freq == "1d", date_format, path, have[time_field])
    for f in ("open", "high", "low", "close"):
        out[f] = _numbers(raw, have[f], path) * factors.get(f, 1)
    out["volume"] = np.rint(_numbers(raw, have["volume"], path).fillna(0.0)
                            * factors.get("volume", 1)).astype(np.int64)
    out["money"] = np.round(_numbers(raw, have["money"], path) * factors.get("money", 1), 4)
    o, h, l, c = (out[f].to_numpy(float) for f in ("open", "high", "low", "close"))
    with np.errstate(invalid="ignore"):
        broken = (h < np.fmax(o, c) - 1e-9) | (l > np.fmin(o, c) + 1e-9) | (h < l)
    if broken.any():
        rows = np.flatnonzero(broken)
        shown = "; ".join(f"line {i + 2}: open {o[i]} high {h[i]} low {l[i]} close {c[i]}" for i in rows[:5])
        raise ValueError(f"{path}: {len(rows)} row(s) whose high/low do not bracket open and close ({shown}"
                         f"{' …' if len(rows) > 5 else ''}); the importer does not swap or repair prices — "
                         f"fix the file or check the column mapping (--map)")
    for f in FUTURES_FIELDS:
        if f in have and (f != "settlement" or freq == "1d") and (f != "pre_settlement" or freq == "1d"):
            vals = pd.to_numeric(raw[have[f]], errors="coerce").astype(float) * factors.get(f, 1)
            out[f] = vals.round().astype("Int64") if f == "open_interest" else vals
    decimals = {c: rule_of(c)[1].decimals for c in out["code"].unique()}
    dec = out["code"].map(decimals).to_numpy()
    for f in ("open", "high", "low", "close"):
        out[f] = [round(v, int(d)) for v, d in zip(out[f].to_numpy(), dec)]
    return out


def _read_text(path, encoding):
    if encoding:
        return pd.read_csv(path, dtype=str, encoding=encoding)
    try:
        return pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    except UnicodeDecodeError:
        return pd.read_csv(path, dtype=str, encoding="gb18030")  # Chinese Windows exports


def import_csv(paths, root, preset="generic", frequency="1d", mapping=None, scale=None, code=None,
               encoding=None, writer=None, progress=None, date_format=None) -> dict:
    """Import CSV files into ``root`` (daily -> ``daily/``, 1m -> ``minute/``, 5m -> ``bars5m/``).

    Returns ``{"files": n, "rows": n, "codes": [...]}``.
    """
    from ..writer import RootWriter

    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    frames = [read_csv(p, preset, frequency, mapping, scale, code, encoding, date_format) for p in paths]
    freq = FREQUENCIES[str(frequency)]
    own = writer is None
    w = writer or RootWriter.open(root, source=f"csv:{preset}")
    codes = set()
    for i, df in enumerate(frames):
        {"1d": w.add_daily, "1m": w.add_minutes, "5m": w.add_bars5m}[freq](df)
        codes |= set(df["code"])
        if progress is not None:
            progress(i + 1, len(frames), paths[i].name)
    if own:
        w.commit()
    return {"files": len(paths), "rows": int(sum(len(f) for f in frames)), "codes": sorted(codes)}
