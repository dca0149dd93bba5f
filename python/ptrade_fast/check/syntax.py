"""Syntax the target Python cannot parse, found by inspecting the AST and the token stream.

Target ``py311`` (the later edition): any file this Python parses is accepted.  Target ``py35``
(the 2022 edition, Python 3.5.2): every construct added after 3.5 is reported where it appears.
"""
from __future__ import annotations

import ast
import io
import tokenize

from .findings import Finding

#: Standard-library modules added after Python 3.5 (absent on the py35 edition).
STDLIB_AFTER_35 = {"secrets": "3.6", "contextvars": "3.7", "dataclasses": "3.7", "zoneinfo": "3.9",
                   "graphlib": "3.9", "tomllib": "3.11", "importlib.resources": "3.7",
                   "importlib.metadata": "3.8", "_xxsubinterpreters": "3.8"}
#: __future__ features the 3.5 compiler knows.
FUTURE_35 = {"nested_scopes", "generators", "division", "absolute_import", "with_statement",
             "print_function", "unicode_literals", "barry_as_FLUFL", "generator_stop"}


def check_syntax(src, target: str) -> list:
    if target != "py35":
        return []
    out = []
    v = _Py35Visitor(out)
    v.visit(src.tree)
    out.extend(_token_checks(src.text))
    return out


def _add(out, node, code, message):
    out.append(Finding(node.lineno, node.col_offset, code, message))


class _Py35Visitor(ast.NodeVisitor):
    def __init__(self, out):
        self.out = out
        self._in_fstring = 0

    def visit_JoinedStr(self, node):
        if not self._in_fstring:
            _add(self.out, node, "PT101", "f-strings need Python 3.6; use '...'.format(...) or % formatting")
        self._in_fstring += 1
        self.generic_visit(node)
        self._in_fstring -= 1

    def visit_NamedExpr(self, node):
        _add(self.out, node, "PT102", "the walrus operator := needs Python 3.8; assign on a separate line")
        self.generic_visit(node)

    def _function(self, node):
        if node.args.posonlyargs:
            a = node.args.posonlyargs[0]
            _add(self.out, a, "PT103", f"positional-only parameters ('/' in {node.name}) need Python 3.8")
        for d in node.decorator_list:
            if not _classic_decorator(d):
                _add(self.out, d, "PT110", "this decorator expression needs Python 3.9 "
                                           "(3.5 allows only a dotted name, optionally called)")
        if isinstance(node, ast.AsyncFunctionDef):
            for sub in _own_nodes(node):
                if isinstance(sub, (ast.Yield, ast.YieldFrom)):
                    _add(self.out, sub, "PT104", f"'yield' inside 'async def {node.name}' (an asynchronous "
                                                 "generator) needs Python 3.6")
        self.generic_visit(node)

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_comprehension(self, node):
        if node.is_async:
            _add(self.out, node.target, "PT104", "'async for' in a comprehension needs Python 3.6")
        self.generic_visit(node)

    def _comp(self, node):
        for sub in ast.walk(node):
            if isinstance(sub, ast.Await):
                _add(self.out, sub, "PT104", "'await' inside a comprehension needs Python 3.6")
                break
        self.generic_visit(node)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comp

    def visit_AnnAssign(self, node):
        _add(self.out, node, "PT105", "variable annotations (x: int = ...) need Python 3.6; "
                                      "drop the annotation or use a '# type:' comment")
        self.generic_visit(node)

    def visit_ImportFrom(self, node):
        if node.module == "__future__":
            for a in node.names:
                if a.name not in FUTURE_35:
                    _add(self.out, node, "PT107", f"'from __future__ import {a.name}' is unknown to Python 3.5")
        self._stdlib(node, node.module or "")
        self.generic_visit(node)

    def visit_Import(self, node):
        for a in node.names:
            self._stdlib(node, a.name)

    def _stdlib(self, node, name):
        for mod, version in STDLIB_AFTER_35.items():
            if name == mod or name.startswith(mod + "."):
                _add(self.out, node, "PT114", f"module {mod!r} was added in Python {version}; "
                                              "Python 3.5 has no such module")

    def visit_Match(self, node):
        _add(self.out, node, "PT108", "the match statement needs Python 3.10; use if/elif")
        self.generic_visit(node)

    def visit_TryStar(self, node):
        _add(self.out, node.handlers[0], "PT109", "except* needs Python 3.11")
        self.generic_visit(node)

    def _starred_value(self, node, what):
        value = node.value
        if isinstance(value, ast.Tuple) and any(isinstance(e, ast.Starred) for e in value.elts) \
                and not _parenthesised(value):
            _add(self.out, node, "PT111", f"unparenthesised *unpacking in {what} needs Python 3.8; "
                                          "add parentheses")
        self.generic_visit(node)

    def visit_Return(self, node):
        self._starred_value(node, "return")

    def visit_Yield(self, node):
        self._starred_value(node, "yield")

    def visit_Subscript(self, node):
        sl = node.slice
        if isinstance(sl, ast.Starred) or (isinstance(sl, ast.Tuple) and any(isinstance(e, ast.Starred)
                                                                           for e in sl.elts)):
            _add(self.out, node, "PT111", "*unpacking inside [] needs Python 3.11")
        self.generic_visit(node)


