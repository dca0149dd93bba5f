"""Tick replay (frequency='tick'): a real recorded day seen through tick_data, the clock of run_interval and
handle_data, the store-backed snapshot functions, and the seed's tick examples on synthetic ticks."""
import numpy as np
import pandas as pd
import pytest

import ptrade_fast as pf
from ptrade_fast.engine.runner import Backtest
from ptrade_fast.examples import __file__ as _examples_init
from tick_roots import real_prints, real_tick_root, synthetic_tick_root
from ptrade_fast.data.format import read_bars  # bar files of the bundle are fixed-point

EXAMPLES = __import__("pathlib").Path(_examples_init).parent


@pytest.fixture(scope="module")
def real_root(tmp_path_factory):
    return real_tick_root(tmp_path_factory.mktemp("tick_real"))


@pytest.fixture(scope="module")
def syn_root(tmp_path_factory):
    return synthetic_tick_root(tmp_path_factory.mktemp("tick_syn"))


RECORDER = '''
def initialize(context):
    g.seen = []
    g.snap = None
    g.trans = 0
    set_universe('600000.SS')

def tick_data(context, data):
    if '600000.SS' in data:
        t = data['600000.SS']['tick']
        g.seen.append((context.blotter.current_dt, float(t['last_px'][0]), int(t['business_amount'][0]),
                       len(data['600000.SS']['transcation'])))

def handle_data(context, data):
    pass

def after_trading_end(context, data):
    g.snap = get_snapshot('600000.SS')['600000.SS']
    g.gear = get_gear_price('600000.SS')
    g.tr = get_individual_transaction('600000.SS', data_count=5, search_direction=2)
    g.tr_alias = get_individual_transcation('600000.SS', data_count=5, search_direction=2)
'''


def test_real_day_tick_data_matches_the_recorded_prints(real_root):
    bt = Backtest(RECORDER, start="2019-02-01", end="2019-02-01", frequency="tick", data=str(real_root))
    bt.run()
    g = bt.g
    prints = real_prints()
    times = prints.datetime.to_numpy()
    cum = prints.volume.cumsum().to_numpy()
    assert len(g.seen) == 1 + 4799           # the 09:25:03 auction step and 09:30:03 … 14:59:57
    n_trans = 0
    for now, last, volume, ntrans in g.seen:
        k = int(np.searchsorted(times, np.datetime64(now), side="right"))
        assert k > 0
        assert last == prints.price[k - 1]
        assert volume == cum[k - 1]
        n_trans += ntrans
    # Every print up to 14:59:57 arrived once in 'transcation'; the closing print 15:00:00 comes after.
    assert n_trans == len(prints) - 1
    assert g.seen[0][0] == pd.Timestamp("2019-02-01 09:25:03")
    snap = g.snap
    assert snap["business_amount"] == int(cum[-1]) == 19_119_300
    assert snap["last_px"] == prints.price.iloc[-1]
    assert snap["open_px"] == prints.price.iloc[0]
    assert snap["high_px"] == prints.price.max() and snap["low_px"] == prints.price.min()
    assert snap["business_count"] == len(prints)
    assert snap["trade_status"] == "ENDTR"
    assert snap["preclose_px"] == 10.73 and snap["up_px"] == 11.8 and snap["down_px"] == 9.66
    # Closing print was neutral (auction): books reconstructed at the bid.
    assert g.gear["bid_grp"][1][0] == prints.price.iloc[-1]
    assert g.gear["offer_grp"][1][0] == round(prints.price.iloc[-1] + 0.01, 2)
    assert list(g.tr.hq_px) == list(prints.price.iloc[-5:])
    assert list(g.tr.business_amount) == list(prints.volume.iloc[-5:])
    assert g.tr.equals(g.tr_alias)


INTERVALS = '''
def initialize(context):
    g.calls = []
    g.bars = []
    set_universe('600570.SS')
    run_interval(context, every10, seconds=10)

def every10(context):
    g.calls.append(context.blotter.current_dt)

def handle_data(context, data):
    g.bars.append((context.blotter.current_dt, data['600570.SS'].close, data['600570.SS'].volume))
'''


