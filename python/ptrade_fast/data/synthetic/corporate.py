"""Corporate actions (dividends, bonus and conversion shares, rights) and ST designations."""
from __future__ import annotations

import numpy as np

from ...rules.limits import ex_reference_price


class CorporateMixin:
    """Ex-rights events drawn per stock and year, applied on their ex-date; ST periods tracked."""

    def _make_events(self, rng):
        """Corporate actions: per stock and year, maybe one ex-date in late May … July."""
        cal, n = self.cal, self.n
        years = np.unique(cal.astype("datetime64[Y]").astype(int) + 1970)
        rows = []
        for y in years:
            window = np.flatnonzero((cal >= np.datetime64(f"{y}-05-20")) & (cal <= np.datetime64(f"{y}-07-31")))
            if not len(window):
                continue
            has = rng.random(n) < 0.65
            day = window[rng.integers(0, len(window), n)]
            cash = np.where(rng.random(n) < 0.9, rng.uniform(0.003, 0.03, n), 0.0)
            bonus = np.where(rng.random(n) < 0.06, rng.choice([0.1, 0.2, 0.3], n), 0.0)
            conv = np.where(rng.random(n) < 0.08, rng.choice([0.2, 0.3, 0.4, 0.5], n), 0.0)
            conv = np.where(rng.random(n) < 0.006, 1.0, conv)                  # 10转10: a 2-for-1 split
            rights = np.where(rng.random(n) < 0.004, rng.choice([0.2, 0.3], n), 0.0)
            rp = rng.uniform(0.6, 0.8, n)
            has &= (cash + bonus + conv + rights) > 0
            rows.append(np.column_stack([day, np.arange(n), cash, bonus, conv, rights, rp])[has])
        ev = np.concatenate(rows) if rows else np.empty((0, 7))
        ev = ev[np.lexsort((ev[:, 1], ev[:, 0]))]
        self.ev_day = ev[:, 0].astype(np.int64)
        self.ev = ev
        self.pending = np.full(n, -1, np.int64)

    def _apply_events(self, t, sids, ratio_ex):
        ev = self.ev[self.pending[sids]]
        self.pending[sids] = -1
        pcp = self.pc[sids] / 100.0
        cash = np.round(ev[:, 2] * pcp, 3)
        bonus, conv, rr = ev[:, 3], ev[:, 4], ev[:, 5]
        rp = np.where(rr > 0, np.round(ev[:, 6] * pcp, 2), 0.0)
        ref = np.maximum(np.atleast_1d(ex_reference_price(pcp, cash, bonus, conv, rr, rp, 0.01)), 0.01)
        new_pc = np.rint(ref * 100).astype(np.int64)
        ratio_ex[sids] = new_pc / self.pc[sids]
        self.anchor[sids] += np.log(ratio_ex[sids])
        self.pc[sids] = new_pc
        f = 1.0 + bonus + conv + rr
        self.total_shares[sids] = np.rint(self.total_shares[sids] * f).astype(np.int64)
        self.float_shares[sids] = np.rint(self.float_shares[sids] * f).astype(np.int64)
        self.base_lots[sids] *= f
        self.ex_rows.append({"g": self.g_stock[sids], "t": np.full(len(sids), t), "cash": cash, "bonus": bonus,
                             "conv": conv, "rr": rr, "rp": rp, "total": self.total_shares[sids].copy(),
                             "float": self.float_shares[sids].copy(), "action": np.ones(len(sids), bool)})
        return ratio_ex

    def _track_st(self, t, is_st, listed):
        begin = is_st & ~self.is_st_prev
        self.st_since[begin] = t
        end = self.is_st_prev & (~is_st | ~listed)
        for sid in np.flatnonzero(end):
            self.st_rows.append((int(sid), int(self.st_since[sid]), t - 1))
        self.is_st_prev = is_st & listed
        # A stock's share capital is on record from its first bar.
        newly = np.flatnonzero(self.first_idx == t)
        if len(newly):
            z = np.zeros(len(newly))
            self.ex_rows.append({"g": self.g_stock[newly], "t": np.full(len(newly), t), "cash": z, "bonus": z,
                                 "conv": z, "rr": z, "rp": z, "total": self.total_shares[newly].copy(),
                                 "float": self.float_shares[newly].copy(), "action": np.zeros(len(newly), bool)})

