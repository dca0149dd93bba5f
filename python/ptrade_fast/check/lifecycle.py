"""Lifecycle checks: API calls in phases where Ptrade refuses them, and callback signatures.

The allowed phases of every API function come from the platform's phase table
(``ptrade-api.json``'s ``phases``), the same table the engine's ``@phases`` doors follow.  A helper
function inherits the phases of the callbacks that call it (see :mod:`.source`).
"""
from __future__ import annotations

import ast
import re

from .findings import Finding
from .source import CALLBACK_PHASES, call_name

REQUIRED = ("initialize", "handle_data")


def check_phases(src, api: dict) -> list:
    out = []
    for fname, node in src.enclosing_functions():
        name = call_name(node)
        if name is None or name in src.bound or name not in api:
            continue
        allowed = set(api[name].get("phases") or ())
        if not allowed or api[name].get("kind") != "function":
            continue
        bad = sorted(ph for ph in src.phases[fname] if ph not in allowed)
        if not bad:
            continue
        where = ", ".join(ph if src.via[fname][ph] == fname else f"{ph} (via {fname}, called from "
                          f"{src.via[fname][ph]})" for ph in bad)
        out.append(Finding(node.lineno, node.col_offset, "PT501",
                           f"{name} cannot be called in {where}; Ptrade allows it only in "
                           f"{', '.join(_ordered(allowed))}"))
    return out


_ORDER = ["initialize", "before_trading_start", "handle_data", "after_trading_end", "tick_data",
          "on_order_response", "on_trade_response", "run_daily", "run_interval"]


def _ordered(phases) -> list:
    return sorted(phases, key=lambda p: _ORDER.index(p) if p in _ORDER else len(_ORDER))


def _expected_args(signature: str) -> list:
    inner = re.search(r"\((.*)\)", signature).group(1)
    return [a.strip() for a in inner.split(",") if a.strip()]


def _accepts(fn: ast.FunctionDef, n: int) -> bool:
    a = fn.args
    positional = len(a.posonlyargs) + len(a.args)
    required = positional - len(a.defaults)
    kw_required = [k for k, d in zip(a.kwonlyargs, a.kw_defaults) if d is None]
    return required <= n and (positional >= n or a.vararg is not None) and not kw_required


def check_signatures(src, api: dict) -> list:
    out = []
    for name in REQUIRED:
        if name not in src.functions and name not in src.bound:
            out.append(Finding(1, 0, "PT602", f"a Ptrade strategy must define {name}(...); "
                                              "the platform refuses the file without it"))
    for name in CALLBACK_PHASES:
        fn = src.functions.get(name)
        if fn is None:
            continue
        expected = _expected_args(api[name]["signature"])
        if not _accepts(fn, len(expected)):
            out.append(Finding(fn.lineno, fn.col_offset, "PT601",
                               f"{name}({', '.join(_params(fn))}) does not accept the platform's call "
                               f"{name}({', '.join(expected)}); define it as "
                               f"def {name}({', '.join(expected)}):"))
    for name, (sched, call) in src.scheduled.items():
        fn = src.functions[name]
        if not _accepts(fn, 1):
            out.append(Finding(fn.lineno, fn.col_offset, "PT603",
                               f"{name}({', '.join(_params(fn))}) is registered with {sched} (line "
                               f"{call.lineno}) but the platform calls it as {name}(context)"))
    return out


def _params(fn) -> list:
    a = fn.args
    names = [x.arg for x in a.posonlyargs + a.args]
    if a.vararg:
        names.append("*" + a.vararg.arg)
    names += [x.arg for x in a.kwonlyargs]
    if a.kwarg:
        names.append("**" + a.kwarg.arg)
    return names
