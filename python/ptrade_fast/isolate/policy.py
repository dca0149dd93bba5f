"""What the sandboxed child may touch, computed in the parent from the run's arguments."""
from __future__ import annotations

import dataclasses
import os
import sys

#: System locations holding shared libraries and read-only runtime data the interpreter and
#: compiled extensions load (read-only; only those that exist are granted).
SYSTEM_READ_DIRS = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib", "/usr/share/zoneinfo",
                    "/sys/devices/system/cpu", "/proc/self")
SYSTEM_READ_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/dev/urandom", "/dev/zero",
                     "/proc/cpuinfo", "/proc/meminfo")
SYSTEM_WRITE_FILES = ("/dev/null",)

DEFAULT_CPU_SECONDS = 3600
DEFAULT_MEMORY_MB = 4096
DEFAULT_FILE_MB = 1024


@dataclasses.dataclass
class Policy:
    """Paths and limits of one isolated run (see docs/isolation.md)."""

    data_root: str
    strategy_file: str | None
    research: str
    out_dir: str
    python_paths: list
    cpu_seconds: int = DEFAULT_CPU_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB
    file_mb: int = DEFAULT_FILE_MB

    def as_job(self) -> dict:
        read_dirs, read_files = [self.data_root], []
        for p in self.python_paths + [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                                      os.path.dirname(os.path.realpath(sys.executable))]:
            if os.path.isdir(p):
                read_dirs.append(p)
            elif os.path.isfile(p):
                read_files.append(p)
        read_dirs += [p for p in SYSTEM_READ_DIRS if os.path.exists(p)]
        read_files += [p for p in SYSTEM_READ_FILES if os.path.exists(p)]
        if self.strategy_file:
            read_files.append(self.strategy_file)
        return {"read_dirs": _unique(read_dirs), "read_files": _unique(read_files),
                "write_dirs": [self.research, self.out_dir],
                "write_files": [p for p in SYSTEM_WRITE_FILES if os.path.exists(p)],
                "cpu_seconds": int(self.cpu_seconds), "memory_mb": int(self.memory_mb),
                "file_bytes": int(self.file_mb) << 20, "probe_dir": "/"}


def python_paths() -> list:
    """The import path the child needs: ``sys.path`` without the current directory."""
    cwd = os.path.realpath(os.getcwd())
    out = []
    for p in sys.path:
        if not p or os.path.realpath(p) == cwd:
            continue
        out.append(os.path.abspath(p))
    import ptrade_fast
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(ptrade_fast.__file__)))
    if pkg_parent not in out:
        out.append(pkg_parent)
    return _unique(out)


def _unique(items) -> list:
    seen, out = set(), []
    for x in items:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out
