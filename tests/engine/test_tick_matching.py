"""engine.tick_matching.TickMatcher and api.tick_orders: orders against recorded snapshots, through the
account's one fill path (ledger, fees, T+1, statuses, error_info)."""
import datetime as dt

import numpy as np
import pytest

from ptrade_fast import _core as pc
from ptrade_fast.api.tick_orders import TickOrderAPI
from ptrade_fast.api.trading import TradingAPI
from ptrade_fast.engine.account import Account
from ptrade_fast.engine.runtime import Runtime
from ptrade_fast.engine.tick_matching import Level1Book, TickMatcher, auction_window, closing_auction_in_force
from ptrade_fast.errors import LiveOnlyError, error_info

CNY = 10000
CODES = ["600000.SS", "000001.SZ", "110059.SS"]
DAY = dt.date(2024, 3, 4)


class Log:
    def __init__(self):
        self.lines = []

    def warning(self, msg):
        self.lines.append(msg)

    info = warning


class Store:
    codes = np.array(CODES, dtype=object)
    n_sids = 3
    root = "<test>"
    # The account's reverse repo desk reads the trading calendar (engine/repo.py).
    calendar = np.arange(np.datetime64("2024-01-02"), np.datetime64("2024-01-10")).astype("datetime64[D]")

    def instrument_arrays(self):
        return {"t0": np.array([0, 0, 1], np.uint8), "type": np.array(["stock", "stock", "cb"], dtype=object),
                "lot": np.array([100, 100, 10], np.int32), "min_buy": np.array([100, 100, 10], np.int32),
                "tick": np.array([100, 100, 10], np.int64),
                "exchange": np.array(["SSE", "SZSE", "SSE"], dtype=object)}

    def sid(self, code):
        return CODES.index(code) if code in CODES else -1


class Market:
    """What TradingAPI asks of the market view: listed, trading, no price limits, latest price 10."""

    def listing_state(self, sid):
        return "listed"

    def day_is_open(self, sid):
        return True

    def day_limits(self, sid):
        return 0, 0

    def current_price(self, sid):
        return 10.0


def book(bids=(), asks=()):
    arr = [np.zeros(5, np.int64) for _ in range(4)]
    for j, (p, v) in enumerate(bids):
        arr[0][j], arr[1][j] = round(p * CNY), v
    for j, (p, v) in enumerate(asks):
        arr[2][j], arr[3][j] = round(p * CNY), v
    return Level1Book(*arr)


BOOK = book(bids=[(9.99, 3000), (9.98, 5000)], asks=[(10.00, 2000), (10.01, 4000), (10.02, 1000)])


class Run:
    def __init__(self, cash=1_000_000, frequency="tick", now=dt.datetime(2024, 3, 4, 10, 0, 0), participation=1.0):
        self.log = Log()
        self.rt = Runtime(Store(), frequency, log=self.log)
        self.rt.phase, self.rt.bar_index, self.rt.trade_date, self.rt.now = "tick", 30, DAY, now
        self.acct = Account(self.rt, Store(), cash)
        self.acct.fees.commission_rate[:] = 0.0003
        self.acct.fees.min_commission[:] = 5 * CNY
        self.acct.fees.stamp_rate[:] = 0.001
        self.books = {0: BOOK, 1: BOOK, 2: BOOK}
        self.matcher = TickMatcher(self.acct, participation, current_book=self.books.get)
        self.trading = TradingAPI(self.rt, self.acct, Market())
        self.api = TickOrderAPI(self.rt, self.trading, self.acct, Market(),
                                self.matcher if frequency == "tick" else None)

    def at(self, hh, mm, ss=0):
        self.rt.now = dt.datetime(2024, 3, 4, hh, mm, ss)

    def order(self, code, amount, limit=None):
        return self.trading.order(code, amount, limit)

    def o(self, oid):
        return self.acct.order_object(self.acct.id_to_row[oid])

    def trades(self):
        return [(t[3], t[4], t[5], t[6]) for t in self.acct.trades]   # sid, side, qty, raw price


# -- arrival -------------------------------------------------------------------------------------------

def test_a_marketable_limit_buy_walks_the_asks_and_the_rest_waits_in_the_queue():
    r = Run()
    oid = r.order("600000.SS", 2500, 10.01)
    new = r.matcher.submit_new()
    assert [(t[5], t[6]) for t in new] == [(2000, 10 * CNY), (500, 10.01 * CNY)]
    o = r.o(oid)
    assert (o.status, o.filled) == ("8", 2500)
    assert r.acct.ledger.amount[0] == 2500 and r.acct.ledger.enable_amount[0] == 0     # T+1
    # fees per fill: 0.0003 x 20000 = 6, then the 5 CNY minimum on 5005
    assert r.acct.ledger.cash == (1_000_000 - 20000 - 5005 - 6 - 5) * CNY


