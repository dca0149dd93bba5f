"""The _core kernels agree exactly with the plain-Python model over random operation sequences."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ptrade_fast._core.fills import FillBuffer, MatchParams
from ptrade_fast._core.book import OrderBook
from ptrade_fast._core.fees import FeeTable
from ptrade_fast._core.futures import FuturesFeeTable, FuturesLedger
from ptrade_fast._core.ledger import Ledger
from ptrade_fast._core.margin import MarginLedger

from model import RefBook, RefFutures, RefLedger, RefMargin, fees_of

N_SIDS = 4
LOTS = [100, 100, 10, 1]
CNY = 10000

# -- strategies ------------------------------------------------------------------------------------

fee_row = st.fixed_dictionaries(dict(
    commission_rate=st.sampled_from([0.0, 0.0003, 0.00025, 0.001]),
    min_commission=st.sampled_from([0, 5 * CNY, 1 * CNY]),
    handling_rate=st.sampled_from([0.0, 0.0000487]),
    transfer_rate=st.sampled_from([0.0, 0.00001, 0.00002]),
    stamp_rate=st.sampled_from([0.0, 0.001, 0.0005]),
))

match_params = st.fixed_dictionaries(dict(
    volume_ratio=st.sampled_from([0.25, 0.5, 1.0, 0.01]),
    limit_mode=st.sampled_from([0, 0, 1]),
    slippage_kind=st.sampled_from([0, 1, 2]),
    slippage_ratio=st.sampled_from([0.0, 0.001, 0.002, 0.01]),
    slippage_fixed=st.sampled_from([0, 1, 3, 100, 200]),
    block_limit_locked=st.booleans(),
    shared_volume_cap=st.booleans(),
    limit_touch=st.sampled_from([0, 1]),
))

price = st.integers(1, 3000).map(lambda k: k * 100)          # 0.01 .. 30 CNY on a 0.01 tick
tick_delta = st.integers(-4, 4)                                # prices are drawn near each sid's base
amounts = st.one_of(st.integers(1, 3000), st.integers(1, 40).map(lambda k: k * 100))

# Limit prices and bar prices are ticks away from the sid's base price, so limits are sometimes reached.
add_op = st.tuples(st.just("add"), st.integers(0, N_SIDS - 1), st.sampled_from([1, -1]), amounts,
                   st.one_of(st.none(), tick_delta))
reject_op = st.tuples(st.just("reject"), st.integers(-1, N_SIDS - 1), st.sampled_from([1, -1]),
                      st.integers(-5, 500), st.sampled_from([20, 21, 24, 25, 29]))
cancel_op = st.tuples(st.just("cancel"), st.integers(0, 10**6))
day_op = st.tuples(st.just("day"))


def bar_op_for(n_sids):
    return st.tuples(st.just("bar"), st.lists(st.tuples(
        tick_delta,                                                     # close
        st.integers(0, 3), st.integers(0, 3),                           # high, low spread
        st.sampled_from([0, 1, 50, 399, 400, 1000, 10**4, 10**5, 10**7, 10**7]),
        st.sampled_from([None, None, None, 0, 1, -1]),                  # high_limit vs close
        st.sampled_from([None, None, None, 0, 1, -1]),                  # low_limit vs close
        st.sampled_from([1, 1, 1, 1, 1, 0])), min_size=n_sids, max_size=n_sids))


bar_op = bar_op_for(N_SIDS)

# one_of does not weight repeated branches; choose the kind first so days (which cancel everything)
# stay rare next to adds and bars.
_OPS = dict(add=add_op, bar=bar_op, cancel=cancel_op, day=day_op, reject=reject_op)
operation = st.sampled_from(["add"] * 5 + ["bar"] * 5 + ["cancel", "day", "reject"]).flatmap(_OPS.__getitem__)

world = st.fixed_dictionaries(dict(
    cash=st.one_of(st.sampled_from([0, 2000 * CNY, 50000 * CNY, 10**6 * CNY, 10**8 * CNY, 10**8 * CNY]),
                   st.integers(0, 10**6 * CNY)),
    base=st.lists(st.integers(5, 3000).map(lambda k: k * 100), min_size=N_SIDS, max_size=N_SIDS),
    fees=st.lists(fee_row, min_size=N_SIDS, max_size=N_SIDS),
    t0=st.lists(st.sampled_from([0, 0, 1]), min_size=N_SIDS, max_size=N_SIDS),
    positions=st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 100), st.integers(0, 10**5 * CNY)),
                       min_size=N_SIDS, max_size=N_SIDS),
    params=match_params,
))


def bar_arrays(base, rows):
    """Per-sid bar lists from tick offsets around each sid's base price."""
    bar = {k: [] for k in ("close", "high", "low", "volume", "high_limit", "low_limit", "tradable")}
    for b, (dc, dh, dl, volume, hl, ll, tradable) in zip(base, rows):
        c = b + dc * 100
        bar["close"].append(c)
        bar["high"].append(c + dh * 100)
        bar["low"].append(max(100, c - dl * 100))
        bar["volume"].append(volume)
        bar["high_limit"].append(0 if hl is None else max(100, c + hl * 100))
        bar["low_limit"].append(0 if ll is None else max(100, c + ll * 100))
        bar["tradable"].append(tradable)
    return bar


