"""ptrade_fast._core.tickmatch: hand-computed cases, then agreement with the plain-Python reference model over
random order sequences and random book paths (tests/reference/tickmatch_model.py)."""
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ptrade_fast import _core as pc
from ptrade_fast._core import tickmatch as tm

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reference"))
import tickmatch_model as ref  # noqa: E402

BUY, SELL = 1, -1
FULL = tm.PPM
I64 = np.int64


def side_arrays(levels):
    px = np.zeros(5, I64)
    vol = np.zeros(5, I64)
    for j, (p, v) in enumerate(levels):
        px[j], vol[j] = p, v
    return px, vol


class Book:
    def __init__(self, bids=(), asks=()):
        self.bid_px, self.bid_vol = side_arrays(bids)
        self.ask_px, self.ask_vol = side_arrays(asks)

    def as_dict(self):
        return {k: [int(x) for x in getattr(self, k)] for k in ("bid_px", "bid_vol", "ask_px", "ask_vol")}


def arrive(book, side, limit, qty, mtype=tm.LIMIT, ppm=FULL, taken=None):
    bt, at = taken if taken is not None else (np.zeros(5, I64), np.zeros(5, I64))
    opx, oq = np.zeros(5, I64), np.zeros(5, I64)
    n, outcome, reason, rest, ahead, known = tm.arrive(side, limit, qty, mtype, book.bid_px, book.bid_vol,
                                                       book.ask_px, book.ask_vol, bt, at, ppm, opx, oq)
    return [(int(opx[k]), int(oq[k])) for k in range(n)], outcome, reason, rest, ahead, known


class Resting:
    """The kernel's order arrays for one security, driven like the engine adaptor drives them."""

    def __init__(self):
        self.side, self.price, self.rem, self.ahead, self.known = [], [], [], [], []

    def add(self, side, price, qty, ahead, known=True):
        for a, v in ((self.side, side), (self.price, price), (self.rem, qty), (self.ahead, ahead),
                     (self.known, int(known))):
            a.append(v)
        return len(self.side) - 1

    def step(self, prev, new, trades=(), ppm=FULL, taken=None):
        side = np.array(self.side, np.int8)
        price = np.array(self.price, I64)
        rem = np.array(self.rem, I64)
        ahead = np.array(self.ahead, I64)
        known = np.array(self.known, np.uint8)
        idx = np.array([k for k in range(len(side)) if rem[k] > 0], I64)
        tpx = np.array([p for p, _ in trades], I64)
        tvol = np.array([v for _, v in trades], I64)
        oo, oq = np.zeros(len(side), I64), np.zeros(len(side), I64)
        bt, at = taken if taken is not None else (np.zeros(5, I64), np.zeros(5, I64))
        n = tm.step(side, price, rem, ahead, known, idx, prev.bid_px, prev.bid_vol, prev.ask_px, prev.ask_vol,
                    new.bid_px, new.bid_vol, new.ask_px, new.ask_vol, tpx, tvol, bt, at, ppm, oo, oq)
        self.rem, self.ahead, self.known = rem.tolist(), ahead.tolist(), known.tolist()
        return [(int(oo[k]), int(oq[k])) for k in range(n)]


BOOK = Book(bids=[(1000, 300), (999, 500), (998, 700)], asks=[(1001, 200), (1002, 400), (1003, 100)])


# -- arrival -------------------------------------------------------------------------------------------

def test_marketable_limit_walks_the_asks_up_to_its_limit_and_rests_the_rest_with_an_empty_queue():
    fills, outcome, reason, rest, ahead, known = arrive(BOOK, BUY, 1002, 900)
    assert fills == [(1001, 200), (1002, 400)]
    assert (outcome, reason, rest, ahead, known) == (tm.REST, 0, 1002, 0, True)


def test_passive_limit_joins_the_back_of_its_level():
    assert arrive(BOOK, BUY, 999, 100)[1:] == (tm.REST, 0, 999, 500, True)
    assert arrive(BOOK, SELL, 1002, 100)[1:] == (tm.REST, 0, 1002, 400, True)
    # inside the spread or in a gap of the displayed levels: nobody ahead
    assert arrive(Book(bids=[(1000, 300), (998, 5)]), BUY, 999, 100)[4:] == (0, True)
    # beyond a full five-level side: the queue is not visible yet
    full = Book(bids=[(1000 - k, 10) for k in range(5)], asks=[(1001, 10)])
    assert arrive(full, BUY, 990, 100)[4:] == (0, False)
    # beyond a short side: nothing is there
    assert arrive(BOOK, BUY, 990, 100)[4:] == (0, True)


