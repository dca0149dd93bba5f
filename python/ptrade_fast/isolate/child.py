"""The sandboxed child: it applies the sandbox to itself, runs the whole backtest, saves the
results folder (or the partial results of a failed run) and reports in JSON lines.

Messages to the parent (one JSON object per line on the report pipe): ``{"progress": [done,
total, "YYYY-mm-dd"]}``, ``{"echo": text}`` (the strategy log when ``log_echo`` was asked for) and a
final ``{"status": ...}``.  The parent never unpickles anything the child sends: the child runs
untrusted code, so everything it writes is parsed as JSON or as a results folder.
"""
from __future__ import annotations

import json
import os
import resource
import sys
import time
import traceback

from ..errors import IsolationError

#: Audit events turned into a clear PermissionError before the kernel refuses the system call.
_BLOCKED_EVENTS = {
    "os.system": "starting a process", "os.exec": "starting a process", "os.posix_spawn": "starting a process",
    "os.spawn": "starting a process", "os.fork": "forking", "os.forkpty": "forking",
    "subprocess.Popen": "starting a process", "pty.spawn": "starting a process",
    "socket.__new__": "opening a socket", "os.kill": "signalling a process",
}


class SandboxViolation(PermissionError):
    """Raised in the strategy by the audit hook; the kernel would refuse the call anyway."""


class CpuLimitExceeded(RuntimeError):
    def __init__(self):
        super().__init__("the CPU time limit of the isolated run was reached")


def _audit(event, args):
    what = _BLOCKED_EVENTS.get(event)
    if what is not None:
        if event == "os.kill" and args and args[0] == os.getpid():
            return
        raise SandboxViolation(1, f"{what} is not allowed in an isolated run ({event})")


class _Reporter:
    def __init__(self, fd: int):
        self.fd = fd

    def send(self, msg: dict) -> None:
        data = (json.dumps(msg, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")
        while data:
            n = os.write(self.fd, data)
            data = data[n:]


class _Echo:
    """A write-only stream for ``log_echo`` that forwards the text to the parent."""

    def __init__(self, reporter):
        self.reporter = reporter

    def write(self, text):
        self.reporter.send({"echo": str(text)})
        return len(text)

    def flush(self):
        pass


def run_job(job: dict, report_fd: int) -> int:
    """Body of the forked child; returns its exit status (never returns control to the zygote)."""
    rep = _Reporter(report_fd)
    from . import linux
    try:
        os.chdir(job["cwd"])
        tmp = os.path.join(job["out_dir"], "tmp")
        os.makedirs(tmp, exist_ok=True)
        os.environ.update(TMPDIR=tmp, HOME=tmp, MPLCONFIGDIR=tmp)
        pol = job["policy"]
        memory = _mapped_bytes() + pol["memory_mb"] * (1 << 20)
        linux.set_limits(pol["cpu_seconds"], memory, pol["file_bytes"])
        linux.restrict_files(pol["read_dirs"], pol["read_files"], pol["write_dirs"], pol["write_files"])
        linux.restrict_syscalls()
        linux.self_test(pol["probe_dir"])
    except IsolationError as exc:
        rep.send({"status": "isolation_error", "message": str(exc)})
        return 2
    except Exception as exc:
        rep.send({"status": "isolation_error", "message": f"cannot apply the sandbox: {type(exc).__name__}: {exc}"})
        return 2
    linux.install_cpu_handler(CpuLimitExceeded)
    sys.addaudithook(_audit)
    return _run(job, rep)


def _mapped_bytes() -> int:
    """Address space already mapped by the warm interpreter (the memory limit comes on top)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _run(job, rep) -> int:
    from .. import errors as E
    from ..engine.runner import Backtest
    from ..results_builder import build_result

    options = dict(job["options"])
    if job["echo"]:
        options["log_echo"] = _Echo(rep)
    progress = None
    if job["progress"]:
        def progress(done, total, day):
            rep.send({"progress": [int(done), int(total), day.isoformat()]})
    out = job["out_dir"]
    bt = None
    t0 = time.perf_counter()
    try:
        bt = Backtest(job["strategy"], options=options, progress=progress, **job["kwargs"])
        result = bt.run()
        result.save(os.path.join(out, "result"))
        usage = resource.getrusage(resource.RUSAGE_SELF)
        rep.send({"status": "ok", "run_seconds": float(result.run_seconds),
                  "cpu_seconds": usage.ru_utime + usage.ru_stime})
        return 0
    except E.StrategyRuntimeError as exc:
        saved = _save_partial(exc.partial_result, out)
        orig = exc.original
        rep.send({"status": "strategy_error", "message": str(exc), "filename": exc.filename,
                  "lineno": exc.lineno, "callback": exc.callback,
                  "sim_time": None if exc.sim_time is None else exc.sim_time.isoformat(),
                  "original": type(orig).__name__ if orig is not None else None,
                  "errno": getattr(orig, "errno", None), "partial": saved})
        return 1
    except E.StrategyLoadError as exc:
        rep.send({"status": "load_error", "message": str(exc),
                  "original": type(exc.__cause__).__name__ if exc.__cause__ else None,
                  "errno": getattr(exc.__cause__, "errno", None)})
        return 1
    except (E.DataError, ValueError, TypeError, FileNotFoundError) as exc:
        rep.send({"status": "bad_input", "type": type(exc).__name__, "message": str(exc)})
        return 1
    except BaseException as exc:  # a limit hit outside the strategy's own code, or an engine failure
        saved = False
        if bt is not None:
            try:
                saved = _save_partial(build_result(bt, time.perf_counter() - t0, complete=False), out)
            except BaseException:
                saved = False
        rep.send({"status": "engine_error", "type": type(exc).__name__, "message": str(exc),
                  "traceback": traceback.format_exc(limit=8), "partial": saved})
        return 1


def _save_partial(partial, out) -> bool:
    if partial is None:
        return False
    partial.save(os.path.join(out, "partial"))
    return True
