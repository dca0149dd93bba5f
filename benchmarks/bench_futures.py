"""Futures and margin kernels: futures orders matched per second, daily settlement of a whole book of
contracts over a period, margin orders (whose credit check values the whole account), each against the
plain-Python reference model."""
import numpy as np

from ptrade_fast._core import OTYPE_FIN_BUY, OTYPE_FIN_SELL, OTYPE_FUT_CLOSE, OTYPE_FUT_OPEN, OTYPE_SLO_BUY, OTYPE_SLO_SELL
from ptrade_fast._core.fills import FillBuffer, MatchParams
from ptrade_fast._core.book import OrderBook
from ptrade_fast._core.futures import FuturesFeeTable, FuturesLedger
from ptrade_fast._core.ledger import Ledger
from ptrade_fast._core.margin import MarginLedger

from .common import CNY, SEED, bar, fee_rows, fee_table, seconds

PT = CNY                     # one index point in price units


def futures_market(n_orders, n_sids, seed=SEED, cash=10**10 * CNY):
    """Index-futures-like contracts (multiplier 300, margin 12 %, 0.23 bp / 2.3 bp fees), 5 lots held long and
    short in every contract, and a book of opens and closes (50/50, 30 % limits)."""
    rng = np.random.default_rng(seed + 3)
    b = bar(n_sids, seed)
    b["close"] = (rng.integers(20000, 60000, n_sids) * 2000).astype(np.int64)     # 4000-12000 points, 0.2 tick
    b["high"], b["low"] = b["close"] + 2000, b["close"] - 2000
    b["high_limit"] = b["close"] * 11 // 10
    b["low_limit"] = b["close"] * 9 // 10
    ledger = Ledger(n_sids, cash)
    fut = FuturesLedger(n_sids, ledger)
    fut.multiplier[:] = 300.0
    fut.margin_rate[:] = 0.12
    fees = FuturesFeeTable(n_sids)
    fees.open_rate[:] = fees.close_rate[:] = 0.000023
    fees.close_today_rate[:] = 0.00023
    for s in range(n_sids):
        fut.set_position(s, 1, 5, int(b["close"][s]))
        fut.set_position(s, -1, 5, int(b["close"][s]))
    book = OrderBook(capacity=n_orders)
    sid = rng.integers(0, n_sids, n_orders)
    otype = np.where(rng.random(n_orders) < 0.5, OTYPE_FUT_OPEN, OTYPE_FUT_CLOSE)
    side = np.where(rng.random(n_orders) < 0.5, 1, -1)
    amount = rng.integers(1, 4, n_orders)
    is_limit = rng.random(n_orders) < 0.3
    off = rng.integers(-5, 6, n_orders) * 2000
    for i in range(n_orders):
        s = int(sid[i])
        limit = int(b["close"][s] + off[i]) if is_limit[i] else 0
        book.add(s, int(side[i]), int(amount[i]), limit, 1, 0, otype=int(otype[i]))
    return dict(ledger=ledger, fut=fut, fut_fees=fees, fees=fee_table(n_sids), book=book, bar=b,
                params=MatchParams(limit_mode=1), fills=FillBuffer(capacity=n_orders))


def match(m, margin=None):
    b = m["bar"]
    return m["book"].match(m["ledger"], m["fees"], b["close"], b["high"], b["low"], b["volume"], b["high_limit"],
                           b["low_limit"], b["tradable"], m["params"], m["fills"], futures=m.get("fut"),
                           futures_fees=m.get("fut_fees"), margin=m.get("margin"))


def _ref_params(p):
    return dict(volume_ratio=p.volume_ratio, limit_mode=p.limit_mode, slippage_kind=p.slippage_kind,
                slippage_ratio=p.slippage_ratio, slippage_fixed=p.slippage_fixed,
                block_limit_locked=p.block_limit_locked, shared_volume_cap=p.shared_volume_cap,
                limit_touch=p.limit_touch)


def _ref_book(book):
    from model import RefBook

    ref = RefBook()
    for row in range(book.n_orders):
        ref.add(int(book.sid[row]), int(book.side[row]), int(book.amount[row]), int(book.limit_price[row]),
                int(book.lot[row]), int(book.created_seq[row]), otype=int(book.otype[row]))
    return ref


def _ref_futures(m):
    from model import RefFutures, RefLedger

    led, fut = m["ledger"], m["fut"]
    ref_ledger = RefLedger(led.n_sids, led.cash)
    ref = RefFutures(fut.n_sids, ref_ledger)
    for name in RefFutures.FIELDS + ("multiplier", "margin_rate"):
        setattr(ref, name, getattr(fut, name).tolist())
    f = m["fut_fees"]
    rows = [dict(by_volume=int(v), open_rate=o, close_rate=c, close_today_rate=t) for v, o, c, t in
            zip(f.by_volume.tolist(), f.open_rate.tolist(), f.close_rate.tolist(), f.close_today_rate.tolist())]
    return ref, rows