def test_crossing_on_arrival_shares_each_level_between_our_orders():
    taken = (np.zeros(5, I64), np.zeros(5, I64))
    assert arrive(BOOK, BUY, 1001, 150, taken=taken)[0] == [(1001, 150)]
    assert arrive(BOOK, BUY, 1001, 150, taken=taken)[0] == [(1001, 50)]
    assert taken[1].tolist() == [200, 0, 0, 0, 0]


def test_participation_caps_what_a_level_gives():
    fills = arrive(BOOK, SELL, 998, 2000, ppm=250_000)[0]
    assert fills == [(1000, 75), (999, 125), (998, 175)]


def test_market_types():
    # 0 对手方最优: the best ask only, the remainder rests there with nobody ahead
    assert arrive(BOOK, BUY, 0, 500, tm.BEST_COUNTER) == ([(1001, 200)], tm.REST, 0, 1001, 0, True)
    # 1 最优五档即时成交剩余转限价: walks, the remainder rests at the last fill price
    assert arrive(BOOK, BUY, 0, 800, tm.BEST5_TO_LIMIT) == (
        [(1001, 200), (1002, 400), (1003, 100)], tm.REST, 0, 1003, 0, True)
    # 2 本方最优: rests at the bid, behind the displayed 300
    assert arrive(BOOK, BUY, 0, 500, tm.BEST_OWN) == ([], tm.REST, 0, 1000, 300, True)
    # 3 / 4: walk then cancel the remainder
    for mt in (tm.IOC, tm.BEST5_IOC):
        assert arrive(BOOK, SELL, 0, 2000, mt) == (
            [(1000, 300), (999, 500), (998, 700)], tm.CANCEL, pc.R_IOC_REMAINDER, 0, 0, True)
    # 5 全额成交或撤单: too big -> nothing at all; fits -> all of it
    assert arrive(BOOK, BUY, 0, 701, tm.FOK) == ([], tm.CANCEL, pc.R_FOK_UNFILLED, 0, 0, True)
    assert arrive(BOOK, BUY, 0, 700, tm.FOK)[:2] == ([(1001, 200), (1002, 400), (1003, 100)], tm.DONE)
    # the protective price bounds the walk
    assert arrive(BOOK, BUY, 1001, 700, tm.FOK)[1:3] == (tm.CANCEL, pc.R_FOK_UNFILLED)
    assert arrive(BOOK, BUY, 1002, 700, tm.BEST5_IOC)[0] == [(1001, 200), (1002, 400)]


def test_market_orders_without_a_quote_are_cancelled():
    empty_asks = Book(bids=[(1000, 300)])
    for mt in (tm.BEST_COUNTER, tm.BEST5_TO_LIMIT, tm.IOC, tm.BEST5_IOC):
        assert arrive(empty_asks, BUY, 0, 100, mt)[1:3] == (tm.CANCEL, pc.R_NO_COUNTERPARTY)
    assert arrive(empty_asks, SELL, 0, 100, tm.BEST_OWN)[1:3] == (tm.CANCEL, pc.R_NO_COUNTERPARTY)
    # a protective price the best quote violates
    assert arrive(BOOK, BUY, 1000, 100, tm.BEST_COUNTER)[1:3] == (tm.CANCEL, pc.R_NO_COUNTERPARTY)


def test_arrive_rejects_bad_arguments():
    with pytest.raises(ValueError, match="mtype"):
        arrive(BOOK, BUY, 1000, 100, 6)
    with pytest.raises(ValueError, match="limit must be > 0"):
        arrive(BOOK, BUY, 0, 100, tm.LIMIT)
    with pytest.raises(ValueError, match="participation"):
        arrive(BOOK, BUY, 1000, 100, ppm=FULL + 1)
    with pytest.raises(ValueError, match="side"):
        arrive(BOOK, 0, 1000, 100)


# -- resting orders --------------------------------------------------------------------------------------

