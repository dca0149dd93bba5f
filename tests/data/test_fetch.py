"""``data fetch`` / ``data update`` / ``data info`` on recorded akshare and baostock responses (no network)."""
import datetime as dt
import json
import sys

import numpy as np
import pandas as pd
import pytest

import ptrade_fast
from ptrade_fast.data.cli import main as data_main
from ptrade_fast.data.fetch import FetchError, fetch, update
from ptrade_fast.data.validate import validate

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from fetch_fixtures import CODES, Recorder, fake_akshare, fake_baostock  # noqa: E402

FAKES = {"akshare": fake_akshare, "baostock": fake_baostock}

STRATEGY = '''
def initialize(context):
    set_universe(["600000.SS"])
    set_benchmark("600000.SS")
    g.pool = []

def before_trading_start(context, data):
    members = get_index_stocks("000300.SS")
    g.pool = filter_stock_by_status(members, ["ST", "HALT"])
    st = get_stock_status(members, "ST")
    log.info("members=%s ok=%s st=%s" % (",".join(members), ",".join(g.pool),
                                         ",".join(c for c in members if st[c])))

def handle_data(context, data):
    if not g.pool:
        return
    f = get_fundamentals(g.pool, "income_statement", ["net_profit"])
    if f["net_profit"].notna().any():
        best = f["net_profit"].idxmax()
        log.info("best=%s profit=%.0f report=%s" % (best, f.loc[best, "net_profit"], f.loc[best, "end_date"]))
        if best not in context.portfolio.positions:
            order_value(best, 100000)
'''


def _fetch(source, root, rec, end="2024-01-05", **kw):
    return fetch(root, source, codes=CODES, start="2024-01-02", end=end, rate=0, lib=FAKES[source](rec),
                 progress=lambda line: None, sleep=lambda s: None, **kw)


@pytest.fixture(params=["akshare", "baostock"])
def fetched(request, tmp_path):
    rec = Recorder()
    root = tmp_path / f"root_{request.param}"
    summary = _fetch(request.param, root, rec, minute=True)
    return request.param, root, rec, summary


