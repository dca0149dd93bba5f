"""The Linux sandbox: resource limits, Landlock (file system) and seccomp (system calls).

Applied by the child process to itself, after its imports and before the strategy file is
executed; irreversible for that process.  Uses the maintained bindings ``landlock`` (Landlock
LSM) and ``pyseccomp`` (libseccomp), installed by the ``[isolate]`` extra.

What is enforced (docs/isolation.md has the table):

* files (Landlock, kernel ABI >= 3): read-only beneath the data root, the strategy file, the
  Python installation and the system libraries; read-write beneath the research and output
  folders; nothing else, symlinks included;
* processes (seccomp): ``execve``/``execveat``, ``fork``/``vfork``, ``clone`` without
  ``CLONE_THREAD`` fail with EPERM (threads stay allowed); ``clone3`` reports ENOSYS so the C
  library falls back to the checked ``clone``;
* network (seccomp): ``socket``/``socketpair``/``connect``/``bind``/``listen``/``accept`` fail,
  and ``io_uring`` (which would bypass seccomp) is unavailable;
* other processes (seccomp): ``ptrace``, ``process_vm_*``, ``pidfd_*``, signals to any process
  but itself, ``prlimit`` changes, ``TIOCSTI`` terminal injection, namespaces, mounts, BPF,
  kernel keyrings and modules fail;
* limits (setrlimit): CPU seconds, address space, file size, no core dumps.
"""
from __future__ import annotations

import errno
import os
import resource
import signal
import socket as _socket_for_constants  # noqa: F401  (constants only; imported before the filter)

from ..errors import IsolationError

EXTRA_HINT = "install the extra: pip install 'ptrade_fast[isolate]'"
MIN_LANDLOCK_ABI = 3        # ABI 3 adds TRUNCATE: without it truncate(2) outside the folders is not blocked

CLONE_THREAD = 0x00010000
TIOCSTI = 0x5412
TIOCLINUX = 0x541C

_DENY_EPERM = (
    "execve", "execveat", "fork", "vfork",
    "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
    "pidfd_open", "pidfd_getfd", "pidfd_send_signal", "tkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
    "setrlimit", "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount",
    "open_tree", "fsopen", "fsmount", "fspick", "bpf", "perf_event_open", "keyctl", "add_key",
    "request_key", "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
    "reboot", "swapon", "swapoff", "userfaultfd", "personality", "acct", "quotactl",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
    "seccomp",
)


def _bindings():
    try:
        import landlock
        import pyseccomp
    except ImportError as exc:
        raise IsolationError(f"isolate=True needs the Landlock and seccomp bindings ({exc.name} is missing); "
                             f"{EXTRA_HINT}") from None
    return landlock, pyseccomp


def availability() -> str:
    """Check this machine can enforce the sandbox; return a one-line description, else raise.

    Raises
    ------
    IsolationError
        Not Linux, bindings missing, libseccomp missing, or Landlock absent / older than ABI 3.
    """
    import platform
    if platform.system() != "Linux":
        raise IsolationError(f"isolate=True is enforced only on Linux (Landlock + seccomp); on "
                             f"{platform.system()} ptrade_fast cannot enforce it and refuses to run "
                             "rather than pretend (docs/isolation.md)")
    landlock, pyseccomp = _bindings()
    try:
        abi = landlock.landlock_abi_version()
    except Exception as exc:  # the binding raises SyscallError with the kernel's reason
        raise IsolationError(f"isolate=True needs the Landlock LSM, which this kernel does not offer: {exc}") from None
    if abi < MIN_LANDLOCK_ABI:
        raise IsolationError(f"isolate=True needs Landlock ABI >= {MIN_LANDLOCK_ABI} (Linux 6.2+); this kernel "
                             f"offers ABI {abi}, which cannot block truncation outside the allowed folders")
    try:
        pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    except Exception as exc:
        raise IsolationError(f"isolate=True needs libseccomp (libseccomp.so.2): {exc}") from None
    return f"Linux {platform.release()}, Landlock ABI {abi}, seccomp via libseccomp"


def set_limits(cpu_seconds: int, memory_bytes: int, file_bytes: int) -> None:
    """CPU time (SIGXCPU at the soft limit, SIGKILL 5 s later), address space, file size, no core."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def restrict_files(read_dirs, read_files, write_dirs, write_files) -> None:
    """Landlock: every file access outside these paths fails with EACCES (EXDEV for renames)."""
    landlock, _ = _bindings()
    fs = landlock.FSAccess
    handled = fs.all()
    read_dir = fs.READ_FILE | fs.READ_DIR
    # No devices, sockets, FIFOs or symlinks: the parent reads the output folder after the run, and a
    # planted FIFO or symlink (to /dev/zero, say) could stall or mislead it.
    write_dir = handled & ~(fs.EXECUTE | fs.MAKE_CHAR | fs.MAKE_BLOCK | fs.MAKE_SOCK | fs.MAKE_FIFO | fs.MAKE_SYM)
    file_rw = fs.READ_FILE | fs.WRITE_FILE | (fs.TRUNCATE if hasattr(fs, "TRUNCATE") else 0)
    rs = landlock.Ruleset(handled)
    for path in read_dirs:
        rs.allow(path, rules=read_dir)
    for path in read_files:
        rs.allow(path, rules=fs.READ_FILE)
    for path in write_dirs:
        rs.allow(path, rules=write_dir)
    for path in write_files:
        rs.allow(path, rules=file_rw)
    rs.apply()   # sets no_new_privs, then landlock_restrict_self


def restrict_syscalls() -> None:
    """seccomp: process creation, sockets and the other escapes listed above fail."""
    _, sc = _bindings()
    me = os.getpid()
    f = sc.SyscallFilter(sc.ALLOW)
    eperm = sc.ERRNO(errno.EPERM)
    for name in _DENY_EPERM:
        try:
            f.add_rule(eperm, name)
        except Exception:   # a syscall this architecture does not have (e.g. fork on arm64)
            pass
    f.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    f.add_rule(eperm, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
    f.add_rule(eperm, "kill", sc.Arg(0, sc.NE, me))
    f.add_rule(eperm, "tgkill", sc.Arg(0, sc.NE, me))
    f.add_rule(eperm, "prlimit64", sc.Arg(2, sc.NE, 0))
    f.add_rule(eperm, "ioctl", sc.Arg(1, sc.MASKED_EQ, 0xFFFFFFFF, TIOCSTI))
    f.add_rule(eperm, "ioctl", sc.Arg(1, sc.MASKED_EQ, 0xFFFFFFFF, TIOCLINUX))
    f.load()


def self_test(outside_dir: str) -> None:
    """Prove the restrictions hold before any strategy code runs; raise IsolationError if not."""
    failures = []
    try:
        s = _socket_for_constants.socket(_socket_for_constants.AF_INET, _socket_for_constants.SOCK_STREAM)
        s.close()
        failures.append("socket() still works")
    except PermissionError:
        pass
    try:
        os.listdir(outside_dir)
        failures.append(f"{outside_dir} is still readable")
    except PermissionError:
        pass
    try:
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        failures.append("fork() still works")
    except PermissionError:
        pass
    if failures:
        raise IsolationError("the sandbox did not take effect (" + "; ".join(failures) + "); refusing to run")


def install_cpu_handler(exc_type) -> None:
    """At the soft CPU limit raise ``exc_type`` in the running code (the engine saves partial results)."""
    def handler(signum, frame):
        raise exc_type()
    signal.signal(signal.SIGXCPU, handler)
