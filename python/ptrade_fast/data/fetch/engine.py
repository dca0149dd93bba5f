"""The fetch engine: tasks, raw-response cache, resume, rate limit, retries, progress, then one import.

A source (``fetch.akshare_source``, ``fetch.baostock_source``) lists **tasks** (one library call each,
e.g. the daily bars of one code over a date range) and turns the cached raw responses into root tables.
The engine:

1. imports the library (a clear error names the extra to install) and **probes the network** with one
   cheap call; without network it stops here and the data root is untouched;
2. runs every task whose raw response is not cached yet, at most ``rate`` calls per second, retrying a
   failing call ``retries`` times with exponential back-off, printing progress with an ETA; each raw
   response is saved as JSON under ``ROOT/.fetch/<source>/raw/`` the moment it arrives, so an interrupted
   fetch resumes where it stopped and a re-import (``--offline``) needs no network;
3. builds the root from the whole cache through one ``RootWriter`` (interrupted builds resume too) and
   records ``meta.json["fetch"][source]``: the parameters and the last day fetched, which ``--update``
   and ``data update`` continue from.

Cache layout: ``.fetch/<source>/raw/<kind>/<key>.json`` (``pandas.DataFrame.to_json(orient='split')``),
``.fetch/<source>/state.json`` (parameters of the last fetch).
"""
from __future__ import annotations

import datetime as _dt
import importlib
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from ..format import write_json_atomic

CACHE_DIR = ".fetch"


class FetchError(RuntimeError):
    """A fetch that cannot go on (no network, a task failing after its retries, a missing library)."""


@dataclass
class Task:
    """One library call: ``kind`` (the table it feeds), ``key`` (unique, names the cache file), the
    function name on the library module and its keyword arguments."""
    kind: str
    key: str
    func: str
    kwargs: dict = field(default_factory=dict)


def load_library(module: str, extra: str):
    """Import a source library or raise :class:`FetchError` naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise FetchError(f"the {module} source needs the {module} package: pip install \"ptrade_fast[{extra}]\"") \
            from None


def _safe(key: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", key)


class RawCache:
    """Raw responses of one source under ``ROOT/.fetch/<source>/``."""

    def __init__(self, root: Path, source: str):
        self.dir = Path(root) / CACHE_DIR / source

    def path(self, task: Task) -> Path:
        return self.dir / "raw" / task.kind / f"{_safe(task.key)}.json"

    def has(self, task: Task) -> bool:
        return self.path(task).is_file()

    def save(self, task: Task, df: pd.DataFrame) -> None:
        path = self.path(task)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.part")
        tmp.write_text(df.to_json(orient="split", force_ascii=False, date_format="iso", index=False),
                       encoding="utf-8")
        tmp.replace(path)

    def load(self, kind: str) -> list[tuple[str, pd.DataFrame]]:
        """Every cached response of ``kind``: ``[(key, frame)]`` sorted by key (values as cached;
        dates are ISO strings)."""
        folder = self.dir / "raw" / kind
        out = []
        for p in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            out.append((p.stem, pd.read_json(p, orient="split", dtype=False, convert_dates=False)))
        return out

    def state(self) -> dict:
        p = self.dir / "state.json"
        return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else {}

    def save_state(self, state: dict) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(state, self.dir / "state.json")


class Progress:
    """``[done/total] kind key … elapsed, ETA`` lines on stderr (or a callback)."""

    def __init__(self, total: int, out: Callable[[str], None] | None = None, clock=time.monotonic):
        self.total, self.done, self.clock = total, 0, clock
        self.t0 = clock()
        self.out = out if out is not None else (lambda line: print(line, file=sys.stderr))

    def step(self, task: Task) -> None:
        self.done += 1
        elapsed = self.clock() - self.t0
        eta = elapsed / self.done * (self.total - self.done)
        self.out(f"[{self.done}/{self.total}] {task.kind} {task.key}  elapsed {_mmss(elapsed)}, ETA {_mmss(eta)}")


def _mmss(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}:{s:02d}"


def run_tasks(lib, tasks: list[Task], cache: RawCache, rate: float, retries: int, progress: Progress,
              sleep=time.sleep, clock=time.monotonic, source: str = "source") -> dict:
    """Run the tasks not yet cached; returns ``{"called": n, "cached": n}``.

    Raises
    ------
    FetchError
        A task still failing after ``retries`` retries (the responses cached so far are kept).
    """
    interval = 1.0 / rate if rate and rate > 0 else 0.0
    last = None
    called = cached = 0
    todo = [t for t in tasks if not cache.has(t)]
    cached = len(tasks) - len(todo)
    progress.total = len(todo)
    for task in todo:
        for attempt in range(retries + 1):
            if last is not None and interval:
                wait = interval - (clock() - last)
                if wait > 0:
                    sleep(wait)
            last = clock()
            try:
                result = getattr(lib, task.func)(**task.kwargs)
                break
            except Exception as exc:  # noqa: BLE001 - any library failure is retried, then reported
                if attempt == retries:
                    raise FetchError(f"{source}: {task.func}({_args(task.kwargs)}) for {task.key} failed after "
                                     f"{retries + 1} attempt(s): {type(exc).__name__}: {exc}.  The {called} "
                                     f"response(s) fetched so far are cached; run the same command again to "
                                     f"resume") from exc
                sleep(min(30.0, 0.5 * 2 ** attempt))
        if result is None:
            result = pd.DataFrame()
        if not isinstance(result, pd.DataFrame):
            raise FetchError(f"{source}: {task.func} returned {type(result).__name__}, not a DataFrame")
        cache.save(task, result)
        called += 1
        progress.step(task)
    return {"called": called, "cached": cached}


def _args(kwargs: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


def today() -> _dt.date:
    return _dt.date.today()
