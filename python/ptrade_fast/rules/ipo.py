"""IPO subscription rules (新股申购, docs/market-rules.md §12): the quota from market value held, the
subscription unit, and the seeded lottery.

* The quota of an exchange depends on the account's average daily market value of non-restricted A shares on
  that exchange over the 20 trading days ending on T−2 (T = the subscription day; the window is **U** in the
  rules document, adopted here).  Below 10,000 CNY there is no quota.
* Per amount of value: SZSE (main board and ChiNext) and STAR 500 shares per 5,000 CNY; SSE main board 1,000 shares
  per 10,000 CNY before 2023-04-10 (the switch to full registration), 500 per 5,000 from then.  A subscription is
  a whole number of units and at most the issue's ``max_subscription``.
* Each subscribed unit (配号) is one lottery ticket that wins with probability ``lottery_rate``; a winning ticket
  is allotted one unit.  The draw is a numpy Generator seeded from (the run's ``seed``, the stock code, the
  subscription day), so it does not depend on anything else the run does.
"""
from __future__ import annotations

import datetime as _dt

import numpy as np

QUOTA_WINDOW = 20              # trading days, ending on T−2
QUOTA_LAG = 2
MIN_MARKET_VALUE = 10_000      # CNY on the exchange concerned
SSE_MAIN_HALF_UNIT_FROM = _dt.date(2023, 4, 10)


def unit_of(board: str, day) -> tuple[int, int]:
    """(shares per unit, CNY of market value per unit) for an issue on ``board`` subscribed on ``day``."""
    if board == "SH_main" and _as_date(day) < SSE_MAIN_HALF_UNIT_FROM:
        return 1000, 10_000
    return 500, 5_000


def quota(avg_market_value: float, board: str, day, max_subscription: int) -> int:
    """Shares that may be subscribed: whole units of the average value, at most ``max_subscription``."""
    if avg_market_value < MIN_MARKET_VALUE:
        return 0
    shares, per = unit_of(board, day)
    units = int(avg_market_value // per)
    cap_units = int(max_subscription) // shares
    return min(units, cap_units) * shares


def lottery(seed: int, code: str, day, subscribed: int, board: str, rate: float) -> int:
    """Shares allotted to ``subscribed`` shares of ``code`` subscribed on ``day`` (a seeded binomial draw)."""
    shares, _ = unit_of(board, day)
    tickets = int(subscribed) // shares
    if tickets <= 0 or rate <= 0:
        return 0
    digits = int("".join(ch for ch in code if ch.isdigit()) or 0)
    ymd = int(_as_date(day).strftime("%Y%m%d"))
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, digits, ymd])
    return int(rng.binomial(tickets, min(float(rate), 1.0))) * shares


def _as_date(d) -> _dt.date:
    if isinstance(d, _dt.datetime):
        return d.date()
    if isinstance(d, _dt.date):
        return d
    return _dt.date.fromisoformat(str(d)[:10])
