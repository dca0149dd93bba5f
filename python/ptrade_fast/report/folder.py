"""Results folders that are never half-written, never mixed, never shared by two runs at once.

* :func:`write_folder` writes into a temporary folder beside the target and renames it into place when every
  file is complete; an older folder at the target is replaced whole (never merged file by file), so a failed
  or interrupted save leaves the previous results intact and no stray file (an old ``report.html`` beside new
  tables) survives.
* :class:`FolderLock` is held by a run for its whole duration (``<folder>.lock`` beside the folder, holding the
  holder's pid and host): a second run on the same folder is refused while the first holds it, naming the
  holder; a lock left by a process that no longer exists is taken over.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import socket
from pathlib import Path


class FolderBusy(RuntimeError):
    """Another run holds the results folder."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class FolderLock:
    """``with FolderLock(folder):`` — exclusive use of a results folder by this process."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.path = self.folder.parent / (self.folder.name + ".lock")
        self.held = False

    def acquire(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        me = {"pid": os.getpid(), "host": socket.gethostname()}
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                try:
                    holder = json.loads(self.path.read_text(encoding="utf-8") or "{}")
                except (OSError, ValueError):
                    holder = {}
                pid = holder.get("pid")
                if pid == me["pid"]:
                    raise FolderBusy(f"results folder {self.folder} is already held by this process")
                same_host = holder.get("host") in (None, me["host"])
                if isinstance(pid, int) and same_host and not _alive(pid):
                    self.path.unlink(missing_ok=True)      # left by a process that died: take it over
                    continue
                raise FolderBusy(f"results folder {self.folder} is in use by another run (pid {pid} on "
                                 f"{holder.get('host', '?')}, lock {self.path}); wait for it or choose another "
                                 f"output folder")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(me, fh)
            self.held = True
            return self
        raise FolderBusy(f"cannot take the lock {self.path}")

    def release(self):
        if self.held:
            self.path.unlink(missing_ok=True)
            self.held = False

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
        return False


def write_folder(folder, write_files) -> Path:
    """Call ``write_files(tmp)`` to fill a temporary folder beside ``folder``, then put it in place whole.

    If ``write_files`` raises, the temporary folder is removed and ``folder`` is left as it was."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".{folder.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        write_files(tmp)
        for entry in os.scandir(tmp):            # every file on disk before the folder becomes visible
            with open(entry.path, "rb") as fh:
                os.fsync(fh.fileno())
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    # Move an older folder aside, then rename ours into place.  Another process may do the same at once: a
    # rename onto a folder it just put in place fails (ENOTEMPTY/EEXIST), and we move that one aside and retry,
    # so the target is always one whole folder.
    olds = []
    for attempt in range(100):
        if folder.exists():
            old = folder.parent / f".{folder.name}.old-{os.getpid()}-{attempt}"
            try:
                os.rename(folder, old)
                olds.append(old)
            except FileNotFoundError:
                pass                              # the other process moved it first
        try:
            os.rename(tmp, folder)
            break
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                shutil.rmtree(tmp, ignore_errors=True)
                raise
    else:
        shutil.rmtree(tmp, ignore_errors=True)
        raise FolderBusy(f"could not put the results folder {folder} in place: another process keeps replacing it")
    for old in olds:
        shutil.rmtree(old, ignore_errors=True)
    return folder
