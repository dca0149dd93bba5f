# cython: boundscheck=False, wraparound=False, cdivision=True, language_level=3
"""Order matching against five-level Level-1 snapshots: arrival walks, queue positions, call auctions.

This kernel knows only market volumes and prices (raw ``int64`` in 1e-4 CNY, volumes in shares).  It says how
much of an order the market would have executed and at what price; the account side (cash, ``enable_amount``,
fees, T+1, statuses) is applied afterwards by ``OrderBook.apply_fills``, the same code path as bar matching.

Books
-----
One side of a snapshot is two length-5 arrays ``px``, ``vol``: bids best (highest) first, asks best (lowest)
first.  The displayed depth is the number of leading levels with ``px > 0`` and ``vol > 0``; later levels are
empty.  A price is *known* on a side when it is one of the displayed levels, lies inside the displayed range,
or the side shows fewer than five levels (then nothing lies beyond).  Beyond a full five-level side the volume
at a price is unknown.

Participation ``ppm`` (parts per million, 0..1 000 000): of any displayed level and of any traded volume we may
take at most ``floor(volume * ppm / 1e6)``; several of our orders share that allowance (``taken`` / ``used``
counters), so our fills never exceed what was displayed or traded.

Arrival (``arrive``)
--------------------
* limit order (``TM_LIMIT``): walks the opposite side's levels priced at or better than the limit, filling at
  each level's price; the remainder rests at the limit.
* ``order_market`` types (Ptrade codes; the protective ``limit`` bounds every walk when > 0):
  0 对手方最优 fills at the opposite best level only and rests the remainder at that price; 1 最优五档即时成交
  剩余转限价 walks five levels and rests the remainder at the last fill price (nothing filled: cancelled);
  2 本方最优 rests at the own-side best price without filling; 3 即时成交剩余撤销 and 4 最优五档即时成交剩余撤销 walk
  the displayed levels (five: identical on Level-1 data) and cancel the remainder; 5 全额成交或撤单 fills in full
  from the displayed levels or cancels everything.  An empty side the order needs cancels it with
  ``R_NO_COUNTERPARTY``, as does a protective price the needed quote violates.
* queue position of a resting remainder at price R: the displayed volume at R on its own side (we join the back
  of the level); 0 when R improves on the own best or lies in a gap; *unknown* beyond a full five-level side.

Resting orders (``step``), per security and snapshot interval, orders visited in price then time priority:
1. *crossing*: levels of the new snapshot's opposite side at or through R fill us at R (their displayed volume,
   shared by our orders);
2. *through trades*: trades of the interval at prices strictly better for the other side than R (a sell print
   below our buy) fill us at R, nearest prices first;
3. *at-price trades*: traded volume at R first consumes the queue ahead; only the excess fills us (orders with
   an unknown queue never fill at R);
4. *queue update*: ahead -= traded volume at R (floored at 0); then cancellations: if the level's displayed
   volume fell by more than the trades at R explain, the unexplained part ``C`` came from cancels spread evenly
   over the level, so ahead -= floor(C * ahead / (V_prev - T_R)) (rounded in the queue's disfavour); finally
   ahead <= the level's new displayed volume (only others' orders are displayed, so no more can be ahead of us).
   An unknown queue becomes known, at the back of the level, the first time the new snapshot shows R.
Every fill of a resting order is at its own price R.

Call auctions (``auction``): orders collected during the auction uncross at the data's price P with the data's
volume V: buys priced >= P (or unpriced) and sells <= P take, per side, at most ``floor(V * ppm / 1e6)``,
allocated by price priority (unpriced first), then time; each fill is at P.
"""
from libc.stdlib cimport malloc, free, qsort
from ptrade_fast._core.typedefs cimport (price_t, int8_t, int64_t, uint8_t, SIDE_BUY, SIDE_SELL, R_NONE,
                                          R_NO_COUNTERPARTY, R_IOC_REMAINDER, R_FOK_UNFILLED)

cdef extern from *:
    """
    /* floor(a * b / c) for a, b >= 0 and c > 0, exact in 128 bits. */
    static inline int64_t tm_muldiv_floor(int64_t a, int64_t b, int64_t c) {
        return (int64_t)(((__int128)a * (__int128)b) / (__int128)c);
    }
    """
    int64_t tm_muldiv_floor(int64_t a, int64_t b, int64_t c) noexcept nogil

