"""run() options: typed, validated, and an unknown name is an error naming the closest valid one."""
import pytest

import ptrade_fast
from ptrade_fast import RunOptions

STRATEGY = """
def initialize(context):
    g.s = '600570.SS'
    set_universe([g.s])

def handle_data(context, data):
    pass
"""


def test_unknown_option_is_a_type_error_naming_the_closest_valid_one():
    with pytest.raises(TypeError, match=r"unknown option 'cost_modle'; did you mean 'cost_model'\?"):
        ptrade_fast.run(STRATEGY, start="2024-01-02", end="2024-01-05", cost_modle="market")


def test_a_strategy_setting_passed_to_run_points_to_the_setting_function():
    with pytest.raises(TypeError, match=r"unknown option 'comission'; commission is a strategy setting: "
                                        r"use set_commission"):
        ptrade_fast.run(STRATEGY, start="2024-01-02", end="2024-01-05", comission=0.0002)


def test_an_option_without_any_close_name_lists_the_valid_ones():
    with pytest.raises(TypeError, match=r"unknown option 'totally_bogus_option' \(valid options: cost_model, "):
        ptrade_fast.run(STRATEGY, start="2024-01-02", end="2024-01-05", totally_bogus_option=3)


@pytest.mark.parametrize("kwargs, message", [
    ({"cost_model": "broker"}, r"option cost_model must be one of 'ptrade', 'market', was 'broker'"),
    ({"stamp_duty": "yes"}, r"option stamp_duty must be True or False, was 'yes'"),
    ({"slippage": 2.0}, r"option slippage must be a number in \[0, 1\), was 2.0"),
    ({"window_days": 0}, r"option window_days must be a positive int, was 0"),
    ({"log_level": "LOUD"}, r"option log_level must be one of 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL', "
                            r"was 'LOUD'"),
])
def test_bad_option_values_name_the_option_and_the_value(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        RunOptions(**kwargs)


def test_keyword_options_and_an_options_object_give_the_same_run():
    a = ptrade_fast.run(STRATEGY, start="2024-01-02", end="2024-01-10", cost_model="market", seed=7)
    b = ptrade_fast.run(STRATEGY, start="2024-01-02", end="2024-01-10",
                        options=RunOptions(cost_model="market", seed=7))
    assert a.params["options"] == b.params["options"] == {"cost_model": "market", "seed": 7}
    assert a.portfolio.equals(b.portfolio)


def test_keywords_override_the_options_object_and_defaults_are_not_recorded():
    r = ptrade_fast.run(STRATEGY, start="2024-01-02", end="2024-01-05",
                        options=RunOptions(cost_model="market"), cost_model="ptrade")
    assert r.params["options"] == {"cost_model": "ptrade"}
    plain = ptrade_fast.run(STRATEGY, start="2024-01-02", end="2024-01-05")
    assert plain.params["options"] == {}


def test_options_must_be_a_run_options_object():
    with pytest.raises(TypeError, match=r"options must be a RunOptions, was dict"):
        ptrade_fast.run(STRATEGY, start="2024-01-02", end="2024-01-05", options={"cost_model": "market"})