class MatchFutures:
    params = [[1000, 100_000], [20, 300]]
    param_names = ["n_orders", "n_contracts"]
    timeout = 300

    def setup(self, n_orders, n_contracts):
        self.m = futures_market(n_orders, n_contracts)

    def time_match(self, n_orders, n_contracts):
        match(self.m)
        self.timed = True

    def teardown(self, n_orders, n_contracts):
        if not getattr(self, "timed", False):
            return
        book, fut, fills = self.m["book"], self.m["fut"], self.m["fills"]
        f = fills.columns()
        assert self.m["ledger"].cash >= 0 and len(fills) > 0
        assert (fut.long_today <= fut.long_amount).all() and (fut.short_today <= fut.short_amount).all()
        assert (book.filled[f["order_row"]] == f["qty"]).all()
        assert int(fut.long_amount.sum() + fut.short_amount.sum()) == 10 * n_contracts + int(
            (np.where(f["otype"] == OTYPE_FUT_OPEN, 1, -1) * f["qty"]).sum())

    def track_orders_matched_per_second(self, n_orders, n_contracts):
        m = futures_market(n_orders, n_contracts)
        t, _ = seconds(match, m)
        return n_orders / t

    track_orders_matched_per_second.unit = "orders/s"

    def track_speedup_vs_reference(self, n_orders, n_contracts):
        m = futures_market(min(n_orders, 20_000), n_contracts)
        ref_book = _ref_book(m["book"])
        ref_fut, rows = _ref_futures(m)
        bar_lists = {k: v.tolist() for k, v in m["bar"].items()}
        t_kernel, n_fills = seconds(match, m)
        t_ref, ref_fills = seconds(ref_book.match, ref_fut.ledger, fee_rows(m["fees"]), bar_lists,
                                   _ref_params(m["params"]), ref_fut, rows)
        assert len(ref_fills) == n_fills and ref_fut.ledger.cash == m["ledger"].cash
        return t_ref / t_kernel

    track_speedup_vs_reference.unit = "x"


class SettleDays:
    """A book of contracts settled every day for a period (one settle_day call per day)."""

    params = [[100, 1000, 5000], [20, 250]]
    param_names = ["n_contracts", "n_days"]

    def setup(self, n_contracts, n_days):
        rng = np.random.default_rng(SEED + 4)
        self.m = futures_market(0, n_contracts)
        close = self.m["bar"]["close"]
        steps = rng.integers(-20, 21, (n_days, n_contracts)) * 2000
        self.settle = np.maximum(2000, close + np.cumsum(steps, axis=0)).astype(np.int64)
        self.valid = (rng.random((n_days, n_contracts)) > 0.01).astype(np.uint8)
        self.cash0, self.margin0 = self.m["ledger"].cash, self.m["fut"].margin_total()

    def time_settle(self, n_contracts, n_days):
        fut = self.m["fut"]
        for d in range(n_days):
            fut.settle_day(self.settle[d], self.valid[d])
        self.timed = True

    def teardown(self, n_contracts, n_days):
        if not getattr(self, "timed", False):
            return
        fut, led = self.m["fut"], self.m["ledger"]
        # Equal long and short legs: settlement P&L nets to zero, so cash moved only to fund the margin
        # re-evaluated at each day's settlement price (set_position froze the first margin without cash).
        assert (fut.long_basis_total == fut.short_basis_total).all()
        assert led.cash - self.cash0 == -(fut.margin_total() - self.margin0)

    def track_contract_days_per_second(self, n_contracts, n_days):
        self.setup(n_contracts, n_days)
        fut = self.m["fut"]

        def run():
            for d in range(n_days):
                fut.settle_day(self.settle[d], self.valid[d])
        t, _ = seconds(run)
        return n_contracts * n_days / t

    track_contract_days_per_second.unit = "contract-days/s"

    def track_speedup_vs_reference(self, n_contracts, n_days):
        self.setup(n_contracts, min(n_days, 20))
        ref, _ = _ref_futures(self.m)
        fut = self.m["fut"]
        days = min(n_days, 20)
        settle = [row.tolist() for row in self.settle[:days]]
        valid = [row.tolist() for row in self.valid[:days]]

        def kernel():
            return [fut.settle_day(self.settle[d], self.valid[d]) for d in range(days)]

        def reference():
            return [ref.settle_day(settle[d], valid[d]) for d in range(days)]
        t_kernel, got = seconds(kernel)
        t_ref, want = seconds(reference)
        assert got == want and ref.ledger.cash == self.m["ledger"].cash
        return t_ref / t_kernel

    track_speedup_vs_reference.unit = "x"


