"""The long history frame answers ``frame[code]`` with the old edition's per-code view (spec §0.1a-6)."""
import pandas as pd
import pytest

import ptrade_fast
from ptrade_fast.api.history_frame import HistoryFrame

CODES = ["600000.SS", "000063.SZ"]

STRATEGY = """
def initialize(context):
    pass

def handle_data(context, data):
    g.one = get_history(5, '1d', 'close', %(codes)r, fq='pre')
    g.many = get_history(5, '1d', ['open', 'close', 'volume'], %(codes)r)
    g.single = {c: get_history(5, '1d', ['open', 'close', 'volume'], c) for c in %(codes)r}
    g.single_pre = {c: get_history(5, '1d', 'close', c, fq='pre') for c in %(codes)r}
    g.price = get_price(%(codes)r, end_date='20240301', count=4, fields='close')
""" % {"codes": CODES}


@pytest.fixture(scope="module")
def frames():
    """The strategy's get_history / get_price results, read from the run's ``g`` (run() never writes into a
    caller's module, so the backtest object is asked directly)."""
    from ptrade_fast.engine.runner import Backtest
    bt = Backtest(STRATEGY, start="2024-03-04", end="2024-03-04")
    bt.run()
    g = bt.ns["g"]
    return {name: getattr(g, name) for name in ("one", "many", "single", "single_pre", "price")}


def test_one_field_gives_a_series_per_code(frames):
    one = frames["one"]
    assert isinstance(one, HistoryFrame) and list(one.columns) == ["code", "close"]
    for c in CODES:
        s = one[c]
        want = frames["single_pre"][c]["close"]
        assert isinstance(s, pd.Series) and s.name == c
        assert s.index.equals(want.index) and s.tolist() == want.tolist()
    assert one["600000.XSHG"].tolist() == one["600000.SS"].tolist()      # any suffix form


def test_several_fields_give_a_dates_by_fields_frame(frames):
    many = frames["many"]
    for c in CODES:
        v = many[c]
        assert type(v) is pd.DataFrame and list(v.columns) == ["open", "close", "volume"]
        pd.testing.assert_frame_equal(v, frames["single"][c])


def test_get_price_long_frame_too(frames):
    price = frames["price"]
    assert price["000063.SZ"].index.max() == pd.Timestamp("2024-03-01")
    assert len(price["000063.SZ"]) == 4


def test_dataframe_behaviour_unchanged(frames):
    many = frames["many"]
    assert many["close"].tolist() == many.loc[:, "close"].tolist()
    assert list(many[["code", "close"]].columns) == ["code", "close"]
    copy = many.copy()
    assert type(copy) is pd.DataFrame and copy.equals(many)      # derived frames are plain DataFrames
    doubled = many[["open", "close"]] * 2
    assert doubled["close"].tolist() == [2 * x for x in many["close"]]
    means = many.groupby("code")["close"].mean()
    assert means["000063.SZ"] == pytest.approx(frames["single"]["000063.SZ"]["close"].mean())
    chunks = {code: rows for code, rows in many.groupby("code", sort=True)}
    assert list(chunks) == sorted(CODES) and all(type(c) is pd.DataFrame for c in chunks.values())
    assert chunks["000063.SZ"]["close"].tolist() == frames["single"]["000063.SZ"]["close"].tolist()


def test_pickled_frame_still_answers_codes(frames):
    import pickle
    back = pickle.loads(pickle.dumps(frames["one"]))
    assert isinstance(back, HistoryFrame)
    assert back["000063.SZ"].tolist() == frames["one"]["000063.SZ"].tolist()


def test_unknown_key_is_a_clear_key_error(frames):
    with pytest.raises(KeyError, match="neither a column nor a security code of this history frame "
                                       r"\(codes: 600000.SS, 000063.SZ\)"):
        frames["many"]["601111.SS"]
    with pytest.raises(KeyError, match="'closing': neither a column nor a security code"):
        frames["many"]["closing"]
