"""ptrade_fast._core.book: order columns, open set, matching rules and reason codes, on tiny markets."""
import numpy as np
import pytest

from ptrade_fast import _core as pc
from ptrade_fast._core.fills import FillBuffer, MatchParams
from ptrade_fast._core.book import OrderBook
from ptrade_fast._core.fees import FeeTable
from ptrade_fast._core.ledger import Ledger

CNY = 10000
BUY, SELL = pc.SIDE_BUY, pc.SIDE_SELL


def st(code):
    return ord(code)


class Market:
    """Two sids, one bar at a time; defaults: close 10 CNY, big volume, no limits, tradable."""

    def __init__(self, cash=100000 * CNY, **params):
        self.ledger = Ledger(2, cash)
        self.fees = FeeTable(2)
        self.fees.commission_rate[:] = 0.0003
        self.fees.min_commission[:] = 5 * CNY
        self.fees.stamp_rate[:] = 0.001
        self.book = OrderBook(capacity=4)
        self.fills = FillBuffer(capacity=2)
        self.params = MatchParams(**params)

    def bar(self, close=10 * CNY, high=None, low=None, volume=10**7, high_limit=0, low_limit=0, tradable=1):
        def a(v, dtype=np.int64):
            return np.full(2, v, dtype=dtype)
        return self.book.match(self.ledger, self.fees, a(close), a(high or close), a(low or close), a(volume),
                               a(high_limit), a(low_limit), a(tradable, np.uint8), self.params, self.fills)

    def order(self, side, amount, limit=0, sid=0, lot=100):
        return self.book.add(sid, side, amount, limit, lot, 0)


# -- creation ----------------------------------------------------------------------------------------

def test_add_creates_a_working_order_with_entrust_no_row_plus_one():
    book = OrderBook()
    row = book.add(3, BUY, 500, 0, 100, 7)
    assert row == 0 and book.entrust_no[0] == 1
    assert (book.sid[0], book.side[0], book.amount[0], book.filled[0]) == (3, BUY, 500, 0)
    assert book.status[0] == st("2") and book.reason[0] == pc.R_NONE
    assert book.lot[0] == 100 and book.created_seq[0] == 7
    assert book.open_indices().tolist() == [0] and book.n_open == 1


def test_add_rejected_records_status_9_outside_the_open_set():
    book = OrderBook()
    row = book.add_rejected(-1, BUY, 150, 0, 100, 0, pc.R_UNKNOWN_SECURITY)
    assert book.status[row] == st("9") and book.reason[row] == pc.R_UNKNOWN_SECURITY
    assert book.n_open == 0 and book.open_indices().tolist() == []


@pytest.mark.parametrize("args, match", [((0, 0, 100, 0, 100, 0), "side"), ((0, 1, 0, 0, 100, 0), "amount"),
                                         ((0, 1, 100, -1, 100, 0), "limit_price"), ((0, 1, 100, 0, 0, 0), "lot")])
def test_add_refuses_malformed_orders(args, match):
    with pytest.raises(ValueError, match=match):
        OrderBook().add(*args)


def test_columns_grow_geometrically_beyond_capacity_and_keep_their_rows():
    book = OrderBook(capacity=1)
    for i in range(1000):
        book.add(i % 5, BUY, 100 + i, 0, 100, i)
    assert book.n_orders == 1000 and book.capacity >= 1000
    assert book.amount.tolist() == [100 + i for i in range(1000)]
    assert book.entrust_no.tolist() == list(range(1, 1001))
    assert book.open_indices().tolist() == list(range(1000))


def test_fill_buffer_grows_beyond_its_capacity():
    m = Market(cash=10**9 * CNY)
    for _ in range(50):
        m.order(BUY, 100)
    assert m.bar() == 50 and len(m.fills) == 50 and m.fills.capacity >= 50
    assert m.fills.columns()["order_row"].tolist() == list(range(50))
    m.fills.clear()
    assert len(m.fills) == 0 and m.fills.columns()["qty"].size == 0


# -- cancel and end of day -----------------------------------------------------------------------------

def test_cancel_of_a_working_order_returns_6_and_lists_it_as_changed():
    m = Market()
    m.order(BUY, 100, limit=5 * CNY)
    row = m.order(BUY, 100, limit=5 * CNY)
    assert m.book.cancel(row) == st("6")
    assert m.book.reason[row] == pc.R_USER_CANCEL
    assert m.book.changed_indices().tolist() == [row]
    assert m.book.open_indices().tolist() == [0] and m.book.n_open == 1


