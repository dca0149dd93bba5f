"""Names from other platforms (JoinQuant 聚宽, RiceQuant 米筐/rqalpha) that Ptrade does not have.

A call of one of these names that the file does not define itself raises ``NameError`` on Ptrade;
the finding names the Ptrade function to use instead.  Attribute names that only exist on the other
platforms' context/portfolio/position objects are reported as warnings (the object may be the
strategy's own).  ``context.portfolio.total_value`` is not reported: the seed strategies use it and
the platform accepts it (§C.4).
"""
from __future__ import annotations

import ast

from .findings import Finding

#: Foreign function -> the Ptrade way to do it.
FOREIGN_FUNCTIONS = {
    "get_security_info": "get_stock_info(code) (get_instruments(code) for futures)",
    "attribute_history": "get_history(count, '1d', field, code)",
    "history": "get_history(count, frequency, field, security_list)",
    "history_bars": "get_history(count, frequency, field, security_list)",
    "get_bars": "get_history(count, frequency, field, security_list)",
    "get_current_data": "data[code] in handle_data (get_snapshot(code) in live trading)",
    "order_target_percent": "order_target_value(code, context.portfolio.portfolio_value * percent)",
    "order_percent": "order_value(code, context.portfolio.portfolio_value * percent)",
    "order_shares": "order(code, amount)",
    "order_lots": "order(code, lots * 100)",
    "get_all_securities": "get_Ashares(date)",
    "all_instruments": "get_Ashares(date)",
    "instruments": "get_stock_info(codes)",
    "get_extras": "get_stock_status(codes, 'ST' or 'HALT')",
    "is_st_stock": "get_stock_status(codes, 'ST')",
    "is_suspended": "get_stock_status(codes, 'HALT')",
    "get_industry": "get_stock_blocks(code)",
    "get_concept": "get_stock_blocks(code)",
    "query": "get_fundamentals(security, table, fields, date)",
    "set_option": "nothing: choose prices with get_history(..., fq=...) and settings with set_parameters",
    "set_order_cost": "set_commission(commission_ratio, min_commission)",
    "OrderCost": "set_commission(commission_ratio, min_commission)",
    "run_weekly": "run_daily(context, func) with a weekday test inside func",
    "run_monthly": "run_daily(context, func) with a day-of-month test inside func",
    "update_universe": "set_universe(codes)",
    "subscribe": "set_universe(codes)",
    "get_trading_dates": "get_trade_days(start_date, end_date)",
    "get_previous_trading_date": "get_trade_days(end_date=..., count=2)[0] or context.previous_date",
    "get_next_trading_date": "get_trade_days(start_date=..., count=2)",
    "get_all_trade_days": "get_all_trades_days()",
    "record": "log.info(...)",
    "send_message": "send_email(...) or send_qywx(...)",
    "get_index_weights": "get_index_stocks(index_code, date)",
    "logger": "log",
}

#: Foreign attribute -> the Ptrade attribute.
FOREIGN_ATTRIBUTES = {
    "available_cash": "context.portfolio.cash",
    "long_positions": "context.portfolio.positions",
    "closeable_amount": "position.enable_amount",
    "total_amount": "position.amount",
    "avg_cost": "position.cost_basis",
    "run_params": "context.sim_params / get_frequency()",
    "market_value": "position.amount * position.last_sale_price",
}


def check_names(src, api: dict) -> list:
    out = []
    for node in ast.walk(src.tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            n = node.id
            if n in FOREIGN_FUNCTIONS and n not in api and n not in src.bound:
                out.append(Finding(node.lineno, node.col_offset, "PT301",
                                   f"{n} is not a Ptrade function (JoinQuant/RiceQuant); use "
                                   f"{FOREIGN_FUNCTIONS[n]}"))
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load) \
                and node.attr in FOREIGN_ATTRIBUTES and _from_context(node.value):
            out.append(Finding(node.end_lineno, node.end_col_offset - len(node.attr), "PT302",
                               f".{node.attr} is JoinQuant/RiceQuant's name; Ptrade's is "
                               f"{FOREIGN_ATTRIBUTES[node.attr]}"))
    return out


def _from_context(node) -> bool:
    """True for expressions rooted at ``context`` or ``get_position(...)``/``positions[...]``."""
    while True:
        if isinstance(node, ast.Attribute):
            if node.attr in ("portfolio", "positions"):
                return True
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Call):
            return isinstance(node.func, ast.Name) and node.func.id in ("get_position", "get_positions")
        elif isinstance(node, ast.Name):
            return node.id == "context"
        else:
            return False
