"""run(params=...): one cell's overrides applied right after initialize (engine/params.py)."""
import pytest

import ptrade_fast


def _buys(result):
    return [m for m in result.logs["message"] if m.startswith("buy")]


def test_params_override_initialize_defaults(strategy, span):
    default = ptrade_fast.run(strategy, **span)
    tuned = ptrade_fast.run(strategy, params={"fast": 3, "slow": 10}, **span)
    assert _buys(default)[0] == "buy fast=5 slow=20"
    assert set(_buys(tuned)) == {"buy fast=3 slow=10"}
    assert tuned.params["params"] == {"fast": 3, "slow": 10}
    assert "params" not in default.params
    assert not tuned.portfolio["total_value"].equals(default.portfolio["total_value"])


def test_same_params_as_defaults_give_the_default_run(strategy, span):
    default = ptrade_fast.run(strategy, **span)
    same = ptrade_fast.run(strategy, params={"fast": 5, "slow": 20, "ratio": 0.95}, **span)
    assert same.portfolio.equals(default.portfolio)
    assert same.trades.equals(default.trades)


def test_set_parameters_names_are_overridden(strategy, span):
    res = ptrade_fast.run(strategy, params={"band": "0.02"}, **span)
    assert res.params["settings"]["parameters"]["band"] == "0.02"
    base = ptrade_fast.run(strategy, **span)
    assert base.params["settings"]["parameters"]["band"] == "0.00"
    assert res.portfolio.equals(base.portfolio)  # the strategy never reads it back


def test_unknown_parameter_is_an_error_naming_it(strategy, span):
    with pytest.raises(ValueError, match=r"'fsat' is not set by the strategy's initialize .*fast, ratio, "
                                         r"security, slow"):
        ptrade_fast.run(strategy, params={"fsat": 3}, **span)


@pytest.mark.parametrize("bad, err, match", [
    ([("fast", 3)], TypeError, "params must be a dict"),
    ({"2x": 1}, ValueError, "'2x' is not a valid attribute name"),
])
def test_bad_params_argument(strategy, span, bad, err, match):
    with pytest.raises(err, match=match):
        ptrade_fast.run(strategy, params=bad, **span)


def test_overrides_survive_a_simulated_restart(strategy, span):
    src = open(strategy, encoding="utf-8").read().replace(
        "    g.fast = 5\n", "    g.fast = 5\n    log.info(f'init fast={g.fast}')\n")
    restart = "2019-06-03"
    res = ptrade_fast.run(src, params={"fast": 3}, restart_before=[restart], **span)
    inits = [m for m in res.logs["message"] if m.startswith("init ")]
    assert inits == ["init fast=5", "init fast=5"]           # initialize ran twice, setting its default
    buys = {m for m in res.logs["message"] if m.startswith("buy")}
    assert buys == {"buy fast=3 slow=20"}                    # but every bar saw the override
    after = res.logs[res.logs["dt"] >= restart]
    assert any(m.startswith("buy fast=3") for m in after["message"])