def test_every_table_is_filled(fetched):
    source, root, rec, summary = fetched
    cov = summary["coverage"]
    assert cov["daily"]["rows"] == 15 and cov["daily"]["codes"] == 4   # + 000300.SS; 000001.SZ halted 01-05
    assert (cov["daily"]["first"], cov["daily"]["last"]) == ("2024-01-02", "2024-01-05")
    d = pd.read_parquet(root / "daily" / "2024.parquet")
    row = d[(d.code == "600000.SS") & (d.date == dt.date(2024, 1, 4))].iloc[0]
    assert row["preclose"] == 6.54 and row["close"] == 6.58            # ex-dividend reference price
    assert d.loc[(d.code == "600000.SS") & (d.date == dt.date(2024, 1, 2)), "volume"].item() == 30_000_000
    assert d.loc[d.code == "000001.SZ", "date"].max() == dt.date(2024, 1, 4)   # suspended on its last day
    ex = pd.read_parquet(root / "ex_rights.parquet")
    act = ex[ex.has_action]
    assert act[["code", "cash_dividend"]].values.tolist() == [["600000.SS", 0.16]]
    assert act["ex_date"].tolist() == [dt.date(2024, 1, 4)]
    inst = pd.read_parquet(root / "instruments.parquet").set_index("code")
    assert inst.at["600000.SS", "name"] == "浦发银行" and inst.at["600000.SS", "list_date"] == dt.date(1999, 11, 10)
    assert inst.at["000300.SS", "name"] == "沪深300" and inst.at["000300.SS", "type"] == "index"
    idx = d[d.code == "000300.SS"]
    assert idx["close"].tolist() == [3386.35, 3378.20, 3345.94, 3336.73] and idx["high_limit"].isna().all()
    st = pd.read_parquet(root / "st.parquet")
    assert st["code"].tolist() == ["600004.SS"]
    members = pd.read_parquet(root / "index_members.parquet")
    hs300 = members[members.index_code == "000300.SS"]
    assert sorted(hs300["code"]) == ["000001.SZ", "600000.SS", "600004.SS"]
    blocks = pd.read_parquet(root / "blocks.parquet")
    ind = blocks[blocks.category == "industry"].set_index("code")["block"]
    assert ind["600000.SS"] == ind["000001.SZ"] != ind["600004.SS"]
    susp = pd.read_parquet(root / "suspensions.parquet")
    assert susp[["code", "date"]].values.tolist() == [["000001.SZ", dt.date(2024, 1, 5)]]
    meta = json.loads((root / "meta.json").read_text())
    assert meta["fetch"][source]["end"] == "2024-01-05" and meta["fetch"][source]["codes"] == sorted(CODES)
    if source == "akshare":
        assert st["start_date"].tolist() == [dt.date(2024, 1, 5)] and meta["st"]["kind"] == "snapshot"
        assert meta["index_members"]["kind"] == "snapshot" and hs300["start_date"].isna().all()
        bal = pd.read_parquet(root / "fundamentals" / "balance_statement.parquet").set_index(["code", "end_date"])
        assert bal.at[("600000.SS", dt.date(2023, 9, 30)), "total_assets"] == 9.0e12
        assert bal.at[("600000.SS", dt.date(2023, 9, 30)), "publ_date"] == dt.date(2023, 10, 28)
        assert bal.at[("600000.SS", dt.date(2023, 6, 30)), "publ_date"] == dt.date(2023, 8, 25)
        eps = pd.read_parquet(root / "fundamentals" / "eps.parquet")
        assert list(eps.columns[5:]) == ["basic_eps"]           # the fixture has no 稀释每股收益
        assert cov["minute"]["rows"] == 0                                   # the fixture serves 2024-01-08 only
        assert sorted(cov) == sorted(["instruments", "ex_rights", "daily", "minute", "st", "suspensions",
                                      "index_members", "industries", "balance_statement", "income_statement",
                                      "eps", "cashflow_statement"])
    else:
        assert st[["start_date", "end_date"]].values.tolist() == [[dt.date(2024, 1, 2), None]]
        assert meta["st"]["kind"] == "dated" and meta["index_members"]["kind"] == "dated"
        assert hs300["start_date"].tolist() == [dt.date(2024, 1, 2)] * 3
        prof = pd.read_parquet(root / "fundamentals" / "profit_ability.parquet").set_index(["code", "end_date"])
        assert prof.at[("600000.SS", dt.date(2023, 9, 30)), "roe"] == pytest.approx(5.65)
        assert prof.at[("600000.SS", dt.date(2023, 9, 30)), "publ_date"] == dt.date(2023, 10, 28)
        shares = ex[~ex.has_action & (ex.code == "600000.SS")]
        # reports of periods ending from six months before the start: 2023-Q3 (2023-Q2 ended earlier)
        assert shares[["ex_date", "total_shares"]].values.tolist() == [[dt.date(2023, 10, 28), 2.935e10]]
        assert sorted(cov) == sorted(["instruments", "ex_rights", "daily", "suspensions", "st", "bars5m",
                                      "index_members", "industries", "profit_ability", "income_statement", "eps",
                                      "operating_ability", "growth_ability", "debt_paying_ability",
                                      "cashflow_statement"])


def test_the_root_validates_and_runs_a_ptrade_strategy(fetched):
    source, root, rec, _ = fetched
    issues = validate(root)
    assert issues == [], [str(i) for i in issues]
    res = ptrade_fast.run(STRATEGY, start="2024-01-03", end="2024-01-05", data=str(root))
    bench = ptrade_fast.run("def initialize(context):\n    set_universe(['600000.SS'])\n"
                            "def handle_data(context, data):\n    pass\n", start="2024-01-03", end="2024-01-05",
                            data=str(root))
    assert bench.metrics["benchmark_return"] == pytest.approx(3336.73 / 3386.35 - 1)   # 000300.SS, fetched
    text = "\n".join(res.logs["message"].astype(str)) if hasattr(res.logs, "columns") else "\n".join(map(str, res.logs))
    assert "members=000001.SZ,600000.SS,600004.SS ok=000001.SZ,600000.SS st=600004.SS" in text
    assert "best=600000.SS profit=29000000000 report=2023-09-30" in text
    assert len(res.trades) == 1


