"""通达信 ``T0002/hq_cache`` files: block membership, industry classification and ``gbbq`` (股本变迁).

Layouts (docs/data-format.md, *TDX reference files*):

- ``block.dat`` (一般板块 → category ``theme``), ``block_zs.dat`` (指数板块 → ``index``), ``block_gn.dat``
  (概念 → ``concept``), ``block_fg.dat`` (风格 → ``theme``): a 384-byte header, a ``<H`` block count, then
  per block 9 bytes GBK name, ``<HH`` member count and block type, and a fixed 2,800-byte area of 400
  slots of 7 bytes (6 ASCII digits + NUL), of which the first ``count`` are members.
- ``tdxhy.cfg``: one line per security ``market|code|TDX industry|…|…|research industry`` (market 0
  Shenzhen, 1 Shanghai, 2 Beijing), e.g. ``1|600000|T1001|||X480101``.
- ``tdxzs.cfg`` / ``tdxzs3.cfg``: one line per TDX index ``name|880xxx|type|…|…|industry code``; the
  name of the line whose industry code is a security's ``T…`` code is its industry.
- ``gbbq``: encrypted records; decoded with pytdx's ``GbbqReader`` (extra ``[tdx]``), then mapped by
  :func:`gbbq_events` (category 1 除权除息: per 10 shares cash 红利, bonus 送转股, rights 配股 and the
  rights price 配股价; other categories: share capital after the change, in 10,000 shares).

None of these files carries a date: memberships are **snapshots** stamped with the files' modification
date (or ``--as-of``).
"""
from __future__ import annotations

import datetime as _dt
import struct
from pathlib import Path

import numpy as np
import pandas as pd

from ..codes import normalize_code
from ..derive import rule_of

BLOCK_FILES = {"block_zs.dat": "index", "block_gn.dat": "concept", "block_fg.dat": "theme", "block.dat": "theme"}
_SLOT, _SLOTS, _HEADER = 7, 400, 384

# Index blocks named as in TDX → Ptrade index codes (blocks not named here stay blocks of category index).
INDEX_NAMES = {
    "沪深300": "000300.SS", "上证50": "000016.SS", "中证500": "000905.SS", "中证1000": "000852.SS",
    "中证100": "000903.SS", "上证180": "000010.SS", "上证380": "000009.SS", "科创50": "000688.SS",
    "深证成指": "399001.SZ", "深证100": "399330.SZ", "创业板指": "399006.SZ", "中小板指": "399005.SZ",
    "中小100": "399005.SZ", "创业板50": "399673.SZ", "深证300": "399007.SZ",
}


def file_date(path) -> _dt.date:
    """The modification date of ``path`` (the date a snapshot file describes, absent a better one)."""
    return _dt.date.fromtimestamp(Path(path).stat().st_mtime)


def _a_share(code6: str, market: int | None = None) -> str | None:
    """6 digits (+ TDX market digit) → Ptrade code, or None for Beijing and unclassifiable codes."""
    if market is None:
        if code6[:1] in ("4", "8"):
            return None
        market = 1 if code6[:1] in ("5", "6", "9") else 0
    if market not in (0, 1):
        return None
    code = normalize_code(f"{code6}.{'SS' if market == 1 else 'SZ'}")
    try:
        rule_of(code)
    except ValueError:
        return None
    return code


def read_block_file(path) -> pd.DataFrame:
    """Decode one ``block*.dat`` file into ``block, block_type, code`` (codes in Ptrade form; Beijing and
    unclassifiable members are dropped).

    Raises
    ------
    ValueError
        A file shorter than its header or whose block count overruns the file.
    """
    data = Path(path).read_bytes()
    if len(data) < _HEADER + 2:
        raise ValueError(f"{path}: {len(data)} bytes is too short for a TDX block file")
    (count,) = struct.unpack_from("<H", data, _HEADER)
    pos, rows = _HEADER + 2, []
    for i in range(count):
        if pos + 13 + _SLOT * _SLOTS > len(data):
            raise ValueError(f"{path}: block {i + 1} of {count} runs past the end of the file ({len(data)} bytes)")
        name = data[pos:pos + 9].split(b"\x00")[0].decode("gbk", "replace")
        n, btype = struct.unpack_from("<HH", data, pos + 9)
        if n > _SLOTS:
            raise ValueError(f"{path}: block {name!r} says {n} members, more than the {_SLOTS} slots")
        base = pos + 13
        for k in range(n):
            raw = data[base + k * _SLOT: base + (k + 1) * _SLOT].split(b"\x00")[0].decode("ascii", "replace")
            code = _a_share(raw) if len(raw) == 6 and raw.isdigit() else None
            if code is not None:
                rows.append((name, btype, code))
        pos = base + _SLOT * _SLOTS
    return pd.DataFrame(rows, columns=["block", "block_type", "code"])


