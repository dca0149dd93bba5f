"""``data info`` per reference table: coverage, source, last update, and what common strategy calls miss.

Reads only the small tables (fundamentals, ex_rights, index members, blocks, ST, suspensions, and when present
the CB conversion prices and ETF baskets) and
meta.json; the bar files are summarised by ``writer.info``.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq


def _read(path: Path):
    return pq.read_table(path).to_pandas() if path.is_file() else None


def _span(df, col):
    if df is None or col not in df or not df[col].notna().any():
        return None
    v = pd.to_datetime(df[col].dropna())
    return f"{v.min().date()} … {v.max().date()}"


def _updated(path: Path):
    """When a table file was last written (its modification time), or None."""
    import datetime as _dt
    return _dt.datetime.fromtimestamp(path.stat().st_mtime).isoformat(timespec="minutes") if path.is_file() else None


def _sources(df, fallback):
    if df is not None and "source" in df and df["source"].notna().any():
        return ", ".join(sorted(set(df["source"].dropna().astype(str))))
    return fallback


def tables_info(root) -> list[dict]:
    """One dict per table: ``table, rows, codes, span, source, updated, note`` (``note`` = what is missing)."""
    root = Path(root)
    meta_path = root / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    fetched = meta.get("fetch") or {}
    imported = sorted({i["source"].split(":")[0] for i in meta.get("imports", [])})
    default_src = ", ".join(sorted(fetched)) or ", ".join(imported) or "bundle"
    out = []
    for path in sorted((root / "fundamentals").glob("*.parquet")):
        df = _read(path)
        out.append({"table": f"fundamentals/{path.stem}", "rows": len(df), "codes": df["code"].nunique(),
                    "span": _span(df, "end_date"), "source": default_src,
                    "note": f"published {_span(df, 'publ_date')}"})
    if not out:
        out.append({"table": "fundamentals", "rows": 0, "codes": 0, "span": None, "source": None,
                    "note": "missing: get_fundamentals answers NaN (data fetch, or import-tdx with gpcw files)"})
    ex = _read(root / "ex_rights.parquet")
    note = None
    if ex is None:
        note = "missing: no dividends/splits (prices unadjusted, get_stock_exrights empty, valuation NaN)"
    elif "total_shares" not in ex or not ex["total_shares"].notna().any():
        note = "no share capital: valuation (market value, pe) is NaN"
    out.append({"table": "ex_rights", "rows": 0 if ex is None else len(ex),
                "codes": 0 if ex is None else ex["code"].nunique(), "span": _span(ex, "ex_date"),
                "source": default_src if ex is not None else None, "note": note})
    m = _read(root / "index_members.parquet")
    kind = (meta.get("index_members") or {})
    note = ("missing: get_index_stocks falls back to index blocks" if m is None else
            (f"snapshot as of {kind.get('as_of')}: not point-in-time" if kind.get("kind") == "snapshot" else None))
    out.append({"table": "index_members", "rows": 0 if m is None else len(m),
                "codes": 0 if m is None else m["index_code"].nunique(),
                "span": _span(m, "start_date"), "source": _sources(m, default_src) if m is not None else None,
                "note": note})
    b = _read(root / "blocks.parquet")
    has_ind = b is not None and (b["category"] == "industry").any()
    note = None if has_ind else "missing: get_industry_stocks / get_stock_blocks have no industries"
    if has_ind and "as_of" in b:
        note = f"snapshot as of {_span(b, 'as_of')}"
    out.append({"table": "blocks", "rows": 0 if b is None else len(b), "codes": 0 if b is None else b["code"].nunique(),
                "span": None, "source": _sources(b, default_src) if b is not None else None, "note": note})
    st = _read(root / "st.parquet")
    st_meta = meta.get("st") or {}
    note = ("missing: ST status falls back to the instrument name" if st is None else
            (f"snapshot as of {st_meta.get('as_of')}: ST before it is unknown" if st_meta.get("kind") == "snapshot"
             else None))
    out.append({"table": "st", "rows": 0 if st is None else len(st), "codes": 0 if st is None else st["code"].nunique(),
                "span": _span(st, "start_date"),
                "source": st_meta.get("source", default_src if st is not None else None),
                "note": note})
    s = _read(root / "suspensions.parquet")
    out.append({"table": "suspensions", "rows": 0 if s is None else len(s),
                "codes": 0 if s is None else s["code"].nunique(), "span": _span(s, "date"),
                "source": _sources(s, default_src) if s is not None else None,
                "note": None if s is not None else "suspended days come from gaps in the daily bars (no reasons)"})
    k = _read(root / "cb_conversion_prices.parquet")
    if k is not None:
        out.append({"table": "cb_conversion_prices", "rows": len(k), "codes": k["code"].nunique(),
                    "span": _span(k, "start_date"), "source": default_src, "note": None})
    b = _read(root / "etf_baskets.parquet")
    if b is not None:
        out.append({"table": "etf_baskets", "rows": len(b), "codes": b["etf_code"].nunique(),
                    "span": _span(b, "date"), "source": default_src,
                    "note": "extension: creation/redemption baskets (etf_purchase_redemption, get_etf_*)"})
    files = {"ex_rights": "ex_rights", "index_members": "index_members", "blocks": "blocks", "st": "st",
             "suspensions": "suspensions"}
    for t in out:
        name = t["table"]
        path = root / (f"{name}.parquet" if name.startswith("fundamentals/") else f"{files.get(name, name)}.parquet")
        t["updated"] = _updated(path)
    return out


def table_report(root) -> list[str]:
    """The ``data info`` lines for :func:`tables_info`, then the last update and each fetch source."""
    root = Path(root)
    lines = []
    for t in tables_info(root):
        span = f" {t['span']}" if t["span"] else ""
        src = f" [{t['source']}]" if t["source"] else ""
        note = f" — {t['note']}" if t["note"] else ""
        upd = f" updated {t['updated']}" if t.get("updated") else ""
        lines.append(f"{t['table']:<31} {t['rows']:>9,} rows {t['codes']:>6,} codes{span}{src}{upd}{note}")
    meta_path = root / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    imports = meta.get("imports") or []
    if imports:
        lines.append(f"last update {imports[-1]['at']} ({imports[-1]['source']})")
    for name, entry in sorted((meta.get("fetch") or {}).items()):
        lines.append(f"fetch {name}: {entry.get('start')} … {entry.get('end')}, "
                     f"{'all listed A shares' if not entry.get('codes') else len(entry['codes'])} codes, "
                     f"updated {entry.get('at')} (ptrade-fast data update --data {root})")
    return lines
