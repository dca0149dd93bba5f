"""The realistic synthetic market (generate(market='realistic'), what `ptrade-fast data generate` makes):
real codes and names, the major indices with dated membership, common funds, bond terms, ST episodes,
suspensions and point-in-time fundamentals for every stock."""
import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ptrade_fast.api.reference import ReferenceAPI
from ptrade_fast.data.fundamentals import KEY_COLUMNS, STATEMENT_TABLES, TDX_FIELDS, FundamentalsStore
from ptrade_fast.data.store import DataStore
from ptrade_fast.data.synthetic import generate
from ptrade_fast.data.synthetic.profiles import REAL_FUNDS, REAL_INDICES, code_list
from ptrade_fast.engine.runtime import Runtime

START, END = "2019-05-06", "2020-08-31"     # three rebalances: June 2019, December 2019, June 2020
MAJOR = {"000001.SS", "000016.SS", "000300.SS", "000905.SS", "000852.SS", "000688.SS", "399001.SZ", "399005.SZ",
         "399006.SZ", "399101.SZ", "399106.SZ"}


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    path = tmp_path_factory.mktemp("real") / "root"
    generate(path, stocks=400, start=START, end=END, seed=11, market="realistic")
    return path


@pytest.fixture(scope="module")
def inst(root):
    return pd.read_parquet(root / "instruments.parquet").set_index("code", drop=False)


@pytest.fixture(scope="module")
def store(root):
    return DataStore.open(root)


def _api(store, day):
    rt = Runtime(store, "1d", {})
    rt.phase, rt.trade_date = "handle", day
    return ReferenceAPI(rt)


def _hashes(path: Path) -> dict:
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


# -- codes and names -----------------------------------------------------------------------------------

def test_index_heavyweights_keep_their_real_codes_and_names(inst):
    assert inst.at["600519.SS", "name"] == "贵州茅台" and inst.at["601318.SS", "name"] == "中国平安"
    assert inst.at["000858.SZ", "name"] == "五粮液"
    listed = {c: n for c, n, _, _ in code_list()}
    stocks = inst[inst["type"].isin(["stock", "star", "chinext"])]
    named = stocks[~stocks["name"].str.startswith("SYN")]
    assert len(named) > 200 and (named["name"] == named["code"].map(listed)).all()
    # Index heavyweights are placed first: a 400-stock market's 601 codes are all SSE 50 / CSI 300 members.
    big = {c for c, _, _, idx in code_list() if {"000016", "000300"} & set(idx)}
    s601 = set(stocks.loc[stocks["code"].str.startswith("601"), "code"])
    assert len(s601) == 24 and s601 <= big


def test_every_major_index_and_the_common_funds_exist_with_their_names(inst):
    idx = inst[inst["type"] == "index"]
    assert set(idx["code"]) == MAJOR
    assert dict(zip(idx["code"], idx["name"])) == {c: n for c, n, _, _ in REAL_INDICES}
    funds = inst.loc[[c for c, _, _, _, _ in REAL_FUNDS]]
    assert set(funds["type"]) == {"etf", "lof"}
    assert funds.at["518880.SS", "name"] == "黄金ETF" and funds.at["513100.SS", "name"] == "纳指ETF"
    assert funds.at["161725.SZ", "type"] == "lof"
    # Fund kinds set the settlement cycle (docs/market-rules.md §6): gold and cross-border T+0, equity T+1.
    assert funds.at["518880.SS", "fund_kind"] == "gold" and funds.at["513100.SS", "fund_kind"] == "cross_border"
    assert (funds.drop(["518880.SS", "513100.SS"])["fund_kind"] == "stock").all()
    assert funds["t_plus"].to_dict() == {c: 0 if c in ("518880.SS", "513100.SS") else 1 for c in funds.index}
    assert inst.loc[inst["type"] == "stock", "fund_kind"].isna().all()


def test_funds_track_their_index(store):
    dates, rows = store.daily_range(store.sids(["510300.SS", "000300.SS"]), ("close",), START, END)
    r = np.diff(np.log(rows["close"]), axis=0)
    assert np.corrcoef(r[:, 0], r[:, 1])[0, 1] > 0.95


