"""Issue 10 item 6 on the sample bundle: the realistic market's features, each seen through the Ptrade API
(docs/data-format.md, *The sample bundle*)."""
import json

import numpy as np
import pandas as pd
import pytest

import ptrade_fast
from ptrade_fast.data.bundle import bundle_root

STRATEGY = '''
import json

def initialize(context):
    set_universe(['600570.SS'])

def handle_data(context, data):
    day = context.blotter.current_dt.strftime('%Y-%m-%d')
    out = {'day': day}
    a = get_index_stocks('000905.SS', '20240102')
    b = get_index_stocks('000905.XBHS', '20240701')
    out['csi500'] = [len(a), len(b), '000018.SZ' in a, '000018.SZ' in b, '000006.SZ' in a, '000006.SZ' in b]
    out['st'] = [get_stock_status('000035.SZ', 'ST', '20230703')['000035.SZ'],
                 get_stock_status('000035.SZ', 'ST', '20240102')['000035.SZ'],
                 get_stock_status('000035.SZ', 'ST', '20250325')['000035.SZ']]
    out['st_today'] = get_stock_status(['000035.SZ', '000063.SZ'], 'ST')
    bar = data['000035.SZ']
    out['st_limit'] = [bar.high_limit, bar.low_limit, bar.preclose]
    f = get_fundamentals('000063.SZ', 'balance_statement', 'total_assets', day)
    out['total_assets'] = float(f['total_assets'].iloc[0])
    v = get_fundamentals('000063.SZ', 'valuation', ['pe_ttm', 'pb', 'total_value'], day)
    out['valuation'] = [float(v[k].iloc[0]) for k in ('pe_ttm', 'pb', 'total_value')]
    out['etfs'] = [c for c in ('518880.SS', '513100.SS', '510300.SS', '159915.SZ') if c in get_etf_list()]
    out['cbs'] = sorted(get_cb_list())[:3]
    closes = {}
    for idx in ('000016.SS', '000688.SS', '000852.SS', '000905.SS', '399001.SZ', '399005.SZ', '399006.SZ',
                '399101.SZ', '399106.SZ', '518880.SS'):
        h = get_history(5, '1d', 'close', idx, include=True)
        closes[idx] = len(h)
    out['bars'] = closes
    log.info('facts ' + json.dumps(out, sort_keys=True))
'''


@pytest.fixture(scope="module")
def facts():
    res = ptrade_fast.run(STRATEGY, start="2024-01-02", end="2024-01-02", frequency="1d")
    lines = [m.split(" ", 1)[1] for m in res.logs["message"] if m.startswith("facts ")]
    assert len(lines) == 1
    return json.loads(lines[0])


def test_index_membership_is_dated(facts):
    # 000905.SS rebalances after the second Friday of June: 000018.SZ leaves, 000006.SZ joins.
    assert facts["csi500"] == [500, 500, True, False, False, True]


def test_st_history_is_point_in_time(facts):
    # 000035.SZ is ST 2023-08-02 … 2025-03-24 (st.parquet); its limits that day are ±5 % of the previous close.
    assert facts["st"] == [False, True, False]
    assert facts["st_today"] == {"000035.SZ": True, "000063.SZ": False}
    up, down, pre = facts["st_limit"]
    assert (pre, up, down) == (7.99, 8.39, 7.59)


def test_shipped_stock_has_reports_and_valuation(facts):
    assert facts["total_assets"] > 0
    pe, pb, total_value = facts["valuation"]
    assert not np.isnan(pe) and pb > 0 and total_value > 0


def test_common_funds_and_bonds_are_listed(facts):
    assert facts["etfs"] == ["518880.SS", "513100.SS", "510300.SS", "159915.SZ"]
    assert facts["cbs"] == ["110004.SS", "110008.SS", "110017.SS"]


def test_every_major_index_and_the_gold_fund_have_bars(facts):
    assert facts["bars"] == dict.fromkeys(facts["bars"], 5)
    assert len(facts["bars"]) == 10


def test_instruments_cover_the_code_list_with_real_names():
    inst = pd.read_parquet(bundle_root() / "instruments.parquet").set_index("code")
    from ptrade_fast.data.synthetic.profiles import code_list
    codes = [c for c, _, _, _ in code_list()]
    assert set(codes) <= set(inst.index)
    # A generated instrument carries the list's name; codes the 2011 snapshot lacks are named SYN<code>.
    names = {c: n or f"SYN{c[:6]}" for c, n, _, _ in code_list()}
    gen = inst.loc[[c for c in codes if inst.loc[c, "synthetic"]]]
    assert len(gen) > 2400 and (gen["name"] == gen.index.map(names)).all()
    assert inst.loc["600519.SS", "name"] == "贵州茅台" and inst.loc["518880.SS", "name"] == "黄金ETF"


def test_meta_describes_the_dated_membership_and_st():
    meta = json.loads((bundle_root() / "meta.json").read_text(encoding="utf-8"))
    assert meta["index_members"]["kind"] == "dated"
    assert sorted(meta["index_members"]["indices"]) == [
        "000001.SS", "000016.SS", "000300.SS", "000688.SS", "000852.SS", "000905.SS", "399001.SZ", "399005.SZ",
        "399006.SZ", "399101.SZ", "399106.SZ"]
    assert meta["st"]["file"] == "st.parquet"
    st = pd.read_parquet(bundle_root() / "st.parquet")
    real = {"000001.SS", "600000.SS", "000001.SZ", "000002.SZ", "000004.SZ", "000005.SZ", "600004.SS",
            "600570.SS", "000300.SS", "510050.SS", "110059.SS", "131810.SZ"}
    assert not set(st["code"]) & real


def test_suspensions_are_flat_bars_and_halt_days():
    d = pd.read_parquet(bundle_root() / "daily" / "2024.parquet", columns=["code", "date", "is_open", "volume"])
    halted = d[(d["code"] == "000011.SZ") & (d["is_open"] == 0)]
    assert [str(x) for x in halted["date"]] == ["2024-01-08", "2024-01-09", "2024-01-10"]
    assert (halted["volume"] == 0).all()
