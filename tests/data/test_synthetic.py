"""The synthetic market generator (ptrade_fast.data.synthetic): invariants on a small generated root."""
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ptrade_fast.data import codes as codes_mod
from ptrade_fast.data.store import DataStore
from ptrade_fast.data.synthetic import STOCK_PREFIXES, generate
from ptrade_fast.rules.limits import ex_reference_price, limit_prices, limit_ratio

START, END = "2019-05-06", "2019-12-31"   # holds ex-dates, the STAR opening and two rebalances


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    path = tmp_path_factory.mktemp("syn") / "root"
    summary = generate(path, stocks=160, start=START, end=END, minute=True, seed=7)
    return path, summary


@pytest.fixture(scope="module")
def daily(root):
    return pd.read_parquet(root[0] / "daily" / "2019.parquet")


@pytest.fixture(scope="module")
def inst(root):
    return pd.read_parquet(root[0] / "instruments.parquet").set_index("code", drop=False)


def _hashes(path: Path) -> dict:
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


def _minute(root, day) -> pd.DataFrame:
    return pd.read_parquet(root / "minute" / day[:4] / f"{day}.parquet")


# -- determinism ---------------------------------------------------------------------------------------

def test_same_seed_writes_byte_identical_files_and_another_seed_does_not(tmp_path):
    kw = dict(stocks=40, start="2019-06-03", end="2019-06-21", minute=True, etfs=2, cbs=2)
    generate(tmp_path / "a", seed=3, **kw)
    generate(tmp_path / "b", seed=3, **kw)
    generate(tmp_path / "c", seed=4, **kw)
    a, b, c = (_hashes(tmp_path / x) for x in "abc")
    assert a == b
    assert len(a) == len(c) and a["daily/2019.parquet"] != c["daily/2019.parquet"]


def test_daily_prices_and_volumes_do_not_depend_on_minute_generation(tmp_path):
    kw = dict(stocks=40, start="2019-06-03", end="2019-06-21", seed=3, etfs=0, cbs=2)
    generate(tmp_path / "m", minute=True, **kw)
    generate(tmp_path / "d", minute=False, **kw)
    m, d = (pd.read_parquet(tmp_path / x / "daily" / "2019.parquet") for x in "md")
    stocks = m["code"].map(codes_mod.classify).isin(["stock", "star", "chinext", "cb"])
    cols = ["code", "date", "open", "high", "low", "close", "volume", "preclose", "high_limit", "low_limit"]
    pd.testing.assert_frame_equal(m.loc[stocks, cols].reset_index(drop=True), d.loc[stocks, cols].reset_index(drop=True))
    assert not (tmp_path / "d" / "minute").exists()


def test_generate_refuses_a_non_empty_root_unless_told_to_overwrite(tmp_path):
    (tmp_path / "x.txt").write_text("keep")
    with pytest.raises(FileExistsError, match="not empty"):
        generate(tmp_path, stocks=20, start="2019-06-03", end="2019-06-07")
    generate(tmp_path, stocks=20, start="2019-06-03", end="2019-06-07", overwrite=True)
    assert (tmp_path / "x.txt").read_text() == "keep" and (tmp_path / "meta.json").is_file()


# -- the root as a whole -------------------------------------------------------------------------------

def test_datastore_opens_the_root_and_reads_daily_and_minute_bars(root, inst):
    path, summary = root
    store = DataStore.open(path)
    assert store.n_sids == len(inst) == summary["stocks"] + 5 + summary["etfs"] + summary["cbs"]
    assert store.meta["synthetic"]["seed"] == 7 and set(store.meta["synthetic"]["codes"]) == set(inst.index)
    assert inst["synthetic"].all() and (inst["source"] == "synthetic:7").all()
    bar = store.daily_bar(store.calendar[-1])
    assert np.isfinite(bar["close"][store.sid("000300.SS")])
    md = store.minute_day(store.calendar[3])
    assert md.close.shape == (240, store.n_sids) and md.has_data.sum() > 100
    assert len(store.minute_dates) == len(store.calendar) == summary["days"]


