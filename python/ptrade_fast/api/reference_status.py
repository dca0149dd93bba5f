"""Security status and price limits (docs/ptrade-api.md §D.5): get_stock_status, filter_stock_by_status, check_limit."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.codes import normalize_code
from ..data.store import to_day
from ..model.phases import phases
from .reference_common import ReferenceBase, _INIT, _REF, _STATUS_TYPES


class StatusAPI(ReferenceBase):
    """Security status and price limits (docs/ptrade-api.md §D.5): get_stock_status, filter_stock_by_status, check_limit."""

    # -- STATUS --------------------------------------------------------------------------------------

    @phases(*_REF, warn_only=_INIT)
    def get_stock_status(self, stocks, query_type="ST", query_date=None):
        """get_stock_status: whether each security is ST, suspended or delisted on a date.

        Parameters
        ----------
        stocks : str or list of str
            Required (``None`` returns ``None``).
        query_type : {'ST', 'HALT', 'DELISTING', 'DELISTING_SORTING'}
            HALT: suspended that day (daily ``is_open`` 0, point-in-time).  DELISTING: delisted on or before the
            date.  ST / DELISTING_SORTING: the name contains 'ST' / '退' (and, for the latter, not yet delisted).
        query_date : str, int or date, optional
            'YYYYmmdd'; default the simulated date.

        Returns
        -------
        dict or None
            Short code -> bool, ``None`` when unknown (no data that day for HALT, unknown code); ``None`` for a
            missing ``stocks`` or an unknown ``query_type`` (logged).

        Raises
        ------
        TypeError, ValueError
            For a malformed code or ``query_date``.

        Differences from Ptrade
        -----------------------
        ST status is point-in-time where the data root has ST history (``st.parquet``, within ``meta.st.span``)
        and comes from the name elsewhere; delisting-period status comes from the name.
        """
        if stocks is None:
            self._warn("get_stock_status: stocks is required; returned None")
            return None
        if query_type not in _STATUS_TYPES:
            self._warn(f"get_stock_status: query_type must be one of {', '.join(_STATUS_TYPES)}, "
                       f"was {query_type!r}; returned None")
            return None
        codes, _ = self._code_list(stocks, "stocks")
        return self._status(codes, query_type, self._day(query_date, "query_date"))

    def _status(self, codes, query_type, day) -> dict:
        if query_type == "HALT":
            return self._halted(codes, day)
        out = {}
        for c in codes:
            row = self._row(c)
            if row is None:
                out[c] = None
                continue
            delist = row["delist_date"]
            gone = pd.notna(delist) and to_day(delist) <= day
            name = str(row["name"])
            if query_type == "ST":
                dated = self.rt.store.is_st(c, day)          # point-in-time where the root has ST history
                out[c] = ("ST" in name.upper()) if dated is None else dated
            elif query_type == "DELISTING":
                out[c] = bool(gone)
            else:
                out[c] = "退" in name and not gone
        return out

    def _halted(self, codes, day) -> dict:
        store = self.rt.store
        sids = store.sids(codes)
        dates, rows = store.daily_history(sids, ("is_open", "close"), day, 1)
        if len(dates) == 0 or dates[-1] != day:
            return {c: None for c in codes}
        is_open, close = rows["is_open"][-1], rows["close"][-1]
        return {c: (None if s < 0 or np.isnan(close[j]) else bool(is_open[j] == 0))
                for j, (c, s) in enumerate(zip(codes, sids))}

    @phases("before", warn_only=_INIT + _REF[1:])
    def filter_stock_by_status(self, stocks, filter_type=["ST", "HALT", "DELISTING"], query_date=None):  # noqa: B006
        """filter_stock_by_status: drop the securities having any of the given statuses on a date.

        Parameters
        ----------
        stocks : str or list of str
        filter_type : str or list of str
            Among 'ST', 'HALT', 'DELISTING', 'DELISTING_SORTING'.
        query_date : str, int or date, optional
            Default the simulated date.

        Returns
        -------
        list of str
            The remaining codes (short suffix), in input order.

        Raises
        ------
        TypeError, ValueError
            For a bad code, ``filter_type`` or ``query_date``.

        Differences from Ptrade
        -----------------------
        Documented for before_trading_start only; other phases log a warning and are served.  A code whose
        status is unknown (see get_stock_status) is kept.
        """
        codes, _ = self._code_list(stocks, "stocks")
        types = [filter_type] if isinstance(filter_type, str) else list(filter_type)
        for t in types:
            if t not in _STATUS_TYPES:
                raise ValueError(f"filter_type must be among {', '.join(_STATUS_TYPES)}, was {t!r}")
        day = self._day(query_date, "query_date")
        drop = set()
        for t in types:
            drop.update(c for c, v in self._status(codes, t, day).items() if v)
        return [c for c in codes if c not in drop]

    # -- LIMITS --------------------------------------------------------------------------------------

    @phases(*_REF, warn_only=_INIT)
    def check_limit(self, security, query_date=None):
        """check_limit: whether securities are at limit-up (1), limit-down (-1) or neither (0).

        Parameters
        ----------
        security : str or list of str
            Other types return ``{}``.
        query_date : str, int or date, optional
            'YYYYmmdd'; default (or the simulated date itself) compares the current price, an earlier date
            compares that day's close.

        Returns
        -------
        dict
            Short code -> int.  The current price is the bar that just ended in a minute run, the day's close
            in a daily run and after the close, the previous close before the open; it counts as at a limit
            within half a tick.  Codes without data or limits that day (indices, bonds) give 0.

        Raises
        ------
        ValueError
            For a bad ``query_date`` or one after the simulated date.

        Differences from Ptrade
        -----------------------
        Never returns ±2 (touched the limit with the book open): the data has no order book.
        """
        if isinstance(security, str):
            raw = [security]
        elif isinstance(security, (list, tuple)):
            raw = list(security)
        else:
            return {}
        today = self._today()
        day = self._day(query_date, "query_date")
        if day > today:
            raise ValueError(f"query_date is after the simulated date {today}, was {query_date!r}")
        keys, codes = [], []
        for c in raw:
            try:
                codes.append(normalize_code(c))
                keys.append(codes[-1])
            except ValueError:
                keys.append(c)
                codes.append(None)
        store = self.rt.store
        sids = np.array([store.sid(c) if c else -1 for c in codes], np.int64)
        dates, rows = store.daily_history(sids, ("close", "high_limit", "low_limit"), day, 1)
        if len(dates) == 0 or dates[-1] != day:
            return {k: 0 for k in keys}
        price = self._current_price(sids, rows["close"][-1]) if day == today else rows["close"][-1]
        half = np.array([float(self._inst.at[c, "tick"]) if c in self._inst.index else 0.01 for c in codes]) / 2
        with np.errstate(invalid="ignore"):
            up = price >= rows["high_limit"][-1] - half
            down = price <= rows["low_limit"][-1] + half
        out = {}
        for j, k in enumerate(keys):
            out[k] = 0 if sids[j] < 0 else (1 if up[j] else (-1 if down[j] else 0))
        return out

    def _current_price(self, sids, day_close) -> np.ndarray:
        """The latest price at the simulated clock: previous close, current minute bar, or the day's close."""
        rt, store = self.rt, self.rt.store
        today = self._today()
        if rt.bar_index is None or rt.phase in ("init", "before"):
            _, prev = store.daily_history(sids, ("close",), today, 1, include_end=False)
            return prev["close"][-1] if len(prev["close"]) else np.full(len(sids), np.nan)
        if rt.frequency == "1m" and rt.bar_index < 240 and rt.phase != "after" and store.has_minutes(today):
            close = store.minute_day(today).close[rt.bar_index]
            return np.where(sids >= 0, close[np.maximum(sids, 0)], np.nan)
        return day_close

    def _warn(self, message):
        if self.rt.log is not None:
            self.rt.log.warning(message)