def test_queue_position_after_partial_trades_then_fill_across_snapshots():
    r = Resting()
    o = r.add(BUY, 999, 400, 500)                  # behind 500 at 999
    s1 = Book(bids=[(1000, 300), (999, 300)], asks=[(1001, 200)])
    # 200 traded at 999: the queue 500 -> 300; the level 500 -> 300 is fully explained by trades
    assert r.step(BOOK, s1, [(999, 200)]) == []
    assert r.ahead[o] == 300
    # 450 more at 999: 300 clear the queue, 150 fill us (partial), the level shows 100 left... behind us
    s2 = Book(bids=[(1000, 300), (999, 100)], asks=[(1001, 200)])
    assert r.step(s1, s2, [(999, 250), (999, 200)]) == [(o, 150)]
    assert (r.rem[o], r.ahead[o]) == (250, 0)
    # next interval: 300 at 999 -> the rest (250) fills
    assert r.step(s2, s2, [(999, 300)]) == [(o, 250)]
    assert r.rem[o] == 0


def test_cancels_advance_the_queue_proportionally_and_conservatively():
    r = Resting()
    o = r.add(SELL, 1002, 100, 300)               # 300 ahead out of a level of 400
    new = Book(bids=[(1000, 300)], asks=[(1001, 200), (1002, 150), (1003, 100)])
    # level 400 -> 150 with 50 traded at 1002: 50 from the queue, then 200 cancelled out of the 350 left;
    # ahead 250 - floor(200 * 250 / 350) = 250 - 142 = 108, then capped by the displayed 150
    assert r.step(BOOK, new, [(1002, 50)]) == []
    assert r.ahead[o] == 108
    # the level vanishes inside the displayed range: everyone ahead cancelled
    gone = Book(bids=[(1000, 300)], asks=[(1001, 200), (1003, 100)])
    r.step(new, gone)
    assert r.ahead[o] == 0


def test_opposite_side_crossing_fills_at_our_price():
    r = Resting()
    o = r.add(BUY, 1000, 500, 300)
    crossed = Book(bids=[(999, 100)], asks=[(999, 200), (1000, 100), (1001, 50)])
    taken = (np.zeros(5, I64), np.array([50, 0, 0, 0, 0], I64))     # an arrival already took 50 at 999
    assert r.step(BOOK, crossed, taken=taken) == [(o, 250)]
    assert r.rem[o] == 250 and taken[1].tolist() == [200, 100, 0, 0, 0]


def test_trades_through_our_price_fill_us_nearest_first_and_share_with_lower_orders():
    r = Resting()
    hi = r.add(BUY, 1000, 100, 10**6)             # huge queue: only through trades can fill it
    lo = r.add(BUY, 998, 100, 10**6)
    fills = r.step(BOOK, BOOK, [(999, 80), (997, 100)])
    # the 1000 buy takes the 999 print first (nearest) then 20 of 997; the 998 buy gets the other 80 of 997
    assert fills == [(hi, 100), (lo, 80)]


def test_unknown_queue_becomes_known_when_the_level_shows():
    r = Resting()
    full = Book(bids=[(1000 - k, 10) for k in range(5)], asks=[(1001, 10)])
    o = r.add(BUY, 990, 100, 0, known=False)
    assert r.step(full, full, [(990, 500)]) == []          # at-price prints do not fill an unknown queue
    shown = Book(bids=[(992, 10), (991, 10), (990, 70)], asks=[(993, 10)])
    r.step(full, shown)
    assert (r.known[o], r.ahead[o]) == (1, 70)


def test_orders_at_one_price_fill_in_time_order():
    r = Resting()
    a = r.add(SELL, 1001, 100, 200)
    b = r.add(SELL, 1001, 100, 200)
    assert r.step(BOOK, BOOK, [(1001, 350)]) == [(a, 100), (b, 50)]


def test_participation_caps_trades():
    r = Resting()
    o = r.add(BUY, 1000, 1000, 0)
    assert r.step(BOOK, BOOK, [(1000, 400)], ppm=250_000) == [(o, 100)]


# -- auctions ----------------------------------------------------------------------------------------------

def run_auction(orders, price, volume, ppm=FULL):
    side = np.array([o[0] for o in orders], np.int8)
    px = np.array([o[1] for o in orders], I64)
    rem = np.array([o[2] for o in orders], I64)
    oo, oq = np.zeros(len(orders), I64), np.zeros(len(orders), I64)
    n = tm.auction(side, px, rem, np.arange(len(orders), dtype=I64), price, volume, ppm, oo, oq)
    return [(int(oo[k]), int(oq[k])) for k in range(n)], rem.tolist()


