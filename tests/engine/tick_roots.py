"""Data roots for the tick-replay tests: the real 2019-02-01/11 prints of 600000.SS imported into a root made
from the real TDX daily file, and a copy of the bundle with synthetic ticks for 600570.SS."""
import shutil
from pathlib import Path

import pandas as pd

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"
if not REAL.is_dir():
    REAL = Path("/work/shared/data/real")


def real_tick_root(tmp: Path) -> Path:
    from ptrade_fast.data.importers.tdx import import_tdx
    from ptrade_fast.data.importers.ticks import import_trades
    root = tmp / "real"
    import_tdx(REAL / "tdx" / "vipdoc" / "sh" / "lday" / "sh600000.day", root, kinds=("day",))
    import_trades(REAL / "ticks.parquet", root, codes=["600000.SS"])
    return root


def real_prints(day: str = "2019-02-01") -> pd.DataFrame:
    t = pd.read_parquet(REAL / "ticks.parquet")
    t = t[(t.symbol == "600000.SS") & (t.datetime.dt.strftime("%Y-%m-%d") == day)]
    return t.sort_values("datetime").reset_index(drop=True)


def synthetic_tick_root(tmp: Path, codes=("600570.SS",), seed=3) -> Path:
    from ptrade_fast.data.bundle import bundle_root
    from ptrade_fast.data.synthetic.ticks import add_ticks
    root = tmp / "bund"
    shutil.copytree(bundle_root(), root)
    for p in root.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    add_ticks(root, list(codes), days=["2019-01-31", "2019-02-01"], seed=seed)
    return root
