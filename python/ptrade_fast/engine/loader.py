"""Load a strategy (file, source text, module or object) into a fresh namespace holding Ptrade's globals.

A strategy never imports the API: ``g``, ``log``, every API function and the objects are injected as
globals.  Every run gets its own namespace, so ``ptrade_fast.run(module)`` twice in one process gives
two identical backtests and never writes into the caller's module.

Imports are checked against the platform's environment (docs/engine.md, "Imports"): the libraries the
platform bundles (``PLATFORM_LIBRARIES``) and the standard library, minus what the platform's sandbox
refuses (``BLOCKED_MODULES``: ``os``, ``subprocess``, network modules …).  Anything else is refused with a
message naming the library; ``sandbox=False`` (CLI ``--no-sandbox``) lifts the check.  ``time.sleep``
does nothing in a backtest.
"""
from __future__ import annotations

import builtins
import copy
import os
import sys
import types

from ..errors import StrategyLoadError

# The platform's sandbox refuses file-system, process and network access (§K).
BLOCKED_MODULES = frozenset({
    "os", "subprocess", "socket", "requests", "urllib", "urllib3", "http", "ftplib", "smtplib", "shutil",
    "multiprocessing", "ctypes", "pty", "signal", "importlib", "xmlrpc", "telnetlib", "poplib", "imaplib",
    "nntplib", "socketserver", "webbrowser",
    # the low-level modules behind them
    "posix", "nt", "_posixsubprocess", "_socket", "_ctypes", "_multiprocessing", "_winapi", "_signal",
})

# Top-level import names of the libraries the platform bundles (§K), with the packages they pull in
# that strategies import directly (dateutil, pytz, patsy, joblib, six).  Values: the pip project.
PLATFORM_LIBRARIES = {
    "numpy": "numpy", "pandas": "pandas", "scipy": "scipy", "sklearn": "scikit-learn",
    "statsmodels": "statsmodels", "talib": "TA-Lib", "arch": "arch", "cvxopt": "cvxopt",
    "hmmlearn": "hmmlearn", "xgboost": "xgboost", "tensorflow": "tensorflow", "keras": "keras",
    "theano": "Theano", "gensim": "gensim", "jieba": "jieba", "matplotlib": "matplotlib",
    "seaborn": "seaborn", "sqlalchemy": "SQLAlchemy", "pymysql": "PyMySQL", "tushare": "tushare",
    "zipline": "zipline", "tables": "tables", "h5py": "h5py", "xlrd": "xlrd", "xlwt": "xlwt",
    "logbook": "Logbook", "apscheduler": "APScheduler", "walrus": "walrus", "mplfinance": "mplfinance",
    "baostock": "baostock", "gqdata": "gqdata", "dateutil": "python-dateutil", "pytz": "pytz",
    "patsy": "patsy", "joblib": "joblib", "six": "six",
}

# Installed by ``pip install "ptrade_fast[platform]"`` (the others are not published as wheels for a
# current Python, or are too heavy to be worth it: tensorflow, Theano, zipline, gqdata …).
PLATFORM_EXTRA = frozenset({"scipy", "sklearn", "statsmodels", "talib", "arch", "cvxopt", "hmmlearn",
                            "xgboost", "matplotlib", "seaborn", "sqlalchemy", "pymysql", "xlrd", "xlwt", "h5py",
                            "tables", "mplfinance", "patsy", "joblib", "dateutil", "pytz", "numpy", "pandas",
                            "apscheduler", "logbook", "gensim"})

STDLIB_MODULES = frozenset(sys.stdlib_module_names) - BLOCKED_MODULES

REQUIRED_CALLBACKS = ("initialize", "handle_data")
OPTIONAL_CALLBACKS = ("before_trading_start", "after_trading_end", "tick_data", "on_order_response",
                      "on_trade_response")

_LIFT = "run with --no-sandbox (CLI) or ptrade_fast.run(..., sandbox=False) to allow it locally"