def test_run_interval_period_and_handle_data_on_minute_boundaries(syn_root):
    bt = Backtest(INTERVALS, start="2019-02-01", end="2019-02-01", frequency="tick", data=str(syn_root))
    bt.run()
    calls = bt.g.calls
    # seconds=10 -> every 12 s of session time (4 steps), 09:30:12 … 14:59:48; the lunch break not counted.
    assert len(calls) == 14397 // 12
    assert calls[0] == pd.Timestamp("2019-02-01 09:30:12")
    assert calls[599] == pd.Timestamp("2019-02-01 11:30:00")
    assert calls[600] == pd.Timestamp("2019-02-01 13:00:12")
    assert calls[-1] == pd.Timestamp("2019-02-01 14:59:48")
    bars = bt.g.bars
    assert len(bars) == 240
    assert bars[0][0] == pd.Timestamp("2019-02-01 09:31") and bars[-1][0] == pd.Timestamp("2019-02-01 15:00")
    assert bars[119][0] == pd.Timestamp("2019-02-01 11:30") and bars[120][0] == pd.Timestamp("2019-02-01 13:01")
    m = read_bars(syn_root / "minute" / "2019" / "2019-02-01.parquet").to_pandas()
    m = m[m.code == "600570.SS"].reset_index(drop=True)
    assert [b[1] for b in bars] == list(m.close.astype(float))
    assert [b[2] for b in bars] == list(m.volume.astype(float))


def test_derived_minute_bars_equal_the_minute_file(syn_root):
    from ptrade_fast.data.ticks import read_tick_day
    from ptrade_fast.engine.tick_market import derived_minutes
    td = read_tick_day(syn_root, "2019-02-01", ["600570.SS"])
    bars = derived_minutes(td, 0)
    m = read_bars(syn_root / "minute" / "2019" / "2019-02-01.parquet").to_pandas()
    m = m[m.code == "600570.SS"].reset_index(drop=True)
    for f in ("open", "high", "low", "close"):
        np.testing.assert_allclose(bars[f], m[f].astype(float).to_numpy(), rtol=0, atol=1e-9)
    assert (bars["volume"] == m.volume.to_numpy()).all()


def test_snapshot_functions_outside_tick_runs_keep_their_behaviour(syn_root):
    src = '''
def initialize(context):
    pass
def handle_data(context, data):
    get_snapshot('600570.SS')
'''
    with pytest.raises(pf.errors.StrategyRuntimeError, match="live"):
        pf.run(src, start="2019-02-01", end="2019-02-01", frequency="1m", data=str(syn_root))


def test_tick_run_refuses_days_without_snapshots(syn_root):
    with pytest.raises(pf.errors.DataError, match="no snapshots for 1 trading day"):
        pf.run(INTERVALS, start="2019-01-30", end="2019-02-01", frequency="tick", data=str(syn_root))


@pytest.mark.parametrize("name", ["tick_ma.py", "large_order_tracking.py"])
def test_seed_tick_examples_run_unmodified_and_trade(syn_root, name):
    res = pf.run(str(EXAMPLES / name), start="2019-01-31", end="2019-02-01", frequency="tick", data=str(syn_root))
    orders, trades = res.orders, res.trades
    assert set(orders.symbol) == {"600570.XSHG"}
    assert orders.dt.min() >= pd.Timestamp("2019-01-31 09:30:03")
    assert len(trades) > 0 and (trades.side == "买").any()
    # Fills come from the books: at a price of the book seen at the fill's step, inside the day's limits.
    assert trades.price.between(11.0, 14.0).all()
    assert (trades.dt.dt.second % 3 == 0).all()
    if name == "large_order_tracking.py":
        # Ten large buy prints start the buy; ten large sells later the sale (refused: bought today, T+1).
        assert orders.amount.iloc[0] > 0 and orders.status.iloc[0] == "8"
        logs = res.logs[res.logs.message.str.startswith("Large order tracking")]
        assert logs.message.iloc[0].startswith("Large order tracking buy: accumulated 10 large buy orders")


PROBE = '''
def initialize(context):
    g.out = []
    set_universe('600570.SS')
    run_interval(context, probe, seconds=3600)

def probe(context):
    s = get_snapshot(['600000.SS', '600570.SS', '000001.SZ'])
    g.out.append((context.blotter.current_dt, sorted(s), s['600000.SS']['business_amount'],
                  s['600570.SS']['last_px'], get_gear_price('600000.SS')['bid_grp'][1][0]))
    g.ent = get_individual_entrust('600570.SS', data_count=3, search_direction=2)
    g.tr = get_individual_transaction(['600570.SS', '600000.SS'], data_count=2, start_pos=1)

def handle_data(context, data):
    pass
'''