def test_convertible_bonds_carry_their_terms(inst):
    cbs = inst[inst["type"] == "cb"]
    assert len(cbs) == 8
    assert cbs["stock_code"].isin(inst.index).all()
    assert (inst.loc[cbs["stock_code"], "type"].isin(["stock", "star", "chinext"])).all()
    assert (cbs["convert_price"] > 0).all()
    assert (cbs["convert_date"] > cbs["list_date"]).all() and (cbs["maturity_date"] > cbs["convert_date"]).all()
    named = cbs[~cbs["name"].str.startswith("SYN")]
    assert named["name"].str.endswith("转债").all()
    assert cbs["redemption_price"].between(106, 114).all()


def test_conversion_prices_follow_the_underlyings_ex_rights(root, inst, store):
    k = pd.read_parquet(root / "cb_conversion_prices.parquet")
    assert len(k) > 0 and (inst.loc[k["code"], "type"] == "cb").all() and (k["convert_price"] > 0).all()
    ex = pd.read_parquet(root / "ex_rights.parquet")
    ex = ex[ex["has_action"]]
    for row in k.itertuples():
        under = inst.at[row.code, "stock_code"]
        # Each change falls on an ex-date of the underlying, after the bond's first bar.
        assert ((ex["code"] == under) & (pd.to_datetime(ex["ex_date"]) == pd.Timestamp(row.start_date))).any()
        assert row.start_date > inst.at[row.code, "daily_start"]


def test_etf_baskets_are_worth_one_unit_of_their_index(root, inst, store):
    b = pd.read_parquet(root / "etf_baskets.parquet")
    assert set(b["etf_code"]) == {c for c, _, _, _, k in REAL_FUNDS if k == "stock" and not c.startswith("16")}
    assert (b["code_num"] % 100 == 0).all() and (b["code_num"] > 0).all() and (b["report_unit"] == 1_000_000).all()
    assert set(b["cash_replace_flag"]) <= {"1", "2"} and (b["cash_component"] >= 0).all()
    # Dated on the first day and the rebalance days only.
    assert {str(d) for d in b["date"]} == {"2019-05-06", "2019-06-17", "2019-12-16", "2020-06-15"}


# -- dated membership ------------------------------------------------------------------------------------

def test_membership_is_dated_and_changes_at_the_rebalances(root, store):
    m = pd.read_parquet(root / "index_members.parquet")
    assert set(m["index_code"]) == MAJOR
    hs = m[m["index_code"] == "000300.SS"]
    left = hs[hs["end_date"].notna()]
    joined = hs[hs["start_date"] > pd.Timestamp(START).date()]
    assert len(left) > 0 and len(joined) > 0
    # Changes happen on the day after the second Friday of June / December (the rebalance days).
    starts = {d.strftime("%m") for d in pd.to_datetime(joined["start_date"])}
    assert starts <= {"06", "12"}
    before = _api(store, dt.date(2019, 6, 3)).get_index_stocks("000300.SS")
    after = _api(store, dt.date(2020, 1, 2)).get_index_stocks("000300.SS")
    assert len(before) == len(after) == 23 and before != after
    assert set(before) == set(hs[(hs.start_date <= dt.date(2019, 6, 3))
                                 & (hs.end_date.isna() | (hs.end_date >= dt.date(2019, 6, 3)))]["code"])


def test_composites_hold_every_listed_stock_of_their_exchange(root, inst):
    m = pd.read_parquet(root / "index_members.parquet")
    day = dt.date(2020, 3, 2)
    live = m[(m.start_date <= day) & (m.end_date.isna() | (m.end_date >= day))]
    sz = set(live.loc[live.index_code == "399106.SZ", "code"])
    sme = set(live.loc[live.index_code == "399101.SZ", "code"])
    assert sz and all(c.endswith(".SZ") for c in sz)
    assert sme and sme <= sz and all(c[:3] in ("002", "003") for c in sme)
    top50 = set(live.loc[live.index_code == "000016.SS", "code"])
    assert len(top50) == 4 and all(c.endswith(".SS") for c in top50)


# -- ST and suspensions ----------------------------------------------------------------------------------

