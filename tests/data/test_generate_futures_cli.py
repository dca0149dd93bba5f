"""`ptrade-fast data generate` adds the main index futures with contract months, expiries and the
dominant-contract table (issue 6), unless --no-futures."""
from __future__ import annotations

import subprocess
import sys

import numpy as np

from ptrade_fast.data.store import DataStore
from ptrade_fast.rules import futures as fut_rules


def gen(tmp_path, *extra):
    root = tmp_path / "m"
    r = subprocess.run([sys.executable, "-m", "ptrade_fast.cli", "data", "generate", "--stocks", "120",
                        "--start", "2024-01-01", "--end", "2024-02-29", "--data", str(root), *extra],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return root, r.stdout


def test_generate_adds_index_futures_with_expiries_and_a_dominant_table(tmp_path):
    root, out = gen(tmp_path)
    assert "index-futures contracts" in out
    s = DataStore.open(root)
    futs = [c for c in s.codes if c.endswith(".CCFX")]
    assert {"IF2401.CCFX", "IF2402.CCFX", "IF2403.CCFX"} <= set(futs)
    a = s.instrument_arrays()
    # IF2401 expires on the third Friday of January 2024.
    assert a["delivery_date"][s.sid("IF2401.CCFX")] == np.datetime64("2024-01-19")
    assert a["delivery_date"][s.sid("IF2401.CCFX")] == fut_rules.last_trading_day("IF", "2401", s.calendar)
    assert s.dominant("IF", "2024-02-01") in futs


def test_no_futures_flag(tmp_path):
    root, out = gen(tmp_path, "--no-futures")
    assert not [c for c in DataStore.open(root).codes if c.endswith(".CCFX")]
