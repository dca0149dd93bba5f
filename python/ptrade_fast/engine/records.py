"""What a run records at each day's close for its results: the portfolio row and one row per position
(stock positions, and each futures leg as a row of its own)."""
from __future__ import annotations

from ..model.units import SCALE


class DailyRecords:
    def __init__(self):
        self.portfolio: list[tuple] = []     # (day, total, cash, positions_value, return, pnl)
        self.positions: list[tuple] = []     # (day, code, amount, enable, cost_basis, last, market_value, side)
        self.maintenance: list[float] = []   # 维持担保比例 per day (margin accounts)
        self.prev_total = 0.0

    def record_day(self, day, acct) -> None:
        lg = acct.ledger
        total = acct.cash + acct.positions_value
        ret = total / self.prev_total - 1.0 if self.prev_total else 0.0
        self.portfolio.append((day, total, acct.cash, acct.positions_value, ret, total - acct.starting_value))
        self.prev_total = total
        held = lg.held_sids()
        if len(held):
            # Whole columns at once (the same float operations as one position at a time), then one tuple each.
            amt = lg.amount[held]
            last = lg.last_price[held] / SCALE
            cost = lg.cost_total[held] / SCALE / amt
            n = len(held)
            self.positions.extend(zip([day] * n, [str(c) for c in acct.codes[held].tolist()], amt.tolist(),
                                      lg.enable_amount[held].tolist(), cost.tolist(), last.tolist(),
                                      (amt * last).tolist(), [""] * n))
        self.positions.extend(acct.repo.position_rows(day))     # reverse repo loans (engine/repo.py)
        if acct.futures_sids.size:
            f = acct.futures
            for sid in acct.futures_sids:
                for leg, n, basis, margin in (("long", f.long_amount, f.long_basis_total, f.long_margin),
                                              ("short", f.short_amount, f.short_basis_total, f.short_margin)):
                    lots = int(n[sid])
                    if lots:
                        mult = float(f.multiplier[sid]) or 1.0
                        last = f.last_price[sid] / SCALE
                        sign = 1 if leg == "long" else -1
                        pnl = sign * (lots * mult * last - basis[sid] / SCALE)
                        self.positions.append((day, str(acct.codes[sid]), sign * lots, sign * lots,
                                               basis[sid] / SCALE / (lots * mult), last,
                                               margin[sid] / SCALE + pnl, leg))