def test_cancel_of_a_finished_order_is_a_no_op_returning_0():
    m = Market()
    row = m.order(BUY, 100)
    m.bar()
    assert m.book.cancel(row) == 0
    assert m.book.status[row] == st("8") and m.book.changed_indices().tolist() == []


def test_cancel_of_an_unknown_row_is_an_index_error():
    with pytest.raises(IndexError, match="was 0"):
        OrderBook().cancel(0)


def test_end_day_cancels_every_working_order_with_reason_day_end():
    m = Market()
    a = m.order(BUY, 100, limit=5 * CNY)
    b = m.order(SELL, 100, limit=50 * CNY)
    m.book.cancel(a)
    c = m.order(BUY, 300, limit=9 * CNY)
    assert m.book.end_day() == 2
    assert m.book.changed_indices().tolist() == [b, c]
    assert [chr(x) for x in m.book.status] == ["6", "6", "6"]
    assert m.book.reason.tolist() == [pc.R_USER_CANCEL, pc.R_DAY_END, pc.R_DAY_END]
    assert m.book.n_open == 0 and m.book.open_indices().size == 0


# -- market orders ---------------------------------------------------------------------------------------

def test_market_buy_fills_at_the_close_with_fees_and_ends_8():
    m = Market()
    row = m.order(BUY, 1000)
    assert m.bar() == 1
    f = m.fills.columns()
    assert (f["qty"][0], f["price"][0], f["value"][0], f["commission"][0], f["stamp_duty"][0]) == \
        (1000, 10 * CNY, 10000 * CNY, 5 * CNY, 0)
    assert m.book.status[row] == st("8") and m.book.reason[row] == pc.R_NONE
    assert m.ledger.cash == (100000 - 10000 - 5) * CNY
    assert m.book.changed_indices().tolist() == [row] and m.book.n_open == 0


def test_sell_pays_stamp_duty():
    m = Market()
    m.ledger.set_position(0, 1000, 1000, 9000 * CNY, 0)
    m.order(SELL, 1000)
    m.bar()
    f = m.fills.columns()
    assert f["stamp_duty"][0] == 10 * CNY and f["commission"][0] == 5 * CNY
    assert m.ledger.cash == (100000 + 10000 - 15) * CNY


def test_untradable_bar_leaves_the_order_untouched_and_open():
    m = Market()
    row = m.order(BUY, 100)
    assert m.bar(tradable=0) == 0
    assert m.book.status[row] == st("2") and m.book.changed_indices().size == 0
    assert m.bar() == 1 and m.book.status[row] == st("8")


def test_buy_is_clipped_to_cash_by_whole_lots_and_the_remainder_cancelled_5():
    m = Market(cash=2500 * CNY)
    row = m.order(BUY, 1000)
    m.bar()
    # 200 shares cost 2000 + 5 min commission; 300 would cost 3005
    assert m.book.filled[row] == 200 and m.book.status[row] == st("5")
    assert m.book.reason[row] == pc.R_CASH_CLIPPED
    assert m.ledger.cash == 495 * CNY


def test_min_commission_can_push_the_last_lot_out():
    m = Market(cash=1004 * CNY)
    row = m.order(BUY, 200)
    m.bar()
    # 100 shares cost 1000 + 5 > 1004: nothing fits
    assert m.book.status[row] == st("6") and m.book.reason[row] == pc.R_NO_CASH and m.ledger.cash == 1004 * CNY


def test_cash_never_goes_negative_across_many_buys():
    m = Market(cash=12345 * CNY)
    for _ in range(20):
        m.order(BUY, 300)
    m.bar()
    assert m.ledger.cash >= 0
    assert m.ledger.amount[0] == m.book.filled.sum() == 1200


def test_sell_more_than_enable_amount_is_clipped_with_reason():
    m = Market()
    m.ledger.set_position(0, 1000, 300, 0, 0)
    row = m.order(SELL, 500)
    m.bar()
    assert m.book.filled[row] == 300 and m.book.status[row] == st("5")
    assert m.book.reason[row] == pc.R_POSITION_CLIPPED


def test_sell_without_a_sellable_position_ends_6_no_position():
    m = Market()
    m.order(BUY, 100)
    row = m.order(SELL, 100)  # T+1: today's buy cannot be sold
    m.bar()
    assert m.book.status[row] == st("6") and m.book.reason[row] == pc.R_NO_POSITION


def test_t0_buy_can_be_sold_in_the_same_bar():
    m = Market()
    m.ledger.set_t0(np.array([1, 0]))
    m.order(BUY, 100)
    row = m.order(SELL, 100)
    m.bar()
    assert m.book.status[row] == st("8") and m.ledger.amount[0] == 0