def test_auction_allocates_by_price_then_time_within_the_traded_volume():
    orders = [(BUY, 1000, 300), (BUY, 0, 200), (BUY, 1010, 300), (BUY, 990, 500), (SELL, 1000, 100),
              (SELL, 1005, 100)]
    fills, rem = run_auction(orders, 1000, 600)
    # buys: unpriced 200, then 1010 -> 300, then 1000 -> the last 100 of 600; 990 is below the price
    assert fills == [(1, 200), (2, 300), (0, 100), (4, 100)]
    assert rem == [200, 0, 0, 500, 0, 100]


def test_auction_rejects_a_bad_price():
    with pytest.raises(ValueError, match="price > 0"):
        run_auction([(BUY, 1000, 100)], 0, 100)


# -- agreement with the reference model ------------------------------------------------------------------

@st.composite
def books(draw, mid):
    def side(sign):
        depth = draw(st.integers(0, 5))
        start = mid - draw(st.integers(0, 2)) if sign < 0 else mid + 1 + draw(st.integers(0, 2))
        out, p = [], start
        for _ in range(depth):
            out.append((p, draw(st.integers(1, 60))))
            p += sign * draw(st.integers(1, 2))
        return [lv for lv in out if lv[0] > 0]
    return Book(bids=side(-1), asks=side(1))


price_move = st.integers(-2, 2)
arrival = st.tuples(st.sampled_from([BUY, SELL]), st.integers(-4, 4), st.integers(1, 150),
                    st.sampled_from([tm.LIMIT, 0, 1, 2, 3, 4, 5]), st.booleans())
interval = st.lists(st.tuples(st.integers(-4, 4), st.integers(0, 80)), max_size=6)


@st.composite
def paths(draw):
    mid = 100
    ppm = draw(st.sampled_from([FULL, 500_000, 333_333]))
    first = draw(books(mid))
    events = []
    for _ in range(draw(st.integers(1, 10))):
        arrivals = draw(st.lists(arrival, max_size=4))
        mid += draw(price_move)
        events.append((arrivals, draw(interval), mid, draw(books(mid))))
    return ppm, first, events


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paths())
def test_kernel_agrees_with_the_reference_over_random_paths(path):
    ppm, book, events = path
    kern = Resting()
    model = []
    mid = 100
    kt = (np.zeros(5, I64), np.zeros(5, I64))
    rt = ([0] * 5, [0] * 5)
    for arrivals, trades, new_mid, new_book in events:
        d = book.as_dict()
        for side, off, qty, mtype, protect in arrivals:
            limit = mid + off if mtype == tm.LIMIT or protect else 0
            got = arrive(book, side, limit, qty, mtype, ppm, kt)
            want = ref.arrive(side, limit, qty, mtype, d["bid_px"], d["bid_vol"], d["ask_px"], d["ask_vol"],
                              rt[0], rt[1], ppm)
            assert got == want
            assert (kt[0].tolist(), kt[1].tolist()) == (rt[0], rt[1])
            fills, outcome, _, rest, ahead, known = got
            if outcome == tm.REST:
                left = qty - sum(q for _, q in fills)
                kern.add(side, rest, left, ahead, known)
                model.append({"side": side, "price": rest, "rem": left, "ahead": ahead, "known": known})
        tr = [(new_mid + off, v) for off, v in trades]
        # the next snapshot: crossing takes come first, arrivals at that snapshot see what is left
        kt = (np.zeros(5, I64), np.zeros(5, I64))
        rt = ([0] * 5, [0] * 5)
        got = kern.step(book, new_book, tr, ppm, kt)
        want = ref.step(model, book.as_dict(), new_book.as_dict(), tr, ppm, rt)
        assert got == want
        assert (kt[0].tolist(), kt[1].tolist()) == (rt[0], rt[1])
        # never more than the new book displayed plus what traded, per side
        traded = sum(v for _, v in tr)
        for sd, shown in ((BUY, int(new_book.ask_vol.sum())), (SELL, int(new_book.bid_vol.sum()))):
            assert sum(q for k, q in got if kern.side[k] == sd) <= shown + traded
        assert kern.rem == [o["rem"] for o in model]
        assert kern.ahead == [o["ahead"] for o in model]
        assert kern.known == [int(o["known"]) for o in model]
        book, mid = new_book, new_mid


auction_order = st.tuples(st.sampled_from([BUY, SELL]), st.one_of(st.just(0), st.integers(95, 105)),
                          st.integers(1, 300))


@settings(max_examples=400, deadline=None)
@given(st.lists(auction_order, max_size=12), st.integers(95, 105), st.integers(0, 1000),
       st.sampled_from([FULL, 400_000]))
