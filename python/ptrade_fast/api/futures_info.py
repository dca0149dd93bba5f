"""Futures reference data: contract parameters and the dominant contract (docs/ptrade-api.md §C.12, §D.10).

Contract parameters come from the data root's instruments (name, listing, product, multiplier, last trading
day) and, for a contract the root lacks, from ``rules/futures_products.json`` alone.  The margin rate is the
product's exchange rate in force on the simulated date unless the run overrides it through the option
``margin_rates`` (product -> rate, which ``set_margin_rate`` fills).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.codes import normalize_code
from ..data.store import to_day
from ..model.phases import phases
from ..rules import futures as frules

_INFO = ("before", "handle", "after", "tick", "sched", "on_order", "on_trade")
_DOMINANT = ("before", "handle", "after", "tick", "sched")
_INIT = ("init",)
_FIELDS = ("contract_code", "contract_name", "exchange", "trade_unit", "contract_multiplier", "delivery_date",
           "listing_date", "trade_code", "margin_rate")


class FutureParams:
    """What ``get_instruments`` returns: the §C.12 attributes of one futures contract."""

    __slots__ = _FIELDS

    def __init__(self, **values):
        for k in _FIELDS:
            setattr(self, k, values[k])

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in _FIELDS}

    def __eq__(self, other):
        return isinstance(other, FutureParams) and self.to_dict() == other.to_dict()

    def __repr__(self):
        return "FutureParams(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in _FIELDS) + ")"


def _iso(day) -> str | None:
    if day is None or pd.isna(day):
        return None
    return str(np.datetime64(pd.Timestamp(day).date(), "D"))


class FuturesInfoAPI:
    """get_instruments and get_dominant_contract over the Runtime's DataStore."""

    def __init__(self, rt):
        self.rt = rt

    def _today(self) -> np.datetime64:
        return self.rt.today()

    def _contract(self, contract) -> str:
        if not isinstance(contract, str):
            raise TypeError(f"contract must be a futures code str like 'IF2406.CCFX', was {contract!r}")
        try:
            code = normalize_code(contract)
        except ValueError as exc:
            raise ValueError(f"contract: {exc}") from None
        if code.rpartition(".")[2] not in {e["suffix"] for e in frules.exchanges().values()}:
            raise ValueError(f"contract must be a futures code like 'IF2406.CCFX', was {contract!r}")
        return code

    def margin_rate(self, product, day=None) -> float:
        """The run's margin rate of ``product``: the ``margin_rates`` option, else the exchange rate on ``day``."""
        override = self.rt.options.get("margin_rates", {}) or {}
        if product in override:
            return float(override[product])
        return frules.spec(product, self._today() if day is None else day).margin_rate

    # -- FUNCTIONS -----------------------------------------------------------------------------------

    @phases(*_INFO, warn_only=_INIT)
    def get_instruments(self, contract):
        """get_instruments: the parameters of a futures contract.

        Parameters
        ----------
        contract : str
            Contract code, e.g. 'IF2406.CCFX' ('.CFX' is accepted as an alias of '.CCFX').

        Returns
        -------
        FutureParams or None
            Attributes ``contract_code`` ('IF2406.CCFX'), ``contract_name``, ``exchange`` (中金所, 上期所, 大商所,
            郑商所, 上期能源, 广期所), ``trade_unit`` (int), ``contract_multiplier`` (float), ``delivery_date``
            and ``listing_date`` ('YYYY-mm-dd'), ``trade_code`` (product, 'IF'), ``margin_rate`` (float).
            None (with a warning) for a product the rules table does not know.

        Raises
        ------
        TypeError, ValueError
            If ``contract`` is not a str or not a futures code.

        Differences from Ptrade
        -----------------------
        ``delivery_date`` is the last trading day (index futures deliver in cash that day).  Contracts the data
        root lacks are described from the product rules, so any month is answered; ``contract_name`` is the
        product's Chinese name plus the month (Ptrade's exact naming is not documented).
        """
        code = self._contract(contract)
        product = frules.product_of(code)
        if not frules.is_known(product):
            self.rt.warn_once(f"get_instruments:{product}", f"get_instruments: unknown futures product {product!r} "
                                                            f"of {contract!r}; returning None")
            return None
        store = self.rt.store
        sp = frules.spec(product, self._today())
        yymm = frules.yymm_of(code)
        inst = store.instruments
        row = inst.loc[code] if code in inst.index else None

        def field(name):
            if row is None or name not in row.index:
                return None
            value = row[name]
            return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value

        multiplier = field("multiplier") or sp.multiplier
        delivery = field("delivery_date") or frules.last_trading_day(product, yymm, store.calendar)
        listing = field("list_date") or frules.listing_date(product, yymm, store.calendar)
        return FutureParams(
            contract_code=code, contract_name=field("name") or f"{sp.name}{yymm}", exchange=sp.exchange_name,
            trade_unit=int(round(multiplier)), contract_multiplier=float(multiplier),
            delivery_date=_iso(delivery), listing_date=_iso(listing), trade_code=product,
            margin_rate=self.margin_rate(product),
        )

    @phases(*_DOMINANT, warn_only=_INIT)
    def get_dominant_contract(self, contract, date=None):
        """get_dominant_contract: the dominant (主力) contract of a product on a date.

        Parameters
        ----------
        contract : str
            Product code such as 'IF' (a contract code such as 'IF2406.CCFX' names its product).
        date : str or date, optional
            'YYYYmmdd' or 'YYYY-mm-dd'; default the simulated date.

        Returns
        -------
        str or None
            The contract code ('IF2406.CCFX'), or None when the data root's dominant table has no row for
            that product and day.

        Raises
        ------
        TypeError, ValueError
            If ``contract`` is not a str, or ``date`` is not a date.

        Differences from Ptrade
        -----------------------
        The dominant contract of day D is the one with the largest open interest at D−1's close among the
        contracts trading on D (``futures/dominant.parquet``); a vendor's rule may differ.
        """
        if not isinstance(contract, str):
            raise TypeError(f"contract must be a product code str like 'IF', was {contract!r}")
        try:
            product = frules.product_of(contract)
        except ValueError:
            return None
        if date is None:
            day = self._today()
        else:
            try:
                day = to_day(date)
            except (ValueError, TypeError):
                raise ValueError(f"date must be a date like '20240102' or '2024-01-02', was {date!r}") from None
        return self.rt.store.dominant(product, day)
