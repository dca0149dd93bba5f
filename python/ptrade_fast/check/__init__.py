"""``ptrade_fast.check``: will this strategy file run on the broker's platform?

>>> import ptrade_fast
>>> report = ptrade_fast.check("my_strategy.py", target="py35")
>>> for f in report.findings:
...     print(f.line, f.column, f.severity, f.code, f.message)

The file is parsed, never executed.  Checks (codes in :data:`findings.CODES`, docs/isolation.md):
syntax the target Python cannot parse (PT1xx), imports the platform forbids or does not bundle
(PT2xx), JoinQuant/RiceQuant names (PT3xx), live-only calls without an ``is_trade()`` guard
(PT4xx), API calls in phases where Ptrade refuses them (PT501), callback signatures (PT6xx).

The package module itself is callable, so ``ptrade_fast.check(path)`` works whether
``ptrade_fast.check`` was reached as the module or as the function.
"""
from __future__ import annotations

import os
import sys
import types

from .findings import CODES, SEVERITIES, CheckReport, Finding

TARGETS = ("py35", "py311")

__all__ = ["check", "CheckReport", "Finding", "CODES", "SEVERITIES", "TARGETS"]


def check(strategy, target: str = "py311", text: str | None = None) -> CheckReport:
    """Check a Ptrade strategy file for portability to the platform, without running it.

    Parameters
    ----------
    strategy : str or path
        The strategy file.
    target : {'py311', 'py35'}
        The platform edition: 'py311' (later edition, Python 3.11) or 'py35' (2022 edition,
        Python 3.5.2 with pandas 0.23).
    text : str, optional
        The source text, when it is not to be read from ``strategy`` (``strategy`` then only names it).

    Returns
    -------
    CheckReport
        ``findings`` sorted by line and column; ``exit_status`` 0 (clean), 1 (warnings), 3 (errors).

    Differences from Ptrade
    -----------------------
    Ptrade has no such function: the platform reports these problems only after upload, one at a
    time.  The check is static, so code built at run time (``eval``, ``getattr(module, name)``)
    is not followed.
    """
    from .imports import check_imports
    from .lifecycle import check_phases, check_signatures
    from .live import check_live
    from .names import check_names
    from .source import api_table, parse
    from .syntax import check_syntax

    if target not in TARGETS:
        raise ValueError(f"target must be one of {', '.join(TARGETS)}, was {target!r}")
    path = os.fspath(strategy)
    if text is None and not os.path.isfile(path):
        raise FileNotFoundError(f"strategy file not found: {path}")
    try:
        src = parse(path, text)
    except SyntaxError as exc:
        finding = Finding(exc.lineno or 1, max((exc.offset or 1) - 1, 0), "PT000",
                          f"syntax error: {exc.msg} (Python {sys.version_info[0]}.{sys.version_info[1]} "
                          "cannot parse the file, nor can the platform)")
        return CheckReport(path, target, [finding])
    api = api_table()
    findings = (check_syntax(src, target) + check_imports(src, target) + check_names(src, api)
                + check_live(src, api) + check_phases(src, api) + check_signatures(src, api))
    return CheckReport(path, target, sorted(set(findings)))


class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs):
        return check(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
