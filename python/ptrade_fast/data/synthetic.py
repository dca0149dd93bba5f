"""A synthetic whole A-share market, generated day by day into a data root (docs/data-format.md).

``generate(root, stocks=5300, start, end, minute=False, seed=0)`` writes a complete root: calendar,
instruments, daily/YYYY, minute/YYYY/YYYY-MM-DD (with ``minute=True``), ex_rights, index_members, the
optional ``st.parquet`` and meta.json last.

Invariants (the tests check each one):
- Deterministic: the same arguments give byte-identical files.  Four independent random streams
  (universe, daily, minute, the others) are spawned from ``seed``, so the daily prices and volumes do not
  depend on ``minute``; only money and the index/ETF highs and lows do (they are sums over minutes).
- Codes lie in the real ranges of each board (market-rules §1.2), in roughly the 2024 proportions;
  boards that opened late (STAR 688 from 2019-07-22, 301 from 2020-08-24, 605, 001, 003) only list IPOs
  after their opening, in proportion to the time since.
- Prices are integers of ticks until written; every bar lies on the tick grid inside that day's limits
  (``rules.limits`` with the ST flag and the IPO no-limit days), and jumps clipped at the limits give
  limit-up/limit-down closes.
- 1-minute bars aggregate exactly to the daily bar: first open, max high, min low, last close, Σ volume,
  Σ money.  Money is whole CNY (integer arithmetic), so the sums are exact.  ETF and CB bars are a
  monotone function of their index or underlying, so they aggregate exactly too.
- An index closes at ``level_{t-1} × Σ fs·close / Σ fs·preclose`` over its members listed that day, with
  ``fs`` the float shares in force (ex_rights.parquet) and ``preclose`` the ex-rights reference on ex-dates.
- Memory is bounded: state is one vector per security; a day's minute arrays are written (on a writer
  thread) as soon as they are made; daily rows are held for one calendar year.

Format addition: ``st.parquet`` (code, start_date, end_date), the ST / *ST periods, dates inclusive,
end_date null = still ST at the end of the data.  Names do not change with ST.  ex_rights.parquet holds a
``has_action = False`` row at each stock's first bar with its share capital, so market caps are known.
"""
from __future__ import annotations

import datetime as _dt
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..rules import instruments as irules
from ..rules.limits import CB_LIMITS, cb_first_day_limits, ex_reference_price, limit_prices, limit_ratio
from . import codes as codes_mod
from .bundle import bundle_root
from .format import DAILY_SCHEMA, FORMAT_VERSION, INSTRUMENT_SCHEMA, MINUTE_SCHEMA, write_json_atomic, write_table_atomic
from .format import minute_path as minute_file

# -- UNIVERSE TABLES -----------------------------------------------------------------------------------

# (suffix, prefix, weight, board opening).  Weights follow the 2024 listing counts (SH main ~1,700,
# STAR ~570, SZ main ~1,500, ChiNext ~1,350).  A prefix with an opening date only lists IPOs after it.
STOCK_PREFIXES = (
    ("SS", "600", 0.180, None), ("SS", "601", 0.045, None), ("SS", "603", 0.095, None),
    ("SS", "605", 0.012, "2020-06-01"), ("SS", "688", 0.108, "2019-07-22"),
    ("SZ", "000", 0.085, None), ("SZ", "001", 0.012, "2021-06-01"), ("SZ", "002", 0.170, None),
    ("SZ", "003", 0.015, "2020-10-01"), ("SZ", "300", 0.190, None), ("SZ", "301", 0.070, "2020-08-24"),
)
HISTORY_END = np.datetime64("2024-12-31")   # late boards reach their full weight by then

# (code, name, base level, list date); the base is roughly the index's level at the start of 2019.
INDICES = (
    ("000001.SS", "上证指数", 2465.291, "1991-07-15"),
    ("000300.SS", "沪深300", 3010.654, "2005-04-08"),
    ("000905.SS", "中证500", 4090.993, "2007-01-15"),
    ("399001.SZ", "深证成指", 7149.270, "1991-04-03"),
    ("399006.SZ", "创业板指", 1250.536, "2010-06-01"),
)
# Constituent counts; universes smaller than 5,300 stocks scale them down.
INDEX_SIZES = {"000300.SS": 300, "000905.SS": 500, "399001.SZ": 500, "399006.SZ": 100}
FULL_UNIVERSE = 5300