# -- the two implementations side by side ----------------------------------------------------------

class Pair:
    def __init__(self, w):
        n = self.n = len(w["base"])
        self.ledger = Ledger(n, w["cash"])
        self.ref_ledger = RefLedger(n, w["cash"])
        self.ledger.set_t0(np.array(w["t0"]))
        self.ref_ledger.t0 = list(w["t0"])
        for s, (amount, enable_pct, cost) in enumerate(w["positions"]):
            enable = amount * enable_pct // 100
            self.ledger.set_position(s, amount, enable, cost, 0)
            self.ref_ledger.set_position(s, amount, enable, cost, 0)
        self.base = w["base"]
        self.fee_rows = w["fees"]
        self.fees = FeeTable(n)
        for s, row in enumerate(self.fee_rows):
            for name, value in row.items():
                getattr(self.fees, name)[s] = value
        self.params = MatchParams(**w["params"])
        self.ref_params = w["params"]
        self.book = OrderBook(capacity=2)
        self.ref_book = RefBook()
        self.fills = FillBuffer(capacity=1)
        self.ref_fills = []
        self.seq = 0
        self.cash0 = w["cash"]
        self.fill_flow = 0

    def step(self, op):
        kind = op[0]
        if kind == "add":
            _, s, side, amount, delta = op
            limit = 0 if delta is None else self.base[s] + delta * 100
            assert self.book.add(s, side, amount, limit, LOTS[s], self.seq) == \
                self.ref_book.add(s, side, amount, limit, LOTS[s], self.seq)
        elif kind == "reject":
            _, s, side, amount, reason = op
            assert self.book.add_rejected(s, side, amount, 0, 100, self.seq, reason) == \
                self.ref_book.add_rejected(s, side, amount, 0, 100, self.seq, reason)
        elif kind == "cancel":
            if self.ref_book.orders:
                row = op[1] % len(self.ref_book.orders)
                assert self.book.cancel(row) == self.ref_book.cancel(row)
        elif kind == "day":
            assert self.book.end_day() == self.ref_book.end_day()
            self.ledger.roll_day()
            self.ref_ledger.roll_day()
        else:
            bar = bar_arrays(self.base, op[1])
            self.seq += 1
            arr = {k: np.array(v, dtype=np.uint8 if k == "tradable" else np.int64) for k, v in bar.items()}
            n_new, new = self.match(arr, bar)
            assert n_new == len(new)
            self.ref_fills.extend(new)
            for f in new:
                value, fee = f[5], sum(f[6:10])
                self.fill_flow += (value - fee) if f[2] == -1 else -(value + fee)
            self.ledger.mark(arr["close"], arr["tradable"])
            self.ref_ledger.mark(bar["close"], bar["tradable"])

    def match(self, arr, bar):
        n_new = self.book.match(self.ledger, self.fees, arr["close"], arr["high"], arr["low"], arr["volume"],
                                arr["high_limit"], arr["low_limit"], arr["tradable"], self.params, self.fills)
        return n_new, self.ref_book.match(self.ref_ledger, self.fee_rows, bar, self.ref_params)

    def check_cash(self):
        # Every fill moves value and fees between cash and positions, nothing else moves cash.
        assert self.ledger.cash - self.cash0 == self.fill_flow
        assert self.ledger.cash >= 0 or self.cash0 < 0

    def check(self):
        led, ref = self.ledger, self.ref_ledger
        assert led.cash == ref.cash and led.total_fees == ref.total_fees
        for name in RefLedger.FIELDS:
            assert getattr(led, name).tolist() == getattr(ref, name), name
        for name in RefBook.COLUMNS:
            assert getattr(self.book, name).tolist() == [o[name] for o in self.ref_book.orders], name
        assert self.book.open_indices().tolist() == self.ref_book.open
        assert self.book.n_open == len(self.ref_book.open)
        assert self.book.changed_indices().tolist() == self.ref_book.changed
        cols = self.fills.columns()
        got = list(zip(*(cols[c].tolist() for c in ("order_row", "sid", "side", "qty", "price", "value",
                                                     "commission", "handling_fee", "transfer_fee",
                                                     "stamp_duty", "otype"))))
        assert got == self.ref_fills

        # invariants
        assert (led.enable_amount >= 0).all() and (led.enable_amount <= led.amount).all()
        assert (self.book.filled <= self.book.amount).all() or (self.book.status == ord("9")).any()
        self.check_cash()
        for f in self.ref_fills:
            if f[10] == 0:
                assert list(f[6:10]) == fees_of(f[5], f[2], self.fee_rows[f[1]])


