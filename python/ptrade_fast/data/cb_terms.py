"""Convertible-bond terms of a data root, point in time (docs/data-format.md, *Convertible bonds*).

The terms live in instruments.parquet (optional columns ``stock_code`` (the underlying), ``convert_price``
(the conversion price at listing), ``convert_date`` (first conversion day), ``maturity_date``,
``redemption_price``) and the dated conversion prices in ``cb_conversion_prices.parquet`` (``code,
start_date, convert_price``: the price in force from ``start_date``, inclusive, until the bond's next row —
ex-rights adjustments and downward resets 下修).  Without a dated row on or before a day, the listing
``convert_price`` of instruments.parquet applies.  Face value: 100 CNY per 张.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .codes import normalize_code

PAR = 100.0                     # face value of one 张
HISTORY_TABLE = "cb_conversion_prices"


class BondTerms:
    """The convertible-bond terms of one data root, read once (``store`` = :class:`data.store.DataStore`)."""

    def __init__(self, store):
        inst = store.instruments
        self.inst = inst
        under_col = "stock_code" if "stock_code" in inst.columns else ("underlying" if "underlying" in inst.columns
                                                                         else None)
        self.under_col = under_col
        hist = store.table(HISTORY_TABLE)
        self.history: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if len(hist):
            missing = {"code", "start_date", "convert_price"} - set(hist.columns)
            if missing:
                raise ValueError(f"{store.root / (HISTORY_TABLE + '.parquet')}: lacks column(s) {sorted(missing)} "
                                 f"(format: code, start_date, convert_price; docs/data-format.md)")
            bad = ~(hist["convert_price"].astype(float) > 0)
            if bad.any():
                row = hist[bad].iloc[0]
                raise ValueError(f"{store.root / (HISTORY_TABLE + '.parquet')}: convert_price must be > 0, was "
                                 f"{row['convert_price']!r} for {row['code']} from {row['start_date']}")
            hist = hist.assign(start_date=pd.to_datetime(hist["start_date"]))
            for code, g in hist.sort_values(["code", "start_date"], kind="stable").groupby("code", sort=False):
                self.history[str(code)] = (g["start_date"].to_numpy().astype("datetime64[D]"),
                                           g["convert_price"].to_numpy(float))

    def _cell(self, code: str, col: str):
        if col is None or col not in self.inst.columns or code not in self.inst.index:
            return None
        v = self.inst.at[code, col]
        return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v

    def underlying(self, code: str) -> str | None:
        """The underlying stock's code of bond ``code`` (short suffix), or None where the data lack it."""
        u = self._cell(code, self.under_col)
        return normalize_code(u) if isinstance(u, str) and u else None

    def convert_price(self, code: str, day) -> float:
        """The conversion price of ``code`` in force on ``day`` (NaN where the data have none)."""
        h = self.history.get(code)
        d = np.datetime64(str(day)[:10], "D")
        if h is not None:
            k = int(np.searchsorted(h[0], d, side="right")) - 1
            if k >= 0:
                return float(h[1][k])
        v = self._cell(code, "convert_price")
        return float(v) if v is not None else float("nan")

    def date(self, code: str, col: str):
        """A date term (``convert_date``, ``maturity_date``) as ``datetime.date``, or None."""
        v = self._cell(code, col)
        return None if v is None else pd.Timestamp(v).date()

    def redemption_price(self, code: str) -> float:
        """The maturity redemption price per 张 (incl. the last coupon), NaN where the data lack it."""
        v = self._cell(code, "redemption_price")
        return float(v) if v is not None else float("nan")
