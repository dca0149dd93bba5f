"""ptrade_fast._core.rules: lot, tick, price-limit and slippage rounding."""
import pytest

from ptrade_fast._core import SIDE_BUY, SIDE_SELL
from ptrade_fast._core.rules import apply_slippage, limit_price_raw, on_tick, round_lot_down


@pytest.mark.parametrize("qty, lot, expected", [(0, 100, 0), (99, 100, 0), (150, 100, 100), (1000, 100, 1000),
                                                (15, 10, 10), (7, 1, 7), (7, 0, 7)])
def test_round_lot_down_keeps_whole_lots(qty, lot, expected):
    assert round_lot_down(qty, lot) == expected


def test_round_lot_down_refuses_a_negative_quantity():
    with pytest.raises(ValueError, match="-1"):
        round_lot_down(-1, 100)


def test_limit_prices_round_half_up_to_the_tick():
    # 10.05 * 1.1 = 11.055 -> 11.06; 10.05 * 0.9 = 9.045 -> 9.05 (tick 0.01 = 100 units)
    assert limit_price_raw(100500, 0.1, 100, 1) == 110600
    assert limit_price_raw(100500, 0.1, 100, -1) == 90500
    assert limit_price_raw(100000, 0.2, 100, 1) == 120000
    assert limit_price_raw(100000, 0.05, 100, -1) == 95000
    # fund tick 0.001: 1.234 * 1.1 = 1.3574 -> 1.357
    assert limit_price_raw(12340, 0.1, 10, 1) == 13570


def test_limit_price_direction_must_be_plus_or_minus_one():
    with pytest.raises(ValueError, match="direction"):
        limit_price_raw(100000, 0.1, 100, 0)


def test_on_tick():
    assert on_tick(100500, 100)
    assert not on_tick(100510, 100)
    assert on_tick(100510, 10)


def test_no_slippage_returns_the_price():
    assert apply_slippage(100000, SIDE_BUY, 0) == 100000


def test_ratio_slippage_moves_half_the_ratio_against_the_trader():
    assert apply_slippage(100000, SIDE_BUY, 1, 0.002) == 100100
    assert apply_slippage(100000, SIDE_SELL, 1, 0.002) == 99900


def test_ratio_slippage_rounds_half_up_to_one_price_unit():
    # 1000 * 1.0005 = 1000.5 -> 1001; 1000 * 0.9995 = 999.5 -> 1000
    assert apply_slippage(1000, SIDE_BUY, 1, 0.001) == 1001
    assert apply_slippage(1000, SIDE_SELL, 1, 0.001) == 1000


def test_fixed_slippage_halves_the_spread_rounding_the_half_up():
    assert apply_slippage(100000, SIDE_BUY, 2, fixed_raw=200) == 100100
    assert apply_slippage(100000, SIDE_SELL, 2, fixed_raw=200) == 99900
    assert apply_slippage(100000, SIDE_BUY, 2, fixed_raw=3) == 100002
    assert apply_slippage(100000, SIDE_SELL, 2, fixed_raw=3) == 99998


def test_slipped_price_never_goes_below_one_unit():
    assert apply_slippage(10, SIDE_SELL, 2, fixed_raw=100) == 1
    assert apply_slippage(1, SIDE_SELL, 1, 0.9) == 1
