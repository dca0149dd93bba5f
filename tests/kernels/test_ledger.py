"""ptrade_fast._core.ledger: cash and positions by sid, fills, T+1 roll, marks."""
import numpy as np
import pytest

from ptrade_fast._core import SIDE_BUY, SIDE_SELL
from ptrade_fast._core.ledger import Ledger

CNY = 10000


@pytest.fixture
def ledger():
    return Ledger(4, 100000 * CNY)


def test_new_ledger_is_flat_with_its_cash(ledger):
    assert ledger.cash == 100000 * CNY and ledger.total_fees == 0 and ledger.frozen_cash == 0
    for name in ("amount", "enable_amount", "today_buy", "today_sell", "cost_total", "last_price",
                 "realised_pnl", "short_amount", "short_enable_amount", "short_cost_total", "margin"):
        arr = getattr(ledger, name)
        assert arr.dtype == np.int64 and arr.shape == (4,) and not arr.any()
    assert ledger.t0.dtype == np.uint8


def test_buy_moves_cash_into_cost_and_is_not_sellable_until_the_roll(ledger):
    ledger.apply_fill(1, SIDE_BUY, 1000, 10 * CNY, 5 * CNY)

    assert ledger.cash == (100000 - 10000 - 5) * CNY
    assert ledger.amount[1] == 1000 and ledger.today_buy[1] == 1000
    assert ledger.enable_amount[1] == 0
    assert ledger.cost_total[1] == 10005 * CNY
    assert ledger.total_fees == 5 * CNY

    ledger.roll_day()

    assert ledger.enable_amount[1] == 1000 and ledger.today_buy[1] == 0


def test_t0_buy_is_sellable_at_once_and_the_roll_resets_counters(ledger):
    ledger.set_t0(np.array([0, 1, 0, 0]))
    ledger.apply_fill(1, SIDE_BUY, 10, 100 * CNY, 0)
    assert ledger.enable_amount[1] == 10

    ledger.apply_fill(1, SIDE_SELL, 4, 100 * CNY, 0)
    ledger.roll_day()

    assert ledger.enable_amount[1] == 6 and ledger.today_buy[1] == 0 and ledger.today_sell[1] == 0


def test_t0_roll_does_not_touch_enable_amount(ledger):
    ledger.set_t0([1, 1, 1, 1])
    ledger.set_position(0, 500, 200, 0, 0)
    ledger.roll_day()
    assert ledger.enable_amount[0] == 200


def test_sell_releases_cost_share_and_books_realised_pnl(ledger):
    ledger.set_position(2, 300, 300, 3001 * CNY, 10 * CNY)

    ledger.apply_fill(2, SIDE_SELL, 100, 12 * CNY, 1 * CNY)

    # cost share = round_half_up(3001 * 100 / 300) = 1000.3333 CNY -> 10003333 units
    assert ledger.cost_total[2] == 3001 * CNY - 10003333
    assert ledger.realised_pnl[2] == 1200 * CNY - 1 * CNY - 10003333
    assert ledger.cash == (100000 + 1200 - 1) * CNY
    assert ledger.amount[2] == 200 and ledger.enable_amount[2] == 200 and ledger.today_sell[2] == 100


def test_selling_the_whole_position_zeroes_its_cost(ledger):
    ledger.set_position(0, 7, 7, 123457, 0)
    ledger.apply_fill(0, SIDE_SELL, 3, 10000, 0)
    ledger.apply_fill(0, SIDE_SELL, 4, 10000, 0)
    assert ledger.amount[0] == 0 and ledger.cost_total[0] == 0
    assert ledger.realised_pnl[0] == 70000 - 123457


def test_cost_share_does_not_overflow_on_huge_values(ledger):
    ledger.set_position(0, 3 * 10**9, 3 * 10**9, 9 * 10**17, 0)
    ledger.apply_fill(0, SIDE_SELL, 10**9, 1, 0)
    assert ledger.cost_total[0] == 6 * 10**17