def _parenthesised(node) -> bool:
    """A tuple written with parentheses starts at '(' (its col_offset points there in 3.8+ ASTs)."""
    first = node.elts[0]
    return (first.lineno, first.col_offset) != (node.lineno, node.col_offset)


def _own_nodes(fn):
    """Nodes of ``fn``'s body, not descending into nested functions, classes or lambdas."""
    stack = list(fn.body)
    while stack:
        n = stack.pop()
        yield n
        for child in ast.iter_child_nodes(n):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                stack.append(child)


def _classic_decorator(node) -> bool:
    if isinstance(node, ast.Call):
        node = node.func
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _token_checks(text: str) -> list:
    """Checks the AST cannot see: numeric underscores, parenthesised with-items, def trailing commas."""
    out = []
    try:
        toks = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)
                if t.type not in (tokenize.NL, tokenize.COMMENT)]
    except (tokenize.TokenError, SyntaxError):
        return out
    for i, t in enumerate(toks):
        if t.type == tokenize.NUMBER and "_" in t.string:
            out.append(Finding(t.start[0], t.start[1], "PT106",
                               f"numeric literal {t.string} uses '_' separators (Python 3.6+); write "
                               f"{t.string.replace('_', '')}"))
        elif t.type == tokenize.NAME and t.string == "with" and i + 1 < len(toks) and toks[i + 1].string == "(":
            close = _matching(toks, i + 1)
            if close is not None and close + 1 < len(toks) and toks[close + 1].string == ":":
                inner = toks[i + 2:close]
                depth, commas, has_as = 0, 0, False
                for u in inner:
                    if u.string in "([{" and u.type == tokenize.OP:
                        depth += 1
                    elif u.string in ")]}" and u.type == tokenize.OP:
                        depth -= 1
                    elif depth == 0 and u.string == ",":
                        commas += 1
                    elif depth == 0 and u.type == tokenize.NAME and u.string == "as":
                        has_as = True
                if has_as:
                    out.append(Finding(t.start[0], t.start[1], "PT112",
                                       "parenthesised context managers 'with (a as x, ...):' need Python "
                                       "3.10; drop the parentheses or nest the with statements"))
        elif t.type == tokenize.NAME and t.string in ("def", "lambda"):
            _def_trailing_comma(toks, i, out)
    return out


def _matching(toks, open_index):
    depth = 0
    for j in range(open_index, len(toks)):
        s = toks[j].string
        if toks[j].type == tokenize.OP and s in "([{":
            depth += 1
        elif toks[j].type == tokenize.OP and s in ")]}":
            depth -= 1
            if depth == 0:
                return j
    return None


def _def_trailing_comma(toks, i, out):
    if toks[i].string != "def" or i + 2 >= len(toks) or toks[i + 2].string != "(":
        return
    close = _matching(toks, i + 2)
    if close is None or toks[close - 1].string != ",":
        return
    # find the last top-level parameter: does it start with * or **?
    depth, start = 0, i + 3
    for j in range(i + 3, close):
        s = toks[j].string
        if toks[j].type == tokenize.OP and s in "([{":
            depth += 1
        elif toks[j].type == tokenize.OP and s in ")]}":
            depth -= 1
        elif depth == 0 and s == "," and j != close - 1:
            start = j + 1
    if toks[start].string in ("*", "**") and toks[start + 1].type == tokenize.NAME:
        out.append(Finding(toks[close - 1].start[0], toks[close - 1].start[1], "PT113",
                           "a trailing comma after *args or **kwargs needs Python 3.6"))

