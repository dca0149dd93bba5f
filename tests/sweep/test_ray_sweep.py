"""The Ray backend on a real local cluster (127.0.0.1): a worker killed mid-sweep, every cell still equal
to its single run.  Needs ``pip install "ptrade_fast[ray]"`` (CI installs it); marked ``ray``."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

import ptrade_fast
from sweep_checks import SPAN, STRATEGY, assert_cells_equal_single_runs

pytestmark = pytest.mark.ray
ray = pytest.importorskip("ray")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children() -> dict[int, int]:
    """pid -> parent pid of every process we can see."""
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                out[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    return out


def _descendants(root: int) -> set[int]:
    parents = _children()
    found, frontier = set(), {root}
    while frontier:
        kids = {p for p, pp in parents.items() if pp in frontier and p not in found}
        found |= kids
        frontier = kids
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _state(pid: int) -> str:
    """The process's state letter ('' once it is gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


def _ours(head: subprocess.Popen, temp_dir: str) -> set[int]:
    """The cluster's processes: descendants of our `ray start --block`, and any naming our temp dir."""
    pids = _descendants(head.pid)
    pids |= {p for p in _children() if temp_dir in _cmdline(p)}
    return {p for p in pids if p != os.getpid()}


@pytest.fixture
def cluster(monkeypatch):
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    # A short temp dir (Ray's socket paths are limited).  Ray advertises the machine's own address even
    # for --node-ip-address=127.0.0.1; the cluster still lives on this machine only.  The head runs with
    # --block, so stopping it (SIGTERM) is this cluster's `ray stop`; the plain `ray stop` command would
    # stop every Ray process on the machine, not just ours.
    temp_dir = tempfile.mkdtemp(prefix="pfray", dir="/tmp")
    port = _free_port()
    ray_bin = str(Path(sys.executable).parent / "ray")
    log = open(Path(temp_dir) / "head.log", "wb")
    # Free ports for the components that would otherwise take a fixed default port (52365, ...).
    extra = [f"--{name}={_free_port()}" for name in (
        "dashboard-agent-listen-port", "dashboard-agent-grpc-port",
        "runtime-env-agent-port", "metrics-export-port")]
    head = subprocess.Popen(
        [ray_bin, "start", "--head", "--block", "--node-ip-address=127.0.0.1", f"--port={port}",
         f"--temp-dir={temp_dir}", "--num-cpus=2", f"--object-store-memory={100 * 1024 * 1024}",
         "--include-dashboard=false", "--disable-usage-stats", *extra],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not list(Path(temp_dir).glob("session_*/sockets/raylet")):
            if head.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("ray start failed:\n" + (Path(temp_dir) / "head.log").read_text(errors="replace"))
            time.sleep(0.5)
        yield f"127.0.0.1:{port}", head, temp_dir
    finally:
        if ray.is_initialized():
            ray.shutdown()
        pids = _ours(head, temp_dir)
        head.send_signal(signal.SIGTERM)
        try:
            head.wait(timeout=30)
        except subprocess.TimeoutExpired:
            head.kill()
            head.wait()
        deadline = time.monotonic() + 20
        while (alive := [p for p in pids | _ours(head, temp_dir) if Path(f"/proc/{p}").exists()]) \
                and time.monotonic() < deadline:
            time.sleep(0.5)
        for p in alive:                                           # by id, only the cluster's own processes
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.5)
        log.close()
        left = {p: _cmdline(p)[:120] for p in pids | _ours(head, temp_dir) if _state(p) not in ("", "Z", "X")}
        assert left == {}, f"ray processes left behind: {left}"
        shutil.rmtree(temp_dir, ignore_errors=True)


def test_ray_sweep_survives_a_killed_worker(cluster, tmp_path):
    address, head, temp_dir = cluster
    killed = []

    def killer():
        # Kill the first worker process seen running a cell (Ray titles it 'ray::run_cell').
        deadline = time.monotonic() + 180
        while not killed and time.monotonic() < deadline:
            for pid in _descendants(head.pid):
                if _cmdline(pid).startswith("ray::run_cell"):
                    time.sleep(0.3)                               # well inside the task
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    break
            time.sleep(0.05)

    outcomes = []
    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    t0 = time.perf_counter()
    res = ptrade_fast.sweep(STRATEGY, {"fast": [3, 5, 8], "slow": [10, 20]}, out=tmp_path / "ray",
                            backend="ray", address=address, retries=3,
                            progress=lambda d, t, e, o: outcomes.append(o), **SPAN)
    seconds = time.perf_counter() - t0
    thread.join(timeout=5)
    print(f"ray sweep of 6 cells with one worker killed: {seconds:.1f} s")
    assert len(killed) == 1, "no worker was seen running a cell"
    assert len(res.table) == 6 and (res.table["status"] == "ok").all()
    assert len(outcomes) == 6 and killed[0] not in {o["pid"] for o in outcomes}
    assert_cells_equal_single_runs(res, tmp_path)
    local = ptrade_fast.sweep(STRATEGY, {"fast": [3, 5, 8], "slow": [10, 20]}, out=tmp_path / "local",
                              workers=1, report=False, **SPAN)
    assert local.table.equals(res.table)
