"""``ptrade-fast data fetch`` / ``data update``: fill and refresh a data root from akshare or baostock.

:func:`fetch` runs one source over a code list and a date range (see ``fetch.engine`` for the cache,
resume, rate limit, retries and progress); :func:`update` continues every source recorded in the root's
``meta.json["fetch"]`` from the day after its last fetched day.  What each source provides, with the
library functions and column names used, is in docs/data-format.md (*Fetching*).
"""
from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

import pandas as pd

from .engine import FetchError, Progress, RawCache, load_library, run_tasks, today

SOURCES = ("akshare", "baostock")
# --skip groups -> task kinds (daily bars, instruments and the calendar are always fetched).
SKIPPABLE = {"fundamentals": ("report_",), "ex_rights": ("dividends", "rights"), "index_members": ("index_members",),
             "industries": ("industries", "industry_boards"), "st": ("st",), "suspensions": ("suspensions",),
             "indices": ("index_daily",)}


def _skipped(kind: str, skip) -> bool:
    return any(kind == p or (p.endswith("_") and kind.startswith(p)) for g in skip for p in SKIPPABLE[g])


def _source(name: str, lib=None):
    if name == "akshare":
        from .akshare_source import AkshareSource as cls
    elif name == "baostock":
        from .baostock_source import BaostockSource as cls
    else:
        raise ValueError(f"--source must be one of {', '.join(SOURCES)}, was {name!r}")
    return cls(lib if lib is not None else load_library(cls.module, cls.extra))


def _day(value, what) -> _dt.date:
    try:
        return pd.Timestamp(str(value)).date()
    except ValueError:
        raise ValueError(f"{what} must be a date like 2024-01-31, was {value!r}") from None


def fetch(root, source: str, codes=None, start=None, end=None, minute: bool = False, rate: float | None = None,
          retries: int = 3, offline: bool = False, progress=None, lib=None, sleep=None, skip=()) -> dict:
    """Fetch ``source`` data for ``codes`` (default: every A share the source lists) over [start, end]
    into the data root ``root``, then import it.

    Parameters
    ----------
    root : path
        Data root to create or add to.
    source : {'akshare', 'baostock'}
    codes : list of str, optional
        Ptrade codes ('600000.SS'); default all A shares of the source's instrument list.
    start, end : date-like
        First and last day (default: 2005-01-04 … today).
    minute : bool
        Also the source's intraday bars (akshare: 1-minute bars of the recent days it serves; baostock:
        5-minute bars into ``bars5m/``, as it has no 1-minute bars).
    rate : float, optional
        Calls per second (default: the source's own, akshare 2, baostock 10).
    retries : int
        Retries of a failing call (back-off 0.5 s, 1 s, 2 s, …).
    offline : bool
        Do not call the library: rebuild the root from the cached raw responses.
    progress : callable, optional
        Receives one progress line per call (default: printed on stderr).
    skip : iterable of str
        Tables not to fetch: fundamentals, ex_rights, index_members, industries, st, suspensions, indices
        (the index daily bars of ``common.INDEX_BARS``) (e.g.
        baostock's reports cost five calls per code and quarter).

    Returns
    -------
    dict
        ``{"source", "calls", "cached", "coverage": {table: {...}}}``.

    Raises
    ------
    FetchError
        No network (the root is then untouched), a call failing after its retries (responses so far stay
        cached; re-running resumes), or the library missing (names the extra to install).
    """
    import time as _time
    root = Path(root)
    skip = tuple(skip or ())
    unknown = sorted(set(skip) - set(SKIPPABLE))
    if unknown:
        raise ValueError(f"--skip: unknown table(s) {', '.join(unknown)} (known: {', '.join(SKIPPABLE)})")
    start = _day(start or "2005-01-04", "--start")
    end = _day(end, "--end") if end else today()
    if start > end:
        raise ValueError(f"--start {start} is after --end {end}")
    cache = RawCache(root, source)
    if offline:
        if not cache.dir.is_dir():
            raise FetchError(f"no cached {source} responses under {cache.dir}; fetch with the network first")
        src = _source(source, lib=object())
        counts = {"called": 0, "cached": None}
    else:
        src = _source(source, lib)
        try:
            src.probe()
        except Exception as exc:  # noqa: BLE001 - any failure of the probe means we cannot fetch
            raise FetchError(f"cannot reach the {source} data service ({type(exc).__name__}: {exc}); check the "
                             f"network connection.  Nothing was written to {root}") from None
        params = {"codes": sorted(codes) if codes else None, "start": str(start), "end": str(end),
                  "minute": bool(minute), "skip": list(skip)}
        cache.save_state({**cache.state(), "last_request": params})
        kw = dict(rate=src.default_rate if rate is None else rate, retries=retries, source=source,
                  sleep=sleep or _time.sleep)
        counts = {"called": 0, "cached": 0}
        for phase in (1, 2):
            tasks = [t for t in src.tasks(phase, cache, codes, start, end, minute) if not _skipped(t.kind, skip)]
            done = run_tasks(src.lib, tasks, cache, progress=Progress(len(tasks), progress), **kw)
            counts["called"] += done["called"]
            counts["cached"] += done["cached"]
    coverage = build(root, source, src, cache, start, end)
    return {"source": source, "calls": counts["called"], "cached": counts["cached"], "coverage": coverage}