LEVELS = TM_LEVELS
PPM = TM_PPM
LIMIT = TM_LIMIT
BEST_COUNTER = TM_BEST_COUNTER
BEST5_TO_LIMIT = TM_BEST5_TO_LIMIT
BEST_OWN = TM_BEST_OWN
IOC = TM_IOC
BEST5_IOC = TM_BEST5_IOC
FOK = TM_FOK
REST = TM_REST
DONE = TM_DONE
CANCEL = TM_CANCEL


# -- helpers -----------------------------------------------------------------------------------------

cdef int64_t tm_share(int64_t volume, int64_t ppm) noexcept nogil:
    # Our allowance of a displayed or traded volume: floor(volume * ppm / 1e6), 0 for volume <= 0.
    if volume <= 0:
        return 0
    if ppm >= TM_PPM:
        return volume
    return tm_muldiv_floor(volume, ppm, TM_PPM)


cdef int tm_depth(const price_t* px, const int64_t* vol) noexcept nogil:
    cdef int j
    for j in range(TM_LEVELS):
        if px[j] <= 0 or vol[j] <= 0:
            return j
    return TM_LEVELS


cdef int64_t tm_level_volume(int side, price_t price, const price_t* px, const int64_t* vol,
                             bint* known) noexcept nogil:
    # Displayed volume at ``price`` on one side (bids when side is SIDE_BUY); ``known`` says whether the
    # snapshot shows it (a gap or a price beyond a short side is known to be 0).
    cdef int j, n = tm_depth(px, vol)
    for j in range(n):
        if px[j] == price:
            known[0] = True
            return vol[j]
    if n < TM_LEVELS:
        known[0] = True
    elif side == SIDE_BUY:
        known[0] = price > px[n - 1]
    else:
        known[0] = price < px[n - 1]
    return 0


cdef inline bint _worse(int side, price_t p, price_t bound) noexcept nogil:
    # True when level price p is beyond the order's bound (higher for a buy, lower for a sell).
    if bound <= 0:
        return False
    return p > bound if side == SIDE_BUY else p < bound


cdef int64_t _walk(int side, price_t bound, int64_t qty, int max_levels, const price_t* opx,
                   const int64_t* ovol, int64_t* taken, int64_t ppm, bint dry, price_t* out_px,
                   int64_t* out_qty, Py_ssize_t* n_out, price_t* last_px) noexcept nogil:
    # Take the opposite side's levels in order up to ``bound``; returns the quantity filled.
    cdef int j, n = tm_depth(opx, ovol)
    cdef int64_t filled = 0, avail, q
    if n > max_levels:
        n = max_levels
    for j in range(n):
        if filled == qty or _worse(side, opx[j], bound):
            break
        avail = tm_share(ovol[j], ppm) - taken[j]
        if avail <= 0:
            continue
        q = qty - filled
        if q > avail:
            q = avail
        filled += q
        if not dry:
            taken[j] += q
            out_px[n_out[0]] = opx[j]
            out_qty[n_out[0]] = q
            n_out[0] += 1
            last_px[0] = opx[j]
    return filled


def _check_side(name, arr, Py_ssize_t n=TM_LEVELS):
    if arr.shape[0] != n:
        raise ValueError(f"{name} must have {n} entries, had {arr.shape[0]}")


def _check_ppm(int64_t ppm):
    if ppm < 0 or ppm > TM_PPM:
        raise ValueError(f"participation must be in [0, {TM_PPM}] parts per million, was {ppm}")


# -- arrival -----------------------------------------------------------------------------------------

def queue_position(int side, price_t price, const price_t[::1] own_px, const int64_t[::1] own_vol):
    """Queue ahead of a new resting order at ``price`` on its own side's levels: ``(ahead, known)``."""
    cdef bint known = False
    cdef int64_t ahead
    if side != SIDE_BUY and side != SIDE_SELL:
        raise ValueError(f"side must be 1 (buy) or -1 (sell), was {side}")
    _check_side("own_px", own_px)
    _check_side("own_vol", own_vol)
    ahead = tm_level_volume(side, price, &own_px[0], &own_vol[0], &known)
    return ahead, bool(known)


