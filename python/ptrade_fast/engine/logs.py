"""The strategy's ``log`` object (Ptrade §B.2).

Each record carries the simulated time (``context.blotter.current_dt``), the level and the message.
Records are kept for the result object and optionally echoed to a stream as they happen.
"""
from __future__ import annotations

import sys

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}


class StrategyLog:
    """Ptrade ``log``: ``log.debug/info/warning/error/critical(msg)``; ``log.warn`` is an alias.

    Differences from Ptrade: none in behaviour; the level threshold (``level``) and the optional
    echo stream are ptrade_fast run options.
    """

    def __init__(self, clock, level: str = "DEBUG", echo=None):
        self._clock = clock
        self.level = LEVELS[level.upper()]
        self.echo = echo
        self.records: list[tuple] = []

    def _emit(self, level: str, msg, *args) -> None:
        if LEVELS[level] < self.level:
            return
        text = str(msg)
        if args:
            try:
                text = text % args
            except (TypeError, ValueError):
                text = " ".join([text, *map(str, args)])
        dt = self._clock()
        self.records.append((dt, level, text))
        if self.echo is not None:
            stamp = dt.strftime("%Y-%m-%d %H:%M:%S") if dt is not None else "-"
            print(f"{stamp} - {level} - {text}", file=self.echo)

    def debug(self, msg, *args):
        self._emit("DEBUG", msg, *args)

    def info(self, msg, *args):
        self._emit("INFO", msg, *args)

    def warning(self, msg, *args):
        self._emit("WARNING", msg, *args)

    warn = warning

    def error(self, msg, *args):
        self._emit("ERROR", msg, *args)

    def critical(self, msg, *args):
        self._emit("CRITICAL", msg, *args)

    exception = error

    @staticmethod
    def stderr():
        return sys.stderr
