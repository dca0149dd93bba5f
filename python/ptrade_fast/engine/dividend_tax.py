"""Individual investors' dividend income tax by holding period (差别化红利税, docs/market-rules.md §5.8).

Option ``dividend_tax='holding_period'``.  The default (``'none'``) credits dividends pre-tax, as the spec's
engine decision §H.9 allows; ``dividend_tax_rate=x`` withholds a flat rate at payment instead.

Rules by the date the tax falls due:

* dividends paid before 2013-01-01: withheld at payment, 10 % (20 % before 2005-06-13; that start date is U);
* sales from 2013-01-01: the tax on dividends received by the shares sold is charged at the sale, per
  purchase lot, first in first out, by how long the lot was held: ≤ 1 month 20 %, ≤ 1 year 10 %, longer 5 %
  (0 % from 2015-09-08).  Shares still held pay nothing.

Bonus and conversion shares join the lot they were paid on (same purchase date).  This runs on the Python
side because it happens a few times per position, not per bar.
"""
from __future__ import annotations

import datetime as _dt
from collections import defaultdict, deque

WITHHOLD_UNTIL = _dt.date(2013, 1, 1)
FLAT_10_FROM = _dt.date(2005, 6, 13)
LONG_HOLD_FREE_FROM = _dt.date(2015, 9, 8)


def _add_months(day: _dt.date, months: int) -> _dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return _dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def sale_rate(bought: _dt.date, sold: _dt.date) -> float:
    """Tax rate on dividends of a lot bought on ``bought`` and sold on ``sold`` (sales from 2013)."""
    if sold <= _add_months(bought, 1):
        return 0.20
    if sold <= _add_months(bought, 12):
        return 0.10
    return 0.0 if sold >= LONG_HOLD_FREE_FROM else 0.05


def withheld_rate(paid: _dt.date) -> float:
    """Rate withheld at payment for dividends paid before 2013."""
    return 0.10 if paid >= FLAT_10_FROM else 0.20


class HoldingPeriodTax:
    """FIFO purchase lots per security: ``[buy_date, shares, dividend money received per lot (pre-tax)]``."""

    def __init__(self):
        self.lots: dict[int, deque] = defaultdict(deque)

    def on_buy(self, sid: int, qty: int, day: _dt.date) -> None:
        self.lots[sid].append([day, qty, 0])

    def on_sell(self, sid: int, qty: int, day: _dt.date) -> int:
        """Consume ``qty`` shares FIFO; return the tax due (money units, 1e-4 CNY)."""
        tax = 0.0
        lots = self.lots[sid]
        left = qty
        while left > 0 and lots:
            lot = lots[0]
            take = min(left, lot[1])
            received = lot[2] * take / lot[1] if lot[1] else 0
            if day >= WITHHOLD_UNTIL and received:
                tax += received * sale_rate(lot[0], day)
            lot[2] -= received
            lot[1] -= take
            left -= take
            if lot[1] == 0:
                lots.popleft()
        return int(tax + 0.5)

    def on_dividend(self, sid: int, cash_per_share: int, extra_shares: int, day: _dt.date) -> int:
        """Record a dividend on every lot; spread bonus shares over the lots.  Returns the tax withheld now
        (dividends paid before 2013), in money units."""
        lots = self.lots.get(sid)
        if not lots:
            return 0
        held = sum(lot[1] for lot in lots)
        withheld = 0.0
        rate = withheld_rate(day) if day < WITHHOLD_UNTIL else 0.0
        given = 0
        for i, lot in enumerate(lots):
            gross = lot[1] * cash_per_share
            if rate:
                withheld += gross * rate
            else:
                lot[2] += gross
            add = extra_shares - given if i == len(lots) - 1 else extra_shares * lot[1] // held if held else 0
            lot[1] += add
            given += add
        return int(withheld + 0.5)