def test_codes_lie_in_the_real_ranges_of_every_board(inst):
    stocks = inst[inst["type"].isin(["stock", "star", "chinext"])]
    # Boards that opened later (605, 001, 003, 301) have no codes in a 2019 market.
    prefixes = {p for _, p, _, opening in STOCK_PREFIXES if opening is None or opening <= END}
    assert set(stocks["code"].str[:3]) == prefixes
    for code, board in zip(stocks["code"], stocks["board"]):
        assert codes_mod.board_of(code) == board
        assert (code[:3] in ("600", "601", "603", "605", "688")) == code.endswith(".SS")
    assert (stocks["name"] == "SYN" + stocks["code"].str[:6]).all()
    cbs = inst[inst["type"] == "cb"]
    assert len(cbs) and set(cbs["code"].str[:3]) <= {"110", "113", "118", "123", "127", "128"}
    assert (cbs["t_plus"] == 0).all()
    assert {"000001.SS", "000300.SS", "000905.SS", "399001.SZ", "399006.SZ"} <= set(inst[inst.type == "index"].code)
    assert {"510300.SS", "159919.SZ"} <= set(inst[inst.type == "etf"].code)
    # STAR lists only from its opening day.
    assert (pd.to_datetime(inst.loc[inst.board == "STAR", "list_date"]) >= "2019-07-22").all()


def test_every_board_prefix_has_codes_in_a_recent_market(tmp_path):
    generate(tmp_path, stocks=60, start="2024-06-03", end="2024-06-07", etfs=1, cbs=2)
    inst = pd.read_parquet(tmp_path / "instruments.parquet")
    stocks = inst[inst["type"].isin(["stock", "star", "chinext"])]
    assert len(stocks) == 60
    assert set(stocks["code"].str[:3]) == {p for _, p, _, _ in STOCK_PREFIXES}


def test_one_daily_row_per_code_per_day_from_first_to_last_bar(daily, inst, root):
    cal = pd.read_parquet(root[0] / "calendar.parquet")["date"]
    assert daily.equals(daily.sort_values(["code", "date"]).reset_index(drop=True))
    span = daily.groupby("code")["date"].agg(["min", "max", "count"])
    pos = {d: i for i, d in enumerate(cal)}
    assert (span["max"].map(pos) - span["min"].map(pos) + 1 == span["count"]).all()
    assert (span["min"] == inst.loc[span.index, "daily_start"]).all()
    assert (span["max"] == inst.loc[span.index, "daily_end"]).all()


# -- prices --------------------------------------------------------------------------------------------

def _on_grid(values, tick):
    x = np.asarray(values, float) / tick
    return np.abs(x - np.rint(x)) < 1e-6


