"""The parent side of an isolated run: the zygote process, the report pipe, and turning the
child's report into a Result or the same exceptions a normal run raises."""
from __future__ import annotations

import atexit
import datetime as _dt
import json
import os
import pickle
import shutil
import struct
import subprocess
import sys
import tempfile
import threading

from .. import errors as E

#: Explanations appended to a strategy error caused by the sandbox.
NOTES = {
    "PermissionError": "isolate: the sandbox refused this (no processes, sockets or signals to other "
                       "processes; files only beneath the data root (read-only) and the research/output "
                       "folders)",
    "MemoryError": "isolate: the run's memory limit was reached",
    "CpuLimitExceeded": "isolate: the run's CPU time limit was reached",
    "SandboxViolation": "isolate: the sandbox refused this",
}
MAX_LINE = 1 << 20
_BAD_INPUT = {"DataError": E.DataError, "ValueError": ValueError, "TypeError": TypeError,
              "FileNotFoundError": FileNotFoundError}


class Zygote:
    """One warm, clean interpreter per Python process; runs are serialised through it."""

    _instance = None
    _lock = threading.Lock()

    def __init__(self, paths: list):
        boot = ("import sys; sys.path[:] = %r; from ptrade_fast.isolate.zygote import main; main()" % (paths,))
        r, w = os.pipe()
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        if os.environ.get("PYTHONHASHSEED"):   # a fixed hash seed keeps set order equal to this process's
            env["PYTHONHASHSEED"] = os.environ["PYTHONHASHSEED"]
        # -s: no user site; the environment is ours (no other PYTHON* variable), sys.path set explicitly
        self.proc = subprocess.Popen([sys.executable, "-s", "-c", boot, str(w)], stdin=subprocess.PIPE,
                                     env=env, pass_fds=(w,), close_fds=True, cwd="/")
        os.close(w)
        with os.fdopen(r, "rb") as fh:
            line = fh.readline()
        if line != b"ready\n":
            self.proc.kill()
            self.proc.wait()
            raise E.IsolationError("the isolated interpreter failed to start (see the messages above)")
        self.paths = paths

    @classmethod
    def get(cls, paths: list) -> "Zygote":
        z = cls._instance
        if z is None or z.proc.poll() is not None or z.paths != paths:
            if z is not None:
                z.close()
            z = cls._instance = Zygote(paths)
        return z

    def submit(self, job: dict) -> None:
        data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        self.proc.stdin.write(struct.pack("<I", len(data)) + data)
        self.proc.stdin.flush()

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except Exception:
            self.proc.kill()
            self.proc.wait()


@atexit.register
def _stop_zygote():
    if Zygote._instance is not None:
        Zygote._instance.close()
        Zygote._instance = None


def execute(job: dict, policy, progress=None, echo=None):
    """Run ``job`` in a fresh sandboxed child; return the Result or raise like a normal run."""
    from ..result import Result

    out = policy.out_dir
    fifo = os.path.join(out, "report.fifo")
    os.mkfifo(fifo, 0o600)
    job["report_path"] = fifo
    job["out_dir"] = out
    with Zygote._lock:
        zygote = Zygote.get(policy.python_paths)
        try:
            messages = _collect(zygote, job, fifo, progress, echo)
        except BaseException:   # interrupted (Ctrl-C) or a failing callback: stop the child with the zygote
            zygote.proc.kill()
            zygote.proc.wait()
            Zygote._instance = None
            raise
    exits = [m for m in messages if set(m) == {"exit"}]
    status = next((m for m in reversed(messages) if "status" in m), None)
    code = exits[-1]["exit"] if exits else None
    return _outcome(status, code, out, Result)


def _collect(zygote, job, fifo, progress, echo) -> list:
    """Submit the job and read the report pipe to its end, relaying progress and log lines.

    The child runs untrusted code, so its lines are capped (1 MiB) and unreadable ones are skipped.
    """
    zygote.submit(job)
    messages = []
    with open(fifo, "rb") as fh:
        while True:
            raw = fh.readline(MAX_LINE)
            if not raw:
                return messages
            if not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):   # an oversized line: drop the rest of it
                    raw = fh.readline(MAX_LINE)
                continue
            try:
                msg = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue
            if not isinstance(msg, dict):
                continue
            if "progress" in msg and progress is not None:
                _relay_progress(progress, msg["progress"])
            elif "echo" in msg and echo is not None and isinstance(msg["echo"], str):
                echo.write(msg["echo"])
            else:
                messages.append(msg)


def _relay_progress(progress, value):
    if isinstance(value, list) and len(value) == 3 and all(isinstance(v, int) for v in value[:2]):
        try:
            day = _dt.date.fromisoformat(value[2])
        except (TypeError, ValueError):
            return
        progress(value[0], value[1], day)


def _load(Result, out, name):
    path = os.path.join(out, name)
    if not os.path.isfile(os.path.join(path, "portfolio.parquet")):
        return None
    result = Result.load(path)
    result.path = None   # the folder is temporary; save() writes the user's copy
    return result


def _outcome(status, code, out, Result):
    if status is None:
        how = f"exit status {code}" if code is not None and code >= 0 else f"signal {-code}" if code else "no status"
        partial = _load(Result, out, "partial")
        err = E.IsolationError(f"the isolated run ended without a report ({how}); a CPU limit kill "
                               "or an interpreter crash ends it this way")
        err.partial_result = partial
        raise err
    kind = status.get("status")
    msg = str(status.get("message", ""))
    if kind == "ok" and code == 0:
        result = _load(Result, out, "result")
        if result is None:
            raise E.IsolationError("the isolated run reported success but wrote no results folder")
        rs, cpu = status.get("run_seconds"), status.get("cpu_seconds")
        result.run_seconds = float(rs) if isinstance(rs, (int, float)) else 0.0
        # CPU seconds (user + system) the child used, as it reported them (for benchmarks; never saved)
        result.isolated_cpu_seconds = float(cpu) if isinstance(cpu, (int, float)) else float("nan")
        return result
    if kind == "strategy_error":
        note = NOTES.get(str(status.get("original")))
        if note is None and status.get("errno") in (1, 13):
            note = NOTES["PermissionError"]
        sim = status.get("sim_time")
        try:
            sim = _dt.datetime.fromisoformat(sim) if isinstance(sim, str) else None
        except ValueError:
            sim = None
        err = E.StrategyRuntimeError(msg + (f"\n    {note}" if note else ""), status.get("filename"),
                                     status.get("lineno"), str(status.get("callback")), sim, None)
        err.partial_result = _load(Result, out, "partial")
        raise err
    if kind == "load_error":
        note = NOTES.get(str(status.get("original")))
        if note is None and status.get("errno") in (1, 13):
            note = NOTES["PermissionError"]
        raise E.StrategyLoadError(msg + (f"\n    {note}" if note else ""))
    if kind == "bad_input":
        raise _BAD_INPUT.get(str(status.get("type")), E.IsolationError)(msg)
    if kind == "isolation_error":
        raise E.IsolationError(msg)
    note = NOTES.get(str(status.get("type")), "")
    err = E.IsolationError(f"the isolated run failed outside the strategy: {status.get('type')}: {msg}"
                           + (f"\n    {note}" if note else "") + f"\n{status.get('traceback', '')}")
    err.partial_result = _load(Result, out, "partial")
    raise err


def make_out_dir() -> str:
    return tempfile.mkdtemp(prefix="ptrade_fast_isolate_")


def remove_out_dir(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)
