"""Escape attempts under ``isolate=True``: each fails with a clear message, the outside folder stays
untouched, and the results up to the attack are saved (``exc.partial_result``)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ptrade_fast
from ptrade_fast.errors import StrategyRuntimeError

pytestmark = pytest.mark.needs_isolation

ESCAPES = Path(__file__).resolve().parent / "escapes"
NOTE = "isolate: the sandbox refused this"

# escape file -> (the strategy error's first line must contain this, note expected in the message)
CASES = {
    "sys_modules_os_system": ("SandboxViolation: [Errno 1] starting a process is not allowed in an isolated run (os.system)", NOTE),
    "importlib_subprocess": ("SandboxViolation: [Errno 1] starting a process is not allowed in an isolated run (subprocess.Popen)", NOTE),
    "builtins_import_os": ("SandboxViolation: [Errno 1] starting a process is not allowed in an isolated run (os.system)", NOTE),
    "subclasses_popen": ("starting a process is not allowed in an isolated run", NOTE),
    "pickle_payload": ("SandboxViolation: [Errno 1] starting a process is not allowed in an isolated run (os.system)", NOTE),
    "ctypes_importlib": ("PermissionError: [Errno 1] libc system() failed with errno 1", NOTE),
    "socket_importlib": ("SandboxViolation: [Errno 1] opening a socket is not allowed in an isolated run (socket.__new__)", NOTE),
    "open_outside": ("PermissionError: [Errno 13] Permission denied: '{outside}/secret.txt'", NOTE),
    "pathlib_outside": ("PermissionError: [Errno 13] Permission denied: '{outside}/secret.txt'", NOTE),
    "pandas_read_csv_outside": ("PermissionError: [Errno 13] Permission denied: '{outside}/data.csv'", NOTE),
    "numpy_load_outside": ("PermissionError: [Errno 13] Permission denied: '{outside}/arr.npy'", NOTE),
    "write_outside": ("PermissionError: [Errno 13] Permission denied: '{outside}/pwned'", NOTE),
    "fork": ("SandboxViolation: [Errno 1] forking is not allowed in an isolated run (os.fork)", NOTE),
    "memory": ("MemoryError", "isolate: the run's memory limit was reached"),
    "cpu": ("CpuLimitExceeded: the CPU time limit of the isolated run was reached",
            "isolate: the run's CPU time limit was reached"),
    "gc_engine": ("SandboxViolation: [Errno 1] starting a process is not allowed in an isolated run (os.system)", NOTE),
}


@pytest.fixture
def arena(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("the user's secret\n")
    (outside / "data.csv").write_text("a,b\n1,2\n")
    np.save(outside / "arr.npy", np.arange(3))
    return tmp_path, outside


def _strategy(name, tmp, outside) -> Path:
    text = (ESCAPES / f"{name}.py").read_text(encoding="utf-8").replace("__OUTSIDE__", str(outside))
    path = tmp / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    return path


def _run(path, tmp, **extra):
    # The import guard is off: isolation must hold by itself (the guard is a portability aid, not a boundary).
    return ptrade_fast.run(path, start="2024-01-02", end="2024-01-31", research_path=str(tmp / "research"),
                           isolate=True, sandbox=False, **extra)


@pytest.mark.parametrize("name", sorted(CASES))
def test_escape_attempt_fails_with_a_clear_message_and_partial_results(name, arena):
    tmp, outside = arena
    path = _strategy(name, tmp, outside)
    limits = {"isolate_memory_mb": 256} if name == "memory" else {"isolate_cpu_seconds": 3} if name == "cpu" else {}
    with pytest.raises(StrategyRuntimeError) as info:
        _run(path, tmp, **limits)
    first, note = CASES[name]
    message = str(info.value)
    assert message.startswith(f"{path}:")
    assert first.format(outside=outside) in message.splitlines()[0]
    assert "in handle_data at simulated time 2024-01-04 15:00:00" in message
    assert message.splitlines()[-1] == f"    {note}" or note in message
    assert sorted(p.name for p in outside.iterdir()) == ["arr.npy", "data.csv", "secret.txt"]
    partial = info.value.partial_result
    assert partial is not None and partial.meta["complete"] is False
    assert [d.isoformat() for d in partial.portfolio.index.date] == ["2024-01-02", "2024-01-03"]
    assert partial.orders["code"].tolist() == ["600570.SS"]
    assert "attacking" in partial.logs["message"].tolist() or name in ("memory", "cpu")


def test_gc_reaches_the_engine_objects_inside_the_sandbox(arena):
    """The boundary protects the machine, not the engine's state: the strategy shares its process."""
    tmp, outside = arena
    with pytest.raises(StrategyRuntimeError) as info:
        _run(_strategy("gc_engine", tmp, outside), tmp)
    assert "engine objects reachable: 1" in info.value.partial_result.logs["message"].tolist()


def test_without_isolation_the_import_guard_is_no_boundary(arena):
    tmp, outside = arena
    path = _strategy("sys_modules_os_system", tmp, outside)
    ptrade_fast.run(path, start="2024-01-02", end="2024-01-05", research_path=str(tmp / "research"))
    assert (outside / "pwned").exists()


def test_the_research_folder_stays_writable(tmp_path):
    path = tmp_path / "research_writer.py"
    path.write_text(
        "def initialize(context):\n    set_universe(['600570.SS'])\n\n"
        "def handle_data(context, data):\n"
        "    with open(get_research_path() + 'note.txt', 'a') as fh:\n"
        "        fh.write(str(context.blotter.current_dt.date()) + '\\n')\n", encoding="utf-8")
    _run(path, tmp_path)
    assert (tmp_path / "research" / "note.txt").read_text().splitlines() == [
        "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08", "2024-01-09", "2024-01-10",
        "2024-01-11", "2024-01-12", "2024-01-15", "2024-01-16", "2024-01-17", "2024-01-18", "2024-01-19",
        "2024-01-22", "2024-01-23", "2024-01-24", "2024-01-25", "2024-01-26", "2024-01-29", "2024-01-30",
        "2024-01-31"]
