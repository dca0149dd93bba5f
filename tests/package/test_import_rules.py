"""The package's import rules (docs/architecture.md), checked on the source so they stay true.

* Layers point one way: ``_core`` ← ``model`` / ``rules`` ← ``data`` ← ``api`` ← ``engine`` ← the application
  modules (``cli``, ``sweep``, ``check`` …); ``report`` renders a result without importing ``result``.
  Function-level (lazy) imports count too: ``api/`` never imports ``engine/`` in any form.
* No import circles among module-level imports.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[2] / "python" / "ptrade_fast"

# What each part may import (besides itself).  A part missing from this table is an application module:
# it may import anything, and nothing below it may import it.
ALLOWED = {
    "_core": set(),
    "errors": {"_core"},
    "options": set(),
    "model": {"_core", "errors"},
    "rules": {"_core", "errors"},
    "data": {"_core", "errors", "rules", "model", "cli_words"},
    "cli_words": set(),
    "api": {"_core", "errors", "model", "rules", "data"},
    "report": set(),
    "result": {"report", "errors"},
    "engine": {"_core", "errors", "options", "model", "rules", "data", "api", "result", "results_builder"},
    "results_builder": {"errors", "result", "report", "data"},
}


def _modules():
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).with_suffix("")
        parts = list(rel.parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        yield "ptrade_fast" + "".join("." + p for p in parts), path, is_pkg


def _imports(name: str, path: Path, is_pkg: bool):
    """(imported module, at module level?) for every ptrade_fast import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if is_pkg else name.rpartition(".")[0]
    top_level = {id(n) for n in tree.body}
    for stmt in tree.body:               # module-level code inside if/try blocks is still module level
        if isinstance(stmt, (ast.If, ast.Try)):
            for sub in ast.walk(stmt):
                if not isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    top_level.add(id(sub))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            targets = [mod] + ([f"{mod}.{a.name}" for a in node.names] if mod.startswith("ptrade_fast") else [])
        else:
            continue
        for t in targets:
            if t == "ptrade_fast" or t.startswith("ptrade_fast."):
                yield t, id(node) in top_level


def _part(module: str) -> str:
    rest = module.split(".")[1:]
    return rest[0] if rest else ""


MODULES = {name: (path, is_pkg) for name, path, is_pkg in _modules()}


def _resolve(target: str) -> str | None:
    """The module a dotted import name refers to (``from pkg import name`` may name a function)."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down_the_layers(module):
    path, is_pkg = MODULES[module]
    part = _part(module)
    if part not in ALLOWED:
        return
    bad = set()
    for target, _ in _imports(module, path, is_pkg):
        resolved = _resolve(target)
        if resolved is None or resolved == "ptrade_fast":
            continue
        other = _part(resolved)
        if other != part and other not in ALLOWED[part]:
            bad.add(f"{resolved} ({other})")
    assert not bad, f"{module} ({part}) imports {sorted(bad)}; allowed: {sorted(ALLOWED[part])}"


def test_api_never_imports_engine_even_lazily():
    offenders = [(m, t) for m, (p, pkg) in MODULES.items() if _part(m) == "api"
                 for t, _ in _imports(m, p, pkg) if _part(t) == "engine"]
    assert offenders == []


def test_no_import_circles_among_module_level_imports():
    graph = {m: set() for m in MODULES}
    for m, (p, pkg) in MODULES.items():
        for t, top in _imports(m, p, pkg):
            r = _resolve(t)
            if top and r and r != m and r != "ptrade_fast":
                graph[m].add(r)
    # Tarjan's strongly connected components.
    index, low, stack, on, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert cycles == []


def test_the_rule_table_knows_every_layer_of_the_architecture_page():
    page = (PKG.parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    for part in ("_core", "model", "rules", "data", "api", "engine", "report", "result"):
        assert f"`{part}" in page, part
