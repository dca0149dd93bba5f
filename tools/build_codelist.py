#!/usr/bin/env python
"""Write the real A-share code list the synthetic market uses (``ptrade_fast/data/synthetic/codelist.csv``).

    python tools/build_codelist.py [--src /work/shared/data/real]

Public facts only: the codes, names and listing dates of the SSE/SZSE A shares in the hikyuu instrument
snapshot (2011-12-06) and the index memberships of its block files (about 2018-06).  Codes listed after
2011 appear with the index memberships but no name (the generator names them ``SYN<code>``).  The file is
sorted and written with fixed formatting, so rebuilding it gives the same bytes.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))

from ptrade_fast.data import codes as codes_mod  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "python" / "ptrade_fast" / "data" / "synthetic" / "codelist.csv"
# Block name in the block files -> index code (the indices the synthetic market computes).
INDEX_BLOCKS = {"沪深300": "000300", "上证50": "000016", "中证500": "000905", "深证成指": "399001",
                "创业板指": "399006", "中小板指": "399005", "上证180": "000010", "深证100": "399330"}


def build(src: Path) -> pd.DataFrame:
    inst = pd.read_parquet(src / "instruments.parquet")
    blocks = pd.read_parquet(src / "block_members.parquet")
    stocks = inst[inst["type"].isin(["A_share", "ChiNext_share"])]
    names = dict(zip(stocks["symbol"], stocks["name"]))
    listed = dict(zip(stocks["symbol"], stocks["list_date"]))
    idx = blocks[(blocks["category"] == "index") & blocks["block"].isin(list(INDEX_BLOCKS))]
    member_of: dict[str, list[str]] = {}
    for block, code in zip(idx["block"], idx["symbol"]):
        member_of.setdefault(code, []).append(INDEX_BLOCKS[block])
    codes = set(stocks.loc[stocks["delist_date"].isna(), "symbol"]) | set(member_of)
    rows = []
    for code in sorted(codes):
        if codes_mod.classify(code) not in ("stock", "star", "chinext"):
            continue
        rows.append({"code": code, "name": names.get(code, ""),
                     "list_date": str(listed[code])[:10] if code in listed and pd.notna(listed[code]) else "",
                     "indices": " ".join(sorted(member_of.get(code, [])))})
    return pd.DataFrame(rows)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=Path("/work/shared/data/real"))
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    df = build(args.src)
    args.out.write_text(df.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    print(f"{len(df)} codes ({(df['name'] != '').sum()} named, {(df['indices'] != '').sum()} index members) "
          f"-> {args.out}")


if __name__ == "__main__":
    main()
