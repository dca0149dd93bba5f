"""Read a strategy file and describe its structure (never executing it).

:class:`StrategySource` holds the text, its AST, the names bound anywhere in the file, the
module-level functions, and for each function the lifecycle phases it can run in: a callback runs
in its own phase, a function handed to ``run_daily``/``run_interval`` in that scheduler's phase,
and a helper in the union of the phases of the functions that call it (by name, transitively).
"""
from __future__ import annotations

import ast
import json
from importlib import resources

#: Callback name -> the phase name used in the platform's phase table (``ptrade-api.json``).
CALLBACK_PHASES = {
    "initialize": "initialize", "before_trading_start": "before_trading_start",
    "handle_data": "handle_data", "after_trading_end": "after_trading_end",
    "tick_data": "tick_data", "on_order_response": "on_order_response",
    "on_trade_response": "on_trade_response",
}
SCHEDULERS = {"run_daily": "run_daily", "run_interval": "run_interval"}


def api_table() -> dict:
    """The platform's public names (``ptrade-api.json`` shipped with the package), by name and alias."""
    with resources.files("ptrade_fast.api").joinpath("ptrade-api.json").open(encoding="utf-8") as fh:
        entries = json.load(fh)
    table = {}
    for e in entries:
        table[e["name"]] = e
        for alias in e.get("aliases") or ():
            table.setdefault(alias, e)
    return table


def read_source(path: str) -> str:
    """The file's text, decoded as the loader does (UTF-8 with or without BOM, else GBK)."""
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gbk")


def call_name(node: ast.AST) -> str | None:
    """``f`` for a call ``f(...)`` of a plain name, else None."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id
    return None


class StrategySource:
    """A parsed strategy file and the facts the checks share."""

    def __init__(self, path: str, text: str, tree: ast.Module):
        self.path = path
        self.text = text
        self.tree = tree
        self.functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        self.bound = self._bound_names()
        self.scheduled = self._scheduled()
        self.phases, self.via = self._function_phases()

    def _bound_names(self) -> set:
        bound = set()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                bound.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bound.add(node.name)
            elif isinstance(node, ast.arg):
                bound.add(node.arg)
            elif isinstance(node, ast.alias):
                bound.add((node.asname or node.name).split(".")[0])
            elif isinstance(node, ast.ExceptHandler) and node.name:
                bound.add(node.name)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                bound.update(node.names)
        return bound

    def _scheduled(self) -> dict:
        """Module functions registered with run_daily/run_interval -> (scheduler, call node)."""
        out = {}
        for node in ast.walk(self.tree):
            name = call_name(node)
            if name in SCHEDULERS and name not in self.functions:
                func = node.args[1] if len(node.args) > 1 else next(
                    (k.value for k in node.keywords if k.arg == "func"), None)
                if isinstance(func, ast.Name) and func.id in self.functions:
                    out.setdefault(func.id, (name, node))
        return out

    def _function_phases(self):
        phases = {name: set() for name in self.functions}
        via = {name: {} for name in self.functions}  # function -> phase -> root callback name
        for name in self.functions:
            if name in CALLBACK_PHASES:
                phases[name].add(CALLBACK_PHASES[name])
                via[name][CALLBACK_PHASES[name]] = name
        for name, (sched, _) in self.scheduled.items():
            phases[name].add(SCHEDULERS[sched])
            via[name].setdefault(SCHEDULERS[sched], name)
        callees = {name: {call_name(n) for n in ast.walk(fn)} & set(self.functions)
                   for name, fn in self.functions.items()}
        changed = True
        while changed:
            changed = False
            for caller, targets in callees.items():
                for callee in targets:
                    if callee in CALLBACK_PHASES:
                        continue
                    for ph in phases[caller]:
                        if ph not in phases[callee]:
                            phases[callee].add(ph)
                            via[callee][ph] = via[caller][ph]
                            changed = True
        return phases, via

    def enclosing_functions(self):
        """Yield (module function, node) for every node inside a module-level function."""
        for name, fn in self.functions.items():
            for node in ast.walk(fn):
                yield name, node


def parse(path: str, text: str | None = None) -> StrategySource:
    """Parse ``path`` (or ``text``); raises SyntaxError as Python does."""
    if text is None:
        text = read_source(path)
    tree = ast.parse(text, filename=path, type_comments=False)
    return StrategySource(path, text, tree)
