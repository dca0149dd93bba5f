"""The instruments of the synthetic market: stock codes in the real board ranges, listing and delisting
dates, sizes; the ETFs and convertible bonds; one global code order; the instruments table."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from ...rules import instruments as irules
from .. import codes as codes_mod
from .calendar import trading_calendar
from .params import CB_PREFIXES, HISTORY_END, MIN_LOTS, P_DELIST_YEAR, STOCK_PREFIXES
from .profiles import code_list

# Bond terms the realistic market adds to instruments.parquet (docs/data-format.md, *Synthetic market*).
BOND_TERMS = ("stock_code", "convert_price", "convert_date", "maturity_date", "redemption_price")


class UniverseMixin:
    """Builds the per-security state of :class:`market.Market` (stocks are sids 0..n-1 of ``codes``)."""

    def _make_stocks(self, rng, n):
        cal = self.cal
        first, last = cal[0], cal[-1]
        weights = []
        for _, _, w, opening in STOCK_PREFIXES:
            if opening is None:
                weights.append(w)
                continue
            op = np.datetime64(opening)
            # As many codes as the board had listed by the range's end (relative to 2024).
            span = (last - op).astype(int)
            full = (HISTORY_END - op).astype(int)
            weights.append(w * min(1.0, span / full) if span > 5 else 0.0)
        counts = _allocate(n, np.array(weights), cap=999)
        codes, prefix_of = [], []
        real = self._real_codes() if self.profile.real_codes else {}
        for k, ((sfx, prefix, _, _), c) in enumerate(zip(STOCK_PREFIXES, counts)):
            if real:
                # Real codes of the prefix first (index members before the others), then generated ones.
                mine = [r for r in real.values() if r[0].startswith(prefix) and r[0].endswith(sfx)]
                mine.sort(key=lambda r: (-r[4], r[0]))
                take = [r[0] for r in mine[:c]]
                taken = {int(x[3:6]) for x in (r[0] for r in mine)}
                free = np.array([x for x in range(1, 1000) if x not in taken])
                extra = np.sort(rng.choice(free, size=min(c - len(take), len(free)), replace=False))
                codes += take + [f"{prefix}{x:03d}.{sfx}" for x in extra]
                prefix_of += [k] * (len(take) + len(extra))
                continue
            nums = np.sort(rng.choice(np.arange(1, 1000), size=c, replace=False))
            codes += [f"{prefix}{x:03d}.{sfx}" for x in nums]
            prefix_of += [k] * c
        order = np.argsort(codes, kind="stable")
        self.codes = np.array(codes, dtype=object)[order]
        prefix_of = np.array(prefix_of)[order]
        n = self.n = len(self.codes)
        # Real names, listing dates and index weight (0 for generated codes); big index members are kept
        # from delisting and ST designations.
        self.names = np.array([real[c][1] if c in real and real[c][1] else f"SYN{c[:6]}" for c in self.codes],
                              dtype=object)
        self.weight = np.array([real[c][4] if c in real else 0 for c in self.codes], np.int64)
        real_list = np.array([np.datetime64(real[c][2]) if c in real and real[c][2] else np.datetime64("NaT")
                              for c in self.codes], "datetime64[D]")
        self.protect = self.weight >= 2
        cls = [codes_mod.classify_full(c) for c in self.codes]
        self.types = np.array([c[0] for c in cls], dtype=object)
        self.boards = np.array([c[1] for c in cls], dtype=object)
        self.board_id = np.unique(self.boards, return_inverse=True)[1]
        self.exchange = np.array([codes_mod.exchange_of(c) for c in self.codes], dtype=object)

        # Listing: a late board lists only after its opening; older prefixes have a few IPOs too.
        nd = self.n_days
        years = nd / 243.0
        opening = np.array([np.datetime64(STOCK_PREFIXES[k][3] or "1990-12-19") for k in prefix_of])
        open_idx = np.searchsorted(cal, opening)
        late = opening > first
        # A late board's codes list evenly from its opening, so the share listed inside the range is
        # (last − max(first, opening)) / (last − opening); older prefixes IPO ~3 % of their codes a year.
        inside = ((last - np.maximum(first, opening)).astype(float)
                  / np.maximum((last - opening).astype(float), 1.0))
        p_ipo = np.where(opening > np.datetime64("1991-01-01"), inside, min(0.5, 0.03 * years))
        ipo = late | (rng.random(n) < p_ipo)
        lo = np.maximum(open_idx, 1)
        ipo &= lo < nd - 1
        self.first_idx = np.where(ipo, lo + (rng.random(n) * (nd - 1 - lo)).astype(np.int64), 0)
        known = ~np.isnat(real_list)
        known[known] = real_list[known] < cal[-1]        # listing after the range: a generated date
        if known.any():
            # A real code lists on its real date: an IPO inside the range, or listed before it.
            at = np.searchsorted(cal, real_list[known])
            inside = (at > 0) & (at < nd - 1)
            ipo[known] = inside
            self.first_idx[known] = np.where(inside, at, 0)
        old_floor = np.where(self.boards == "ChiNext", np.datetime64("2009-10-30"), np.datetime64("1991-01-02"))
        old_floor = np.maximum(old_floor, opening)       # no 688 code listed before STAR opened
        # Earlier listings fall on trading days of the real calendar before the range.
        before = trading_calendar("1990-12-19", str(first - 1))
        lo_p = np.searchsorted(before, old_floor)
        hi_p = np.maximum(len(before), lo_p + 1)
        past = before[np.minimum(lo_p + (rng.random(n) * (hi_p - lo_p)).astype(np.int64), len(before) - 1)] \
            if len(before) else np.full(n, first - 1)
        self.list_date = np.where(ipo, cal[np.minimum(self.first_idx, nd - 1)], past).astype("datetime64[D]")
        self.list_date = np.where(known & ~ipo, real_list, self.list_date).astype("datetime64[D]")
        self.age0 = np.where(ipo, 0, 100000)          # trading days listed before the first bar
        # Delisting: the first day not listed; the year before it the stock is ST.
        n_del = max(1, int(round(P_DELIST_YEAR * years * n)))
        cand = np.flatnonzero((self.first_idx < nd - 80) & ~self.protect)
        self.delist_idx = np.full(n, nd, np.int64)
        if len(cand):
            pick = np.sort(rng.choice(cand, size=min(n_del, len(cand)), replace=False))
            lo_d = np.maximum(self.first_idx[pick] + 60, nd // 3)
            self.delist_idx[pick] = lo_d + (rng.random(len(pick)) * (nd - lo_d)).astype(np.int64)
        self.delist_idx = np.where(self.delist_idx >= nd, nd, self.delist_idx)
        self.st_force = np.where(self.delist_idx < nd,
                                 np.maximum(self.delist_idx - rng.integers(60, 250, n), self.first_idx + 1), nd)

        # Prices, sizes and behaviour.
        growth = np.isin(self.boards, ["STAR", "ChiNext"])
        price0 = np.exp(rng.normal(np.where(growth, np.log(25), np.log(11)), 0.7))
        self.pc = np.rint(np.clip(price0, 2.0, 400.0) * 100).astype(np.int64)   # previous close, cents
        self.anchor = np.log(self.pc.astype(float))
        cap = np.exp(rng.normal(np.log(6e9), 1.0, n)).clip(8e8, 2e12)
        if self.weight.any():
            # The largest caps go to the real index heavyweights, so cap-ranked indices start near reality.
            by_weight = np.lexsort((np.arange(n), -self.weight))
            cap[by_weight] = np.sort(cap)[::-1]
        self.float_shares = (np.rint(cap / (self.pc / 100.0) / 1e4) * 1e4).astype(np.int64)
        self.total_shares = (np.rint(self.float_shares * rng.uniform(1.0, 2.5, n) / 1e4) * 1e4).astype(np.int64)
        self.sigma = rng.uniform(0.012, 0.028, n) * np.where(growth, 1.25, 1.0)
        self.beta = rng.uniform(0.6, 1.4, n)
        self.base_lots = np.maximum(self.float_shares * rng.uniform(0.004, 0.04, n) / 100, MIN_LOTS * 4)
        self.st_left = np.where((rng.random(n) < 0.03) & ~ipo & ~self.protect, rng.integers(100, 500, n), 0)
        self.sus_left = np.zeros(n, np.int64)
        self.streak = np.zeros(n, np.int64)        # one-price limit-up days left after an IPO
        self.is_st_prev = np.zeros(n, bool)
        self.st_since = np.full(n, -1, np.int64)
        self.open_days = np.zeros(n, np.int64)

    def _real_codes(self) -> dict:
        """code -> (code, name, list date, indices, weight) of the shipped code list; weight 3 for SSE 50
        members, 2 for CSI 300, 1 for the other indices' members, 0 for the rest."""
        out = {}
        for code, name, listed, indices in code_list():
            w = 3 if "000016" in indices else 2 if "000300" in indices else 1 if indices else 0
            out[code] = (code, name, listed, indices, w)
        return out

    def _make_etfs(self, n_etf):
        funds = self.profile.funds[:n_etf]
        self.etf_codes = np.array([e[0] for e in funds], dtype=object)
        self.etf_index = [e[1] for e in funds]
        self.etf_scale = np.array([e[2] for e in funds])
        self.etf_names = [e[3] or f"SYN{e[0][:6]}" for e in funds]
        self.etf_kinds = [e[4] for e in funds]
        self.n_etf_shared = min(self.profile.stream_funds, n_etf)   # funds on the shared random streams
        self.etf_pc = np.zeros(n_etf, np.int64)

    def _make_cbs(self, rng, n_cb):
        nd = self.n_days
        ok = np.flatnonzero((self.first_idx == 0) & (self.delist_idx == nd) & (self.st_left == 0))
        n_cb = min(n_cb, len(ok))
        u = np.sort(rng.choice(ok, size=n_cb, replace=False)) if n_cb else np.array([], np.int64)
        used, codes = set(), []
        for sid in u:
            prefix = rng.choice(CB_PREFIXES[self.boards[sid]])
            sfx = self.codes[sid][-2:]
            while True:
                code = f"{prefix}{int(rng.integers(0, 1000)):03d}.{sfx}"
                if code not in used:
                    break
            used.add(code)
            codes.append(code)
        order = np.argsort(codes, kind="stable")
        self.cb_codes = np.array(codes, dtype=object)[order]
        self.cb_u = u[order] if n_cb else u
        m = len(self.cb_u)
        new = rng.random(m) < 0.3
        self.cb_first = np.where(new, rng.integers(20, max(21, nd - 20), m), 0).clip(0, nd - 1)
        gone = rng.random(m) < 0.2
        lo = self.cb_first + 60
        self.cb_delist = np.where(gone & (lo < nd), lo + (rng.random(m) * np.maximum(nd - lo, 1)).astype(np.int64), nd)
        self.cb_delist = np.minimum(self.cb_delist, nd)
        self.cb_k_ratio = rng.uniform(0.85, 1.3, m)     # conversion price / underlying price at listing
        self.cb_k = np.zeros(m)
        self.cb_k0 = np.zeros(m)                         # the conversion price at the bond's first bar
        self.cb_floor = rng.uniform(92.0, 105.0, m)
        self.cb_prem = rng.uniform(0.03, 0.30, m)
        self.cb_base_lots = rng.uniform(2e3, 5e4, m)
        self.cb_pc = np.zeros(m, np.int64)
        self.cb_list_date = np.where(new, self.cal[self.cb_first],
                                     self.cal[0] - rng.integers(30, 1500, m).astype("timedelta64[D]"))
        self.cb_open_days = np.zeros(m, np.int64)

    def _index_global_codes(self):
        groups = [self.codes, np.array(self.idx_codes, dtype=object), self.etf_codes, self.cb_codes]
        allc = np.concatenate(groups)
        order = np.argsort(allc, kind="stable")
        if len(set(allc)) != len(allc):
            raise AssertionError("synthetic code collision")
        rank = np.empty(len(allc), np.int64)
        rank[order] = np.arange(len(allc))
        self.all_codes = allc[order]
        sizes = np.cumsum([0] + [len(g) for g in groups])
        self.g_stock, self.g_index, self.g_etf, self.g_cb = (rank[sizes[k]:sizes[k + 1]] for k in range(4))
        self.code_array = pa.array(list(self.all_codes), pa.string())

    def _instruments(self) -> pd.DataFrame:
        cal, nd = self.cal, self.n_days
        src = f"synthetic:{self.seed}"
        rows = []

        def add(code, name, list_date, first, end, open_days, kind=None):
            typ, board = codes_mod.classify_full(code)
            exch = codes_mod.exchange_of(code)
            rule = irules.current(typ, exch)
            t_plus = rule.t_plus if kind is None else irules.fund_t_plus(kind)
            rows.append({
                "code": code, "name": name, "type": typ, "exchange": exch, "board": board,
                "list_date": pd.Timestamp(list_date).date(), "delist_date": pd.Timestamp(cal[end]).date() if end < nd else None,
                "lot": rule.lot, "min_buy": rule.min_buy, "tick": rule.tick, "price_decimals": rule.decimals,
                "t_plus": t_plus, "stamp_tax": rule.stamp, "fee_class": rule.fee_class, "is_valid": end >= nd,
                "has_daily": True, "has_minute": bool(self.minute and open_days > 0),
                "daily_start": pd.Timestamp(cal[first]).date(), "daily_end": pd.Timestamp(cal[end - 1]).date(),
                "synthetic": True, "source": src, "fund_kind": kind,
            })

        for i, code in enumerate(self.codes):
            add(code, self.names[i], self.list_date[i], int(self.first_idx[i]), int(self.delist_idx[i]),
                int(self.open_days[i]))
        for code, name, _, listed in self.profile.indices:
            # An index launched inside the range carries back-calculated levels from the range's start.
            add(code, name, min(np.datetime64(listed), cal[0]) if self.profile.real_codes else np.datetime64(listed),
                0, nd, nd)
        for code, name, kind in zip(self.etf_codes, self.etf_names, self.etf_kinds):
            add(code, name, cal[0] - np.timedelta64(2000, "D"), 0, nd, nd, kind)
        terms = []
        for j, code in enumerate(self.cb_codes):
            if self.cb_first[j] >= min(nd, self.cb_delist[j]):
                continue                         # its listing was pushed past the data's end
            add(code, self._cb_name(j), self.cb_list_date[j], int(self.cb_first[j]), int(self.cb_delist[j]),
                int(self.cb_open_days[j]))
            terms.append(self._cb_terms(j))
        inst = pd.DataFrame(rows)
        if self.profile.bond_terms:
            t = pd.DataFrame(terms, columns=["code", *BOND_TERMS]) if terms else pd.DataFrame(columns=["code", *BOND_TERMS])
            inst = inst.merge(t, on="code", how="left")
        return inst.sort_values("code", kind="stable").reset_index(drop=True)

    def _cb_name(self, j) -> str:
        """A bond's name: the first two characters of its underlying's real name and 转债, else SYN<code>."""
        sid = self.cb_u[j]
        under = self.names[sid]
        return f"{under[:2]}转债" if self.profile.real_codes and not under.startswith("SYN") else f"SYN{self.cb_codes[j][:6]}"

    def _cb_terms(self, j) -> dict:
        """Bond terms (conversion from six months after listing, six-year term, the conversion price set at
        the first bar: the underlying's price there × the bond's ratio; its later changes are in
        ``cb_conversion_prices.parquet``)."""
        listed = pd.Timestamp(self.cb_list_date[j])
        return {"code": self.cb_codes[j], "stock_code": self.codes[self.cb_u[j]],
                "convert_price": round(float(self.cb_k0[j]), 2),
                "convert_date": (listed + pd.DateOffset(months=6)).date(),
                "maturity_date": (listed + pd.DateOffset(years=6)).date(),
                # Redemption at maturity per 张, last coupon included: 106 … 114 (no random draw).
                "redemption_price": 106.0 + float(j % 9)}



def _allocate(n, weights, cap):
    """Split ``n`` over ``weights`` (largest remainder, at least one per positive weight, at most ``cap``)."""
    w = weights / weights.sum()
    counts = np.zeros(len(w), np.int64)
    pos = w > 0
    counts[pos] = 1 if n >= pos.sum() else 0
    for _ in range(len(w) + 1):
        free = pos & (counts < cap)
        left = n - counts.sum()
        if left <= 0 or not free.any():
            break
        share = w * free / (w * free).sum() * left
        add = np.minimum(np.floor(share).astype(np.int64), cap - counts)
        counts += add
        left = n - counts.sum()
        frac = np.where(free & (counts < cap), share - np.floor(share), -1.0)
        for k in np.argsort(-frac, kind="stable")[:left]:
            if frac[k] >= 0:
                counts[k] += 1
    if counts.sum() != n:
        raise ValueError(f"cannot place {n} stock codes in the board ranges (at most {cap} per prefix)")
    return counts


