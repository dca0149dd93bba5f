import shutil
import struct

import numpy as np
import pandas as pd
import pytest

from ptrade_fast.data.importers.tdx import (code_of_file, decode_lc_date, encode_lc_date, import_tdx, read_day,
                                            read_lc)
from ptrade_fast.data.store import DataStore
from ptrade_fast.data.writer import info


@pytest.fixture(scope="module")
def vipdoc(real_dir):
    return real_dir / "tdx" / "vipdoc"


@pytest.mark.parametrize("name,code", [("sh600000.day", "600000.SS"), ("sh000001.day", "000001.SS")])
def test_day_file_decodes_to_the_prices_of_the_decoded_parquet(vipdoc, real_dir, name, code):
    ref = pd.read_parquet(real_dir / "tdx_day_decoded.parquet")
    ref = ref[ref.symbol == code].reset_index(drop=True)

    got = read_day(vipdoc / "sh" / "lday" / name)

    assert (got["code"] == code).all() and len(got) == len(ref)
    assert (got["date"].to_numpy() == pd.to_datetime(ref["date"]).to_numpy().astype("datetime64[D]")).all()
    for col in ("open", "high", "low", "close", "volume", "money", "raw_volume", "raw_reserved"):
        assert np.array_equal(got[col].to_numpy(), ref[col].to_numpy()), col


def test_file_names_map_to_ptrade_codes():
    assert code_of_file("vipdoc/sh/lday/sh600000.day") == "600000.SS"
    assert code_of_file("sz399001.lc5") == "399001.SZ"
    with pytest.raises(ValueError, match="Beijing"):
        code_of_file("bj430047.day")
    with pytest.raises(ValueError, match="not a TDX bar file"):
        code_of_file("600000.txt")


def test_import_tdx_tree_opens_with_datastore(vipdoc, tmp_path, oracles):
    summary = import_tdx(vipdoc, tmp_path / "root")

    store = DataStore.open(tmp_path / "root")
    assert summary["rows"]["day"] == 8455 + 6119 and not summary["skipped"]
    assert list(store.codes) == ["000001.SS", "600000.SS"]
    bar = store.daily_bar("2011-12-06")
    s = store.sid("600000.SS")
    assert (bar["open"][s], bar["high"][s], bar["low"][s], bar["close"][s]) == (8.76, 8.84, 8.70, 8.73)
    assert bar["volume"][s] == 26440305
    # A suspension inside the series is a stored row at the previous close.
    w = store.daily_window("2006-03-20", "2006-05-12")
    assert (w.is_open[1:-1, s] == 0).all() and (w.close[1:-1, s] == w.close[0, s]).all()


def _lc_record(day, minute, o, h, l, c, amount, volume):
    return struct.pack("<HHfffffiI", encode_lc_date(day), minute, o, h, l, c, amount, volume, 0)


def test_lc_date_encoding_round_trips():
    days = ["2004-01-02", "2019-01-02", "2024-12-31", "2035-07-15"]
    codes = [encode_lc_date(d) for d in days]
    assert list(decode_lc_date(codes).astype(str)) == days
    assert encode_lc_date("2019-01-02") == 15 * 2048 + 102


def test_synthetic_lc1_and_lc5_files_round_trip(tmp_path):
    vip = tmp_path / "vipdoc"
    (vip / "sh" / "minline").mkdir(parents=True)
    (vip / "sh" / "fzline").mkdir(parents=True)
    bars = [("2019-01-02", 9 * 60 + 31, 9.96, 9.98, 9.95, 9.97, 996_000.0, 100_000),
            ("2019-01-02", 15 * 60, 10.01, 10.02, 10.00, 10.02, 2_004_000.0, 200_000)]
    (vip / "sh" / "minline" / "sh600000.lc1").write_bytes(b"".join(_lc_record(*b) for b in bars))
    (vip / "sh" / "fzline" / "sh600000.lc5").write_bytes(
        _lc_record("2019-01-02", 9 * 60 + 35, 9.96, 9.99, 9.94, 9.98, 4_990_000.0, 500_000))

    lc1 = read_lc(vip / "sh" / "minline" / "sh600000.lc1")
    assert [str(t) for t in lc1["datetime"]] == ["2019-01-02 09:31:00", "2019-01-02 15:00:00"]
    assert lc1["close"].tolist() == [9.97, 10.02] and lc1["volume"].tolist() == [100_000, 200_000]
    assert lc1["money"].tolist() == [996_000.0, 2_004_000.0]

    import_tdx(vip, tmp_path / "root")
    store = DataStore.open(tmp_path / "root")
    md = store.minute_day("2019-01-02")
    s = store.sid("600000.SS")
    assert md.close[0, s] == 9.97 and md.close[-1, s] == 10.02 and md.volume[-1, s] == 200_000
    assert md.volume[1:-1, s].sum() == 0  # missing minutes are forward-filled with volume 0
    five = pd.read_parquet(tmp_path / "root" / "bars5m" / "2019" / "2019-01-02.parquet")
    assert five["close"].tolist() == [9.98] and str(five["datetime"][0]) == "2019-01-02 09:35:00"
    got = info(tmp_path / "root")
    assert got["bars5m"]["days"] == 1 and got["minute"]["rows"] == 2


def test_a_truncated_file_is_bad_input(tmp_path):
    f = tmp_path / "sh600000.day"
    f.write_bytes(b"\0" * 40)
    with pytest.raises(ValueError, match="multiple of the 32-byte record"):
        read_day(f)
