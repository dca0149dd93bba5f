"""The session clock: which days a run simulates, the bar times of a day, and when run_daily functions fire.

Backtest timeline (docs/engine.md, §A.2): 08:30 ``before_trading_start``; one 15:00 step in a daily run or 240
minute steps (09:31 … 11:30, 13:01 … 15:00) in a minute run; 15:30 ``after_trading_end``.  A ``run_daily``
time lands before the first bar, on a bar, or after the last bar (``api.settings.session_time_for``).
"""
from __future__ import annotations

import datetime as _dt

import numpy as np

from .. import errors as E
from ..api.settings import session_time_for
from ..data.span import data_span


def session_minutes() -> list[_dt.time]:
    """The 240 bar-end times of an A-share day: 09:31 … 11:30, 13:01 … 15:00."""
    out = []
    for start_h, start_m in ((9, 30), (13, 0)):
        base = _dt.datetime(2000, 1, 1, start_h, start_m)
        out.extend((base + _dt.timedelta(minutes=i + 1)).time() for i in range(120))
    return out


BAR_TIMES = session_minutes()
DAILY_BAR_TIME = _dt.time(15, 0)
BEFORE_OPEN = _dt.time(8, 30)
AFTER_CLOSE = _dt.time(15, 30)
INITIALIZE_TIME = _dt.time(8, 0)


def as_date(x) -> _dt.date:
    """A date from ``date``/``datetime``/``numpy.datetime64`` or 'YYYY-mm-dd' / 'YYYYmmdd' / 'YYYY/mm/dd'."""
    if isinstance(x, _dt.datetime):
        return x.date()
    if isinstance(x, _dt.date):
        return x
    if isinstance(x, np.datetime64):
        return x.astype("datetime64[D]").astype(object)
    s = str(x).strip()
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"):
        try:
            return _dt.datetime.strptime(s, fmt).date()
        except ValueError:
            pass
    raise ValueError(f"cannot read {x!r} as a date (use 'YYYY-mm-dd' or 'YYYYmmdd')")


def trading_days(store, start, end, frequency: str) -> list[_dt.date]:
    """The trading days of a run: the calendar between ``start`` and ``end`` (default: the span the data covers
    for ``frequency``, data/span.py; daily runs start no earlier than 2005-01-04, Ptrade's data start)."""
    cal = store.calendar
    # No start/end: the span the data covers for this frequency (data/span.py).
    lo, hi = data_span(store, frequency, as_date(start) if start is not None else None,
                       as_date(end) if end is not None else None)
    s = np.datetime64(as_date(start), "D") if start is not None else lo
    e = np.datetime64(as_date(end), "D") if end is not None else hi
    if e < s:
        raise ValueError(f"end {e} is before start {s}")
    days = cal[(cal >= s) & (cal <= e)]
    if len(days) == 0:
        raise E.DataError(f"no trading days between {s} and {e} in the calendar of {store.root} "
                          f"({cal[0]} … {cal[-1]})")
    if frequency == "1m":
        have = np.isin(days, store.minute_dates)
        if not have.all():
            missing = days[~have]
            raise E.DataError(f"no minute bars for {len(missing)} trading day(s) in {s} … {e}, first {missing[0]}; "
                              f"minute data in {store.root} covers {store.minute_dates[0]} … "
                              f"{store.minute_dates[-1]}")
    return [d.astype(object) for d in days]


def day_schedule(daily_tasks, rt) -> tuple[list, dict, list]:
    """Split the ``run_daily`` registrations into (before the first bar, {bar time: tasks}, after the last
    bar), warning once for a time outside the session's bars (it runs at the nearest step)."""
    pre, bar_tasks, post = [], {}, []
    for task in daily_tasks:
        where, t = session_time_for(task[1], rt.frequency)
        if where == "pre":
            pre.append(task)
        elif where == "post":
            post.append(task)
        else:
            bar_tasks.setdefault(t, []).append(task)
        in_auction = getattr(rt, "tick_mode", False) and _dt.time(9, 15) <= t < _dt.time(9, 30)   # tick replay
        if (where != "bar" and not in_auction) or (rt.frequency == "1m" and t.strftime("%H:%M") != task[1]):
            rt.warn_once(f"run_daily:{task[1]}", f"run_daily time {task[1]} is outside the backtest session "
                         f"bars; it runs at {'the 13:01 bar' if where == 'bar' else task[1]} "
                         f"({'before the first bar' if where == 'pre' else 'after the last bar' if where == 'post' else 'with that bar'})")
    return pre, bar_tasks, post