def test_the_remainder_rests_behind_the_displayed_volume_and_fills_across_snapshots():
    r = Run()
    oid = r.order("600000.SS", 1000, 9.99)           # joins the back of bid 1: 3000 ahead
    assert r.matcher.submit_new() == []
    row = r.acct.id_to_row[oid]
    assert r.matcher.queue_ahead(oid) == (3000, True) and r.o(oid).status == "2"
    s1 = book(bids=[(9.99, 1500), (9.98, 5000)], asks=[(10.00, 2000)])
    px = np.array([9.99 * CNY], np.int64)
    # 2000 traded at 9.99: the queue 3000 -> 1000; the level fell by 1500 only (orders joined behind us),
    # less than the trades explain: no cancels inferred
    assert r.matcher.on_snapshot([0], [s1], [(px, np.array([2000]))]) == []
    assert r.matcher.queue_ahead(row) == (1000, True)
    # 1400 more: 1000 clear the queue, 400 fill us
    r.at(10, 0, 3)
    new = r.matcher.on_snapshot([0], [s1], [(px, np.array([1400]))])
    assert [(t[5], t[6]) for t in new] == [(400, 9.99 * CNY)]
    assert (r.o(oid).status, r.o(oid).filled) == ("7", 400)
    assert [o.id for o in r.trading.get_open_orders()] == [oid]
    # the ask falls onto our price: the rest fills at once, at our price
    s2 = book(bids=[(9.98, 5000)], asks=[(9.99, 800)])
    new = r.matcher.on_snapshot([0], [s2], [None])
    assert [(t[5], t[6]) for t in new] == [(600, 9.99 * CNY)]
    assert r.o(oid).status == "8" and r.matcher.n_resting == 0


def test_immediate_or_cancel_on_shenzhen_fills_what_the_book_shows_and_cancels_the_rest():
    r = Run()
    r.api.order_market("000001.SZ", 8000, 3)
    row = r.acct.book.n_orders - 1
    o = r.acct.order_object(row)
    assert (o.status, o.filled) == ("5", 7000)
    assert o.error_info == error_info(pc.R_IOC_REMAINDER)
    assert [(t[2], t[3]) for t in r.trades()] == [(2000, 10 * CNY), (4000, 10.01 * CNY), (1000, 10.02 * CNY)]


def test_fill_or_kill_that_cannot_fill_in_full_trades_nothing():
    r = Run()
    r.api.order_market("000001.SZ", -9000, 5)         # sell into 8000 of bids: no fill at all
    o = r.acct.order_object(r.acct.book.n_orders - 1)
    assert (o.status, o.filled, o.error_info) == ("6", 0, error_info(pc.R_FOK_UNFILLED))
    assert r.acct.trades == []


def test_best_five_then_limit_rests_at_the_last_fill_price_on_shanghai():
    r = Run()
    r.api.order_market("600000.SS", 8000, 1, limit_price=10.05)
    row = r.acct.book.n_orders - 1
    assert r.acct.order_object(row).status == "7" and r.acct.book.filled[row] == 7000
    assert r.matcher.queue_ahead(row) == (0, True)
    assert r.matcher._price[r.matcher._slot_of_row[row]] == 10.02 * CNY


def test_best_own_side_rests_without_filling():
    r = Run()
    r.api.order_market("000001.SZ", 500, 2)
    row = r.acct.book.n_orders - 1
    assert r.acct.order_object(row).status == "2" and r.matcher.queue_ahead(row) == (3000, True)


def test_a_buy_the_cash_cannot_pay_is_cut_in_whole_lots_and_ends():
    r = Run(cash=15_000)
    oid = r.order("600000.SS", 2000, 10.00)
    r.matcher.submit_new()
    o = r.o(oid)
    assert (o.status, o.filled, o.error_info) == ("5", 1400, error_info(pc.R_CASH_CLIPPED))


def test_sells_are_cut_to_the_sellable_position():
    r = Run()
    r.acct.ledger.set_position(0, 500, 300, 5000 * CNY, 10 * CNY)
    oid = r.order("600000.SS", -500, 9.98)
    r.matcher.submit_new()
    o = r.o(oid)
    assert (o.status, o.filled, o.error_info) == ("5", -300, error_info(pc.R_POSITION_CLIPPED))
    assert r.trades() == [(0, -1, 300, 9.99 * CNY)]


def test_cancel_order_takes_the_order_out_of_the_queue():
    r = Run()
    oid = r.order("600000.SS", 1000, 9.98)
    r.matcher.submit_new()
    assert r.matcher.n_resting == 1
    r.trading.cancel_order(oid)
    r.matcher.on_snapshot([0], [BOOK], [(np.array([9.98 * CNY], np.int64), np.array([10**6]))])
    assert r.matcher.n_resting == 0 and r.o(oid).status == "6" and r.acct.trades == []


