"""The synthetic market's trading calendar: the bundle's real SSE calendar, weekdays beyond it."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from ..bundle import bundle_root


def trading_calendar(start, end) -> np.ndarray:
    """Trading days in [start, end]: the bundle's real calendar, extended by weekdays without the
    fixed-date holidays (1 Jan, 1-5 May, 1-7 Oct) beyond its last day."""
    s, e = np.datetime64(str(start)[:10], "D"), np.datetime64(str(end)[:10], "D")
    real = pq.read_table(bundle_root() / "calendar.parquet").column("date").to_numpy().astype("datetime64[D]")
    days = real[(real >= s) & (real <= e)]
    tail_start = max(s, real[-1] + 1) if len(real) else s
    if tail_start <= e:
        extra = np.arange(tail_start, e + 1, dtype="datetime64[D]")
        weekday = (extra.astype(np.int64) + 3) % 7          # 1970-01-01 was a Thursday
        md = pd.DatetimeIndex(extra.astype("datetime64[ns]"))
        holiday = (((md.month == 1) & (md.day == 1)) | ((md.month == 5) & (md.day <= 5))
                   | ((md.month == 10) & (md.day <= 7)))
        days = np.concatenate([days, extra[(weekday < 5) & ~np.asarray(holiday)]])
    return days

