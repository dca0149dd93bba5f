"""Fundamentals (财务数据) of a data root: the quarterly report tables and the derived daily valuation.

Format (docs/data-format.md, "fundamentals/"): one ``fundamentals/<table>.parquet`` per report table with
``code, end_date, publ_date, report_type, revision`` and one float64 column per field.  ``revision`` 0 is
the figure as first published; higher revisions are later corrections of the same (code, end_date), the
highest being the latest.  The ``valuation`` table is not stored: it is derived per trading day from the
daily close and volume, the share capital in ``ex_rights.parquet`` and the reports published strictly
before that day (``FundamentalsStore.valuation``).

Point in time: a report is visible on day ``d`` iff its first publication date is strictly before ``d``
(a report published on ``d`` is seen from the next day on).  Among the visible reports the one with the
latest ``end_date`` is "the most recent report" (ties: the later ``publ_date``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .codes import normalize_code
from .format import read_bars, write_table_atomic

STATEMENT_TABLES = ("balance_statement", "income_statement", "cashflow_statement", "growth_ability",
                    "profit_ability", "eps", "operating_ability", "debt_paying_ability")
TABLES = ("valuation",) + STATEMENT_TABLES
KEY_COLUMNS = ("code", "end_date", "publ_date", "report_type", "revision")
REPORT_TYPES = ("1", "2", "3", "4")  # Q1, half year, Q1-Q3, annual (cumulative figures)

# Derived daily valuation fields (``valuation``): shares from ex_rights, prices from the daily bars,
# earnings, revenue and book value from the reports published strictly before the day.
VALUATION_FIELDS = ("total_shares", "a_shares", "a_floats", "b_shares", "b_floats", "h_shares", "total_value",
                    "float_value", "turnover_rate", "pe_ttm", "pe_static", "pe_dynamic", "pb", "ps", "ps_ttm",
                    "pcf", "naps", "roe", "dividend_ratio")
# The report figures a valuation needs: (step name, table, field, report types or None for any).
_VALUATION_INPUTS = (("naps", "eps", "naps", None), ("np_ttm", "income_statement", "net_profit_ttm", None),
                     ("rev_ttm", "income_statement", "operating_revenue_ttm", None),
                     ("np_year", "income_statement", "net_profit", ("4",)),
                     ("rev_year", "income_statement", "operating_revenue", ("4",)),
                     ("cf_year", "cashflow_statement", "net_operate_cash_flow", ("4",)),
                     ("np_last", "income_statement", "net_profit", None),
                     ("roe", "profit_ability", "roe", None))
# The inputs each derived field needs (fields not listed need only shares and prices).
_NEEDS = {"pe_ttm": ("np_ttm",), "ps_ttm": ("rev_ttm",), "pe_static": ("np_year",), "ps": ("rev_year",),
          "pcf": ("cf_year",), "pe_dynamic": ("np_last",), "naps": ("naps",), "pb": ("naps",), "roe": ("roe",),
          "dividend_ratio": ("div",)}
# pe_dynamic annualises the latest cumulative report: Q1 × 4, half year × 2, Q1–Q3 × 4/3, year × 1.
_ANNUALISE = {1: 4.0, 2: 2.0, 3: 4.0 / 3.0, 4: 1.0}

# -- THE TDX MAPPING -----------------------------------------------------------------------------------
# TDX gpcw field (the 专业财务 field list, docs/data-format.md) for each Ptrade field we map.  Only fields
# whose meaning is unambiguous are mapped; the rest of the 286 TDX fields are not carried.  A third
# element is a scale to natural units (f283 is in 10,000 CNY).
TDX_FIELDS: dict[str, dict[str, tuple]] = {
    "eps": {
        "basic_eps": ("f001",), "basic_eps_cut": ("f002",), "undistributed_profit_ps": ("f003",),
        "naps": ("f004",), "capital_reserve_ps": ("f005",), "operating_cash_flow_ps": ("f007",),
        "cash_flow_ps": ("f225",),
    },
    "balance_statement": {
        "cash_equivalents": ("f008",), "trading_assets": ("f009",), "bill_receivable": ("f010",),
        "account_receivable": ("f011",), "advance_payment": ("f012",), "other_receivable": ("f013",),
        "inventories": ("f017",), "total_current_assets": ("f021",), "hold_for_sale_assets": ("f022",),
        "hold_to_maturity_investments": ("f023",), "longterm_equity_invest": ("f025",),
        "investment_property": ("f026",), "fixed_assets": ("f027",), "constru_in_process": ("f028",),
        "intangible_assets": ("f033",), "good_will": ("f035",), "total_non_current_assets": ("f039",),
        "total_assets": ("f040",), "shortterm_loan": ("f041",), "notes_payable": ("f043",),
        "accounts_payable": ("f044",), "advance_receipts": ("f045",), "salaries_payable": ("f046",),
        "taxes_payable": ("f047",), "total_current_liability": ("f054",), "longterm_loan": ("f055",),
        "bonds_payable": ("f056",), "total_non_current_liability": ("f062",), "total_liability": ("f063",),
        "paidin_capital": ("f064",), "capital_reserve_fund": ("f065",), "surplus_reserve_fund": ("f066",),
        "treasury_stock": ("f067",), "retained_profit": ("f068",), "minority_interests": ("f069",),
        "total_shareholder_equity": ("f072",), "total_liability_and_equity": ("f073",),
        "se_without_mi": ("f271",),
    },
    "income_statement": {
        "operating_revenue": ("f074",), "operating_cost": ("f075",), "operating_tax_surcharges": ("f076",),
        "operating_expense": ("f077",), "administration_expense": ("f078",), "financial_expense": ("f080",),
        "asset_impairment_loss": ("f081",), "fair_value_change_income": ("f082",), "invest_income": ("f083",),
        "operating_profit": ("f086",), "non_operating_income": ("f088",), "non_operating_expense": ("f089",),
        "total_profit": ("f092",), "income_tax_cost": ("f093",), "net_profit": ("f095",),
        "np_parent_company_owners": ("f096",), "minority_profit": ("f097",),
        "net_profit_ttm": ("f276",), "operating_revenue_ttm": ("f283", 1e4),
    },
    "cashflow_statement": {
        "goods_sale_and_service_render_cash": ("f098",), "subtotal_operate_cash_inflow": ("f101",),
        "subtotal_operate_cash_outflow": ("f106",), "net_operate_cash_flow": ("f107",),
        "subtotal_invest_cash_inflow": ("f113",), "subtotal_invest_cash_outflow": ("f118",),
        "net_invest_cash_flow": ("f119",), "subtotal_finance_cash_inflow": ("f123",),
        "subtotal_finance_cash_outflow": ("f127",), "net_finance_cash_flow": ("f128",),
        "exchange_rate_change_effect": ("f129",), "cash_equivalent_increase": ("f131",),
        "begin_period_cash": ("f132",), "end_period_cash": ("f133",),
    },
    "debt_paying_ability": {
        "current_ratio": ("f159",), "quick_ratio": ("f160",), "cash_ratio": ("f161",),
        "interest_cover": ("f162",), "equity_multiplier": ("f167",), "debt_assets_ratio": ("f210",),
    },
    "operating_ability": {
        "accounts_receivables_turnover_rate": ("f172",), "inventory_turnover_rate": ("f173",),
        "total_asset_turnover_rate": ("f175",), "fixed_asset_turnover_rate": ("f176",),
        "accounts_receivables_turnover_days": ("f177",), "inventory_turnover_days": ("f178",),
        "current_assets_turnover_rate": ("f179",), "current_assets_turnover_days": ("f180",),
        "total_asset_turnover_days": ("f181",), "equity_turnover_rate": ("f182",),
    },
    "growth_ability": {
        "operating_revenue_grow_rate": ("f183",), "net_profit_grow_rate": ("f184",),
        "net_asset_grow_rate": ("f185",), "fixed_asset_grow_rate": ("f186",),
        "total_asset_grow_rate": ("f187",), "invest_income_grow_rate": ("f188",),
        "operating_profit_grow_rate": ("f189",), "np_parent_company_cut_yoy": ("f191",),
    },
    "profit_ability": {
        "roe": ("f197",), "roa": ("f200",), "operating_profit_ratio": ("f194",), "net_profit_ratio": ("f199",),
        "gross_income_ratio": ("f202",), "administration_expense_ratio": ("f204",),
        "financial_expense_ratio": ("f205",), "net_profit_cut": ("f206",), "ebit": ("f207",),
        "ebitda": ("f208",), "roe_weighted": ("f281",),
    },
}


def tdx_tables(fin: pd.DataFrame, publ_date=None, report_type: str | None = None) -> dict[str, pd.DataFrame]:
    """Turn a decoded TDX gpcw frame (``symbol, report_date, file_seq, f001 …``) into the report tables.

    ``publ_date`` / ``report_type`` apply to every row; when None they are read per row from the
    frame's ``publ_date`` / ``report_type`` columns (``importers.tdx_finance.read_gpcw`` provides both).
    A code that appears more than once with different figures is taken as revised: its records in file
    order get revisions 0, 1, … (every revision carries the row's ``publ_date``).  Exact repeats are
    dropped.
    """
    values = [c for c in fin.columns if c[:1] == "f" and c[1:].isdigit()]
    fin = fin.sort_values(["symbol", "file_seq"], kind="stable").drop_duplicates(["symbol", *values])
    revision = fin.groupby("symbol").cumcount().to_numpy(np.int16)
    publ = (pd.to_datetime(fin["publ_date"]) if publ_date is None
            else pd.Series(pd.Timestamp(publ_date), index=fin.index))
    rtype = fin["report_type"].astype(str).to_numpy() if report_type is None else str(report_type)
    keys = pd.DataFrame({
        "code": fin["symbol"].map(normalize_code).to_numpy(),
        "end_date": pd.to_datetime(fin["report_date"]).dt.date.to_numpy(),
        "publ_date": publ.dt.date.to_numpy(),
        "report_type": rtype,
        "revision": revision,
    })
    out = {}
    for table, mapping in TDX_FIELDS.items():
        cols = {f: _widen(fin[spec[0]]) * (spec[1] if len(spec) > 1 else 1.0) for f, spec in mapping.items()
                if spec[0] in fin}
        frame = pd.concat([keys, pd.DataFrame(cols)], axis=1)
        out[table] = frame.sort_values(["code", "end_date", "revision"], kind="stable").reset_index(drop=True)
    return out


def _widen(col: pd.Series) -> np.ndarray:
    """float32 as stored by TDX -> float64 through the shortest decimal that round-trips the float32
    (1.067 stays 1.067 instead of becoming 1.0670000314712524)."""
    if col.dtype == np.float32:
        # numpy prints a float32 as its shortest round-tripping decimal; parse that as float64.
        return col.to_numpy().astype(str).astype(np.float64)
    return col.to_numpy(np.float64)


def write_table(root, table: str, frame: pd.DataFrame) -> Path:
    """Write one report table to ``root/fundamentals/<table>.parquet`` (schema in docs/data-format.md)."""
    if table not in STATEMENT_TABLES:
        raise ValueError(f"table must be one of {', '.join(STATEMENT_TABLES)}, was {table!r}")
    fields = [c for c in frame.columns if c not in KEY_COLUMNS]
    schema = pa.schema([("code", pa.string()), ("end_date", pa.date32()), ("publ_date", pa.date32()),
                        ("report_type", pa.string()), ("revision", pa.int16())]
                       + [(f, pa.float64()) for f in fields])
    path = Path(root) / "fundamentals" / f"{table}.parquet"
    write_table_atomic(pa.Table.from_pandas(frame[list(KEY_COLUMNS) + fields], schema=schema,
                                            preserve_index=False), path)
    return path


# -- READING -------------------------------------------------------------------------------------------

class FundamentalsStore:
    """Point-in-time reads of a root's report tables and its derived valuation (tables read on demand)."""

    def __init__(self, store):
        self.store = store
        self._tables: dict[str, pd.DataFrame | None] = {}
        self._indexes: dict = {}
        self._shares = None

    def has_table(self, table: str) -> bool:
        return table == "valuation" or self.table(table) is not None

    def table(self, table: str) -> pd.DataFrame | None:
        """The stored rows of a report table (dates as datetime64[D]), or None if the root lacks it."""
        if table not in self._tables:
            path = self.store.root / "fundamentals" / f"{table}.parquet"
            if not path.is_file():
                self._tables[table] = None
            else:
                df = read_bars(path).to_pandas()
                for c in ("end_date", "publ_date"):
                    df[c] = df[c].to_numpy().astype("datetime64[D]")
                self._tables[table] = df
        return self._tables[table]

    def fields(self, table: str) -> list[str]:
        if table == "valuation":
            return list(VALUATION_FIELDS)
        df = self.table(table)
        if df is None:
            return list(TDX_FIELDS.get(table, {}))
        return [c for c in df.columns if c not in KEY_COLUMNS]

    # -- report tables --

    def _index(self, table, report_types):
        """The point-in-time lookup index of ``table`` restricted to ``report_types`` (built once)."""
        key = (table, tuple(sorted(report_types)) if report_types else None)
        if key not in self._indexes:
            df = self.table(table)
            self._indexes[key] = None if df is None else _PitIndex(df, report_types)
        return self._indexes[key]

    def _visible(self, table, codes, before, report_types, merge_type):
        """Original disclosures of ``codes`` first published strictly before ``before`` (values replaced
        by the latest revision when ``merge_type`` is 1)."""
        df = self.table(table)
        if df is None:
            return None
        df = df[df["code"].isin(codes)]
        first = df[df["revision"] == 0]
        if before is not None:
            first = first[first["publ_date"] < before]
        if report_types:
            first = first[first["report_type"].isin(report_types)]
        if merge_type == 1 and len(first):
            latest = df.sort_values("revision").groupby(["code", "end_date"], sort=False).tail(1)
            latest = latest.set_index(["code", "end_date"])
            idx = pd.MultiIndex.from_arrays([first["code"], first["end_date"]])
            first = latest.loc[idx].reset_index()
        return first

    def latest_rows(self, table, codes, before, report_types=None, merge_type=None):
        """Row numbers (into :meth:`table`) of each code's most recent report visible before ``before``;
        -1 where none is.  None when the root lacks the table.  Vectorised: O(len(codes) log rows)."""
        index = self._index(table, report_types)
        if index is None:
            return None
        return index.lookup(codes, before, merge_type == 1)

    def latest_block(self, table, codes, before, report_types=None, merge_type=None, fields=None):
        """The most recent visible reports of ``codes`` as arrays: ``(fields, values[len(codes), n_fields],
        end_date, publ_date, rows)``; rows without a report are NaN / NaT (``rows`` -1).  None when the
        root lacks the table.  One gather of whole report rows, so a whole-market call stays cheap."""
        rows = self.latest_rows(table, codes, before, report_types, merge_type)
        if rows is None:
            return None
        cols = self._columns(table)
        names, matrix = cols["_fields"], cols["_matrix"]
        have = rows >= 0
        take = np.where(have, rows, 0)
        values = matrix[take]
        if fields is not None:
            pos = {f: i for i, f in enumerate(names)}
            keep = [f for f in fields if f in pos]
            values = values[:, [pos[f] for f in keep]]
            names = keep
        values[~have] = np.nan
        end, publ = cols["end_date"][take], cols["publ_date"][take]
        end[~have] = np.datetime64("NaT")
        publ[~have] = np.datetime64("NaT")
        return names, values, end, publ, np.where(have, rows, -1)

    def latest_arrays(self, table, codes, before, report_types=None, merge_type=None, fields=None):
        """Like :meth:`latest_reports` as a dict of numpy arrays (``end_date, publ_date, report_type,
        revision`` and the fields) aligned with ``codes``; None when the root lacks the table."""
        block = self.latest_block(table, codes, before, report_types, merge_type, fields)
        if block is None:
            return None
        names, values, end, publ, rows = block
        cols = self._columns(table)
        have = rows >= 0
        out = {"end_date": end, "publ_date": publ}
        for c in ("report_type", "revision"):
            v = cols[c][np.where(have, rows, 0)].astype(object)
            v[~have] = np.nan
            out[c] = v
        for i, f in enumerate(names):
            out[f] = values[:, i]
        return out

    def latest_reports(self, table, codes, before, report_types=None, merge_type=None,
                       fields=None) -> pd.DataFrame:
        """One row per code (in ``codes`` order): its most recent report visible before ``before``.

        Columns ``end_date, publ_date, report_type, revision`` and the fields (``fields``: only these),
        indexed by code; codes without a visible report get a row of NaN/NaT.
        """
        out = self.latest_arrays(table, codes, before, report_types, merge_type, fields)
        if out is None:
            return None
        return pd.DataFrame(out, index=pd.Index(list(codes), name="code"))

    def _columns(self, table) -> dict:
        """The columns of a report table as numpy arrays (float64 fields), built once."""
        key = ("columns", table)
        if key not in self._indexes:
            df = self.table(table)
            cols = {c: df[c].to_numpy() for c in ("code", "end_date", "publ_date", "report_type", "revision")}
            fields = [c for c in df.columns if c not in KEY_COLUMNS]
            matrix = np.ascontiguousarray(df[fields].to_numpy(np.float64)) if fields else np.empty((len(df), 0))
            for i, c in enumerate(fields):
                cols[c] = matrix[:, i]
            cols["_fields"], cols["_matrix"] = fields, matrix
            self._indexes[key] = cols
        return self._indexes[key]

    def year_reports(self, table, codes, start_year, end_year, before, report_types=None, merge_type=None):
        """All reports of ``codes`` with end_date in [start_year, end_year], visible before ``before``."""
        rows = self._visible(table, codes, before, report_types, merge_type)
        if rows is None:
            return None
        year = rows["end_date"].to_numpy().astype("datetime64[Y]").astype(int) + 1970
        rows = rows[(year >= int(start_year)) & (year <= int(end_year))]
        order = {c: i for i, c in enumerate(codes)}
        rows = rows.assign(_o=rows["code"].map(order)).sort_values(["_o", "end_date"], kind="stable")
        return rows.drop(columns="_o").reset_index(drop=True)

    # -- valuation --

    def _share_steps(self):
        """Step lookup of the share capital in ``ex_rights.parquet`` (every row that states it), built once."""
        if self._shares is None:
            ex = self.store.exrights_table()
            if len(ex) and "total_shares" in ex:
                ex = ex[ex["total_shares"].notna()]          # action rows without share capital do not count
            if len(ex) and "total_shares" in ex:
                days = pd.to_datetime(ex["ex_date"]).to_numpy().astype("datetime64[D]")
                self._shares = (_Steps(ex["code"].to_numpy(object), days),
                                ex["total_shares"].to_numpy(float), ex["float_shares"].to_numpy(float))
            else:
                self._shares = (None, None, None)
        return self._shares

    def _report_steps(self, table, field, code, report_types=None, with_type=False):
        """(publ_dates, values): the value of the most recent report after each publication of ``code``
        (only reports of ``report_types`` when given).  ``with_type`` adds the report type in force."""
        df = self.table(table)
        if df is None or field not in df:
            empty = (np.array([], "datetime64[D]"), np.array([]))
            return empty + (np.array([]),) if with_type else empty
        g = self._originals(table).get(code)
        if g is None:
            g = df.iloc[:0]
        if report_types:
            g = g[g["report_type"].astype(str).isin(report_types)]
        g = g.sort_values(["publ_date", "end_date"])
        best_end = np.maximum.accumulate(g["end_date"].to_numpy().astype("datetime64[D]").astype(np.int64))
        ends = g["end_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
        vals = g[field].to_numpy(float)
        # The value in force after publication i is that of the report with the latest end_date so far.
        pick = np.array([np.flatnonzero(ends[: i + 1] == best_end[i])[-1] for i in range(len(g))], np.int64)
        out = (g["publ_date"].to_numpy().astype("datetime64[D]"), vals[pick] if len(g) else vals)
        if with_type:
            types = pd.to_numeric(g["report_type"], errors="coerce").to_numpy(float)
            out = out + (types[pick] if len(g) else types,)
        return out

    def _originals(self, table) -> dict:
        """code -> the table's original disclosures (revision 0) of that code, grouped once per table."""
        cache = self.__dict__.setdefault("_orig_cache", {})
        if table not in cache:
            df = self.table(table)
            cache[table] = ({} if df is None else
                            {c: g for c, g in df[df["revision"] == 0].groupby("code", sort=False)})
        return cache[table]

    def _dividend_ttm(self, code, dates):
        """Cash dividend per share with ex-date in the 365 days up to each day (ex_rights)."""
        out = np.zeros(len(dates))
        if "_div_cache" not in self.__dict__:
            ex = self.store.exrights_table()
            groups = {}
            if len(ex) and "cash_dividend" in ex:
                ex = ex[np.nan_to_num(ex["cash_dividend"].to_numpy(float)) != 0]
                for c, g in ex.groupby("code", sort=False):
                    groups[c] = (pd.to_datetime(g["ex_date"]).to_numpy().astype("datetime64[D]"),
                                 g["cash_dividend"].to_numpy(float))
            self._div_cache = groups
        if code not in self._div_cache:
            return out
        ed, cash = self._div_cache[code]
        for i, d in enumerate(dates):
            out[i] = cash[(ed <= d) & (ed > d - np.timedelta64(365, "D"))].sum()
        return out

    def valuation(self, codes, start, end, fields=None):
        """Daily valuation of ``codes`` on the trading days in [start, end]: ``(dates, {field: [days, codes]})``.

        total_shares, a_floats: shares in force (latest ex_rights row with ex_date <= day); a_shares =
        total_shares (the data carries A shares only; b_shares, b_floats, h_shares are NaN);
        total_value / float_value: close × total_shares / a_floats (CNY);
        turnover_rate: volume / a_floats × 100 (percent);
        from the most recent report published strictly before the day: pe_ttm = total_value / net_profit_ttm,
        ps_ttm = total_value / operating_revenue_ttm, pb = close / naps, naps, roe (profit_ability);
        from the latest annual report: pe_static = total_value / net_profit, ps = total_value /
        operating_revenue, pcf = total_value / net_operate_cash_flow; pe_dynamic = total_value / (the latest
        report's cumulative net_profit annualised: Q1 × 4, half year × 2, Q1–Q3 × 4/3);
        dividend_ratio: cash dividends per share with ex-date in the last 365 days / close × 100 (percent).
        With ``fields`` only the report inputs those fields need are read (the others come back NaN).
        """
        wanted = VALUATION_FIELDS if fields is None else tuple(fields)
        needs = {n for f in wanted for n in _NEEDS.get(f, ())}
        store = self.store
        dates, rows = store.daily_range(store.sids(codes), ("close", "volume"), start, end)
        n, m = len(dates), len(codes)
        out = {f: np.full((n, m), np.nan) for f in VALUATION_FIELDS}
        share_steps, tot, flt = self._share_steps()
        if share_steps is not None:
            for i, day in enumerate(dates):          # share capital: one vectorised lookup per day
                k = share_steps.find(codes, day, strict=False)
                ok = k >= 0
                out["total_shares"][i, ok] = tot[k[ok]]
                out["a_floats"][i, ok] = flt[k[ok]]
        for j, code in enumerate(codes):
            for name, table, field, types in _VALUATION_INPUTS:
                out.setdefault("_" + name, np.full((n, m), np.nan))
                if name not in needs:
                    continue
                steps = self._report_steps(table, field, code, types, with_type=name == "np_last")
                pd_, vals = steps[0], steps[1]
                k = np.searchsorted(pd_, dates, side="left") - 1  # strictly before the day
                col = np.where(k >= 0, vals[np.maximum(k, 0)] if len(vals) else np.nan, np.nan)
                out["_" + name][:, j] = col
                if name == "np_last":
                    typ = np.where(k >= 0, steps[2][np.maximum(k, 0)] if len(vals) else np.nan, np.nan)
                    factor = np.array([_ANNUALISE.get(int(t), np.nan) if np.isfinite(t) else np.nan for t in typ])
                    out["_np_last"][:, j] = col * factor
            if "div" in needs:
                out.setdefault("_div", np.full((n, m), np.nan))[:, j] = self._dividend_ttm(code, dates)
        out.setdefault("_div", np.full((n, m), np.nan))
        close, volume = rows["close"], rows["volume"]
        with np.errstate(invalid="ignore", divide="ignore"):
            out["a_shares"] = out["total_shares"].copy()
            out["total_value"] = close * out["total_shares"]
            out["float_value"] = close * out["a_floats"]
            out["turnover_rate"] = volume / out["a_floats"] * 100.0
            out["pe_ttm"] = _ratio(out["total_value"], out.pop("_np_ttm"))
            out["ps_ttm"] = _ratio(out["total_value"], out.pop("_rev_ttm"))
            out["pe_static"] = _ratio(out["total_value"], out.pop("_np_year"))
            out["ps"] = _ratio(out["total_value"], out.pop("_rev_year"))
            out["pcf"] = _ratio(out["total_value"], out.pop("_cf_year"))
            out["pe_dynamic"] = _ratio(out["total_value"], out.pop("_np_last"))
            out["naps"] = out.pop("_naps")
            out["pb"] = _ratio(close, out["naps"])
            out["roe"] = out.pop("_roe")
            out["dividend_ratio"] = np.where(np.isfinite(close) & (close > 0), out.pop("_div") / close * 100.0, np.nan)
        return dates, out


_DAY_SPAN = np.int64(1) << 20      # days since 1970 fit easily (to year 4840)


class _Steps:
    """Rows keyed by (code, day), sorted, for vectorised "last row of each code on/before a day" lookups.

    ``find(codes, day)`` answers for every code at once with one ``searchsorted`` over the composite
    key code_number × 2**20 + day, so a whole-market query costs O(codes × log rows).
    """

    def __init__(self, codes: np.ndarray, days: np.ndarray, tiebreak: np.ndarray | None = None):
        self.names = pd.Index(pd.unique(codes))
        group = self.names.get_indexer(codes).astype(np.int64)
        day = days.astype("datetime64[D]").astype(np.int64)
        keys = [day, group] if tiebreak is None else [tiebreak, day, group]
        self.order = np.lexsort(keys)            # rows sorted by group, day(, tiebreak)
        self.group = group[self.order]
        self.key = self.group * _DAY_SPAN + day[self.order]

    def find(self, codes, day, strict: bool) -> np.ndarray:
        """Sorted positions of each code's last row with day < ``day`` (strict) or <= ``day``; -1 if none."""
        g = self.names.get_indexer(codes).astype(np.int64)
        q = g * _DAY_SPAN + np.int64(np.datetime64(day, "D").astype(np.int64))
        k = np.searchsorted(self.key, q, side="left" if strict else "right") - 1
        ok = (g >= 0) & (k >= 0)
        ok[ok] = self.group[k[ok]] == g[ok]
        return np.where(ok, self.order[np.maximum(k, 0)], -1)


class _PitIndex:
    """Point-in-time index of one report table: for each code and day, the row of the most recent report
    (latest end_date, ties the later publ_date) among the first disclosures published strictly before
    the day; with ``latest`` the row of that report's highest revision instead."""

    def __init__(self, df: pd.DataFrame, report_types=None):
        rev = df["revision"].to_numpy()
        pick = rev == 0
        if report_types:
            pick &= df["report_type"].isin(list(report_types)).to_numpy()
        rows = np.flatnonzero(pick)
        codes = df["code"].to_numpy(object)[rows]
        publ = df["publ_date"].to_numpy().astype("datetime64[D]")[rows]
        end = df["end_date"].to_numpy().astype("datetime64[D]").astype(np.int64)[rows]
        self.steps = _Steps(codes, publ, tiebreak=end)
        # best[i]: among the sorted rows of the same code up to i, the one with the latest end_date
        # (ties: the later position, i.e. the later publ_date).  Groups are contiguous and their keys
        # increase, so one running maximum over (group, end_date, position) serves every code.
        n = len(rows)
        pos = np.arange(n, dtype=np.int64)
        end_sorted = end[self.steps.order] - end.min() if n else end
        width = np.int64(n + 1)
        span = (np.int64(end_sorted.max()) + 1 if n else 1) * width
        packed = self.steps.group * span + end_sorted * width + pos
        best = np.maximum.accumulate(packed) % width if n else pos
        self.best_row = rows[self.steps.order][best] if n else rows
        # The latest revision of each (code, end_date) for merge_type=1.
        keyed = pd.DataFrame({"code": df["code"].to_numpy(object), "end": df["end_date"].to_numpy(),
                              "rev": rev, "row": np.arange(len(df))})
        last = keyed.sort_values(["code", "end", "rev"], kind="stable").drop_duplicates(["code", "end"], keep="last")
        latest = np.arange(len(df))
        first = keyed[keyed["rev"] == 0].merge(last[["code", "end", "row"]], on=["code", "end"],
                                               suffixes=("", "_latest"))
        latest[first["row"].to_numpy()] = first["row_latest"].to_numpy()
        self.latest = latest
        self._memo: dict = {}

    def _groups(self, codes) -> np.ndarray:
        """Group numbers of ``codes`` (-1: no reports); the last few code lists asked are remembered,
        as strategies ask for the same universe bar after bar."""
        key = tuple(codes)
        g = self._memo.get(key)
        if g is None:
            g = self.steps.names.get_indexer(list(key)).astype(np.int64)
            if len(self._memo) >= 4:
                self._memo.pop(next(iter(self._memo)))
            self._memo[key] = g
        return g

    def lookup(self, codes, before, latest: bool = False) -> np.ndarray:
        """Table row of each code's most recent visible report before ``before``; -1 where none."""
        st = self.steps
        g = self._groups(codes)
        q = g * _DAY_SPAN + np.int64(np.datetime64(before, "D").astype(np.int64))
        k = np.searchsorted(st.key, q, side="left") - 1
        ok = (g >= 0) & (k >= 0)
        ok[ok] = st.group[k[ok]] == g[ok]
        out = np.where(ok, self.best_row[np.maximum(k, 0)] if len(self.best_row) else 0, -1)
        if latest:
            out = np.where(out >= 0, self.latest[np.maximum(out, 0)], -1)
        return out


def merge_table(root, table: str, frame: pd.DataFrame) -> Path:
    """Merge rows into ``root/fundamentals/<table>.parquet``: new rows win on (code, end_date, revision).

    The incremental counterpart of :func:`write_table` (used by the importers and ``data fetch``).
    """
    path = Path(root) / "fundamentals" / f"{table}.parquet"
    frame = frame.copy()
    for c in ("end_date", "publ_date"):
        frame[c] = pd.to_datetime(frame[c]).dt.date
    if path.is_file():
        old = read_bars(path).to_pandas()
        frame = pd.concat([old, frame], ignore_index=True)
    frame = frame.drop_duplicates(["code", "end_date", "revision"], keep="last")
    frame = frame.sort_values(["code", "end_date", "revision"], kind="stable").reset_index(drop=True)
    return write_table(root, table, frame)


def _ratio(a, b):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((b != 0) & ~np.isnan(b), a / np.where(b == 0, np.nan, b), np.nan)
