"""Synthetic snapshots and tick-by-tick trades and orders for chosen securities and days (``add_ticks``;
``ptrade-fast data generate --ticks CODES --tick-days N``).  Clearly labelled: files carry ``books =
synthetic``.

For each security and trading day it trades (daily bar with volume), the day's 240 one-minute bars are taken
from the root's minute file when it holds the security that day, else drawn from the daily bar
(``bars.minute_path`` / ``bars.split_lots``, aggregating exactly to it).  Each minute is cut into twenty
3-second slots; the minute's open, high, low and close are traded in distinct slots (first, two random
middle ones, last) and its volume is split over the slots (shares; every price-carrying slot of a traded
minute gets at least one share).  A slot with volume holds one trade (two when it holds 4 to 199 lots;
larger ones stay one block print), so:

- 1-minute bars derived from the trades equal the minute bars (open, high, low, close, volume) exactly,
  hence the daily bar too; the first minute's opening trade is the 09:25:00 opening call auction print;
- a snapshot is written at 09:25:00 and at every slot end 09:30:03 … 11:30:00, 13:00:03 … 15:00:00: its
  ``last_px`` is the last trade, ``business_amount`` the sum of the trades so far, ``business_balance`` their
  value, ``business_count`` their number, ``high_px`` / ``low_px`` / ``open_px`` the running extremes and
  first trade;
- the opening call auction has a snapshot every 3 s from 09:15:00 to 09:24:57 (200, ``trade_status``
  ``OCALL``), as the platform shows it: nothing has traded (``business_amount``, turnover, count,
  ``open_px`` / ``high_px`` / ``low_px`` 0); ``last_px`` is the indicative matching price, on the tick grid
  inside the day's limits: a random walk around the open (starting up to 0.5 % of the previous close, at
  least two ticks, away from it) whose gap closes linearly from 09:20:00, equal to the open from 09:23:00
  on, so it converges to the 09:25:00 uncross (a day opening at a limit shows that limit).  Bid 1 =
  offer 1 = the indicative price; the lighter side's level-1 volume is the matched volume, the other
  side's the matched plus the unmatched (surplus) volume; levels 2–5 empty.  The surplus is on the buy
  side at the limit-up or below the open, on the sell side at the limit-down or above it (either side at
  it).  The matched volume grows towards the 09:25:00 print's volume (whole lots; the last auction
  snapshot shows the print's volume); before 09:20 it may fall (orders may still be cancelled), from
  09:20 (no cancellation until the uncross) it never falls.  Drawn from a second generator per (seed,
  code, day), so the snapshots from 09:25:00 are the same as without the auction phase;
- books: a buyer-initiated last trade (an uptick) sits at offer 1 with bid 1 one tick lower, a
  seller-initiated one at bid 1; five levels one tick apart on the day's tick grid, never beyond the day's
  limits, volumes in whole lots;
- every trade has the aggressor's order in the orders file (order_no, the trade's price and volume,
  direction, ``trans_kind`` 2 limit) and the trade's ``buy_no`` / ``sell_no`` point to it (the passive side 0).

Money of the derived bars is the exact value of the trades, not the minute file's money (which is an
average-price estimate).  Deterministic: numpy Generators per (seed, code, day).
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..store import DataStore
from ..ticks import LEVELS, STATUSES, write_tick_day
from ..writer import check_root
from .bars import minute_path, split_lots

SLOTS = 20                    # 3-second slots per minute
_MS_AUCTION = (9 * 60 + 25) * 60_000
_MS_CALL = (9 * 60 + 15) * 60_000      # the opening call auction starts taking orders
CALL_SLOTS = 200                       # 09:15:00 … 09:24:57
_NO_CANCEL = 100                       # 09:20:00: from here on orders may not be cancelled
_CONVERGED = 160                       # 09:23:00: from here on the indicative price is the open


def _slot_ends_ms() -> np.ndarray:
    """[240, 20] snapshot times (ms after midnight): slot ends of each minute bar."""
    starts = np.r_[np.arange(9 * 60 + 30, 11 * 60 + 30), np.arange(13 * 60, 15 * 60)] * 60_000
    return starts[:, None] + (np.arange(1, SLOTS + 1) * 3000)[None, :]


def add_ticks(root, codes, days=None, tick_days=None, seed=0) -> dict:
    """Write synthetic snapshots, trades and orders for ``codes`` on ``days`` into ``root``.

    Parameters
    ----------
    root : path
        A complete data root holding the daily bars of ``codes``.
    codes : list of str
        Securities (any suffix form).
    days : list of date-like, optional
        Trading days; default the last ``tick_days`` days on which one of ``codes`` has minute bars (else
        a daily bar with volume).
    tick_days : int, optional
        How many days when ``days`` is not given (default 2).
    seed : int
        Seed; same arguments, byte-identical files.

    Returns
    -------
    dict
        ``{'days': [...], 'codes': [...], 'snapshots': int, 'trades': int}``.
    """
    root = check_root(root)
    store = DataStore.open(root)
    sids = []
    for c in codes:
        sid = store.sid(c)
        if sid < 0:
            raise ValueError(f"--ticks: {c} has no bars in {root}")
        sids.append((store.codes[sid], sid))
    if days is None:
        k = 2 if tick_days is None else int(tick_days)
        if k <= 0:
            raise ValueError(f"--tick-days must be a positive number of days, was {tick_days!r}")
        # The latest days on which one of the codes has minute bars; else the latest days it traded.
        picked = [d for d in store.minute_dates[::-1] if any(store.minute_day(d).has_data[s] for _, s in sids)][:k]
        if not picked:
            for d in store.calendar[::-1]:
                win = store.daily_window(d.astype(object), d.astype(object))
                if any(np.nan_to_num(win.volume[0, s]) > 0 for _, s in sids):
                    picked.append(d)
                if len(picked) == k:
                    break
        days = sorted(picked)
    total = {"days": [], "codes": sorted(c for c, _ in sids), "snapshots": 0, "trades": 0}
    for d in days:
        d = np.datetime64(d, "D")
        snaps, trades, orders = [], [], []
        win = store.daily_window(d.astype(object), d.astype(object))
        md = store.minute_day(d) if store.has_minutes(d) else None
        for code, sid in sorted(sids):
            if not np.isfinite(win.close[0, sid]) or not np.nan_to_num(win.volume[0, sid]) > 0:
                continue
            rng = np.random.default_rng([int(seed), sid, int(d.astype(np.int64))])
            s, t, o = _code_day(store, code, sid, d, win, md, rng)
            arng = np.random.default_rng([int(seed), sid, int(d.astype(np.int64)), 1])
            s = pa.concat_tables([_auction_snapshots(s, d, float(store.instruments.at[code, "tick"]), arng), s])
            snaps.append(s)
            trades.append(t)
            orders.append(o)
        if not snaps:
            continue
        src = f"synthetic_ticks:{seed}"
        write_tick_day(root, d, "snapshots", pa.concat_tables(snaps), "synthetic", src)
        write_tick_day(root, d, "trades", pa.concat_tables(trades), "synthetic", src)
        write_tick_day(root, d, "orders", pa.concat_tables(orders), "synthetic", src)
        total["days"].append(str(d))
        total["snapshots"] += sum(x.num_rows for x in snaps)
        total["trades"] += sum(x.num_rows for x in trades)
    return total


def _minutes(store, code, sid, d, win, md, tick, rng):
    """The day's minute bars in ticks and shares: (o, h, l, c) [240] int64, volume [240] int64."""
    if md is not None and md.has_data[sid]:
        px = [np.rint(np.nan_to_num(getattr(md, f)[:, sid]) / tick).astype(np.int64)
              for f in ("open", "high", "low", "close")]
        return (*px, np.nan_to_num(md.volume[:, sid]).astype(np.int64))
    o, h, low, c = (np.array([round(float(getattr(win, f)[0, sid]) / tick)], np.int64)
                    for f in ("open", "high", "low", "close"))
    opn, high, lo_, close = minute_path(o, h, low, c, rng)
    lots = max(int(np.nan_to_num(win.volume[0, sid])) // 100, 240)
    vol = split_lots(np.array([lots]), rng)[0] * 100
    return opn[0], high[0], lo_[0], close[0], vol


def _code_day(store, code, sid, d, win, md, rng):
    tick = float(store.instruments.at[code, "tick"])
    o, h, low, c, vol = _minutes(store, code, sid, d, win, md, tick, rng)
    n = 240
    # Prices of the twenty slots of every minute: open first, close last, high and low in two distinct middle
    # slots, the rest uniform in [low, high].
    P = low[:, None] + np.floor(rng.random((n, SLOTS)) * (h - low + 1)[:, None]).astype(np.int64)
    rows = np.arange(n)
    hi_slot = rng.integers(1, SLOTS - 1, n)
    lo_slot = (hi_slot + rng.integers(0, SLOTS - 3, n)) % (SLOTS - 2) + 1
    P[:, 0], P[:, -1] = o, c
    P[rows, hi_slot] = h
    P[rows, lo_slot] = low
    # Volumes: one share to each price-carrying slot, the rest in lots by heavy-tailed weights, the odd
    # shares on the last slot.
    V = np.zeros((n, SLOTS), np.int64)
    need = np.zeros((n, SLOTS), bool)
    need[:, 0] = need[:, -1] = True
    need[rows, hi_slot] = need[rows, lo_slot] = True
    base = vol - 4
    big = base >= 0
    V[big] = need[big].astype(np.int64)
    rest = np.where(big, base, vol)
    w = rng.pareto(1.1, (n, SLOTS)) + 0.05
    w /= w.sum(axis=1, keepdims=True)
    lots = rest // 100
    share = np.floor(w * lots[:, None]).astype(np.int64)
    share[rows, np.argmax(w, axis=1)] += lots - share.sum(axis=1)
    V += share * 100
    V[:, -1] += rest % 100
    # Trades (one per slot with volume, two when it holds 4 to 199 lots).
    ends = _slot_ends_ms()
    t_slot = ends.ravel()
    p_slot, v_slot = P.ravel(), V.ravel()
    traded = np.flatnonzero(v_slot > 0)
    two = (v_slot[traded] >= 400) & (v_slot[traded] < 20_000)   # block prints stay whole
    first_v = np.where(two, v_slot[traded] // 200 * 100, v_slot[traded])
    tr_slot = np.repeat(traded, 1 + two)
    tr_vol = np.empty(len(tr_slot), np.int64)
    pos = np.cumsum(1 + two) - 1 - two                       # index of each slot's first trade
    tr_vol[pos] = first_v
    tr_vol[pos[two] + 1] = v_slot[traded][two] - first_v[two]
    tr_px = p_slot[tr_slot]
    offs = rng.integers(1, 3000, len(tr_slot))              # ms into the slot: (start, end]
    a, b = pos[two], pos[two] + 1
    offs[a], offs[b] = np.minimum(offs[a], offs[b]), np.maximum(offs[a], offs[b]) + 1
    tr_time = t_slot[tr_slot] - 3000 + offs
    if len(tr_time) and tr_slot[0] == 0:
        tr_time[0] = _MS_AUCTION                             # the day's first trade: the opening auction
    prev = np.r_[tr_px[:1], tr_px[:-1]]
    direction = np.where(tr_px > prev, 1, np.where(tr_px < prev, 0, rng.integers(0, 2, len(tr_px)))).astype(np.int8)
    if len(direction):
        direction[0] = 2 if tr_time[0] == _MS_AUCTION else direction[0]
    # Snapshots: 09:25:00, then every slot end.
    snap_t = np.r_[_MS_AUCTION, t_slot]
    k = np.searchsorted(tr_time, snap_t, side="right")       # trades done by each snapshot
    cum_v = np.r_[0, np.cumsum(tr_vol)]
    cum_b = np.r_[0.0, np.cumsum(tr_vol * tr_px * tick)]
    cum_in = np.r_[0, np.cumsum(np.where(direction == 0, tr_vol, 0))]
    cum_out = np.r_[0, np.cumsum(np.where(direction == 1, tr_vol, 0))]
    hi_run = np.r_[0, np.maximum.accumulate(tr_px)] if len(tr_px) else np.zeros(1, np.int64)
    lo_run = np.r_[0, np.minimum.accumulate(tr_px)] if len(tr_px) else np.zeros(1, np.int64)
    last_idx = np.maximum(k - 1, 0)
    last = np.where(k > 0, tr_px[last_idx], 0)
    up_side = np.where(k > 0, direction[last_idx] == 1, False)
    up = float(np.nan_to_num(win.high_limit[0, sid]))
    down = float(np.nan_to_num(win.low_limit[0, sid]))
    up_t = round(up / tick) if up else np.iinfo(np.int64).max
    down_t = round(down / tick) if down else 1
    pre = float(win.preclose[0, sid]) if np.isfinite(win.preclose[0, sid]) else float(win.close[0, sid])
    m = len(snap_t)
    bid1 = np.where(k > 0, last - up_side, np.rint(pre / tick).astype(np.int64))
    cols = {"code": pa.array([code] * m, pa.string()),
            "time": pa.array((d.astype("datetime64[ms]") + snap_t.astype("timedelta64[ms]")), pa.timestamp("ms")),
            "trade_status": pa.array(["OCALL"] + ["TRADE"] * (m - 2) + ["ENDTR"], pa.string()),
            "last_px": np.round(last * tick, 6), "open_px": np.where(k > 0, np.round(tr_px[0] * tick, 6), 0.0)
            if len(tr_px) else np.zeros(m),
            "high_px": np.round(hi_run[k] * tick, 6), "low_px": np.round(lo_run[k] * tick, 6),
            "preclose_px": np.full(m, pre), "up_px": np.full(m, up), "down_px": np.full(m, down),
            "business_amount": cum_v[k], "business_balance": np.round(cum_b[k], 4), "business_count": k.astype(np.int64),
            "business_amount_in": cum_in[k], "business_amount_out": cum_out[k]}
    for i in range(LEVELS):
        for side, lvl in (("bid", bid1 - i), ("offer", bid1 + 1 + i)):
            ok = (lvl >= down_t) & (lvl <= up_t) & (lvl > 0)
            cols[f"{side}_px{i + 1}"] = np.where(ok, np.round(lvl * tick, 6), 0.0)
            cols[f"{side}_vol{i + 1}"] = np.where(ok, rng.integers(1, 200, m) * 100, 0)
    assert all(s in STATUSES for s in ("OCALL", "TRADE", "ENDTR"))
    snaps = pa.table({k_: (v if isinstance(v, pa.Array) else pa.array(v)) for k_, v in cols.items()})
    times = d.astype("datetime64[ms]") + tr_time.astype("timedelta64[ms]")
    order_no = np.arange(1, len(tr_px) + 1, dtype=np.int64)
    trades = pa.table({"code": pa.array([code] * len(tr_px), pa.string()), "time": pa.array(times, pa.timestamp("ms")),
                       "price": np.round(tr_px * tick, 6), "volume": tr_vol, "direction": direction,
                       "buy_no": np.where(direction == 1, order_no, 0), "sell_no": np.where(direction == 0, order_no, 0)})
    orders = pa.table({"code": pa.array([code] * len(tr_px), pa.string()), "time": pa.array(times, pa.timestamp("ms")),
                       "order_no": order_no, "price": np.round(tr_px * tick, 6), "volume": tr_vol,
                       "direction": np.where(direction == 2, 1, direction).astype(np.int8),
                       "trans_kind": np.full(len(tr_px), 2, np.int8)})
    return snaps, trades, orders


def _auction_snapshots(snaps: pa.Table, d, tick: float, rng) -> pa.Table:
    """The opening call auction's snapshots 09:15:00 … 09:24:57 (every 3 s) before ``snaps`` (the day's
    snapshots from 09:25:00, whose first row is the uncross): the indicative price and the matched volume
    (module docstring)."""
    first = snaps.slice(0, 1).to_pylist()[0]
    pre, up, down = first["preclose_px"], first["up_px"], first["down_px"]
    to_t = lambda x: int(round(x / tick))                                # noqa: E731
    traded = first["business_amount"] > 0
    target = to_t(first["last_px"]) if traded else to_t(pre)              # the open (no print: the reference)
    matched_end = int(first["business_amount"]) if traded else 0         # the 09:25:00 print's volume
    up_t = to_t(up) if up else np.iinfo(np.int64).max
    down_t = max(to_t(down), 1) if down else 1
    n = CALL_SLOTS
    i = np.arange(n)
    # Indicative price: a random walk around the open, its gap closing linearly 09:20:00 … 09:23:00.
    s = max(2, round(0.005 * pre / tick))
    walk = rng.integers(-s, s + 1) + np.r_[0, np.cumsum(rng.integers(-1, 2, n - 1))]
    weight = np.clip((_CONVERGED - i) / (_CONVERGED - _NO_CANCEL), 0.0, 1.0)
    px = np.clip(target + np.rint(walk * weight).astype(np.int64), down_t, up_t)
    # Matched volume: grows towards the print's volume; before 09:20 cancellations can shrink it, from 09:20
    # it never falls; the last snapshot shows the print's volume.
    grow = np.minimum((i + 1) / n * rng.uniform(0.6, 1.3, n), 1.0)
    matched = (np.floor(grow * matched_end / 100) * 100).astype(np.int64)
    matched[-1] = matched_end
    matched[_NO_CANCEL:] = np.maximum.accumulate(matched[_NO_CANCEL:])
    unmatched = np.maximum(np.floor(rng.uniform(0.05, 0.5, n) * matched_end / 100), 1).astype(np.int64) * 100
    # The side with surplus: buyers at the limit-up or below the final price, sellers at the limit-down or
    # above it, either side at it.
    buy = np.where(px >= up_t, True, np.where(px <= down_t, False,
                   np.where(px < target, True, np.where(px > target, False, rng.integers(0, 2, n) == 1))))
    times = np.datetime64(d, "D").astype("datetime64[ms]") + (_MS_CALL + 3000 * i).astype("timedelta64[ms]")
    price = np.round(px * tick, 6)
    cols = {}
    for f in snaps.schema:
        name = f.name
        if name == "code":
            v = pa.array([first["code"]] * n, f.type)
        elif name == "time":
            v = pa.array(times, f.type)
        elif name == "trade_status":
            v = pa.array(["OCALL"] * n, f.type)
        elif name in ("preclose_px", "up_px", "down_px"):
            v = pa.array(np.full(n, first[name]), f.type)
        elif name == "last_px":
            v = pa.array(price, f.type)
        elif name in ("bid_px1", "offer_px1"):
            v = pa.array(price, f.type)
        elif name == "bid_vol1":
            v = pa.array(matched + np.where(buy, unmatched, 0), f.type)
        elif name == "offer_vol1":
            v = pa.array(matched + np.where(buy, 0, unmatched), f.type)
        else:                                   # no trade yet: volumes, turnover, extremes 0; levels 2-5 empty
            v = pa.array(np.zeros(n), f.type) if pa.types.is_floating(f.type) else pa.array(np.zeros(n, np.int64),
                                                                                              f.type)
        cols[name] = v
    return pa.table(cols, schema=snaps.schema)
