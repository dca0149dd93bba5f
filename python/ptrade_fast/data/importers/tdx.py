"""通达信 (TDX) ``vipdoc`` files: ``.day`` daily bars, ``.lc1`` 1-minute and ``.lc5`` 5-minute bars.

Record layouts (little-endian, 32 bytes each; docs/data-format.md, *Importing*):

``.day``  ``<IIIIIfII``: date YYYYMMDD, open, high, low, close as integers (× price scale), amount float32
CNY, volume uint32, reserved.  Price scale: ×100 for A shares, SZSE B shares and indices; ×1000 for
SSE B shares (USD 0.001 tick), ETFs, LOFs, funds, REITs, bonds, convertible bonds and repo (3-decimal
quotes).  Volume: shares, except indices, whose files hold lots of 100 shares (the real sample data's notes, docs/data-format.md:
600000 volume = 100 × h5 lots, index volume = h5 lots; the index's money / (volume × 100) is a
plausible 13 CNY average price).

``.lc1``/``.lc5``  ``<HHfffffiI``: date as (year − 2004) × 2048 + month × 100 + day, minutes after
midnight of the bar end (571 = 09:31), open, high, low, close float32, amount float32 CNY, volume int32,
reserved.  Prices are rounded to the instrument's decimals (float32 10.82 is 10.8199997).  Volume uses the
``.day`` rule (indices ×100); for minute files this is an assumption no real file here confirms.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..codes import normalize_code
from ..derive import rule_of

DAY_DTYPE = np.dtype([("date", "<u4"), ("open", "<u4"), ("high", "<u4"), ("low", "<u4"), ("close", "<u4"),
                      ("amount", "<f4"), ("volume", "<u4"), ("reserved", "<u4")])
LC_DTYPE = np.dtype([("date", "<u2"), ("minute", "<u2"), ("open", "<f4"), ("high", "<f4"), ("low", "<f4"),
                     ("close", "<f4"), ("amount", "<f4"), ("volume", "<i4"), ("reserved", "<u4")])
assert DAY_DTYPE.itemsize == LC_DTYPE.itemsize == 32

THOUSANDTH_TYPES = ("etf", "lof", "fund", "reit", "cb", "bond", "repo")
_MARKETS = {"sh": "SS", "sz": "SZ"}
_NAME = re.compile(r"^(sh|sz|bj)(\d{6})\.(day|lc1|lc5)$", re.IGNORECASE)
_FOLDERS = {"day": "lday", "lc1": "minline", "lc5": "fzline"}


def code_of_file(path) -> str:
    """``sh600000.day`` -> ``600000.SS``.

    Raises
    ------
    ValueError
        For names that are not ``<sh|sz><6 digits>.<day|lc1|lc5>``, and for Beijing (``bj``) files, which
        Ptrade does not trade.
    """
    m = _NAME.match(Path(path).name)
    if not m:
        raise ValueError(f"not a TDX bar file name (expected e.g. sh600000.day): {Path(path).name}")
    market = m.group(1).lower()
    if market not in _MARKETS:
        raise ValueError(f"{Path(path).name}: Beijing Stock Exchange files are not imported (no Ptrade market)")
    return normalize_code(f"{m.group(2)}.{_MARKETS[market]}")


def price_scale(code) -> int:
    """Integer price scale of a ``.day`` file: 1000 for 3-decimal instruments, else 100."""
    typ, _ = rule_of(code)
    if typ in THOUSANDTH_TYPES or (typ == "b_share" and code.endswith(".SS")):
        return 1000
    return 100


def volume_scale(code) -> int:
    """Shares per stored volume unit: 100 for indices (their files count lots), else 1."""
    return 100 if rule_of(code)[0] == "index" else 1


# -- DECODE --------------------------------------------------------------------------------------------

def read_day(path, code=None) -> pd.DataFrame:
    """Decode a ``.day`` file into raw daily bars ``code, date, open … close, volume, money``.

    Also returns the stored fields as ``raw_volume`` and ``raw_reserved`` (the reserved field holds the
    exchange's reference previous close ×100 for stocks until 2010, breadth counts for indices).
    """
    code = code or code_of_file(path)
    rec = _records(path, DAY_DTYPE)
    scale = price_scale(code)
    decimals = 3 if scale == 1000 else 2
    dates = pd.to_datetime(rec["date"].astype(str), format="%Y%m%d").to_numpy().astype("datetime64[D]")
    out = {"code": code, "date": dates}
    for k in ("open", "high", "low", "close"):
        out[k] = np.round(rec[k].astype(np.float64) / scale, decimals)
    out["volume"] = rec["volume"].astype(np.int64) * volume_scale(code)
    out["money"] = rec["amount"].astype(np.float64)
    out["raw_volume"] = rec["volume"].astype(np.int64)
    out["raw_reserved"] = rec["reserved"].astype(np.int64)
    return pd.DataFrame(out)


def decode_lc_date(values) -> np.ndarray:
    """TDX minute-file dates, (year − 2004) × 2048 + month × 100 + day, as datetime64[D]."""
    v = np.asarray(values, np.int64)
    year, rest = v // 2048 + 2004, v % 2048
    text = [f"{y:04d}-{m:02d}-{d:02d}" for y, m, d in zip(year, rest // 100, rest % 100)]
    return np.array(text, dtype="datetime64[D]")


def encode_lc_date(day) -> int:
    """Inverse of :func:`decode_lc_date` for one date."""
    d = pd.Timestamp(day)
    return (d.year - 2004) * 2048 + d.month * 100 + d.day


def read_lc(path, code=None) -> pd.DataFrame:
    """Decode an ``.lc1`` or ``.lc5`` file into bars ``code, datetime (bar end), open … close, volume, money``."""
    code = code or code_of_file(path)
    rec = _records(path, LC_DTYPE)
    _, rule = rule_of(code)
    dt = (decode_lc_date(rec["date"]).astype("datetime64[m]")
          + rec["minute"].astype(np.int64).astype("timedelta64[m]")).astype("datetime64[ms]")
    out = {"code": code, "datetime": dt}
    for k in ("open", "high", "low", "close"):
        out[k] = np.round(rec[k].astype(np.float64), rule.decimals)
    out["volume"] = rec["volume"].astype(np.int64) * volume_scale(code)
    out["money"] = rec["amount"].astype(np.float64)
    return pd.DataFrame(out)


def _records(path, dtype) -> np.ndarray:
    data = Path(path).read_bytes()
    if len(data) % dtype.itemsize:
        raise ValueError(f"{path}: size {len(data)} is not a multiple of the {dtype.itemsize}-byte record")
    return np.frombuffer(data, dtype=dtype)


# -- IMPORT --------------------------------------------------------------------------------------------

def find_files(vipdoc, kinds=("day", "lc1", "lc5")) -> list[Path]:
    """Bar files under a ``vipdoc`` folder (``sh/lday/*.day``, ``sz/minline/*.lc1``, ``*/fzline/*.lc5``);
    a folder of loose bar files also works."""
    vipdoc = Path(vipdoc)
    found = []
    for kind in kinds:
        found += vipdoc.glob(f"*/{_FOLDERS[kind]}/*.{kind}")
        found += vipdoc.glob(f"*.{kind}")
    return sorted(set(found))


ALL_KINDS = ("day", "lc1", "lc5", "finance", "reference")


def import_tdx(vipdoc, root, kinds=ALL_KINDS, codes=None, progress=None, writer=None, as_of=None) -> dict:
    """Import a TDX install folder (or its ``vipdoc`` folder, or one bar file) into the data root ``root``.

    One walk: ``vipdoc`` ``.day`` -> ``daily/``, ``.lc1`` -> ``minute/``, ``.lc5`` -> ``bars5m/``;
    ``gpcw*.dat|zip`` anywhere below (``vipdoc/cw``) -> ``fundamentals/`` (kind ``finance``,
    ``importers.tdx_finance``); ``T0002/hq_cache`` block files, ``tdxhy.cfg``/``tdxzs*.cfg`` and ``gbbq``
    -> ``blocks``, index snapshots, ``ex_rights`` (kind ``reference``, ``importers.tdx_hq_cache``; ``as_of``
    dates the snapshots, default the files' modification date).  Files whose code no prefix rule
    classifies (e.g. TDX's own 880xxx block indices) and Beijing files are skipped and listed.

    Returns ``{"files": n, "rows": {"day": n, "lc1": n, "lc5": n}, "skipped": [(file, reason), ...],
    "finance": {...}, "reference": {...}}``.
    """
    from ..writer import RootWriter
    from .tdx_finance import import_gpcw, is_gpcw
    from .tdx_hq_cache import find_reference_files, import_reference

    unknown = set(kinds) - set(ALL_KINDS)
    if unknown:
        raise ValueError(f"--kinds: unknown kind(s) {', '.join(sorted(unknown))} (known: {', '.join(ALL_KINDS)})")
    src = Path(vipdoc)
    if not src.exists():
        raise FileNotFoundError(f"no such TDX folder or file: {src}")
    bar_kinds = tuple(k for k in kinds if k in _FOLDERS)
    bars_dir = src / "vipdoc" if (src / "vipdoc").is_dir() else src
    files = [src] if src.is_file() and not is_gpcw(src) else (find_files(bars_dir, bar_kinds) if src.is_dir() else [])
    gpcw = ([src] if src.is_file() and is_gpcw(src) else
            sorted(p for p in src.rglob("gpcw*") if is_gpcw(p)) if src.is_dir() and "finance" in kinds else [])
    refs = find_reference_files(src) if src.is_dir() and "reference" in kinds else \
        {"blocks": [], "hy": None, "zs": [], "gbbq": None}
    if not files and not gpcw and not (refs["blocks"] or refs["hy"] or refs["gbbq"]):
        raise ValueError(f"no TDX files under {src} (bar files .day/.lc1/.lc5, gpcw financial files, "
                         f"T0002/hq_cache block/tdxhy/gbbq files)")
    wanted = None if codes is None else {normalize_code(c) for c in codes}
    summary = {"files": 0, "rows": {"day": 0, "lc1": 0, "lc5": 0}, "skipped": [], "finance": None,
               "reference": None}
    own = writer is None
    w = writer or RootWriter.open(root, source=f"tdx:{src}")
    for i, path in enumerate(files):
        try:
            code = code_of_file(path)
            rule_of(code)
        except ValueError as exc:
            summary["skipped"].append((str(path), str(exc)))
            continue
        if wanted is not None and code not in wanted:
            continue
        kind = path.suffix[1:].lower()
        if kind == "day":
            df = read_day(path, code)
            w.add_daily(df[df["volume"] >= 0])
        else:
            df = read_lc(path, code)
            (w.add_minutes if kind == "lc1" else w.add_bars5m)(df)
        summary["files"] += 1
        summary["rows"][kind] += len(df)
        if progress is not None:
            progress(i + 1, len(files), path.name)
    if gpcw:
        summary["finance"] = import_gpcw(gpcw, w)
        summary["files"] += summary["finance"]["files"]
    if refs["blocks"] or refs["hy"] or refs["gbbq"]:
        summary["reference"] = import_reference(refs, w, as_of=as_of)
        summary["files"] += len(refs["blocks"]) + (refs["hy"] is not None) + (refs["gbbq"] is not None)
    if own:
        w.commit()
    return summary
