"""Live-only functions (§H.12) called where a backtest would reach them.

A call is *guarded* when it sits in the body of ``if is_trade():`` (or the ``else`` of
``if not is_trade():``), after an early ``if not is_trade(): return``, on the right of
``is_trade() and ...``, or in ``... if is_trade() else ...``.  A name or attribute assigned from
``is_trade()`` (``g.live = is_trade()``) counts as the guard too.  Code reached only from live-only phases
(``tick_data``, ``on_*_response``, ``run_interval`` functions) never runs in a backtest and is not
reported.
"""
from __future__ import annotations

import ast

from .findings import Finding
from .source import call_name

#: Live-only names that a backtest accepts and ignores (logged), per §H.12.
#: Phases a backtest never enters: code reached only from them cannot fail in a backtest.
LIVE_PHASES = {"tick_data", "on_order_response", "on_trade_response", "run_interval"}
HARMLESS = {"run_interval", "send_email", "send_qywx", "set_email_info", "permission_test", "get_trade_name"}
#: Live-only names ptrade_fast simulates as an extension when the data allows it (the platform's backtest does not).
SIMULATED = {"get_ipo_stocks": "the data root has an IPO calendar (ipo.parquet)",
             "ipo_stocks_order": "the data root has an IPO calendar (ipo.parquet)"}
_EXITS = (ast.Return, ast.Continue, ast.Raise, ast.Break)


def check_live(src, api: dict) -> list:
    live = {n for n, e in api.items() if e.get("live_only") and e.get("kind") == "function"}
    guards = _guard_targets(src.tree)
    parents = {}
    for node in ast.walk(src.tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    live_only_code = {id(node) for fname, node in src.enclosing_functions()
                      if src.phases[fname] and src.phases[fname] <= LIVE_PHASES}
    out = []
    for node in ast.walk(src.tree):
        name = call_name(node)
        if name not in live or name in src.bound or id(node) in live_only_code:
            continue
        if _guarded(node, parents, guards):
            continue
        if name in HARMLESS:
            out.append(Finding(node.lineno, node.col_offset, "PT402",
                               f"{name} is live-only: a backtest accepts it and does nothing"))
        else:
            extra = (f" (ptrade_fast simulates it as an extension when {SIMULATED[name]})"
                     if name in SIMULATED else "")
            out.append(Finding(node.lineno, node.col_offset, "PT401",
                               f"{name} works only in live trading; a backtest raises RuntimeError here{extra}. "
                               "Guard it with 'if is_trade():'"))
    return out


def _guard_targets(tree) -> set:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and call_name(node.value) == "is_trade":
            out.update(ast.unparse(t) for t in node.targets)
    return out


def _is_guard(expr, guards) -> bool:
    if call_name(expr) == "is_trade":
        return True
    if isinstance(expr, (ast.Name, ast.Attribute)) and ast.unparse(expr) in guards:
        return True
    if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.And):
        return any(_is_guard(v, guards) for v in expr.values)
    return False


def _is_negated_guard(expr, guards) -> bool:
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
        return _is_guard(expr.operand, guards)
    if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or):
        return any(_is_negated_guard(v, guards) for v in expr.values)
    return False


def _contains(parent_list, node) -> bool:
    return any(n is node for n in parent_list)


def _guarded(node, parents, guards) -> bool:
    child = node
    parent = parents.get(child)
    while parent is not None:
        if isinstance(parent, (ast.If, ast.IfExp)):
            body = parent.body if isinstance(parent.body, list) else [parent.body]
            orelse = parent.orelse if isinstance(parent.orelse, list) else [parent.orelse]
            if _contains(body, child) and _is_guard(parent.test, guards):
                return True
            if _contains(orelse, child) and _is_negated_guard(parent.test, guards):
                return True
        elif isinstance(parent, ast.BoolOp) and isinstance(parent.op, ast.And):
            idx = next(i for i, v in enumerate(parent.values) if v is child)
            if any(_is_guard(v, guards) for v in parent.values[:idx]):
                return True
        for field in ("body", "orelse", "finalbody"):
            block = getattr(parent, field, None)
            if isinstance(block, list) and _contains(block, child):
                idx = next(i for i, s in enumerate(block) if s is child)
                for s in block[:idx]:
                    if isinstance(s, ast.If) and _is_negated_guard(s.test, guards) and s.body \
                            and isinstance(s.body[-1], _EXITS):
                        return True
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return False
        child, parent = parent, parents.get(parent)
    return False
