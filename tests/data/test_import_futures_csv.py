"""Futures bars (settlement, open interest) go through the CSV importer into the store (issue 6)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ptrade_fast.data.importers.csv import import_csv
from ptrade_fast.data.store import DataStore


def test_futures_daily_csv_with_settlement_and_open_interest_imports(tmp_path):
    csv = tmp_path / "if.csv"
    pd.DataFrame({
        "code": ["IF2406.CCFX"] * 3,
        "date": ["2024-06-03", "2024-06-04", "2024-06-05"],
        "open": [3600.0, 3610.2, 3590.0], "high": [3620.0, 3615.0, 3600.4], "low": [3590.0, 3580.0, 3570.2],
        "close": [3612.4, 3584.0, 3598.8], "volume": [1000, 1200, 900], "money": [1.08e9, 1.29e9, 0.97e9],
        "settle": [3611.2, 3586.6, 3597.0], "oi": [50000, 51000, 49500], "pre": [3595.0, None, None],
    }).to_csv(csv, index=False)
    import_csv([csv], tmp_path / "root", preset="generic",
               mapping={"settle": "settlement", "oi": "open_interest", "pre": "pre_settlement"})
    s = DataStore.open(tmp_path / "root")
    sid = s.sid("IF2406.CCFX")
    w = s.daily_window("2024-06-03", "2024-06-05")
    assert w.settlement[:, sid].tolist() == [3611.2, 3586.6, 3597.0]
    assert w.open_interest[:, sid].tolist() == [50000, 51000, 49500]
    # Limits come from the previous settlement, rounded inward to the 0.2 tick (±10 %).
    assert w.preclose[:, sid].tolist() == [3595.0, 3611.2, 3586.6]
    assert w.high_limit[1, sid] == pytest.approx(3972.2) and w.low_limit[1, sid] == pytest.approx(3250.2)
    assert s.instrument_arrays()["multiplier"][sid] == 300.0