def test_prices_are_on_the_tick_grid_and_inside_the_limits(daily, inst, root):
    tick = daily["code"].map(inst["tick"]).to_numpy()
    typ = daily["code"].map(inst["type"])
    priced = typ != "index"
    for col in ("open", "high", "low", "close", "preclose", "high_limit", "low_limit"):
        v = daily[col].to_numpy()
        ok = priced & ~np.isnan(v)
        assert _on_grid(v[ok], tick[ok]).all(), col
    assert (daily["low"] <= daily[["open", "close"]].min(axis=1)).all()
    assert (daily["high"] >= daily[["open", "close"]].max(axis=1)).all()
    lim = daily.dropna(subset=["high_limit"])
    assert (lim["high"] <= lim["high_limit"]).all() and (lim["low"] >= lim["low_limit"]).all()
    day = str(daily["date"].iloc[len(daily) // 2])
    m = _minute(root[0], day)
    d = daily[daily["date"].astype(str) == day].set_index("code")
    m = m.join(d[["high_limit", "low_limit"]], on="code")
    mt = m["code"].map(inst["tick"]).to_numpy()
    stock = (m["code"].map(inst["type"]) != "index").to_numpy()
    for col in ("open", "high", "low", "close"):
        assert _on_grid(m[col].to_numpy()[stock], mt[stock]).all()
    ml = m.dropna(subset=["high_limit"])
    assert (ml["high"] <= ml["high_limit"]).all() and (ml["low"] >= ml["low_limit"]).all()


def test_written_limits_follow_the_board_st_and_ipo_rules(daily, inst, root):
    st = pd.read_parquet(root[0] / "st.parquet")
    assert len(st)
    d = daily[daily["code"].map(inst["type"]).isin(["stock", "star", "chinext"])].copy()
    d["st"] = False
    for r in st.itertuples():
        hit = (d.code == r.code) & (d.date >= r.start_date) & ((d.date <= r.end_date) if pd.notna(r.end_date) else True)
        d.loc[hit, "st"] = True
    assert d["st"].any()
    d["n"] = d.groupby("code").cumcount() + np.where(d["code"].map(inst["list_date"]) < d.groupby("code")["date"].transform("min"), 10_000, 0)
    ratio = limit_ratio(d["code"].map(inst["type"]).to_numpy(object), d["date"].to_numpy().astype("datetime64[D]"),
                        d["st"].to_numpy(), d["n"].to_numpy(), d["code"].map(inst["list_date"]).to_numpy().astype("datetime64[D]"))
    hi, lo = limit_prices(d["preclose"].to_numpy(), ratio, 0.01)
    np.testing.assert_array_equal(hi, d["high_limit"].to_numpy())
    np.testing.assert_array_equal(lo, d["low_limit"].to_numpy())
    main_st = d[d.st & (d["code"].map(inst["type"]) == "stock") & d.preclose.notna()]
    assert len(main_st) and np.allclose(main_st.high_limit / main_st.preclose, 1.05, atol=0.01)


def test_limit_up_and_limit_down_closes_occur(daily):
    up = daily["close"] == daily["high_limit"]
    down = daily["close"] == daily["low_limit"]
    assert up.sum() > 50 and down.sum() > 20
    one_price = up & (daily["low"] == daily["high"])
    assert one_price.any()        # IPO runs: limit-up at one price all day


# -- minute bars ---------------------------------------------------------------------------------------

def test_minute_bars_aggregate_exactly_to_the_daily_bars(daily, root):
    days = sorted(daily["date"].astype(str).unique())
    for day in days[:: max(1, len(days) // 6)]:
        m = _minute(root[0], day)
        assert m.equals(m.sort_values(["code", "datetime"]).reset_index(drop=True))
        g = m.groupby("code", sort=True)
        assert (g.size() == 240).all()
        t = m["datetime"].iloc[:240].dt.strftime("%H:%M")
        assert t.iloc[0] == "09:31" and t.iloc[119] == "11:30" and t.iloc[120] == "13:01" and t.iloc[239] == "15:00"
        agg = pd.DataFrame({"open": g["open"].first(), "high": g["high"].max(), "low": g["low"].min(),
                            "close": g["close"].last(), "volume": g["volume"].sum(), "money": g["money"].sum()})
        d = daily[(daily["date"].astype(str) == day)].set_index("code")
        traded = d[d["is_open"] == 1]
        assert set(agg.index) == set(traded.index)
        pd.testing.assert_frame_equal(agg.sort_index(), traded[agg.columns].sort_index(), check_exact=True,
                                      check_dtype=False)
        assert (m["money"] == np.rint(m["money"])).all() and (m["volume"] > 0).all()
        vwap = m["money"] / m["volume"]
        stock = m["code"].map(codes_mod.classify).isin(["stock", "star", "chinext"])
        assert ((vwap[stock] >= m["low"][stock] - 0.01) & (vwap[stock] <= m["high"][stock] + 0.01)).all()


# -- life events ---------------------------------------------------------------------------------------

def test_suspended_days_are_flat_rows_at_the_previous_close(daily):
    d = daily.copy()
    d["prev"] = d.groupby("code")["close"].shift(1)
    sus = d[d["is_open"] == 0]
    assert len(sus) > 50
    assert (sus["volume"] == 0).all() and (sus["money"] == 0).all()
    for col in ("open", "high", "low", "close", "preclose"):
        assert (sus[col] == sus["prev"]).all(), col
    traded = d[d["is_open"] == 1]
    assert (traded["volume"] > 0).all()


def test_ipos_and_delistings_happen_inside_the_range(daily, inst):
    stocks = inst[inst["type"].isin(["stock", "star", "chinext"])]
    ipos = stocks[stocks["list_date"] >= pd.Timestamp(START).date()]
    assert len(ipos) == 6                         # seed 7
    first = daily.groupby("code").head(1).set_index("code")
    assert (first.loc[ipos.index, "date"] == ipos["list_date"]).all()
    assert first["preclose"].isna().all() and first.loc[ipos.index, "high_limit"].isna().all()
    gone = stocks[stocks["delist_date"].notna()]
    assert len(gone) == 1 and not gone["is_valid"].any()
    last = daily.groupby("code")["date"].max()
    assert (last[gone.index] < gone["delist_date"]).all()


def test_ex_dates_use_the_ex_rights_reference_price(daily, root):
    ex = pd.read_parquet(root[0] / "ex_rights.parquet")
    acts = ex[ex["has_action"]]
    assert len(acts) > 20 and (acts["bonus_ratio"] + acts["conversion_ratio"] > 0).any()
    assert (acts["cash_dividend"] > 0).any()
    d = daily.set_index(["code", "date"])
    prev = daily.assign(prev=daily.groupby("code")["close"].shift(1)).set_index(["code", "date"])["prev"]
    for r in acts.itertuples():
        ref = ex_reference_price(prev[(r.code, r.ex_date)], r.cash_dividend, r.bonus_ratio, r.conversion_ratio,
                                 r.rights_ratio, r.rights_price, 0.01)
        assert d.loc[(r.code, r.ex_date), "preclose"] == pytest.approx(float(ref), abs=1e-9)
        assert d.loc[(r.code, r.ex_date), "is_open"] == 1
    # Every stock's share capital is on record from its first bar.
    assert set(ex["code"]) == set(daily.loc[daily["code"].map(codes_mod.classify).isin(["stock", "star", "chinext"]), "code"])


# -- indices -------------------------------------------------------------------------------------------

def test_index_level_equals_the_cap_weighted_constituents(daily, root):
    members = pd.read_parquet(root[0] / "index_members.parquet")
    ex = pd.read_parquet(root[0] / "ex_rights.parquet").sort_values(["code", "ex_date"])
    assert set(members["index_code"]) == {"000001.SS", "000300.SS", "000905.SS", "399001.SZ", "399006.SZ"}
    px = daily.set_index(["date", "code"])
    days = sorted(daily["date"].unique())
    for index_code in ("000300.SS", "000001.SS", "399006.SZ"):
        level = px.xs(index_code, level="code")["close"]
        rows = members[members["index_code"] == index_code]
        for day in days[1::17]:
            live = rows[(rows.start_date <= day) & (rows.end_date.isna() | (rows.end_date >= day))]["code"]
            bars = px.loc[day].loc[list(live)]
            fs = ex[ex.ex_date <= day].groupby("code")["float_shares"].last().loc[list(live)]
            ratio = (fs * bars["close"]).sum() / (fs * bars["preclose"]).sum()
            prev = level[level.index < day].iloc[-1]
            assert level[day] == pytest.approx(prev * ratio, rel=2e-6), (index_code, day)
    sizes = members[members.end_date.isna()].groupby("index_code").size()
    assert sizes["000300.SS"] >= 5 and sizes["000001.SS"] > sizes["000300.SS"]


def test_etfs_track_their_index(daily):
    px = daily.pivot(index="date", columns="code", values="close")
    r_etf = np.log(px["510300.SS"]).diff().dropna()
    r_idx = np.log(px["000300.SS"]).diff().dropna()
    assert np.corrcoef(r_etf, r_idx)[0, 1] > 0.95


def test_the_root_passes_validate(root):
    validate = pytest.importorskip("ptrade_fast.data.validate").validate
    assert validate(root[0]) == []


def test_every_price_is_positive(daily):
    assert (daily[["open", "high", "low", "close"]] > 0).all().all()