def margin_market(n_orders, n_sids, seed=SEED, cash=10**8 * CNY):
    """A credit account holding every stock, a book of the four margin order kinds (financed buys 40 %)."""
    rng = np.random.default_rng(seed + 5)
    b = bar(n_sids, seed)
    ledger = Ledger(n_sids, cash)
    mgn = MarginLedger(n_sids, ledger)
    mgn.haircut[:] = 0.65
    mgn.fin_eligible[:] = 1
    mgn.slo_eligible[:] = 1
    mgn.fin_quota = mgn.slo_quota = 10**9 * CNY
    mgn.fin_ratio = mgn.slo_ratio = 1.0
    mgn.mark(b["close"], np.ones(n_sids, np.uint8))
    for s in range(n_sids):
        ledger.set_position(s, 10000, 10000, 10000 * int(b["close"][s]), int(b["close"][s]))
        mgn.slo_sell(s, 1000, int(b["close"][s]), 0)
    book = OrderBook(capacity=n_orders)
    sid = rng.integers(0, n_sids, n_orders)
    kind = rng.choice([OTYPE_FIN_BUY, OTYPE_FIN_SELL, OTYPE_SLO_SELL, OTYPE_SLO_BUY], n_orders,
                      p=[0.4, 0.2, 0.2, 0.2])
    amount = rng.integers(1, 30, n_orders) * 100
    for i in range(n_orders):
        side = 1 if kind[i] in (OTYPE_FIN_BUY, OTYPE_SLO_BUY) else -1
        book.add(int(sid[i]), side, int(amount[i]), 0, 100, 0, otype=int(kind[i]))
    return dict(ledger=ledger, margin=mgn, fees=fee_table(n_sids), book=book, bar=b, params=MatchParams(),
                fills=FillBuffer(capacity=n_orders))


class MatchMargin:
    """Margin orders: each financed buy and short sale values the whole account (O(n_sids))."""

    params = [[1000, 10_000], [300, 5300]]
    param_names = ["n_orders", "n_sids"]
    timeout = 300

    def setup(self, n_orders, n_sids):
        self.m = margin_market(n_orders, n_sids)

    def time_match(self, n_orders, n_sids):
        match(self.m)
        self.timed = True

    def teardown(self, n_orders, n_sids):
        if not getattr(self, "timed", False):
            return
        mgn, led, fills = self.m["margin"], self.m["ledger"], self.m["fills"]
        assert len(fills) > 0 and led.cash >= 0
        assert (mgn.slo_amount >= 0).all() and (mgn.fin_debt >= 0).all()
        assert (led.enable_amount <= led.amount).all()

    def track_orders_matched_per_second(self, n_orders, n_sids):
        m = margin_market(n_orders, n_sids)
        t, _ = seconds(match, m)
        return n_orders / t

    track_orders_matched_per_second.unit = "orders/s"

    def track_speedup_vs_reference(self, n_orders, n_sids):
        from model import RefLedger, RefMargin

        m = margin_market(min(n_orders, 1000), n_sids)
        led, mgn = m["ledger"], m["margin"]
        ref_ledger = RefLedger(n_sids, led.cash)
        for name in RefLedger.FIELDS:
            setattr(ref_ledger, name, getattr(led, name).tolist())
        ref = RefMargin(n_sids, ref_ledger)
        for name in RefMargin.FIELDS + ("haircut", "fin_eligible", "slo_eligible"):
            setattr(ref, name, getattr(mgn, name).tolist())
        for name in RefMargin.SCALARS + ("fin_rate", "slo_rate", "fin_ratio", "slo_ratio", "fin_quota",
                                         "slo_quota"):
            setattr(ref, name, getattr(mgn, name))
        ref_book = _ref_book(m["book"])
        bar_lists = {k: v.tolist() for k, v in m["bar"].items()}
        t_kernel, n_fills = seconds(match, m)
        t_ref, ref_fills = seconds(ref_book.match, ref_ledger, fee_rows(m["fees"]), bar_lists,
                                   _ref_params(m["params"]), None, None, ref)
        assert len(ref_fills) == n_fills and ref_ledger.cash == led.cash
        assert ref.fin_debt == mgn.fin_debt.tolist() and ref.slo_proceeds == mgn.slo_proceeds.tolist()
        return t_ref / t_kernel

    track_speedup_vs_reference.unit = "x"