def arrive(int side, price_t limit, int64_t qty, int mtype, const price_t[::1] bid_px,
           const int64_t[::1] bid_vol, const price_t[::1] ask_px, const int64_t[::1] ask_vol,
           int64_t[::1] bid_taken, int64_t[::1] ask_taken, int64_t ppm, price_t[::1] out_px,
           int64_t[::1] out_qty):
    """Match an order on arrival against the current snapshot.

    ``limit`` is the limit price of a limit order (``mtype == LIMIT``, required > 0) or the protective price
    of a market order (0 = none).  ``bid_taken`` / ``ask_taken`` count what our earlier orders already took
    from each level of this snapshot; the walk adds to them.  Fills (price, quantity) are written to
    ``out_px`` / ``out_qty`` (5 entries each).

    Returns ``(n_fills, outcome, reason, rest_px, ahead, known)``: outcome ``REST`` (the remainder rests at
    ``rest_px`` with ``ahead`` shares queued before it, ``known`` False when the queue is not visible yet),
    ``DONE`` or ``CANCEL`` (``reason`` an ``R_*`` code).
    """
    cdef Py_ssize_t n_out = 0
    cdef int64_t filled = 0, ahead = 0
    cdef price_t rest_px = 0, last_px = 0, p
    cdef const price_t* opx
    cdef const int64_t* ovol
    cdef const price_t* wpx
    cdef const int64_t* wvol
    cdef int64_t* taken
    cdef int outcome = TM_REST
    cdef int reason = R_NONE
    cdef bint known = True
    if side != SIDE_BUY and side != SIDE_SELL:
        raise ValueError(f"side must be 1 (buy) or -1 (sell), was {side}")
    if qty <= 0:
        raise ValueError(f"qty must be > 0, was {qty}")
    if mtype < TM_LIMIT or mtype > TM_FOK:
        raise ValueError(f"mtype must be -1 (limit) or an order_market type 0..5, was {mtype}")
    if limit < 0 or (mtype == TM_LIMIT and limit == 0):
        raise ValueError(f"limit must be > 0 for a limit order and >= 0 otherwise, was {limit}")
    for name, arr in (("bid_px", bid_px), ("bid_vol", bid_vol), ("ask_px", ask_px), ("ask_vol", ask_vol),
                      ("bid_taken", bid_taken), ("ask_taken", ask_taken), ("out_px", out_px),
                      ("out_qty", out_qty)):
        _check_side(name, arr)
    _check_ppm(ppm)
    if side == SIDE_BUY:
        opx, ovol, taken, wpx, wvol = &ask_px[0], &ask_vol[0], &ask_taken[0], &bid_px[0], &bid_vol[0]
    else:
        opx, ovol, taken, wpx, wvol = &bid_px[0], &bid_vol[0], &bid_taken[0], &ask_px[0], &ask_vol[0]

    with nogil:
        if mtype == TM_LIMIT:
            filled = _walk(side, limit, qty, TM_LEVELS, opx, ovol, taken, ppm, False, &out_px[0], &out_qty[0],
                           &n_out, &last_px)
            rest_px = limit
        elif mtype == TM_BEST_COUNTER:
            if tm_depth(opx, ovol) == 0 or _worse(side, opx[0], limit):
                outcome = TM_CANCEL
                reason = R_NO_COUNTERPARTY
            else:
                rest_px = opx[0]
                filled = _walk(side, rest_px, qty, 1, opx, ovol, taken, ppm, False, &out_px[0], &out_qty[0],
                               &n_out, &last_px)
        elif mtype == TM_BEST_OWN:
            if tm_depth(wpx, wvol) == 0 or _worse(side, wpx[0], limit):
                outcome = TM_CANCEL
                reason = R_NO_COUNTERPARTY
            else:
                rest_px = wpx[0]
        elif mtype == TM_BEST5_TO_LIMIT:
            filled = _walk(side, limit, qty, TM_LEVELS, opx, ovol, taken, ppm, False, &out_px[0], &out_qty[0],
                           &n_out, &last_px)
            if filled == 0:
                outcome = TM_CANCEL
                reason = R_NO_COUNTERPARTY
            rest_px = last_px
        elif mtype == TM_FOK:
            filled = _walk(side, limit, qty, TM_LEVELS, opx, ovol, taken, ppm, True, &out_px[0], &out_qty[0],
                           &n_out, &last_px)
            if filled < qty:
                filled = 0
                outcome = TM_CANCEL
                reason = R_FOK_UNFILLED
            else:
                filled = _walk(side, limit, qty, TM_LEVELS, opx, ovol, taken, ppm, False, &out_px[0],
                               &out_qty[0], &n_out, &last_px)
        else:   # TM_IOC, TM_BEST5_IOC: the displayed levels are the five best either way
            filled = _walk(side, limit, qty, TM_LEVELS, opx, ovol, taken, ppm, False, &out_px[0], &out_qty[0],
                           &n_out, &last_px)
            if filled < qty:
                outcome = TM_CANCEL
                reason = R_NO_COUNTERPARTY if filled == 0 and tm_depth(opx, ovol) == 0 else R_IOC_REMAINDER

        if outcome == TM_REST:
            if filled == qty:
                outcome = TM_DONE
            else:
                ahead = tm_level_volume(side, rest_px, wpx, wvol, &known)
        if outcome != TM_REST:
            rest_px = 0
    return n_out, outcome, reason, rest_px, ahead, bool(known)