# -- call auctions ------------------------------------------------------------------------------------------

def test_orders_before_0925_wait_for_the_opening_auction_and_share_its_volume():
    r = Run(now=dt.datetime(2024, 3, 4, 9, 16))
    a = r.order("600000.SS", 3000, 10.10)
    b = r.order("600000.SS", 2000, 10.00)
    c = r.order("600000.SS", 1000, 9.90)               # below the uncross price: no fill
    assert r.matcher.submit_new() == []
    r.at(9, 21)
    assert r.matcher.cancel(b) is False                 # 09:20-09:25: no cancels
    r.rt.phase = "handle"
    assert r.trading.cancel_order(b) is None and r.o(b).status == "2"     # cancel_order is refused too
    assert r.log.lines[-1].endswith("the order keeps waiting")
    r.rt.phase = "tick"
    r.at(9, 25)
    new = r.matcher.auction(0, 10 * CNY, 4000, which="open")
    assert [(t[1], t[5], t[6]) for t in new] == [(0, 3000, 10 * CNY), (1, 1000, 10 * CNY)]
    assert (r.o(a).status, r.o(b).status, r.o(c).status) == ("8", "7", "2")
    # the remainders rest at their limits, behind what the 09:25 book shows
    assert r.matcher.queue_ahead(b) == (0, True)      # 10.00 is the best ask: nobody on the bid side there
    assert r.matcher.queue_ahead(c) == (0, True)      # below a short bid side


def test_closing_auction_follows_the_dated_rules():
    assert closing_auction_in_force("000001.SZ", "stock", dt.date(2006, 7, 1))
    assert not closing_auction_in_force("000001.SZ", "stock", dt.date(2006, 6, 30))
    assert not closing_auction_in_force("600000.SS", "stock", dt.date(2018, 8, 17))
    assert closing_auction_in_force("600000.SS", "stock", dt.date(2018, 8, 20))
    assert not closing_auction_in_force("510300.SS", "etf", dt.date(2026, 7, 3))
    assert closing_auction_in_force("510300.SS", "etf", dt.date(2026, 7, 6))
    late = dt.datetime(2017, 3, 1, 14, 58)
    assert auction_window("600000.SS", "stock", late) is None
    assert auction_window("000001.SZ", "stock", late) == "close"
    assert auction_window("000001.SZ", "stock", dt.datetime(2017, 3, 1, 9, 24)) == "open"


def test_closing_auction_orders_fill_at_the_close_and_the_rest_waits_for_the_day_end():
    r = Run(now=dt.datetime(2024, 3, 4, 14, 58))
    r.acct.ledger.set_position(1, 1000, 1000, 9000 * CNY, 10 * CNY)
    oid = r.order("000001.SZ", -1000, 9.50)
    r.matcher.submit_new()
    assert r.matcher.cancel(oid) is False
    r.at(15, 0)
    new = r.matcher.auction(1, 9.80 * CNY, 600, which="close")
    assert [(t[5], t[6]) for t in new] == [(600, 9.80 * CNY)]
    assert r.o(oid).status == "7" and r.matcher.n_resting == 0


# -- the API -------------------------------------------------------------------------------------------------

def test_market_types_the_exchange_does_not_accept_are_rejected_with_status_9():
    r = Run()
    assert r.api.order_market("600000.SS", 100, 3, limit_price=10.1) is None
    o = r.acct.order_object(0)
    assert o.status == "9" and o.error_info == error_info(pc.R_MARKET_TYPE_REJECTED)
    r.api.order_market("000001.SZ", 100, 1)
    assert r.acct.order_object(1).status == "9"
    r.api.order_market("600000.SS", 100, 0)            # Shanghai without its protective price
    assert r.acct.order_object(2).error_info == error_info(pc.R_PROTECTION_REQUIRED)
    r.api.order_market("110059.SS", 10, 0, limit_price=10.1)    # convertible bonds: no market orders
    assert r.acct.order_object(3).error_info == error_info(pc.R_MARKET_TYPE_REJECTED)
    r.at(9, 27)
    r.api.order_market("000001.SZ", 100, 0)            # the pause before the open
    assert r.acct.order_object(4).status == "9"
    assert any("not accepted" in line for line in r.log.lines)
    with pytest.raises(ValueError, match="market_type must be an int 0..5"):
        r.api.order_market("000001.SZ", 100, 7)


