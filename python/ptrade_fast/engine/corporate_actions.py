"""The corporate-actions step of the start of a trading day (§H.9, docs/market-rules.md §5): cash dividends, bonus
shares (送股) and conversion shares (转增) of every security whose ex-date is today are applied to the
ledger by one kernel call; the optional 差别化红利税 model withholds tax on them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..model.units import SCALE


class CorporateActions:
    """Ex-date events of one run, keyed by the trading day they take effect."""

    def __init__(self, store, days, account, log, options, divtax=None):
        self.account = account
        self.log = log
        self.divtax = divtax
        self.dividend_tax_rate = float(options.get("dividend_tax_rate", 0.0))
        self.events = self._events(store, days)

    @staticmethod
    def _events(store, days) -> dict:
        """day → [(sid, cash per share (kernel units), share ratio, code)].  An ex-date on a non-trading day
        takes effect on the next trading day."""
        ex = store.exrights_table()
        if len(ex) == 0 or "has_action" not in ex:
            return {}
        ex = ex[ex["has_action"].astype(bool)]
        dates = pd.to_datetime(ex["ex_date"]).to_numpy().astype("datetime64[D]")
        run_days = np.array(days, dtype="datetime64[D]")
        sel = (dates > run_days[0] - np.timedelta64(10, "D")) & (dates <= run_days[-1])
        out: dict = {}
        for code, d, cash, bonus, conv in zip(ex["code"][sel], dates[sel], ex["cash_dividend"][sel],
                                              ex["bonus_ratio"][sel], ex["conversion_ratio"][sel]):
            sid = store.sid(code)
            k = int(np.searchsorted(run_days, d))
            if sid < 0 or k >= len(run_days) or (k == 0 and d < run_days[0]):
                continue
            ratio = float(bonus or 0.0) + float(conv or 0.0)
            cps = int(round(float(cash or 0.0) * SCALE))
            if cps == 0 and ratio == 0.0:
                continue
            out.setdefault(days[k], []).append((sid, cps, ratio, code))
        return out

    def apply(self, day) -> None:
        """Apply today's events to the ledger (before the open; holdings are then marked at the ex-rights
        reference price by the caller)."""
        events = self.events.get(day)
        if not events:
            return
        acct = self.account
        sids = np.array([e[0] for e in events], dtype=np.int32)
        cps = np.array([e[1] for e in events], dtype=np.int64)
        ratio = np.array([e[2] for e in events], dtype=np.float64)
        cash_out = np.zeros(len(events), dtype=np.int64)
        shares_out = np.zeros(len(events), dtype=np.int64)
        acct.ledger.apply_actions(sids, cps, ratio, self.dividend_tax_rate, cash_out, shares_out)
        for (sid, c, r, code), got, extra in zip(events, cash_out, shares_out):
            if got or extra:
                self.log.info(f"ex-rights {code}: cash dividend {got / SCALE:.2f} CNY credited, "
                              f"{int(extra)} bonus/conversion shares added")
            if self.divtax is not None and (got or extra):
                withheld = self.divtax.on_dividend(int(sid), int(c), int(extra), day)
                if withheld:
                    acct.ledger.cash = acct.ledger.cash - withheld
                    self.log.info(f"dividend tax withheld on {code}: {withheld / SCALE:.2f} CNY")
        acct.touch()