def test_get_snapshot_loads_other_codes_and_level2_answers_up_to_now(tmp_path):
    from ptrade_fast.data.importers.ticks import import_trades
    from ptrade_fast.data.ticks import read_tick_day
    from tick_roots import REAL
    root = synthetic_tick_root(tmp_path)
    import_trades(REAL / "ticks.parquet", root, codes=["600000.SS"], days=["2019-02-01"])
    bt = Backtest(PROBE, start="2019-02-01", end="2019-02-01", frequency="tick", data=str(root))
    bt.run()
    out = bt.g.out
    assert [o[0] for o in out] == [pd.Timestamp(f"2019-02-01 {t}") for t in ("10:30:00", "11:30:00", "14:00:00")]
    prints = real_prints()
    td = read_tick_day(root, "2019-02-01")
    j = td.index["600570.SS"]
    for now, codes, volume, last, bid1 in out:
        assert codes == ["600000.SS", "600570.SS"]             # 000001.SZ has no snapshots: left out
        seen = prints[prints.datetime <= now]
        assert volume == seen.volume.sum()
        rows = td.rows(j)
        k = np.searchsorted(td.time[rows], (now - pd.Timestamp("2019-02-01")).total_seconds() * 1000, side="right")
        assert last == td.last[rows][k - 1] / 10000
        side = seen.side.iloc[-1]
        assert bid1 == round(seen.price.iloc[-1] - (0.01 if side == "B" else 0), 2)
    # The last probe (14:00:00): the latest three orders of 600570.SS up to then, oldest first.
    o = td.orders
    a, b = o["start"][j], o["start"][j + 1]
    upto = a + np.searchsorted(o["time"][a:b], 14 * 3_600_000, side="right")
    assert list(bt.g.ent.order_no) == list(o["order_no"][upto - 3:upto])
    assert list(bt.g.ent.columns) == ["code", "business_time", "hq_px", "business_amount", "order_no",
                                      "business_direction", "trans_kind"]
    assert bt.g.ent.business_time.iloc[-1] // 10**9 == 20190201 and bt.g.ent.business_time.iloc[-1] <= 20190201140000000
    # Forward from the day's start, skipping one: the 2nd and 3rd trades of each code.
    tr = bt.g.tr
    assert list(tr.code) == ["600570.SS", "600570.SS", "600000.SS", "600000.SS"]
    assert list(tr.hq_px[2:]) == list(prints.price.iloc[1:3])
    assert list(tr.trade_index) == [2, 3, 2, 3]


def test_tick_participation_option_is_checked():
    with pytest.raises(ValueError, match=r"option tick_participation must be a number in \(0, 1\], was 0"):
        pf.run(INTERVALS, frequency="tick", tick_participation=0)


LONG_CODE = '''
def initialize(context):
    g.seen = 0
    set_universe('600570.SS')

def tick_data(context, data):
    if '600570.XSHG' in data and data['600570.XSHG']['tick']['last_px'][0] > 0:
        g.seen += 1

def handle_data(context, data):
    pass
'''


def test_tick_data_accepts_either_suffix(syn_root):
    bt = Backtest(LONG_CODE, start="2019-02-01", end="2019-02-01", frequency="tick", data=str(syn_root))
    bt.run()
    # 200 call-auction steps 09:15:00 … 09:24:57 (the indicative price), 09:25:00, 4,799 steps 09:30:03 … 14:59:57.
    assert bt.g.seen == 5000


FRAME_VS_SNAPSHOT = '''
import ast
def initialize(context):
    g.checked = 0
    g.bad = []
    set_universe('600570.SS')

def tick_data(context, data):
    if g.checked >= 40 or context.blotter.current_dt.second % 57:
        return
    t = data['600570.SS']['tick']
    snap = get_snapshot('600570.SS')['600570.SS']
    frame = t.frame()
    if list(frame.columns) != list(snap):
        g.bad.append(('columns', list(frame.columns)))
    for k, v in snap.items():
        got = t[k][0]
        want = repr(v) if isinstance(v, dict) else v
        if got != want or frame[k][0] != want:
            g.bad.append((k, got, want))
    if ast.literal_eval(t['bid_grp'][0]) != get_gear_price('600570.SS')['bid_grp']:
        g.bad.append('gear')
    if t.loc[0, 'last_px'] != snap['last_px'] or t.iloc[0]['high_px'] != snap['high_px'] or len(t) != 1:
        g.bad.append('frame access')
    g.checked += 1

def handle_data(context, data):
    pass
'''


