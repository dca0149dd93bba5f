"""Treasury reverse repo (国债逆回购): products, commission by tenor, the day count and the interest
(docs/market-rules.md §3, §5.7, §11).

Everything money-like is in cents (integers) so a hand computation matches to the cent:

* ``tenor_of(code)`` — the nominal tenor in days of a GC (SSE 204xxx) or R- (SZSE 1318xx) code;
* ``commission_cents(principal_cents, tenor)`` — the one-off commission on the principal by nominal tenor (§5.7),
  rounded half up to the cent;
* ``repo_dates(trade_date, tenor, calendar)`` — the first settlement day F, the maturity (clearing) day M and the
  maturity settlement day S (§11.3: F = the trading day after T, M = the first trading day on or after T + n
  calendar days, S = the trading day after M; days = S − F).  The construction is marked **U** in the rules
  document; ptrade_fast adopts it;
* ``interest_cents(principal_cents, rate_pct, days, tenor, trade_date)`` — principal × rate × days / 365 from
  2017-05-22, principal × rate × nominal tenor / 360 before, rounded half up to the cent.
"""
from __future__ import annotations

import datetime as _dt

import numpy as np

# Nominal tenor in days by code (docs/market-rules.md §11.1; SSE codes other than 204001 are U).
SSE_TENORS = {"204001": 1, "204002": 2, "204003": 3, "204004": 4, "204007": 7, "204014": 14, "204028": 28,
              "204091": 91, "204182": 182}
SZSE_TENORS = {"131810": 1, "131811": 2, "131800": 3, "131809": 4, "131801": 7, "131802": 14, "131803": 28,
               "131805": 91, "131806": 182}
NAMES = {**{c: f"GC{t:03d}" for c, t in SSE_TENORS.items()}, **{c: f"R-{t:03d}" for c, t in SZSE_TENORS.items()}}

# Commission in ten-thousandths of a percent (1e-6 of the principal) by nominal tenor (§5.7).
_COMMISSION_PPM = ((1, 10), (2, 20), (3, 30), (4, 40), (7, 50), (14, 100), (28, 200), (182, 300))

# The day count and the /365 basis apply from this day (§11.3); before it: nominal tenor / 360.
ACTUAL_DAYS_FROM = _dt.date(2017, 5, 22)
FACE = 100          # CNY per 张


def repo_codes() -> list[str]:
    """Every GC/R- code with its suffix, SSE first, by tenor."""
    return [f"{c}.SS" for c in SSE_TENORS] + [f"{c}.SZ" for c in SZSE_TENORS]


def tenor_of(code: str) -> int:
    """Nominal tenor (days) of a repo code such as ``'131810.SZ'`` or ``'204001.SS'``."""
    six, _, suffix = str(code).partition(".")
    table = SSE_TENORS if suffix in ("SS", "XSHG") else SZSE_TENORS if suffix in ("SZ", "XSHE") else {}
    if six not in table:
        raise ValueError(f"{code} is not a treasury reverse repo code (docs/market-rules.md §11.1 lists "
                         f"204001…204182.SS and 131800…131810.SZ)")
    return table[six]


def commission_cents(principal_cents: int, tenor: int) -> int:
    """One-off commission (cents) on ``principal_cents`` for a repo of nominal ``tenor`` days (§5.7)."""
    ppm = next(p for days, p in _COMMISSION_PPM if tenor <= days)
    return (int(principal_cents) * ppm + 500_000) // 1_000_000


def repo_dates(trade_date, tenor: int, calendar) -> tuple[_dt.date, _dt.date, _dt.date]:
    """(F, M, S) of a repo traded on ``trade_date`` (§11.3); ``calendar`` = the sorted trading days.

    Past the calendar's last day (a data root ends before the maturity) the following days are taken to be the
    weekdays: an assumption only for dates no run of that root reaches.
    """
    cal = np.asarray(calendar).astype("datetime64[D]")
    t = np.datetime64(trade_date, "D")
    end = t + np.timedelta64(int(tenor) + 30, "D")
    if cal[-1] < end:
        extra = np.arange(cal[-1] + np.timedelta64(1, "D"), end + np.timedelta64(1, "D"), dtype="datetime64[D]")
        cal = np.concatenate([cal, extra[np.is_busday(extra)]])
    i = int(np.searchsorted(cal, t, side="right"))           # the trading day after T
    m = int(np.searchsorted(cal, t + np.timedelta64(int(tenor), "D"), side="left"))
    return cal[i].astype(object), cal[m].astype(object), cal[m + 1].astype(object)


def interest_days(trade_date, tenor: int, calendar) -> int:
    """Days that earn interest: S − F from 2017-05-22, the nominal tenor before (§11.3)."""
    f, _, s = repo_dates(trade_date, tenor, calendar)
    if _as_date(trade_date) < ACTUAL_DAYS_FROM:
        return int(tenor)
    return (s - f).days


def interest_cents(principal_cents: int, rate_pct: float, days: int, trade_date) -> int:
    """Interest (cents): principal × rate% × days / 365 (from 2017-05-22) or / 360 (before), half up.

    ``rate_pct`` is the annual rate in percent as quoted (1.850 = 1.85 %); it is taken on its tick grid (three
    decimals), so the computation is exact in integers.
    """
    basis = 365 if _as_date(trade_date) >= ACTUAL_DAYS_FROM else 360
    rate_milli = int(round(float(rate_pct) * 1000))         # thousandths of a percent
    denom = 100 * 1000 * basis
    return (int(principal_cents) * rate_milli * int(days) * 2 + denom) // (2 * denom)


def _as_date(d) -> _dt.date:
    if isinstance(d, _dt.datetime):
        return d.date()
    if isinstance(d, _dt.date):
        return d
    return _dt.date.fromisoformat(str(d)[:10])
