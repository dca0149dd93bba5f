"""Dated fee rules resolved into the per-sid fee arrays the fee kernel reads (_core.fees.FeeTable).

Two cost models (docs/ptrade-api.md §0.1a item 2):

``'ptrade'`` (default) — the platform's documented backtest fees: commission
    ``max(rate × value, min_commission)`` with the rate/minimum of the instrument's
    ``set_commission`` class (STOCK 0.0003, ETF/LOF 0.0008, minimum 5 CNY; convertible bonds and
    other bonds use STOCK, §F) plus the handling fee 0.0000487 × value, plus stamp duty on stock
    sells by date; no transfer fee.
``'market'`` — the full dated market fees of docs/market-rules.md §5: the commission as above, the
    exchange handling fee by exchange, instrument and date (§5.3, §5.5, §5.6), the transfer fee by
    date (§5.4; the pre-2015-08-01 SSE fee charged on par value is not a fraction of traded value
    and is not modelled — docs/market-rules.md marks its level U), and stamp duty by date.

Stamp duty (§5.2) is charged on sells of stocks (A and B shares).  Before 2008-09-19 it was also
charged on buys; the kernel charges it on sells only, so in those years the buy side is
under-charged by the stamp rate (documented degradation; ptrade's own backtest data starts 2005).
``stamp_duty=False`` switches it off.  A seed-style ``PerTrade(buy_cost, sell_cost, ...)``
commission charges ``buy_cost`` both ways and ``sell_cost − buy_cost`` on sells in place of the
dated stamp duty ("0.13% incl. stamp tax", the seed's convention).
"""
from __future__ import annotations

import datetime as _dt

import numpy as np

# (first day in force, rate), ascending.  docs/market-rules.md §5.2.
STAMP_DUTY_SELL = [
    (_dt.date(1990, 1, 1), 0.006),
    (_dt.date(1991, 10, 10), 0.003),
    (_dt.date(1997, 5, 12), 0.005),
    (_dt.date(1998, 6, 12), 0.004),
    (_dt.date(2001, 11, 16), 0.002),
    (_dt.date(2005, 1, 24), 0.001),
    (_dt.date(2007, 5, 30), 0.003),
    (_dt.date(2008, 4, 24), 0.001),
    (_dt.date(2008, 9, 19), 0.001),
    (_dt.date(2023, 8, 28), 0.0005),
]

PTRADE_HANDLING_RATE = 0.0000487

# Exchange handling fee for A shares, docs/market-rules.md §5.3: (from, SSE, SZSE).
HANDLING_STOCK = [
    (_dt.date(1990, 1, 1), 0.00011, 0.000122),
    (_dt.date(2012, 6, 1), 0.000087, 0.000087),
    (_dt.date(2012, 9, 1), 0.0000696, 0.0000696),
    (_dt.date(2015, 8, 1), 0.0000487, 0.0000487),
    (_dt.date(2023, 8, 28), 0.0000341, 0.0000341),
]
# Funds §5.5: SSE 0.0045 %, SZSE 0.00487 % → 0.004 % on both from 2021-07-19.
HANDLING_FUND = [
    (_dt.date(1990, 1, 1), 0.000045, 0.0000487),
    (_dt.date(2021, 7, 19), 0.00004, 0.00004),
]
# Convertible bonds §5.6: 0.0001 % (cap ignored) → 0.004 % from 2022-08-01 (SZSE U, same values).
HANDLING_BOND = [
    (_dt.date(1990, 1, 1), 0.000001, 0.000001),
    (_dt.date(2022, 8, 1), 0.00004, 0.00004),
]
# Transfer fee as a fraction of value, A shares, §5.4 (before 2015-08-01 see module docstring).
TRANSFER_STOCK = [
    (_dt.date(1990, 1, 1), 0.0, 0.0000255),
    (_dt.date(2015, 8, 1), 0.00002, 0.00002),
    (_dt.date(2022, 4, 29), 0.00001, 0.00001),
]

