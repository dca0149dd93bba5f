"""Futures in the data layer: product rules, the real IF1706 day, synthetic IF contracts, the dominant table."""
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from ptrade_fast.data.derive import dominant_contracts
from ptrade_fast.data.store import DataStore
from ptrade_fast.data.synthetic import add_index_futures
from ptrade_fast.data.writer import RootWriter
from ptrade_fast.rules import futures as frules


# -- rules ---------------------------------------------------------------------------------------------

def test_product_of_strips_the_month_and_suffix():
    assert frules.product_of("IF2406.CCFX") == "IF"
    assert frules.product_of("cu2112.XSGE") == "CU"
    assert frules.product_of("IF") == "IF"
    assert frules.yymm_of("SR501.XZCE") == "2501"
    with pytest.raises(ValueError, match="'600570.SS'"):
        frules.product_of("600570.SS")


def test_futures_limits_round_inward_from_the_previous_settlement():
    assert frules.limit_prices(3197.2, 0.10, 0.2) == (3516.8, 2877.6)


def test_index_futures_expire_on_the_third_friday_or_the_next_trading_day(store):
    cal = store.calendar
    assert frules.last_trading_day("IF", "1706", cal) == np.datetime64("2017-06-16")
    assert frules.last_trading_day("IF", "2401", cal) == np.datetime64("2024-01-19")
    # 2024-02-16 fell in the Spring Festival holiday: the next trading day.
    assert frules.last_trading_day("IF", "2402", cal) == np.datetime64("2024-02-19")
    assert frules.last_trading_day("T", "2403", cal) == np.datetime64("2024-03-08")


def test_contract_months_are_current_next_and_two_quarters(store):
    cal = store.calendar
    assert frules.contract_months("IF", "2016-11-08", cal) == ["1611", "1612", "1703", "1706"]
    # The November contract expired on 2016-11-18: the months roll on the next trading day.
    assert frules.contract_months("IF", "2016-11-21", cal) == ["1612", "1701", "1703", "1706"]
    assert frules.listing_date("IF", "1706", cal) == np.datetime64("2016-10-24")


def test_spec_margin_and_fees_are_dated_and_commodity_defaults_are_labelled():
    assert frules.spec("IF", "2016-11-08").margin_rate == 0.40
    assert frules.spec("IF", "2016-11-08").close_today_commission == 0.0023
    assert frules.spec("IF", "2023-03-20").close_today_commission == 0.00023
    assert frules.spec("IC", "2019-05-06").margin_rate == 0.12
    cu = frules.spec("CU")
    assert cu.exchange == "SHFE" and cu.suffix == "XSGE" and cu.close_today and cu.multiplier == 5
    assert cu.fee_source == "rqalpha default, not exchange schedule"
    assert not frules.spec("IF").close_today and frules.spec("IF").exchange_name == "中金所"


# -- the real IF1706 day ---------------------------------------------------------------------------------

def test_if1706_oracle_limits_settlement_and_open_interest(store, real_dir):
    s = store.sid("IF1706.CFX")
    w = store.daily_window("2016-11-08", "2016-11-08")
    assert w.preclose[0, s] == 3197.2
    assert (w.high_limit[0, s], w.low_limit[0, s]) == (3516.8, 2877.6)
    bars = pd.read_parquet(real_dir / "futures_minute_bars.parquet")
    last_hour = bars[bars.datetime.dt.strftime("%H:%M") > "14:00"]
    vwap = last_hour.money.sum() / last_hour.volume.sum() / 300
    assert w.settlement[0, s] == frules.round_to_tick(vwap, 0.2) == 3215.0
    assert w.open_interest[0, s] == 584
    assert (bars.high_limit == w.high_limit[0, s]).all() and (bars.low_limit == w.low_limit[0, s]).all()


def test_if1706_minutes_aggregate_to_its_daily_bar(store):
    s = store.sid("IF1706.CCFX")
    md = store.minute_day("2016-11-08")
    w = store.daily_window("2016-11-08", "2016-11-08")
    assert md.open[0, s] == w.open[0, s] == 3209.8 and md.close[-1, s] == w.close[0, s]
    assert md.high[:, s].max() == w.high[0, s] and md.low[:, s].min() == w.low[0, s]
    assert md.volume[:, s].sum() == w.volume[0, s] == 116 and md.money[:, s].sum() == w.money[0, s]
    assert md.open_interest[-1, s] == 584


# -- the synthetic IF contracts --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def futures(store):
    inst = store.instruments
    return inst[inst["type"] == "future"]


