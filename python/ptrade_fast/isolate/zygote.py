"""The zygote: a clean interpreter that imports the engine once and forks one child per run.

Started by the parent with ``python -s`` (no user site), an explicit ``sys.path`` and a minimal
environment (``PATH``, ``LANG``, ``LC_ALL``, and ``PYTHONHASHSEED`` when the caller fixed one), so a
forked child holds nothing of the user's process: no environment secrets, no notebook objects.
Requests arrive on stdin as length-prefixed pickles written by the parent (the trusted direction);
for each, the zygote forks a child (``child.run_job``), waits for it and answers ``{"exit": code}``
(negative: killed by that signal) on the report pipe the request names.  The zygote and each child
are killed by the kernel when their parent ends (``PR_SET_PDEATHSIG``).
"""
from __future__ import annotations

import json
import os
import pickle
import struct
import sys


def _read_exact(fh, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = fh.read(n - len(data))
        if not chunk:
            return b""
        data += chunk
    return data


def _die_with_parent() -> None:
    """PR_SET_PDEATHSIG: the kernel kills this process when its parent ends (no orphans)."""
    import ctypes
    import signal
    ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)


_WARM_UP = """
def initialize(context):
    set_universe(['600570.SS'])
def handle_data(context, data):
    h = get_history(5, '1d', 'close', '600570.SS')
    order_value('600570.SS', 10000) if len(h) == 5 else None
    log.info('warm-up')
"""


def _warm_up() -> None:
    """Run a tiny backtest on the bundled sample and save and load its results, so the lazily
    imported modules and one-time set-ups of a run are done once here, not in every child."""
    import shutil
    import tempfile

    from ..engine.runner import Backtest
    from ..result import Result
    tmp = tempfile.mkdtemp(prefix="ptrade_fast_zygote_")
    try:
        bt = Backtest(_WARM_UP, start="2024-01-02", end="2024-01-12", options={"research_path": tmp})
        result = bt.run()
        Result.load(result.save(os.path.join(tmp, "r"))).metrics
    except Exception:
        pass   # a missing sample bundle only costs the children their warm start
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    # Import what every run needs before any fork: children start warm, and no import happens
    # after the sandbox is applied except the strategy's own.
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401
    from ..engine import runner  # noqa: F401
    from .. import results_builder, result  # noqa: F401
    from . import child, linux  # noqa: F401

    _die_with_parent()
    _warm_up()
    import gc
    gc.freeze()   # children's collections skip the warm objects: fewer copy-on-write pages
    stdin = sys.stdin.buffer
    ready = int(sys.argv[1]) if len(sys.argv) > 1 else None
    if ready is not None:
        os.write(ready, b"ready\n")
        os.close(ready)
    while True:
        head = _read_exact(stdin, 4)
        if not head:
            return
        job = pickle.loads(_read_exact(stdin, struct.unpack("<I", head)[0]))
        report_fd = os.open(job["report_path"], os.O_WRONLY)
        pid = os.fork()
        if pid == 0:
            code = 70
            try:
                _die_with_parent()
                os.setsid()
                os.close(0)
                code = child.run_job(job, report_fd)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        msg = {"exit": os.waitstatus_to_exitcode(status)}
        # A leading newline ends whatever partial line the child left, so this one always parses.
        os.write(report_fd, ("\n" + json.dumps(msg) + "\n").encode())
        os.close(report_fd)
