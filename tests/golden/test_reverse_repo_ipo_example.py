"""The seed's reverse repo + IPO example runs unmodified on a generated realistic market (issue 17 items 4-5):
a repo every day, IPOs subscribed every subscription day, and an allotment the lottery draws."""
from __future__ import annotations

import pytest

import ptrade_fast
from goldens import EXAMPLES


@pytest.fixture(scope="module")
def realistic_root(tmp_path_factory):
    from ptrade_fast.data.synthetic import generate
    root = tmp_path_factory.mktemp("repo_ipo_root")
    generate(root, stocks=400, start="2023-01-01", end="2023-12-31", seed=3, market="realistic")
    return root


def test_the_seed_example_lends_every_day_and_subscribes_every_issue(realistic_root, tmp_path):
    import pandas as pd
    # Seed 20 of the run's lottery allots 500 shares of 605539.SS (a binomial draw, deterministic).
    r = ptrade_fast.run(EXAMPLES / "reverse_repo_ipo.py", start="2023-01-03", end="2023-12-29", frequency="1d",
                        data=realistic_root, research_path=str(tmp_path), log_level="WARNING", seed=20,
                        ipo_holdings_value=1_000_000.0)
    o, t = r.orders, r.trades
    repo = t[t.code == "131810.SZ"]
    assert len(repo) == len(r.portfolio) == 242                           # one loan every trading day
    assert set(repo.side) == {"卖"} and repo["commission"].min() > 0
    calendar = pd.read_parquet(realistic_root / "ipo.parquet")
    subs = o[o.code != "131810.SZ"]
    assert len(subs) == len(calendar) == 17                               # every issue subscribed
    assert list(subs["amount"]) == list(calendar["max_subscription"] - calendar["max_subscription"] % 500)
    allotted = subs[subs.error_info.str.contains("allotment of")]
    assert list(allotted.code) == ["605539.SS"]
    # The cash went into the repo at 14:50 of the payment day: the allotment is given up (the exchanges' rule).
    assert "IPO allotment of 500 605539.SS given up" in allotted.iloc[0].error_info
    assert r.portfolio["total_value"].iloc[-1] > 1_000_000.0
