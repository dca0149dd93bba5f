"""fq='pre' / 'post' / 'dypre' prices of 600000.SS across all its real 2000-2011 ex-rights events, against
the textbook iterative formula written out here, independent of data/adjust.py's A·P + B factors.

Forward (前复权): walk the events after day t in date order, each mapping a price P to the exchange's
ex-rights reference (P − cash + rights_ratio × rights_price) / (1 + bonus + conversion + rights_ratio).
Backward (后复权): walk the events on or before t from the latest back, each applying the inverse,
P × (1 + bonus + conversion + rights_ratio) + cash − rights_ratio × rights_price.
"""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ptrade_fast.api.market import MarketAPI
from ptrade_fast.data.store import DataStore
from ptrade_fast.engine.runtime import Runtime

CODE = "600000.SS"

# 浦发银行's price-moving events (stock.db via shared/data/real ex_rights.parquet; the exchange reference
# prices TDX stored on these days are README oracle 5): date, cash, bonus, conversion, rights ratio, price.
EVENTS = [
    ("2000-07-06", 0.15, 0.0, 0.0, 0.0, 0.0),
    ("2002-08-22", 0.20, 0.0, 0.5, 0.0, 0.0),   # 10转5派2
    ("2003-06-23", 0.10, 0.0, 0.0, 0.0, 0.0),
    ("2004-05-20", 0.11, 0.0, 0.0, 0.0, 0.0),
    ("2005-05-12", 0.12, 0.0, 0.0, 0.0, 0.0),
    ("2006-05-25", 0.13, 0.0, 0.0, 0.0, 0.0),
    ("2007-07-18", 0.15, 0.0, 0.0, 0.0, 0.0),
    ("2008-04-24", 0.16, 0.3, 0.0, 0.0, 0.0),   # 10送3派1.6
    ("2009-06-09", 0.23, 0.4, 0.0, 0.0, 0.0),
    ("2010-06-10", 0.15, 0.3, 0.0, 0.0, 0.0),
    ("2011-06-03", 0.16, 0.3, 0.0, 0.0, 0.0),
]
# Rows that must NOT move prices: two placements (增发 at a price, no rights ratio) and the 2006 share
# reform consideration (0.3 shares paid by non-tradable holders; total shares unchanged, no reference price).
NON_MOVING = {"2003-01-20": "placement at 8.45", "2006-11-30": "placement at 13.64",
              "2006-05-12": "share-reform consideration"}


def forward(price, day):
    for date, cash, bonus, conv, ratio, rprice in EVENTS:
        if np.datetime64(date) > day:
            price = (price - cash + ratio * rprice) / (1 + bonus + conv + ratio)
    return price


def backward(price, day):
    for date, cash, bonus, conv, ratio, rprice in reversed(EVENTS):
        if np.datetime64(date) <= day:
            price = price * (1 + bonus + conv + ratio) + cash - ratio * rprice
    return price


def forward_to(anchor):
    def fn(price, day):
        for date, cash, bonus, conv, ratio, rprice in EVENTS:
            if day < np.datetime64(date) <= anchor:
                price = (price - cash + ratio * rprice) / (1 + bonus + conv + ratio)
        return price
    return fn


@pytest.fixture(scope="module")
def store():
    return DataStore.open()


def market(store, day):
    rt = Runtime(store, "1d", {})
    rt.phase, rt.trade_date, rt.bar_index = "handle", day, 0
    return MarketAPI(rt)


FIELDS = ["open", "high", "low", "close"]


def prices(store, day, fq):
    return market(store, day).get_price(CODE, start_date="19991110", end_date="20111206", fields=FIELDS, fq=fq)


def test_the_bundle_holds_every_event_and_the_rows_that_must_not_move(store):
    ex = store.exrights(CODE)
    ex = ex.assign(day=pd.to_datetime(ex["ex_date"]).dt.strftime("%Y-%m-%d")).set_index("day")
    for date, cash, bonus, conv, ratio, rprice in EVENTS:
        row = ex.loc[date]
        assert (row.cash_dividend, row.bonus_ratio, row.conversion_ratio, row.rights_ratio) == (cash, bonus, conv, ratio)
    assert ex.loc["2003-01-20", "rights_price"] == 8.45 and ex.loc["2003-01-20", "rights_ratio"] == 0
    assert ex.loc["2006-11-30", "rights_price"] == 13.64 and ex.loc["2006-11-30", "rights_ratio"] == 0
    reform = ex.loc["2006-05-12"]
    assert reform.bonus_ratio == 0.3 and reform.has_action
    assert reform.total_shares == ex.loc["2005-05-12", "total_shares"]


@pytest.mark.parametrize("fq, walk", [("pre", forward), ("post", backward)])
def test_adjusted_prices_match_the_textbook_walk_on_every_day(store, fq, walk):
    raw = prices(store, dt.date(2012, 1, 4), None).dropna()
    adj = prices(store, dt.date(2012, 1, 4), fq).loc[raw.index]
    days = raw.index.to_numpy().astype("datetime64[D]")
    assert len(raw) > 2700 and days[0] == np.datetime64("1999-11-10")
    for f in FIELDS:
        expected = np.array([walk(p, d) for p, d in zip(raw[f].to_numpy(), days)])
        np.testing.assert_allclose(adj[f].to_numpy(), expected, rtol=1e-12, atol=1e-9, err_msg=f"{fq} {f}")


def test_dypre_applies_only_the_events_up_to_the_simulated_date(store):
    today = dt.date(2009, 1, 5)
    m = market(store, today)
    raw = m.get_price(CODE, start_date="19991110", fields="close").dropna()
    adj = m.get_price(CODE, start_date="19991110", fields="close", fq="dypre").loc[raw.index]
    days = raw.index.to_numpy().astype("datetime64[D]")
    walk = forward_to(np.datetime64(today))
    expected = np.array([walk(p, d) for p, d in zip(raw["close"].to_numpy(), days)])
    np.testing.assert_allclose(adj["close"].to_numpy(), expected, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("date", sorted(NON_MOVING))
def test_placements_and_the_share_reform_do_not_move_prices(store, date):
    # The adjustment is the same affine map on the trading days either side of the row's date.
    raw = prices(store, dt.date(2012, 1, 4), None).dropna()["close"]
    post = prices(store, dt.date(2012, 1, 4), "post")["close"].loc[raw.index]
    before = raw.index[raw.index < pd.Timestamp(date)][-1]
    after = raw.index[raw.index >= pd.Timestamp(date)][0]
    d0, d1 = (np.datetime64(x.date()) for x in (before, after))
    assert backward(1.0, d0) == backward(1.0, d1) and backward(0.0, d0) == backward(0.0, d1)
    assert post[before] == pytest.approx(backward(raw[before], d0), abs=1e-9)
    assert post[after] == pytest.approx(backward(raw[after], d1), abs=1e-9)


def test_reference_prices_on_the_ex_dates_are_the_exchange_ones(store):
    # The forward walk of the previous close over one event is the exchange reference (README oracle 5).
    raw = prices(store, dt.date(2012, 1, 4), None)["close"].dropna()
    oracle = {"2008-04-24": 27.02, "2009-06-09": 21.69, "2010-06-10": 14.12, "2011-06-03": 10.04}
    for date, ref in oracle.items():
        prev = raw[raw.index < pd.Timestamp(date)].iloc[-1]
        day = np.datetime64(date) - np.timedelta64(1, "D")
        one = forward_to(np.datetime64(date))(prev, day)
        assert round(one + 1e-9, 2) == ref
