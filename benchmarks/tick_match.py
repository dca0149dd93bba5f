"""Tick matching throughput: snapshots per second with N resting orders (engine/tick_matching.py).

    python benchmarks/tick_match.py                 # N = 10, 100, 1000 resting orders, one security
    python benchmarks/tick_match.py --orders 50 --securities 100 --snapshots 4800

A seeded random walk of five-level books (one tick per step at most, volumes 100..20000) with 0..6 trades per
3-second interval drives ``TickMatcher.on_snapshot``; the resting orders are limit orders spread over ten ticks
on each side of the opening price, with a quantity far above what trades, so they stay in the queues (fills go
through the account as in a run).  Two figures per size: the whole engine path (``on_snapshot_arrays``: one
kernel call for every security, fills booked by ``OrderBook.apply_fills``, trade records) and the kernel alone
for the first security (``_core.tickmatch.step`` on the same path).  Timing is printed, never asserted.
"""
from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np

from ptrade_fast._core import tickmatch as tm
from ptrade_fast.engine.account import Account
from ptrade_fast.engine.runtime import Runtime
from ptrade_fast.engine.tick_matching import Level1Book, TickMatcher

TICK = 100                      # 0.01 CNY in raw units
START = 100_000                 # 10.00 CNY


class _Store:
    """The few store fields the account reads, for n synthetic A shares."""

    def __init__(self, n):
        self.codes = np.array([f"{600000 + k}.SS" for k in range(n)], dtype=object)
        self.n_sids = n
        self.root = "<benchmark>"

    def instrument_arrays(self):
        n = self.n_sids
        return {"t0": np.zeros(n, np.uint8), "type": np.array(["stock"] * n, dtype=object),
                "lot": np.full(n, 100, np.int32), "min_buy": np.full(n, 100, np.int32),
                "tick": np.full(n, TICK, np.int64)}


def book_path(rng, k):
    """k snapshots of one security and the trades of each interval."""
    mid = START + np.cumsum(rng.integers(-1, 2, k)) * TICK
    books, trades = [], []
    for i in range(k):
        bid = mid[i] - TICK * np.arange(5)
        ask = mid[i] + TICK * (1 + np.arange(5))
        books.append(Level1Book(bid.astype(np.int64), rng.integers(100, 20000, 5).astype(np.int64),
                                ask.astype(np.int64), rng.integers(100, 20000, 5).astype(np.int64)))
        m = int(rng.integers(0, 7))
        trades.append((mid[i] + TICK * rng.integers(0, 2, m), rng.integers(100, 3000, m)))
    return books, trades


def run(n_orders, n_sec, k, seed=0):
    rng = np.random.default_rng(seed)
    store = _Store(n_sec)
    rt = Runtime(store, "tick")
    rt.now = dt.datetime(2024, 3, 4, 10, 0)
    acct = Account(rt, store, 10**12)
    acct.ledger.set_t0(np.ones(n_sec, np.uint8))
    paths = [book_path(rng, k) for _ in range(n_sec)]
    matcher = TickMatcher(acct)
    per_sec = max(1, n_orders // n_sec)
    for s in range(n_sec):
        acct.ledger.set_position(s, 10**9, 10**9, 10**13, START)
        for j in range(per_sec):
            side = 1 if j % 2 == 0 else -1
            price = START - side * TICK * (1 + j % 10)
            row = acct.book.add(s, side, 10**8, price, 100, 0)
            acct.new_order_row(row, rt.now, price / 1e4)
            matcher.submit(row, book=paths[s][0][0], dt=rt.now)
    resting = matcher.n_resting
    sids = np.arange(n_sec)
    # the replay's arrays: per snapshot, every security's book and the interval's trades, concatenated
    fields = [np.array([[getattr(paths[s][0][i], f) for s in sids] for i in range(k)], np.int64)
              for f in Level1Book._fields]
    snap_trades = []
    for i in range(k):
        tp = np.concatenate([np.asarray(paths[s][1][i][0], np.int64) for s in sids])
        tv = np.concatenate([np.asarray(paths[s][1][i][1], np.int64) for s in sids])
        start = np.zeros(n_sec + 1, np.int64)
        start[1:] = np.cumsum([len(paths[s][1][i][0]) for s in sids])
        snap_trades.append((tp, tv, start))
    t0 = time.perf_counter()
    n_trades = 0
    for i in range(1, k):
        n_trades += len(matcher.on_snapshot_arrays(sids, *(f[i] for f in fields), *snap_trades[i]))
    engine = time.perf_counter() - t0

    # the kernel alone on the same path, first security
    side = matcher._side.copy()
    price = matcher._price.copy()
    rem = np.full(side.shape[0], 10**8, np.int64)
    ahead = np.zeros(side.shape[0], np.int64)
    known = np.ones(side.shape[0], np.uint8)
    idx = np.asarray(matcher._slots_by_sid.get(0, []), np.int64)
    out_o = np.empty(max(1, idx.shape[0]), np.int64)
    out_q = np.empty(max(1, idx.shape[0]), np.int64)
    books, trades = paths[0]
    tr = [(np.asarray(p, np.int64), np.asarray(v, np.int64)) for p, v in trades]
    bt, at = np.zeros(5, np.int64), np.zeros(5, np.int64)
    t0 = time.perf_counter()
    for i in range(1, k):
        a, b = books[i - 1], books[i]
        bt[:] = 0
        at[:] = 0
        tm.step(side, price, rem, ahead, known, idx, a.bid_px, a.bid_vol, a.ask_px, a.ask_vol, b.bid_px, b.bid_vol,
                b.ask_px, b.ask_vol, tr[i][0], tr[i][1], bt, at, tm.PPM, out_o, out_q)
    kernel = time.perf_counter() - t0
    return resting, n_trades, engine, kernel


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, nargs="*", default=[10, 100, 1000], help="resting orders in total")
    ap.add_argument("--securities", type=int, default=1)
    ap.add_argument("--snapshots", type=int, default=4800, help="snapshots per security (4800 = one day)")
    args = ap.parse_args(argv)
    print(f"{'orders':>7} {'secs':>5} {'snapshots':>10} {'fills':>7} {'engine snap/s':>14} {'kernel snap/s':>14}")
    for n in args.orders:
        resting, fills, engine, kernel = run(n, args.securities, args.snapshots)
        snaps = (args.snapshots - 1) * args.securities
        print(f"{resting:>7} {args.securities:>5} {snaps:>10} {fills:>7} {snaps / engine:>14,.0f} "
              f"{(args.snapshots - 1) / kernel:>14,.0f}")


if __name__ == "__main__":
    main()
