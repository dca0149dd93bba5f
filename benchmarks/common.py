"""Seeded synthetic inputs for the kernel benchmarks (fees, ledger, book).

Everything is built from ``numpy.random.default_rng(seed)`` so a benchmark sees the same market on every
run and machine.  Prices are on a 0.01 CNY tick in 1e-4 CNY units, as the kernels expect.
"""
import sys
import time
from pathlib import Path

import numpy as np

from ptrade_fast._core import PRICE_SCALE, SIDE_BUY, SIDE_SELL
from ptrade_fast._core.fills import FillBuffer, MatchParams
from ptrade_fast._core.book import OrderBook
from ptrade_fast._core.fees import FeeTable
from ptrade_fast._core.ledger import Ledger

# The plain-Python reference model lives with the tests.
REFERENCE_DIR = Path(__file__).resolve().parents[1] / "tests" / "reference"
if str(REFERENCE_DIR) not in sys.path:
    sys.path.insert(0, str(REFERENCE_DIR))

CNY = PRICE_SCALE
SEED = 20240601


def fee_table(n_sids):
    """Platform default costs: 0.03% commission, 5 CNY minimum, handling fee, 0.05% stamp duty on sells."""
    table = FeeTable(n_sids)
    table.commission_rate[:] = 0.0003
    table.min_commission[:] = 5 * CNY
    table.handling_rate[:] = 0.0000487
    table.stamp_rate[:] = 0.0005
    return table


def fee_rows(table):
    """The FeeTable as the reference model's list of dicts."""
    names = ("commission_rate", "min_commission", "handling_rate", "transfer_rate", "stamp_rate")
    cols = [getattr(table, n).tolist() for n in names]
    return [dict(zip(names, row)) for row in zip(*cols)]


def prices(n_sids, seed=SEED):
    """Closing prices between 2 and 200 CNY on the 0.01 tick."""
    rng = np.random.default_rng(seed)
    return (rng.integers(200, 20000, n_sids) * 100).astype(np.int64)


def fills(n_fills, n_sids, seed=SEED):
    """A valid fill stream: n/2 buys, then the same (sid, qty) sold back in shuffled order (T+0 ledger)."""
    rng = np.random.default_rng(seed)
    half = n_fills // 2
    sid = rng.integers(0, n_sids, half).astype(np.int32)
    qty = (rng.integers(1, 50, half) * 100).astype(np.int64)
    px = prices(n_sids, seed)
    back = rng.permutation(half)
    sids = np.concatenate([sid, sid[back]])
    qtys = np.concatenate([qty, qty[back]])
    side = np.concatenate([np.full(half, SIDE_BUY), np.full(half, SIDE_SELL)]).astype(np.int8)
    price = px[sids]
    fees = np.full(2 * half, 5 * CNY, dtype=np.int64)
    return dict(sid=sids, side=side, qty=qtys, price=price, fees=fees)


def bar(n_sids, seed=SEED):
    """One bar of the whole market: ~2% locked at a limit, ~3% untradable, some thin volume."""
    rng = np.random.default_rng(seed + 1)
    close = prices(n_sids, seed)
    high = close + rng.integers(0, 20, n_sids) * 100
    low = np.maximum(100, close - rng.integers(0, 20, n_sids) * 100)
    volume = rng.choice(np.array([0, 1000, 10**5, 10**6, 10**7]), n_sids, p=[0.02, 0.08, 0.3, 0.4, 0.2])
    high_limit = (close * 11 // 10 // 100 * 100).astype(np.int64)
    low_limit = (close * 9 // 10 // 100 * 100).astype(np.int64)
    locked = rng.random(n_sids) < 0.02
    high_limit[locked] = close[locked]
    tradable = (rng.random(n_sids) > 0.03).astype(np.uint8)
    return dict(close=close, high=high, low=low, volume=volume.astype(np.int64), high_limit=high_limit,
                low_limit=low_limit, tradable=tradable)


def market(n_orders, n_sids, seed=SEED, cash=10**10 * CNY):
    """Ledger with sellable positions, fee table, a book of n_orders (60% buys, 30% limits), a bar."""
    rng = np.random.default_rng(seed + 2)
    b = bar(n_sids, seed)
    ledger = Ledger(n_sids, cash)
    for s in range(n_sids):
        ledger.set_position(s, 10000, 10000, 10000 * int(b["close"][s]), int(b["close"][s]))
    book = OrderBook(capacity=n_orders)
    sid = rng.integers(0, n_sids, n_orders)
    side = np.where(rng.random(n_orders) < 0.6, SIDE_BUY, SIDE_SELL)
    amount = rng.integers(1, 30, n_orders) * 100
    limit_off = rng.integers(-5, 6, n_orders) * 100
    is_limit = rng.random(n_orders) < 0.3
    for i in range(n_orders):
        s = int(sid[i])
        limit = int(b["close"][s] + limit_off[i]) if is_limit[i] else 0
        book.add(s, int(side[i]), int(amount[i]), limit, 100, 0)
    return dict(ledger=ledger, fees=fee_table(n_sids), book=book, bar=b, params=MatchParams(),
                fills=FillBuffer(capacity=n_orders))


def match(m):
    b = m["bar"]
    return m["book"].match(m["ledger"], m["fees"], b["close"], b["high"], b["low"], b["volume"],
                           b["high_limit"], b["low_limit"], b["tradable"], m["params"], m["fills"])


def seconds(func, *args):
    """Wall time of one call (for track_* ratios measured within one run)."""
    t = time.perf_counter()
    out = func(*args)
    return time.perf_counter() - t, out


def synthetic_root(name, **generate_args):
    """A seeded synthetic data root (``ptrade_fast.data.synthetic.generate``, seed 0), generated once and
    cached under ``$PTRADE_FAST_BENCH_DIR`` (default /tmp/ptrade_fast_bench), keyed by its arguments."""
    import os

    from ptrade_fast.data.synthetic import generate
    cache = Path(os.environ.get("PTRADE_FAST_BENCH_DIR", "/tmp/ptrade_fast_bench"))
    key = "-".join(f"{k}={v}" for k, v in sorted(generate_args.items()))
    path = cache / f"{name}-seed=0-{key}"
    if not (path / "meta.json").is_file():
        generate(path, seed=0, overwrite=True, **generate_args)
    return path
