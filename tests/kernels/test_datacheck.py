"""ptrade_fast._core.datacheck: the one-pass bar checks agree with the plain numpy definition of the checks."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ptrade_fast._core.datacheck import bars_first_bad, first_negative
from ptrade_fast.data.checks import MAX_PRICE, price_problems


def _reference(o, h, l, c):
    masks = price_problems(o, h, l, c)
    bad = masks["price"] | masks["range"] | masks["ohlc"]
    return int(np.flatnonzero(bad)[0]) if bad.any() else -1


def _clean(n):
    c = np.linspace(10.0, 11.0, n)
    return c.copy(), c + 0.1, c - 0.1, c.copy()


@pytest.mark.parametrize("field, row, value", [
    ("close", 3, float("nan")), ("open", 0, 0.0), ("low", 5, -1.0), ("high", 7, 2e5),
    ("high", 2, 9.0), ("close", 4, 12.0), ("open", 6, 1.0),
])
def test_the_first_bad_row_is_found(field, row, value):
    o, h, l, c = _clean(10)
    {"open": o, "high": h, "low": l, "close": c}[field][row] = value
    assert bars_first_bad(o, h, l, c, MAX_PRICE) == row == _reference(o, h, l, c)


def test_a_clean_file_gives_minus_one_and_lengths_must_match():
    o, h, l, c = _clean(1000)
    assert bars_first_bad(o, h, l, c, MAX_PRICE) == -1
    with pytest.raises(ValueError, match="same length"):
        bars_first_bad(o, h[:-1], l, c, MAX_PRICE)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(*(st.sampled_from([0.0, -1.0, 9.0, 10.0, 10.5, 11.0, float("nan"), 3e5])
                            for _ in range(4))), min_size=1, max_size=30))
def test_kernel_matches_the_numpy_definition(rows):
    o, h, l, c = (np.array(col, dtype=float) for col in zip(*rows))
    assert bars_first_bad(o, h, l, c, MAX_PRICE) == _reference(o, h, l, c)


def test_first_negative():
    assert first_negative(np.array([0, 5, -2, -3], dtype=np.int64)) == 2
    assert first_negative(np.array([0, 5], dtype=np.int64)) == -1
