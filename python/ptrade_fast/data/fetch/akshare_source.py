"""akshare (``pip install "ptrade_fast[akshare]"``) as a fetch source.

Functions and the columns read (names as akshare returns them; docs/data-format.md, *Fetching*):

| table | function | columns |
| --- | --- | --- |
| calendar | ``tool_trade_date_hist_sina()`` | trade_date |
| instruments | ``stock_info_sh_name_code(symbol='主板A股'/'科创板')``, ``stock_info_sz_name_code(symbol='A股列表')``, ``stock_info_sh_delist(symbol='全部')``, ``stock_info_sz_delist(symbol='终止上市公司')`` | 证券代码 证券简称 上市日期; A股代码 A股简称 A股上市日期; 公司代码 公司简称 上市日期 暂停上市日期; 证券代码 证券简称 上市日期 终止上市日期 |
| daily (unadjusted) | ``stock_zh_a_hist(symbol, period='daily', start_date, end_date, adjust='')`` | 日期 开盘 收盘 最高 最低 成交量 (lots, ×100) 成交额 (CNY) |
| index daily | ``index_zh_a_hist(symbol, period='daily', start_date, end_date)`` for ``common.INDEX_BARS`` | the same columns |
| minute (1m, recent days only) | ``stock_zh_a_hist_min_em(symbol, start_date, end_date, period='1', adjust='')`` | 时间 (bar end) 开盘 收盘 最高 最低 成交量 (lots) 成交额 |
| ex_rights | ``stock_history_dividend_detail(symbol, indicator='分红'/'配股')`` | 送股 转增 派息 (per 10 shares) 进度 除权除息日; 配股方案 (per 10) 配股价格 除权日 |
| st (snapshot) | ``stock_zh_a_st_em()`` | 代码 |
| suspensions (snapshot) | ``stock_tfp_em(date)`` | 代码 停牌时间 停牌原因 |
| index_members (snapshot) | ``index_stock_cons_csindex(symbol)`` | 日期 成分券代码 |
| industries (snapshot) | ``stock_board_industry_name_em()``, ``stock_board_industry_cons_em(symbol)`` | 板块名称; 代码 |
| fundamentals | ``stock_financial_report_sina(stock='sh600000', symbol='资产负债表'/'利润表'/'现金流量表')`` | 报告日 公告日期 + the items mapped below |

akshare has no dated ST or index history: those are snapshots of the fetch day, flagged ``snapshot``
(ST periods start on that day).  Share capital is not served per date: valuation needs another source.
"""
from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from .common import INDEX_BARS, a_share, coverage, dated_members, dates, frame_tables, latest_by_prefix, ymd
from .engine import Task

INDICES = {"000300": "000300.SS", "000905": "000905.SS", "000852": "000852.SS", "000016": "000016.SS"}
STATEMENTS = {"balance": "资产负债表", "income": "利润表", "cashflow": "现金流量表"}

