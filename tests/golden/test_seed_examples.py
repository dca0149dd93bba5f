"""The seed's example strategies run unmodified at 1d and 1m on the bundled data, byte for byte as reviewed."""
from __future__ import annotations

import pytest

import ptrade_fast
from goldens import CASES, EXAMPLES, EXPECTED, LIVE_ONLY_CASES, case_id, missing_bundle_file, run_case
from ptrade_fast.errors import StrategyRuntimeError


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_seed_example_runs_unmodified_and_matches_its_golden(case, tmp_path):
    if missing_bundle_file(case):
        pytest.skip(f"the installed bundle has no {missing_bundle_file(case)}: rebuild it with tools/build_bundle.py "
                    f"and write this golden (python tests/golden/goldens.py --write)")
    text = run_case(case, tmp_path)
    expected = (EXPECTED / f"{case_id(case)}.txt").read_text(encoding="utf-8")
    assert text == expected


def test_the_same_inputs_give_byte_identical_outputs(tmp_path):
    case = CASES[1]
    assert run_case(case, tmp_path / "a") == run_case(case, tmp_path / "b")


@pytest.mark.parametrize("name, function", LIVE_ONLY_CASES)
def test_seed_examples_built_on_live_only_functions_stop_with_a_clear_error(name, function, tmp_path):
    with pytest.raises(StrategyRuntimeError, match=f"{function} is only available in live trading"):
        ptrade_fast.run(EXAMPLES / name, start="2019-01-02", end="2019-01-04", frequency="1m",
                        research_path=str(tmp_path))
