"""``data import-tdx`` over a whole TDX install: gpcw financials, hq_cache blocks/industries, gbbq, bars."""
import datetime as dt
import json
import shutil
import struct

import numpy as np
import pandas as pd
import pytest

from ptrade_fast.api.fundamentals import FundamentalsAPI
from ptrade_fast.data.cli import main as data_main
from ptrade_fast.data.importers.tdx_finance import gpcw_bytes, read_gpcw
from ptrade_fast.data.importers.tdx_hq_cache import block_bytes, gbbq_events, read_block_file, read_industries
from ptrade_fast.data.store import DataStore
from ptrade_fast.engine.runtime import Runtime

# Ptrade field <- gpcw field number (and scale) checked value by value against the raw bytes.
CHECKED = {
    ("eps", "basic_eps"): (1, 1.0), ("eps", "naps"): (4, 1.0), ("eps", "operating_cash_flow_ps"): (7, 1.0),
    ("balance_statement", "cash_equivalents"): (8, 1.0), ("balance_statement", "total_assets"): (40, 1.0),
    ("balance_statement", "total_liability"): (63, 1.0), ("balance_statement", "se_without_mi"): (271, 1.0),
    ("income_statement", "operating_revenue"): (74, 1.0), ("income_statement", "net_profit"): (95, 1.0),
    ("income_statement", "np_parent_company_owners"): (96, 1.0),
    ("income_statement", "net_profit_ttm"): (276, 1.0), ("income_statement", "operating_revenue_ttm"): (283, 1e4),
    ("cashflow_statement", "net_operate_cash_flow"): (107, 1.0),
    ("cashflow_statement", "end_period_cash"): (133, 1.0),
    ("debt_paying_ability", "current_ratio"): (159, 1.0), ("debt_paying_ability", "debt_assets_ratio"): (210, 1.0),
    ("operating_ability", "inventory_turnover_rate"): (173, 1.0),
    ("growth_ability", "net_profit_grow_rate"): (184, 1.0),
    ("profit_ability", "roe"): (197, 1.0), ("profit_ability", "gross_income_ratio"): (202, 1.0),
}


def _raw_records(path):
    """Independent decode of a gpcw file with struct: {code6: [records as tuples of floats]}."""
    data = path.read_bytes()
    _v, report_date, count, _u, size, _u2 = struct.unpack_from("<hIH3L", data, 0)
    out = {}
    for i in range(count):
        code, _m, offset = struct.unpack_from("<6scL", data, 20 + 11 * i)
        out.setdefault(code.decode(), []).append(struct.unpack_from(f"<{size // 4}f", data, offset))
    return report_date, out


def _short(x):
    """A float32 as its shortest decimal (what the importer stores)."""
    return float(str(np.float32(x)))


@pytest.fixture(scope="module")
def install(real_dir, tmp_path_factory):
    """A TDX install folder: vipdoc bars, vipdoc/cw gpcw, T0002/hq_cache block and industry files."""
    top = tmp_path_factory.mktemp("tdx") / "new_tdx"
    lday = top / "vipdoc" / "sh" / "lday"
    lday.mkdir(parents=True)
    for name in ("sh000001.day", "sh600000.day"):
        shutil.copy(real_dir / "tdx" / "vipdoc" / "sh" / "lday" / name, lday / name)
    (top / "vipdoc" / "cw").mkdir()
    shutil.copy(real_dir / "tdx" / "finance" / "gpcw20110930.dat", top / "vipdoc" / "cw" / "gpcw20110930.dat")
    hq = top / "T0002" / "hq_cache"
    hq.mkdir(parents=True)
    (hq / "block_zs.dat").write_bytes(block_bytes({"沪深300": ["600000", "000001", "600004"],
                                                    "上证50": ["600000"], "自编指数": ["600000"]}, 3))
    (hq / "block_gn.dat").write_bytes(block_bytes({"银行概念": ["600000", "000001", "830001"]}))
    (hq / "tdxhy.cfg").write_bytes("1|600000|T1001|||X480101\n0|000001|T1001|||X480101\n"
                                   "2|830001|T0101|||X010101\n".encode("gbk"))
    (hq / "tdxzs3.cfg").write_bytes("银行|880471|2|1|0|T1001\n银行Ⅱ|881155|12|1|1|X4801\n".encode("gbk"))
    return top


