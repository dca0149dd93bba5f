"""Ptrade's objects (Context, Portfolio, Position, Order, bar data): thin read views over kernel arrays."""
from .context import Blotter, Commission, Context, GlobalVars, SimulationParameters, Slippage
from .order import Order, OrderList
from .portfolio import Portfolio, Position, PositionDict
from .bar import BarData, BarDict

__all__ = [
    "BarData", "BarDict", "Blotter", "Commission", "Context", "GlobalVars", "Order", "OrderList",
    "Portfolio", "Position", "PositionDict", "SimulationParameters", "Slippage",
]