DEFAULT_COMMISSION = {"STOCK": (0.0003, 5.0), "ETF": (0.0008, 5.0), "LOF": (0.0008, 5.0)}

_STOCK_TYPES = {"stock", "star", "chinext", "b_share"}
_FUND_TYPES = {"etf", "lof", "fund", "reit"}
_BOND_TYPES = {"cb", "bond", "repo"}


def _in_force(table, day: _dt.date):
    row = table[0]
    for r in table:
        if r[0] <= day:
            row = r
        else:
            break
    return row


def stamp_rate_on(day: _dt.date) -> float:
    """Stamp duty on stock sells in force on ``day`` (docs/market-rules.md §5.2)."""
    return _in_force(STAMP_DUTY_SELL, day)[1] if day is not None else STAMP_DUTY_SELL[-1][1]


class FeeSettings:
    """The strategy's fee settings (``set_commission`` per class, PerTrade override) and run options."""

    def __init__(self, cost_model: str = "ptrade", stamp_duty: bool = True):
        if cost_model not in ("ptrade", "market"):
            raise ValueError(f"cost_model must be 'ptrade' or 'market', was {cost_model!r}")
        self.cost_model = cost_model
        self.stamp_duty = bool(stamp_duty)
        self.commission = dict(DEFAULT_COMMISSION)
        self.per_trade_sell_extra: float | None = None  # seed PerTrade: sell_cost − buy_cost

    def stamp_rate_on(self, day) -> float:
        if self.per_trade_sell_extra is not None:
            return self.per_trade_sell_extra
        return stamp_rate_on(day) if self.stamp_duty else 0.0

    def fill_table(self, table, day: _dt.date, inst: dict) -> None:
        """Write the rates in force on ``day`` into ``table`` (a _core FeeTable) for every sid.

        ``inst`` is ``DataStore.instrument_arrays()``: per-sid ``type``, ``fee_class``, ``stamp``,
        ``exchange``.  Runs once per trading day over all sids (vectorised by class).
        """
        fee_class = inst["fee_class"]
        types = inst["type"]
        exch = inst["exchange"]
        rate = np.empty(len(fee_class), dtype=np.float64)
        minimum = np.empty(len(fee_class), dtype=np.float64)
        for cls, (r, m) in self.commission.items():
            sel = fee_class == cls
            rate[sel] = r
            minimum[sel] = m
        other = ~np.isin(fee_class, list(self.commission))
        rate[other], minimum[other] = self.commission["STOCK"]
        table.commission_rate[:] = rate
        table.min_commission[:] = np.round(minimum * 10000).astype(np.int64)

        stamp_flag = inst["stamp"].astype(bool)
        table.stamp_rate[:] = np.where(stamp_flag, self.stamp_rate_on(day), 0.0)

        if self.cost_model == "ptrade":
            table.handling_rate[:] = PTRADE_HANDLING_RATE
            table.transfer_rate[:] = 0.0
            return
        is_sz = exch == "SZSE"
        kind = np.where(np.isin(types, list(_FUND_TYPES)), 1, np.where(np.isin(types, list(_BOND_TYPES)), 2, 0))
        handling = np.zeros(len(types))
        for k, tbl in ((0, HANDLING_STOCK), (1, HANDLING_FUND), (2, HANDLING_BOND)):
            _, sh, sz = _in_force(tbl, day)
            sel = kind == k
            handling[sel] = np.where(is_sz[sel], sz, sh)
        table.handling_rate[:] = handling
        _, tsh, tsz = _in_force(TRANSFER_STOCK, day)
        is_stock = np.isin(types, list(_STOCK_TYPES))
        table.transfer_rate[:] = np.where(is_stock, np.where(is_sz, tsz, tsh), 0.0)

    def change_days(self) -> list[_dt.date]:
        """Days on which some dated rate changes (the table must be refilled on these days)."""
        days = {r[0] for t in (STAMP_DUTY_SELL, HANDLING_STOCK, HANDLING_FUND, HANDLING_BOND, TRANSFER_STOCK)
                for r in t}
        return sorted(days)
