"""``ptrade-fast data generate --ticks`` and ``data import-ticks``: what they write and how they refuse."""
import numpy as np

from ptrade_fast.data.cli import main
from ptrade_fast.data.ticks import read_tick_day, tick_dates
from tick_roots import REAL


def test_generate_with_ticks_then_import_errors(tmp_path, capsys):
    root = tmp_path / "r"
    rc = main(["generate", "--data", str(root), "--stocks", "20", "--start", "2024-01-02", "--end", "2024-01-31",
               "--ticks", "000001.SZ", "--tick-days", "2", "--no-futures"])
    assert rc == 0
    assert [str(d) for d in tick_dates(root)] == ["2024-01-30", "2024-01-31"]
    td = read_tick_day(root, "2024-01-31")
    assert td.codes == ["000001.SZ"] and len(td.time) == 5001 and td.books == {"000001.SZ": "synthetic"}
    assert td.time[0] == 9 * 3_600_000 + 15 * 60_000 and td.time[-1] == 15 * 3_600_000
    out = capsys.readouterr().out
    assert "added synthetic ticks (10,002 snapshots" in out
    assert main(["info", "--data", str(root)]) == 0
    assert "ticks      2 day(s) of snapshots 2024-01-30 … 2024-01-31 (ticks/, tick replay)" in capsys.readouterr().out
    # The real prints are of 2019: not a day of this root's calendar.
    rc = main(["import-ticks", str(REAL / "ticks.parquet"), "--data", str(root), "--kind", "trades"])
    err = capsys.readouterr().err
    assert rc == 2 and "2019-02-01 is not a trading day of the calendar of" in err
    rc = main(["import-ticks", str(tmp_path / "none.csv"), "--data", str(root), "--kind", "snapshots"])
    assert rc == 2 and "none.csv: no such file" in capsys.readouterr().err
    rc = main(["generate", "--data", str(tmp_path / "x"), "--tick-days", "1"])
    assert rc == 2 and "--tick-days needs --ticks CODES" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    assert np.all(np.diff(td.volume) >= 0)
