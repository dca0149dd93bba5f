"""The synthetic market's IPO calendar (``ipo.parquet``, data/ipo.py): one row per stock that lists inside the
generated range, consistent with its bars and its instruments row.

For each such stock (first bar = listing day L, issue price = the reference price its first day's bar was drawn
from), the subscription day T lies 7 to 11 trading days before L (the usual gap since 2019); the payment day is
T+2; the largest subscription is a plausible share of the online tranche (SSE main board 10,000-25,000 shares in
1,000s, STAR 3,500-8,000 in 500s, SZSE main board and ChiNext 5,000-20,000 in 500s); the lottery rate is drawn
log-normally around 0.04 % (0.01 % to 1 %).  Issues whose subscription day would fall before the calendar's
second day are left out.  Everything is drawn from one numpy Generator seeded by the market's seed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..ipo import subscription_code, write_ipo_calendar

_MAX_SUB = {"SH_main": (10, 25, 1000), "STAR": (7, 16, 500), "SZ_main": (10, 40, 500), "ChiNext": (10, 40, 500)}


def ipo_calendar(codes, names, boards, exchanges, first_idx, is_ipo, issue_price, cal, seed) -> pd.DataFrame:
    """The calendar rows of the IPO stocks (``is_ipo``) listing on ``cal[first_idx]`` at ``issue_price``."""
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, 7000])
    rows = []
    for i in np.flatnonzero(np.asarray(is_ipo)):
        gap = int(rng.integers(7, 12))
        lo_u, hi_u, unit = _MAX_SUB[boards[i]]
        max_sub = int(rng.integers(lo_u, hi_u + 1)) * unit
        rate = float(np.clip(np.exp(rng.normal(np.log(0.0004), 0.8)), 0.0001, 0.01))
        t = int(first_idx[i]) - gap
        if t < 1:
            continue
        rows.append({
            "code": codes[i], "subscription_code": subscription_code(codes[i]), "name": names[i],
            "exchange": exchanges[i], "board": boards[i], "subscription_date": cal[t].astype(object),
            "issue_price": round(float(issue_price[i]), 2), "max_subscription": max_sub,
            "lottery_rate": round(rate, 6), "payment_date": cal[t + 2].astype(object),
            "listing_date": cal[int(first_idx[i])].astype(object)})
    cols = ["code", "subscription_code", "name", "exchange", "board", "subscription_date", "issue_price",
            "max_subscription", "lottery_rate", "payment_date", "listing_date"]
    return pd.DataFrame(rows, columns=cols)


def write_market_ipos(root, market, issue_ticks) -> int:
    """Write ``root/ipo.parquet`` for a generated ``market`` (``issue_ticks``: the prices in cents before the
    run); returns the number of issues."""
    m = market
    df = ipo_calendar(list(m.codes), list(m.names), list(m.boards), list(m.exchange), m.first_idx, m.age0 == 0,
                      np.asarray(issue_ticks) / 100.0, m.cal, m.seed)
    write_ipo_calendar(root, df)
    return len(df)
