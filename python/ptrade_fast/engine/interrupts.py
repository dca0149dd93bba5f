"""Stopping a run cleanly: Ctrl-C / SIGTERM, ``sys.exit()`` in a strategy, and the per-callback time limit.

Signals are turned into :class:`~ptrade_fast.errors.RunInterrupted` raised in the main thread, so the loop
unwinds to a day boundary and the results up to the last finished day are kept.  The time limit (option
``callback_timeout``, seconds of wall time per callback) uses ``SIGALRM``; an endless callback then stops with
:class:`~ptrade_fast.errors.CallbackTimeout`, named like any strategy error (file, line, simulated time).
Both need the main thread of a POSIX process; elsewhere the handlers are not installed (a timeout then is an
error at start, never silently ignored).
"""
from __future__ import annotations

import signal
import threading

from .. import errors as E


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


class InterruptGuard:
    """Context manager installing SIGINT/SIGTERM handlers for the duration of a run."""

    def __init__(self, rt):
        self.rt = rt
        self._old = {}

    def _raise(self, signum, frame):
        name = signal.Signals(signum).name
        raise E.RunInterrupted(f"run interrupted by {name} at simulated time {self.rt.now}", name, self.rt.now)

    def __enter__(self):
        if _main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._raise)
        return self

    def __exit__(self, *exc):
        for sig, old in self._old.items():
            signal.signal(sig, old)
        self._old.clear()
        return False


class CallbackTimer:
    """Arms ``SIGALRM`` around each strategy callback when ``seconds`` is set."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        if seconds is not None:
            if not hasattr(signal, "setitimer"):
                raise E.PtradeFastError("callback_timeout needs a POSIX system (signal.setitimer)")
            if not _main_thread():
                raise E.PtradeFastError("callback_timeout works only when the run is started from the main thread")

    def _expired(self, signum, frame):
        raise E.CallbackTimeout(f"the callback ran longer than callback_timeout={self.seconds:g} s")

    def arm(self):
        if self.seconds is not None:
            self._old = signal.signal(signal.SIGALRM, self._expired)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def disarm(self):
        if self.seconds is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._old)
