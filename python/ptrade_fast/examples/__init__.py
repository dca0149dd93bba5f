"""The seed's example Ptrade strategies, shipped inside the package so an installed wheel can run them.

``ptrade-fast examples`` lists them and ``ptrade-fast run --example double_ma`` runs one; from Python,
``ptrade_fast.run(ptrade_fast.examples.path("double_ma"))``.  The files are the strategies exactly as
written for Ptrade (injected globals such as ``g`` and ``order``), not modules to import.
"""
from __future__ import annotations

import difflib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def names() -> list[str]:
    """The example names (file stems), sorted."""
    return sorted(p.stem for p in HERE.glob("*.py") if not p.name.startswith("_"))


def path(name: str) -> Path:
    """The file of example ``name`` (``'double_ma'`` or ``'double_ma.py'``).

    Raises
    ------
    ValueError
        No such example; the message lists the closest names.
    """
    stem = str(name).removesuffix(".py")
    if stem not in names():
        close = difflib.get_close_matches(stem, names(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; examples: {', '.join(names())}"
        raise ValueError(f"no example named {name!r}{hint}")
    return HERE / f"{stem}.py"


def title(name: str) -> str:
    """The example's one-line description: the quoted seed title in its first comment line."""
    first = path(name).read_text(encoding="utf-8").splitlines()[0]
    if '"' in first:
        return first.split('"')[1]
    return first.lstrip("# ").strip()
