"""Shared parts of the reference-data functions (docs/ptrade-api.md §D.5): constants, argument checks and instrument
lookups the API families of ``api/reference*.py`` use."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import adjust as _adjust
from ..data.codes import normalize_code
from ..data.store import to_day

_REF = ("before", "handle", "after", "tick", "sched", "on_order", "on_trade")
_INIT = ("init",)
_A_SHARE_TYPES = ("stock", "star", "chinext")
_STATUS_TYPES = ("ST", "HALT", "DELISTING", "DELISTING_SORTING")
_INFO_FIELDS = ("stock_name", "listed_date", "de_listed_date")
_NEVER_DELISTED = "2900-01-01"
_EXRIGHTS_COLUMNS = ("allotted_ps", "rationed_ps", "rationed_px", "bonus_ps", "exer_forward_a", "exer_forward_b",
                     "exer_backward_a", "exer_backward_b")
_CB_INFO_COLUMNS = ("bond_code", "bond_name", "stock_code", "stock_name", "list_date", "premium_rate",
                    "convert_date", "maturity_date", "convert_rate", "convert_price", "convert_value")

# Ptrade's block types for our block categories; index membership is served by get_index_stocks instead.
_BLOCK_TYPES = {"industry": "HY", "region": "DY", "concept": "GN", "theme": "GN"}

# The documented market codes (get_market_list shows about 70, including foreign markets).
_MARKETS = (
    ("XSHG", "上海证券交易所"), ("XSHE", "深圳证券交易所"), ("CCFX", "中国金融期货交易所"),
    ("XSGE", "上海期货交易所"), ("XZCE", "郑州商品交易所"), ("XDCE", "大连商品交易所"),
    ("XINE", "上海国际能源交易中心"), ("XSHO", "上海个股期权"), ("XSZO", "深圳个股期权"),
    ("XHKG-SS", "沪港通"), ("XHKG-SZ", "深港通"), ("XFUND", "基金"), ("XBHS", "恒生聚源板块"),
)
_MARKET_EXCHANGE = {"XSHG": "SSE", "SS": "SSE", "XSHE": "SZSE", "SZ": "SZSE"}

# Only 'MRI' (index) is documented; the other codes are our instrument types in capitals.
_HQ_TYPE = {"stock": "ESA", "star": "ESA", "chinext": "ESA", "b_share": "ESB", "index": "MRI"}


class ReferenceBase:
    """Argument checks and instrument lookups over the Runtime's DataStore (``self.rt``)."""

    # -- ARGUMENTS -----------------------------------------------------------------------------------

    @staticmethod
    def _code_list(stocks, name):
        """``(short codes, single)`` from a str or a list of str; TypeError/ValueError naming ``name``."""
        if isinstance(stocks, str):
            stocks, single = [stocks], True
        elif isinstance(stocks, (list, tuple, set, np.ndarray, pd.Index)):
            stocks, single = list(stocks), False
        else:
            raise TypeError(f"{name} must be a str or a list of codes, was {stocks!r}")
        try:
            return [normalize_code(c) for c in stocks], single
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None

    def _today(self) -> np.datetime64:
        return self.rt.today()

    def _day(self, value, name) -> np.datetime64:
        if value is None:
            return self._today()
        if isinstance(value, bool):
            raise ValueError(f"{name} must be a date like '20240102', was {value!r}")
        try:
            return to_day(value)
        except (ValueError, TypeError):
            raise ValueError(f"{name} must be a date like '20240102' or '2024-01-02', was {value!r}") from None

    # -- INSTRUMENTS ---------------------------------------------------------------------------------

    @property
    def _inst(self) -> pd.DataFrame:
        return self.rt.store.instruments

    def _row(self, code):
        inst = self._inst
        return inst.loc[code] if code in inst.index else None

    def _listed_mask(self, day, frame=None) -> np.ndarray:
        """Instruments listed on ``day``: list_date ≤ day < delist_date (no list_date = not listed)."""
        inst = self._inst if frame is None else frame
        listed = inst["list_date"].to_numpy().astype("datetime64[D]")
        delist = inst["delist_date"].to_numpy().astype("datetime64[D]")
        return (listed <= day) & (np.isnat(delist) | (day < delist))

    def _with_data_on(self, typ, day) -> list[str]:
        """Codes of instrument type ``typ`` listed on ``day`` and with bars covering it."""
        inst = self._inst
        sel = inst[(inst["type"] == typ) & (inst["has_daily"] | inst["has_minute"])]
        start = sel["daily_start"].to_numpy().astype("datetime64[D]")
        end = sel["daily_end"].to_numpy().astype("datetime64[D]")
        covered = (np.isnat(start) | (start <= day)) & (np.isnat(end) | (day <= end))
        return sorted(sel.index[self._listed_mask(day, sel) & covered])


# -- HELPERS ---------------------------------------------------------------------------------------------

def _date_text(value, default):
    return default if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _exrights_frame(events: pd.DataFrame) -> pd.DataFrame:
    """Ptrade's exrights table from price-moving events (§H.8): backward factors are the running a, b after
    each event; the forward factors of row k transform prices before it, anchored at the last event."""
    dates, a, b = _adjust.backward_factors(events)
    a_prev = np.concatenate([[1.0], a[:-1]])
    b_prev = np.concatenate([[0.0], b[:-1]])
    index = pd.Index(pd.DatetimeIndex(dates.astype("datetime64[ns]")).strftime("%Y%m%d").astype(np.int64),
                     name="date")
    return pd.DataFrame({
        "allotted_ps": (events["bonus_ratio"] + events["conversion_ratio"]).to_numpy(float),
        "rationed_ps": events["rights_ratio"].to_numpy(float),
        "rationed_px": events["rights_price"].to_numpy(float),
        "bonus_ps": events["cash_dividend"].to_numpy(float),
        "exer_forward_a": a_prev / a[-1],
        "exer_forward_b": (b_prev - b[-1]) / a[-1],
        "exer_backward_a": a,
        "exer_backward_b": b,
    }, index=index, columns=list(_EXRIGHTS_COLUMNS))