def test_st_episodes_and_suspensions_occur(root, store):
    st = pd.read_parquet(root / "st.parquet")
    assert len(st) > 5
    d = pd.read_parquet(root / "daily" / "2019.parquet")
    assert (d["is_open"] == 0).sum() > 100
    row = st.iloc[0]
    start = pd.Timestamp(row["start_date"]).date()
    assert _api(store, dt.date(2020, 8, 31)).get_stock_status(row["code"], "ST", start.strftime("%Y%m%d"))[row["code"]]


# -- fundamentals ----------------------------------------------------------------------------------------

def test_every_report_table_covers_every_stock_without_nan(root, inst):
    stocks = set(inst.loc[inst["type"].isin(["stock", "star", "chinext"]), "code"])
    for table in STATEMENT_TABLES:
        df = pd.read_parquet(root / "fundamentals" / f"{table}.parquet")
        assert set(df["code"]) == stocks, table
        fields = [c for c in df.columns if c not in KEY_COLUMNS]
        assert fields == list(TDX_FIELDS[table]), table
        assert not df[fields].isna().any().any(), table
        assert (df["publ_date"] > df["end_date"]).all()
        assert set(df["report_type"]) == {"1", "2", "3", "4"}


def test_reports_are_point_in_time(store):
    f = FundamentalsStore(store)
    eps = f.table("eps")
    row = eps[(eps.code == "600519.SS") & (eps.end_date == np.datetime64("2019-09-30"))].iloc[0]
    publ = np.datetime64(row["publ_date"], "D")
    assert np.datetime64("2019-10-12") <= publ <= np.datetime64("2019-10-31")
    on_day = f.latest_reports("eps", ["600519.SS"], publ)
    next_day = f.latest_reports("eps", ["600519.SS"], publ + 1)
    assert on_day.at["600519.SS", "end_date"] == np.datetime64("2019-06-30")
    assert next_day.at["600519.SS", "end_date"] == np.datetime64("2019-09-30")
    assert next_day.at["600519.SS", "naps"] == row["naps"]
    # Cumulative within the fiscal year: Q1-Q3 revenue exceeds the half year's.
    inc = f.table("income_statement")
    r = inc[(inc.code == "600519.SS")].set_index("end_date")["operating_revenue"]
    assert r[np.datetime64("2019-09-30")] > r[np.datetime64("2019-06-30")] > r[np.datetime64("2019-03-31")]


def test_valuation_is_defined_for_every_listed_stock_every_day(store, inst):
    day = np.datetime64("2020-06-01")
    listed = inst[inst["type"].isin(["stock", "star", "chinext"]) & (inst["daily_start"] <= day)
                  & (inst["daily_end"] >= day)]
    dates, v = FundamentalsStore(store).valuation(list(listed["code"]), day, day + 5)
    for field in ("total_value", "float_value", "pe_ttm", "pb", "ps_ttm", "turnover_rate"):
        assert not np.isnan(v[field]).any(), field
    close = store.daily_range(store.sids(list(listed["code"])), ("close",), day, day)[1]["close"][0]
    np.testing.assert_allclose(v["total_value"][0], close * v["total_shares"][0])


# -- determinism and validity ----------------------------------------------------------------------------

def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path):
    kw = dict(stocks=60, start="2019-12-02", end="2020-01-10", market="realistic", minute=True)
    generate(tmp_path / "a", seed=2, **kw)
    generate(tmp_path / "b", seed=2, **kw)
    generate(tmp_path / "c", seed=3, **kw)
    a, b, c = (_hashes(tmp_path / x) for x in "abc")
    assert a == b and "fundamentals/income_statement.parquet" in a
    assert a["fundamentals/income_statement.parquet"] != c["fundamentals/income_statement.parquet"]


def test_meta_lists_the_synthetic_instruments_and_the_root_validates(root, inst):
    meta = DataStore.open(root).meta
    assert meta["market"] == "realistic" and meta["synthetic_instruments"] == sorted(inst.index)
    assert set(meta["index_members"]["rules"]) == MAJOR
    validate = pytest.importorskip("ptrade_fast.data.validate").validate
    assert validate(root) == []


def test_an_unknown_market_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="market must be one of plain, realistic"):
        generate(tmp_path, stocks=20, start="2019-06-03", end="2019-06-07", market="real")
