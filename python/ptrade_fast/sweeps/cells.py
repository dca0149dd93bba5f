"""The cells of a sweep: a grid (dict of lists), a list of dicts, or a sampler, expanded to parameter dicts.

A **sampler** is any object with a ``cells()`` method returning an iterable of ``dict`` (parameter name →
value); the sweep calls it once and runs every dict it yields, in order.  :class:`RandomSampler` is the
built-in one (a fixed number of cells drawn from a grid with a seeded generator, so the same sampler
gives the same cells).

Every cell gets an id from its parameters alone (``c-`` + 10 hex digits of the SHA-1 of its canonical
JSON), so a resumed or extended sweep finds the cells it already ran whatever their position.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import random
from collections.abc import Iterable, Mapping

import numpy as np


def _plain(value, where: str):
    """A parameter value as a JSON-ready Python value (numpy scalars become Python ones)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, float) and value != value:
            raise ValueError(f"{where}: NaN is not a usable parameter value")
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v, where) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v, where) for k, v in value.items()}
    raise TypeError(f"{where}: value {value!r} of type {type(value).__name__} is not a number, string, "
                    f"bool, None, list or dict (sweep cells are saved as JSON)")


def canonical_json(obj) -> str:
    """The JSON text that identifies ``obj`` (sorted keys, no spaces)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def cell_id(params: dict) -> str:
    """The stable id of a cell: ``'c-'`` + the first 10 hex digits of the SHA-1 of its canonical JSON."""
    return "c-" + hashlib.sha1(canonical_json(params).encode("utf-8")).hexdigest()[:10]


def _check_cell(cell, where: str) -> dict:
    if not isinstance(cell, Mapping):
        raise TypeError(f"{where}: a cell must be a dict of parameter name -> value, was {type(cell).__name__}")
    out = {}
    for name, value in cell.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"{where}: parameter name {name!r} is not a valid attribute name for g")
        out[name] = _plain(value, f"{where}, parameter {name!r}")
    return out


def grid_cells(grid: Mapping) -> list[dict]:
    """The Cartesian product of a dict of lists, first key varying slowest (like nested for loops)."""
    names = list(grid)
    if not names:
        raise ValueError("params grid is empty: give at least one parameter with a list of values")
    axes = []
    for name in names:
        values = grid[name]
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise TypeError(f"params grid: parameter {name!r} needs a list of values, was {values!r}")
        values = list(values)
        if not values:
            raise ValueError(f"params grid: parameter {name!r} has no values")
        axes.append(values)
    return [dict(zip(names, combo)) for combo in itertools.product(*axes)]


def expand(params) -> list[dict]:
    """The cells of ``params`` (grid, list of dicts or sampler), checked, duplicates refused."""
    if hasattr(params, "cells") and callable(params.cells):
        raw, what = list(params.cells()), f"sampler {type(params).__name__}"
    elif isinstance(params, Mapping):
        raw, what = grid_cells(params), "params grid"
    elif isinstance(params, (list, tuple)):
        raw, what = list(params), "params list"
    else:
        raise TypeError("params must be a grid (dict of lists), a list of dicts, or a sampler (an object with "
                        f"a cells() method returning dicts); was {type(params).__name__}")
    if not raw:
        raise ValueError(f"{what} gave no cells")
    cells, seen = [], {}
    for i, cell in enumerate(raw):
        c = _check_cell(cell, f"{what}, cell {i}")
        cid = cell_id(c)
        if cid in seen:
            raise ValueError(f"{what}: cell {i} {c} repeats cell {seen[cid]}")
        seen[cid] = i
        cells.append(c)
    return cells


class RandomSampler:
    """``n`` distinct cells drawn at random from a grid (dict of lists), reproducibly from ``seed``.

    Parameters
    ----------
    space : dict of lists
        The values each parameter may take.
    n : int
        How many cells to draw (at most the grid's size).
    seed : int
        Seed of the generator: the same ``(space, n, seed)`` gives the same cells in the same order.
    """

    def __init__(self, space: Mapping, n: int, seed: int = 0):
        self.space = {k: list(v) for k, v in space.items()}
        total = 1
        for v in self.space.values():
            total *= len(v)
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"RandomSampler: n must be a positive integer, was {n!r}")
        if n > total:
            raise ValueError(f"RandomSampler: n={n} is more than the grid's {total} cells")
        self.n, self.seed, self.total = n, int(seed), total

    def cells(self) -> list[dict]:
        """The drawn cells (grid order indices sampled without replacement)."""
        names = list(self.space)
        out = []
        for index in random.Random(self.seed).sample(range(self.total), self.n):
            cell = {}
            for name in reversed(names):   # mixed-radix decode of the grid index, first key slowest
                index, k = divmod(index, len(self.space[name]))
                cell[name] = self.space[name][k]
            out.append({name: cell[name] for name in names})
        return out