# (code, tracked index, price = level / scale).
ETFS = (
    ("510300.SS", "000300.SS", 1000.0), ("510050.SS", "000001.SS", 1000.0), ("159919.SZ", "000300.SS", 1000.0),
    ("510500.SS", "000905.SS", 1000.0), ("159915.SZ", "399006.SZ", 1000.0), ("159901.SZ", "399001.SZ", 1600.0),
)
CB_PREFIXES = {"SH_main": ("110", "113"), "STAR": ("118",), "SZ_main": ("127", "128"), "ChiNext": ("123",)}

# -- MODEL PARAMETERS (per trading day) ----------------------------------------------------------------

P_SUSPEND = 0.002        # a listed stock starts a suspension
P_ST = 0.0001            # a stock is newly designated ST
P_DELIST_YEAR = 0.008    # share of the universe delisted per year
P_JUMP_UP, P_JUMP_DN = 0.010, 0.007   # news jumps of 6-25 %, clipped at the limits
MIN_LOTS = 240           # every traded bar has at least one lot
EX_MIN_AGE = 120         # no corporate action in the first 120 trading days after an IPO
MINUTES = np.concatenate([np.arange(571, 691), np.arange(781, 901)])  # bar ends 09:31…11:30, 13:01…15:00
_U_SHAPE = 1.0 + 2.0 * np.linspace(-1, 1, 240) ** 2                      # intraday volume profile


# -- PUBLIC API ----------------------------------------------------------------------------------------

