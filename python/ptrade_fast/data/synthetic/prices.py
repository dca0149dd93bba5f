"""Daily (and minute) prices of stocks, ETFs and convertible bonds, inside each day's limits."""
from __future__ import annotations

import numpy as np

from ...rules.limits import CB_LIMITS, cb_first_day_limits, limit_prices, limit_ratio
from .bars import _attach_minutes, minute_path, split_lots
from .params import EX_MIN_AGE, MIN_LOTS, P_JUMP_DN, P_JUMP_UP, P_ST, P_SUSPEND


class PricesMixin:
    """One trading day of bars per security type."""

    # -- stocks --------------------------------------------------------------------------------------

    def _stocks_day(self, t):
        r, n, day = self.r_day, self.n, self.cal[t]
        # Fixed-size draws every day keep the stream independent of which stocks are listed.
        u_sus, u_st, u_jump = r.random(n), r.random(n), r.random(n)
        sus_len = np.where(r.random(n) < 0.1, r.integers(10, 60, n), r.geometric(0.35, n))
        st_len = r.integers(120, 500, n)
        z_m, z_b = r.standard_normal(), r.standard_normal(8)
        z_i, z_o, z_h, z_l, z_v = (r.standard_normal(n) for _ in range(5))
        jump = r.uniform(0.06, 0.25, n)
        ipo_pop = r.uniform(0.2, 2.0, n)
        streak_len = r.integers(0, 9, n)

        listed = (self.first_idx <= t) & (t < self.delist_idx)
        first = self.first_idx == t
        dl = t - self.first_idx + self.age0                # trading days since listing
        # Suspensions (never in an IPO's first week) and ST designations.
        start_sus = listed & (dl >= 5) & (self.sus_left == 0) & (u_sus < P_SUSPEND)
        self.sus_left = np.where(start_sus, sus_len, self.sus_left)
        sus = listed & (self.sus_left > 0)
        self.sus_left = np.where(sus, self.sus_left - 1, self.sus_left)
        start_st = listed & ~first & (self.st_left == 0) & (u_st < P_ST) & ~self.protect
        self.st_left = np.where(start_st, st_len, self.st_left)
        self.st_left = np.where(self.st_force == t, 10 ** 6, self.st_left)
        is_st = listed & (self.st_left > 0)
        self.st_left = np.where(is_st, self.st_left - 1, self.st_left)
        self._track_st(t, is_st, listed)

        # Corporate actions on their ex-date (deferred while suspended).
        j0, j1 = np.searchsorted(self.ev_day, [t, t + 1])
        if j1 > j0:
            self.pending[self.ev[j0:j1, 1].astype(np.int64)] = np.arange(j0, j1)
        apply = (self.pending >= 0) & listed & ~sus & ~first
        self.pending[(self.pending >= 0) & listed & (dl < EX_MIN_AGE)] = -1
        apply &= self.pending >= 0
        ratio_ex = np.ones(n)
        if apply.any():
            ratio_ex = self._apply_events(t, np.flatnonzero(apply), ratio_ex)

        # Limits: the written ones (NaN on a series' first row and IPO no-limit days), and the internal
        # clipping range (the board's ordinary ratio where the written one is NaN).
        pcp = self.pc / 100.0
        ratio = limit_ratio(self.types, day, is_st, dl, self.list_date)
        hi_w, lo_w = limit_prices(np.where(first, np.nan, pcp), ratio, 0.01)
        ipo_week = (self.age0 == 0) & (dl < 5)
        fallback = np.where(ipo_week, 0.4, limit_ratio(self.types, day, is_st))
        hi_f, lo_f = limit_prices(pcp, np.where(np.isnan(ratio), fallback, ratio), 0.01)
        hi = np.rint(hi_f * 100).astype(np.int64)
        lo = np.maximum(np.rint(lo_f * 100).astype(np.int64), 1)
        # Approval-era IPOs (limited from day 2) open capped at +44 % of the issue price (docs/market-rules.md §2.3).
        old_rule = ~np.isnan(limit_ratio(self.types, day, None, np.full(n, 1), self.list_date))
        ipo_day = first & (self.age0 == 0)
        hi = np.where(ipo_day, np.rint(self.pc * np.where(old_rule, 1.44, 4.0)), hi).astype(np.int64)
        lo = np.where(ipo_day, np.rint(self.pc * np.where(old_rule, 0.64, 0.5)), lo).astype(np.int64)

        # Returns: market and board factors, idiosyncratic noise, news jumps, a weak pull to an anchor.
        sig = self.sigma * np.where(ipo_week & ~first, 3.0, 1.0)
        ret = (self.beta * (0.0002 + 0.012 * z_m) + 0.006 * z_b[self.board_id] + sig * z_i
               - 0.003 * (np.log(self.pc) - self.anchor))
        ret = ret + np.where(u_jump < P_JUMP_UP, jump, 0.0) - np.where(u_jump > 1 - P_JUMP_DN, jump, 0.0)
        ret = np.where(ipo_day, np.log1p(np.where(old_rule, 0.44, ipo_pop)), ret)
        c = np.clip(np.rint(self.pc * np.exp(ret)), lo, hi).astype(np.int64)
        o = np.clip(np.rint(self.pc * np.exp(0.35 * ret + sig / 2 * z_o)), lo, hi).astype(np.int64)
        h = np.clip(np.maximum(o, c) + np.rint(np.abs(z_h) * sig / 2 * self.pc), lo, hi).astype(np.int64)
        low = np.clip(np.minimum(o, c) - np.rint(np.abs(z_l) * sig / 2 * self.pc), lo, hi).astype(np.int64)
        # Old-rule IPOs then rise limit-up at one price for a few days.
        one_price = (self.streak > 0) & listed & ~sus
        o, h, low, c = (np.where(one_price, hi, x) for x in (o, h, low, c))
        self.streak = np.where(one_price, self.streak - 1, self.streak)
        self.streak = np.where(ipo_day & old_rule, streak_len, self.streak)
        o, h, low, c = (np.where(sus, self.pc, x) for x in (o, h, low, c))
        move = np.abs(np.log(c / self.pc))
        lots = np.rint(self.base_lots * np.exp(0.35 * z_v) * (1 + 4 * move) * np.where(ipo_day, 8.0, 1.0)
                       * np.where(one_price, 0.05, 1.0))
        lots = np.where(sus, 0, np.maximum(lots, MIN_LOTS)).astype(np.int64)

        act = np.flatnonzero(listed)
        open_ = listed & ~sus
        self.open_days += open_
        self.suspended_rows += int(sus.sum())
        hw, lw = hi_w[act], lo_w[act]
        self.limit_up_closes += int(np.sum(c[act] == np.rint(hw * 100)))
        self.limit_down_closes += int(np.sum(c[act] == np.rint(lw * 100)))
        self.pc_prev, self.sus_today = self.pc.copy(), sus
        out = {"g": self.g_stock[act], "sid": act, "open_mask": open_[act], "tick": 0.01, "dec": 2, "div": 4,
               "o": o[act], "h": h[act], "l": low[act], "c": c[act], "lots": lots[act], "lot": 100,
               "preclose": np.where(first, np.nan, pcp)[act], "hl": hw, "ll": lw,
               "pc_ticks": self.pc.copy(), "listed": listed, "sus": sus, "ratio_ex": ratio_ex,
               "O": o, "H": h, "L": low, "C": c, "LOTS": lots}
        self.pc = np.where(listed, c, self.pc)
        return out

    def _stock_minutes(self, st):
        m = st["open_mask"]
        mo, mh, ml, mc = minute_path(st["o"][m], st["h"][m], st["l"][m], st["c"][m], self.r_min)
        mins = {"g": st["g"][m], "sid": st["sid"][m], "o": mo, "h": mh, "l": ml, "c": mc,
                "lots": split_lots(st["lots"][m], self.r_min), "tick": 0.01, "dec": 2, "div": 4, "lot": 100}
        _attach_minutes(st, mins)
        return mins

    # -- ETFs and CBs --------------------------------------------------------------------------------

    def _etfs_day(self, t, ix):
        """ETF price = tracked index level / scale × (1 + a small daily premium), within ±10 %."""
        m = len(self.etf_codes)
        if not m:
            return None
        r, m0, rf = self.r_etc, self.n_etf_shared, self.r_fund
        prem = 1.0 + np.concatenate([r.normal(0, 0.0008, m0), rf.normal(0, 0.0008, m - m0)])
        z_v = np.concatenate([r.standard_normal(m0), rf.standard_normal(m - m0)])
        k = np.array([self.idx_codes.index(c) for c in self.etf_index])
        per = prem / self.etf_scale
        base = np.full(m, np.nan) if t == 0 else self.etf_pc / 1000.0
        hl, ll = limit_prices(base, np.full(m, 0.1), 0.001)
        hi = np.where(np.isnan(hl), 10 ** 12, np.rint(np.nan_to_num(hl) * 1000)).astype(np.int64)
        lo = np.where(np.isnan(ll), 1, np.rint(np.nan_to_num(ll) * 1000)).astype(np.int64)

        def g(x):   # monotone in the level, so minute bars aggregate exactly
            col = (slice(None),) + (None,) * (x.ndim - 1)
            return np.clip(np.rint(x * per[col] * 1000), lo[col], hi[col]).astype(np.int64)

        lots = np.maximum(np.rint(4e5 * np.exp(0.3 * z_v)), MIN_LOTS).astype(np.int64)
        out = {"g": self.g_etf, "tick": 0.001, "dec": 3, "div": 40, "lot": 100, "lots": lots,
               "preclose": base, "hl": hl, "ll": ll, "open_mask": np.ones(m, bool),
               **{f: g(ix[f][k]) for f in ("o", "h", "l", "c")}}
        if "min" in ix:
            split = np.concatenate([split_lots(lots[:m0], self.r_min), split_lots(lots[m0:], rf)])
            mins = {"g": self.g_etf, "lots": split, "tick": 0.001, "dec": 3, "div": 40,
                    "lot": 100, **{f: g(ix["min"][f][k]) for f in ("o", "h", "l", "c")}}
            _attach_minutes(out, mins)
        if self.profile.bond_terms and (t == 0 or t in self.rebalance_days):
            self._baskets_day(t, ix)
        self.etf_pc = out["c"]
        return out

    def _baskets_day(self, t, ix):
        """Creation/redemption baskets of the equity ETFs (extension file etf_baskets.parquet), published on
        the first day and each rebalance day: the tracked index's members in float-cap proportion at the
        previous close, in whole lots, for a unit of 1,000,000 fund units at the index's previous level /
        scale; the cash component is the rest.  Members suspended that day are mandatory cash."""
        pc = self.pc_prev.astype(float) / 100.0
        for e, code in enumerate(self.etf_codes):
            if self.etf_kinds[e] != "stock" or not code.startswith(("51", "15", "58")):
                continue
            k = self.idx_codes.index(self.etf_index[e])
            mem = np.flatnonzero(self.members[k])
            if not len(mem):
                continue
            unit = 1_000_000
            level = float(ix["preclose"][k]) if np.isfinite(ix["preclose"][k]) else float(ix["o"][k])
            value = level / self.etf_scale[e] * unit
            cap = self.float_shares[mem].astype(float) * pc[mem]
            num = np.floor(value * cap / cap.sum() / pc[mem] / 100.0).astype(np.int64) * 100
            keep = num > 0
            mem, num = mem[keep], num[keep]
            cash = round(value - float((num * pc[mem]).sum()), 2)
            sus = self.sus_today[mem]
            for s_, q, su in zip(mem, num, sus):
                self.basket_rows.append({
                    "etf_code": code, "date": self.cal[t], "report_unit": unit, "cash_component": cash,
                    "max_cash_ratio": 0.5, "code": self.codes[s_], "code_num": int(q),
                    "cash_replace_flag": "2" if su else "1", "replace_ratio": 0.0 if su else 0.1,
                    "replace_balance": round(float(q * pc[s_]), 2) if su else 0.0})

    def _cbs_day(self, t, st, stock_mins):
        """CB price = max(bond floor, conversion value × (1 + premium)) of the underlying's price."""
        m = len(self.cb_codes)
        if not m:
            return None
        z_v = self.r_etc.standard_normal(m)
        u = self.cb_u
        # A bond does not list while its underlying is suspended: the listing moves to the next day.
        wait = (self.cb_first == t) & st["sus"][u]
        if wait.any():
            self.cb_first[wait] += 1
            debut = wait & (self.cb_list_date == self.cal[t])
            if t + 1 < self.n_days and debut.any():
                self.cb_list_date[debut] = self.cal[t + 1]
        listed = (self.cb_first <= t) & (t < self.cb_delist)
        first = self.cb_first == t
        before = self.cb_k
        self.cb_k = self.cb_k * st["ratio_ex"][u]          # the conversion price follows ex-rights
        self.cb_k = np.where(first, st["pc_ticks"][u] / 100.0 * self.cb_k_ratio, self.cb_k)
        self.cb_k0 = np.where(first, self.cb_k, self.cb_k0)
        if self.profile.bond_terms:
            moved = (self.cb_first < t) & (t < self.cb_delist) & (np.round(self.cb_k, 2) != np.round(before, 2))
            self.k_rows += [(int(j), t, round(float(self.cb_k[j]), 2)) for j in np.flatnonzero(moved)]
        sus = listed & st["sus"][u]
        day = self.cal[t]
        base = np.where(first, np.nan, self.cb_pc / 1000.0)
        ratio = limit_ratio(np.full(m, "cb", dtype=object), day, None, np.where(first, 0, 9), self.cb_list_date)
        hl, ll = limit_prices(base, ratio, 0.001)
        debut = first & (self.cb_list_date == day)        # a listing day, not just the data's first row
        if day >= CB_LIMITS and debut.any():
            up, dn = cb_first_day_limits()
            hl, ll = np.where(debut, up, hl), np.where(debut, dn, ll)
        hi = np.where(np.isnan(hl), 10 ** 12, np.rint(np.nan_to_num(hl) * 1000)).astype(np.int64)
        lo = np.where(np.isnan(ll), 1, np.rint(np.nan_to_num(ll) * 1000)).astype(np.int64)
        conv = 100.0 * (1 + self.cb_prem) / np.where(self.cb_k > 0, self.cb_k, 1.0)

        def f(cents, rows):   # monotone in the underlying price, so minute bars aggregate exactly
            col = (slice(None),) + (None,) * (cents.ndim - 1)
            v = np.maximum(self.cb_floor[rows][col], conv[rows][col] * (cents / 100.0))
            return np.clip(np.rint(v * 1000), lo[rows][col], hi[rows][col]).astype(np.int64)

        rows = np.flatnonzero(listed)
        opn = ~sus[rows]
        px = {k: np.where(opn, f(st[K][u[rows]], rows), self.cb_pc[rows])
              for k, K in (("o", "O"), ("h", "H"), ("l", "L"), ("c", "C"))}
        lots = np.where(opn, np.maximum(np.rint(self.cb_base_lots[rows] * np.exp(0.4 * z_v[rows])), MIN_LOTS), 0)
        self.cb_open_days[rows] += opn
        out = {"g": self.g_cb[rows], "tick": 0.001, "dec": 3, "div": 400, "lot": 10, "lots": lots.astype(np.int64),
               "preclose": base[rows], "hl": hl[rows], "ll": ll[rows], "open_mask": opn, **px}
        if stock_mins is not None:
            pos = np.full(self.n, -1, np.int64)
            pos[stock_mins["sid"]] = np.arange(len(stock_mins["sid"]))
            ro = rows[opn]
            at = pos[u[ro]]
            mins = {"g": self.g_cb[ro], "lots": split_lots(out["lots"][opn], self.r_min), "tick": 0.001, "dec": 3,
                    "div": 400, "lot": 10, **{k: f(stock_mins[k][at], ro) for k in ("o", "h", "l", "c")}}
            _attach_minutes(out, mins)
        self.cb_pc[rows] = out["c"]
        return out