# -- resting orders ----------------------------------------------------------------------------------

ctypedef struct _Key:
    int64_t k0          # 0 buys, 1 sells
    int64_t k1          # price priority: -price for buys, price for sells (unpriced first in auctions)
    int64_t pos         # position in the caller's list = time priority

ctypedef struct _Trade:
    int64_t px
    int64_t vol


cdef int _cmp_key(const void* a, const void* b) noexcept nogil:
    cdef const _Key* x = <const _Key*>a
    cdef const _Key* y = <const _Key*>b
    if x.k0 != y.k0:
        return -1 if x.k0 < y.k0 else 1
    if x.k1 != y.k1:
        return -1 if x.k1 < y.k1 else 1
    return -1 if x.pos < y.pos else (1 if x.pos > y.pos else 0)


cdef int _cmp_trade(const void* a, const void* b) noexcept nogil:
    cdef const _Trade* x = <const _Trade*>a
    cdef const _Trade* y = <const _Trade*>b
    return -1 if x.px < y.px else (1 if x.px > y.px else 0)


cdef void _sort_orders(_Key* keys, const int8_t* side, const price_t* price, const int64_t* idx, Py_ssize_t n,
                       bint unpriced_first) noexcept nogil:
    cdef Py_ssize_t k
    cdef int64_t i
    for k in range(n):
        i = idx[k]
        keys[k].k0 = 0 if side[i] == SIDE_BUY else 1
        keys[k].k1 = -price[i] if side[i] == SIDE_BUY else price[i]
        if unpriced_first and price[i] == 0:
            keys[k].k1 = -0x7FFFFFFFFFFFFFFF
        keys[k].pos = k
    qsort(keys, n, sizeof(_Key), _cmp_key)


