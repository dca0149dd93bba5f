"""Grids, lists and samplers expand to the cells of a sweep."""
import numpy as np
import pytest

from ptrade_fast.sweeps.cells import RandomSampler, cell_id, expand


def test_grid_is_the_cartesian_product_first_key_slowest():
    assert expand({"a": [1, 2], "b": ["x", "y", "z"]}) == [
        {"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 1, "b": "z"},
        {"a": 2, "b": "x"}, {"a": 2, "b": "y"}, {"a": 2, "b": "z"}]


def test_list_of_dicts_and_numpy_values():
    cells = expand([{"a": np.int64(3)}, {"a": np.float64(0.5), "b": [1, 2]}])
    assert cells == [{"a": 3}, {"a": 0.5, "b": [1, 2]}]
    assert type(cells[0]["a"]) is int


def test_sampler_protocol_and_random_sampler_is_reproducible():
    class Fixed:
        def cells(self):
            return [{"k": 1}, {"k": 2}]
    assert expand(Fixed()) == [{"k": 1}, {"k": 2}]
    space = {"a": list(range(10)), "b": list(range(10))}
    one = expand(RandomSampler(space, 7, seed=3))
    assert one == expand(RandomSampler(space, 7, seed=3))
    assert len({cell_id(c) for c in one}) == 7
    assert all(c["a"] in space["a"] and c["b"] in space["b"] for c in one)
    assert one != expand(RandomSampler(space, 7, seed=4))
    assert sorted(map(cell_id, expand(RandomSampler(space, 100)))) == sorted(map(cell_id, expand(space)))


def test_cell_ids_depend_on_the_parameters_only():
    assert cell_id({"a": 1, "b": 2}) == cell_id({"b": 2, "a": 1})
    assert cell_id({"a": 1}) != cell_id({"a": 1.5})
    assert cell_id({"a": 1}).startswith("c-") and len(cell_id({"a": 1})) == 12


@pytest.mark.parametrize("params, err, match", [
    ({}, ValueError, "grid is empty"),
    ({"a": []}, ValueError, "'a' has no values"),
    ({"a": 5}, TypeError, "'a' needs a list of values"),
    ([], ValueError, "gave no cells"),
    ([{"a": 1}, {"a": 1}], ValueError, "cell 1 .* repeats cell 0"),
    ([{"a": object()}], TypeError, "parameter 'a'"),
    ([{"a": float("nan")}], ValueError, "NaN"),
    ([{"not ok": 1}], ValueError, "'not ok' is not a valid attribute name"),
    (42, TypeError, "params must be a grid"),
])
def test_bad_params(params, err, match):
    with pytest.raises(err, match=match):
        expand(params)


def test_random_sampler_checks_n():
    with pytest.raises(ValueError, match="n=5 is more than the grid's 4 cells"):
        RandomSampler({"a": [1, 2], "b": [1, 2]}, 5)