def build(root: Path, source: str, src, cache: RawCache, start, end) -> dict:
    """Import every cached response of ``source`` into ``root`` (one RootWriter commit)."""
    from ..writer import RootWriter
    w = RootWriter.open(root, source=f"fetch:{source}")
    coverage = src.build(cache, w)
    previous = (w.previous_meta or {}).get("fetch", {})
    entry = dict(previous.get(source, {}))
    state = cache.state().get("last_request", {})
    first = min(str(start), entry.get("start", str(start)))
    last = max(str(end), entry.get("end", str(end)))
    entry.update({"start": first, "end": last, "codes": state.get("codes"), "minute": state.get("minute", False),
                  "skip": state.get("skip", []),
                  "at": _dt.datetime.now().isoformat(timespec="seconds"), "coverage": coverage})
    w.set_meta("fetch", {**previous, source: entry})
    w.commit()
    return coverage


def update(root, end=None, sources=None, **kw) -> list[dict]:
    """Bring ``root`` up to date: re-run every source recorded in ``meta.json["fetch"]`` from the day
    after its last fetched day to ``end`` (default today), with the same codes and options.

    Raises
    ------
    ValueError
        The root was not built by ``data fetch`` (nothing to update from), or a source named in
        ``sources`` did not build it.
    """
    root = Path(root)
    meta_path = root / "meta.json"
    if not meta_path.is_file():
        raise ValueError(f"{root} is not a complete data root (no meta.json)")
    fetched = json.loads(meta_path.read_text(encoding="utf-8")).get("fetch") or {}
    if not fetched:
        raise ValueError(f"{root} was not built by 'ptrade-fast data fetch': no source to update from "
                         f"(use data import-tdx / import-csv again for imported data)")
    names = sources or sorted(fetched)
    for n in names:
        if n not in fetched:
            raise ValueError(f"source {n!r} did not build {root} (its sources: {', '.join(sorted(fetched))})")
    out = []
    for n in names:
        entry = fetched[n]
        last = _day(entry["end"], "end")
        stop = _day(end, "--end") if end else today()
        if stop <= last:
            out.append({"source": n, "calls": 0, "cached": 0, "coverage": entry.get("coverage", {}),
                        "up_to_date": True})
            continue
        out.append(fetch(root, n, codes=entry.get("codes"), start=last + _dt.timedelta(days=1), end=stop,
                         minute=entry.get("minute", False), skip=entry.get("skip", ()), **kw))
    return out


__all__ = ["FetchError", "SOURCES", "fetch", "update", "build"]