@pytest.fixture(scope="module")
def imported(install, tmp_path_factory):
    root = tmp_path_factory.mktemp("root") / "r"
    assert data_main(["import-tdx", str(install), "--data", str(root), "--as-of", "2018-06-30"]) == 0
    return root


def test_gpcw_values_match_the_raw_file_field_by_field(imported, real_dir):
    report_date, raw = _raw_records(real_dir / "tdx" / "finance" / "gpcw20110930.dat")
    assert report_date == 20110930
    checked = 0
    for (table, field), (num, scale) in CHECKED.items():
        df = pd.read_parquet(imported / "fundamentals" / f"{table}.parquet")
        first = df[df["revision"] == 0].set_index("code")
        for code6, recs in raw.items():
            code = f"{code6}.{'SS' if code6[0] in '69' else 'SZ'}"
            want = _short(recs[0][num - 1]) * scale
            got = first.at[code, field]
            assert got == want or (np.isnan(got) and np.isnan(want)), (table, field, code)
            checked += 1
    assert checked == len(CHECKED) * len(raw)
    eps = pd.read_parquet(imported / "fundamentals" / "eps.parquet").set_index(["code", "revision"])
    assert set(eps["publ_date"].astype(str)) == {"2011-10-31"}
    assert set(eps["report_type"]) == {"3"}


def test_600000_figures_and_share_capital_agree_with_the_real_fixture(imported, real_dir):
    ref = pd.read_parquet(real_dir / "financials_2011q3.parquet").set_index("symbol")
    bal = pd.read_parquet(imported / "fundamentals" / "balance_statement.parquet").set_index("code")
    assert bal.at["600000.SS", "total_assets"] == _short(ref.at["600000.SS", "f040"])
    assert bal.at["600000.SS", "end_date"] == dt.date(2011, 9, 30)


def test_duplicate_codes_become_revisions(imported, real_dir):
    _, raw = _raw_records(real_dir / "tdx" / "finance" / "gpcw20110930.dat")
    revised = {c for c, recs in raw.items() if len(recs) > 1 and len(set(recs)) > 1}
    eps = pd.read_parquet(imported / "fundamentals" / "eps.parquet")
    codes = set(eps.loc[eps["revision"] == 1, "code"].str[:6])
    assert codes == revised and len(revised) == 17


def test_reports_are_point_in_time_through_get_fundamentals(imported):
    store = DataStore.open(imported)

    def ask(day):
        rt = Runtime(store, "1d", {})
        rt.phase, rt.trade_date, rt.bar_index = "handle", day, 0
        return FundamentalsAPI(rt).get_fundamentals(["600000.SS", "000001.SZ"], "eps", ["basic_eps", "naps"])

    before = ask(dt.date(2011, 10, 31))
    assert before[["basic_eps", "naps"]].isna().all(axis=None)
    after = ask(dt.date(2011, 11, 1))
    assert after.at["000001.SZ", "basic_eps"] == 2.01 and after.at["000001.SZ", "naps"] == 13.61
    assert after.at["000001.SZ", "publ_date"] == "2011-10-31"


