"""``context`` and its zipline-style members (Ptrade §C.1–§C.3), and the global ``g`` (§B.1)."""
from __future__ import annotations


class GlobalVars:
    """Ptrade ``g``: a plain attribute container shared by every callback.

    Names starting with ``'__'`` are private (never persisted, §B.3).
    """

    def __repr__(self):
        keys = ", ".join(sorted(self.__dict__))
        return f"g({keys})"

    def persistable(self) -> dict:
        """The attributes Ptrade would pickle: public names only (``'__'`` names are private)."""
        return {k: v for k, v in self.__dict__.items() if not k.startswith("__")}


class SimulationParameters:
    """``context.sim_params``: ``capital_base`` and ``data_frequency`` ('daily'/'minute')."""

    def __init__(self, capital_base: float, data_frequency: str, start_date=None, end_date=None):
        self.capital_base = capital_base
        self.data_frequency = data_frequency
        self.start_date = start_date
        self.end_date = end_date

    def __repr__(self):
        return f"SimulationParameters(capital_base={self.capital_base}, data_frequency={self.data_frequency!r})"


class Slippage:
    """``context.slippage`` (VolumeShareSlippage): ``volume_limit`` and ``price_impact`` read the settings."""

    def __init__(self, settings):
        self._s = settings

    @property
    def volume_limit(self) -> float:
        return self._s.volume_ratio

    @property
    def price_impact(self) -> float:
        return self._s.slippage_ratio if self._s.slippage_kind == 1 else 0.0

    def __repr__(self):
        return f"VolumeShareSlippage(volume_limit={self.volume_limit}, price_impact={self.price_impact})"


class Commission:
    """``context.commission``: ``tax`` (stamp duty rate in force), ``cost`` and ``min_trade_cost`` (STOCK class)."""

    def __init__(self, settings, clock_date):
        self._s = settings
        self._date = clock_date

    @property
    def tax(self) -> float:
        return self._s.stamp_rate_on(self._date())

    @property
    def cost(self) -> float:
        return self._s.commission["STOCK"][0]

    @property
    def min_trade_cost(self) -> float:
        return self._s.commission["STOCK"][1]

    def __repr__(self):
        return f"Commission(tax={self.tax}, cost={self.cost}, min_trade_cost={self.min_trade_cost})"


class Blotter:
    """``context.blotter``: ``current_dt`` is the scheduled time of the running callback (§A.2)."""

    def __init__(self, rt):
        self._rt = rt

    @property
    def current_dt(self):
        return self._rt.now

    def __repr__(self):
        return f"Blotter(current_dt={self.current_dt})"


class Context:
    """Ptrade ``context`` (§C.1).  Strategies may add their own attributes.

    Differences from Ptrade: ``current_dt`` is provided as an alias of ``blotter.current_dt`` (used by
    published strategies); ``recorded_vars`` is a plain dict.
    """

    def __init__(self, rt, portfolio, capital_base: float, settings):
        self._rt = rt
        self.portfolio = portfolio
        self.capital_base = capital_base
        self.sim_params = SimulationParameters(
            capital_base, "daily" if rt.frequency == "1d" else "minute")
        self.slippage = Slippage(settings)
        self.commission = Commission(settings, lambda: rt.trade_date)
        self.blotter = Blotter(rt)
        self.initialized = False
        self.recorded_vars: dict = {}
        self.previous_date = None

    @property
    def current_dt(self):
        return self._rt.now

    def __repr__(self):
        return (f"Context(current_dt={self.current_dt}, capital_base={self.capital_base}, "
                f"previous_date={self.previous_date})")