def test_instruments_and_arrays_carry_product_multiplier_and_delivery_date(store, futures):
    assert len(futures) == 41 and set(futures["product"]) == {"IF"}
    assert (futures["multiplier"] == 300).all()
    assert futures.loc["IF1706.CCFX", "synthetic"] == False  # noqa: E712 (real)
    assert futures.drop(index="IF1706.CCFX")["synthetic"].all()
    arr = store.instrument_arrays()
    s = store.sid("IF2406.CCFX")
    assert arr["multiplier"][s] == 300.0 and arr["multiplier"][store.sid("600570.SS")] == 1.0
    assert arr["delivery_date"][s] == np.datetime64("2024-06-21") and np.isnat(arr["delivery_date"][store.sid("600570.SS")])
    assert arr["tick"][s] == 2000


def test_every_delivery_date_is_the_product_rule(store, futures):
    for code, row in futures.iterrows():
        day = np.datetime64(row["delivery_date"].date(), "D")
        assert day == frules.last_trading_day("IF", code[2:6], store.calendar), code
        third_friday = frules._nth_weekday(np.datetime64(f"20{code[2:4]}-{code[4:6]}-01"), 4, 3)
        assert day >= third_friday and (day - third_friday) < np.timedelta64(10, "D")


def test_settlement_is_on_the_tick_grid_and_last_days_use_the_index(store, futures):
    w = store.daily_window("2019-01-02", "2025-08-05")
    index = store.sid("000300.SS")
    n_last = 0
    for code, row in futures.iterrows():
        s = store.sid(code)
        st = w.settlement[:, s]
        have = ~np.isnan(st)
        last = (w.dates == np.datetime64(row["delivery_date"].date(), "D")) & have
        grid = have & ~last
        assert np.allclose(np.rint(st[grid] / 0.2) * 0.2, st[grid]), code
        c, hl, ll = w.close[:, s], w.high_limit[:, s], w.low_limit[:, s]
        assert (c[have] <= hl[have] + 1e-9).all() and (c[have] >= ll[have] - 1e-9).all()
        # Limits are ± 10 % (± 20 % on the last day) of the previous settlement, rounded inward.
        prev = np.concatenate([[np.nan], st[:-1]])
        k = have & ~np.isnan(prev)
        ratio = np.where(last, 0.2, 0.1)
        hi, lo = frules.limit_prices(prev[k], ratio[k], 0.2)
        assert np.array_equal(hi, hl[k]) and np.array_equal(lo, ll[k])
        if last.any():
            n_last += 1
            day = w.dates[last][0]
            if store.has_minutes(day):
                expected = round(float(np.mean(store.minute_day(day).close[120:, index])), 2)
            else:
                expected = round(float(w.close[last, index][0]), 2)
            assert st[last][0] == expected, code
    assert n_last >= 30


def test_synthetic_futures_minutes_aggregate_to_daily(store, futures):
    for day in ["2019-01-02", "2019-01-18", "2019-02-01"]:
        md = store.minute_day(day)
        w = store.daily_window(day, day)
        for code in futures.index:
            s = store.sid(code)
            if np.isnan(w.close[0, s]):
                continue
            assert md.has_data[s] == 1, (code, day)
            assert md.open[0, s] == w.open[0, s] and md.close[-1, s] == w.close[0, s]
            assert md.high[:, s].max() == w.high[0, s] and md.low[:, s].min() == w.low[0, s]
            assert md.volume[:, s].sum() == w.volume[0, s] and md.money[:, s].sum() == w.money[0, s]
            assert md.open_interest[-1, s] == w.open_interest[0, s]
            last_hour = slice(180, 240)
            vwap = md.money[last_hour, s].sum() / md.volume[last_hour, s].sum() / 300
            if w.dates[0] != np.datetime64(futures.loc[code, "delivery_date"].date(), "D"):
                assert w.settlement[0, s] == frules.round_to_tick(vwap, 0.2)


def test_non_futures_read_nan_settlement_and_open_interest(store):
    w = store.daily_window("2019-01-02", "2019-01-04")
    s = store.sid("600570.SS")
    assert np.isnan(w.settlement[:, s]).all() and np.isnan(w.open_interest[:, s]).all()
    # A year file without futures has no futures columns and reads as NaN.
    assert "settlement" not in pq.read_schema(store.root / "daily" / "2018.parquet").names
    w = store.daily_window("2018-01-02", "2018-01-03")
    assert np.isnan(w.settlement).all()