def test_odd_lot_sell_is_allowed_only_when_it_empties_the_position():
    m = Market()
    m.ledger.set_position(0, 150, 150, 0, 0)
    m.ledger.set_position(1, 1150, 1150, 0, 0)
    whole = m.order(SELL, 150, sid=0)
    part = m.order(SELL, 150, sid=1)
    m.bar()
    assert m.book.filled[whole] == 150 and m.book.status[whole] == st("8")
    assert m.book.filled[part] == 100 and m.book.status[part] == st("5")
    assert m.book.reason[part] == pc.R_BELOW_MIN_LOT


def test_odd_lot_clipped_sell_rounds_down_while_shares_stay_locked():
    m = Market()
    m.ledger.set_position(0, 1000, 150, 0, 0)   # 850 bought today
    row = m.order(SELL, 1000)
    m.bar()
    assert m.book.filled[row] == 100 and m.book.reason[row] == pc.R_POSITION_CLIPPED


def test_sell_whose_fees_exceed_proceeds_and_cash_is_refused_with_no_cash():
    m = Market(cash=0)
    m.ledger.set_position(0, 1, 1, 0, 0)
    row = m.order(SELL, 1)
    m.bar(close=100)   # 1 share at 0.01 CNY vs a 5 CNY minimum commission
    assert m.book.status[row] == st("6") and m.book.reason[row] == pc.R_NO_CASH and m.ledger.cash == 0


# -- volume cap --------------------------------------------------------------------------------------

def test_volume_capped_buy_fills_the_cap_and_cancels_the_rest_5():
    m = Market()
    row = m.order(BUY, 1000)
    m.bar(volume=2000)   # cap 500
    assert m.book.filled[row] == 500 and m.book.status[row] == st("5")
    assert m.book.reason[row] == pc.R_VOLUME_CAPPED


def test_cap_is_rounded_to_the_lot_for_buys():
    m = Market()
    row = m.order(BUY, 1000)
    m.bar(volume=999)   # cap 249 -> 200
    assert m.book.filled[row] == 200


def test_zero_volume_ends_a_market_order_but_keeps_a_limit_order_open():
    m = Market()
    market = m.order(BUY, 100)
    limit = m.order(BUY, 100, limit=11 * CNY)
    m.bar(volume=0)
    assert m.book.status[market] == st("6") and m.book.reason[market] == pc.R_NO_VOLUME
    assert m.book.status[limit] == st("2") and m.book.reason[limit] == pc.R_NO_VOLUME
    assert m.book.changed_indices().tolist() == [market, limit]
    m.bar(volume=0)
    assert m.book.changed_indices().tolist() == []   # reason unchanged, nothing listed


def test_cap_smaller_than_a_lot_gives_volume_capped_with_nothing_filled():
    m = Market()
    row = m.order(BUY, 100)
    m.bar(volume=100)   # cap 25
    assert m.book.status[row] == st("6") and m.book.reason[row] == pc.R_VOLUME_CAPPED


def test_shared_cap_spreads_the_bar_volume_over_orders_on_one_sid():
    m = Market(shared_volume_cap=True)
    a, b, c = m.order(BUY, 300), m.order(BUY, 300), m.order(BUY, 300, sid=1)
    m.bar(volume=2000)   # cap 500 per sid
    assert m.book.filled.tolist() == [300, 200, 300]
    assert m.book.reason[b] == pc.R_VOLUME_CAPPED
    m.order(BUY, 300)
    m.bar(volume=2000)   # the shared budget resets every bar
    assert m.book.filled[3] == 300


def test_per_order_cap_by_default_lets_each_order_take_the_cap():
    m = Market()
    m.order(BUY, 300)
    m.order(BUY, 300)
    m.bar(volume=2000)
    assert m.book.filled.tolist() == [300, 300]


def test_unlimited_mode_ignores_volume():
    m = Market(limit_mode=pc.LIMIT_MODE_UNLIMITED)
    row = m.order(BUY, 5000)
    m.bar(volume=0)
    assert m.book.filled[row] == 5000


# -- limit orders --------------------------------------------------------------------------------------

def test_limit_buy_rests_across_bars_until_the_close_reaches_it_then_fills_at_the_close():
    m = Market()
    row = m.order(BUY, 100, limit=int(9.5 * CNY))
    for close in (10 * CNY, int(9.8 * CNY), int(9.6 * CNY)):
        assert m.bar(close=close) == 0
        assert m.book.status[row] == st("2") and m.book.open_indices().tolist() == [row]
    assert m.bar(close=int(9.4 * CNY)) == 1
    assert m.fills.columns()["price"][0] == int(9.4 * CNY) and m.book.status[row] == st("8")


