"""walk_forward: best training cell per window, run on the next test window, stitched out-of-sample."""
import numpy as np
import pandas as pd
import pytest

import ptrade_fast
from ptrade_fast.sweeps.results import rank

GRID = {"fast": [3, 5], "slow": [10, 20]}


def test_walk_forward_windows_choice_and_stitching(strategy, tmp_path):
    wf = ptrade_fast.walk_forward(strategy, GRID, train=60, test=40, start="2019-01-02", end="2019-09-30",
                                  objective="total_return", out=tmp_path / "wf", workers=2)
    from ptrade_fast.data.store import DataStore
    cal = DataStore.open().calendar
    days = cal[(cal >= np.datetime64("2019-01-02")) & (cal <= np.datetime64("2019-09-30"))]
    w = wf.windows
    # Windows start every 40 days while 60 training days leave a test day: 0, 40, 80, 120 (last test short).
    assert len(days) == 183 and w["window"].tolist() == [0, 1, 2, 3]
    assert w["train_start"].tolist() == [pd.Timestamp(days[i]) for i in (0, 40, 80, 120)]
    assert w["test_end"].tolist() == [pd.Timestamp(days[i]) for i in (99, 139, 179, 182)]
    for k in range(4):
        train = wf.train[k]
        best = rank(train.table, "total_return").iloc[0]
        assert w["cell"].iloc[k] == best["cell"]
        assert w["param_fast"].iloc[k] == best["fast"] and w["param_slow"].iloc[k] == best["slow"]
        assert w["train_total_return"].iloc[k] == best["total_return"]
        tr = train.result(best["cell"]).portfolio
        assert tr.index[0] == w["train_start"].iloc[k] and tr.index[-1] == w["train_end"].iloc[k]
        assert len(tr) == 60
        test = wf.test[k].result(0)
        assert test.params["params"] == {"fast": int(best["fast"]), "slow": int(best["slow"])}
        assert test.portfolio.index[0] == w["test_start"].iloc[k]
        assert test.portfolio.index[0] > w["train_end"].iloc[k]
    assert (w["test_start"].iloc[1:].to_numpy() > w["test_end"].iloc[:-1].to_numpy()).all()
    rets = pd.concat([wf.test[k].result(0).portfolio["returns"] for k in range(4)])
    expected = 1_000_000.0 * np.cumprod(1.0 + rets.to_numpy())
    assert np.array_equal(wf.equity["total_value"].to_numpy(), expected)
    assert wf.equity.index.is_monotonic_increasing and wf.equity.index.is_unique
    assert wf.metrics["total_return"] == pytest.approx(expected[-1] / 1_000_000.0 - 1.0, rel=1e-12)
    saved = pd.read_parquet(wf.path / "equity.parquet")
    assert np.array_equal(saved["total_value"].to_numpy(), expected)


@pytest.mark.parametrize("kw, match", [
    ({"train": 0, "test": 5}, "train must be a positive number"),
    ({"train": 20, "test": 10, "step": 5}, "step must be an integer ≥ test"),
    ({"train": 400, "test": 10}, "not enough for one 400-day training window"),
])
def test_walk_forward_bad_windows(strategy, tmp_path, kw, match):
    with pytest.raises(ValueError, match=match):
        ptrade_fast.walk_forward(strategy, GRID, start="2019-01-02", end="2019-12-31", out=tmp_path / "w", **kw)
