"""Helpers of the sweep tests: compare a cell's results folder with its single run, byte for byte."""
from pathlib import Path

import ptrade_fast

STRATEGY = str(Path(__file__).parent / "ma_cross.py")
SPAN = {"start": "2019-01-02", "end": "2019-12-31"}


def single_run_files(sweep_result, cell, tmp_path) -> dict[str, bytes]:
    """Run the cell alone with ``ptrade_fast.run`` and return its saved folder's files."""
    strategy, kwargs = sweep_result.run_arguments(cell)
    folder = Path(tmp_path) / f"single-{sweep_result._id(cell)}"
    ptrade_fast.run(strategy, **kwargs).save(folder)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def cell_files(sweep_result, cell) -> dict[str, bytes]:
    """A sweep cell's result files (without the sweep's own ``_cell.json`` marker)."""
    folder = sweep_result.cell_path(cell)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != "_cell.json"}


def assert_cells_equal_single_runs(sweep_result, tmp_path):
    for cid in sweep_result.ids:
        single = single_run_files(sweep_result, cid, tmp_path)
        swept = cell_files(sweep_result, cid)
        assert sorted(single) == sorted(swept)
        assert "portfolio.parquet" in swept and "metrics.json" in swept
        for name in single:
            assert swept[name] == single[name], f"{cid}: {name} differs from the single run"
