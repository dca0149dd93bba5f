"""Wiring: the Ptrade API families of one run, each given only the engine parts it uses, and the globals
injected into the strategy's namespace (§L: every API function, ``g``, ``log``, the object classes)."""
from __future__ import annotations

from types import SimpleNamespace

from ..api.convertible import ConvertibleAPI
from ..api.etf import ETFAPI
from ..api.fundamentals import FundamentalsAPI
from ..api.futures import FuturesAPI
from ..api.futures_info import FuturesInfoAPI
from ..api.indicators import IndicatorAPI
from ..api.ipo import IpoAPI
from ..api.margin import MarginAPI
from ..api.market import CalendarAPI, MarketAPI
from ..api.reference import ReferenceAPI
from ..api.settings import FixedSlippage, PerTrade, SettingsAPI
from ..api.tick_orders import TickOrderAPI
from ..api.trading import TradingAPI
from ..api.utility import UtilityAPI, spec_functions, stub_function


def build_apis(rt, account, market, settings, futures_settings, on_yesterday_positions,
               on_futures_settings_changed, margin_terms, tick_matcher=None) -> SimpleNamespace:
    """The API objects of one run (attributes named after their family).  ``tick_matcher``: the tick replay's
    ``engine.tick_matching.TickMatcher`` (or ``apis.tick_orders.attach(matcher)`` later); ``None`` elsewhere."""
    apis = SimpleNamespace()
    apis.market = MarketAPI(rt)
    apis.calendar = CalendarAPI(rt)
    apis.reference = ReferenceAPI(rt)
    apis.fundamentals = FundamentalsAPI(rt)
    apis.trading = TradingAPI(rt, account, market)
    apis.settings = SettingsAPI(rt, settings, market.universe_changed, on_yesterday_positions)
    apis.utility = UtilityAPI(rt, account, market)
    apis.indicators = IndicatorAPI(rt, apis.market)
    apis.futures = FuturesAPI(rt, apis.trading, account, futures_settings, on_futures_settings_changed)
    apis.margin = MarginAPI(rt, apis.trading, account, market, margin_terms)
    apis.futures_info = FuturesInfoAPI(rt)
    apis.convertible = ConvertibleAPI(rt, account, market)
    apis.etf = ETFAPI(rt, account, market, apis.trading)
    apis.ipo = IpoAPI(rt, account)
    apis.tick_orders = TickOrderAPI(rt, apis.trading, account, market, tick_matcher)
    return apis


def strategy_globals(apis: SimpleNamespace, g, log, extra=()) -> dict:
    """Every Ptrade global a strategy may reference: live-only and not-simulated names become stubs that
    raise when called (§H.12); the rest are the bound API methods."""
    out = {}
    for spec in spec_functions():
        name = spec["name"]
        if spec["category"] == "lifecycle" or name in ("g", "log"):
            continue
        out[name] = stub_function(name, spec["signature"], spec["live_only"], spec["category"])
    providers = [apis.calendar, apis.market, apis.reference, apis.fundamentals, apis.trading, apis.settings,
                 apis.utility, apis.indicators, apis.futures, apis.futures_info, apis.margin,
                 apis.convertible, apis.etf, apis.ipo, apis.tick_orders,
                 *(x for x in extra if x is not None)]
    for api in providers:
        for name in dir(api):
            if name.startswith("_"):
                continue
            attr = getattr(api, name)
            if callable(attr) and hasattr(attr, "__wrapped__") or (callable(attr) and name in out):
                out[name] = attr
    out.update(g=g, log=log, PerTrade=PerTrade, FixedSlippage=FixedSlippage)
    return out