# Ptrade table -> field -> (sina item, scale); items are matched after NFKC normalisation (full-width
# brackets become ASCII) with spaces removed.
REPORT_FIELDS = {
    "balance": {
        "balance_statement": {
            "cash_equivalents": "货币资金", "trading_assets": "交易性金融资产", "bill_receivable": "应收票据",
            "account_receivable": "应收账款", "advance_payment": "预付款项", "other_receivable": "其他应收款",
            "inventories": "存货", "total_current_assets": "流动资产合计", "longterm_equity_invest": "长期股权投资",
            "investment_property": "投资性房地产", "fixed_assets": "固定资产", "constru_in_process": "在建工程",
            "intangible_assets": "无形资产", "good_will": "商誉", "total_non_current_assets": "非流动资产合计",
            "total_assets": "资产总计", "shortterm_loan": "短期借款", "notes_payable": "应付票据",
            "accounts_payable": "应付账款", "advance_receipts": "预收款项", "salaries_payable": "应付职工薪酬",
            "taxes_payable": "应交税费", "total_current_liability": "流动负债合计", "longterm_loan": "长期借款",
            "bonds_payable": "应付债券", "total_non_current_liability": "非流动负债合计",
            "total_liability": "负债合计", "paidin_capital": "实收资本(或股本)", "capital_reserve_fund": "资本公积",
            "surplus_reserve_fund": "盈余公积", "retained_profit": "未分配利润", "minority_interests": "少数股东权益",
            "se_without_mi": "归属于母公司股东权益合计",
            "total_shareholder_equity": "所有者权益(或股东权益)合计",
            "total_liability_and_equity": "负债和所有者权益(或股东权益)总计",
        },
    },
    "income": {
        "income_statement": {
            "total_operating_revenue": "营业总收入", "operating_revenue": "营业收入",
            "total_operating_cost": "营业总成本", "operating_cost": "营业成本",
            "operating_tax_surcharges": "营业税金及附加", "operating_expense": "销售费用",
            "administration_expense": "管理费用", "financial_expense": "财务费用",
            "asset_impairment_loss": "资产减值损失", "fair_value_change_income": "公允价值变动收益",
            "invest_income": "投资收益", "operating_profit": "营业利润", "non_operating_income": "营业外收入",
            "non_operating_expense": "营业外支出", "total_profit": "利润总额", "income_tax_cost": "所得税费用",
            "net_profit": "净利润", "np_parent_company_owners": "归属于母公司所有者的净利润",
            "minority_profit": "少数股东损益",
        },
        "eps": {"basic_eps": "基本每股收益", "diluted_eps": "稀释每股收益"},
    },
    "cashflow": {
        "cashflow_statement": {
            "goods_sale_and_service_render_cash": "销售商品、提供劳务收到的现金",
            "subtotal_operate_cash_inflow": "经营活动现金流入小计",
            "subtotal_operate_cash_outflow": "经营活动现金流出小计",
            "net_operate_cash_flow": "经营活动产生的现金流量净额",
            "subtotal_invest_cash_inflow": "投资活动现金流入小计",
            "subtotal_invest_cash_outflow": "投资活动现金流出小计",
            "net_invest_cash_flow": "投资活动产生的现金流量净额",
            "subtotal_finance_cash_inflow": "筹资活动现金流入小计",
            "subtotal_finance_cash_outflow": "筹资活动现金流出小计",
            "net_finance_cash_flow": "筹资活动产生的现金流量净额",
            "exchange_rate_change_effect": "汇率变动对现金及现金等价物的影响",
            "cash_equivalent_increase": "现金及现金等价物净增加额",
            "begin_period_cash": "期初现金及现金等价物余额", "end_period_cash": "期末现金及现金等价物余额",
        },
    },
}


def _norm(text) -> str:
    return unicodedata.normalize("NFKC", str(text)).replace(" ", "")


