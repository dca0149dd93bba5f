"""The opening call auction in a tick replay: the seed example auction_limit_up.py (run_daily at 09:23,
get_snapshot, a buy at the limit-up) run unmodified on synthetic ticks, what a 09:23 run_daily and tick_data see
of the auction snapshots, and where orders placed in the auction go (the matcher's opening auction)."""
import numpy as np
import pandas as pd
import pytest

import ptrade_fast as pf
from engine_data import backtest, make_root, weekdays
from ptrade_fast.engine.runner import Backtest
from ptrade_fast.data.synthetic.ticks import add_ticks
from ptrade_fast.data.ticks import read_tick_day
from ptrade_fast.examples import __file__ as _examples_init

EXAMPLE = __import__("pathlib").Path(_examples_init).parent / "auction_limit_up.py"
DAYS = weekdays("2024-03-04", 3)
LIMIT_DAY, PLAIN_DAY = DAYS[1], DAYS[2]
A = 200                       # rows 0 … 199: 09:15:00 … 09:24:57; row 200: the 09:25:00 uncross
MS_0923 = (9 * 60 + 23) * 60_000


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """600570.SS: closes 10.00, then a day opening (and staying) at its limit-up 11.00, then a day opening at
    11.20 under its limit 12.10; synthetic ticks of the last two days."""
    bars = [{"close": 10.0},
            {"open": 11.0, "high": 11.0, "low": 11.0, "close": 11.0, "volume": 2_000_000},
            {"open": 11.2, "high": 11.5, "low": 11.0, "close": 11.3, "volume": 2_000_000}]
    r = make_root(tmp_path_factory.mktemp("auction"), DAYS, {"600570.SS": bars})
    add_ticks(r, ["600570.SS"], days=[LIMIT_DAY, PLAIN_DAY], seed=1)
    return r


def _day(root, day):
    td = read_tick_day(root, day, ["600570.SS"])
    assert td.time[A] == 9 * 3_600_000 + 25 * 60_000
    return td


def test_the_limit_up_day_opens_at_the_limit_and_its_auction_shows_it(root):
    td = _day(root, LIMIT_DAY)
    assert td.up[0] == 110_000 and td.last[A] == 110_000 and td.volume[A] >= 100
    k = int(np.searchsorted(td.time, MS_0923))
    assert td.time[k] == MS_0923 and td.last[k] == td.up[k] and td.volume[k] == 0
    plain = _day(root, PLAIN_DAY)
    assert plain.up[0] == 121_000 and plain.last[k] == plain.last[A] == 112_000


def test_example_buys_at_the_limit_up_in_the_opening_auction(root):
    res = pf.run(str(EXAMPLE), start=str(LIMIT_DAY), end=str(LIMIT_DAY), frequency="tick", data=str(root),
                 benchmark=None)
    td = _day(root, LIMIT_DAY)
    o = res.orders.reset_index(drop=True)
    assert len(o) == 1 and o.amount[0] == 100 and o.symbol[0] == "600570.XSHG"
    assert o.dt[0] == pd.Timestamp(f"{LIMIT_DAY} 09:23:00") and o.limit[0] == 11.0
    t = res.trades.reset_index(drop=True)
    # Filled by the opening auction's uncross at 09:25:00, at the auction price (the open, the limit-up).
    assert len(t) == 1 and t.dt[0] == pd.Timestamp(f"{LIMIT_DAY} 09:25:00")
    assert t.price[0] == td.last[A] / 10_000 == 11.0 and t.amount[0] == 100 and t.side[0] == "买"
    assert not res.logs.message.str.contains("outside the backtest session").any()


def test_example_places_no_order_on_a_day_not_at_the_limit(root):
    res = pf.run(str(EXAMPLE), start=str(PLAIN_DAY), end=str(PLAIN_DAY), frequency="tick", data=str(root),
                 benchmark=None)
    assert len(res.orders) == 0 and len(res.trades) == 0


PROBE = '''
def initialize(context):
    g.seen, g.ticks = [], []
    set_universe('600570.SS')
    run_daily(context, look, time='9:23')

def look(context):
    s = get_snapshot('600570.SS')['600570.SS']
    g.seen.append((str(context.blotter.current_dt), s['hsTimeStamp'], s['last_px'], s['business_amount'],
                   s['bid_grp'][1][0], s['offer_grp'][1][0], s['trade_status']))

def tick_data(context, data):
    if len(g.ticks) < 202:
        g.ticks.append((str(context.blotter.current_dt), float(data['600570.SS']['tick']['last_px'][0])))

def handle_data(context, data):
    pass
'''


def test_a_0923_run_daily_sees_the_0923_snapshot_and_tick_data_every_auction_step(root):
    bt = backtest(PROBE, root, start=str(PLAIN_DAY), end=str(PLAIN_DAY), frequency="tick")
    td = _day(root, PLAIN_DAY)
    k = int(np.searchsorted(td.time, MS_0923))
    (now, stamp, last, amount, bid1, ask1, status), = bt.g.seen
    assert now == f"{PLAIN_DAY} 09:23:00" and stamp == int(PLAIN_DAY.strftime("%Y%m%d")) * 10**9 + 92300000
    assert last == td.last[k] / 10_000 == bid1 == ask1 and amount == 0 and status == "OCALL"
    ticks = bt.g.ticks
    assert ticks[0] == (f"{PLAIN_DAY} 09:15:00", td.last[0] / 10_000)
    assert ticks[160] == (f"{PLAIN_DAY} 09:23:00", td.last[k] / 10_000)
    assert ticks[199][0] == f"{PLAIN_DAY} 09:24:57" and ticks[200][0] == f"{PLAIN_DAY} 09:25:00"
    assert ticks[201][0] == f"{PLAIN_DAY} 09:30:03"
    assert [p for _, p in ticks[:A]] == (td.last[:A] / 10_000).tolist()


NO_CANCEL = '''
def initialize(context):
    set_universe('600570.SS')
    run_daily(context, early, time='9:16')
    run_daily(context, place, time='9:21')
    run_daily(context, withdraw, time='9:22')

def early(context):
    g.early = order('600570.SS', 200, limit_price=11.0)
    cancel_order(g.early)
    g.early_status = get_order(g.early)[0].status

def place(context):
    g.oid = order('600570.SS', 100, limit_price=11.3)

def withdraw(context):
    cancel_order(g.oid)
    g.status_0922 = get_order(g.oid)[0].status

def handle_data(context, data):
    pass

def after_trading_end(context, data):
    g.o = get_order(g.oid)[0]
'''


def test_orders_in_the_auction_wait_for_its_uncross_and_cannot_be_cancelled_from_0920(root):
    bt = Backtest(NO_CANCEL, start=str(PLAIN_DAY), end=str(PLAIN_DAY), frequency="tick", data=str(root),
                  benchmark=None)
    res = bt.run()
    td = _day(root, PLAIN_DAY)
    assert bt.g.early_status == "6"                        # 09:16: cancels are still allowed
    assert bt.g.status_0922 == "2"                         # 09:22: refused, the order keeps waiting
    assert res.logs.message.str.contains("no cancellation in the call auction between 09:20 and 09:25").any()
    # The uncross at 09:25:00 fills it at the auction price (the open), below its 11.30 limit.
    assert bt.g.o.filled == 100 and bt.g.o.status == "8"
    t = res.trades.reset_index(drop=True)
    assert len(t) == 1 and t.dt[0] == pd.Timestamp(f"{PLAIN_DAY} 09:25:00") and t.amount[0] == 100
    assert t.price[0] == td.last[A] / 10_000 == 11.2