def generate(root, stocks=5300, start="2019-01-01", end="2024-12-31", minute=False, seed=0, progress=None,
             etfs=None, cbs=None, overwrite=False) -> dict:
    """Generate a synthetic market into the data root ``root``.

    Parameters
    ----------
    root : path
        Output folder; must be empty or absent unless ``overwrite`` (which removes only the files a root
        consists of).
    stocks : int
        Number of distinct stock codes (including later IPOs and delistings).
    start, end : date-like
        Calendar range; the real SSE calendar where the sample bundle covers it, weekdays without fixed
        holidays beyond.
    minute : bool
        Also write 1-minute bars for every traded security.
    seed : int
        Seed of every random draw.
    progress : callable, optional
        ``progress(done_days, total_days, 'YYYY-MM-DD')`` after each day.
    etfs : int, optional
        Number of ETFs from ``ETFS`` (default all six).
    cbs : int, optional
        Number of convertible bonds (default ``stocks // 50``).

    Returns
    -------
    dict
        Counts, dates and elapsed seconds.
    """
    t0 = time.perf_counter()
    root = Path(root)
    _prepare_root(root, overwrite)
    cal = trading_calendar(start, end)
    if len(cal) < 2:
        raise ValueError(f"the range {start} … {end} holds {len(cal)} trading days; need at least 2")
    stocks = int(stocks)
    if stocks < 12:
        raise ValueError(f"stocks must be at least 12 (one per board prefix and an index member), was {stocks}")
    n_etf = len(ETFS) if etfs is None else int(np.clip(etfs, 0, len(ETFS)))
    n_cb = max(2, stocks // 50) if cbs is None else max(0, int(cbs))
    market = _Market(root, cal, stocks, n_etf, n_cb, int(seed), bool(minute))
    market.run(progress)
    summary = market.finish()
    summary["seconds"] = round(time.perf_counter() - t0, 3)
    return summary


def trading_calendar(start, end) -> np.ndarray:
    """Trading days in [start, end]: the bundle's real calendar, extended by weekdays without the
    fixed-date holidays (1 Jan, 1-5 May, 1-7 Oct) beyond its last day."""
    s, e = np.datetime64(str(start)[:10], "D"), np.datetime64(str(end)[:10], "D")
    real = pq.read_table(bundle_root() / "calendar.parquet").column("date").to_numpy().astype("datetime64[D]")
    days = real[(real >= s) & (real <= e)]
    tail_start = max(s, real[-1] + 1) if len(real) else s
    if tail_start <= e:
        extra = np.arange(tail_start, e + 1, dtype="datetime64[D]")
        weekday = (extra.astype(np.int64) + 3) % 7          # 1970-01-01 was a Thursday
        md = pd.DatetimeIndex(extra.astype("datetime64[ns]"))
        holiday = (((md.month == 1) & (md.day == 1)) | ((md.month == 5) & (md.day <= 5))
                   | ((md.month == 10) & (md.day <= 7)))
        days = np.concatenate([days, extra[(weekday < 5) & ~np.asarray(holiday)]])
    return days


# -- THE MARKET ----------------------------------------------------------------------------------------

class _Market:
    """Per-security state vectors and the day loop.  Stocks are sids 0..n-1 of ``self.codes`` order."""

    def __init__(self, root, cal, n_stocks, n_etf, n_cb, seed, minute):
        self.root, self.cal, self.seed, self.minute = root, cal, seed, minute
        self.n_days = len(cal)
        ss = np.random.SeedSequence(seed)
        r_uni, r_day, r_min, r_etc = (np.random.default_rng(s) for s in ss.spawn(4))
        self.r_day, self.r_min, self.r_etc = r_day, r_min, r_etc
        self._make_stocks(r_uni, n_stocks)
        self._make_events(r_uni)
        self._make_etfs(n_etf)
        self._make_cbs(r_uni, n_cb)
        self._make_indices()
        self._index_global_codes()
        # Output accumulators.
        self.year_rows: list[dict] = []
        self.ex_rows: list[dict] = []
        self.st_rows: list[tuple] = []
        self.member_rows: list[tuple] = []
        self.minute_days: list[str] = []
        self.daily_years: list[int] = []
        self.rows_daily = 0
        self.rows_minute = 0
        self.limit_up_closes = 0
        self.limit_down_closes = 0
        self.suspended_rows = 0
        self._pool = ThreadPoolExecutor(max_workers=1) if minute else None
        self._pending = []

    # -- universe ------------------------------------------------------------------------------------

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
        for k, ((sfx, prefix, _, _), c) in enumerate(zip(STOCK_PREFIXES, counts)):
            nums = np.sort(rng.choice(np.arange(1, 1000), size=c, replace=False))
            codes += [f"{prefix}{x:03d}.{sfx}" for x in nums]
            prefix_of += [k] * c
        order = np.argsort(codes, kind="stable")
        self.codes = np.array(codes, dtype=object)[order]
        prefix_of = np.array(prefix_of)[order]
        n = self.n = len(self.codes)
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
        old_floor = np.where(self.boards == "ChiNext", np.datetime64("2009-10-30"), np.datetime64("1991-01-02"))
        old_floor = np.maximum(old_floor, opening)       # no 688 code listed before STAR opened
        # Earlier listings fall on trading days of the real calendar before the range.
        before = trading_calendar("1990-12-19", str(first - 1))
        lo_p = np.searchsorted(before, old_floor)
        hi_p = np.maximum(len(before), lo_p + 1)
        past = before[np.minimum(lo_p + (rng.random(n) * (hi_p - lo_p)).astype(np.int64), len(before) - 1)] \
            if len(before) else np.full(n, first - 1)
        self.list_date = np.where(ipo, cal[np.minimum(self.first_idx, nd - 1)], past).astype("datetime64[D]")
        self.age0 = np.where(ipo, 0, 100000)          # trading days listed before the first bar
        # Delisting: the first day not listed; the year before it the stock is ST.
        n_del = max(1, int(round(P_DELIST_YEAR * years * n)))
        cand = np.flatnonzero(self.first_idx < nd - 80)
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
        self.float_shares = (np.rint(cap / (self.pc / 100.0) / 1e4) * 1e4).astype(np.int64)
        self.total_shares = (np.rint(self.float_shares * rng.uniform(1.0, 2.5, n) / 1e4) * 1e4).astype(np.int64)
        self.sigma = rng.uniform(0.012, 0.028, n) * np.where(growth, 1.25, 1.0)
        self.beta = rng.uniform(0.6, 1.4, n)
        self.base_lots = np.maximum(self.float_shares * rng.uniform(0.004, 0.04, n) / 100, MIN_LOTS * 4)
        self.st_left = np.where((rng.random(n) < 0.03) & ~ipo, rng.integers(100, 500, n), 0)
        self.sus_left = np.zeros(n, np.int64)
        self.streak = np.zeros(n, np.int64)        # one-price limit-up days left after an IPO
        self.is_st_prev = np.zeros(n, bool)
        self.st_since = np.full(n, -1, np.int64)
        self.open_days = np.zeros(n, np.int64)

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

    def _make_etfs(self, n_etf):
        self.etf_codes = np.array([e[0] for e in ETFS[:n_etf]], dtype=object)
        self.etf_index = [e[1] for e in ETFS[:n_etf]]
        self.etf_scale = np.array([e[2] for e in ETFS[:n_etf]])
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
        self.cb_floor = rng.uniform(92.0, 105.0, m)
        self.cb_prem = rng.uniform(0.03, 0.30, m)
        self.cb_base_lots = rng.uniform(2e3, 5e4, m)
        self.cb_pc = np.zeros(m, np.int64)
        self.cb_list_date = np.where(new, self.cal[self.cb_first],
                                     self.cal[0] - rng.integers(30, 1500, m).astype("timedelta64[D]"))
        self.cb_open_days = np.zeros(m, np.int64)

    def _make_indices(self):
        self.idx_codes = [i[0] for i in INDICES]
        self.level = np.array([i[2] for i in INDICES])
        self.members = np.zeros((len(INDICES), self.n), bool)
        self.member_since = np.full((len(INDICES), self.n), -1, np.int64)
        self.sizes = {c: min(s, max(1, int(round(s * self.n / FULL_UNIVERSE)))) for c, s in INDEX_SIZES.items()}
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

    # -- the day loop --------------------------------------------------------------------------------

    def run(self, progress):
        year = None
        for t in range(self.n_days):
            y = int(str(self.cal[t])[:4])
            if year is not None and y != year:
                self._flush_year(year)
            year = y
            self._day(t)
            if progress is not None:
                progress(t + 1, self.n_days, str(self.cal[t]))
        self._flush_year(year)
        self._drain(0)

    def _day(self, t):
        st = self._stocks_day(t)
        mins = self._stock_minutes(st) if self.minute else None
        ix = self._indices_day(t, st, mins)
        parts = [st, ix, self._etfs_day(t, ix), self._cbs_day(t, st, mins)]
        parts = [p for p in parts if p is not None and len(p["g"])]
        for p in parts:
            self._add_daily(t, p)
        if self.minute:
            self._write_minutes(self.cal[t], [p["min"] for p in parts if "min" in p])

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
        start_st = listed & ~first & (self.st_left == 0) & (u_st < P_ST)
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
        # Approval-era IPOs (limited from day 2) open capped at +44 % of the issue price (market-rules §2.3).
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
        out = {"g": self.g_stock[act], "sid": act, "open_mask": open_[act], "tick": 0.01, "dec": 2, "div": 4,
               "o": o[act], "h": h[act], "l": low[act], "c": c[act], "lots": lots[act], "lot": 100,
               "preclose": np.where(first, np.nan, pcp)[act], "hl": hw, "ll": lw,
               "pc_ticks": self.pc.copy(), "listed": listed, "sus": sus, "ratio_ex": ratio_ex,
               "O": o, "H": h, "L": low, "C": c, "LOTS": lots}
        self.pc = np.where(listed, c, self.pc)
        return out

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

    def _stock_minutes(self, st):
        m = st["open_mask"]
        mo, mh, ml, mc = minute_path(st["o"][m], st["h"][m], st["l"][m], st["c"][m], self.r_min)
        mins = {"g": st["g"][m], "sid": st["sid"][m], "o": mo, "h": mh, "l": ml, "c": mc,
                "lots": split_lots(st["lots"][m], self.r_min), "tick": 0.01, "dec": 2, "div": 4, "lot": 100}
        _attach_minutes(st, mins)
        return mins

    # -- indices -------------------------------------------------------------------------------------

    def _rebalance(self, listed, dl):
        """Members by float market cap at the previous close among listed, non-ST stocks of 60+ days."""
        cap = self.pc * self.float_shares.astype(float)
        eligible = listed & (dl >= 60) & ~self.is_st_prev
        order = np.lexsort((np.arange(self.n), -cap))
        ranked = order[eligible[order]]
        new = np.zeros_like(self.members)
        k300, k500 = self.sizes["000300.SS"], self.sizes["000905.SS"]
        new[1, ranked[:k300]] = True
        new[2, ranked[k300:k300 + k500]] = True
        new[3, ranked[self.exchange[ranked] == "SZSE"][: self.sizes["399001.SZ"]]] = True
        new[4, ranked[self.boards[ranked] == "ChiNext"][: self.sizes["399006.SZ"]]] = True
        return new

    def _indices_day(self, t, st, mins):
        """Chain-linked cap-weighted levels: level × Σ fs·price / Σ fs·preclose over today's members."""
        listed = st["listed"]
        dl = t - self.first_idx + self.age0
        new = self.members & listed[None, :]
        if t == 0 or t in self.rebalance_days:
            new = self._rebalance(listed, dl)
        new[0] = listed & (self.exchange == "SSE") & (dl >= 10)   # SSE Composite: from the 11th day
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

    # -- ETFs and CBs --------------------------------------------------------------------------------

    def _etfs_day(self, t, ix):
        """ETF price = tracked index level / scale × (1 + a small daily premium), within ±10 %."""
        m = len(self.etf_codes)
        if not m:
            return None
        r = self.r_etc
        prem = 1.0 + r.normal(0, 0.0008, m)
        z_v = r.standard_normal(m)
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
            mins = {"g": self.g_etf, "lots": split_lots(lots, self.r_min), "tick": 0.001, "dec": 3, "div": 40,
                    "lot": 100, **{f: g(ix["min"][f][k]) for f in ("o", "h", "l", "c")}}
            _attach_minutes(out, mins)
        self.etf_pc = out["c"]
        return out

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
        self.cb_k = self.cb_k * st["ratio_ex"][u]          # the conversion price follows ex-rights
        self.cb_k = np.where(first, st["pc_ticks"][u] / 100.0 * self.cb_k_ratio, self.cb_k)
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

    # -- output --------------------------------------------------------------------------------------

    def _add_daily(self, t, p):
        n = len(p["g"])
        if p.get("index"):
            px = {k: p[k] for k in ("o", "h", "l", "c")}
            vol, money, is_open = p["vol"], p["money"], np.ones(n, np.uint8)
            pre, hl, ll = p["preclose"], np.full(n, np.nan), np.full(n, np.nan)
        else:
            px = {k: np.round(p[k] * p["tick"], p["dec"]) for k in ("o", "h", "l", "c")}
            vol = p["lots"] * p["lot"]
            money = p["money"] if "money" in p else _daily_money(p["lots"], p["o"], p["h"], p["l"], p["c"], p["div"])
            is_open = p["open_mask"].astype(np.uint8)
            pre, hl, ll = np.round(p["preclose"], p["dec"]), p["hl"], p["ll"]
        self.year_rows.append({"g": p["g"], "t": np.full(n, t, np.int32), "open": px["o"], "high": px["h"],
                               "low": px["l"], "close": px["c"], "volume": np.asarray(vol, np.int64),
                               "money": np.asarray(money, float), "preclose": pre, "high_limit": hl,
                               "low_limit": ll, "is_open": is_open})

    def _flush_year(self, year):
        if not self.year_rows:
            return
        cols = {k: np.concatenate([r[k] for r in self.year_rows]) for k in self.year_rows[0]}
        self.year_rows = []
        order = np.lexsort((cols["t"], cols["g"]))
        table = pa.table({
            "code": self.code_array.take(pa.array(cols["g"][order])),
            "date": pa.array(self.cal[cols["t"][order]], pa.date32()),
            **{k: cols[k][order] for k in ("open", "high", "low", "close", "volume", "money", "preclose",
                                          "high_limit", "low_limit", "is_open")},
        }, schema=DAILY_SCHEMA)
        write_table_atomic(table, self.root / "daily" / f"{year}.parquet")
        self.rows_daily += table.num_rows
        self.daily_years.append(int(year))

    def _write_minutes(self, day, parts):
        g = np.concatenate([p["g"] for p in parts])
        order = np.argsort(g, kind="stable")

        def col(fn):
            return np.concatenate([fn(p) for p in parts])[order].ravel()

        # ticks / 100 is the double nearest to the decimal price, the same value as round(ticks * 0.01, 2).
        prices = {k: col(lambda p, k=k: p[k] if p.get("index") else p[k] / 10.0 ** p["dec"])
                  for k in ("o", "h", "l", "c")}
        stamps = (day.astype("datetime64[m]").astype(np.int64) + MINUTES) * 60000
        table = pa.table({
            "code": self.code_array.take(pa.array(np.repeat(g[order], 240))),
            "datetime": pa.array(np.tile(stamps, len(g)), pa.timestamp("ms")),
            "open": prices["o"], "high": prices["h"], "low": prices["l"], "close": prices["c"],
            "volume": col(lambda p: p["vol"] if p.get("index") else p["lots"] * p["lot"]).astype(np.int64),
            "money": col(lambda p: p["money"]).astype(float),
        }, schema=MINUTE_SCHEMA)
        self.rows_minute += table.num_rows
        self.minute_days.append(str(day))
        # One day is written on the writer thread while the next is generated (pyarrow drops the GIL).
        self._drain(1)
        self._pending.append(self._pool.submit(write_table_atomic, table, minute_file(self.root, day), 1))

    def _drain(self, keep):
        while len(self._pending) > keep:
            self._pending.pop(0).result()

    def finish(self) -> dict:
        """Write the reference tables and meta.json (last); return the summary."""
        self._drain(0)
        if self._pool is not None:
            self._pool.shutdown()
        cal, nd, root = self.cal, self.n_days, self.root
        write_table_atomic(pa.table({"date": pa.array(cal, pa.date32())}), root / "calendar.parquet")
        inst = self._instruments()
        write_table_atomic(pa.Table.from_pandas(inst, schema=INSTRUMENT_SCHEMA, preserve_index=False),
                           root / "instruments.parquet")

        ex = {k: np.concatenate([r[k] for r in self.ex_rows]) for k in self.ex_rows[0]}
        order = np.lexsort((ex["t"], ex["g"]))
        write_table_atomic(pa.table({
            "code": self.code_array.take(pa.array(ex["g"][order])),
            "ex_date": pa.array(cal[ex["t"][order]], pa.date32()),
            "cash_dividend": ex["cash"][order], "bonus_ratio": ex["bonus"][order],
            "conversion_ratio": ex["conv"][order], "rights_ratio": ex["rr"][order],
            "rights_price": ex["rp"][order], "total_shares": ex["total"][order].astype(np.int64),
            "float_shares": ex["float"][order].astype(np.int64), "has_action": ex["action"][order],
        }), root / "ex_rights.parquet")

        rows = self.member_rows + [(int(k), int(s), int(self.member_since[k, s]), None)
                                   for k, s in zip(*np.nonzero(self.members))]
        mem = pd.DataFrame(rows, columns=["k", "sid", "s", "e"])
        mem["index_code"] = np.array(self.idx_codes, dtype=object)[mem["k"].to_numpy(int)]
        mem["code"] = self.codes[mem["sid"].to_numpy(int)]
        mem = mem.sort_values(["index_code", "code", "s"], kind="stable")
        write_table_atomic(pa.table({
            "index_code": pa.array(mem["index_code"].tolist(), pa.string()),
            "code": pa.array(mem["code"].tolist(), pa.string()),
            "start_date": pa.array(cal[mem["s"].to_numpy(int)], pa.date32()),
            "end_date": _dates_or_null(cal, mem["e"]),
        }), root / "index_members.parquet")

        st_rows = self.st_rows + [(int(s), int(self.st_since[s]), None) for s in np.flatnonzero(self.is_st_prev)]
        st = pd.DataFrame(st_rows, columns=["sid", "s", "e"])
        st["code"] = self.codes[st["sid"].to_numpy(int)]
        st = st.sort_values(["code", "s"], kind="stable")
        write_table_atomic(pa.table({
            "code": pa.array(st["code"].tolist(), pa.string()),
            "start_date": pa.array(cal[st["s"].to_numpy(int)], pa.date32()),
            "end_date": _dates_or_null(cal, st["e"]),
        }), root / "st.parquet")

        syn_codes = sorted(inst["code"])
        meta = {
            "format_version": FORMAT_VERSION,
            "title": f"ptrade_fast synthetic market (seed {self.seed})",
            "built_by": "ptrade_fast.data.synthetic.generate",
            "calendar": [str(cal[0]), str(cal[-1])],
            "daily_years": sorted(self.daily_years),
            "minute_days": len(self.minute_days),
            "minute_range": [self.minute_days[0], self.minute_days[-1]] if self.minute_days else None,
            "synthetic": {"seed": self.seed, "count": len(syn_codes), "codes": syn_codes,
                          "stocks": self.n, "etfs": len(self.etf_codes), "cbs": len(self.cb_codes)},
            "index_members": {"kind": "dated", "indices": {c: n for c, n, _, _ in INDICES},
                              "rule": "000001: SH stocks from their 11th trading day; others by float cap at "
                                      "the previous close, rebalanced after the 2nd Friday of June and December",
                              "sizes": self.sizes},
            "st": {"file": "st.parquet", "columns": ["code", "start_date", "end_date"],
                   "dates": "inclusive; end_date null = ST at the end of the data"},
            "sources": {"synthetic": f"numpy SeedSequence({self.seed})",
                        "calendar": "SSE calendar of the sample bundle, weekdays beyond it"},
            "notes": [
                "Every series is generated; nothing here is market data.",
                "Index level_t = level_(t-1) * sum(float_shares * close) / sum(float_shares * preclose) over the "
                "members listed that day; float shares from ex_rights.parquet.",
                "ex_rights.parquet has a has_action=false row at each stock's first bar carrying its share capital.",
                "Minute money is whole CNY; daily money is its sum (without minutes: volume * (O+H+L+C)/4).",
            ],
        }
        write_json_atomic(meta, root / "meta.json")  # last: its presence marks a complete root
        return {
            "root": str(root), "seed": self.seed, "days": nd, "calendar": meta["calendar"],
            "stocks": self.n, "indices": len(self.idx_codes), "etfs": len(self.etf_codes), "cbs": len(self.cb_codes),
            "ipos": int((self.age0 == 0).sum()), "delisted": int((self.delist_idx < nd).sum()),
            "st_periods": len(st), "ex_rights_events": int(ex["action"].sum()),
            "suspended_rows": self.suspended_rows, "limit_up_closes": self.limit_up_closes,
            "limit_down_closes": self.limit_down_closes, "daily_rows": self.rows_daily,
            "minute_days": len(self.minute_days), "minute_rows": self.rows_minute,
        }

    def _instruments(self) -> pd.DataFrame:
        cal, nd = self.cal, self.n_days
        src = f"synthetic:{self.seed}"
        rows = []

        def add(code, name, list_date, first, end, open_days):
            typ, board = codes_mod.classify_full(code)
            exch = codes_mod.exchange_of(code)
            rule = irules.current(typ, exch)
            rows.append({
                "code": code, "name": name, "type": typ, "exchange": exch, "board": board,
                "list_date": pd.Timestamp(list_date).date(), "delist_date": pd.Timestamp(cal[end]).date() if end < nd else None,
                "lot": rule.lot, "min_buy": rule.min_buy, "tick": rule.tick, "price_decimals": rule.decimals,
                "t_plus": rule.t_plus, "stamp_tax": rule.stamp, "fee_class": rule.fee_class, "is_valid": end >= nd,
                "has_daily": True, "has_minute": bool(self.minute and open_days > 0),
                "daily_start": pd.Timestamp(cal[first]).date(), "daily_end": pd.Timestamp(cal[end - 1]).date(),
                "synthetic": True, "source": src,
            })

        for i, code in enumerate(self.codes):
            add(code, f"SYN{code[:6]}", self.list_date[i], int(self.first_idx[i]), int(self.delist_idx[i]),
                int(self.open_days[i]))
        for code, name, _, listed in INDICES:
            add(code, name, np.datetime64(listed), 0, nd, nd)
        for code in self.etf_codes:
            add(code, f"SYN{code[:6]}", cal[0] - np.timedelta64(2000, "D"), 0, nd, nd)
        for j, code in enumerate(self.cb_codes):
            if self.cb_first[j] >= min(nd, self.cb_delist[j]):
                continue                         # its listing was pushed past the data's end
            add(code, f"SYN{code[:6]}", self.cb_list_date[j], int(self.cb_first[j]), int(self.cb_delist[j]),
                int(self.cb_open_days[j]))
        return pd.DataFrame(rows).sort_values("code", kind="stable").reset_index(drop=True)


# -- BAR HELPERS ---------------------------------------------------------------------------------------

def _attach_minutes(daily, mins):
    """Give minute bars their whole-CNY money and make the daily money its sum."""
    mins["money"] = _minute_money(mins).astype(float)
    money = np.zeros(len(daily["g"]))
    money[daily["open_mask"]] = mins["money"].sum(axis=1)
    daily["money"] = money
    daily["min"] = mins


def minute_path(o, h, low, c, rng):
    """240 one-minute bars (integer ticks) per row that aggregate exactly to the daily (o, h, low, c).

    A Brownian bridge from the open to the close, clipped to [low, high]; one random bar reaches the
    high and one the low.  Vectorised over rows (securities)."""
    n = len(o)
    o, h, low, c = (np.asarray(x, np.int64) for x in (o, h, low, c))
    scale = np.maximum((h - low) / 16.0, 0.3)
    path = np.cumsum(rng.standard_normal((n, 240)) * scale[:, None], axis=1)
    ramp = np.arange(1, 241) / 240.0
    bridge = o[:, None] + path - ramp[None, :] * (path[:, -1] - (c - o))[:, None]
    close = np.clip(np.rint(bridge).astype(np.int64), low[:, None], h[:, None])
    close[:, -1] = c
    opn = np.empty_like(close)
    opn[:, 0] = o
    opn[:, 1:] = close[:, :-1]
    high = np.maximum(opn, close)
    lo_ = np.minimum(opn, close)
    rows = np.arange(n)
    high[rows, rng.integers(0, 240, n)] = h
    lo_[rows, rng.integers(0, 240, n)] = low
    return opn, high, lo_, close


def split_lots(lots, rng):
    """Split each row's daily lots over 240 bars (at least one lot each, U-shaped, noisy); rows sum exactly."""
    lots = np.asarray(lots, np.int64)
    n = len(lots)
    w = _U_SHAPE[None, :] * np.exp(0.5 * rng.standard_normal((n, 240)))
    w /= w.sum(axis=1, keepdims=True)
    spare = lots - 240
    out = np.floor(w * spare[:, None]).astype(np.int64)
    out[np.arange(n), np.argmax(w, axis=1)] += spare - out.sum(axis=1)
    return out + 1


def _minute_money(p):
    """Whole-CNY money of minute bars: volume × (O+H+L+C)/4, in integers (``div`` = 4 / (lot × tick))."""
    s = p["o"] + p["h"] + p["l"] + p["c"]
    div = p["div"]
    return (p["lots"] * s + div // 2) // div


def _daily_money(lots, o, h, low, c, div):
    return ((lots * (o + h + low + c) + div // 2) // div).astype(float)


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


def _dates_or_null(cal, idx) -> pa.Array:
    return pa.array([None if pd.isna(i) else cal[int(i)].item() for i in idx], pa.date32())


def _prepare_root(root: Path, overwrite: bool) -> None:
    if root.exists() and any(root.iterdir()):
        if not overwrite:
            raise FileExistsError(f"{root} is not empty (pass overwrite=True to replace a data root there)")
        for name in ("meta.json",):
            (root / name).unlink(missing_ok=True)
        for name in ("daily", "minute"):
            if (root / name).is_dir():
                shutil.rmtree(root / name)
        for name in ("calendar", "instruments", "ex_rights", "index_members", "blocks", "st"):
            (root / f"{name}.parquet").unlink(missing_ok=True)
    root.mkdir(parents=True, exist_ok=True)
