"""ETF creation/redemption baskets (申购赎回清单) of a data root — a ptrade_fast extension
(docs/data-format.md, *etf_baskets.parquet*).

One row per (ETF, basket date, constituent): ``etf_code, date, report_unit, cash_component,
max_cash_ratio, code, code_num, cash_replace_flag, replace_ratio, replace_balance``.  A basket is in force
from its ``date`` (inclusive) until the ETF's next basket date; the unit fields (``report_unit``,
``cash_component``, ``max_cash_ratio``) are repeated on each constituent row and must agree.
``cash_replace_flag`` uses Ptrade's codes (docs/ptrade-api.md §E.9): '0' no substitution, '1' substitution
allowed, '2' substitution mandatory (the others are treated as '2').
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

TABLE = "etf_baskets"
COLUMNS = ("etf_code", "date", "report_unit", "cash_component", "max_cash_ratio", "code", "code_num",
           "cash_replace_flag", "replace_ratio", "replace_balance")
UNIT_FIELDS = ("report_unit", "cash_component", "max_cash_ratio")


class Basket(NamedTuple):
    """One ETF's basket in force on a day."""
    etf_code: str
    date: np.datetime64
    report_unit: int
    cash_component: float
    max_cash_ratio: float
    members: pd.DataFrame    # code, code_num, cash_replace_flag, replace_ratio, replace_balance (code order)


class BasketFile:
    """``etf_baskets.parquet`` of one root, read once and checked (``store`` = DataStore)."""

    def __init__(self, store):
        df = store.table(TABLE)
        self.path = store.root / f"{TABLE}.parquet"
        self.dates: dict[str, np.ndarray] = {}
        self.groups: dict[tuple, pd.DataFrame] = {}
        if not len(df):
            return
        missing = set(COLUMNS) - set(df.columns)
        if missing:
            raise ValueError(f"{self.path}: lacks column(s) {sorted(missing)} (format: {', '.join(COLUMNS)}; "
                             f"docs/data-format.md)")
        df = df.assign(date=pd.to_datetime(df["date"]),
                       cash_replace_flag=df["cash_replace_flag"].astype(str))
        if (df["code_num"] < 0).any() or (df["report_unit"] <= 0).any():
            row = df[(df["code_num"] < 0) | (df["report_unit"] <= 0)].iloc[0]
            raise ValueError(f"{self.path}: report_unit must be > 0 and code_num >= 0, was {row['report_unit']!r} / "
                             f"{row['code_num']!r} for {row['etf_code']} {row['code']} on {row['date']}")
        for (etf, day), g in df.groupby(["etf_code", "date"], sort=True):
            for f in UNIT_FIELDS:
                if g[f].nunique(dropna=False) > 1:
                    raise ValueError(f"{self.path}: {f} differs between the rows of {etf}'s basket of "
                                     f"{str(day)[:10]}; it is one value per basket")
            self.groups[(str(etf), np.datetime64(pd.Timestamp(day).date(), "D"))] = g.sort_values("code", kind="stable")
        for etf in {k[0] for k in self.groups}:
            self.dates[etf] = np.array(sorted(k[1] for k in self.groups if k[0] == etf), "datetime64[D]")

    def etfs(self) -> list[str]:
        """ETF codes with at least one basket."""
        return sorted(self.dates)

    def basket(self, etf: str, day) -> Basket | None:
        """The basket of ``etf`` in force on ``day``, or None (no basket on or before that day)."""
        ds = self.dates.get(etf)
        if ds is None:
            return None
        k = int(np.searchsorted(ds, np.datetime64(str(day)[:10], "D"), side="right")) - 1
        if k < 0:
            return None
        g = self.groups[(etf, ds[k])]
        head = g.iloc[0]
        members = g[list(COLUMNS[5:])].reset_index(drop=True)
        return Basket(etf, ds[k], int(head["report_unit"]), float(head["cash_component"]),
                      float(head["max_cash_ratio"]), members)
