"""Indices: dated membership (rebalanced in June and December) and chain-linked cap-weighted levels."""
from __future__ import annotations

import numpy as np

from .bars import _daily_money
from .params import FULL_UNIVERSE


class IndicesMixin:
    """Index members and levels of :class:`market.Market`."""

    def _make_indices(self):
        indices, rules = self.profile.indices, self.profile.rules
        self.idx_codes = [i[0] for i in indices]
        self.level = np.array([i[2] for i in indices])
        self.members = np.zeros((len(indices), self.n), bool)
        self.member_since = np.full((len(indices), self.n), -1, np.int64)
        self.sizes = {c: min(r[2], max(1, int(round(r[2] * self.n / FULL_UNIVERSE))))
                      for c, r in rules.items() if r[0] == "top"}
        self.idx_rules = [rules[c] for c in self.idx_codes]
        cal = self.cal
        rebal = set()
        for y in np.unique(cal.astype("datetime64[Y]").astype(int) + 1970):
            for mo in (6, 12):
                d = np.datetime64(f"{y}-{mo:02d}-01")
                fridays = d + np.arange(31).astype("timedelta64[D]")
                fridays = fridays[((fridays.astype(np.int64) + 3) % 7 == 4)]
                i = int(np.searchsorted(cal, fridays[1], side="right"))
                if i < len(cal):
                    rebal.add(i)
        self.rebalance_days = rebal

    # -- indices -------------------------------------------------------------------------------------

    def _rebalance(self, listed, dl):
        """Members by float market cap at the previous close among listed, non-ST stocks of 60+ days."""
        cap = self.pc * self.float_shares.astype(float)
        eligible = listed & (dl >= 60) & ~self.is_st_prev
        order = np.lexsort((np.arange(self.n), -cap))
        ranked = order[eligible[order]]
        new = np.zeros_like(self.members)
        for k, (code, rule) in enumerate(zip(self.idx_codes, self.idx_rules)):
            if rule[0] != "top":
                continue
            pool = ranked[self._universe(rule[1])[ranked]]
            skip = sum(self.sizes[a] for a in rule[3])
            new[k, pool[skip:skip + self.sizes[code]]] = True
        return new

    def _universe(self, name):
        """Stocks of a membership universe (see ``profiles``), as a mask over sids."""
        cache = self.__dict__.setdefault("_universes", {})
        if name not in cache:
            cache[name] = self._universe_mask(name)
        return cache[name]

    def _universe_mask(self, name):
        if name == "all":
            return np.ones(self.n, bool)
        if name in ("SSE", "SZSE"):
            return self.exchange == name
        if name in ("ChiNext", "STAR"):
            return self.boards == name
        if name == "SME":
            return np.array([c[:3] in ("002", "003") for c in self.codes])
        raise ValueError(f"unknown index universe {name!r}")

    def _indices_day(self, t, st, mins):
        """Chain-linked cap-weighted levels: level × Σ fs·price / Σ fs·preclose over today's members."""
        listed = st["listed"]
        dl = t - self.first_idx + self.age0
        new = self.members & listed[None, :]
        if t == 0 or t in self.rebalance_days:
            new = self._rebalance(listed, dl)
        for k, rule in enumerate(self.idx_rules):
            if rule[0] == "all":                                 # composites: from the 11th day
                new[k] = listed & self._universe(rule[1]) & (dl >= 10)
        self._track_members(t, new)
        self.members = new
        w = new * self.float_shares.astype(float)[None, :]
        pc = st["pc_ticks"].astype(float)
        den = w @ pc
        ok = den > 0
        scale = np.where(ok, self.level / np.where(ok, den, 1.0), 0.0)
        prev = self.level
        out = {"g": self.g_index, "index": True,
               "preclose": np.full(len(prev), np.nan) if t == 0 else np.round(prev, 3)}

        def lv(x):
            return np.where(ok, (w @ x.astype(float)) * scale, prev)

        # Float matmuls (BLAS) are exact here: every sum is a whole number far below 2**53.
        memb = new.astype(float)
        if mins is None:
            levels = [lv(st[k]) for k in ("O", "H", "L", "C")]
            money = memb @ _daily_money(st["LOTS"], st["O"], st["H"], st["L"], st["C"], 4)
            vol = (memb @ (st["LOTS"] * 100.0)).astype(np.int64)
            self.level = levels[3]
            o, c = np.round(levels[0], 3), np.round(levels[3], 3)
            h = np.maximum(np.round(levels[1], 3), np.maximum(o, c))
            low = np.minimum(np.round(levels[2], 3), np.minimum(o, c))
        else:
            sid = mins["sid"]
            wo = w[:, sid]
            fixed = den - wo @ pc[sid]                      # members not trading today stay at preclose
            raw = np.where(ok[:, None], (wo @ mins["c"].astype(float) + fixed[:, None]) * scale[:, None],
                           prev[:, None])
            first = np.where(ok, (wo @ mins["o"][:, 0].astype(float) + fixed) * scale, prev)
            self.level = raw[:, -1]
            mc = np.round(raw, 3)
            mo = np.concatenate([np.round(first, 3)[:, None], mc[:, :-1]], axis=1)
            mh, ml = np.maximum(mo, mc), np.minimum(mo, mc)
            mvol = (memb[:, sid] @ mins["lots"].astype(float)).astype(np.int64) * 100
            mmoney = memb[:, sid] @ mins["money"]
            out["min"] = {"g": self.g_index, "index": True, "o": mo, "h": mh, "l": ml, "c": mc,
                          "vol": mvol, "money": mmoney}
            o, h, low, c = mo[:, 0], mh.max(axis=1), ml.min(axis=1), mc[:, -1]
            vol, money = mvol.sum(axis=1), mmoney.sum(axis=1)
        out.update(o=o, h=h, l=low, c=c, vol=vol, money=money)
        return out

    def _track_members(self, t, new):
        k, s = np.nonzero(self.members & ~new)
        for a, b in zip(k, s):
            self.member_rows.append((int(a), int(b), int(self.member_since[a, b]), t - 1))
        k, s = np.nonzero(new & ~self.members)
        self.member_since[k, s] = t

