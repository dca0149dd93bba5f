"""A real backtest's results folder round-trips every table exactly, and reruns are byte-identical."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pandas.testing as pdt

import ptrade_fast
from ptrade_fast.result import Result

EXAMPLES = Path(__file__).resolve().parents[2] / "python" / "ptrade_fast" / "examples"


def run(tmp_path):
    return ptrade_fast.run(EXAMPLES / "double_ma.py", start="2023-01-03", end="2023-12-29",
                           research_path=str(tmp_path / "research"))


def digest(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_saving_and_loading_a_backtest_round_trips_every_table_exactly(tmp_path):
    r = run(tmp_path)
    # double_ma on the bundle, 2023: fixed inputs, so fixed counts (a change here is a behaviour change).
    assert (len(r.trades), len(r.positions), len(r.logs)) == (45, 86, 47)
    r.save(tmp_path / "res")
    back = Result.load(tmp_path / "res")
    for name in ("portfolio", "benchmark", "orders", "trades", "positions", "logs"):
        pdt.assert_frame_equal(getattr(r, name), getattr(back, name), check_exact=True)
    assert back.params == r.params and back.meta == r.meta


def test_the_same_inputs_give_byte_identical_results_folders(tmp_path):
    a, b = run(tmp_path), run(tmp_path)
    a.save(tmp_path / "a")
    b.save(tmp_path / "b")
    assert digest(tmp_path / "a") == digest(tmp_path / "b")


def test_closed_trade_pnl_matches_round_trips_when_flat_days_separate_them(tmp_path):
    # double_ma buys all-in and sells everything, often rebuying the next day: each sell closes exactly
    # the previous buy, so its P&L is (sell value − sell fees) − (buy value + buy fees).
    from ptrade_fast.report.metrics import closed_trades
    r = run(tmp_path)
    t = r.trades
    buys, sells = t[t["side"] == "买"].reset_index(), t[t["side"] == "卖"].reset_index()
    expected = (sells["value"] - sells["fees"]) - (buys["value"][: len(sells)] + buys["fees"][: len(sells)])
    got = closed_trades(t, r.positions, days=r.portfolio.index)["pnl"]
    assert got.round(2).tolist() == expected.round(2).tolist()
    assert r.metrics["winning_trades"] == int((expected > 0).sum())
