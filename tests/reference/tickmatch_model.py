"""Plain-Python reference model of ``_core.tickmatch`` (tick matching against five-level books).

Python ints, lists and dicts only, written from the rules in docs/engine.md ("Tick matching") rather than from
the kernel, so the agreement tests compare two implementations:

* a book side is a list of (price, volume) levels, best first, cut at the first empty level;
* participation: of a displayed or traded volume we may take ``volume * ppm // 1_000_000``, shared by our orders;
* arrival: limit orders and the six order_market types walk the opposite levels; a remainder rests with the
  displayed volume at its price ahead of it (0 in a gap or past the best, unknown beyond a full side);
* resting orders, price then time priority: crossing levels, trades through the price (nearest first), trades at
  the price beyond the queue; then the queue moves by the trades at the price, by proportional cancels, and never
  exceeds the displayed volume;
* auctions: unpriced first, then price, then time, each side capped at the participation share of the volume.
"""
BUY, SELL = 1, -1
LIMIT, BEST_COUNTER, BEST5_TO_LIMIT, BEST_OWN, IOC, BEST5_IOC, FOK = -1, 0, 1, 2, 3, 4, 5
REST, DONE, CANCEL = 0, 1, 2
R_NONE, R_NO_COUNTERPARTY, R_IOC_REMAINDER, R_FOK_UNFILLED = 0, 40, 41, 42
PPM = 1_000_000


def share(volume, ppm):
    return volume * ppm // PPM if volume > 0 else 0


def levels(px, vol):
    """The displayed levels of one side: (price, volume) pairs up to the first empty one."""
    out = []
    for p, v in zip(px, vol):
        if p <= 0 or v <= 0:
            break
        out.append((p, v))
    return out


def level_volume(side, price, px, vol):
    """(volume at price, known) on the side whose orders have direction ``side``."""
    lv = levels(px, vol)
    for p, v in lv:
        if p == price:
            return v, True
    if len(lv) < len(px):
        return 0, True
    worst = lv[-1][0]
    return 0, (price > worst if side == BUY else price < worst)


def better_or_equal(side, level_price, bound):
    """Whether an opposite level is within an order's bound (0 = no bound)."""
    if bound == 0:
        return True
    return level_price <= bound if side == BUY else level_price >= bound


def arrive(side, limit, qty, mtype, bid_px, bid_vol, ask_px, ask_vol, bid_taken, ask_taken, ppm):
    """Returns (fills [(price, qty)], outcome, reason, rest_px, ahead, known); mutates the taken lists."""
    opp = levels(ask_px, ask_vol) if side == BUY else levels(bid_px, bid_vol)
    own = levels(bid_px, bid_vol) if side == BUY else levels(ask_px, ask_vol)
    taken = ask_taken if side == BUY else bid_taken

    def walk(bound, max_levels, dry=False):
        fills, left = [], qty
        for j, (p, v) in enumerate(opp[:max_levels]):
            if left == 0 or not better_or_equal(side, p, bound):
                break
            q = min(left, share(v, ppm) - taken[j])
            if q <= 0:
                continue
            left -= q
            fills.append((p, q))
            if not dry:
                taken[j] += q
        return fills

    fills, outcome, reason, rest = [], REST, R_NONE, 0
    if mtype == LIMIT:
        fills, rest = walk(limit, 5), limit
    elif mtype == BEST_COUNTER:
        if not opp or not better_or_equal(side, opp[0][0], limit):
            outcome, reason = CANCEL, R_NO_COUNTERPARTY
        else:
            rest = opp[0][0]
            fills = walk(rest, 1)
    elif mtype == BEST_OWN:
        if not own or not better_or_equal(side, own[0][0], limit):
            outcome, reason = CANCEL, R_NO_COUNTERPARTY
        else:
            rest = own[0][0]
    elif mtype == BEST5_TO_LIMIT:
        fills = walk(limit, 5)
        if not fills:
            outcome, reason = CANCEL, R_NO_COUNTERPARTY
        else:
            rest = fills[-1][0]
    elif mtype == FOK:
        if sum(q for _, q in walk(limit, 5, dry=True)) < qty:
            outcome, reason = CANCEL, R_FOK_UNFILLED
        else:
            fills = walk(limit, 5)
    else:
        fills = walk(limit, 5)
        if sum(q for _, q in fills) < qty:
            outcome = CANCEL
            reason = R_NO_COUNTERPARTY if not fills and not opp else R_IOC_REMAINDER
    filled = sum(q for _, q in fills)
    ahead, known = 0, True
    if outcome == REST and filled == qty:
        outcome = DONE
    if outcome == REST:
        ahead, known = level_volume(side, rest, bid_px, bid_vol) if side == BUY else \
            level_volume(side, rest, ask_px, ask_vol)
    if outcome != REST:
        rest = 0
    return fills, outcome, reason, rest, ahead, known


