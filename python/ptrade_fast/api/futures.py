"""Ptrade futures trading and settings (§D.10, §H.11): ``buy_open``, ``sell_close``, ``sell_open``,
``buy_close``, ``set_future_commission``, ``set_margin_rate``, ``get_margin_rate``.

Orders go to the same order book kernel as stock orders (order type column ``otype``: open, close,
close today) and fill against the same bars; the futures ledger kernel (``ptrade_fast._core.futures``) holds the
long and short legs, margin and daily settlement and shares the stock account's cash, so a hedged
strategy (long stocks, short index futures) is one account.  Contract and product queries
(``get_instruments``, ``get_dominant_contract``) live in ``api.futures_info``.
"""
from __future__ import annotations

import math
from numbers import Integral, Real

from .. import _core

from .. import errors as E
from ..data.codes import normalize_code
from ..model.units import SCALE
from ..model.phases import phases
from ..rules import futures as fut_rules

_ORDER_PHASES = ("handle", "sched", "tick", "on_order", "on_trade", "after")


def _product(code_or_product: str) -> str:
    """'IF' → 'IF'; 'IF2406.CCFX' / 'IF2406.CFX' / 'if2406' → 'IF'."""
    if not isinstance(code_or_product, str) or not code_or_product.strip():
        raise ValueError(f"transaction_code must be a product code such as 'IF', was {code_or_product!r}")
    text = code_or_product.strip()
    if "." in text or any(ch.isdigit() for ch in text):
        return fut_rules.product_of(text)
    return text.upper()


class FuturesSettings:
    """The strategy's futures settings: per-product commission and margin-rate overrides."""

    def __init__(self):
        self.commission: dict[str, float] = {}     # product → CNY per lot or fraction (by the product's convention)
        self.all_products_commission: float | None = None   # seed form set_future_commission(0.000023)
        self.margin_rates: dict[str, float] = {}   # product → fraction

    def as_dict(self) -> dict:
        return {"commission": dict(self.commission), "all_products_commission": self.all_products_commission,
                "margin_rates": dict(self.margin_rates)}


