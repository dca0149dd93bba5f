"""Quarterly reports (财务数据) for every stock of a synthetic root, written through ``data.fundamentals``.

Each stock gets a small company model anchored on its market cap at its first bar (close × total shares):
revenue from a price/sales ratio, a net margin (about 8 % of companies lose money), a growth rate, a
balance sheet from a price/book ratio and a leverage; flows follow a seasonal quarterly pattern with noise.
From these, every field of every report table (``fundamentals.TDX_FIELDS``) is derived, cumulative within
the fiscal year as the exchanges' reports are (Q1, H1, Q1-Q3, annual = report types '1' … '4').

Point in time: a report's ``publ_date`` lies after its period end as the disclosure deadlines have it
(Q1 in the second half of April, H1 in August, Q3 from mid-October, the annual report in March or April of
the next year); only reports published by the root's last day are written.  The daily valuation
(pe, pb, ps, total_value, …) is derived by the reader from these reports, the daily close and the share
capital in ex_rights.parquet.

Deterministic: one numpy stream per call, spawned from ``seed`` apart from the bar streams, draws of a
fixed size per stock in code order.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from .. import codes as codes_mod
from .. import fundamentals as fund_mod
from ..format import read_bars

# Month-day windows of first publication: (first day offset from the period end's next month start, span).
_PUBL = {1: ("04-15", 15), 2: ("08-01", 30), 3: ("10-12", 19), 4: ("03-01", 60)}
_AMOUNTS = (set(fund_mod.TDX_FIELDS["balance_statement"]) | set(fund_mod.TDX_FIELDS["income_statement"])
            | set(fund_mod.TDX_FIELDS["cashflow_statement"]) | {"net_profit_cut", "ebit", "ebitda"})
_SEASON = np.array([0.88, 1.02, 0.97, 1.13])      # revenue share of Q1 … Q4 (× 1/4)


def add_fundamentals(root, seed: int, codes=None) -> dict:
    """Write the eight report tables for the stocks of ``root`` (or ``codes``) and return a summary.

    Parameters
    ----------
    root : path
        A data root with daily bars, instruments and ex_rights share capital.
    seed : int
        Seed of the report stream.
    codes : iterable of str, optional
        Stocks to cover (default every stock with daily bars).

    Returns
    -------
    dict
        ``{'tables': [...], 'stocks': n, 'reports': rows per table, 'publication': ...}``.
    """
    tables = fundamental_tables(root, seed, codes)
    for table, frame in tables.items():
        fund_mod.write_table(root, table, frame)
    first = next(iter(tables.values()))
    return {"tables": list(tables), "stocks": int(first["code"].nunique()), "reports": int(len(first)),
            "seed": int(seed), "publication": "Q1 Apr 15-29, H1 Aug 1-30, Q3 Oct 12-30, annual Mar 1-Apr 29 "
                                              "of the next year; first published figures only (revision 0)"}


def fundamental_tables(root, seed: int, codes=None) -> dict[str, pd.DataFrame]:
    """The report tables (``{table: frame}`` in ``fundamentals.write_table`` form) for a root's stocks."""
    from pathlib import Path
    root = Path(root)
    inst = pq.read_table(root / "instruments.parquet", columns=["code", "type"]).to_pandas()
    stocks = inst.loc[inst["type"].isin(["stock", "star", "chinext"]), "code"]
    wanted = sorted(set(stocks) if codes is None else set(codes) & set(stocks))
    first, last_day = _first_bars(root, wanted)
    wanted = [c for c in wanted if c in first]
    shares = _shares(root)
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(101,)))
    n = len(wanted)
    # Per-company parameters, drawn for all stocks at once (fixed sizes keep each stock's draws stable).
    ps0 = np.exp(rng.normal(np.log(2.5), 0.6, n))
    loss = rng.random(n) < 0.08
    margin = np.where(loss, -rng.uniform(0.02, 0.15, n), rng.uniform(0.03, 0.25, n))
    growth = rng.normal(0.08, 0.12, n)
    pb0 = np.exp(rng.normal(np.log(2.2), 0.45, n))
    lev = rng.uniform(1.4, 3.5, n)
    ca_share = rng.uniform(0.3, 0.7, n)
    cl_share = rng.uniform(0.5, 0.9, n)
    cash_conv = rng.uniform(0.7, 1.3, n)
    frames = []
    for j, code in enumerate(wanted):
        date0, close0 = first[code]
        steps = shares.get(code)
        if steps is None:
            continue
        noise = rng.standard_normal((4, 240))        # fixed size per stock
        frames.append(_company(code, date0, close0, steps, last_day, ps0[j], margin[j], growth[j], pb0[j], lev[j],
                               ca_share[j], cl_share[j], cash_conv[j], noise))
    allq = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    out = {}
    for table, mapping in fund_mod.TDX_FIELDS.items():
        missing = [f for f in mapping if f not in allq.columns] if len(allq) else []
        if missing:
            raise KeyError(f"synthetic fundamentals lack {table} fields {missing}")
        cols = ["code", "end_date", "publ_date", "report_type", "revision", *mapping]
        frame = allq[cols] if len(allq) else pd.DataFrame(columns=cols)
        out[table] = frame.sort_values(["code", "end_date", "revision"], kind="stable").reset_index(drop=True)
    return out