def test_raw_responses_are_cached_and_reimport_needs_no_network(fetched, tmp_path):
    source, root, rec, summary = fetched
    before = (root / "daily" / "2024.parquet").read_bytes()
    rec.offline = True
    again = fetch(root, source, offline=True, start="2024-01-02", end="2024-01-05", progress=lambda l: None)
    assert again["calls"] == 0 and again["coverage"]["daily"] == summary["coverage"]["daily"]
    assert (root / "daily" / "2024.parquet").read_bytes() == before


@pytest.mark.parametrize("source", ["akshare", "baostock"])
def test_no_network_fails_fast_and_leaves_the_root_untouched(source, tmp_path, capsys):
    rec = Recorder()
    rec.offline = True
    root = tmp_path / "nothing"
    with pytest.raises(FetchError, match=f"cannot reach the {source} data service.*Nothing was written"):
        _fetch(source, root, rec)
    assert not root.exists()
    built = tmp_path / "built"
    _fetch(source, built, Recorder())
    files = sorted((p.relative_to(built), p.stat().st_mtime_ns) for p in built.rglob("*"))
    with pytest.raises(FetchError):
        _fetch(source, built, rec, end="2024-01-08")
    assert sorted((p.relative_to(built), p.stat().st_mtime_ns) for p in built.rglob("*")) == files


@pytest.mark.parametrize("source,func,key", [("akshare", "stock_zh_a_hist", "600004"),
                                             ("baostock", "query_history_k_data_plus", "sh.600004:d")])
def test_a_source_error_mid_fetch_then_a_resumed_fetch(source, func, key, tmp_path):
    rec = Recorder()
    rec.fail[(func, key)] = 10
    root = tmp_path / "r"
    with pytest.raises(FetchError, match=f"{func}.*failed after 2 attempt"):
        _fetch(source, root, rec, retries=1)
    assert not (root / "meta.json").exists()
    done = rec.count(func)
    assert done >= 2                                   # the other codes before it, and the retry
    rec.fail.clear()
    rec.calls.clear()
    summary = _fetch(source, root, rec)
    assert rec.count(func) == 1                        # only the failed code is fetched again
    assert summary["coverage"]["daily"]["codes"] == 4                 # 3 stocks + 000300.SS
    assert validate(root) == []


def test_transient_errors_are_retried(tmp_path):
    rec = Recorder()
    rec.fail[("stock_zh_a_hist", "600000")] = 2
    waits = []
    fetch(tmp_path / "r", "akshare", codes=CODES, start="2024-01-02", end="2024-01-05", rate=0, retries=3,
          lib=fake_akshare(rec), progress=lambda l: None, sleep=waits.append)
    assert rec.count("stock_zh_a_hist") == 5 and waits == [0.5, 1.0]


def test_rate_limit_spaces_the_calls(tmp_path):
    rec = Recorder()
    waits = []
    fetch(tmp_path / "r", "akshare", codes=["600000.SS"], start="2024-01-02", end="2024-01-05", rate=4,
          lib=fake_akshare(rec), progress=lambda l: None, sleep=waits.append)
    assert waits and all(0 < w <= 0.25 for w in waits)


def test_progress_lines_have_an_eta(tmp_path):
    lines = []
    fetch(tmp_path / "r", "akshare", codes=["600000.SS"], start="2024-01-02", end="2024-01-05", rate=0,
          lib=fake_akshare(Recorder()), progress=lines.append, sleep=lambda s: None)
    assert lines[0].startswith("[1/7] calendar calendar@20240105") and "ETA" in lines[0]
    assert lines[-1].startswith("[") and "/" in lines[-1]