def run_sequence(w, ops, pair_class=Pair):
    pair = pair_class(w)
    pair.check()
    for op in ops:
        pair.step(op)
        pair.check()


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world, st.lists(operation, min_size=5, max_size=30))
def test_kernels_agree_with_the_reference_model(w, ops):
    run_sequence(w, ops)


@pytest.mark.slow
@settings(max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world, st.lists(operation, min_size=20, max_size=80))
def test_kernels_agree_with_the_reference_model_at_length(w, ops):
    run_sequence(w, ops)


# -- stocks, futures and margin trading in one account ---------------------------------------------
# Sids 0-3 are stocks (as above), also traded on margin; 4-5 futures contracts (lot 1).  All share the
# ledger's cash.

FUT_SIDS = (4, 5)
N_MIX = 6

fut_fee_row = st.one_of(
    st.fixed_dictionaries(dict(by_volume=st.just(0), open_rate=st.sampled_from([0.0, 0.000023, 0.0001]),
                               close_rate=st.sampled_from([0.0, 0.000023, 0.0001]),
                               close_today_rate=st.sampled_from([0.0, 0.00023, 0.0001, 0.001]))),
    st.fixed_dictionaries(dict(by_volume=st.just(1), open_rate=st.sampled_from([0.0, 2.0, 3.01, 0.5]),
                               close_rate=st.sampled_from([0.0, 2.0, 3.01]),
                               close_today_rate=st.sampled_from([0.0, 2.0, 10.0]))))

NO_FEES = dict(commission_rate=0.0, min_commission=0, handling_rate=0.0, transfer_rate=0.0, stamp_rate=0.0)

