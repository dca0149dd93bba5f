"""Load a strategy file (or module) into a namespace holding Ptrade's globals, as the platform does.

A strategy never imports the API: ``g``, ``log``, every API function and the objects are injected as
globals.  Like the platform (§0.2, §K), imports of ``os``, ``subprocess``, network modules and the
like are refused (option ``sandbox=False`` lifts this), and ``time.sleep`` does nothing.
"""
from __future__ import annotations

import builtins
import os
import sys
import types

from ..errors import StrategyLoadError

BLOCKED_MODULES = {"os", "subprocess", "socket", "requests", "urllib", "urllib3", "http", "ftplib",
                   "smtplib", "shutil", "multiprocessing", "ctypes", "pty", "signal"}

REQUIRED_CALLBACKS = ("initialize", "handle_data")
OPTIONAL_CALLBACKS = ("before_trading_start", "after_trading_end", "tick_data", "on_order_response",
                      "on_trade_response")


def _sleepless_time():
    import time as _time

    mod = types.ModuleType("time", _time.__doc__)
    mod.__dict__.update({k: v for k, v in _time.__dict__.items() if not k.startswith("__")})
    mod.sleep = lambda seconds=0: None  # a backtest never waits (§K)
    return mod


def make_builtins(path: str, sandbox: bool) -> dict:
    """The strategy's ``__builtins__``: the real ones with an import guard."""
    real_import = builtins.__import__
    sleepless = _sleepless_time()

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        top = name.split(".")[0]
        if sandbox and top in BLOCKED_MODULES:
            raise ImportError(f"import of {name!r} is not allowed in a Ptrade strategy ({path}); the platform "
                              f"blocks it (run with sandbox=False to allow it locally)")
        if top == "time" and name == "time":
            return sleepless
        return real_import(name, globals, locals, fromlist, level)

    b = dict(builtins.__dict__)
    b["__import__"] = guarded_import
    return b


def load_strategy(strategy, injected: dict, sandbox: bool = True) -> tuple[dict, str]:
    """Execute the strategy's module body in a namespace pre-filled with ``injected``.

    ``strategy`` is a path to a ``.py`` file, or source text (with a ``\\n``), or a module object.
    Returns ``(namespace, path)``.  Raises :class:`StrategyLoadError` naming the file and line for a
    missing file, a syntax error, an exception at import time, or a missing required callback.
    """
    if isinstance(strategy, types.ModuleType):
        ns = vars(strategy)
        path = getattr(strategy, "__file__", None) or "<module>"
        for k, v in injected.items():
            ns.setdefault(k, v)
        _check_callbacks(ns, path)
        return ns, path
    if isinstance(strategy, os.PathLike) or (isinstance(strategy, str) and "\n" not in strategy):
        path = os.path.abspath(os.fspath(strategy))
        if not os.path.isfile(path):
            raise StrategyLoadError(f"strategy file not found: {path}")
        with open(path, "rb") as fh:
            raw = fh.read()
        try:
            source = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            source = raw.decode("gbk")  # strategies exported from Windows tools are often GBK
    elif isinstance(strategy, str):
        path, source = "<strategy>", strategy
    else:
        raise TypeError(f"strategy must be a file path, source text or a module, was {type(strategy).__name__}")

    try:
        code = compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise StrategyLoadError(f"{exc.filename}:{exc.lineno}: syntax error: {exc.msg}\n    {(exc.text or '').rstrip()}") from None

    ns: dict = {"__name__": "__strategy__", "__file__": path, "__builtins__": make_builtins(path, sandbox)}
    ns.update(injected)
    module = types.ModuleType("__strategy__")
    module.__dict__.update(ns)
    ns = module.__dict__
    try:
        exec(code, ns)
    except Exception as exc:  # the strategy's own top-level code failed
        from ..errors import strategy_frame
        f, line, src = strategy_frame(exc, path)
        where = f"{f}:{line}: " if f else f"{path}: "
        raise StrategyLoadError(f"{where}{type(exc).__name__}: {exc} (while loading the strategy)\n    {src}") from exc
    _check_callbacks(ns, path)
    return ns, path


def _check_callbacks(ns: dict, path: str) -> None:
    missing = [name for name in REQUIRED_CALLBACKS if not callable(ns.get(name))]
    if missing:
        raise StrategyLoadError(f"{path}: a Ptrade strategy must define {' and '.join(missing)}(...)")
