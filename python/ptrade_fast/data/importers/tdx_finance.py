"""通达信 专业财务 files (``gpcwYYYYMMDD.dat`` or ``.zip``) → the fundamentals report tables.

File layout (little-endian; docs/data-format.md, *TDX financial files*):

- header, 20 bytes ``<hIH3L``: version, report date YYYYMMDD, record count, (unknown), record size in
  bytes, (unknown);
- ``count`` index entries of 11 bytes ``<6scL``: code (6 ASCII digits), market byte (0 in every file
  seen; the market follows from the code), offset of the record from the start of the file;
- records of ``record size / 4`` float32 fields, field 1 first (``f001``).  The field numbering is TDX's
  (1 基本每股收益 … 286 …); newer files carry more fields, among them **field 314 财报公告日期**, the
  publication date as the number YYMMDD (110428 = 2011-04-28).

Point in time: a record's ``publ_date`` is its field 314 where the file has it and the value is a valid
date; otherwise the statutory deadline of the period (Q1 → 04-30, half year → 08-31, Q1–Q3 → 10-31,
annual → 04-30 of the next year), and ``publ_date_source`` says which (``'f314'`` / ``'deadline'``).
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from ..codes import normalize_code

HEADER = struct.Struct("<hIH3L")
ENTRY = struct.Struct("<6scL")
PUBL_FIELD = 314
_NAME = re.compile(r"^gpcw(\d{8})\.(dat|zip)$", re.IGNORECASE)
_DEADLINE = {3: ("1", 0, "04-30"), 6: ("2", 0, "08-31"), 9: ("3", 0, "10-31"), 12: ("4", 1, "04-30")}


def is_gpcw(path) -> bool:
    """True for a file named like ``gpcw20110930.dat`` / ``.zip``."""
    return bool(_NAME.match(Path(path).name))


def _payload(path) -> bytes:
    path = Path(path)
    if path.suffix.lower() != ".zip":
        return path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if n.lower().endswith(".dat")]
        if len(names) != 1:
            raise ValueError(f"{path}: expected one .dat file inside the zip, found {names or 'none'}")
        return zf.read(names[0])


def market_code(code6: str) -> str:
    """A 6-digit A-share code of a gpcw file → Ptrade code (6/9 → Shanghai .SS, else Shenzhen .SZ)."""
    suffix = "SS" if code6[:1] in ("6", "9") else "SZ"
    return normalize_code(f"{code6}.{suffix}")


def period_info(report_date: int):
    """(report_type, statutory publication deadline as datetime64[D]) of a period end YYYYMMDD."""
    year, month = divmod(int(report_date) // 100, 100)
    if month not in _DEADLINE:
        raise ValueError(f"report date {report_date} is not a quarter end (03-31, 06-30, 09-30, 12-31)")
    rtype, add, md = _DEADLINE[month]
    return rtype, np.datetime64(f"{year + add:04d}-{md}")


def _yymmdd(value, end: np.datetime64):
    """Field 314 (YYMMDD as a float) → datetime64[D], or NaT when it is not a date after the period end."""
    if not np.isfinite(value) or value <= 0:
        return np.datetime64("NaT")
    v = int(round(value))
    yy, mmdd = divmod(v, 10000)
    mm, dd = divmod(mmdd, 100)
    year = 2000 + yy if yy < 90 else 1900 + yy
    try:
        day = np.datetime64(f"{year:04d}-{mm:02d}-{dd:02d}")
    except ValueError:
        return np.datetime64("NaT")
    return day if day > end else np.datetime64("NaT")


def read_gpcw(path) -> pd.DataFrame:
    """Decode one gpcw file.

    Returns
    -------
    DataFrame
        ``symbol`` (Ptrade code), ``code6``, ``report_date`` (datetime64[D]), ``file_seq`` (index entry
        order), ``publ_date`` (datetime64[D]), ``publ_date_source`` ('f314' or 'deadline'), then
        ``f001`` … ``fNNN`` as stored (float32).

    Raises
    ------
    ValueError
        A file whose header, index or records do not fit its size, or a non-quarter-end report date.
    """
    data = _payload(path)
    if len(data) < HEADER.size:
        raise ValueError(f"{path}: {len(data)} bytes is too short for a gpcw header")
    _version, report_date, count, _u1, size, _u2 = HEADER.unpack_from(data, 0)
    if size <= 0 or size % 4:
        raise ValueError(f"{path}: record size {size} in the header is not a positive multiple of 4")
    end = np.datetime64(f"{report_date // 10000:04d}-{report_date // 100 % 100:02d}-{report_date % 100:02d}")
    rtype, deadline = period_info(report_date)
    nfields = size // 4
    if HEADER.size + count * ENTRY.size > len(data):
        raise ValueError(f"{path}: {count} index entries do not fit in {len(data)} bytes")
    codes, offsets = [], []
    for i in range(count):
        code, _market, offset = ENTRY.unpack_from(data, HEADER.size + i * ENTRY.size)
        if offset + size > len(data):
            raise ValueError(f"{path}: record {i} ({code.decode('ascii', 'replace')}) at offset {offset} runs "
                             f"past the end of the file ({len(data)} bytes)")
        codes.append(code.decode("ascii"))
        offsets.append(offset)
    buf = np.frombuffer(data, np.uint8)
    rows = np.stack([buf[o:o + size].view("<f4") for o in offsets]) if count else np.empty((0, nfields), "<f4")
    out = pd.DataFrame({
        "symbol": [market_code(c) for c in codes],
        "code6": codes,
        "report_date": np.full(count, end),
        "file_seq": np.arange(count, dtype=np.int64),
    })
    publ = np.full(count, deadline)
    source = np.full(count, "deadline", dtype=object)
    if nfields >= PUBL_FIELD:
        stated = np.array([_yymmdd(v, end) for v in rows[:, PUBL_FIELD - 1]], "datetime64[D]")
        ok = ~np.isnat(stated)
        publ[ok] = stated[ok]
        source[ok] = "f314"
    out["publ_date"] = publ
    out["publ_date_source"] = source
    out["report_type"] = rtype
    fields = pd.DataFrame(rows.astype(np.float32), columns=[f"f{i + 1:03d}" for i in range(nfields)])
    return pd.concat([out, fields], axis=1)


def import_gpcw(paths, writer) -> dict:
    """Decode gpcw files and add their report tables to ``writer`` (a RootWriter).

    Returns ``{"files": n, "reports": rows, "codes": n, "publ_date": {"f314": n, "deadline": n}}``.
    """
    from ..fundamentals import tdx_tables

    summary = {"files": 0, "reports": 0, "codes": set(), "publ_date": {"f314": 0, "deadline": 0}}
    for path in sorted(paths):
        fin = read_gpcw(path)
        if not len(fin):
            continue
        tables = tdx_tables(fin)
        for table, frame in tables.items():
            writer.add_fundamentals(table, frame)
        summary["files"] += 1
        summary["reports"] += len(next(iter(tables.values())))
        summary["codes"] |= set(fin["symbol"])
        for k, v in fin["publ_date_source"].value_counts().items():
            summary["publ_date"][k] += int(v)
    summary["codes"] = len(summary["codes"])
    return summary


def gpcw_bytes(report_date: int, records: dict, nfields: int) -> bytes:
    """Encode a gpcw file (the layout :func:`read_gpcw` reads) from ``{code6: float sequence}``.

    Used to write test files; fields beyond a record's sequence are 0.
    """
    size = nfields * 4
    head = HEADER.pack(1, report_date, len(records), 0, size, 0)
    base = HEADER.size + ENTRY.size * len(records)
    index, body = io.BytesIO(), io.BytesIO()
    for i, (code, values) in enumerate(records.items()):
        index.write(ENTRY.pack(code.encode("ascii"), b"\x00", base + i * size))
        rec = np.zeros(nfields, "<f4")
        rec[:len(values)] = values
        body.write(rec.tobytes())
    return head + index.getvalue() + body.getvalue()
