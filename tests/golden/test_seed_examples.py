"""The seed's example strategies run unmodified at 1d and 1m on the bundled data, byte for byte as reviewed."""
from __future__ import annotations

import pytest

from goldens import CASES, EXPECTED, case_id, run_case


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_seed_example_runs_unmodified_and_matches_its_golden(case, tmp_path):
    text = run_case(case, tmp_path)
    expected = (EXPECTED / f"{case_id(case)}.txt").read_text(encoding="utf-8")
    assert text == expected


def test_the_same_inputs_give_byte_identical_outputs(tmp_path):
    case = CASES[1]
    assert run_case(case, tmp_path / "a") == run_case(case, tmp_path / "b")