@pytest.mark.parametrize("source", ["akshare", "baostock"])
def test_update_adds_a_day(source, tmp_path, capsys):
    rec = Recorder()
    root = tmp_path / "r"
    _fetch(source, root, rec)
    rec.calls.clear()
    out = update(root, end="2024-01-08", lib=FAKES[source](rec), rate=0, progress=lambda l: None,
                 sleep=lambda s: None)
    assert out[0]["coverage"]["daily"]["last"] == "2024-01-08"
    daily_calls = [f for f, _ in rec.calls if f in ("stock_zh_a_hist", "index_zh_a_hist", "query_history_k_data_plus")]
    assert len(daily_calls) == 3 + 7                   # one new chunk per stock and per index, nothing refetched
    d = pd.read_parquet(root / "daily" / "2024.parquet")
    assert sorted(set(d["date"])) == [dt.date(2024, 1, 2), dt.date(2024, 1, 3), dt.date(2024, 1, 4),
                                      dt.date(2024, 1, 5), dt.date(2024, 1, 8)]
    assert d[d.date == dt.date(2024, 1, 8)]["code"].tolist() == ["000001.SZ", "000300.SS", "600000.SS", "600004.SS"]
    halted = d[(d.code == "000001.SZ") & (d.date == dt.date(2024, 1, 5))].iloc[0]
    assert halted["is_open"] == 0 and halted["close"] == 9.11 and halted["volume"] == 0
    meta = json.loads((root / "meta.json").read_text())
    assert (meta["fetch"][source]["start"], meta["fetch"][source]["end"]) == ("2024-01-02", "2024-01-08")
    assert validate(root) == []
    st = pd.read_parquet(root / "st.parquet")
    assert st[["code", "start_date"]].values.tolist() == [["600004.SS", dt.date(2024, 1, 5 if source == "akshare"
                                                                                  else 2)]]
    assert st["end_date"].isna().all()                  # still ST in the later snapshot / daily rows
    if source == "baostock":
        m = pd.read_parquet(root / "index_members.parquet")
        left = m[(m.index_code == "000300.SS") & (m.code == "600004.SS")]
        assert left[["start_date", "end_date"]].values.tolist() == [[dt.date(2024, 1, 2), dt.date(2024, 1, 7)]]
    again = update(root, end="2024-01-08", lib=FAKES[source](rec))
    assert again[0].get("up_to_date")


def test_akshare_minutes_fold_the_opening_auction_and_aggregate_to_the_day(tmp_path):
    rec = Recorder()
    root = tmp_path / "r"
    _fetch("akshare", root, rec, end="2024-01-08", minute=True)
    m = pd.read_parquet(root / "minute" / "2024" / "2024-01-08.parquet")
    one = m[m.code == "600000.SS"]
    assert len(one) == 240 and str(one["datetime"].iloc[0]) == "2024-01-08 09:31:00"
    day = pd.read_parquet(root / "daily" / "2024.parquet")
    row = day[(day.code == "600000.SS") & (day.date == dt.date(2024, 1, 8))].iloc[0]
    assert one["volume"].sum() == row["volume"] == 29_000_000          # auction lots folded into 09:31
    assert one["close"].iloc[-1] == row["close"]
    assert validate(root) == []


