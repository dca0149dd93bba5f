import json
from pathlib import Path

import pytest

from ptrade_fast.data.store import DataStore

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"
if not REAL.is_dir():
    REAL = Path("/work/shared/data/real")


@pytest.fixture(scope="session")
def store():
    return DataStore.open()


@pytest.fixture(scope="session")
def real_dir():
    if not REAL.is_dir():
        pytest.skip("shared real data not available")
    return REAL


@pytest.fixture(scope="session")
def oracles(real_dir):
    return {f["id"]: f for f in json.loads((real_dir / "oracles.json").read_text())["facts"]}
