"""Data is checked where it is read: each broken root stops a run with the file, row, code and check named."""
from __future__ import annotations

import pytest

from ptrade_fast import errors as E
from ptrade_fast.engine.runner import Backtest

from broken_roots import CASES, DAYS, build

STRATEGY = """
def initialize(context):
    set_universe(['600000.SS'])

def handle_data(context, data):
    if context.portfolio.positions_value == 0:
        order('600000.SS', 100)
"""


def _run(root, freq, **options):
    span = (DAYS[2], DAYS[2]) if freq == "1m" else (DAYS[0], DAYS[-1])
    return Backtest(STRATEGY, start=span[0], end=span[1], frequency=freq, data=root, benchmark="600000.SS",
                    options=options).run()


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_a_broken_root_stops_the_run_naming_the_problem(name, tmp_path):
    root, freq, message = build(name, tmp_path)
    with pytest.raises(E.DataError, match=message):
        _run(root, freq)


def test_warn_mode_logs_the_finding_and_runs(tmp_path):
    root, freq, message = build("negative_volume", tmp_path)
    result = _run(root, freq, data_checks="warn")
    warnings = result.logs[result.logs["level"] == "WARNING"]["message"]
    assert warnings.str.contains("data check 'volume' failed: negative volume -500.0").any()
    assert len(result.portfolio) == len(DAYS)


def test_checks_off_reads_the_file_as_it_is(tmp_path):
    root, freq, _ = build("high_below_low", tmp_path)
    assert len(_run(root, freq, data_checks="off").portfolio) == len(DAYS)


def test_a_clean_root_passes_every_check(tmp_path):
    from broken_roots import _base
    assert len(_run(_base(tmp_path), "1d").portfolio) == len(DAYS)