cdef Py_ssize_t _step_one(const int8_t* side, const price_t* price, int64_t* rem, int64_t* ahead,
                          uint8_t* known, const int64_t* idx, Py_ssize_t n,
                          const price_t* pbp, const int64_t* pbv, const price_t* pap, const int64_t* pav,
                          const price_t* bp, const int64_t* bv, const price_t* ap, const int64_t* av,
                          const price_t* trade_px, const int64_t* trade_vol, Py_ssize_t m,
                          int64_t* cross_bid, int64_t* cross_ask, int64_t ppm,
                          _Key* keys, _Trade* tr, int64_t* used,
                          int64_t* out_order, int64_t* out_qty) noexcept nogil:
    # One security over one interval (see ``step``); scratch: keys[n], tr[m], used[2m].
    cdef Py_ssize_t mu = 0, k, u, lo, hi, mid, n_fill = 0
    cdef int64_t i, r, take, q, avail, t_at, a, vp, vn, base, c
    cdef price_t R
    cdef int s, j, nd
    cdef bint kp, kn, at_found
    cdef const price_t* opx
    cdef const int64_t* ovol
    cdef int64_t* ctaken
    cdef const price_t* wpx_prev
    cdef const int64_t* wvol_prev
    cdef const price_t* wpx
    cdef const int64_t* wvol
    if n == 0:
        return 0

    # Trades of the interval: volume per distinct price, ascending; used[2u] buys', used[2u+1] sells'.
    for k in range(m):
        tr[k].px = trade_px[k]
        tr[k].vol = trade_vol[k]
    qsort(tr, m, sizeof(_Trade), _cmp_trade)
    for k in range(m):
        if mu > 0 and tr[mu - 1].px == tr[k].px:
            tr[mu - 1].vol += tr[k].vol
        else:
            tr[mu] = tr[k]
            mu += 1
    for k in range(2 * mu):
        used[k] = 0
    _sort_orders(keys, side, price, idx, n, False)

    for k in range(n):
        i = idx[keys[k].pos]
        s = side[i]
        R = price[i]
        r = rem[i]
        if r <= 0:
            continue
        take = 0
        if s == SIDE_BUY:
            opx, ovol, ctaken = ap, av, cross_ask
            wpx_prev, wvol_prev, wpx, wvol = pbp, pbv, bp, bv
        else:
            opx, ovol, ctaken = bp, bv, cross_bid
            wpx_prev, wvol_prev, wpx, wvol = pap, pav, ap, av

        # 1. the new snapshot's opposite side at or through our price
        nd = tm_depth(opx, ovol)
        for j in range(nd):
            if take == r or _worse(s, opx[j], R):
                break
            avail = tm_share(ovol[j], ppm) - ctaken[j]
            if avail > 0:
                q = r - take
                if q > avail:
                    q = avail
                ctaken[j] += q
                take += q

        # 2. trades through our price, nearest first.  lo = first distinct price >= R.
        lo = 0
        hi = mu
        while lo < hi:
            mid = (lo + hi) // 2
            if tr[mid].px < R:
                lo = mid + 1
            else:
                hi = mid
        at_found = lo < mu and tr[lo].px == R
        t_at = tr[lo].vol if at_found else 0
        if s == SIDE_BUY:
            u = lo - 1
            while u >= 0 and take < r:
                avail = tm_share(tr[u].vol, ppm) - used[2 * u]
                if avail > 0:
                    q = r - take
                    if q > avail:
                        q = avail
                    used[2 * u] += q
                    take += q
                u -= 1
        else:
            u = lo + 1 if at_found else lo
            while u < mu and take < r:
                avail = tm_share(tr[u].vol, ppm) - used[2 * u + 1]
                if avail > 0:
                    q = r - take
                    if q > avail:
                        q = avail
                    used[2 * u + 1] += q
                    take += q
                u += 1

        # 3. trades at our price, once the queue ahead is gone
        if known[i] and at_found and take < r and t_at > ahead[i]:
            u = 2 * lo + (0 if s == SIDE_BUY else 1)
            avail = tm_share(t_at - ahead[i], ppm) - used[u]
            if avail > 0:
                q = r - take
                if q > avail:
                    q = avail
                used[u] += q
                take += q

        # 4. the queue ahead moves: trades at our price, then inferred cancels, then the displayed bound
        kp = False
        kn = False
        vn = tm_level_volume(s, R, wpx, wvol, &kn)
        if known[i]:
            a = ahead[i] - t_at
            if a < 0:
                a = 0
            vp = tm_level_volume(s, R, wpx_prev, wvol_prev, &kp)
            if kp and kn and vp > 0 and a > 0:
                base = vp - (t_at if t_at < vp else vp)
                c = base - vn
                if c > 0 and base > 0:
                    a -= tm_muldiv_floor(c, a, base)
            if kn and a > vn:
                a = vn
            ahead[i] = a
        elif kn:
            ahead[i] = vn
            known[i] = 1

        if take > 0:
            rem[i] = r - take
            out_order[n_fill] = i
            out_qty[n_fill] = take
            n_fill += 1
    return n_fill


