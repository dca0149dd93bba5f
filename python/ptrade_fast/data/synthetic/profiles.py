"""The two synthetic markets ``generate`` makes: ``plain`` (generated codes, five indices, six ETFs) and
``realistic`` (the real codes and names users type, every major SSE/SZSE index with dated membership, the
common ETFs/LOFs with their real codes, bond terms, fundamentals).

A profile is data: its index table and membership rules, its fund table and the real code list.  The
code list (``codelist.csv``, written by ``tools/build_codelist.py`` from public facts: the SSE/SZSE
A-share codes, names and listing dates of a 2011-12 instrument snapshot and the index memberships of
mid-2018 block files) is package data; nothing is downloaded.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .params import ETFS, INDEX_SIZES, INDICES

CODELIST = Path(__file__).with_name("codelist.csv")

# Membership rules, applied by ``indices.IndicesMixin``:
#   ("all", universe)                  every listed stock of the universe from its 11th trading day, daily;
#   ("top", universe, size, after)     the ``size`` largest by float cap among eligible stocks of the universe
#                                      after skipping the members of the indices in ``after``; rebalanced
#                                      after the second Friday of June and December.
# Universes: "all", "SSE", "SZSE", "ChiNext", "STAR", "SME" (the 002/003 codes of the former SME board).
PLAIN_RULES = {
    "000001.SS": ("all", "SSE"),
    "000300.SS": ("top", "all", INDEX_SIZES["000300.SS"], ()),
    "000905.SS": ("top", "all", INDEX_SIZES["000905.SS"], ("000300.SS",)),
    "399001.SZ": ("top", "SZSE", INDEX_SIZES["399001.SZ"], ()),
    "399006.SZ": ("top", "ChiNext", INDEX_SIZES["399006.SZ"], ()),
}

# (code, name, base level, list date).  Base levels are roughly the indices' levels at the start of 2019.
REAL_INDICES = (
    ("000001.SS", "上证指数", 2465.291, "1991-07-15"),
    ("000016.SS", "上证50", 2402.850, "2004-01-02"),
    ("000300.SS", "沪深300", 3010.654, "2005-04-08"),
    ("000688.SS", "科创50", 1000.000, "2020-07-23"),
    ("000852.SS", "中证1000", 4000.125, "2014-10-17"),
    ("000905.SS", "中证500", 4090.993, "2007-01-15"),
    ("399001.SZ", "深证成指", 7149.270, "1991-04-03"),
    ("399005.SZ", "中小100", 4702.320, "2006-01-24"),
    ("399006.SZ", "创业板指", 1250.536, "2010-06-01"),
    ("399101.SZ", "中小综指", 7350.610, "2005-12-01"),
    ("399106.SZ", "深证综指", 1271.270, "1991-04-03"),
)
REAL_RULES = {
    "000001.SS": ("all", "SSE"),
    "000016.SS": ("top", "SSE", 50, ()),
    "000300.SS": ("top", "all", 300, ()),
    "000688.SS": ("top", "STAR", 50, ()),
    "000852.SS": ("top", "all", 1000, ("000300.SS", "000905.SS")),
    "000905.SS": ("top", "all", 500, ("000300.SS",)),
    "399001.SZ": ("top", "SZSE", 500, ()),
    "399005.SZ": ("top", "SME", 100, ()),
    "399006.SZ": ("top", "ChiNext", 100, ()),
    "399101.SZ": ("all", "SME"),
    "399106.SZ": ("all", "SZSE"),
}

# (code, tracked index, price = level / scale, name, fund kind (docs/data-format.md: fund_kind)).  Gold (518880) and Nasdaq-100 (513100) funds follow
# an A-share index here: the synthetic market has no commodity or foreign series (their codes and names
# are real, their prices are not).
REAL_FUNDS = (
    ("159901.SZ", "399001.SZ", 1600.0, "深100ETF", "stock"),
    ("159915.SZ", "399006.SZ", 1000.0, "创业板ETF", "stock"),
    ("159919.SZ", "000300.SS", 1000.0, "300ETF", "stock"),
    ("159949.SZ", "399006.SZ", 1500.0, "创业板50", "stock"),
    ("161725.SZ", "000300.SS", 3000.0, "白酒基金", "stock"),
    ("510050.SS", "000016.SS", 1000.0, "50ETF", "stock"),
    ("510300.SS", "000300.SS", 1000.0, "300ETF", "stock"),
    ("510500.SS", "000905.SS", 1000.0, "500ETF", "stock"),
    ("510880.SS", "000016.SS", 800.0, "红利ETF", "stock"),
    ("512100.SS", "000852.SS", 2000.0, "1000ETF", "stock"),
    ("512880.SS", "000300.SS", 3000.0, "证券ETF", "stock"),
    ("513100.SS", "000001.SS", 2000.0, "纳指ETF", "cross_border"),
    ("518880.SS", "000001.SS", 800.0, "黄金ETF", "gold"),
    ("588000.SS", "000688.SS", 1000.0, "科创50ETF", "stock"),
)

@dataclass(frozen=True)
class Profile:
    """What a synthetic market holds besides its random draws."""
    name: str
    indices: tuple                 # (code, name, base level, list date)
    rules: dict                    # index code -> membership rule
    funds: tuple                   # (code, tracked index, scale, name or None, fund kind)
    stream_funds: int              # funds drawn from the shared random streams; later ones from their own
    real_codes: bool               # stock codes and names from the code list
    fundamentals: bool             # report tables for every stock
    bond_terms: bool               # bond terms in instruments, cb_conversion_prices.parquet, etf_baskets.parquet


# The plain market's six equity ETFs, then a gold ETF (T+0) with its own random stream, so that adding it left
# every other series of a plain root unchanged.
PLAIN_FUNDS = tuple((c, i, s, None, "stock") for c, i, s in ETFS) + (("518880.SS", "000001.SS", 800.0, None, "gold"),)
PLAIN = Profile("plain", INDICES, PLAIN_RULES, PLAIN_FUNDS, len(ETFS), False, False, False)
REALISTIC = Profile("realistic", REAL_INDICES, REAL_RULES, REAL_FUNDS, len(REAL_FUNDS), True, True, True)
PROFILES = {"plain": PLAIN, "realistic": REALISTIC}


def profile(name: str) -> Profile:
    """The profile called ``name`` ('plain' or 'realistic'); a clear error for anything else."""
    if name not in PROFILES:
        raise ValueError(f"market must be one of {', '.join(sorted(PROFILES))}, was {name!r}")
    return PROFILES[name]


@lru_cache(maxsize=1)
def code_list() -> tuple:
    """The shipped real code list: tuples ``(code, name, list_date or '', index codes)``, in code order."""
    with CODELIST.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return tuple((r["code"], r["name"], r["list_date"], tuple(r["indices"].split())) for r in rows)
