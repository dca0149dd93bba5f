"""The realistic market's reverse repo family and IPO calendar (data/synthetic/repo.py, data/synthetic/ipo.py)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ptrade_fast.data.store import DataStore
from ptrade_fast.data.synthetic import generate
from ptrade_fast.rules.repo import repo_codes


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    r = tmp_path_factory.mktemp("repo_ipo") / "root"
    generate(r, stocks=300, start="2022-03-01", end="2022-07-29", seed=5, market="realistic")
    return r


def _daily(root):
    return pd.concat([pd.read_parquet(p) for p in sorted((root / "daily").glob("*.parquet"))], ignore_index=True)


def test_the_whole_repo_family_trades_every_day_on_its_tick(root):
    d = _daily(root)
    cal = pd.read_parquet(root / "calendar.parquet")["date"]
    repo = d[d.code.isin(repo_codes())]
    assert sorted(repo.code.unique()) == sorted(repo_codes())
    assert (repo.groupby("code").size() == len(cal)).all() and (repo.is_open == 1).all()
    assert (repo[["open", "high", "low", "close"]] > 0).all().all()
    assert ((repo.high >= repo[["open", "close"]].max(axis=1)) & (repo.low <= repo[["open", "close"]].min(axis=1))).all()
    assert (repo.money == repo.volume * 100).all() and (repo.volume % 10 == 0).all()
    date = pd.to_datetime(repo.date)
    early_sz = repo[(date < "2022-05-16") & repo.code.str.endswith(".SZ")]
    late = repo[date >= "2022-05-16"]
    assert np.allclose(np.round(late.close / 0.005), late.close / 0.005)
    assert not np.allclose(np.round(early_sz.close / 0.005), early_sz.close / 0.005)   # 0.001 before
    inst = DataStore.open(root).instruments
    assert set(inst.loc[repo_codes(), "type"]) == {"repo"} and inst.loc["204001.SS", "name"] == "GC001"


def test_rates_spike_at_the_quarter_end(root):
    d = _daily(root)
    gc = d[d.code == "204001.SS"].set_index(pd.to_datetime(d[d.code == "204001.SS"].date))["close"]
    june_end = gc["2022-06-24":"2022-06-30"].mean()
    mid = gc["2022-04-06":"2022-06-15"].mean()
    assert june_end > 1.3 * mid
    # The 7-day repo spikes less than the 1-day one (relative to its own level).
    r7 = d[d.code == "204007.SS"].set_index(pd.to_datetime(d[d.code == "204007.SS"].date))["close"]
    assert r7["2022-06-24":"2022-06-30"].mean() / r7["2022-04-06":"2022-06-15"].mean() < june_end / mid


def test_the_ipo_calendar_matches_the_listings(root):
    ipo = pd.read_parquet(root / "ipo.parquet")
    assert len(ipo) >= 3
    inst = DataStore.open(root).instruments
    d = _daily(root)
    first = d.groupby("code")["date"].min()
    cal = list(pd.read_parquet(root / "calendar.parquet")["date"])
    for r in ipo.itertuples():
        assert pd.Timestamp(r.listing_date) == pd.Timestamp(inst.loc[r.code, "list_date"]) == pd.Timestamp(first[r.code])
        t = cal.index(r.subscription_date)
        assert r.payment_date == cal[t + 2] and 7 <= cal.index(r.listing_date) - t <= 11
        assert r.max_subscription % (1000 if r.board == "SH_main" else 500) == 0
        assert 0.0001 <= r.lottery_rate <= 0.01 and r.issue_price > 0
        assert r.exchange == ("SSE" if r.code.endswith(".SS") else "SZSE")


def test_repo_minutes_aggregate_exactly_to_the_day(tmp_path):
    r = tmp_path / "m"
    generate(r, stocks=30, start="2023-03-27", end="2023-04-04", seed=1, market="realistic", minute=True)
    d = _daily(r)
    for day in pd.read_parquet(r / "calendar.parquet")["date"]:
        m = pd.read_parquet(r / "minute" / str(day.year) / f"{day}.parquet")
        for code in ("204001.SS", "131810.SZ"):
            bars = m[m.code == code]
            row = d[(d.code == code) & (d.date == day)].iloc[0]
            assert len(bars) == 240
            assert (bars.open.iloc[0], bars.high.max(), bars.low.min(), bars.close.iloc[-1]) == \
                (row.open, row.high, row.low, row.close)
            assert bars.volume.sum() == row.volume and bars.money.sum() == row.money
