"""baostock (``pip install "ptrade_fast[baostock]"``) as a fetch source.

Every baostock query returns a ``ResultData`` (``error_code`` '0' = success, ``get_data()`` = a frame
of strings); a non-zero code is an error of that call (retried, then reported).  Functions and columns
(docs/data-format.md, *Fetching*):

| table | function | columns |
| --- | --- | --- |
| calendar | ``query_trade_dates(start_date, end_date)`` | calendar_date is_trading_day |
| instruments | ``query_stock_basic()`` | code (sh.600000) code_name ipoDate outDate type (1 stock, 2 index) |
| index daily | the same for ``common.INDEX_BARS`` with INDEX_FIELDS | date open high low close volume amount |
| daily, ST history, suspensions | ``query_history_k_data_plus(code, K_FIELDS, start_date, end_date, frequency='d', adjustflag='3')`` | date open high low close volume (shares) amount (CNY) tradestatus (0 = suspended) isST |
| bars5m (baostock has no 1-minute bars) | same with ``frequency='5'`` | date time (YYYYMMDDHHMMSSsss, bar end) code open high low close volume amount |
| ex_rights | ``query_dividend_data(code, year, yearType='operate')`` | dividOperateDate dividCashPsBeforeTax dividStocksPs dividReserveToStockPs |
| share capital | ``query_profit_data(code, year, quarter)`` | pubDate totalShare liqaShare |
| index_members (dated, monthly) | ``query_hs300_stocks(date)``, ``query_sz50_stocks(date)``, ``query_zz500_stocks(date)`` | updateDate code |
| industries (snapshot) | ``query_stock_industry()`` | updateDate code industry |
| fundamentals | ``query_profit_data``, ``query_operation_data``, ``query_growth_data``, ``query_balance_data``, ``query_cash_flow_data`` (code, year, quarter) | code pubDate statDate + the fields mapped below |

baostock gives ratios as fractions (roeAvg 0.0565): they are stored in percent like the TDX fields.
"""
from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from .common import INDEX_BARS, coverage, dated_members, dates, frame_tables, latest_by_prefix, periods
from .engine import Task

K_FIELDS = "date,code,open,high,low,close,preclose,volume,amount,adjustflag,turn,tradestatus,pctChg,isST"
INDEX_FIELDS = "date,code,open,high,low,close,preclose,volume,amount,pctChg"
M5_FIELDS = "date,time,code,open,high,low,close,volume,amount,adjustflag"
INDEX_QUERIES = {"query_hs300_stocks": "000300.SS", "query_sz50_stocks": "000016.SS", "query_zz500_stocks": "000905.SS"}
PCT = 100.0
REPORT_FIELDS = {
    "profit": {"profit_ability": {"roe": ("roeAvg", PCT), "net_profit_ratio": ("npMargin", PCT),
                                  "gross_income_ratio": ("gpMargin", PCT)},
               "income_statement": {"net_profit": ("netProfit", 1.0), "operating_revenue": ("MBRevenue", 1.0)},
               "eps": {"eps_ttm": ("epsTTM", 1.0)}},
    "operation": {"operating_ability": {"accounts_receivables_turnover_rate": ("NRTurnRatio", 1.0),
                                        "accounts_receivables_turnover_days": ("NRTurnDays", 1.0),
                                        "inventory_turnover_rate": ("INVTurnRatio", 1.0),
                                        "inventory_turnover_days": ("INVTurnDays", 1.0),
                                        "current_assets_turnover_rate": ("CATurnRatio", 1.0),
                                        "total_asset_turnover_rate": ("AssetTurnRatio", 1.0)}},
    "growth": {"growth_ability": {"net_asset_grow_rate": ("YOYEquity", PCT), "total_asset_grow_rate": ("YOYAsset", PCT),
                                  "net_profit_grow_rate": ("YOYNI", PCT), "basic_eps_grow_rate": ("YOYEPSBasic", PCT),
                                  "np_parent_company_grow_rate": ("YOYPNI", PCT)}},
    "balance": {"debt_paying_ability": {"current_ratio": ("currentRatio", 1.0), "quick_ratio": ("quickRatio", 1.0),
                                        "cash_ratio": ("cashRatio", 1.0),
                                        "debt_assets_ratio": ("liabilityToAsset", PCT),
                                        "equity_multiplier": ("assetToEquity", 1.0)}},
    "cash_flow": {"debt_paying_ability": {"interest_cover": ("ebitToInterest", 1.0)},
                  "cashflow_statement": {"operate_cash_flow_to_revenue": ("CFOToOR", PCT),
                                         "operate_cash_flow_to_net_profit": ("CFOToNP", PCT)}},
}
REPORT_QUERIES = {"profit": "query_profit_data", "operation": "query_operation_data", "growth": "query_growth_data",
                  "balance": "query_balance_data", "cash_flow": "query_cash_flow_data"}