def test_limit_sell_fills_at_the_better_close_and_slippage_is_floored_at_the_limit():
    m = Market(slippage_kind=pc.SLIPPAGE_FIXED, slippage_fixed=2 * CNY)
    m.ledger.set_position(0, 200, 200, 0, 0)
    row = m.order(SELL, 200, limit=10 * CNY)
    m.bar(close=11 * CNY)
    # 11 - 1 = 10, not below the limit
    assert m.fills.columns()["price"][0] == 10 * CNY and m.book.status[row] == st("8")


def test_limit_touch_high_low_triggers_on_the_bar_range_and_fills_at_the_limit():
    m = Market(limit_touch=pc.LIMIT_TOUCH_HIGH_LOW)
    row = m.order(BUY, 100, limit=int(9.5 * CNY))
    m.bar(close=10 * CNY, low=int(9.4 * CNY), high=10 * CNY)
    assert m.book.status[row] == st("8") and m.fills.columns()["price"][0] == int(9.5 * CNY)


def test_limit_up_locked_bar_blocks_buys_market_ends_limit_rests():
    m = Market()
    market = m.order(BUY, 100)
    limit = m.order(BUY, 100, limit=11 * CNY)
    m.bar(close=11 * CNY, high_limit=11 * CNY)
    assert m.book.status[market] == st("6") and m.book.reason[market] == pc.R_LIMIT_UP_LOCKED
    assert m.book.status[limit] == st("2") and m.book.reason[limit] == pc.R_LIMIT_UP_LOCKED
    m.bar(close=int(10.9 * CNY), high_limit=11 * CNY)
    assert m.book.status[limit] == st("8") and m.book.reason[limit] == pc.R_NONE


def test_limit_down_locked_bar_blocks_sells():
    m = Market()
    m.ledger.set_position(0, 100, 100, 0, 0)
    row = m.order(SELL, 100)
    m.bar(close=9 * CNY, low_limit=9 * CNY)
    assert m.book.status[row] == st("6") and m.book.reason[row] == pc.R_LIMIT_DOWN_LOCKED


def test_locked_bar_is_tradable_when_blocking_is_off():
    m = Market(block_limit_locked=False)
    row = m.order(BUY, 100)
    m.bar(close=11 * CNY, high_limit=11 * CNY)
    assert m.book.status[row] == st("8")


# -- ordering, slippage and bookkeeping ----------------------------------------------------------------

def test_a_sell_placed_before_a_buy_frees_cash_for_it():
    m = Market(cash=0)
    m.ledger.set_position(1, 1000, 1000, 0, 0)
    m.order(SELL, 1000, sid=1)
    buy = m.order(BUY, 500)
    m.bar()
    assert m.book.filled[buy] == 500 and m.ledger.cash == (10000 - 15 - 5005) * CNY


def test_a_buy_placed_before_the_sell_finds_no_cash():
    m = Market(cash=0)
    m.ledger.set_position(1, 1000, 1000, 0, 0)
    buy = m.order(BUY, 500)
    m.order(SELL, 1000, sid=1)
    m.bar()
    assert m.book.status[buy] == st("6") and m.book.reason[buy] == pc.R_NO_CASH


def test_ratio_slippage_moves_buys_up_and_sells_down():
    m = Market(slippage_kind=pc.SLIPPAGE_RATIO, slippage_ratio=0.002)
    m.ledger.set_position(1, 100, 100, 0, 0)
    m.order(BUY, 100)
    m.order(SELL, 100, sid=1)
    m.bar()
    assert m.fills.columns()["price"].tolist() == [100100, 99900]


def test_fills_conserve_cash():
    m = Market()
    m.ledger.set_position(1, 700, 700, 5000 * CNY, 0)
    for _ in range(3):
        m.order(BUY, 300)
        m.order(SELL, 200, sid=1)
    m.bar(volume=1000)
    f = m.fills.columns()
    flow = np.where(f["side"] == SELL, f["value"], -f["value"]) - (
        f["commission"] + f["handling_fee"] + f["transfer_fee"] + f["stamp_duty"])
    assert m.ledger.cash - 100000 * CNY == flow.sum()


def test_match_checks_array_lengths_and_sids():
    m = Market()
    m.book.add(5, BUY, 100, 0, 100, 0)
    with pytest.raises(IndexError, match="sid 5"):
        m.bar()
    bad = np.zeros(1, dtype=np.int64)
    with pytest.raises(ValueError, match="close"):
        OrderBook().match(m.ledger, m.fees, bad, bad, bad, bad, bad, bad, np.zeros(1, np.uint8), m.params, m.fills)
