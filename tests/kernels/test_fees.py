"""ptrade_fast._core.fees: per-fill fee components, each rounded half up to 0.01 CNY."""
import numpy as np
import pytest

from ptrade_fast._core import SIDE_BUY, SIDE_SELL
from ptrade_fast._core.fees import FeeTable, compute_fees

CNY = 10000  # money units per CNY


def test_commission_is_rate_times_value_rounded_half_up_to_a_cent():
    # 12345.67 CNY * 0.0003 = 3.703701 -> 3.70, above a 0.01 minimum
    value = 123456700
    assert compute_fees(value, SIDE_BUY, 0.0003, 100) == (37000, 0, 0, 0)


def test_commission_tie_rounds_up():
    # 15 CNY * 0.0003 = 0.0045 -> 0.00; 50 CNY * 0.0003 = 0.015 exactly -> 0.02
    assert compute_fees(50 * CNY, SIDE_BUY, 0.0003, 0)[0] == 200
    assert compute_fees(15 * CNY, SIDE_BUY, 0.0003, 0)[0] == 0


def test_min_commission_applies_per_fill():
    assert compute_fees(1000 * CNY, SIDE_BUY, 0.0003, 5 * CNY)[0] == 5 * CNY


def test_zero_value_fill_pays_no_commission_even_with_a_minimum():
    assert compute_fees(0, SIDE_SELL, 0.0003, 5 * CNY, 0.0000487, 0.00001, 0.001) == (0, 0, 0, 0)


def test_stamp_duty_is_charged_on_sells_only():
    value = 100000 * CNY
    assert compute_fees(value, SIDE_BUY, 0.0003, 5 * CNY, 0.0, 0.0, 0.0005)[3] == 0
    assert compute_fees(value, SIDE_SELL, 0.0003, 5 * CNY, 0.0, 0.0, 0.0005)[3] == 50 * CNY


def test_handling_and_transfer_fees_are_rounded_separately():
    # 100000 CNY: handling 0.0000487 -> 4.87, transfer 0.00001 -> 1.00
    assert compute_fees(100000 * CNY, SIDE_BUY, 0.0, 0, 0.0000487, 0.00001, 0.0) == (0, 48700, 10000, 0)


@pytest.mark.parametrize("side", [SIDE_BUY, SIDE_SELL])
@pytest.mark.parametrize("value", [0, 1, 99, 12345, 10**6, 987654321, 10**12])
def test_every_component_is_a_non_negative_multiple_of_a_cent(side, value):
    parts = compute_fees(value, side, 0.00025, 5 * CNY, 0.0000487, 0.00002, 0.001)
    assert all(p >= 0 and p % 100 == 0 for p in parts)


def test_bad_side_is_a_fault():
    with pytest.raises(ValueError, match="side"):
        compute_fees(100, 0, 0.0003, 0)


def test_fee_table_arrays_are_numpy_filled_in_place_by_the_facade():
    table = FeeTable(3)
    table.commission_rate[:] = 0.0003
    table.min_commission[:] = 5 * CNY
    table.stamp_rate[1] = 0.001

    assert isinstance(table.commission_rate, np.ndarray) and table.min_commission.dtype == np.int64
    assert table.fees(1, SIDE_SELL, 100000 * CNY) == (30 * CNY, 0, 0, 100 * CNY)
    assert table.fees(0, SIDE_SELL, 100000 * CNY)[3] == 0
    assert table.total(1, SIDE_SELL, 100000 * CNY) == 130 * CNY
    with pytest.raises(AttributeError):
        table.commission_rate = np.zeros(3)


def test_fee_table_rejects_an_out_of_range_sid():
    with pytest.raises(IndexError, match="was 3"):
        FeeTable(3).fees(3, SIDE_BUY, 100)


def test_batch_fees_match_the_single_fill_twin():
    table = FeeTable(2)
    table.commission_rate[:] = [0.0003, 0.00025]
    table.min_commission[:] = 5 * CNY
    table.handling_rate[:] = 0.0000487
    table.stamp_rate[:] = 0.001
    sid = np.array([0, 1, 1, 0], dtype=np.int32)
    side = np.array([1, -1, 1, -1], dtype=np.int8)
    value = np.array([0, 12345678, 10**9, 777], dtype=np.int64)
    out = np.empty((4, 4), dtype=np.int64)

    total = table.fees_compute_batch(sid, side, value, out)

    assert [tuple(r) for r in out.tolist()] == [table.fees(*args) for args in zip(sid, side, value)]
    assert total == out.sum()
    with pytest.raises(IndexError, match="was 2 at 0"):
        table.fees_compute_batch(np.array([2], np.int32), side[:1], value[:1], out[:1])