def test_the_tick_frame_is_the_snapshot(syn_root):
    bt = Backtest(FRAME_VS_SNAPSHOT, start="2019-02-01", end="2019-02-01", frequency="tick", data=str(syn_root),
                  options={"sandbox": False})
    bt.run()
    assert bt.g.checked == 40 and bt.g.bad == []


def test_a_tick_run_resumes_from_its_checkpoint(syn_root, tmp_path):
    src = str(EXAMPLES / "large_order_tracking.py")
    full = pf.run(src, start="2019-01-31", end="2019-02-01", frequency="tick", data=str(syn_root))
    bt = Backtest(src, start="2019-01-31", end="2019-02-01", frequency="tick", data=str(syn_root),
                  options={"checkpoint_every": 1, "checkpoint_dir": str(tmp_path)})
    bt.start()
    bt.step()
    resumed = Backtest.from_checkpoint(bt.last_checkpoint).run()
    assert resumed.trades.drop(columns=["trade_id"]).equals(full.trades.drop(columns=["trade_id"]))
    assert resumed.portfolio.equals(full.portfolio)


UNIVERSE_LATER = '''
def initialize(context):
    g.first = None
    set_universe('600570.SS')

def tick_data(context, data):
    if context.blotter.current_dt.strftime('%H:%M:%S') == '10:00:00':
        set_universe(['600570.SS', '600000.SS'])
    if '600000.SS' in data and g.first is None:
        g.first = (context.blotter.current_dt, data['600000.SS']['tick']['business_amount'][0])

def handle_data(context, data):
    pass
'''


def test_a_code_added_to_the_universe_during_the_day_appears_in_data(tmp_path):
    from ptrade_fast.data.importers.ticks import import_trades
    from tick_roots import REAL
    root = synthetic_tick_root(tmp_path)
    import_trades(REAL / "ticks.parquet", root, codes=["600000.SS"], days=["2019-02-01"])
    bt = Backtest(UNIVERSE_LATER, start="2019-02-01", end="2019-02-01", frequency="tick", data=str(root))
    bt.run()
    now, volume = bt.g.first
    assert now == pd.Timestamp("2019-02-01 10:00:03")
    prints = real_prints()
    assert volume == prints[prints.datetime <= now].volume.sum()


AUCTION = '''
def initialize(context):
    set_universe('600570.SS')

def before_trading_start(context, data):
    g.oid = order('600570.SS', 1000, limit_price=12.45)

def handle_data(context, data):
    pass

def after_trading_end(context, data):
    g.o = get_order(g.oid)[0]
'''


def test_an_order_before_the_open_joins_the_opening_auction(syn_root):
    from ptrade_fast.data.ticks import read_tick_day
    td = read_tick_day(syn_root, "2019-02-01", ["600570.SS"])
    a = 200                                                          # the 09:25:00 uncross snapshot
    assert td.time[a] == 9 * 3_600_000 + 25 * 60_000 and td.volume[a - 1] == 0
    bt = Backtest(AUCTION, start="2019-02-01", end="2019-02-01", frequency="tick", data=str(syn_root))
    res = bt.run()
    t = res.trades.reset_index(drop=True)
    # The auction uncrosses at the data's price and volume: the order gets the auction's whole volume there.
    assert t.dt[0] == pd.Timestamp("2019-02-01 09:25:00")
    assert t.price[0] == td.last[a] / 10000 and t.amount[0] == td.volume[a]
    # The remainder rests at its limit and fills from the first continuous snapshot on.
    assert t.dt[1] == pd.Timestamp("2019-02-01 09:30:03") and t.amount.sum() == 1000
    assert (t.price[1:] <= 12.45).all()
    assert bt.g.o.status == "8" and bt.g.o.filled == 1000
