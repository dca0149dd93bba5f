"""``generate``: the synthetic market's entry point and its day loop (docs/data-format.md, *Synthetic*)."""
from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .calendar import trading_calendar
from .corporate import CorporateMixin
from .indices import IndicesMixin
from .output import OutputMixin
from .profiles import profile as _profile
from .prices import PricesMixin
from .universe import UniverseMixin


def generate(root, stocks=5300, start="2019-01-01", end="2024-12-31", minute=False, seed=0, progress=None,
             etfs=None, cbs=None, overwrite=False, market="plain") -> dict:
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
        Number of funds from the profile's fund table (default all: six plain ETFs, or the fourteen
        common ETFs/LOFs of the realistic market).
    cbs : int, optional
        Number of convertible bonds (default ``stocks // 50``).
    overwrite : bool
        Replace the data root files at ``root``.
    market : {'plain', 'realistic'}
        ``'plain'``: generated codes named ``SYN<code>``, five indices, six ETFs.  ``'realistic'`` (what
        ``ptrade-fast data generate`` makes): the real codes and names of the shipped code list (index
        heavyweights largest), the major SSE/SZSE indices with dated membership, the common ETFs/LOFs,
        bond terms in instruments.parquet, quarterly reports for every stock in fundamentals/, the GC/R- reverse
        repo family (data/synthetic/repo.py) and the IPO calendar ipo.parquet (data/synthetic/ipo.py).

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
    prof = _profile(market)
    n_etf = len(prof.funds) if etfs is None else int(np.clip(etfs, 0, len(prof.funds)))
    n_cb = max(2, stocks // 50) if cbs is None else max(0, int(cbs))
    m = Market(root, cal, stocks, n_etf, n_cb, int(seed), bool(minute), prof)
    issue_ticks = m.pc.copy()       # an IPO's price before its first bar is its issue price
    m.run(progress)
    summary = m.finish()
    if prof.name == "realistic":
        # The realistic market's extras (data/synthetic/repo.py, data/synthetic/ipo.py): the GC/R- repo family
        # and the IPO calendar of the stocks listing inside the range.
        from .ipo import write_market_ipos
        from .repo import add_repo_series
        summary["ipo_calendar"] = write_market_ipos(root, m, issue_ticks)
        summary["repo_codes"] = len(add_repo_series(root, seed=int(seed)))
        _note_extras(root, summary["ipo_calendar"])
    summary["seconds"] = round(time.perf_counter() - t0, 3)
    return summary


# -- THE MARKET ----------------------------------------------------------------------------------------

class Market(UniverseMixin, CorporateMixin, PricesMixin, IndicesMixin, OutputMixin):
    """Per-security state vectors and the day loop.  Stocks are sids 0..n-1 of ``self.codes`` order."""

    def __init__(self, root, cal, n_stocks, n_etf, n_cb, seed, minute, profile):
        self.root, self.cal, self.seed, self.minute, self.profile = root, cal, seed, minute, profile
        self.n_days = len(cal)
        ss = np.random.SeedSequence(seed)
        r_uni, r_day, r_min, r_etc = (np.random.default_rng(s) for s in ss.spawn(4))
        self.r_day, self.r_min, self.r_etc = r_day, r_min, r_etc
        # Funds beyond the profile's shared-stream count draw from their own stream (profiles.Profile).
        self.r_fund = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(102,)))
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
        self.k_rows: list[tuple] = []        # (cb index, day index, conversion price) when it changes
        self.basket_rows: list[dict] = []    # ETF creation/redemption baskets (output.write_baskets)
        self.daily_years: list[int] = []
        self.rows_daily = 0
        self.rows_minute = 0
        self.limit_up_closes = 0
        self.limit_down_closes = 0
        self.suspended_rows = 0
        self._pool = ThreadPoolExecutor(max_workers=1) if minute else None
        self._pending = []

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

def _note_extras(root: Path, n_ipos: int) -> None:
    """meta.json of a realistic root: the repo and IPO notes, without the writer's import log (which records
    when, not what, was written: generated roots stay byte-identical)."""
    import json
    from ..format import write_json_atomic
    meta = json.loads((root / "meta.json").read_text(encoding="utf-8"))
    meta.pop("imports", None)
    from ...rules.repo import repo_codes
    meta["synthetic_instruments"] = sorted(set(meta.get("synthetic_instruments", [])) | set(repo_codes()))
    meta["ipo_calendar"] = {"file": "ipo.parquet", "issues": n_ipos}
    meta["notes"] = meta.get("notes", []) + [
        "Reverse repo GC/R- family (204001…204182.SS, 131800…131810.SZ) is synthetic: rates in percent, "
        "quarter-end spikes (data/synthetic/repo.py).",
        "ipo.parquet: the subscription calendar of the stocks listing inside the range (data/synthetic/ipo.py).",
    ]
    write_json_atomic(meta, root / "meta.json")


def _prepare_root(root: Path, overwrite: bool) -> None:
    if root.exists() and any(root.iterdir()):
        if not overwrite:
            raise FileExistsError(f"{root} is not empty (pass overwrite=True to replace a data root there)")
        for name in ("meta.json",):
            (root / name).unlink(missing_ok=True)
        for name in ("daily", "minute", "fundamentals"):
            if (root / name).is_dir():
                shutil.rmtree(root / name)
        for name in ("calendar", "instruments", "ex_rights", "index_members", "blocks", "st", "cb_conversion_prices",
                     "etf_baskets", "ipo"):
            (root / f"{name}.parquet").unlink(missing_ok=True)
    root.mkdir(parents=True, exist_ok=True)