def block_bytes(blocks: dict, block_type: int = 2) -> bytes:
    """Encode ``{name: [6-digit codes]}`` in the block-file layout (for tests)."""
    out = bytearray(_HEADER) + struct.pack("<H", len(blocks))
    for name, codes in blocks.items():
        raw = name.encode("gbk")
        if len(raw) > 8:
            raise ValueError(f"block name {name!r} is {len(raw)} bytes in GBK; the format holds 8")
        out += raw.ljust(9, b"\x00") + struct.pack("<HH", len(codes), block_type)
        area = b"".join(c.encode("ascii").ljust(_SLOT, b"\x00") for c in codes)
        out += area.ljust(_SLOT * _SLOTS, b"\x00")
    return bytes(out)


def _lines(path):
    for raw in Path(path).read_bytes().decode("gbk", "replace").splitlines():
        if raw.strip():
            yield raw.strip().split("|")


def read_industries(hy_path, zs_paths) -> pd.DataFrame:
    """``tdxhy.cfg`` + ``tdxzs*.cfg`` → ``category, block, code, block_code``: each security's TDX
    industry (category ``industry``; the most specific level the index list names) and research
    industry (``X…`` codes, category ``industry_research``) where named."""
    names = {}
    for zs in zs_paths:
        for parts in _lines(zs):
            if len(parts) >= 6 and parts[5]:
                names.setdefault(parts[5], parts[0])
    rows = []
    for lineno, parts in enumerate(_lines(hy_path), 1):
        if len(parts) < 3 or not parts[0].isdigit():
            raise ValueError(f"{hy_path}, line {lineno}: expected 'market|code|industry|…', got {'|'.join(parts)!r}")
        code = _a_share(parts[1], int(parts[0])) if len(parts[1]) == 6 else None
        if code is None:
            continue
        for cat, ind in (("industry", parts[2]), ("industry_research", parts[5] if len(parts) > 5 else "")):
            while ind and ind not in names:
                ind = ind[:-2] if len(ind) > 3 else ""
            if ind:
                rows.append((cat, names[ind], code, ind))
    return pd.DataFrame(rows, columns=["category", "block", "code", "block_code"])


def read_gbbq(path) -> pd.DataFrame:
    """Decrypt a ``gbbq`` file with pytdx (``pip install "ptrade_fast[tdx]"``); pytdx's frame."""
    try:
        from pytdx.reader.gbbq_reader import GbbqReader
    except ImportError:
        raise ValueError(f"{path}: reading gbbq needs pytdx: pip install \"ptrade_fast[tdx]\"") from None
    return GbbqReader().get_df(str(path))


