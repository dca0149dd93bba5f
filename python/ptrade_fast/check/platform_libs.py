"""The libraries the Ptrade platform bundles, per edition (docs/isolation.md, "What check knows").

Import names (what a strategy writes after ``import``), not distribution names.  The 2022 edition
runs Python 3.5.2; the later edition Python 3.11 and adds a few libraries.
"""
from __future__ import annotations

import sys

#: Third-party libraries of the Python 3.5 edition (and their import-time dependencies).
BUNDLED_PY35 = frozenset({
    "numpy", "pandas", "scipy", "sklearn", "statsmodels", "talib", "arch", "cvxopt", "hmmlearn",
    "xgboost", "tensorflow", "keras", "theano", "gensim", "jieba", "matplotlib", "seaborn",
    "sqlalchemy", "pymysql", "tushare", "zipline", "tables", "h5py", "xlrd", "xlwt", "logbook",
    "apscheduler", "requests", "walrus",
    "pytz", "dateutil", "six", "patsy", "mpl_toolkits", "pylab",
})
#: Added by the later (Python 3.11) edition.
BUNDLED_PY311_ONLY = frozenset({"gqdata", "mplfinance", "baostock"})

#: Refused by the platform whatever the edition: ``os``, processes, the network, native code (§K).
FORBIDDEN = frozenset({
    "os", "subprocess", "socket", "ssl", "shutil", "multiprocessing", "ctypes", "cffi", "pty", "signal",
    "urllib", "urllib2", "urllib3", "http", "httplib", "ftplib", "smtplib", "poplib", "imaplib",
    "telnetlib", "xmlrpc", "socketserver", "asyncore", "asynchat", "webbrowser",
})
#: Installed on the platform but useless there: the broker's servers have no outbound network.
NETWORK_LIBS = frozenset({"requests", "tushare", "baostock"})


def stdlib_modules() -> frozenset:
    """Top-level standard-library module names (of this Python, 3.10+)."""
    return frozenset(sys.stdlib_module_names)


def bundled(target: str) -> frozenset:
    """Third-party import names available on the ``target`` edition ('py35' or 'py311')."""
    return BUNDLED_PY35 | (BUNDLED_PY311_ONLY if target == "py311" else frozenset())
