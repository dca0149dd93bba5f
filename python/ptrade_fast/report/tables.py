"""The result tables: their columns and dtypes, and how a results folder stores them.

A ``Result`` normalises each table once, when it is built, so that what it holds in memory is exactly
what ``Result.load`` reads back: known columns get their canonical dtype, row tables get a fresh
RangeIndex, and the frame is passed through Arrow once (that fixes string and column-index dtypes the
way Parquet will). Saving is then a plain Arrow write, and loading a plain Arrow read.

Bytes are deterministic for the same input and the same library versions: Parquet files carry the
pyarrow and pandas versions in their metadata, and JSON is written with sorted keys.
"""
from __future__ import annotations

import datetime as _dt
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

TABLES = ("portfolio", "benchmark", "orders", "trades", "positions", "logs", "bars")

# Canonical dtype of every known column: 'str', 'datetime', 'int' or 'float'. Extra columns the engine
# adds are kept as they come.
SCHEMA: dict[str, dict[str, str]] = {
    "portfolio": {"total_value": "float", "cash": "float", "positions_value": "float",
                  "returns": "float", "pnl": "float"},
    "benchmark": {"close": "float", "returns": "float"},
    "orders": {"id": "str", "entrust_no": "str", "dt": "datetime", "code": "str", "symbol": "str",
               "amount": "int", "filled": "int", "limit": "float", "status": "str", "error_info": "str"},
    "trades": {"trade_id": "str", "order_id": "str", "entrust_no": "str", "dt": "datetime", "code": "str",
               "side": "str", "amount": "int", "price": "float", "value": "float", "commission": "float",
               "handling_fee": "float", "transfer_fee": "float", "stamp_duty": "float", "fees": "float"},
    "positions": {"date": "datetime", "code": "str", "amount": "int", "enable_amount": "int",
                  "cost_basis": "float", "last_sale_price": "float", "market_value": "float"},
    "logs": {"dt": "datetime", "level": "str", "message": "str"},
    # Daily bars of the traded/held securities over the run (the report's candlestick charts).
    "bars": {"date": "datetime", "code": "str", "open": "float", "high": "float", "low": "float",
             "close": "float", "volume": "float"},
}

# Tables indexed by trading date; the others are row tables with a RangeIndex.
DATE_INDEXED = ("portfolio", "benchmark")

PARQUET_OPTIONS = dict(compression="zstd", version="2.6", use_dictionary=True, write_statistics=True)


# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------

def empty_table(name: str) -> pd.DataFrame:
    return normalise(name, None)


def normalise(name: str, df: pd.DataFrame | None) -> pd.DataFrame:
    """Return ``df`` with the canonical dtypes of table ``name`` (a missing table becomes empty)."""
    schema = SCHEMA[name]
    if df is None:
        df = pd.DataFrame({c: pd.Series([], dtype=_EMPTY_DTYPE[k]) for c, k in schema.items()})
        if name in DATE_INDEXED:
            df.index = pd.DatetimeIndex([], dtype="datetime64[ns]", name="date")
    else:
        df = df.copy()
    if name in DATE_INDEXED:
        df.index = pd.DatetimeIndex(df.index, name="date").astype("datetime64[ns]")
        df.index.freq = None
    else:
        df = df.reset_index(drop=True)
    for col, kind in schema.items():
        if col in df.columns:
            df[col] = _coerce(df[col], kind, f"{name}.{col}")
    table = pa.Table.from_pandas(df, preserve_index=name in DATE_INDEXED)
    return table.to_pandas()


_EMPTY_DTYPE = {"str": "object", "datetime": "datetime64[ns]", "int": "int64", "float": "float64"}


def _coerce(s: pd.Series, kind: str, where: str) -> pd.Series:
    if kind == "float":
        return s.astype("float64")
    if kind == "int":
        if s.isna().any():
            raise ValueError(f"{where} must be integers without missing values, got {s.isna().sum()} NaN")
        return s.astype("int64")
    if kind == "datetime":
        return pd.to_datetime(s).astype("datetime64[ns]")
    # Strings: leave str/None alone, but turn anything else (ints, numpy scalars) into text.
    if len(s) and not _all_text(s):
        return s.map(lambda v: v if v is None or isinstance(v, str) else str(v))
    return s


def _text_or_none(v) -> bool:
    return v is None or isinstance(v, str) or (isinstance(v, float) and math.isnan(v))


def _all_text(s: pd.Series) -> bool:
    """Every value is a str, None or a float NaN.  pandas' type inference answers for the non-missing values
    in one pass (a results table has hundreds of thousands of rows); only the missing ones are looked at."""
    values = s.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        return all(_text_or_none(v) for v in values)
    missing = pd.isna(values)
    return not missing.any() or all(_text_or_none(v) for v in values[missing])


def jsonable(value: Any) -> Any:
    """``value`` with everything JSON cannot hold turned into plain text, numbers, lists and dicts."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [jsonable(v) for v in items]
    if isinstance(value, (bool, str)) or value is None:
        return value
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)


# ---------------------------------------------------------------------------
# Results folder
# ---------------------------------------------------------------------------

def write_table(df: pd.DataFrame, path: Path, name: str) -> None:
    table = pa.Table.from_pandas(df, preserve_index=name in DATE_INDEXED)
    pq.write_table(table, path, **PARQUET_OPTIONS)


def read_table(path: Path, name: str) -> pd.DataFrame:
    if not path.exists():
        return empty_table(name)
    return pq.read_table(path).to_pandas()


def write_json(obj: Any, path: Path) -> None:
    text = json.dumps(jsonable(obj), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


def read_json(path: Path) -> dict:
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))
