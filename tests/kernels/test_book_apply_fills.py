"""OrderBook.apply_fills: fills decided by the tick matcher go through the account path of bar matching
(cash in whole lots, enable_amount, fees, T+1), partial fills stay working as '7'."""
import numpy as np
import pytest

from ptrade_fast import _core as pc
from ptrade_fast._core.book import OrderBook
from ptrade_fast._core.fees import FeeTable
from ptrade_fast._core.fills import FillBuffer, MatchParams
from ptrade_fast._core.ledger import Ledger

CNY = 10000
BUY, SELL = pc.SIDE_BUY, pc.SIDE_SELL


def st(code):
    return ord(code)


class Market:
    """One sid at 10 CNY: the account kernels as tests/kernels/test_book.py sets them up."""

    def __init__(self, cash=100000 * CNY):
        self.ledger = Ledger(1, cash)
        self.fees = FeeTable(1)
        self.fees.commission_rate[:] = 0.0003
        self.fees.min_commission[:] = 5 * CNY
        self.fees.stamp_rate[:] = 0.001
        self.book = OrderBook(capacity=4)
        self.fills = FillBuffer(capacity=2)
        self.params = MatchParams()

    def bar(self, close=10 * CNY):
        a = np.full(1, close, np.int64)
        z = np.zeros(1, np.int64)
        return self.book.match(self.ledger, self.fees, a, a, a, np.full(1, 10**7, np.int64), z, z,
                               np.ones(1, np.uint8), self.params, self.fills)

    def order(self, side, amount, limit=0):
        return self.book.add(0, side, amount, limit, 100, 0)


def apply(m, *entries):
    rows = np.array([e[0] for e in entries], np.int64)
    qty = np.array([e[1] for e in entries], np.int64)
    px = np.array([e[2] for e in entries], np.int64)
    end = np.array([e[3] if len(e) > 3 else 0 for e in entries], np.int32)
    return m.book.apply_fills(m.ledger, m.fees, rows, qty, px, end, m.fills)


def test_a_partial_fill_keeps_the_order_working_as_7_without_lot_rounding():
    m = Market()
    row = m.order(BUY, 1000, limit=10 * CNY)
    assert apply(m, (row, 150, 10 * CNY)) == 1
    assert m.book.status[row] == st("7") and m.book.filled[row] == 150 and m.book.n_open == 1
    assert m.ledger.amount[0] == 150 and m.ledger.enable_amount[0] == 0          # T+1
    assert m.ledger.cash == (100000 - 1500 - 5) * CNY                             # minimum commission
    assert m.book.changed_indices().tolist() == []
    # the rest fills at another snapshot: '8'
    assert apply(m, (row, 850, 10 * CNY)) == 1
    assert m.book.status[row] == st("8") and m.book.n_open == 0
    assert m.book.changed_indices().tolist() == [row]
    assert m.fills.columns()["qty"].tolist() == [150, 850]


def test_end_reason_cancels_the_remainder_after_the_fill():
    m = Market()
    m.ledger.set_position(0, 500, 500, 5000 * CNY, 10 * CNY)
    sell = m.order(SELL, 500)
    apply(m, (sell, 200, 10 * CNY, pc.R_IOC_REMAINDER))
    assert m.book.status[sell] == st("5") and m.book.reason[sell] == pc.R_IOC_REMAINDER
    assert m.book.changed_indices().tolist() == [sell] and m.ledger.amount[0] == 300
    # no fill at all: the end reason alone ends it '6'
    other = m.order(BUY, 100, limit=10 * CNY)
    assert apply(m, (other, 0, 0, pc.R_FOK_UNFILLED)) == 0
    assert m.book.status[other] == st("6") and m.book.reason[other] == pc.R_FOK_UNFILLED


def test_cash_cuts_a_fill_to_whole_lots_and_ends_the_order_5():
    m = Market(cash=2000 * CNY)
    row = m.order(BUY, 1000, limit=10 * CNY)
    apply(m, (row, 350, 10 * CNY))
    assert m.book.filled[row] == 100 and m.book.status[row] == st("5")
    assert m.book.reason[row] == pc.R_CASH_CLIPPED


def test_a_sell_beyond_enable_amount_is_cut_and_ends():
    m = Market()
    b = m.order(BUY, 300)
    m.bar()                       # bought 300 at 10, not sellable today (T+1)
    s = m.order(SELL, 300, limit=10 * CNY)
    apply(m, (s, 300, 10 * CNY))
    assert m.book.status[s] == st("6") and m.book.reason[s] == pc.R_NO_POSITION
    m.ledger.roll_day()
    s2 = m.order(SELL, 300, limit=10 * CNY)
    apply(m, (s2, 120, 11 * CNY))
    assert m.book.status[s2] == st("7") and m.ledger.amount[0] == 180
    f = m.fills.columns()
    assert f["stamp_duty"][-1] > 0 and m.book.status[b] == st("8")


def test_finished_orders_are_skipped_and_bad_rows_refused():
    m = Market()
    row = m.order(BUY, 100, limit=10 * CNY)
    m.book.cancel(row)
    assert apply(m, (row, 100, 10 * CNY)) == 0
    with pytest.raises(IndexError, match="not an order row"):
        apply(m, (5, 100, 10 * CNY))
    with pytest.raises(ValueError, match="quantity 100 at price 0"):
        apply(m, (row, 100, 0))