def _first_bars(root, codes):
    """code -> (first bar date, its close); and the root's last calendar day."""
    cal = pq.read_table(root / "calendar.parquet").column("date").to_numpy().astype("datetime64[D]")
    want = set(codes)
    first = {}
    for path in sorted((root / "daily").glob("*.parquet")):
        t = read_bars(path, columns=["code", "date", "close", "is_open"]).to_pandas()
        t = t[t["code"].isin(want - set(first)) & (t["is_open"] == 1)]
        for code, g in t.groupby("code", sort=True):
            row = g.sort_values("date").iloc[0]
            first[code] = (np.datetime64(pd.Timestamp(row["date"]).date(), "D"), float(row["close"]))
    return first, cal[-1]


def _shares(root):
    ex = pq.read_table(root / "ex_rights.parquet", columns=["code", "ex_date", "total_shares"]).to_pandas()
    ex = ex.sort_values(["code", "ex_date"], kind="stable")
    return {code: (g["ex_date"].to_numpy().astype("datetime64[D]"), g["total_shares"].to_numpy(float))
            for code, g in ex.groupby("code", sort=False)}


def _quarter_ends(first_q_end: np.datetime64, count: int) -> np.ndarray:
    y, m = int(str(first_q_end)[:4]), int(str(first_q_end)[5:7])
    out = []
    for _ in range(count):
        nxt = np.datetime64(f"{y + (m == 12)}-{(m % 12) + 1:02d}-01")
        out.append(nxt - 1)
        m += 3
        if m > 12:
            m -= 12
            y += 1
    return np.array(out, "datetime64[D]")


def _publ_dates(ends: np.ndarray, u: np.ndarray) -> np.ndarray:
    out = []
    for e, x in zip(ends, u):
        y, q = int(str(e)[:4]), (int(str(e)[5:7]) - 1) // 3 + 1
        md, span = _PUBL[q]
        start = np.datetime64(f"{y + (q == 4)}-{md}")
        out.append(start + int(x * span))
    return np.array(out, "datetime64[D]")