mix_world = world.flatmap(lambda w: st.fixed_dictionaries(dict(
    cash=st.just(w["cash"]),
    base=st.lists(st.one_of(st.integers(5, 500), st.integers(5, 50000)).map(lambda k: k * 100),
                  min_size=2, max_size=2).map(
        lambda fut_base: w["base"] + fut_base),
    fees=st.just(w["fees"] + [NO_FEES] * 2),
    t0=st.just(w["t0"] + [1, 1]),
    positions=st.just(w["positions"] + [(0, 0, 0)] * 2),
    params=st.just(w["params"]),
    multiplier=st.lists(st.sampled_from([1.0, 10.0, 200.0, 300.0, 0.5, 2.5]), min_size=2, max_size=2),
    margin_rate=st.lists(st.sampled_from([0.0, 0.08, 0.12, 0.5, 1.0]), min_size=2, max_size=2),
    fut_fees=st.lists(fut_fee_row, min_size=2, max_size=2),
    fut_positions=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=2, max_size=2),
    haircut=st.lists(st.sampled_from([0.0, 0.5, 0.7, 1.0]), min_size=N_SIDS, max_size=N_SIDS),
    fin_eligible=st.lists(st.sampled_from([0, 1, 1, 1]), min_size=N_SIDS, max_size=N_SIDS),
    slo_eligible=st.lists(st.sampled_from([0, 1, 1, 1]), min_size=N_SIDS, max_size=N_SIDS),
    fin_rate=st.sampled_from([0.0, 0.06, 0.0835]),
    slo_rate=st.sampled_from([0.0, 0.08, 0.1035]),
    fin_ratio=st.sampled_from([0.0, 0.5, 0.8, 1.0, 1.2]),
    slo_ratio=st.sampled_from([0.0, 0.5, 0.8, 1.0, 1.2]),
    fin_quota=st.sampled_from([0, 10_000 * CNY, 10**6 * CNY, 10**9 * CNY]),
    slo_quota=st.sampled_from([0, 10_000 * CNY, 10**6 * CNY, 10**9 * CNY]),
)))

fut_add_op = st.tuples(st.just("fadd"), st.sampled_from(FUT_SIDS), st.sampled_from([1, 2, 3]),
                       st.sampled_from([1, -1]), st.integers(1, 12), st.one_of(st.none(), tick_delta))
settle_op = st.tuples(st.just("settle"), st.lists(st.tuples(tick_delta, st.sampled_from([1, 1, 1, 0])),
                                                  min_size=2, max_size=2))
expire_op = st.tuples(st.just("expire"), st.sampled_from(FUT_SIDS), tick_delta)
margin_add_op = st.tuples(st.just("madd"), st.integers(0, N_SIDS - 1), st.sampled_from([4, 5, 6, 7]), amounts,
                          st.one_of(st.none(), tick_delta))
accrue_op = st.tuples(st.just("accrue"), st.integers(0, 10))
refund_op = st.tuples(st.just("refund"), st.sampled_from([0, 100 * CNY, 10**4 * CNY, 10**6 * CNY, 10**9 * CNY]))
return_op = st.tuples(st.just("dreturn"), st.integers(0, N_SIDS - 1), st.integers(1, 3000))
_MIX_OPS = dict(_OPS, bar=bar_op_for(N_MIX), fadd=fut_add_op, settle=settle_op, expire=expire_op,
                madd=margin_add_op, accrue=accrue_op, refund=refund_op, dreturn=return_op)
mix_operation = st.sampled_from(["add"] * 3 + ["fadd"] * 4 + ["madd"] * 5 + ["bar"] * 7
                                + ["cancel", "day", "reject", "settle", "settle", "expire", "accrue", "refund",
                                   "dreturn"]).flatmap(_MIX_OPS.__getitem__)
MARGIN_OTYPE_SIDE = {4: 1, 5: -1, 6: -1, 7: 1}