cdef int _check_orders(const int8_t[::1] side, const price_t[::1] price, int64_t[::1] rem, int64_t[::1] ahead,
                       uint8_t[::1] known, const int64_t[::1] idx) except -1:
    cdef Py_ssize_t n_arr = side.shape[0], k
    cdef int64_t i
    for name, length in (("price", price.shape[0]), ("rem", rem.shape[0]), ("ahead", ahead.shape[0]),
                         ("known", known.shape[0])):
        if length != n_arr:
            raise ValueError(f"{name} must have {n_arr} entries like side, had {length}")
    for k in range(idx.shape[0]):
        i = idx[k]
        if i < 0 or i >= n_arr:
            raise IndexError(f"idx[{k}] = {i} is outside the {n_arr} orders")
        if side[i] != SIDE_BUY and side[i] != SIDE_SELL:
            raise ValueError(f"order {i} has side {side[i]}")
    return 0


cdef int _check_trades(const int64_t[::1] trade_vol) except -1:
    cdef Py_ssize_t k
    for k in range(trade_vol.shape[0]):
        if trade_vol[k] < 0:
            raise ValueError(f"trade_vol[{k}] is negative ({trade_vol[k]})")
    return 0


def step(const int8_t[::1] side, const price_t[::1] price, int64_t[::1] rem, int64_t[::1] ahead,
         uint8_t[::1] known, const int64_t[::1] idx,
         const price_t[::1] prev_bid_px, const int64_t[::1] prev_bid_vol,
         const price_t[::1] prev_ask_px, const int64_t[::1] prev_ask_vol,
         const price_t[::1] bid_px, const int64_t[::1] bid_vol,
         const price_t[::1] ask_px, const int64_t[::1] ask_vol,
         const price_t[::1] trade_px, const int64_t[::1] trade_vol, int64_t[::1] bid_taken,
         int64_t[::1] ask_taken, int64_t ppm, int64_t[::1] out_order, int64_t[::1] out_qty):
    """Match the resting orders of one security over one snapshot interval.

    ``side``, ``price`` (the resting price), ``rem`` (quantity still to fill), ``ahead`` (queue ahead) and
    ``known`` are the matcher's order arrays; ``idx`` lists this security's orders among them in placement
    order.  ``prev_*`` is the snapshot the interval starts from, the others the snapshot it ends at;
    ``trade_px`` / ``trade_vol`` the trades in between (any order).  ``bid_taken`` / ``ask_taken`` count what
    our orders already took from the new snapshot's levels (as in ``arrive``); crossing fills add to them, so
    orders arriving later at this snapshot see what is left.  ``rem``, ``ahead`` and ``known`` are updated in
    place.  Fills go to ``out_order`` (an index into the order arrays) and ``out_qty``, at most one
    per order, each at the order's own price; returns their number.
    """
    cdef Py_ssize_t n = idx.shape[0], m = trade_px.shape[0], n_fill
    cdef _Key* keys = NULL
    cdef _Trade* tr = NULL
    cdef int64_t* used = NULL
    _check_orders(side, price, rem, ahead, known, idx)
    for name, arr in (("prev_bid_px", prev_bid_px), ("prev_bid_vol", prev_bid_vol),
                      ("prev_ask_px", prev_ask_px), ("prev_ask_vol", prev_ask_vol), ("bid_px", bid_px),
                      ("bid_vol", bid_vol), ("ask_px", ask_px), ("ask_vol", ask_vol), ("bid_taken", bid_taken),
                      ("ask_taken", ask_taken)):
        _check_side(name, arr)
    if trade_vol.shape[0] != m:
        raise ValueError(f"trade_vol must have {m} entries like trade_px, had {trade_vol.shape[0]}")
    if out_order.shape[0] < n or out_qty.shape[0] < n:
        raise ValueError(f"out_order and out_qty need room for {n} fills")
    _check_ppm(ppm)
    _check_trades(trade_vol)
    if n == 0:
        return 0
    keys = <_Key*>malloc(n * sizeof(_Key))
    tr = <_Trade*>malloc((m + 1) * sizeof(_Trade))
    used = <int64_t*>malloc(2 * (m + 1) * sizeof(int64_t))
    if keys == NULL or tr == NULL or used == NULL:
        free(keys)
        free(tr)
        free(used)
        raise MemoryError()
    with nogil:
        n_fill = _step_one(&side[0], &price[0], &rem[0], &ahead[0], &known[0], &idx[0], n,
                           &prev_bid_px[0], &prev_bid_vol[0], &prev_ask_px[0], &prev_ask_vol[0],
                           &bid_px[0], &bid_vol[0], &ask_px[0], &ask_vol[0],
                           &trade_px[0] if m else NULL, &trade_vol[0] if m else NULL, m,
                           &bid_taken[0], &ask_taken[0], ppm, keys, tr, used, &out_order[0], &out_qty[0])
    free(keys)
    free(tr)
    free(used)
    return n_fill