def _fold_auction(m: pd.DataFrame) -> pd.DataFrame:
    """Eastmoney's 1-minute series start with a 09:30 bar (the opening auction); Ptrade's first bar is the
    one ending 09:31, so the auction bar is folded into it (first open, max high, min low, last close,
    summed volume and money)."""
    early = m["datetime"].dt.strftime("%H:%M") <= "09:30"
    if not early.any():
        return m
    m = m.sort_values(["code", "datetime"], kind="stable").copy()
    m.loc[early, "datetime"] = m.loc[early, "datetime"].dt.normalize() + pd.Timedelta(hours=9, minutes=31)
    return m.groupby(["code", "datetime"], as_index=False, sort=True).agg(
        {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum", "money": "sum"})


def _lots(col) -> np.ndarray:
    """成交量 in lots of 100 shares → shares (int64; missing → 0)."""
    return pd.to_numeric(col, errors="coerce").fillna(0).round().astype(np.int64).to_numpy() * 100


def _sina(code: str) -> str:
    return ("sh" if code.endswith(".SS") else "sz") + code[:6]


class AkshareSource:
    """Task lists and table building for akshare (see the module docstring)."""
    name, module, extra, default_rate = "akshare", "akshare", "akshare", 2.0

    def __init__(self, lib):
        self.lib = lib

    def probe(self) -> None:
        self.lib.tool_trade_date_hist_sina()

    def tasks(self, phase, cache, codes, start, end, minute) -> list[Task]:
        e = ymd(end)
        if phase == 1:
            return [Task("calendar", f"calendar@{e}", "tool_trade_date_hist_sina"),
                    Task("instruments", f"sh_main@{e}", "stock_info_sh_name_code", {"symbol": "主板A股"}),
                    Task("instruments", f"sh_star@{e}", "stock_info_sh_name_code", {"symbol": "科创板"}),
                    Task("instruments", f"sz@{e}", "stock_info_sz_name_code", {"symbol": "A股列表"}),
                    Task("delisted", f"sh@{e}", "stock_info_sh_delist", {"symbol": "全部"}),
                    Task("delisted", f"sz@{e}", "stock_info_sz_delist", {"symbol": "终止上市公司"}),
                    Task("industry_boards", f"boards@{e}", "stock_board_industry_name_em")]
        codes = sorted(codes) if codes else self._listed(cache)
        out = [Task("st", f"st@{e}", "stock_zh_a_st_em"), Task("suspensions", f"tfp@{e}", "stock_tfp_em", {"date": e})]
        out += [Task("index_members", f"{i}@{e}", "index_stock_cons_csindex", {"symbol": i}) for i in INDICES]
        boards = latest_by_prefix(cache.load("industry_boards")).get("boards")
        for name in ([] if boards is None else boards[1].get("板块名称", pd.Series(dtype=object)).tolist()):
            out.append(Task("industries", f"{name}@{e}", "stock_board_industry_cons_em", {"symbol": name}))
        s = ymd(start)
        for code in INDEX_BARS:
            out.append(Task("index_daily", f"{code}_{s}_{e}", "index_zh_a_hist",
                            {"symbol": code[:6], "period": "daily", "start_date": s, "end_date": e}))
        for code in codes:
            c6 = code[:6]
            out.append(Task("daily", f"{code}_{s}_{e}", "stock_zh_a_hist",
                            {"symbol": c6, "period": "daily", "start_date": s, "end_date": e, "adjust": ""}))
            out.append(Task("dividends", f"{code}@{e}", "stock_history_dividend_detail",
                            {"symbol": c6, "indicator": "分红"}))
            out.append(Task("rights", f"{code}@{e}", "stock_history_dividend_detail",
                            {"symbol": c6, "indicator": "配股"}))
            for kind, label in STATEMENTS.items():
                out.append(Task(f"report_{kind}", f"{code}@{e}", "stock_financial_report_sina",
                                {"stock": _sina(code), "symbol": label}))
            if minute:
                out.append(Task("minute", f"{code}_{s}_{e}", "stock_zh_a_hist_min_em",
                                {"symbol": c6, "start_date": f"{pd.Timestamp(start):%Y-%m-%d} 09:30:00",
                                 "end_date": f"{pd.Timestamp(end):%Y-%m-%d} 15:00:00", "period": "1", "adjust": ""}))
        return out

    def _listed(self, cache) -> list[str]:
        inst = self._instruments(cache)
        return sorted(inst.loc[inst["delist_date"].isna(), "code"]) if len(inst) else []

    # -- BUILD -----------------------------------------------------------------------------------------

    def _instruments(self, cache) -> pd.DataFrame:
        parts = []
        snaps = latest_by_prefix(cache.load("instruments"))
        for name, (_, df) in sorted(snaps.items()):
            if df.empty:
                continue
            if name.startswith("sh"):
                parts.append(pd.DataFrame({"c6": df["证券代码"], "name": df["证券简称"], "list_date": dates(df["上市日期"]),
                                           "delist_date": None}))
            else:
                parts.append(pd.DataFrame({"c6": df["A股代码"], "name": df["A股简称"],
                                           "list_date": dates(df["A股上市日期"]), "delist_date": None}))
        for name, (_, df) in sorted(latest_by_prefix(cache.load("delisted")).items()):
            if df.empty:
                continue
            if name == "sh":
                parts.append(pd.DataFrame({"c6": df["公司代码"], "name": df["公司简称"], "list_date": dates(df["上市日期"]),
                                           "delist_date": dates(df["暂停上市日期"])}))
            else:
                parts.append(pd.DataFrame({"c6": df["证券代码"], "name": df["证券简称"], "list_date": dates(df["上市日期"]),
                                           "delist_date": dates(df["终止上市日期"])}))
        if not parts:
            return pd.DataFrame(columns=["code", "name", "list_date", "delist_date"])
        inst = pd.concat(parts, ignore_index=True)
        inst["code"] = [a_share(c) for c in inst["c6"].astype(str)]
        inst = inst[inst["code"].notna()].drop_duplicates("code", keep="last")
        return inst[["code", "name", "list_date", "delist_date"]].sort_values("code").reset_index(drop=True)

    def build(self, cache, w) -> dict:
        tables = {}
        cal = latest_by_prefix(cache.load("calendar")).get("calendar")
        daily = []
        for key, df in cache.load("daily") + cache.load("index_daily"):
            if len(df):
                code = key.split("_")[0]
                daily.append(pd.DataFrame({"code": code, "date": dates(df["日期"]), "open": df["开盘"].astype(float),
                                           "high": df["最高"].astype(float), "low": df["最低"].astype(float),
                                           "close": df["收盘"].astype(float),
                                           "volume": _lots(df["成交量"]),
                                           "money": df["成交额"].astype(float)}))
        daily = pd.concat(daily, ignore_index=True) if daily else pd.DataFrame()
        if cal is not None and len(daily):
            days = dates(cal[1]["trade_date"])
            lo, hi = daily["date"].min(), daily["date"].max()
            w.add_calendar(np.array([d for d in days if d is not None and lo <= d <= hi], "datetime64[D]"))
        inst = self._instruments(cache)
        have = set(daily["code"]) if len(daily) else set()
        inst = pd.concat([inst, pd.DataFrame({"code": [c for c in INDEX_BARS if c in have],
                                              "name": [n for c, n in INDEX_BARS.items() if c in have]})],
                         ignore_index=True)
        if len(inst):
            w.add_instruments(inst[inst["code"].isin(have)] if have else inst)
        tables["instruments"] = inst
        ex = self._ex_rights(cache)
        if len(ex):
            w.add_ex_rights(ex)
        tables["ex_rights"] = ex
        if len(daily):
            w.add_daily(daily)
        tables["daily"] = daily
        minute = []
        for key, df in cache.load("minute"):
            if len(df):
                minute.append(pd.DataFrame({"code": key.split("_")[0], "datetime": pd.to_datetime(df["时间"]),
                                            "open": df["开盘"].astype(float), "high": df["最高"].astype(float),
                                            "low": df["最低"].astype(float), "close": df["收盘"].astype(float),
                                            "volume": _lots(df["成交量"]),
                                            "money": df["成交额"].astype(float)}))
        minute = _fold_auction(pd.concat(minute, ignore_index=True)) if minute else pd.DataFrame()
        if len(minute):
            w.add_minutes(minute)
        tables["minute"] = minute
        tables.update(self._snapshots(cache, w))
        tables.update(self._fundamentals(cache, w))
        return coverage(tables)

    def _ex_rights(self, cache) -> pd.DataFrame:
        rows = []
        for key, (_, df) in latest_by_prefix(cache.load("dividends")).items():
            if df.empty or "除权除息日" not in df:
                continue
            ok = df["进度"].astype(str).str.contains("实施")
            for r, day in zip(df[ok].itertuples(index=False), dates(df.loc[ok, "除权除息日"])):
                if day is not None:
                    rows.append((key, day, float(r.派息) / 10, float(r.送股) / 10, float(r.转增) / 10, 0.0, 0.0))
        for key, (_, df) in latest_by_prefix(cache.load("rights")).items():
            if df.empty or "除权日" not in df:
                continue
            for r, day in zip(df.itertuples(index=False), dates(df["除权日"])):
                if day is not None:
                    rows.append((key, day, 0.0, 0.0, 0.0, float(r.配股方案) / 10, float(r.配股价格)))
        cols = ["code", "ex_date", "cash_dividend", "bonus_ratio", "conversion_ratio", "rights_ratio", "rights_price"]
        ex = pd.DataFrame(rows, columns=cols)
        if ex.empty:
            return ex
        ex = ex.fillna(0.0).groupby(["code", "ex_date"], as_index=False).agg(
            {"cash_dividend": "sum", "bonus_ratio": "sum", "conversion_ratio": "sum", "rights_ratio": "sum",
             "rights_price": "max"})
        ex["total_shares"], ex["float_shares"], ex["has_action"] = np.nan, np.nan, True
        return ex

    def _snapshots(self, cache, w) -> dict:
        out = {}
        snaps = []
        for key, df in cache.load("st"):
            day = pd.Timestamp(key.rpartition("@")[2]).date()
            codes = [a_share(c) for c in df.get("代码", pd.Series(dtype=object)).astype(str)]
            snaps.append((day, [c for c in codes if c]))
        if snaps:
            # Each fetch day's ST list is a snapshot; consecutive snapshots listing a code make one period
            # from the first of them (earlier ST status is unknown), ended the day before a list without it.
            runs = dated_members({"st": snaps})
            df = runs.drop(columns="index_code")
            w.add_st(df)
            w.set_meta("st", {"kind": "snapshot", "as_of": str(max(d for d, _ in snaps)),
                              "first_snapshot": str(min(d for d, _ in snaps)), "source": "akshare"})
            out["st"] = df
        susp = latest_by_prefix(cache.load("suspensions")).get("tfp")
        if susp is not None and len(susp[1]):
            df = susp[1]
            codes = [a_share(c) for c in df["代码"].astype(str)]
            s = pd.DataFrame({"code": codes, "date": dates(df["停牌时间"]), "reason": df["停牌原因"].astype(str)})
            s = s[s["code"].notna() & s["date"].notna()]
            w.add_suspensions(s, source="akshare")
            out["suspensions"] = s
        members = []
        as_of = None
        for idx, (_, df) in latest_by_prefix(cache.load("index_members")).items():
            if df.empty:
                continue
            day = dates(df["日期"]).dropna()
            as_of = max(day) if len(day) else as_of
            codes = [a_share(c) for c in df["成分券代码"].astype(str)]
            members.append(pd.DataFrame({"index_code": INDICES.get(idx, idx), "code": [c for c in codes if c]}))
        if members:
            m = pd.concat(members, ignore_index=True)
            w.add_index_members(m, kind="snapshot", source="akshare", as_of=as_of)
            out["index_members"] = m.assign(as_of=as_of)
        inds = []
        for board, (stamp, df) in latest_by_prefix(cache.load("industries")).items():
            if len(df):
                codes = [a_share(c) for c in df["代码"].astype(str)]
                inds.append(pd.DataFrame({"category": "industry", "block": board, "code": codes, "block_code": None,
                                          "as_of": pd.Timestamp(stamp).date()}))
        if inds:
            b = pd.concat(inds, ignore_index=True)
            b = b[b["code"].notna()]
            w.add_blocks(b.drop(columns="as_of"), source="akshare", as_of=b["as_of"].max())
            out["industries"] = b
        return out

    def _fundamentals(self, cache, w) -> dict:
        out = {}
        for kind, tables in REPORT_FIELDS.items():
            for code, (_, df) in latest_by_prefix(cache.load(f"report_{kind}")).items():
                if df.empty:
                    continue
                cols = {_norm(c): df[c] for c in df.columns}
                wanted = {t: {f: (_norm(item), 1.0) for f, item in fields.items()} for t, fields in tables.items()}
                built = frame_tables(cols, wanted, publ=dates(df["公告日期"]), end=dates(df["报告日"]),
                                     codes=pd.Series([code] * len(df)))
                for table, frame in built.items():
                    if len(frame):
                        w.add_fundamentals(table, frame)
                        out.setdefault(table, []).append(frame)
        return {t: pd.concat(v, ignore_index=True) for t, v in out.items()}