class FuturesAPI:
    """Ptrade's futures functions, bound to one backtest."""

    def __init__(self, rt, trading, account, settings: FuturesSettings, on_settings_changed):
        self.rt = rt
        self._trading = trading
        self._acct = account
        self.s = settings
        self._on_settings_changed = on_settings_changed   # refills today's futures tables
        rt.options["margin_rates"] = settings.margin_rates   # read by get_instruments (api.futures_info)

    # -- settings ----------------------------------------------------------------------------------
    @phases("init", "before")
    def set_future_commission(self, transaction_code, commission=None):
        """Ptrade ``set_future_commission(transaction_code, commission)``: the product's commission, CNY per
        lot for products charged per lot, else a fraction of notional (the product table says which);
        open, close and close-today all take this value.

        Differences from Ptrade: the seed's one-argument form ``set_future_commission(0.000023)`` sets a
        fraction of notional for every product.
        """
        if commission is None and isinstance(transaction_code, Real) and not isinstance(transaction_code, bool):
            rate = float(transaction_code)
            if not 0 <= rate < 0.01:
                raise ValueError(f"set_future_commission: a fraction of notional must be in [0, 0.01), was {rate}")
            self.s.all_products_commission = rate
            return None
        product = _product(transaction_code)
        if not fut_rules.is_known(product):
            raise ValueError(f"set_future_commission: unknown futures product {product!r}")
        if not isinstance(commission, Real) or isinstance(commission, bool) or not math.isfinite(commission) \
                or commission < 0:
            raise ValueError(f"set_future_commission: commission must be a number >= 0, was {commission!r}")
        self.s.commission[product] = float(commission)
        return None

    @phases("init", "before")
    def set_margin_rate(self, transaction_code, margin_rate):
        """Ptrade ``set_margin_rate(transaction_code, margin_rate)``: the margin ratio of a product (e.g.
        ``set_margin_rate('IF', 0.15)``).  A contract code (the seed's ``'IF2401.CFX'``) names its product."""
        product = _product(transaction_code)
        if not fut_rules.is_known(product):
            raise ValueError(f"set_margin_rate: unknown futures product {product!r}")
        if not isinstance(margin_rate, Real) or isinstance(margin_rate, bool) or not 0 < float(margin_rate) <= 1:
            raise ValueError(f"set_margin_rate: margin_rate must be in (0, 1], was {margin_rate!r}")
        self.s.margin_rates[product] = float(margin_rate)
        self._on_settings_changed()
        return None

    @phases("init", "before", "handle", "after", "sched")
    def get_margin_rate(self, transaction_code):
        """Ptrade ``get_margin_rate(transaction_code)``: the margin ratio in force for the product — the
        strategy's ``set_margin_rate`` value, else the exchange's on the simulated date."""
        product = _product(transaction_code)
        if product in self.s.margin_rates:
            return self.s.margin_rates[product]
        try:
            return fut_rules.spec(product, self.rt.trade_date).margin_rate
        except KeyError:
            raise ValueError(f"get_margin_rate: unknown futures product {product!r}") from None

    # -- orders ------------------------------------------------------------------------------------
    def _order(self, fn, contract, amount, limit_price, side, otype, close_today=False):
        trading = self._trading
        code, sid = trading._resolve(fn, contract)
        if sid < 0:
            return None
        if str(self._acct.inst["type"][sid]) != "future":
            raise ValueError(f"{fn}: {code} is not a futures contract (use order/order_target for stocks and funds)")
        if not isinstance(amount, Integral) or isinstance(amount, bool):
            return trading._reject(fn, code, sid, side, 0, 0, E.R_BAD_AMOUNT, f"amount was {amount!r}")
        if amount <= 0:
            raise ValueError(f"{fn}: amount is a positive number of lots for {code}, was {amount}")
        if close_today and otype == _core.OTYPE_FUT_CLOSE:
            spec = fut_rules.spec(fut_rules.product_of(code), self.rt.trade_date)
            if spec.close_today:
                otype = _core.OTYPE_FUT_CLOSE_TODAY
            else:
                self.rt.warn_once(f"close_today:{spec.exchange}", f"{fn}(close_today=True) only applies on SHFE/INE; "
                                  f"{code} ({spec.exchange}) closes yesterday's lots first")
        return trading._create(fn, code, side * int(amount), limit_price, otype=otype)

    @phases(*_ORDER_PHASES, warn_only=("before",))
    def buy_open(self, contract, amount, limit_price=None):
        """Ptrade ``buy_open``: open (add to) a long position of ``amount`` lots (多开).  Returns the order id
        or ``None``.  Cash must cover margin + fee when the order is matched (else it is cut)."""
        return self._order("buy_open", contract, amount, limit_price, 1, _core.OTYPE_FUT_OPEN)

    @phases(*_ORDER_PHASES, warn_only=("before",))
    def sell_close(self, contract, amount, limit_price=None, close_today=False):
        """Ptrade ``sell_close``: close ``amount`` long lots (多平), yesterday's first; ``close_today=True``
        closes today's lots only (SHFE/INE; elsewhere a warning and the default order)."""
        return self._order("sell_close", contract, amount, limit_price, -1, _core.OTYPE_FUT_CLOSE, close_today)

    @phases(*_ORDER_PHASES, warn_only=("before",))
    def sell_open(self, contract, amount, limit_price=None):
        """Ptrade ``sell_open``: open (add to) a short position of ``amount`` lots (空开)."""
        return self._order("sell_open", contract, amount, limit_price, -1, _core.OTYPE_FUT_OPEN)

    @phases(*_ORDER_PHASES, warn_only=("before",))
    def buy_close(self, contract, amount, limit_price=None, close_today=False):
        """Ptrade ``buy_close``: close ``amount`` short lots (空平), yesterday's first; ``close_today`` as
        ``sell_close``."""
        return self._order("buy_close", contract, amount, limit_price, 1, _core.OTYPE_FUT_CLOSE, close_today)


def fill_futures_tables(acct, s: FuturesSettings, day) -> None:
    """Per-day futures parameters for every futures sid of account ``acct``: multiplier, margin rate and
    fees in force on ``day`` (exchange schedule from ``rules.futures``, overridden by the settings ``s``)."""
    f, fees = acct.futures, acct.futures_fees
    for sid in acct.futures_sids:
        code = str(acct.codes[sid])
        product = fut_rules.product_of(code)
        try:
            spec = fut_rules.spec(product, day)
        except KeyError:
            continue
        mult = float(acct.inst["multiplier"][sid]) if "multiplier" in acct.inst else spec.multiplier
        f.multiplier[sid] = mult if mult and math.isfinite(mult) else spec.multiplier
        f.margin_rate[sid] = s.margin_rates.get(product, spec.margin_rate)
        by_volume = spec.commission_type == "by_volume"
        if product in s.commission:
            c = s.commission[product]
            rates = (c, c, c)
        elif s.all_products_commission is not None:
            by_volume = False
            c = s.all_products_commission
            rates = (c, c, c)
        else:
            rates = (spec.open_commission, spec.close_commission, spec.close_today_commission)
        fees.by_volume[sid] = 1 if by_volume else 0
        fees.open_rate[sid], fees.close_rate[sid], fees.close_today_rate[sid] = rates


__all__ = ["FuturesAPI", "FuturesSettings", "fill_futures_tables", "SCALE"]
