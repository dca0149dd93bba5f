"""Fundamentals: get_fundamentals (docs/ptrade-api.md §D.6).

Report tables are read from the root's ``fundamentals/<table>.parquet`` and the daily ``valuation`` is
derived (``ptrade_fast.data.fundamentals``).  Backtests are strictly point in time: a report is visible
from the day after its first publication, and nothing after the simulated date is returned even when the
caller names a later ``date``.
"""
from __future__ import annotations

import datetime as _dt
from collections import OrderedDict

import numpy as np
import pandas as pd

from ..data.codes import normalize_code
from ..data.fundamentals import REPORT_TYPES, TABLES, FundamentalsStore
from ..data.store import to_day
from ..model.phases import phases
from .market import Panel

_PH = ("before", "handle", "after", "tick", "sched")
_META = ("secu_abbr", "end_date", "publ_date")


class FundamentalsAPI:
    """get_fundamentals over the Runtime's DataStore."""

    def __init__(self, rt):
        self.rt = rt
        self._fund = None
        self._normalized: dict = {}
        self._name_memo: dict = {}

    @property
    def fund(self) -> FundamentalsStore:
        if self._fund is None or self._fund.store is not self.rt.store:
            self._fund = FundamentalsStore(self.rt.store)
        return self._fund

    # -- ARGUMENTS -----------------------------------------------------------------------------------

    def _codes(self, security):
        if isinstance(security, str):
            security = [security]
        elif not isinstance(security, (list, tuple, np.ndarray, pd.Index)):
            raise TypeError(f"security must be a str or a list of codes, was {security!r}")
        known = self._normalized
        try:
            out = [known[c] if c in known else self._normalize(c) for c in security]
        except TypeError:   # unhashable entries
            out = [self._normalize(c) for c in security]
        return out

    def _normalize(self, code):
        try:
            short = normalize_code(code)
        except ValueError as exc:
            raise ValueError(f"security: {exc}") from None
        if len(self._normalized) < 100_000:
            self._normalized[code] = short
        return short

    def _fields(self, table, fields):
        have = self.fund.fields(table)
        if fields is None:
            return have
        fields = [fields] if isinstance(fields, str) else list(fields)
        for f in fields:
            if f not in have and f not in _META:
                raise ValueError(f"fields: {f!r} is not a field of {table} (fields: {', '.join(have)})")
        return [f for f in fields if f not in _META]

    @staticmethod
    def _report_types(report_types):
        if report_types is None:
            return None
        values = [report_types] if isinstance(report_types, (str, int)) else list(report_types)
        out = [str(v) for v in values]
        for v in out:
            if v not in REPORT_TYPES:
                raise ValueError(f"report_types must be among '1' (Q1), '2' (half year), '3' (Q1-Q3), "
                                 f"'4' (annual), was {report_types!r}")
        return out

    @staticmethod
    def _year(value, name):
        try:
            year = int(str(value).strip()[:4])
        except ValueError:
            raise ValueError(f"{name} must be a year like '2015', was {value!r}") from None
        return year

    def _today(self) -> np.datetime64:
        rt = self.rt
        if rt.trade_date is not None:
            return to_day(rt.trade_date)
        if rt.now is not None:
            return to_day(rt.now)
        return rt.store.calendar[-1] + np.timedelta64(1, "D")

    def _query_day(self, date) -> np.datetime64:
        """The date reports must be published strictly before: ``date``, capped at the simulated date."""
        today = self._today()
        if date is None:
            return today
        try:
            day = to_day(date)
        except (ValueError, TypeError):
            raise ValueError(f"date must be a date like '20170620', '2017-06-20' or a datetime.date, "
                             f"was {date!r}") from None
        if day > today:
            self.rt.warn_once("fundamentals:future", f"get_fundamentals date {date} is after the simulated date "
                                                     f"{today}; reports published from {today} on are not shown")
            return today
        return day

    def _last_valuation_day(self, date) -> np.datetime64:
        """The trading day whose valuation a query sees (engine decision §D.6): the last trading day
        strictly before the simulated date during the session, the same day in after_trading_end; with
        an explicit ``date``, the last trading day strictly before it (never later than that)."""
        cal = self.rt.store.calendar
        today = self._today()
        last = today if self.rt.phase == "after" else today - np.timedelta64(1, "D")
        if date is not None:
            last = min(last, self._query_day(date) - np.timedelta64(1, "D"))
        i = int(np.searchsorted(cal, last, side="right")) - 1
        return cal[i] if i >= 0 else None

    def _names(self, codes):
        inst = self.rt.store.instruments
        key = (id(inst), tuple(codes))
        names = self._name_memo.get(key)
        if names is None:
            names = inst["name"].reindex(list(codes)).to_numpy(object)
            if len(self._name_memo) >= 8:
                self._name_memo.pop(next(iter(self._name_memo)))
            self._name_memo[key] = names
        return names.copy()

    # -- SHAPES --------------------------------------------------------------------------------------

    @staticmethod
    def _dates_text(values):
        days = np.asarray(values).astype("datetime64[D]")
        uniq, inverse = np.unique(days, return_inverse=True)      # few distinct dates: format those
        text = np.datetime_as_string(uniq, unit="D").astype(object)
        text[np.isnat(uniq)] = np.nan
        return text[inverse.reshape(-1)]

    def _statement_frame(self, rows, codes, fields, index_codes):
        """The date/year-mode frame from report rows (a DataFrame, or :meth:`latest_arrays`' dict)."""
        n = len(index_codes)
        cols = {f: (np.asarray(rows[f], float) if f in rows else np.full(n, np.nan)) for f in fields}
        ends = np.asarray(rows["end_date"]).astype("datetime64[D]")
        names = self._names(index_codes)
        names[np.isnat(ends)] = np.nan
        cols["secu_abbr"] = names
        cols["end_date"] = self._dates_text(ends)
        cols["publ_date"] = self._dates_text(np.asarray(rows["publ_date"]))
        return pd.DataFrame(cols, index=pd.Index(index_codes, name="secu_code"))

    def _code_index(self, codes) -> pd.Index:
        """``pd.Index(codes, name='secu_code')``, remembered for the last few code lists (strategies ask
        for the same universe bar after bar; an Index is immutable, so sharing it is safe)."""
        key = ("index", tuple(codes))
        index = self._name_memo.get(key)
        if index is None:
            index = pd.Index(list(codes), name="secu_code")
            if len(self._name_memo) >= 8:
                self._name_memo.pop(next(iter(self._name_memo)))
            self._name_memo[key] = index
        return index

    def _block_frame(self, block, codes, fields):
        """The date-mode frame from :meth:`FundamentalsStore.latest_block` (one 2-D float block)."""
        names, values, end, publ, _rows = block
        index = self._code_index(codes)
        if list(names) == list(fields):
            df = pd.DataFrame(values, index=index, columns=list(fields))
        else:   # a field the table lacks reads NaN
            pos = {f: i for i, f in enumerate(names)}
            df = pd.DataFrame({f: values[:, pos[f]] if f in pos else np.full(len(codes), np.nan) for f in fields},
                              index=index)
        abbr = self._names(codes)
        abbr[np.isnat(end)] = np.nan
        extra = pd.DataFrame({"secu_abbr": abbr, "end_date": self._dates_text(end),
                              "publ_date": self._dates_text(publ)}, index=index)
        return pd.concat([df, extra], axis=1)

    def _empty(self, codes, fields, meta=_META):
        df = pd.DataFrame({f: np.full(len(codes), np.nan) for f in fields}, index=pd.Index(codes, name="secu_code"))
        for m in meta:
            df[m] = np.nan
        return df

    def _as_panel(self, df, key, by):
        frames = OrderedDict()
        for code in OrderedDict.fromkeys(df.index):
            part = df.loc[[code]]
            frames[code] = part.set_index(key).rename_axis(by)
        return Panel(frames)

    # -- API -----------------------------------------------------------------------------------------

    @phases(*_PH)
    def get_fundamentals(self, security, table, fields=None, date=None, start_year=None, end_year=None,
                         report_types=None, merge_type=None, date_type=None, is_dataframe=None):
        """get_fundamentals: financial report data (or the daily valuation) of one or more securities.

        Parameters
        ----------
        security : str or list of str
        table : str
            valuation, balance_statement, income_statement, cashflow_statement, growth_ability,
            profit_ability, eps, operating_ability, debt_paying_ability.
        fields : str or list of str, optional
            Default: every field of the table (docs/data-format.md lists them).
        date : str or datetime.date, optional
            Date mode: the most recent report first published strictly before ``date`` (default: the
            simulated date); later dates are capped at the simulated date.  Wins over the year mode.
        start_year, end_year : str or int, optional
            Year mode (both required): every report whose period ends in those years and that was
            published before the simulated date.
        report_types : str or list, optional
            '1' Q1, '2' half year, '3' Q1-Q3, '4' annual.
        merge_type : {None, 1}
            None: figures as first published.  1: the latest revision of each selected report (a
            revision may have been published after ``date``).
        date_type : ignored
            Deprecated in Ptrade; accepted.
        is_dataframe : bool, optional
            Year mode: True gives one DataFrame, False a Panel keyed by code; default follows the run
            option ``history_format`` ('panel' gives a Panel).

        Returns
        -------
        DataFrame or Panel
            Date mode: indexed by code (``secu_code``), columns = fields + secu_abbr, end_date, publ_date
            ('YYYY-mm-dd' strings; NaN where nothing was published).  valuation: fields + secu_abbr,
            trading_day.  Year mode: one row per code and report, indexed by code, sorted by code then
            end_date; as a Panel each code's frame is indexed by end_date (valuation: trading_day).

        Raises
        ------
        ValueError
            Unknown table, field, report type, merge_type or malformed date / year / code.

        Differences from Ptrade
        -----------------------
        The fields are those of the data root (the sample bundle: the TDX 2011-Q3 fields mapped in
        docs/data-format.md); valuation is derived from closes, ex_rights share capital and reports.
        No rate limit.
        """
        if table not in TABLES:
            raise ValueError(f"table must be one of {', '.join(TABLES)}, was {table!r}")
        if merge_type not in (None, 1):
            raise ValueError(f"merge_type must be None or 1, was {merge_type!r}")
        codes = self._codes(security)
        flds = self._fields(table, fields)
        rtypes = self._report_types(report_types)
        year_mode = date is None and (start_year is not None or end_year is not None)
        if year_mode and (start_year is None or end_year is None):
            raise ValueError(f"give both start_year and end_year, were start_year={start_year!r}, "
                             f"end_year={end_year!r}")
        if not codes:   # an empty screen gives an empty frame with the table's columns
            return self._empty([], flds, ("secu_abbr", "trading_day") if table == "valuation" else _META)
        if table == "valuation":
            return self._valuation(codes, flds, date, start_year, end_year, year_mode, is_dataframe)
        if not self.fund.has_table(table):
            self.rt.warn_once(f"fundamentals:missing:{table}",
                              f"the data root has no fundamentals/{table}.parquet; get_fundamentals returns NaN")
            return self._empty(codes, flds)
        if not year_mode:
            block = self.fund.latest_block(table, codes, self._query_day(date), rtypes, merge_type, fields=flds)
            return self._block_frame(block, codes, flds)
        sy, ey = self._year(start_year, "start_year"), self._year(end_year, "end_year")
        rows = self.fund.year_reports(table, codes, sy, ey, self._today(), rtypes, merge_type)
        df = self._statement_frame(rows, codes, flds, rows["code"].to_list())
        if self._panel(is_dataframe):
            return self._as_panel(df, "end_date", "end_date")
        return df

    def _panel(self, is_dataframe) -> bool:
        if is_dataframe is None:
            return self.rt.options.get("history_format", "long") == "panel"
        return not is_dataframe

    def _valuation(self, codes, fields, date, start_year, end_year, year_mode, is_dataframe):
        meta = ("secu_abbr", "trading_day")
        last = self._last_valuation_day(date)
        if last is None:
            return self._empty(codes, fields, meta)
        if not year_mode:
            dates, vals = self.fund.valuation(codes, last, last, fields)
            df = pd.DataFrame({f: vals[f][0] for f in fields}, index=pd.Index(codes, name="secu_code"))
            df["secu_abbr"] = self._names(codes)
            df["trading_day"] = str(last)
            return df
        sy, ey = self._year(start_year, "start_year"), self._year(end_year, "end_year")
        start = np.datetime64(f"{sy:04d}-01-01")
        end = min(np.datetime64(f"{ey:04d}-12-31"), last)
        dates, vals = self.fund.valuation(codes, start, end, fields)
        n = len(dates)
        df = pd.DataFrame({f: vals[f].T.reshape(-1) for f in fields},
                          index=pd.Index(np.repeat(codes, n), name="secu_code"))
        df["secu_abbr"] = np.repeat(self._names(codes), n)
        df["trading_day"] = np.tile(dates.astype(str), len(codes))
        if self._panel(is_dataframe):
            return self._as_panel(df, "trading_day", "trading_day")
        return df