def test_sell_more_than_enable_amount_is_a_fault_and_changes_nothing(ledger):
    ledger.apply_fill(1, SIDE_BUY, 100, CNY, 0)
    before = ledger.cash
    with pytest.raises(ValueError, match="enable_amount"):
        ledger.apply_fill(1, SIDE_SELL, 100, CNY, 0)
    with pytest.raises(ValueError):
        ledger.apply_fill(1, SIDE_SELL, 0, CNY, 0)
    assert ledger.cash == before and ledger.amount[1] == 100


def test_bad_sid_is_an_index_error(ledger):
    with pytest.raises(IndexError, match="was 4"):
        ledger.apply_fill(4, SIDE_BUY, 100, CNY, 0)
    with pytest.raises(IndexError):
        ledger.set_position(-1, 1, 1, 0, 0)


def test_set_position_refuses_enable_amount_above_amount(ledger):
    with pytest.raises(ValueError, match="enable_amount"):
        ledger.set_position(0, 100, 200, 0, 0)


def test_mark_updates_only_held_valid_sids_and_values_positions(ledger):
    ledger.set_position(0, 100, 100, 0, 5 * CNY)
    ledger.set_position(2, 200, 200, 0, 7 * CNY)

    ledger.mark(np.array([6 * CNY, 9 * CNY, 8 * CNY, 9 * CNY], dtype=np.int64),
                np.array([1, 1, 0, 1], dtype=np.uint8))

    assert list(ledger.last_price) == [6 * CNY, 0, 7 * CNY, 0]
    assert ledger.positions_value() == (600 + 1400) * CNY
    assert list(ledger.held_sids()) == [0, 2] and ledger.held_sids().dtype == np.int32


def test_mark_checks_lengths(ledger):
    with pytest.raises(ValueError, match="length 4"):
        ledger.mark(np.zeros(3, dtype=np.int64), np.zeros(3, dtype=np.uint8))


def test_cash_is_settable_for_tests(ledger):
    ledger.cash = 5
    assert ledger.cash == 5 and ledger.acct[0] == 5


def test_cash_is_conserved_across_fills(ledger):
    start = ledger.cash
    ledger.apply_fill(0, SIDE_BUY, 300, 12345, 700)
    ledger.roll_day()
    ledger.apply_fill(0, SIDE_SELL, 101, 13000, 300)
    ledger.apply_fill(0, SIDE_SELL, 199, 11000, 300)
    assert ledger.cash - start == ledger.realised_pnl.sum() - ledger.cost_total.sum()


def test_batch_fills_book_like_single_fills(ledger):
    twin = Ledger(4, ledger.cash)
    sid = np.array([0, 1, 0, 0], dtype=np.int32)
    side = np.array([1, 1, -1, -1], dtype=np.int8)
    qty = np.array([300, 100, 100, 200], dtype=np.int64)
    price = np.array([12345, 20000, 13000, 9000], dtype=np.int64)
    fees = np.array([500, 500, 700, 700], dtype=np.int64)
    ledger.set_t0(np.ones(4))
    twin.set_t0(np.ones(4))

    assert ledger.ledger_apply_fills(sid, side, qty, price, fees) == 4
    for args in zip(sid, side, qty, price, fees):
        twin.apply_fill(*args)

    assert ledger.cash == twin.cash
    for name in ("amount", "enable_amount", "cost_total", "realised_pnl", "today_buy", "today_sell"):
        assert getattr(ledger, name).tolist() == getattr(twin, name).tolist()


def test_batch_sell_beyond_enable_amount_raises_after_booking_the_earlier_fills(ledger):
    with pytest.raises(ValueError, match="enable_amount"):
        ledger.ledger_apply_fills(np.array([0, 0], np.int32), np.array([1, -1], np.int8),
                                  np.array([100, 100], np.int64), np.array([CNY, CNY], np.int64),
                                  np.zeros(2, np.int64))
    assert ledger.amount[0] == 100