def test_order_tick_prices_from_the_gear_of_the_current_book():
    r = Run()
    oid = r.api.order_tick("600000.SS", 300, "-2")     # a buy at ask 2 (10.01) takes 300 of ask 1 (10.00)
    assert r.o(oid).limit == 10.01 and r.trades() == [(0, 1, 300, 10 * CNY)]
    oid = r.api.order_tick("600000.SS", 300)           # bid 1 = 9.99: rests behind 3000
    assert r.matcher.queue_ahead(oid) == (3000, True)
    oid = r.api.order_tick("600000.SS", 300, "3")      # bid 3 is empty: rejected
    assert oid is None and r.acct.order_object(r.acct.book.n_orders - 1).status == "9"
    with pytest.raises(ValueError, match="Level-2 gear"):
        r.api.order_tick("600000.SS", 300, "-7")
    with pytest.raises(ValueError, match="priceGear"):
        r.api.order_tick("600000.SS", 300, "x")


def test_outside_the_tick_replay_both_functions_stay_live_only():
    r = Run(frequency="1m")
    r.rt.phase = "handle"
    with pytest.raises(LiveOnlyError, match="order_market"):
        r.api.order_market("000001.SZ", 100, 0)
    r.rt.phase = "tick"
    with pytest.raises(LiveOnlyError, match="order_tick"):
        r.api.order_tick("000001.SZ", 100)


def test_participation_shares_a_level_between_orders_of_one_snapshot():
    r = Run(participation=0.5)
    a = r.order("600000.SS", 800, 10.00)
    b = r.order("600000.SS", 800, 10.00)
    r.matcher.submit_new()
    assert (r.o(a).filled, r.o(b).filled) == (800, 200)   # half of the 2000 at 10.00 between them
    with pytest.raises(ValueError, match="participation"):
        TickMatcher(r.acct, 1.5)


def test_an_auction_order_cancelled_before_0920_takes_no_part():
    r = Run(now=dt.datetime(2024, 3, 4, 9, 16))
    a = r.order("600000.SS", 1000, 10.10)
    b = r.order("600000.SS", 1000, 10.10)
    r.matcher.submit_new()
    r.at(9, 18)
    r.rt.phase = "handle"
    r.trading.cancel_order(a)
    r.at(9, 25)
    new = r.matcher.auction(0, 10 * CNY, 1500, which="open")
    assert [(t[1], t[5]) for t in new] == [(r.acct.id_to_row[b], 1000)]
    assert (r.o(a).status, r.o(b).status) == ("6", "8")
    assert r.matcher._auction_of_row == {} and r.matcher._auction_price == {}


def test_the_next_interval_starts_from_the_book_the_order_arrived_at():
    r = Run()
    first = r.order("600000.SS", 100, 9.98)
    r.matcher.submit_new()
    r.trading.cancel_order(first)
    r.matcher.on_snapshot([0], [BOOK], [None])          # the matcher forgets the cancelled order
    assert r.matcher.active_sids() == []
    # much later the bid 9.98 shows 1000 when a new order joins it
    r.at(11, 0)
    later = book(bids=[(9.99, 3000), (9.98, 1000)], asks=[(10.00, 2000)])
    r.books[0] = later
    oid = r.order("600000.SS", 100, 9.98)
    r.matcher.submit_new()
    assert r.matcher.queue_ahead(oid) == (1000, True)
    # the level falls to 400 with no trade: 600 cancelled out of the 1000 (not out of the 5000 of 10:00)
    r.at(11, 0, 3)
    r.matcher.on_snapshot([0], [book(bids=[(9.99, 3000), (9.98, 400)], asks=[(10.00, 2000)])], [None])
    assert r.matcher.queue_ahead(oid) == (400, True)


def test_one_call_serves_several_securities_and_routes_each_its_own_trades():
    r = Run()
    oid = r.order("000001.SZ", 500, 9.98)              # sid 1, behind the 5000 at 9.98
    r.matcher.submit_new()
    assert r.matcher.active_sids() == [1]
    p = np.array([9.97 * CNY, 9.98 * CNY], np.int64)
    # sid 0 printed through 9.98 (not ours); sid 1 traded 5300 at 9.98: 300 beyond the queue are ours
    new = r.matcher.on_snapshot_arrays(
        [0, 1, 2], *(np.stack([getattr(BOOK, f)] * 3) for f in Level1Book._fields),
        trade_px=p, trade_vol=np.array([1000, 5300]), trade_start=np.array([0, 1, 2, 2]))
    assert [(t[3], t[5], t[6]) for t in new] == [(1, 300, 9.98 * CNY)]
    assert r.o(oid).filled == 300 and r.matcher.queue_ahead(oid) == (0, True)
    with pytest.raises(ValueError, match=r"bid_px must have shape \(3, 5\)"):
        r.matcher.on_snapshot_arrays([0, 1, 2], np.zeros((2, 5)), *(np.zeros((3, 5)),) * 3)
