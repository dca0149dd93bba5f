"""The on-disk data root: file names, Arrow schemas and atomic writes (docs/data-format.md is the spec).

A root is complete when ``meta.json`` exists; writers write it last.  Every file is written to a
temporary name in the same folder and renamed into place, so readers never see a half-written file.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

FORMAT_VERSION = 1

DAILY_SCHEMA = pa.schema([
    ("code", pa.string()), ("date", pa.date32()),
    ("open", pa.float64()), ("high", pa.float64()), ("low", pa.float64()), ("close", pa.float64()),
    ("volume", pa.int64()), ("money", pa.float64()), ("preclose", pa.float64()),
    ("high_limit", pa.float64()), ("low_limit", pa.float64()), ("is_open", pa.uint8()),
])

MINUTE_SCHEMA = pa.schema([
    ("code", pa.string()), ("datetime", pa.timestamp("ms")),
    ("open", pa.float64()), ("high", pa.float64()), ("low", pa.float64()), ("close", pa.float64()),
    ("volume", pa.int64()), ("money", pa.float64()),
])

INSTRUMENT_SCHEMA = pa.schema([
    ("code", pa.string()), ("name", pa.string()), ("type", pa.string()), ("exchange", pa.string()),
    ("board", pa.string()), ("list_date", pa.date32()), ("delist_date", pa.date32()),
    ("lot", pa.int32()), ("min_buy", pa.int32()), ("tick", pa.float64()), ("price_decimals", pa.int8()),
    ("t_plus", pa.int8()), ("stamp_tax", pa.bool_()), ("fee_class", pa.string()), ("is_valid", pa.bool_()),
    ("has_daily", pa.bool_()), ("has_minute", pa.bool_()), ("daily_start", pa.date32()),
    ("daily_end", pa.date32()), ("synthetic", pa.bool_()), ("source", pa.string()),
])

DAILY_FIELDS = ("open", "high", "low", "close", "volume", "money", "preclose", "high_limit", "low_limit")
MINUTE_FIELDS = ("open", "high", "low", "close", "volume", "money")


def write_table_atomic(table: pa.Table, path: Path, compression_level: int = 9) -> None:
    """Write a Parquet file (zstd, dictionary-encoded code columns) via a temporary name and a rename.

    ``compression_level`` 9 makes the small shipped bundle small; bulk writers of whole-market minute
    files pass a low level (1) — 2.5× faster to write, about 7 % larger, as fast to read.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = dict(table.schema.metadata or {})
    meta.pop(b"pandas", None)  # pandas metadata holds versions and index details we do not need
    table = table.replace_schema_metadata(meta or None)
    # pandas 2 and 3 hand strings to Arrow as string or large_string; store one type.
    fields = [pa.field(f.name, pa.string()) if pa.types.is_large_string(f.type) else f for f in table.schema]
    table = table.cast(pa.schema(fields, metadata=table.schema.metadata))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd", compression_level=compression_level, use_dictionary=True,
                       write_statistics=True, row_group_size=1 << 20)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_json_atomic(obj, path: Path) -> None:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def minute_path(root: Path, day) -> Path:
    day = str(day)[:10]
    return Path(root) / "minute" / day[:4] / f"{day}.parquet"