def test_dominant_table_is_the_largest_previous_open_interest(store):
    table = pd.read_parquet(store.root / "futures" / "dominant.parquet")
    assert list(table.columns) == ["date", "product", "contract"]
    w = store.daily_window("2023-01-03", "2025-08-05")
    codes = [c for c in store.codes if c.startswith("IF2")]
    sids = store.sids(codes)
    oi = w.open_interest[:, sids]
    for i in range(1, len(w.dates)):
        trading = w.is_open[i, sids] == 1
        prev = np.where(np.isnan(oi[i - 1]), oi[i], oi[i - 1])
        expected = codes[int(np.nanargmax(np.where(trading, prev, -1)))]
        assert store.dominant("IF", w.dates[i]) == expected, w.dates[i]
    assert store.dominant("IF", "2024-06-03") == "IF2406.CCFX"
    # A weekend takes the Friday; days the table does not cover give None.
    assert store.dominant("IF", "2024-06-01") == store.dominant("IF", "2024-05-31")
    assert store.dominant("IF", "2021-06-01") is None and store.dominant("IH", "2024-06-03") is None


def test_dominant_contracts_ties_go_to_the_nearer_month():
    daily = pd.DataFrame({"code": ["IF2401.CCFX", "IF2402.CCFX"] * 2,
                          "date": ["2024-01-02"] * 2 + ["2024-01-03"] * 2,
                          "open_interest": [10, 10, 5, 20], "is_open": 1})
    out = dominant_contracts(daily)
    assert list(out.contract) == ["IF2401.CCFX", "IF2401.CCFX"]


# -- writing futures into a root --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def index_root(store, tmp_path_factory):
    """A root with 000300.SS daily bars of 2023-06 … 2023-09 and the exchange calendar."""
    root = tmp_path_factory.mktemp("fut") / "root"
    dates, rows = store.daily_range([store.sid("000300.SS")], ("open", "high", "low", "close", "volume", "money"),
                                    "2023-06-01", "2023-09-29")
    bars = pd.DataFrame({"code": "000300.SS", "date": dates, **{k: v[:, 0] for k, v in rows.items()}})
    with RootWriter.open(root) as w:
        w.add_calendar(store.calendar[store.calendar.astype("datetime64[Y]") == np.datetime64("2023", "Y")])
        w.add_daily(bars)
    add_index_futures(root, seed=3)
    return root


def test_add_index_futures_writes_contracts_dominant_and_skips_missing_indices(index_root):
    st = DataStore(index_root)
    inst = st.instruments
    fut = inst[inst["type"] == "future"]
    assert set(fut["product"]) == {"IF"}  # no 000016/000905/000852 in the root
    assert {"IF2306.CCFX", "IF2307.CCFX", "IF2309.CCFX", "IF2312.CCFX", "IF2403.CCFX"} <= set(fut.index)
    assert st.meta["futures"]["products"] == ["IF"] and st.meta["futures"]["dominant"]
    assert "IF2309.CCFX" in st.meta["futures"]["synthetic_codes"] and "IF2309.CCFX" not in st.meta.get(
        "synthetic", {}).get("codes", [])
    assert st.dominant("IF", "2023-08-01") in ("IF2308.CCFX", "IF2309.CCFX")
    assert not (index_root / "minute").exists()


def test_adding_a_later_bar_keeps_the_first_days_previous_settlement(index_root, tmp_path):
    import shutil
    root = tmp_path / "root"
    shutil.copytree(index_root, root)
    st = DataStore(root)
    s = st.sid("IF2312.CCFX")
    before = st.daily_window("2023-06-01", "2023-09-29")
    first = int(np.flatnonzero(~np.isnan(before.close[:, s]))[0])
    with RootWriter.open(root) as w:
        w.add_daily(pd.DataFrame([{"code": "IF2312.CCFX", "date": "2023-10-09", "open": 3800.0, "high": 3810.0,
                                   "low": 3790.0, "close": 3800.2, "volume": 10, "money": 1.14e7,
                                   "settlement": 3800.0, "open_interest": 1234}]))
    after = DataStore(root).daily_window("2023-06-01", "2023-10-09")
    assert after.preclose[first, s] == before.preclose[first, s]
    assert np.array_equal(after.settlement[:len(before.dates), s], before.settlement[:, s], equal_nan=True)
    # 2023-10-02 … 06 were holidays: the new row follows 2023-09-28 (the last bar) directly.
    assert after.preclose[-1, s] == before.settlement[-1, s] or np.isnan(before.settlement[-1, s])
    assert after.open_interest[-1, s] == 1234
