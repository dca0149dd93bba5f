"""The sample bundle's synthetic part: provenance in meta.json, the realistic market's shipped and unshipped
stocks, bond terms and generated reports (docs/data-format.md, *The sample bundle*)."""
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ptrade_fast.data.bundle import bundle_root
from ptrade_fast.data.fundamentals import KEY_COLUMNS, STATEMENT_TABLES, FundamentalsStore
from ptrade_fast.data.store import DataStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def inst():
    return pd.read_parquet(bundle_root() / "instruments.parquet").set_index("code", drop=False)


@pytest.fixture(scope="module")
def meta():
    return json.loads((bundle_root() / "meta.json").read_text(encoding="utf-8"))


def test_meta_lists_every_synthetic_instrument(inst, meta):
    assert meta["synthetic_instruments"] == sorted(inst.index[inst["synthetic"]])
    assert {"600570.SS", "000300.SS", "IF2401.CCFX", "600519.SS"} <= set(meta["synthetic_instruments"])
    assert "600000.SS" not in meta["synthetic_instruments"]


def test_generated_instruments_without_shipped_bars_stay_listed(inst, meta):
    gone = meta["synthetic"]["without_bars"]
    assert len(gone) > 5000
    rows = inst.loc[gone]
    assert rows["synthetic"].all() and not rows["has_daily"].any() and not rows["has_minute"].any()
    # The realistic market's reverse repo family is listed; only the two 1-day codes ship rates.
    assert set(rows["type"]) == {"stock", "star", "chinext", "repo"}
    assert not {"204001.SS", "131810.SZ"} & set(gone)
    shipped = inst[inst["synthetic"] & inst["has_daily"] & inst["type"].isin(["stock", "chinext", "star"])]
    assert {"000063.SZ", "000651.SZ", "600061.SS", "600519.SS", "600570.SS"} <= set(shipped.index)
    assert 100 < len(shipped) < 160
    assert set(meta["synthetic"]["codes"]) == set(inst.index[inst["synthetic"] & inst["has_daily"]
                                                             & (inst["type"] != "future")])
    assert not set(gone) & set(meta["synthetic"]["codes"])


def test_screened_members_have_bars_in_the_screen_windows(inst):
    """scheduled_tasks screens get_index_stocks('000300.SS')[:50]: every generated code among them has bars."""
    members = pd.read_parquet(bundle_root() / "index_members.parquet")
    for day in ("2019-01-14", "2024-01-02", "2024-06-28"):
        d = pd.Timestamp(day).date()
        on = members[(members.index_code == "000300.SS") & (members.start_date <= d)
                     & (members.end_date.isna() | (members.end_date >= d))]
        head = sorted(on.code)[:50]
        gen = [c for c in head if inst.loc[c, "synthetic"]]
        assert len(gen) >= 40
        rows = inst.loc[gen]
        assert (rows["daily_start"] <= d).all() and (rows["daily_end"] >= d).all(), day


def test_the_bond_carries_its_terms(inst):
    row = inst.loc["110059.SS"]
    assert row["stock_code"] == "600000.SS" and row["convert_price"] == 15.05
    assert str(row["convert_date"]) == "2020-05-04" and str(row["maturity_date"]) == "2025-10-27"


def test_every_synthetic_stock_with_bars_has_every_report_table(inst):
    stocks = set(inst.index[inst["synthetic"] & inst["has_daily"] & inst["type"].isin(["stock", "chinext", "star"])])
    # The bundle's six synthetic new issues (ipo.parquet) list after the realistic market was drawn: bars, no reports.
    stocks -= set(pd.read_parquet(bundle_root() / "ipo.parquet")["code"])
    for table in STATEMENT_TABLES:
        df = pd.read_parquet(bundle_root() / "fundamentals" / f"{table}.parquet")
        syn = df[df["end_date"] > pd.Timestamp("2012-01-01").date()]
        assert set(syn["code"]) == stocks, table
        assert not syn[[c for c in syn.columns if c not in KEY_COLUMNS]].isna().any().any(), table
    late = inst.loc[sorted(stocks)]
    late = sorted(late.index[(late["daily_start"] <= pd.Timestamp("2024-01-02").date())
                             & (late["daily_end"] >= pd.Timestamp("2024-01-05").date())])
    dates, v = FundamentalsStore(DataStore.open(bundle_root())).valuation(late, np.datetime64("2024-01-02"),
                                                                          np.datetime64("2024-01-05"))
    assert not np.isnan(v["pe_ttm"]).any() and not np.isnan(v["pb"]).any()


@pytest.mark.slow
def test_build_is_deterministic_and_keeps_files_it_does_not_make(tmp_path, real_dir):
    spec = importlib.util.spec_from_file_location("build_bundle", ROOT / "tools" / "build_bundle.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["build_bundle"] = mod
    saved = list(sys.path)      # the tool puts the source tree on sys.path: keep later spawned processes clean
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.path[:] = saved
    out = tmp_path / "data"
    out.mkdir()
    (out / "known_findings.json").write_text("{}\n")
    mod.build(real_dir, out)
    assert (out / "known_findings.json").read_text() == "{}\n"
    for p in sorted(bundle_root().rglob("*")):
        if p.is_file() and p.name != "known_findings.json":
            assert (out / p.relative_to(bundle_root())).read_bytes() == p.read_bytes(), p