class MixPair(Pair):
    def __init__(self, w):
        super().__init__(w)
        self.fut = FuturesLedger(self.n, self.ledger)
        self.ref_fut = RefFutures(self.n, self.ref_ledger)
        self.fut_fees = FuturesFeeTable(self.n)
        self.fut_fee_rows = [dict(by_volume=0, open_rate=0.0, close_rate=0.0, close_today_rate=0.0)
                             for _ in range(self.n)]
        for i, s in enumerate(FUT_SIDS):
            self.fut.multiplier[s] = self.ref_fut.multiplier[s] = w["multiplier"][i]
            self.fut.margin_rate[s] = self.ref_fut.margin_rate[s] = w["margin_rate"][i]
            self.fut_fee_rows[s] = w["fut_fees"][i]
            for name, value in w["fut_fees"][i].items():
                getattr(self.fut_fees, name)[s] = value
            for side, lots in zip((1, -1), w["fut_positions"][i]):
                self.fut.set_position(s, side, lots, self.base[s])
                self.ref_fut.set_position(s, side, lots, self.base[s])
        self.mgn = MarginLedger(self.n, self.ledger)
        self.ref_mgn = RefMargin(self.n, self.ref_ledger)
        for m in (self.mgn, self.ref_mgn):
            for name in ("fin_rate", "slo_rate", "fin_ratio", "slo_ratio", "fin_quota", "slo_quota"):
                setattr(m, name, w[name])
            for name in ("haircut", "fin_eligible", "slo_eligible"):
                for s, value in enumerate(w[name]):
                    getattr(m, name)[s] = value
        self.mgn.mark(np.array(self.base, dtype=np.int64), np.ones(self.n, dtype=np.uint8))
        self.ref_mgn.mark(self.base, [1] * self.n)
        self.settled = 0
        self.accrued = 0                 # interest and lending fees accrued
        self.released = 0                # proceeds released by direct returns
        self.identity0 = self.identity()

    def step(self, op):
        kind = op[0]
        if kind == "fadd":
            _, s, otype, side, amount, delta = op
            limit = 0 if delta is None else self.base[s] + delta * 100
            assert self.book.add(s, side, amount, limit, 1, self.seq, otype=otype) == \
                self.ref_book.add(s, side, amount, limit, 1, self.seq, otype=otype)
        elif kind == "settle":
            price = [0] * self.n
            valid = [0] * self.n
            for s, (delta, ok) in zip(FUT_SIDS, op[1]):
                price[s], valid[s] = max(100, self.base[s] + delta * 100), ok
            got = self.fut.settle_day(np.array(price, dtype=np.int64), np.array(valid, dtype=np.uint8))
            assert got == self.ref_fut.settle_day(price, valid)
            self.settled += got
        elif kind == "expire":
            _, s, delta = op
            final = max(100, self.base[s] + delta * 100)
            assert self.fut.expire(s, final) == self.ref_fut.expire(s, final)
        elif kind == "madd":
            _, s, otype, amount, delta = op
            limit = 0 if delta is None else self.base[s] + delta * 100
            side = MARGIN_OTYPE_SIDE[otype]
            assert self.book.add(s, side, amount, limit, LOTS[s], self.seq, otype=otype) == \
                self.ref_book.add(s, side, amount, limit, LOTS[s], self.seq, otype=otype)
        elif kind == "accrue":
            got = self.mgn.accrue(op[1])
            assert got == self.ref_mgn.accrue(op[1])
            self.accrued += sum(got)
        elif kind == "refund":
            assert self.mgn.direct_refund(op[1]) == self.ref_mgn.direct_refund(op[1])
        elif kind == "dreturn":
            _, s, qty = op
            if qty <= min(self.ref_mgn.slo_amount[s], self.ref_ledger.enable_amount[s]):
                got = self.mgn.direct_return(s, qty)
                assert got == self.ref_mgn.direct_return(s, qty)
                self.released += got
            else:
                with pytest.raises(ValueError):
                    self.mgn.direct_return(s, qty)
        else:
            super().step(op)
            if kind == "bar":
                bar = bar_arrays(self.base, op[1])
                close = np.array(bar["close"], dtype=np.int64)
                tradable = np.array(bar["tradable"], dtype=np.uint8)
                self.fut.mark(close, tradable)
                self.ref_fut.mark(bar["close"], bar["tradable"])
                self.mgn.mark(close, tradable)
                self.ref_mgn.mark(bar["close"], bar["tradable"])

    def match(self, arr, bar):
        n_new = self.book.match(self.ledger, self.fees, arr["close"], arr["high"], arr["low"], arr["volume"],
                                arr["high_limit"], arr["low_limit"], arr["tradable"], self.params, self.fills,
                                futures=self.fut, futures_fees=self.fut_fees, margin=self.mgn)
        new = self.ref_book.match(self.ref_ledger, self.fee_rows, bar, self.ref_params, self.ref_fut,
                                  self.fut_fee_rows, self.ref_mgn)
        return n_new, new

    def identity(self):
        # Every operation only moves money between these buckets, or in and out through the flows named:
        # stocks (cash, cost, realised), futures (margin, realised, settlement P&L, fees), financing (debt,
        # interest, fees accrued), lending (frozen proceeds, fees, value sold short and bought back,
        # proceeds released by direct returns).
        led, fut, mgn = self.ledger, self.fut, self.mgn
        fut_fees = sum(f[6] for f in self.ref_fills if f[10] in (1, 2, 3))
        slo_fees = sum(sum(f[6:10]) for f in self.ref_fills if f[10] in (6, 7))
        slo_flow = sum(f[5] if f[10] == 7 else -f[5] for f in self.ref_fills if f[10] in (6, 7))
        return (led.cash + int(led.cost_total.sum()) - int(led.realised_pnl.sum())
                + fut.margin_total() - int(fut.long_realised.sum()) - int(fut.short_realised.sum())
                - self.settled + fut_fees
                - int(mgn.fin_debt.sum()) - mgn.fin_interest - mgn.slo_fee + self.accrued
                + int(mgn.slo_proceeds.sum()) + slo_fees + slo_flow + self.released)

    def check_cash(self):
        assert self.identity() == self.identity0

    def check(self):
        super().check()
        fut, ref = self.fut, self.ref_fut
        for name in RefFutures.FIELDS:
            assert getattr(fut, name).tolist() == getattr(ref, name), name
        assert (fut.long_today <= fut.long_amount).all() and (fut.short_today <= fut.short_amount).all()
        assert (fut.long_margin >= 0).all() and (fut.short_margin >= 0).all()
        assert fut.floating_pnl() == ref.floating_pnl()
        assert fut.equity_value() == ref.ledger.cash + sum(ref.long_margin) + sum(ref.short_margin) \
            + ref.floating_pnl()
        mgn, ref_mgn = self.mgn, self.ref_mgn
        for name in RefMargin.FIELDS:
            assert getattr(mgn, name).tolist() == getattr(ref_mgn, name), name
        for name in RefMargin.SCALARS:
            assert getattr(mgn, name) == getattr(ref_mgn, name), name
        assert (mgn.fin_debt >= 0).all() and (mgn.slo_amount >= 0).all() and (mgn.slo_proceeds >= 0).all()
        assert mgn.available_margin() == ref_mgn.available(ref_mgn.last_price)
        assert mgn.maintenance_ratio() == ref_mgn.maintenance_ratio(ref_mgn.last_price)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mix_world, st.lists(mix_operation, min_size=5, max_size=30))
def test_stocks_futures_and_margin_agree_with_the_reference_model(w, ops):
    run_sequence(w, ops, MixPair)


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mix_world, st.lists(mix_operation, min_size=20, max_size=80))
def test_stocks_futures_and_margin_agree_with_the_reference_model_at_length(w, ops):
    run_sequence(w, ops, MixPair)