def step(orders, prev, new, trades, ppm, crossed=None):
    """Resting orders of one security over one interval.

    ``orders``: list of dicts with side, price, rem, ahead, known (updated in place), in placement order.
    ``prev`` / ``new``: dicts of bid_px, bid_vol, ask_px, ask_vol.  ``trades``: list of (price, volume).
    ``crossed``: (bid taken, ask taken) lists of the new snapshot's levels, updated in place.
    Returns [(position in orders, qty)] in the order the fills happen.
    """
    traded = {}
    for p, v in trades:
        traded[p] = traded.get(p, 0) + v
    used = {BUY: {}, SELL: {}}
    bid_taken, ask_taken = crossed if crossed is not None else ([0] * 5, [0] * 5)
    crossed = {BUY: ask_taken, SELL: bid_taken}
    buys = sorted((k for k, o in enumerate(orders) if o["side"] == BUY), key=lambda k: (-orders[k]["price"], k))
    sells = sorted((k for k, o in enumerate(orders) if o["side"] == SELL), key=lambda k: (orders[k]["price"], k))
    fills = []
    for k in buys + sells:
        o = orders[k]
        side, price, left = o["side"], o["price"], o["rem"]
        if left <= 0:
            continue
        got = 0
        opp = levels(new["ask_px"], new["ask_vol"]) if side == BUY else levels(new["bid_px"], new["bid_vol"])
        for j, (p, v) in enumerate(opp):
            if got == left or not better_or_equal(side, p, price):
                break
            q = min(left - got, share(v, ppm) - crossed[side][j])
            if q > 0:
                crossed[side][j] += q
                got += q
        through = sorted((p for p in traded if (p < price if side == BUY else p > price)),
                         key=lambda p: abs(p - price))
        for p in through:
            if got == left:
                break
            q = min(left - got, share(traded[p], ppm) - used[side].get(p, 0))
            if q > 0:
                used[side][p] = used[side].get(p, 0) + q
                got += q
        at = traded.get(price, 0)
        if o["known"] and at > o["ahead"] and got < left:
            q = min(left - got, share(at - o["ahead"], ppm) - used[side].get(price, 0))
            if q > 0:
                used[side][price] = used[side].get(price, 0) + q
                got += q
        own_prev = (prev["bid_px"], prev["bid_vol"]) if side == BUY else (prev["ask_px"], prev["ask_vol"])
        own_new = (new["bid_px"], new["bid_vol"]) if side == BUY else (new["ask_px"], new["ask_vol"])
        v_new, k_new = level_volume(side, price, *own_new)
        if o["known"]:
            ahead = max(0, o["ahead"] - at)
            v_prev, k_prev = level_volume(side, price, *own_prev)
            if k_prev and k_new and v_prev > 0 and ahead > 0:
                base = v_prev - min(at, v_prev)
                cancelled = base - v_new
                if cancelled > 0 and base > 0:
                    ahead -= cancelled * ahead // base
            if k_new:
                ahead = min(ahead, v_new)
            o["ahead"] = ahead
        elif k_new:
            o["ahead"], o["known"] = v_new, True
        if got:
            o["rem"] = left - got
            fills.append((k, got))
    return fills


def auction(orders, price, volume, ppm):
    """Orders (dicts with side, price (0 = unpriced), rem) uncross at price; returns [(position, qty)]."""
    caps = {BUY: share(volume, ppm), SELL: share(volume, ppm)}

    def key(k):
        o = orders[k]
        pr = -(1 << 62) if o["price"] == 0 else (-o["price"] if o["side"] == BUY else o["price"])
        return (0 if o["side"] == BUY else 1, pr, k)

    fills = []
    for k in sorted(range(len(orders)), key=key):
        o = orders[k]
        if o["rem"] <= 0:
            continue
        if o["price"] and (o["price"] < price if o["side"] == BUY else o["price"] > price):
            continue
        q = min(o["rem"], caps[o["side"]])
        caps[o["side"]] -= q
        if q:
            o["rem"] -= q
            fills.append((k, q))
    return fills
