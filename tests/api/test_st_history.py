"""ST status is point-in-time where the data root has ST history (st.parquet)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ptrade_fast.api.reference import ReferenceAPI
from ptrade_fast.data.store import DataStore
from ptrade_fast.data.synthetic import generate
from ptrade_fast.engine.runtime import Runtime


def test_get_stock_status_st_follows_the_dated_periods(tmp_path):
    generate(tmp_path / "m", stocks=300, start="2024-01-01", end="2024-06-30", seed=3)
    store = DataStore.open(tmp_path / "m")
    st = store.st_periods()
    assert len(st) == 16                       # seed 3: 16 dated ST periods
    row = st.iloc[0]
    code, start = row["code"], pd.Timestamp(row["start_date"]).date()
    rt = Runtime(store, "1d", {})
    rt.phase, rt.trade_date = "handle", dt.date(2024, 6, 28)
    api = ReferenceAPI(rt)
    if start > dt.date(2024, 1, 2):
        before = (start - dt.timedelta(days=1)).strftime("%Y%m%d")
        assert api.get_stock_status(code, "ST", before)[code] is False
    assert api.get_stock_status(code, "ST", start.strftime("%Y%m%d"))[code] is True