def test_blocks_industries_and_index_snapshot(imported):
    blocks = pd.read_parquet(imported / "blocks.parquet")
    ind = blocks[blocks["category"] == "industry"].sort_values("code")
    assert ind[["block", "code", "block_code"]].values.tolist() == [["银行", "000001.SZ", "T1001"],
                                                                    ["银行", "600000.SS", "T1001"]]
    research = blocks[blocks["category"] == "industry_research"]
    assert set(research["block"]) == {"银行Ⅱ"} and set(research["block_code"]) == {"X4801"}
    concept = blocks[blocks["category"] == "concept"]
    assert sorted(concept["code"]) == ["000001.SZ", "600000.SS"]          # the Beijing member is dropped
    assert set(blocks["as_of"].astype(str)) == {"2018-06-30"} and set(blocks["source"]) == {"tdx"}
    members = pd.read_parquet(imported / "index_members.parquet")
    assert sorted(members.loc[members["index_code"] == "000300.SS", "code"]) == ["000001.SZ", "600000.SS",
                                                                                  "600004.SS"]
    assert members.loc[members["index_code"] == "000016.SS", "code"].tolist() == ["600000.SS"]
    assert set(members["kind"]) == {"snapshot"} and members["start_date"].isna().all()
    assert "自编指数" in set(blocks.loc[blocks["category"] == "index", "block"])
    meta = json.loads((imported / "meta.json").read_text())
    assert meta["index_members"] == {"kind": "snapshot", "as_of": "2018-06-30"}
    assert "eps" in meta["fundamentals"]


def test_bars_are_imported_in_the_same_walk(imported):
    d = pd.read_parquet(imported / "daily" / "2011.parquet")
    row = d[(d["code"] == "600000.SS") & (d["date"] == dt.date(2011, 12, 6))].iloc[0]
    assert (row["open"], row["close"]) == (8.76, 8.73)


def test_field_314_is_the_publication_date(tmp_path):
    rec = np.zeros(320, np.float32)
    rec[0], rec[313] = 0.5, 110428      # f001, f314 = 2011-04-28
    bad = rec.copy()
    bad[313] = 101231                   # before the period end: not a publication date
    (tmp_path / "gpcw20110331.dat").write_bytes(gpcw_bytes(20110331, {"600000": rec, "000001": bad}, 320))
    fin = read_gpcw(tmp_path / "gpcw20110331.dat")
    assert fin["publ_date"].astype(str).tolist() == ["2011-04-28", "2011-04-30"]
    assert fin["publ_date_source"].tolist() == ["f314", "deadline"]
    assert fin["report_type"].tolist() == ["1", "1"]
    assert fin["f001"].tolist() == [0.5, 0.5] and fin["f314"].tolist() == [110428.0, 101231.0]


def test_zip_and_bad_files(tmp_path):
    import zipfile
    rec = np.zeros(10, np.float32)
    rec[0] = 1.25
    with zipfile.ZipFile(tmp_path / "gpcw20101231.zip", "w") as zf:
        zf.writestr("gpcw20101231.dat", gpcw_bytes(20101231, {"600000": rec}, 10))
    fin = read_gpcw(tmp_path / "gpcw20101231.zip")
    assert fin["publ_date"].astype(str).tolist() == ["2011-04-30"] and fin["report_type"].tolist() == ["4"]
    data = gpcw_bytes(20101231, {"600000": rec}, 10)
    (tmp_path / "gpcw20101231.dat").write_bytes(data[:-8])
    with pytest.raises(ValueError, match="runs past the end"):
        read_gpcw(tmp_path / "gpcw20101231.dat")


def test_block_file_and_industry_errors(tmp_path):
    (tmp_path / "block.dat").write_bytes(block_bytes({"A": ["600000"]})[:500])
    with pytest.raises(ValueError, match="runs past the end"):
        read_block_file(tmp_path / "block.dat")
    (tmp_path / "tdxhy.cfg").write_text("garbage line\n")
    with pytest.raises(ValueError, match="tdxhy.cfg, line 1"):
        read_industries(tmp_path / "tdxhy.cfg", [])