def step_many(const int8_t[::1] side, const price_t[::1] price, int64_t[::1] rem, int64_t[::1] ahead,
              uint8_t[::1] known, const int64_t[::1] idx, const int64_t[::1] idx_start,
              const price_t[:, ::1] prev_bid_px, const int64_t[:, ::1] prev_bid_vol,
              const price_t[:, ::1] prev_ask_px, const int64_t[:, ::1] prev_ask_vol,
              const price_t[:, ::1] bid_px, const int64_t[:, ::1] bid_vol,
              const price_t[:, ::1] ask_px, const int64_t[:, ::1] ask_vol,
              const price_t[::1] trade_px, const int64_t[::1] trade_vol, const int64_t[::1] trade_start,
              int64_t[:, ::1] bid_taken, int64_t[:, ::1] ask_taken, int64_t ppm,
              int64_t[::1] out_order, int64_t[::1] out_qty):
    """``step`` for several securities in one call: security g owns ``idx[idx_start[g]:idx_start[g+1]]``,
    row g of every book array (shape ``(n_sec, 5)``) and ``trade_*[trade_start[g]:trade_start[g+1]]``.
    Fills of all securities follow each other in ``out_order`` / ``out_qty``, security by security, exactly
    as ``step`` called once per security would write them; returns their number."""
    cdef Py_ssize_t n_sec = idx_start.shape[0] - 1, g, n = idx.shape[0], m = trade_px.shape[0]
    cdef Py_ssize_t n_fill = 0, max_n = 0, max_m = 0, a0, a1, t0, t1
    cdef _Key* keys = NULL
    cdef _Trade* tr = NULL
    cdef int64_t* used = NULL
    if n_sec < 0 or trade_start.shape[0] != n_sec + 1:
        raise ValueError(f"idx_start and trade_start need n_sec + 1 entries, had {idx_start.shape[0]} and "
                         f"{trade_start.shape[0]}")
    _check_orders(side, price, rem, ahead, known, idx)
    for name, arr in (("prev_bid_px", prev_bid_px), ("prev_bid_vol", prev_bid_vol),
                      ("prev_ask_px", prev_ask_px), ("prev_ask_vol", prev_ask_vol), ("bid_px", bid_px),
                      ("bid_vol", bid_vol), ("ask_px", ask_px), ("ask_vol", ask_vol), ("bid_taken", bid_taken),
                      ("ask_taken", ask_taken)):
        if arr.shape[0] != n_sec or arr.shape[1] != TM_LEVELS:
            raise ValueError(f"{name} must have shape ({n_sec}, {TM_LEVELS}), had ({arr.shape[0]}, {arr.shape[1]})")
    if trade_vol.shape[0] != m:
        raise ValueError(f"trade_vol must have {m} entries like trade_px, had {trade_vol.shape[0]}")
    if out_order.shape[0] < n or out_qty.shape[0] < n:
        raise ValueError(f"out_order and out_qty need room for {n} fills")
    _check_ppm(ppm)
    _check_trades(trade_vol)
    for g in range(n_sec):
        a0, a1, t0, t1 = idx_start[g], idx_start[g + 1], trade_start[g], trade_start[g + 1]
        if not (0 <= a0 <= a1 <= n) or not (0 <= t0 <= t1 <= m):
            raise ValueError(f"security {g}: orders [{a0}, {a1}) or trades [{t0}, {t1}) out of order or range")
        max_n = max(max_n, a1 - a0)
        max_m = max(max_m, t1 - t0)
    if n_sec == 0 or n == 0:
        return 0
    keys = <_Key*>malloc((max_n + 1) * sizeof(_Key))
    tr = <_Trade*>malloc((max_m + 1) * sizeof(_Trade))
    used = <int64_t*>malloc(2 * (max_m + 1) * sizeof(int64_t))
    if keys == NULL or tr == NULL or used == NULL:
        free(keys)
        free(tr)
        free(used)
        raise MemoryError()
    with nogil:
        for g in range(n_sec):
            a0, a1, t0, t1 = idx_start[g], idx_start[g + 1], trade_start[g], trade_start[g + 1]
            if a1 == a0:
                continue
            n_fill += _step_one(&side[0], &price[0], &rem[0], &ahead[0], &known[0], &idx[a0], a1 - a0,
                                &prev_bid_px[g, 0], &prev_bid_vol[g, 0], &prev_ask_px[g, 0], &prev_ask_vol[g, 0],
                                &bid_px[g, 0], &bid_vol[g, 0], &ask_px[g, 0], &ask_vol[g, 0],
                                &trade_px[t0] if t1 > t0 else NULL, &trade_vol[t0] if t1 > t0 else NULL, t1 - t0,
                                &bid_taken[g, 0], &ask_taken[g, 0], ppm, keys, tr, used,
                                &out_order[n_fill], &out_qty[n_fill])
    free(keys)
    free(tr)
    free(used)
    return n_fill


