"""Security lists (docs/ptrade-api.md §D.5, §D.12, §D.13): get_Ashares, ETF, REIT and convertible-bond lists and info."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.cb_terms import BondTerms
from ..model.phases import phases
from .reference_common import ReferenceBase, _A_SHARE_TYPES, _CB_INFO_COLUMNS, _INIT, _REF, _date_text


class UniversesAPI(ReferenceBase):
    """Security lists (docs/ptrade-api.md §D.5, §D.12, §D.13): get_Ashares, ETF, REIT and convertible-bond lists and info."""

    # -- UNIVERSES -----------------------------------------------------------------------------------

    @phases(*_REF, warn_only=_INIT)
    def get_Ashares(self, date=None):
        """get_Ashares: all Shanghai and Shenzhen A-shares listed on a date.

        Parameters
        ----------
        date : str, int or date, optional
            'YYYYmmdd'; default the simulated date.

        Returns
        -------
        list of str
            Sorted short codes (main board, ChiNext, STAR), from the instruments table's listing dates.

        Raises
        ------
        ValueError
            For a bad ``date``.

        Differences from Ptrade
        -----------------------
        Codes listed in the instruments table but without bars in the data root are included (as on the
        platform); their prices read as NaN.
        """
        day = self._day(date, "date")
        # Ranking strategies ask every day: the A shares' codes (sorted) and listing dates are read once.
        cached = self.__dict__.get("_ashares")
        if cached is None or cached[0] is not self._inst:
            inst = self._inst
            rows = inst[inst["type"].isin(_A_SHARE_TYPES).to_numpy()]
            order = np.argsort(rows.index.to_numpy(dtype=object), kind="stable")
            rows = rows.iloc[order]
            cached = self._ashares = (inst, rows.index.to_numpy(dtype=object),
                                      rows["list_date"].to_numpy().astype("datetime64[D]"),
                                      rows["delist_date"].to_numpy().astype("datetime64[D]"))
        _, codes, listed, delist = cached
        return codes[(listed <= day) & (np.isnat(delist) | (day < delist))].tolist()

    @phases(*_REF, warn_only=_INIT)
    def get_reits_list(self, date=None):
        """get_reits_list: the public infrastructure REITs listed on a date.

        Parameters
        ----------
        date : str, int or date, optional
            Default the simulated date.

        Returns
        -------
        list of str
            Sorted short codes.

        Raises
        ------
        ValueError
            For a bad ``date``.
        """
        day = self._day(date, "date")
        inst = self._inst
        ok = (inst["type"] == "reit").to_numpy() & self._listed_mask(day)
        return sorted(inst.index[ok])

    @phases("before", "handle", "tick", "sched", warn_only=_INIT + ("after", "on_order", "on_trade"))
    def get_etf_list(self):
        """get_etf_list: the ETF codes (backtest stand-in for the live-only function).

        Returns
        -------
        list of str
            Sorted short codes of the ETFs with bars covering the simulated date and listed on it.

        Differences from Ptrade
        -----------------------
        Live only on the platform (codes from the broker counter); here the data root's ETFs.
        """
        return self._with_data_on("etf", self._today())

    @phases(*_REF, warn_only=_INIT)
    def get_cb_list(self):
        """get_cb_list: the convertible-bond codes (backtest stand-in for the live-only function).

        Returns
        -------
        list of str
            Sorted short codes of the convertible bonds with bars covering the simulated date and listed on it.

        Differences from Ptrade
        -----------------------
        Live only on the platform, where it also lists suspended bonds; here suspended bonds with bars that
        day are included too.
        """
        return self._with_data_on("cb", self._today())

    @phases(*_REF, warn_only=_INIT)
    def get_cb_info(self):
        """get_cb_info: one row per convertible bond of get_cb_list (backtest stand-in).

        Returns
        -------
        DataFrame
            Columns ``bond_code``, ``bond_name``, ``stock_code``, ``stock_name``, ``list_date`` ('YYYY-mm-dd'),
            ``premium_rate``, ``convert_date``, ``maturity_date``, ``convert_rate``, ``convert_price``,
            ``convert_value``.

        Differences from Ptrade
        -----------------------
        Research/live only on the platform.  The bond terms come from the data root's instruments table
        where it carries them (columns ``stock_code`` (or ``underlying``), ``convert_price``, ``convert_date``,
        ``maturity_date``) and the dated conversion prices of ``cb_conversion_prices.parquet`` (the price in
        force on the simulated date; docs/data-format.md); from those, ``convert_rate`` = 100 / convert_price
        (shares per 100 CNY of face value), ``convert_value`` = convert_rate × the underlying's close and ``premium_rate`` = (bond close /
        convert_value − 1) × 100, both on the last trading day before the simulated date (as valuation).
        A term the data lacks is None (text) or NaN (numbers), as are the figures computed from it.
        """
        codes = self.get_cb_list.__wrapped__(self)
        inst = self._inst
        n = len(codes)

        def column(name, default=None):
            if name not in inst.columns:
                return [default] * n
            return [None if pd.isna(v) else v for v in inst.loc[codes, name]] if n else []

        # The underlying stock: column stock_code (synthetic and imported roots), or underlying.
        terms = self._bond_terms()
        under = [terms.underlying(c) for c in codes]
        # The conversion price in force today (cb_conversion_prices.parquet, else the listing price).
        today = self._today()
        price = np.array([terms.convert_price(c, today) for c in codes], float)
        rate = np.where(price > 0, 100.0 / np.where(price > 0, price, 1.0), np.nan)
        stock_close = self._last_closes(under)
        bond_close = self._last_closes(codes)
        value = rate * stock_close
        with np.errstate(invalid="ignore", divide="ignore"):
            premium = np.where(value > 0, (bond_close / np.where(value > 0, value, 1.0) - 1.0) * 100.0, np.nan)
        return pd.DataFrame({
            "bond_code": codes,
            "bond_name": [str(inst.at[c, "name"]) for c in codes],
            "stock_code": under,
            "stock_name": [str(inst.at[u, "name"]) if u in inst.index else None for u in under],
            "list_date": [_date_text(inst.at[c, "list_date"], None) for c in codes],
            "premium_rate": premium,
            "convert_date": [_date_text(v, None) if v is not None else None for v in column("convert_date")],
            "maturity_date": [_date_text(v, None) if v is not None else None for v in column("maturity_date")],
            "convert_rate": rate, "convert_price": price, "convert_value": value,
        }, columns=list(_CB_INFO_COLUMNS))

    def _bond_terms(self) -> BondTerms:
        if getattr(self, "_terms_cache", None) is None:
            self._terms_cache = BondTerms(self.rt.store)
        return self._terms_cache

    def _last_closes(self, codes) -> np.ndarray:
        """Unadjusted close of each code (None -> NaN) on the last trading day before the simulated date."""
        out = np.full(len(codes), np.nan)
        store = self.rt.store
        sids = [store.sid(c) if c else -1 for c in codes]
        have = [i for i, s in enumerate(sids) if s >= 0]
        if not have:
            return out
        _, rows = store.daily_history([sids[i] for i in have], ("close",), self._today(), 1, include_end=False)
        if len(rows["close"]):
            out[have] = rows["close"][-1]
        return out