class _Calls:
    """The baostock module seen as functions returning DataFrames (a non-'0' error_code raises)."""

    def __init__(self, bs):
        self.bs = bs

    def __getattr__(self, name):
        fn = getattr(self.bs, name)

        def call(**kwargs):
            rs = fn(**kwargs)
            if str(getattr(rs, "error_code", "0")) != "0":
                raise RuntimeError(f"baostock {name} error {rs.error_code}: {rs.error_msg}")
            return rs.get_data()
        return call


def _bs_code(code: str) -> str:
    return ("sh." if code.endswith(".SS") else "sz.") + code[:6]


def _from_bs(code: str):
    market, _, body = str(code).partition(".")
    if market not in ("sh", "sz") or len(body) != 6:
        return None
    return f"{body}.{'SS' if market == 'sh' else 'SZ'}"


def _num(col) -> np.ndarray:
    return pd.to_numeric(pd.Series(col).replace("", None), errors="coerce").to_numpy(float)


class BaostockSource:
    """Task lists and table building for baostock (see the module docstring)."""
    name, module, extra, default_rate = "baostock", "baostock", "baostock", 10.0

    def __init__(self, lib):
        self.bs = lib
        self.lib = _Calls(lib)

    def probe(self) -> None:
        rs = self.bs.login()
        if str(getattr(rs, "error_code", "0")) != "0":
            raise RuntimeError(f"login failed: {rs.error_msg}")

    def tasks(self, phase, cache, codes, start, end, minute) -> list[Task]:
        e, s = f"{end:%Y%m%d}", f"{start:%Y%m%d}"
        if phase == 1:
            return [Task("calendar", f"calendar_{s}_{e}", "query_trade_dates",
                         {"start_date": f"{start:%Y-%m-%d}", "end_date": f"{end:%Y-%m-%d}"}),
                    Task("instruments", f"basic@{e}", "query_stock_basic"),
                    Task("industries", f"industry@{e}", "query_stock_industry")]
        codes = sorted(codes) if codes else self._listed(cache)
        out = []
        for month in _months(start, end):
            for func in INDEX_QUERIES:
                out.append(Task("index_members", f"{func}@{month:%Y%m%d}", func, {"date": f"{month:%Y-%m-%d}"}))
        span = {"start_date": f"{start:%Y-%m-%d}", "end_date": f"{end:%Y-%m-%d}"}
        for code in INDEX_BARS:
            out.append(Task("index_daily", f"{code}_{s}_{e}", "query_history_k_data_plus",
                            {"code": _bs_code(code), "fields": INDEX_FIELDS, **span, "frequency": "d",
                             "adjustflag": "3"}))
        for code in codes:
            b = _bs_code(code)
            out.append(Task("daily", f"{code}_{s}_{e}", "query_history_k_data_plus",
                            {"code": b, "fields": K_FIELDS, **span, "frequency": "d", "adjustflag": "3"}))
            if minute:
                out.append(Task("bars5m", f"{code}_{s}_{e}", "query_history_k_data_plus",
                                {"code": b, "fields": M5_FIELDS, **span, "frequency": "5", "adjustflag": "3"}))
            for year in range(start.year, end.year + 1):
                key = f"{code}_{year}" + (f"@{e}" if year == end.year else "")
                out.append(Task("dividends", key, "query_dividend_data",
                                {"code": b, "year": str(year), "yearType": "operate"}))
            for year, quarter, fresh in _quarters(start, end):
                key = f"{code}_{year}Q{quarter}" + (f"@{e}" if fresh else "")
                for kind, func in REPORT_QUERIES.items():
                    out.append(Task(f"report_{kind}", key, func, {"code": b, "year": year, "quarter": quarter}))
        return out

    def _listed(self, cache) -> list[str]:
        inst = self._instruments(cache)
        return sorted(inst.loc[(inst["type"] == "1") & inst["delist_date"].isna(), "code"]) if len(inst) else []

    def _instruments(self, cache) -> pd.DataFrame:
        snap = latest_by_prefix(cache.load("instruments")).get("basic")
        if snap is None or snap[1].empty:
            return pd.DataFrame(columns=["code", "name", "list_date", "delist_date", "type"])
        df = snap[1]
        inst = pd.DataFrame({"code": [_from_bs(c) for c in df["code"]], "name": df["code_name"],
                             "list_date": dates(df["ipoDate"]), "delist_date": dates(df["outDate"]),
                             "type": df["type"].astype(str)})
        return inst[inst["code"].notna() & inst["type"].isin(["1", "2"])].reset_index(drop=True)

    # -- BUILD -----------------------------------------------------------------------------------------

    def build(self, cache, w) -> dict:
        tables = {}
        raw = [(key.split("_")[0], df) for key, df in cache.load("daily") + cache.load("index_daily") if len(df)]
        k = pd.concat([df.assign(_code=code) for code, df in raw], ignore_index=True) if raw else pd.DataFrame()
        if len(k):
            k["date"] = dates(k["date"])
            k = k.drop_duplicates(["_code", "date"], keep="last")
            # Index rows carry no tradestatus/isST: every index row is a trading day, never ST.
            k["tradestatus"] = k["tradestatus"].fillna("1") if "tradestatus" in k else "1"
            k["isST"] = k["isST"].fillna("0") if "isST" in k else "0"
            trading = k["tradestatus"].astype(str) == "1"
            daily = pd.DataFrame({"code": k["_code"], "date": k["date"], "open": _num(k["open"]),
                                  "high": _num(k["high"]),
                                  "low": _num(k["low"]), "close": _num(k["close"]),
                                  "volume": _num(k["volume"]), "money": _num(k["amount"])})[trading.to_numpy()]
            daily["volume"] = daily["volume"].fillna(0).astype(np.int64)
            susp = pd.DataFrame({"code": k["_code"], "date": k["date"], "reason": None})[~trading.to_numpy()]
            stock = ~k["_code"].isin(set(INDEX_BARS)).to_numpy()
            st = periods(k["_code"].to_numpy()[stock], k["date"].to_numpy()[stock],
                         k["isST"].astype(str).to_numpy()[stock] == "1", None)
        else:
            daily = susp = st = pd.DataFrame()
        cal = [df for _, df in cache.load("calendar") if len(df)]
        if cal and len(daily):
            c = pd.concat(cal, ignore_index=True)
            days = dates(c.loc[c["is_trading_day"].astype(str) == "1", "calendar_date"])
            lo, hi = daily["date"].min(), daily["date"].max()
            w.add_calendar(np.array(sorted({d for d in days if d is not None and lo <= d <= hi}), "datetime64[D]"))
        inst = self._instruments(cache)
        if len(inst):
            given = inst[inst["code"].isin(set(daily["code"]))] if len(daily) else inst
            w.add_instruments(given[["code", "name", "list_date", "delist_date"]])
        tables["instruments"] = inst
        ex = self._ex_rights(cache)
        if len(ex):
            w.add_ex_rights(ex)
        tables["ex_rights"] = ex
        if len(daily):
            w.add_daily(daily)
        tables["daily"] = daily
        if len(susp):
            w.add_suspensions(susp, source="baostock")
        tables["suspensions"] = susp
        if len(daily):
            w.add_st(st if len(st) else pd.DataFrame(columns=["code", "start_date", "end_date"]))
            w.set_meta("st", {"kind": "dated", "source": "baostock isST"})
        tables["st"] = st
        bars = []
        for key, df in cache.load("bars5m"):
            if len(df):
                t = pd.to_datetime(df["time"].astype(str).str[:12], format="%Y%m%d%H%M")
                bars.append(pd.DataFrame({"code": key.split("_")[0], "datetime": t, "open": _num(df["open"]),
                                          "high": _num(df["high"]), "low": _num(df["low"]), "close": _num(df["close"]),
                                          "volume": np.nan_to_num(_num(df["volume"])).astype(np.int64),
                                          "money": _num(df["amount"])}))
        bars = pd.concat(bars, ignore_index=True) if bars else pd.DataFrame()
        if len(bars):
            w.add_bars5m(bars)
        tables["bars5m"] = bars
        tables.update(self._members(cache, w))
        tables.update(self._fundamentals(cache, w))
        return coverage(tables)

    def _ex_rights(self, cache) -> pd.DataFrame:
        parts = []
        for key, df in cache.load("dividends"):
            if df.empty:
                continue
            code = key.split("_")[0]
            parts.append(pd.DataFrame({"code": code, "ex_date": dates(df["dividOperateDate"]),
                                       "cash_dividend": _num(df["dividCashPsBeforeTax"]),
                                       "bonus_ratio": _num(df["dividStocksPs"]),
                                       "conversion_ratio": _num(df["dividReserveToStockPs"]),
                                       "total_shares": np.nan, "float_shares": np.nan, "has_action": True}))
        for key, df in cache.load("report_profit"):
            if df.empty:
                continue
            code = key.split("_")[0]
            parts.append(pd.DataFrame({"code": code, "ex_date": dates(df["pubDate"]), "cash_dividend": 0.0,
                                       "bonus_ratio": 0.0, "conversion_ratio": 0.0,
                                       "total_shares": _num(df["totalShare"]), "float_shares": _num(df["liqaShare"]),
                                       "has_action": False}))
        if not parts:
            return pd.DataFrame()
        ex = pd.concat(parts, ignore_index=True)
        ex = ex[ex["ex_date"].notna()]
        for c in ("cash_dividend", "bonus_ratio", "conversion_ratio"):
            ex[c] = ex[c].fillna(0.0)
        ex = ex.sort_values(["code", "ex_date", "has_action"], kind="stable")
        ex = ex.groupby(["code", "ex_date"], as_index=False).agg(
            {"cash_dividend": "max", "bonus_ratio": "max", "conversion_ratio": "max", "total_shares": "last",
             "float_shares": "last", "has_action": "any"})
        ex["rights_ratio"], ex["rights_price"] = 0.0, 0.0
        return ex

    def _members(self, cache, w) -> dict:
        out = {}
        snaps: dict = {}
        for key, df in cache.load("index_members"):
            func, _, stamp = key.rpartition("@")
            if df.empty or func not in INDEX_QUERIES:
                continue
            upd = dates(df["updateDate"]).dropna()
            day = max(upd) if len(upd) else pd.Timestamp(stamp).date()
            codes = [_from_bs(c) for c in df["code"]]
            snaps.setdefault(INDEX_QUERIES[func], {})[day] = [c for c in codes if c]
        if snaps:
            m = dated_members({i: sorted(v.items()) for i, v in snaps.items()})
            w.add_index_members(m, kind="dated", source="baostock")
            out["index_members"] = m
        ind = latest_by_prefix(cache.load("industries")).get("industry")
        if ind is not None and len(ind[1]):
            df = ind[1]
            upd = dates(df["updateDate"]).dropna()
            b = pd.DataFrame({"category": "industry", "block": df["industry"].astype(str),
                              "code": [_from_bs(c) for c in df["code"]],
                              "block_code": df.get("industryClassification")})
            b = b[b["code"].notna() & (b["block"] != "")]
            w.add_blocks(b, source="baostock", as_of=max(upd) if len(upd) else pd.Timestamp(ind[0]).date())
            out["industries"] = b
        return out

    def _fundamentals(self, cache, w) -> dict:
        out = {}
        for kind, tables in REPORT_FIELDS.items():
            frames = [df for _, df in cache.load(f"report_{kind}") if len(df)]
            if not frames:
                continue
            df = pd.concat(frames, ignore_index=True)
            codes = pd.Series([_from_bs(c) for c in df["code"]])
            built = frame_tables({c: df[c] for c in df.columns}, tables, publ=dates(df["pubDate"]),
                                 end=dates(df["statDate"]), codes=codes)
            for table, frame in built.items():
                frame = frame.drop_duplicates(["code", "end_date", "revision"], keep="last")
                w.add_fundamentals(table, frame)
                out[table] = pd.concat([out[table], frame]) if table in out else frame
        return out


def _months(start: _dt.date, end: _dt.date) -> list[_dt.date]:
    """First day of each month overlapping [start, end], the first clipped to ``start``."""
    out, d = [start], _dt.date(start.year, start.month, 1)
    while True:
        d = _dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        if d > end:
            return out
        out.append(d)


def _quarters(start: _dt.date, end: _dt.date):
    """(year, quarter, fresh) of the reports that can be published in [start, end]: periods ending from
    six months before ``start`` to ``end``; ``fresh`` marks periods whose report may still be due after
    ``end`` (their response is fetched again on update)."""
    out = []
    first = start - _dt.timedelta(days=183)
    y, q = first.year, (first.month - 1) // 3 + 1
    while True:
        period_end = _dt.date(y, 3 * q, 1)
        if period_end > end:
            return out
        deadline = _dt.date(y + (q == 4), 4 if q in (1, 4) else (8 if q == 2 else 10), 30)
        out.append((y, q, deadline >= end))
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
