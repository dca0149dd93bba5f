"""Imports checked against the platform: forbidden modules, libraries it does not bundle, and
imports of other user files (a Ptrade strategy is one file).

Static ``import``/``from`` statements and dynamic imports with a literal name
(``importlib.import_module('x')``, ``__import__('x')``) are checked.
"""
from __future__ import annotations

import ast
import os

from .findings import Finding
from .platform_libs import BUNDLED_PY311_ONLY, FORBIDDEN, NETWORK_LIBS, bundled, stdlib_modules


def check_imports(src, target: str) -> list:
    out = []
    here = os.path.dirname(os.path.abspath(src.path)) if src.path and not src.path.startswith("<") else None
    for node in ast.walk(src.tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                _one(out, node, a.name, target, here)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                out.append(Finding(node.lineno, node.col_offset, "PT204",
                                   "relative import: the platform runs one strategy file with no package "
                                   "around it; paste the code into this file"))
            elif node.module and node.module != "__future__":
                _one(out, node, node.module, target, here)
        elif isinstance(node, ast.Call):
            name = _dynamic_import(node)
            if name:
                _one(out, node, name, target, here, dynamic=True)
    return out


def _dynamic_import(node: ast.Call) -> str | None:
    f = node.func
    is_dyn = (isinstance(f, ast.Name) and f.id == "__import__") or \
             (isinstance(f, ast.Attribute) and f.attr in ("import_module", "__import__"))
    if is_dyn and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None


def _one(out, node, name: str, target: str, here: str | None, dynamic: bool = False) -> None:
    top = name.split(".")[0]
    how = "dynamic import" if dynamic else "import"
    if top in FORBIDDEN:
        out.append(Finding(node.lineno, node.col_offset, "PT201",
                           f"{how} of {name!r}: the platform forbids {top!r} (no os, processes, network "
                           "or native code in a strategy)"))
        return
    if top in stdlib_modules():
        return
    if top in NETWORK_LIBS and top in bundled(target):
        out.append(Finding(node.lineno, node.col_offset, "PT205",
                           f"{top!r} is installed on the platform but its servers have no outbound "
                           "network: calls that fetch data will fail there"))
        return
    if top in bundled(target):
        return
    if target == "py35" and top in BUNDLED_PY311_ONLY:
        out.append(Finding(node.lineno, node.col_offset, "PT203",
                           f"{top!r} is bundled only by the later (Python 3.11) edition, not the py35 one"))
        return
    if here is not None and (os.path.isfile(os.path.join(here, top + ".py"))
                             or os.path.isdir(os.path.join(here, top))):
        out.append(Finding(node.lineno, node.col_offset, "PT204",
                           f"{how} of {name!r} reads another file next to the strategy; the platform "
                           "runs one file only, so paste that code into this file"))
        return
    out.append(Finding(node.lineno, node.col_offset, "PT202",
                       f"{how} of {name!r}: {top!r} is not among the libraries the platform bundles "
                       f"for {target} (see docs/isolation.md)"))