def test_auction_agrees_with_the_reference(orders, price, volume, ppm):
    got, rem = run_auction(orders, price, volume, ppm)
    model = [{"side": s, "price": p, "rem": q} for s, p, q in orders]
    assert got == ref.auction(model, price, volume, ppm)
    assert rem == [o["rem"] for o in model]


resting_order = st.tuples(st.sampled_from([BUY, SELL]), st.integers(95, 106), st.integers(0, 120),
                          st.integers(0, 80), st.booleans())


@st.composite
def securities(draw):
    out = []
    for _ in range(draw(st.integers(0, 5))):
        prev, new = draw(books(100)), draw(books(100 + draw(price_move)))
        orders = draw(st.lists(resting_order, max_size=6))
        trades = draw(st.lists(st.tuples(st.integers(96, 105), st.integers(0, 80)), max_size=5))
        out.append((prev, new, orders, trades))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(securities(), st.sampled_from([FULL, 500_000]))
def test_step_many_equals_step_per_security(secs, ppm):
    flat = [o for _, _, orders, _ in secs for o in orders]
    side = np.array([o[0] for o in flat], np.int8)
    price = np.array([o[1] for o in flat], I64)
    arrays = {k: np.array([o[j] for o in flat], I64) for k, j in (("rem", 2), ("ahead", 3))}
    known = np.array([o[4] for o in flat], np.uint8)
    # one security at a time
    rem1, ahead1, known1 = arrays["rem"].copy(), arrays["ahead"].copy(), known.copy()
    want, start = [], 0
    taken1 = []
    for prev, new, orders, trades in secs:
        idx = np.arange(start, start + len(orders), dtype=I64)
        start += len(orders)
        bt, at = np.zeros(5, I64), np.zeros(5, I64)
        oo, oq = np.zeros(max(1, len(orders)), I64), np.zeros(max(1, len(orders)), I64)
        n = tm.step(side, price, rem1, ahead1, known1, idx, prev.bid_px, prev.bid_vol, prev.ask_px, prev.ask_vol,
                    new.bid_px, new.bid_vol, new.ask_px, new.ask_vol, np.array([p for p, _ in trades], I64),
                    np.array([v for _, v in trades], I64), bt, at, ppm, oo, oq)
        want += [(int(oo[k]), int(oq[k])) for k in range(n)]
        taken1.append((bt.tolist(), at.tolist()))
    # all at once
    g = len(secs)
    idx_start = np.cumsum([0] + [len(o) for _, _, o, _ in secs]).astype(I64)
    trade_start = np.cumsum([0] + [len(t) for _, _, _, t in secs]).astype(I64)

    def stack(which, field):
        return np.array([getattr(s[which], field) for s in secs], I64).reshape(g, 5)
    bt, at = np.zeros((g, 5), I64), np.zeros((g, 5), I64)
    rem2, ahead2, known2 = arrays["rem"].copy(), arrays["ahead"].copy(), known.copy()
    oo, oq = np.zeros(max(1, len(flat)), I64), np.zeros(max(1, len(flat)), I64)
    n = tm.step_many(side, price, rem2, ahead2, known2, np.arange(len(flat), dtype=I64), idx_start,
                     stack(0, "bid_px"), stack(0, "bid_vol"), stack(0, "ask_px"), stack(0, "ask_vol"),
                     stack(1, "bid_px"), stack(1, "bid_vol"), stack(1, "ask_px"), stack(1, "ask_vol"),
                     np.array([p for *_, t in secs for p, _ in t], I64),
                     np.array([v for *_, t in secs for _, v in t], I64), trade_start, bt, at, ppm, oo, oq)
    assert [(int(oo[k]), int(oq[k])) for k in range(n)] == want
    assert (rem2.tolist(), ahead2.tolist(), known2.tolist()) == (rem1.tolist(), ahead1.tolist(), known1.tolist())
    assert [(bt[k].tolist(), at[k].tolist()) for k in range(g)] == taken1


def test_step_many_checks_its_offsets():
    z = np.zeros((1, 5), I64)
    one = np.ones(1, I64)
    with pytest.raises(ValueError, match="out of order or range"):
        tm.step_many(np.ones(1, np.int8), one, one.copy(), one.copy(), np.ones(1, np.uint8), np.zeros(1, I64),
                     np.array([0, 2], I64), z, z, z, z, z, z, z, z, np.zeros(0, I64), np.zeros(0, I64),
                     np.array([0, 0], I64), z.copy(), z.copy(), FULL, np.zeros(1, I64), np.zeros(1, I64))