def _sleepless_time():
    import time as _time

    mod = types.ModuleType("time", _time.__doc__)
    mod.__dict__.update({k: v for k, v in _time.__dict__.items() if not k.startswith("__")})
    mod.sleep = lambda seconds=0: None  # a backtest never waits (§K)
    return mod


def import_refusal(name: str) -> str | None:
    """Why the platform refuses ``import name`` (``None`` when it allows it)."""
    top = name.split(".")[0]
    if top in BLOCKED_MODULES:
        return (f"import of {name!r} is not allowed in a Ptrade strategy: the platform's sandbox blocks file, "
                f"process and network access ({top})")
    if top in STDLIB_MODULES or top in PLATFORM_LIBRARIES:
        return None
    return (f"import of {name!r} is not allowed in a Ptrade strategy: the platform does not bundle the "
            f"library {top!r} (docs/engine.md lists the libraries it has)")


def make_builtins(path: str, sandbox: bool) -> dict:
    """The strategy's ``__builtins__``: the real ones with the platform's import guard."""
    real_import = builtins.__import__
    sleepless = _sleepless_time()

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        if sandbox and level == 0:
            why = import_refusal(name)
            if why:
                raise ImportError(f"{path}: {why}; {_LIFT}")
        if name == "time":
            return sleepless
        try:
            return real_import(name, globals, locals, fromlist, level)
        except ModuleNotFoundError as exc:
            top = name.split(".")[0]
            if level == 0 and exc.name and exc.name.split(".")[0] == top and top in PLATFORM_LIBRARIES:
                hint = ('pip install "ptrade_fast[platform]"' if top in PLATFORM_EXTRA
                        else f"pip install {PLATFORM_LIBRARIES[top]}")
                raise ModuleNotFoundError(f"{path}: the platform bundles {PLATFORM_LIBRARIES[top]} ({top!r}) but "
                                          f"it is not installed here: {hint}", name=exc.name) from None
            raise

    b = dict(builtins.__dict__)
    b["__import__"] = guarded_import
    return b


def load_strategy(strategy, injected: dict, sandbox: bool = True) -> tuple[dict, str]:
    """Build the strategy's namespace: ``injected`` (the Ptrade globals) plus the strategy's own names.

    ``strategy`` is a path to a ``.py`` file, source text (with a ``\\n``), a module object, or any object
    with ``initialize`` and ``handle_data`` attributes (e.g. a class instance).  Each call makes a fresh
    namespace; a module or object given by the caller is never modified.  Returns ``(namespace, path)``.
    Raises :class:`StrategyLoadError` naming the file and line for a missing file, a syntax error, an
    exception at import time, or a missing required callback.
    """
    if isinstance(strategy, types.ModuleType):
        path = getattr(strategy, "__file__", None) or f"<module {strategy.__name__}>"
        ns = _fresh_namespace(vars(strategy), injected)
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
    elif all(hasattr(strategy, name) for name in REQUIRED_CALLBACKS):
        return _object_namespace(strategy, injected)
    else:
        raise TypeError(f"strategy must be a file path, source text, a module or an object with initialize and "
                        f"handle_data, was {type(strategy).__name__}")

    try:
        code = compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise StrategyLoadError(f"{exc.filename}:{exc.lineno}: syntax error: {exc.msg}\n    {(exc.text or '').rstrip()}") from None

    module = types.ModuleType("__strategy__")
    ns = module.__dict__
    ns.update(injected)
    ns.update({"__name__": "__strategy__", "__file__": path, "__builtins__": make_builtins(path, sandbox)})
    try:
        exec(code, ns)
    except Exception as exc:  # the strategy's own top-level code failed
        from ..errors import strategy_frame
        f, line, src = strategy_frame(exc, path)
        where = f"{f}:{line}: " if f else f"{path}: "
        raise StrategyLoadError(f"{where}{type(exc).__name__}: {exc} (while loading the strategy)\n    {src}") from exc
    _check_callbacks(ns, path)
    return ns, path


