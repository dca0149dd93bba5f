"""tools/build_bundle.py ``_add_cb_etf_tables``: the 110059.SS conversion prices and the 510050.SS basket the
bundle ships (docs/data-format.md, *The sample bundle*), built here from the bundle's own tables."""
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ptrade_fast.data.bundle import bundle_root
from ptrade_fast.data.format import read_bars  # bar files of the bundle are fixed-point

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("build_bundle_cbetf", ROOT / "tools" / "build_bundle.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["build_bundle_cbetf"] = mod
    # The tool puts the source tree on sys.path; restore it, or processes spawned by later tests (sweep
    # workers, the isolated child) would import the uncompiled source tree instead of the installed package.
    saved = list(sys.path)
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.path[:] = saved
    return mod


@pytest.fixture(scope="module")
def tables():
    r = Path(bundle_root())
    daily = read_bars(r / "daily" / "2019.parquet").to_pandas()
    daily["code"] = daily["code"].astype(str)
    return daily, pd.read_parquet(r / "ex_rights.parquet"), pd.read_parquet(r / "index_members.parquet")


def test_conversion_price_follows_the_underlyings_ex_dates(tool, tmp_path, tables):
    daily, exr, members = tables
    events = pd.DataFrame({"code": ["600000.SS"] * 3, "ex_date": pd.to_datetime(["2019-07-19", "2020-07-23",
                                                                                  "2021-07-16"]).date,
                           "cash_dividend": [0.35, 0.59, 0.30], "bonus_ratio": [0.0, 0.0, 0.1],
                           "conversion_ratio": [0.0, 0.0, 0.0], "has_action": [True, True, True]})
    tool._add_cb_etf_tables(tmp_path, daily, pd.concat([exr, events], ignore_index=True), members)
    k = pd.read_parquet(tmp_path / "cb_conversion_prices.parquet")
    # 2019-07-19 is before the conversion start (2020-05-04): no change.  (15.05 − 0.59) / 1 = 14.46;
    # (14.46 − 0.30) / 1.1 = 12.8727 -> 12.87.
    assert k["code"].tolist() == ["110059.SS", "110059.SS"]
    assert [str(d) for d in k["start_date"]] == ["2020-07-23", "2021-07-16"]
    assert k["convert_price"].tolist() == [14.46, 12.87]


def test_the_510050_basket_is_worth_one_unit_at_the_previous_close(tool, tmp_path, tables):
    daily, exr, members = tables
    tool._add_cb_etf_tables(tmp_path, daily, exr, members)
    assert len(pd.read_parquet(tmp_path / "cb_conversion_prices.parquet")) == 0   # 600000.SS events end in 2011
    b = pd.read_parquet(tmp_path / "etf_baskets.parquet")
    close = daily[pd.to_datetime(daily["date"]) == "2019-01-02"].set_index("code")["close"]
    assert set(b["etf_code"]) == {"510050.SS"} and {str(d) for d in b["date"]} == {"2019-01-03"}
    assert (b["report_unit"] == 900000).all() and (b["code_num"] % 100 == 0).all() and (b["code_num"] > 0).all()
    assert b["code"].str.endswith(".SS").all() and b["code"].isin(close.index).all()
    value = float(close["510050.SS"]) * 900000
    basket = float((b["code_num"] * close[b["code"]].to_numpy()).sum())
    assert round(basket + float(b["cash_component"].iloc[0]), 2) == round(value, 2)
    assert 0 <= b["cash_component"].iloc[0] < np.max(close[b["code"]].to_numpy()) * 100 * len(b)