def _company(code, date0, close0, steps, last_day, ps0, margin, growth, pb0, lev, ca_share, cl_share, cash_conv,
             noise):
    """Every field of every quarter of one company (one row per published report)."""
    ed, tot = steps
    shares0 = tot[0]
    cap0 = close0 * shares0
    # Quarters: from three years before the first bar's to the last published one.
    y0 = int(str(date0)[:4]) - 3
    ends = _quarter_ends(np.datetime64(f"{y0}-03-31"), 4 * (int(str(last_day)[:4]) - y0 + 2))
    k = len(ends)
    qn = np.array([(int(str(e)[5:7]) - 1) // 3 for e in ends])          # 0..3
    years = (ends - date0).astype(float) / 365.25
    rev_q = (cap0 / ps0 / 4.0 * _SEASON[qn] * (1 + growth) ** years * np.exp(0.08 * noise[0, :k]))
    np_q = rev_q * (margin + 0.02 * noise[1, :k])
    ocf_q = np_q * cash_conv + 0.03 * rev_q * noise[2, :k]
    # Year-to-date sums within each fiscal year, and trailing four quarters.
    year = np.array([int(str(e)[:4]) for e in ends])
    ytd = lambda x: pd.Series(x).groupby(year).cumsum().to_numpy()      # noqa: E731
    ttm = lambda x: pd.Series(x).rolling(4, min_periods=4).sum().to_numpy()  # noqa: E731
    rev, npf, ocf = ytd(rev_q), ytd(np_q), ytd(ocf_q)
    nq = qn + 1.0                                                         # quarters in the YTD figure
    # Balance sheet: equity accumulates 70 % of profits from the book value at the first bar.
    retained = np.cumsum(0.7 * np_q)
    anchor = max(int(np.searchsorted(ends, date0)) - 1, 0)             # the last quarter before the first bar
    equity = np.maximum(cap0 / pb0 + retained - retained[anchor], 0.05 * cap0 / pb0)
    shares = np.array([tot[max(np.searchsorted(ed, e, side="right") - 1, 0)] for e in ends])
    ta = equity * lev
    tl = ta - equity
    ca = ta * ca_share
    nca = ta - ca
    cl = tl * cl_share
    ncl = tl - cl
    v = {}
    v.update(cash_equivalents=0.35 * ca, trading_assets=0.03 * ca, bill_receivable=0.04 * ca,
             account_receivable=0.2 * ca, advance_payment=0.05 * ca, other_receivable=0.03 * ca,
             inventories=0.25 * ca, total_current_assets=ca, hold_for_sale_assets=0.01 * nca,
             hold_to_maturity_investments=0.02 * nca, longterm_equity_invest=0.08 * nca,
             investment_property=0.03 * nca, fixed_assets=0.45 * nca, constru_in_process=0.06 * nca,
             intangible_assets=0.08 * nca, good_will=0.03 * nca, total_non_current_assets=nca, total_assets=ta,
             shortterm_loan=0.25 * cl, notes_payable=0.08 * cl, accounts_payable=0.3 * cl, advance_receipts=0.1 * cl,
             salaries_payable=0.04 * cl, taxes_payable=0.03 * cl, total_current_liability=cl,
             longterm_loan=0.6 * ncl, bonds_payable=0.2 * ncl, total_non_current_liability=ncl, total_liability=tl,
             paidin_capital=shares.astype(float), capital_reserve_fund=0.3 * equity, surplus_reserve_fund=0.1 * equity,
             treasury_stock=np.zeros(k), minority_interests=0.05 * equity, total_shareholder_equity=equity,
             total_liability_and_equity=ta, se_without_mi=0.95 * equity)
    v["retained_profit"] = equity - shares - 0.4 * equity - 0.05 * equity
    # Income statement (YTD).
    tax = np.where(npf > 0, npf / 0.8 * 0.2, 0.0)
    total_profit = npf + tax
    nonop_in, nonop_out = 0.003 * rev, 0.002 * rev
    op = total_profit - nonop_in + nonop_out
    fin_exp = 0.01 * rev
    cost = rev - 0.01 * rev - 0.06 * rev - 0.05 * rev - fin_exp - 0.005 * rev + 0.01 * rev - op
    v.update(operating_revenue=rev, operating_cost=cost, operating_tax_surcharges=0.01 * rev,
             operating_expense=0.06 * rev, administration_expense=0.05 * rev, financial_expense=fin_exp,
             asset_impairment_loss=0.005 * rev, fair_value_change_income=np.zeros(k), invest_income=0.01 * rev,
             operating_profit=op, non_operating_income=nonop_in, non_operating_expense=nonop_out,
             total_profit=total_profit, income_tax_cost=tax, net_profit=npf, np_parent_company_owners=0.95 * npf,
             minority_profit=0.05 * npf, net_profit_ttm=ttm(np_q), operating_revenue_ttm=ttm(rev_q))
    # Cash flow (YTD).
    inv_in, inv_out, fin_in, fin_out = 0.05 * rev, 0.1 * rev, 0.08 * rev, 0.07 * rev
    op_in = 1.1 * rev
    increase = ocf + inv_in - inv_out + fin_in - fin_out
    begin = np.array([v["cash_equivalents"][max(i - int(nq[i]), 0)] for i in range(k)])
    v.update(goods_sale_and_service_render_cash=1.05 * rev, subtotal_operate_cash_inflow=op_in,
             subtotal_operate_cash_outflow=op_in - ocf, net_operate_cash_flow=ocf, subtotal_invest_cash_inflow=inv_in,
             subtotal_invest_cash_outflow=inv_out, net_invest_cash_flow=inv_in - inv_out,
             subtotal_finance_cash_inflow=fin_in, subtotal_finance_cash_outflow=fin_out,
             net_finance_cash_flow=fin_in - fin_out, exchange_rate_change_effect=np.zeros(k),
             cash_equivalent_increase=increase, begin_period_cash=begin, end_period_cash=begin + increase)
    # Per share.
    v.update(basic_eps=0.95 * npf / shares, basic_eps_cut=0.97 * 0.95 * npf / shares,
             undistributed_profit_ps=v["retained_profit"] / shares, naps=0.95 * equity / shares,
             capital_reserve_ps=0.3 * equity / shares, operating_cash_flow_ps=ocf / shares,
             cash_flow_ps=increase / shares)
    # Ratios (percent where the platform's dictionary gives percent).
    ann = 4.0 / nq
    v.update(current_ratio=ca / cl, quick_ratio=(ca - v["inventories"]) / cl, cash_ratio=v["cash_equivalents"] / cl,
             interest_cover=(total_profit + fin_exp) / fin_exp, equity_multiplier=ta / equity,
             debt_assets_ratio=tl / ta * 100.0)
    rates = {"accounts_receivables": rev * ann / v["account_receivable"], "inventory": cost * ann / v["inventories"],
             "total_asset": rev * ann / ta, "current_assets": rev * ann / ca}
    v.update(accounts_receivables_turnover_rate=rates["accounts_receivables"],
             inventory_turnover_rate=rates["inventory"], total_asset_turnover_rate=rates["total_asset"],
             fixed_asset_turnover_rate=rev * ann / v["fixed_assets"],
             accounts_receivables_turnover_days=360.0 / rates["accounts_receivables"],
             inventory_turnover_days=360.0 / rates["inventory"], current_assets_turnover_rate=rates["current_assets"],
             current_assets_turnover_days=360.0 / rates["current_assets"],
             total_asset_turnover_days=360.0 / rates["total_asset"], equity_turnover_rate=rev * ann / equity)

    def yoy(x):
        prev = np.concatenate([np.full(4, np.nan), x[:-4]])
        return (x - prev) / np.abs(prev) * 100.0

    v.update(operating_revenue_grow_rate=yoy(rev), net_profit_grow_rate=yoy(npf), net_asset_grow_rate=yoy(equity),
             fixed_asset_grow_rate=yoy(v["fixed_assets"]), total_asset_grow_rate=yoy(ta),
             invest_income_grow_rate=yoy(v["invest_income"]), operating_profit_grow_rate=yoy(op),
             np_parent_company_cut_yoy=yoy(0.97 * 0.95 * npf))
    v.update(roe=npf / equity * 100.0, roa=npf / ta * 100.0, operating_profit_ratio=op / rev * 100.0,
             net_profit_ratio=npf / rev * 100.0, gross_income_ratio=(rev - cost) / rev * 100.0,
             administration_expense_ratio=5.0 * np.ones(k), financial_expense_ratio=1.0 * np.ones(k),
             net_profit_cut=0.97 * npf, ebit=total_profit + fin_exp, ebitda=total_profit + fin_exp + 0.04 * v["fixed_assets"],
             roe_weighted=0.98 * npf / equity * 100.0)
    publ = _publ_dates(ends, (noise[3, :k] % 1.0 + 1.0) % 1.0)
    # Reports: from the second modelled year (every growth and TTM figure defined; a stock's reports are
    # visible from its first bar, as a listing prospectus shows the past years), published by the end.
    keep = (np.arange(k) >= 4) & (publ <= last_day)
    # Amounts in whole 10,000 CNY (as many reports round), ratios and per-share figures to 4 decimals.
    out = pd.DataFrame({f: (np.round(np.asarray(x, float)[keep] / 1e4) * 1e4 if f in _AMOUNTS
                            else np.round(np.asarray(x, float)[keep], 4)) for f, x in v.items()})
    out.insert(0, "code", codes_mod.normalize_code(code))
    out.insert(1, "end_date", [pd.Timestamp(e).date() for e in ends[keep]])
    out.insert(2, "publ_date", [pd.Timestamp(p).date() for p in publ[keep]])
    out.insert(3, "report_type", [str(q + 1) for q in qn[keep]])
    out.insert(4, "revision", np.zeros(int(keep.sum()), np.int16))
    return out