def test_gbbq_rows_map_to_ex_rights():
    raw = pd.DataFrame({
        "market": [1, 1, 1, 0], "code": ["600000", "600000", "600000", "000001"],
        "datetime": [20110603, 20110603, 20100101, 20110603], "category": [1, 2, 5, 1],
        "hongli_panqianliutong": [1.6, 1434880.0, 1000.0, 1.0],
        "peigujia_qianzongguben": [0.0, 1434880.0, 1000.0, 0.0],
        "songgu_qianzongguben": [3.0, 1865347.0, 1100.0, 0.0],
        "peigu_houzongguben": [0.0, 1865347.0, 1200.0, 0.0],
    })
    ev = gbbq_events(raw).set_index(["code", "ex_date"])
    row = ev.loc[("600000.SS", dt.date(2011, 6, 3))]
    assert (row["cash_dividend"], row["bonus_ratio"], row["rights_ratio"]) == (0.16, 0.3, 0.0)
    assert row["total_shares"] == 1865347.0 * 1e4 and row["float_shares"] == 1865347.0 * 1e4
    assert bool(row["has_action"])
    first = ev.loc[("600000.SS", dt.date(2010, 1, 1))]
    assert first["total_shares"] == 1200.0 * 1e4 and not bool(first["has_action"])
    sz = ev.loc[("000001.SZ", dt.date(2011, 6, 3))]
    assert sz["cash_dividend"] == 0.1 and np.isnan(sz["total_shares"])


def test_unknown_kind_is_an_error(install, tmp_path, capsys):
    assert data_main(["import-tdx", str(install), "--data", str(tmp_path / "x"), "--kinds", "day,nope"]) == 2
    assert "unknown kind(s) nope" in capsys.readouterr().err


def test_gbbq_in_the_walk_gives_ex_rights_and_the_ex_date_reference_price(install, tmp_path, monkeypatch):
    from ptrade_fast.data.importers import tdx_hq_cache
    top = tmp_path / "tdx"
    shutil.copytree(install, top)
    (top / "T0002" / "hq_cache" / "gbbq").write_bytes(b"\x00" * 8)     # decoded by the stand-in below
    raw = pd.DataFrame({"market": [1, 1], "code": ["600000", "600000"], "datetime": [20110603, 20110603],
                        "category": [1, 5], "hongli_panqianliutong": [1.6, 1434880.0],
                        "peigujia_qianzongguben": [0.0, 1434880.0], "songgu_qianzongguben": [3.0, 1865347.0],
                        "peigu_houzongguben": [0.0, 1865347.0]})
    seen = []
    monkeypatch.setattr(tdx_hq_cache, "read_gbbq", lambda path: seen.append(path) or raw)
    root = tmp_path / "root"
    assert data_main(["import-tdx", str(top), "--data", str(root), "--kinds", "day,reference"]) == 0
    assert [p.name for p in seen] == ["gbbq"]
    ex = pd.read_parquet(root / "ex_rights.parquet")
    assert ex[["code", "cash_dividend", "bonus_ratio"]].values.tolist() == [["600000.SS", 0.16, 0.3]]
    d = pd.read_parquet(root / "daily" / "2011.parquet")
    row = d[(d.code == "600000.SS") & (d.date == dt.date(2011, 6, 3))].iloc[0]
    assert row["preclose"] == 10.04                     # (13.21 - 0.16) / 1.3, the exchange's reference price
    assert not (root / "fundamentals").exists()         # finance not asked for


def test_gbbq_needs_pytdx(tmp_path, monkeypatch):
    from ptrade_fast.data.importers.tdx_hq_cache import read_gbbq
    monkeypatch.setitem(__import__("sys").modules, "pytdx", None)
    monkeypatch.setitem(__import__("sys").modules, "pytdx.reader", None)
    monkeypatch.setitem(__import__("sys").modules, "pytdx.reader.gbbq_reader", None)
    with pytest.raises(ValueError, match=r'pip install "ptrade_fast\[tdx\]"'):
        read_gbbq(tmp_path / "gbbq")