def gbbq_events(raw: pd.DataFrame) -> pd.DataFrame:
    """pytdx gbbq rows → ex_rights rows (one per code and date).

    Category 1 (除权除息) gives ``cash_dividend`` = 红利/10, ``bonus_ratio`` = 送转股/10 (TDX does not split
    送 from 转), ``rights_ratio`` = 配股/10, ``rights_price`` = 配股价, ``has_action``.  Every other
    category is a change of share capital: ``total_shares`` = 后总股本 × 10⁴, ``float_shares`` = 盘后流通
    × 10⁴.  Action rows take the share capital in force (carried from the code's previous change).
    """
    cols = ["code", "ex_date", "cash_dividend", "bonus_ratio", "conversion_ratio", "rights_ratio",
            "rights_price", "total_shares", "float_shares", "has_action"]
    rows = []
    for r in raw.itertuples(index=False):
        code = _a_share(str(r.code).zfill(6), int(r.market))
        if code is None:
            continue
        day = pd.Timestamp(str(int(r.datetime))).date()
        if int(r.category) == 1:
            rows.append((code, day, r.hongli_panqianliutong / 10.0, r.songgu_qianzongguben / 10.0, 0.0,
                         r.peigu_houzongguben / 10.0, r.peigujia_qianzongguben, np.nan, np.nan, True))
        else:
            rows.append((code, day, 0.0, 0.0, 0.0, 0.0, 0.0, r.peigu_houzongguben * 1e4,
                         r.songgu_qianzongguben * 1e4, False))
    df = pd.DataFrame(rows, columns=cols)
    if df.empty:
        return df
    agg = {c: "sum" for c in ("cash_dividend", "bonus_ratio", "conversion_ratio", "rights_ratio")}
    agg.update({"rights_price": "max", "total_shares": "last", "float_shares": "last", "has_action": "any"})
    df = df.sort_values(["code", "ex_date"], kind="stable").groupby(["code", "ex_date"], as_index=False).agg(agg)
    df[["total_shares", "float_shares"]] = df.groupby("code")[["total_shares", "float_shares"]].ffill()
    return df[cols]


def find_reference_files(folder) -> dict:
    """The reference files under a TDX install folder: ``{"blocks": [...], "hy": path|None, "zs": [...],
    "gbbq": path|None}`` (searched anywhere below ``folder``, normally ``T0002/hq_cache``)."""
    folder = Path(folder)
    found = {"blocks": [], "hy": None, "zs": [], "gbbq": None}
    if not folder.is_dir():
        return found
    for p in sorted(folder.rglob("*")):
        name = p.name.lower()
        if not p.is_file():
            continue
        if name in BLOCK_FILES:
            found["blocks"].append(p)
        elif name == "tdxhy.cfg":
            found["hy"] = p
        elif name.startswith("tdxzs") and name.endswith(".cfg"):
            found["zs"].append(p)
        elif name == "gbbq":
            found["gbbq"] = p
    return found


def import_reference(files: dict, writer, as_of=None) -> dict:
    """Add the blocks, industries, index snapshots and gbbq events of :func:`find_reference_files` to
    ``writer``.  Returns counts per table and the snapshot date used."""
    summary = {"blocks": 0, "industries": 0, "index_members": 0, "ex_rights": 0, "as_of": None}
    parts = []
    members = []
    dates = []
    for path in files["blocks"]:
        df = read_block_file(path)
        cat = BLOCK_FILES[path.name.lower()]
        dates.append(file_date(path))
        if cat == "index":
            known = df["block"].map(INDEX_NAMES)
            members.append(pd.DataFrame({"index_code": known[known.notna()], "code": df["code"][known.notna()]}))
        parts.append(pd.DataFrame({"category": cat, "block": df["block"], "code": df["code"], "block_code": None}))
    if files["hy"] is not None:
        dates.append(file_date(files["hy"]))
        ind = read_industries(files["hy"], files["zs"])
        summary["industries"] = int((ind["category"] == "industry").sum())
        parts.append(ind)
    if not parts and files["gbbq"] is None:
        return summary
    day = pd.Timestamp(as_of).date() if as_of is not None else (max(dates) if dates else None)
    summary["as_of"] = str(day) if day else None
    if parts:
        blocks = pd.concat(parts, ignore_index=True)
        writer.add_blocks(blocks, source="tdx", as_of=day)
        summary["blocks"] = len(blocks)
    if members:
        m = pd.concat(members, ignore_index=True)
        if len(m):
            writer.add_index_members(m, kind="snapshot", source="tdx", as_of=day)
            summary["index_members"] = len(m)
    if files["gbbq"] is not None:
        ev = gbbq_events(read_gbbq(files["gbbq"]))
        if len(ev):
            writer.add_ex_rights(ev)
        summary["ex_rights"] = len(ev)
    return summary