def test_cli_fetch_update_info_and_errors(tmp_path, monkeypatch, capsys):
    rec = Recorder()
    monkeypatch.setitem(sys.modules, "akshare", fake_akshare(rec))
    root = tmp_path / "r"
    assert data_main(["fetch", "--source", "akshare", "--data", str(root), "--codes", "600000.SS,000001.SZ",
                      "--start", "2024-01-02", "--end", "2024-01-05", "--rate", "0"]) == 0
    out = capsys.readouterr().out
    assert "akshare:" in out and "daily" in out and "balance_statement" in out
    assert data_main(["fetch", "--source", "akshare", "--data", str(root), "--update", "--end", "2024-01-08",
                      "--rate", "0"]) == 0
    assert data_main(["update", "--data", str(root), "--end", "2024-01-08"]) == 0
    assert "already up to date" in capsys.readouterr().out
    assert data_main(["info", "--data", str(root)]) == 0
    info = capsys.readouterr().out
    assert "fundamentals/balance_statement" in info and "st " in info and "snapshot as of 2024-01-08" in info
    assert "fetch akshare: 2024-01-02 … 2024-01-08" in info
    monkeypatch.delitem(sys.modules, "akshare")
    monkeypatch.setitem(sys.modules, "baostock", None)      # not installed
    assert data_main(["fetch", "--source", "baostock", "--data", str(tmp_path / "b")]) == 2
    assert 'pip install "ptrade_fast[baostock]"' in capsys.readouterr().err
    assert data_main(["update", "--data", str(tmp_path / "b")]) == 2
    assert "no meta.json" in capsys.readouterr().err


def test_snapshots_and_flags_become_dated_periods():
    from ptrade_fast.data.fetch.common import dated_members, periods
    d = [dt.date(2024, 1, 2), dt.date(2024, 2, 1), dt.date(2024, 3, 1)]
    m = dated_members({"st": [(d[0], ["A", "B"]), (d[1], ["B"]), (d[2], ["A", "B"])]})
    assert m[["code", "start_date", "end_date"]].values.tolist() == [
        ["A", d[0], dt.date(2024, 1, 31)], ["A", d[2], None], ["B", d[0], None]]
    days = np.array(["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"], "datetime64[D]")
    p = periods(np.array(["X"] * 4), days, np.array([True, True, False, True]), None)
    assert p["code"].tolist() == ["X", "X"]
    assert [str(pd.Timestamp(v).date()) for v in p["start_date"]] == ["2024-01-02", "2024-01-05"]
    assert str(pd.Timestamp(p["end_date"][0]).date()) == "2024-01-03" and pd.isna(p["end_date"][1])


def test_skip_leaves_tables_out_and_unknown_names_are_errors(tmp_path):
    rec = Recorder()
    out = _fetch("baostock", tmp_path / "r", rec, skip=["fundamentals", "index_members"])
    assert rec.count("query_profit_data") == 0 and rec.count("query_hs300_stocks") == 0
    assert "profit_ability" not in out["coverage"] and out["coverage"]["daily"]["rows"] == 15
    with pytest.raises(ValueError, match="--skip: unknown table.*prices"):
        _fetch("baostock", tmp_path / "r2", rec, skip=["prices"])


@pytest.mark.parametrize("source", ["akshare", "baostock"])
def test_same_responses_give_byte_identical_files(source, tmp_path):
    roots = [tmp_path / "a", tmp_path / "b"]
    for root in roots:
        _fetch(source, root, Recorder())
    files = sorted(p.relative_to(roots[0]) for p in roots[0].rglob("*.parquet"))
    assert files and files == sorted(p.relative_to(roots[1]) for p in roots[1].rglob("*.parquet"))
    for rel in files:
        assert (roots[0] / rel).read_bytes() == (roots[1] / rel).read_bytes(), rel


def test_info_json_lists_the_tables(tmp_path, capsys):
    root = tmp_path / "r"
    _fetch("baostock", root, Recorder())
    assert data_main(["info", "--data", str(root), "--json"]) == 0
    tables = {t["table"]: t for t in json.loads(capsys.readouterr().out)["tables"]}
    assert tables["st"]["rows"] == 1 and tables["st"]["source"] == "baostock isST" and tables["st"]["note"] is None
    assert tables["suspensions"]["rows"] == 1 and tables["suspensions"]["source"] == "baostock"
    assert tables["ex_rights"]["note"] is None and tables["index_members"]["note"] is None
    assert tables["fundamentals/profit_ability"]["span"] == "2023-09-30 … 2023-09-30"
    assert tables["fundamentals/profit_ability"]["note"] == "published 2023-10-28 … 2023-10-28"