# -- call auctions -----------------------------------------------------------------------------------

def auction(const int8_t[::1] side, const price_t[::1] price, int64_t[::1] rem, const int64_t[::1] idx,
            price_t uncross_px, int64_t uncross_vol, int64_t ppm, int64_t[::1] out_order,
            int64_t[::1] out_qty):
    """Uncross the orders ``idx`` (placement order) of one security at the auction price and volume.

    ``price`` 0 is an unpriced order (it takes before any priced one).  Eligible buys are priced at or above
    ``uncross_px``, eligible sells at or below it; each side takes at most ``floor(uncross_vol * ppm / 1e6)``
    in price, then time priority.  ``rem`` is reduced in place; fills go to ``out_order`` / ``out_qty``, all at
    ``uncross_px``; returns their number.
    """
    cdef Py_ssize_t n = idx.shape[0], n_arr = side.shape[0], k, n_fill = 0
    cdef _Key* keys = NULL
    cdef int64_t cap_buy, cap_sell, i, q
    cdef int s
    cdef price_t p
    for name, arr in (("price", price), ("rem", rem)):
        if arr.shape[0] != n_arr:
            raise ValueError(f"{name} must have {n_arr} entries like side, had {arr.shape[0]}")
    if out_order.shape[0] < n or out_qty.shape[0] < n:
        raise ValueError(f"out_order and out_qty need room for {n} fills")
    if uncross_px <= 0 or uncross_vol < 0:
        raise ValueError(f"auction needs a price > 0 and a volume >= 0, had {uncross_px} and {uncross_vol}")
    _check_ppm(ppm)
    for k in range(n):
        if idx[k] < 0 or idx[k] >= n_arr:
            raise IndexError(f"idx[{k}] = {idx[k]} is outside the {n_arr} orders")
        if side[idx[k]] != SIDE_BUY and side[idx[k]] != SIDE_SELL:
            raise ValueError(f"order {idx[k]} has side {side[idx[k]]}")
    if n == 0:
        return 0
    keys = <_Key*>malloc(n * sizeof(_Key))
    if keys == NULL:
        raise MemoryError()
    with nogil:
        _sort_orders(keys, &side[0], &price[0], &idx[0], n, True)
        cap_buy = tm_share(uncross_vol, ppm)
        cap_sell = cap_buy
        for k in range(n):
            i = idx[keys[k].pos]
            s = side[i]
            p = price[i]
            if rem[i] <= 0:
                continue
            if p > 0 and (p < uncross_px if s == SIDE_BUY else p > uncross_px):
                continue
            q = rem[i]
            if s == SIDE_BUY:
                if q > cap_buy:
                    q = cap_buy
                cap_buy -= q
            else:
                if q > cap_sell:
                    q = cap_sell
                cap_sell -= q
            if q > 0:
                rem[i] -= q
                out_order[n_fill] = i
                out_qty[n_fill] = q
                n_fill += 1
    free(keys)
    return n_fill
