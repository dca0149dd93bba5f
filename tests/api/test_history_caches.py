"""Issue 12's fast paths give what the slow paths gave.  What get_history caches between calls (a code list's
sids, the calendar's DatetimeIndex, the panel columns) never leaks from one call into another: a changed list,
another spelling of a code or a renamed index gives exactly what a first call would.  The fee table follows its
settings; the orders table read column by column from the book stands a half-recorded order."""
import numpy as np
import pandas as pd
import pytest

from ptrade_fast.engine.runner import Backtest

CODES = ["600000.SS", "000063.SZ", "600570.SS"]

STRATEGY = """
def initialize(context):
    pass

def handle_data(context, data):
    pass
"""


@pytest.fixture()
def api():
    """A daily backtest on the bundled sample held in handle_data of its second day."""
    bt = Backtest(STRATEGY, start="2024-03-01", end="2024-03-08", options={"history_format": "panel"})
    bt.start()
    bt.step()
    bt.step()
    bt.rt.phase = "handle"
    return bt


def test_a_list_changed_in_place_is_read_again(api):
    gh = api.ns["get_history"]
    codes = list(CODES)
    first = gh(5, "1d", "close", codes)
    codes[1] = "600036.SS"
    second = gh(5, "1d", "close", codes)
    assert list(second.columns) == ["600000.SS", "600036.SS", "600570.SS"]
    fresh = Backtest(STRATEGY, start="2024-03-01", end="2024-03-08", options={"history_format": "panel"})
    fresh.start()
    fresh.step()
    fresh.step()
    fresh.rt.phase = "handle"
    want = fresh.ns["get_history"](5, "1d", "close", ["600000.SS", "600036.SS", "600570.SS"])
    pd.testing.assert_frame_equal(second, want)
    assert list(first.columns) == CODES


def test_other_spellings_keep_their_answer(api):
    gh = api.ns["get_history"]
    long_form = ["600000.XSHG", "000063.XSHE"]
    for _ in range(2):                     # the second call is answered from the cache
        got = gh(5, "1d", "close", long_form)
        assert list(got.columns) == ["600000.SS", "000063.SZ"]
        pd.testing.assert_frame_equal(got, gh(5, "1d", "close", ["600000.SS", "000063.SZ"]))
    assert long_form == ["600000.XSHG", "000063.XSHE"]       # the caller's list is not touched


def test_unknown_code_is_nan_on_every_call(api):
    gh = api.ns["get_history"]
    for _ in range(2):
        got = gh(3, "1d", "close", ["600000.SS", "999999.SS"])
        assert list(got.columns) == ["600000.SS", "999999.SS"]
        assert got["999999.SS"].isna().all() and got["600000.SS"].notna().all()


def test_daily_index_is_the_calendar_and_private_to_its_frame(api):
    gh = api.ns["get_history"]
    a = gh(4, "1d", "close", CODES[0])
    cal = api.store.calendar
    end = int(np.searchsorted(cal, np.datetime64(api.rt.trade_date, "D")))
    want = pd.DatetimeIndex(cal[end - 4:end].astype("datetime64[ns]"))
    assert a.index.equals(want) and a.index.dtype == want.dtype and a.index.freq is None
    a.index.name = "when"
    a.columns.name = "field"
    b = gh(4, "1d", "close", CODES[0])
    assert b.index.name is None and b.columns.name is None
    panel = gh(4, "1d", "close", CODES)
    panel.columns.name = "code"
    assert gh(4, "1d", "close", CODES).columns.name is None


def test_fee_table_follows_a_changed_commission(api):
    acct, fees = api.account, api.settings.fees
    day = api.rt.trade_date
    acct.fill_fees(fees, day)
    assert np.allclose(np.asarray(acct.fees.commission_rate)[api.store.sid("600000.SS")], 0.0003)
    fees.commission["STOCK"] = (0.0005, 1.0)
    acct.fill_fees(fees, day)
    sid = api.store.sid("600000.SS")
    assert np.asarray(acct.fees.commission_rate)[sid] == 0.0005
    assert np.asarray(acct.fees.min_commission)[sid] == 10000


def test_orders_table_skips_an_order_the_account_never_recorded(api):
    """An interrupt between the book adding an order and the account recording its id: the orders table keeps
    the recorded orders, as they were (that order belongs to the unfinished day)."""
    from ptrade_fast.results_builder import _orders
    api.rt.phase = "handle"
    api.ns["order"]("600000.SS", 100)
    before = _orders(api)
    assert len(before) == api.account.book.n_orders >= 1
    api.account.book.add(api.store.sid("600000.SS"), 1, 100, 0, 100, 0)     # no new_order_row after it
    after = _orders(api)
    assert api.account.book.n_orders == len(before) + 1
    pd.testing.assert_frame_equal(after, before)