def _copy_value(value):
    """A run's own copy of a module-level value: data is deep-copied (so one run's mutations never reach
    the next), modules, classes and anything that cannot be copied are shared."""
    if isinstance(value, (types.ModuleType, type, types.BuiltinFunctionType)) or callable(value):
        return value
    try:
        return copy.deepcopy(value)
    except Exception:  # an uncopyable object (a lock, a connection): shared, as Python would
        return value


def _rebind(fn, old_globals: dict, ns: dict):
    """``fn`` with ``ns`` as its globals when it was defined in ``old_globals`` (else ``fn`` itself)."""
    if isinstance(fn, types.FunctionType) and fn.__globals__ is old_globals:
        new = types.FunctionType(fn.__code__, ns, fn.__name__, fn.__defaults__, fn.__closure__)
        new.__kwdefaults__ = copy.copy(fn.__kwdefaults__)
        new.__dict__.update(fn.__dict__)
        new.__qualname__, new.__doc__, new.__module__ = fn.__qualname__, fn.__doc__, fn.__module__
        return new
    return fn


def _fresh_namespace(module_dict: dict, injected: dict) -> dict:
    """A new namespace holding ``injected`` then the module's own names (the strategy's definitions win),
    its functions re-created over the new namespace so their global names resolve there."""
    ns = types.ModuleType("__strategy__").__dict__
    ns.update(injected)
    for name, value in module_dict.items():
        if name in ("__builtins__", "__loader__", "__spec__"):
            continue
        ns[name] = _rebind(value, module_dict, ns) if isinstance(value, types.FunctionType) else _copy_value(value)
    ns["__name__"] = "__strategy__"
    return ns


def _object_namespace(obj, injected: dict) -> tuple[dict, str]:
    """A strategy given as an object: its callbacks are its methods, re-created over a fresh namespace (a
    copy of the defining module's names plus the Ptrade globals) so the API names resolve inside them.
    The caller's object is not modified: the methods are bound to a shallow copy of it."""
    cls = type(obj)
    mod = sys.modules.get(getattr(cls, "__module__", ""), None)
    path = getattr(mod, "__file__", None) or f"<{cls.__name__} object>"
    module_dict = vars(mod) if mod is not None else {}
    ns = _fresh_namespace(module_dict, injected)
    try:
        inst = copy.copy(obj)
    except Exception:
        inst = obj
    for name in REQUIRED_CALLBACKS + OPTIONAL_CALLBACKS:
        attr = getattr(obj, name, None)
        if attr is None:
            continue
        if isinstance(attr, types.MethodType) and attr.__self__ is obj:
            func = attr.__func__
            ns[name] = types.MethodType(_rebind(func, getattr(func, "__globals__", None), ns), inst)
        elif isinstance(attr, types.FunctionType):   # a plain function stored on the object
            ns[name] = _rebind(attr, attr.__globals__, ns)
        else:
            ns[name] = attr
    # Helper methods the callbacks call through ``self`` resolve the API names in the fresh namespace too.
    helpers = {}
    for klass in cls.__mro__[:-1]:
        for name, value in vars(klass).items():
            if isinstance(value, types.FunctionType) and name not in helpers:
                helpers[name] = _rebind(value, value.__globals__, ns)
    if helpers and inst is not obj:
        try:
            inst.__class__ = type(cls.__name__, (cls,), helpers)
        except TypeError:   # a class whose instances cannot change class: callbacks still resolve the API
            pass
    _check_callbacks(ns, path)
    return ns, path


def _check_callbacks(ns: dict, path: str) -> None:
    missing = [name for name in REQUIRED_CALLBACKS if not callable(ns.get(name))]
    if missing:
        raise StrategyLoadError(f"{path}: a Ptrade strategy must define {' and '.join(missing)}(...)")
