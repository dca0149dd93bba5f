"""Every dated row of the fee tables (stamp duty, handling fee, transfer fee, commission classes), both cost
models, each probed the day before it starts, on its first day and inside its range.

Expected rates are written here from the contract: market-rules §5.2 (stamp duty), §5.3 (A-share handling
fee), §5.4 (transfer fee), §5.5 (funds), §5.6 (convertible bonds), §5.9 (Ptrade's backtest defaults) and
the cost-model decision documented in ``rules/fees.py`` / docs.  Days marked U in the contract use the
project's chosen day (a documented decision), so a planted change of that day still fails here.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ptrade_fast._core import SIDE_BUY, SIDE_SELL
from ptrade_fast._core.fees import FeeTable
from ptrade_fast.rules.fees import FeeSettings, stamp_rate_on
from rowcheck import probes

CNY = 10000

# One security per (type, exchange) the fee rules distinguish; fee class and stamp flag per ptrade-api §F /
# market-rules §5.2 (stamp on A and B shares only).
SECURITIES = [
    # type,     exchange, fee_class, stamp
    ("stock", "SSE", "STOCK", True),
    ("stock", "SZSE", "STOCK", True),
    ("star", "SSE", "STOCK", True),
    ("chinext", "SZSE", "STOCK", True),
    ("b_share", "SSE", "STOCK", True),
    ("etf", "SSE", "ETF", False),
    ("etf", "SZSE", "ETF", False),
    ("lof", "SZSE", "LOF", False),
    ("fund", "SSE", "LOF", False),
    ("reit", "SSE", "ETF", False),
    ("cb", "SSE", "STOCK", False),
    ("cb", "SZSE", "STOCK", False),
    ("bond", "SZSE", "STOCK", False),
    ("repo", "SSE", "STOCK", False),
]
SID = {(t, e): i for i, (t, e, _, _) in enumerate(SECURITIES)}


def _inst():
    return {"type": np.array([s[0] for s in SECURITIES], dtype=object),
            "exchange": np.array([s[1] for s in SECURITIES], dtype=object),
            "fee_class": np.array([s[2] for s in SECURITIES], dtype=object),
            "stamp": np.array([s[3] for s in SECURITIES], dtype=bool)}


def _filled(day: dt.date, cost_model: str = "ptrade", **kw) -> FeeTable:
    table = FeeTable(len(SECURITIES))
    FeeSettings(cost_model=cost_model, **kw).fill_table(table, day, _inst())
    return table


# -- stamp duty (market-rules §5.2; charged on sells; A and B shares only) --------------------------------------

STAMP_ROWS = [
    ("1990-01-01", 0.006),
    ("1991-10-10", 0.003),   # month 1991-10 per contract, day U: project decision 10-10
    ("1997-05-12", 0.005),
    ("1998-06-12", 0.004),
    ("2001-11-16", 0.002),
    ("2005-01-24", 0.001),
    ("2007-05-30", 0.003),
    ("2008-04-24", 0.001),
    ("2008-09-19", 0.001),   # same level, seller only from here
    ("2023-08-28", 0.0005),
]


@pytest.mark.parametrize("label, day, rate", list(probes(STAMP_ROWS)), ids=[p[0] for p in probes(STAMP_ROWS)])
@pytest.mark.parametrize("cost_model", ["ptrade", "market"])
def test_stamp_duty_by_date(label, day, rate, cost_model):
    assert stamp_rate_on(day) == rate
    table = _filled(day, cost_model)
    for typ, exch, _, stamp in SECURITIES:
        assert table.stamp_rate[SID[typ, exch]] == (rate if stamp else 0.0), (typ, exch)


def test_stamp_duty_switch_and_latest_default():
    assert stamp_rate_on(None) == 0.0005
    table = _filled(dt.date(2024, 1, 2), stamp_duty=False)
    assert not table.stamp_rate.any()


def test_stamp_duty_on_a_sell_fill_in_three_regimes():
    # 100,000 CNY sold: 2007-06-01 0.3 % -> 300.00; 2008-04-24 0.1 % -> 100.00; 2024-01-02 0.05 % -> 50.00
    sid = SID["stock", "SSE"]
    for day, tax in ((dt.date(2007, 6, 1), 300), (dt.date(2008, 4, 24), 100), (dt.date(2024, 1, 2), 50)):
        table = _filled(day)
        assert table.fees(sid, SIDE_SELL, 100_000 * CNY)[3] == tax * CNY
        assert table.fees(sid, SIDE_BUY, 100_000 * CNY)[3] == 0


# -- cost_model='ptrade' (market-rules §5.9) ------------------------------------------------------------------

COMMISSION = {"STOCK": (0.0003, 5.0), "ETF": (0.0008, 5.0), "LOF": (0.0008, 5.0)}


@pytest.mark.parametrize("day", [dt.date(2005, 1, 4), dt.date(2015, 8, 3), dt.date(2024, 6, 3)])
def test_ptrade_model_commission_handling_and_no_transfer(day):
    table = _filled(day, "ptrade")
    for typ, exch, cls, _ in SECURITIES:
        sid = SID[typ, exch]
        rate, minimum = COMMISSION[cls]
        assert table.commission_rate[sid] == rate, (typ, exch)
        assert table.min_commission[sid] == minimum * CNY, (typ, exch)
        assert table.handling_rate[sid] == 0.0000487, (typ, exch)
        assert table.transfer_rate[sid] == 0.0, (typ, exch)


def test_unknown_fee_class_falls_back_to_stock_commission():
    inst = {"type": np.array(["stock"], object), "exchange": np.array(["SSE"], object),
            "fee_class": np.array(["BOND"], object), "stamp": np.array([False])}
    table = FeeTable(1)
    FeeSettings().fill_table(table, dt.date(2024, 1, 2), inst)
    assert (table.commission_rate[0], table.min_commission[0]) == (0.0003, 5 * CNY)


def test_ptrade_worked_example_buy_and_sell_fills():
    # 2024 SSE stock, ptrade model: buy 10,000 CNY -> commission 3.00 -> 5.00 minimum, handling 0.487 -> 0.49;
    # sell 11,000 -> commission 3.30 -> 5.00, handling 0.5357 -> 0.54, stamp 0.05 % = 5.50.
    table = _filled(dt.date(2024, 3, 1))
    sid = SID["stock", "SSE"]
    assert table.fees(sid, SIDE_BUY, 10_000 * CNY) == (50000, 4900, 0, 0)
    assert table.fees(sid, SIDE_SELL, 11_000 * CNY) == (50000, 5400, 0, 55000)


# -- cost_model='market' (market-rules §5.3 – §5.6) -----------------------------------------------------------

# (first day, SSE, SZSE)
HANDLING_STOCK = [("1990-01-01", (0.00011, 0.000122)), ("2012-06-01", (0.000087, 0.000087)),
                  ("2012-09-01", (0.0000696, 0.0000696)), ("2015-08-01", (0.0000487, 0.0000487)),
                  ("2023-08-28", (0.0000341, 0.0000341))]
HANDLING_FUND = [("1990-01-01", (0.000045, 0.0000487)), ("2021-07-19", (0.00004, 0.00004))]
HANDLING_BOND = [("1990-01-01", (0.000001, 0.000001)), ("2022-08-01", (0.00004, 0.00004))]
# The pre-2015-08-01 SSE transfer fee is charged on par value, not modelled (0 of value): documented.
TRANSFER_STOCK = [("1990-01-01", (0.0, 0.0000255)), ("2015-08-01", (0.00002, 0.00002)),
                  ("2022-04-29", (0.00001, 0.00001))]

KIND_TYPES = {"stock": ("stock", "star", "chinext", "b_share"), "fund": ("etf", "lof", "fund", "reit"),
              "bond": ("cb", "bond", "repo")}


def _case_ids(rows):
    return [p[0] for p in probes(rows)]


@pytest.mark.parametrize("kind, rows", [("stock", HANDLING_STOCK), ("fund", HANDLING_FUND), ("bond", HANDLING_BOND)])
def test_market_model_handling_fee_by_exchange_and_date(kind, rows):
    for label, day, (sh, sz) in probes(rows):
        table = _filled(day, "market")
        for typ, exch, _, _ in SECURITIES:
            if typ in KIND_TYPES[kind]:
                want = sz if exch == "SZSE" else sh
                assert table.handling_rate[SID[typ, exch]] == want, (label, typ, exch)


def test_market_model_transfer_fee_on_shares_only():
    for label, day, (sh, sz) in probes(TRANSFER_STOCK):
        table = _filled(day, "market")
        for typ, exch, _, _ in SECURITIES:
            want = (sz if exch == "SZSE" else sh) if typ in KIND_TYPES["stock"] else 0.0
            assert table.transfer_rate[SID[typ, exch]] == want, (label, typ, exch)


@pytest.mark.parametrize("day", [dt.date(2010, 1, 4), dt.date(2024, 6, 3)])
def test_market_model_keeps_the_commission_classes(day):
    table = _filled(day, "market")
    for typ, exch, cls, _ in SECURITIES:
        assert table.commission_rate[SID[typ, exch]] == COMMISSION[cls][0]
        assert table.min_commission[SID[typ, exch]] == 5 * CNY


def test_market_worked_example_sse_stock_2024():
    # market-rules §5.10 with the 0.03 % default commission: buy 10,000 -> commission 5.00 (minimum),
    # handling 0.00341 % = 0.341 -> 0.34, transfer 0.001 % = 0.10; sell 11,000 -> 5.00, 0.3751 -> 0.38, 0.11,
    # stamp 5.50.
    table = _filled(dt.date(2024, 3, 1), "market")
    sid = SID["stock", "SSE"]
    assert table.fees(sid, SIDE_BUY, 10_000 * CNY) == (50000, 3400, 1000, 0)
    assert table.fees(sid, SIDE_SELL, 11_000 * CNY) == (50000, 3800, 1100, 55000)


def test_market_szse_stock_2010_pays_handling_and_transfer():
    # 2010-03-01 SZSE stock, 1,000,000 CNY buy: handling 0.0122 % = 122.00, transfer 0.00255 % = 25.50,
    # commission 300.00; the SSE twin pays 110.00 handling and no modelled transfer fee.
    table = _filled(dt.date(2010, 3, 1), "market")
    assert table.fees(SID["stock", "SZSE"], SIDE_BUY, 1_000_000 * CNY) == (3_000_000, 1_220_000, 255_000, 0)
    assert table.fees(SID["stock", "SSE"], SIDE_BUY, 1_000_000 * CNY) == (3_000_000, 1_100_000, 0, 0)


def test_change_days_cover_every_dated_row():
    days = FeeSettings().change_days()
    expected = {dt.date.fromisoformat(d) for rows in (STAMP_ROWS, HANDLING_STOCK, HANDLING_FUND, HANDLING_BOND,
                                                      TRANSFER_STOCK) for d, _ in rows}
    assert days == sorted(expected)


def test_unknown_cost_model_is_an_error_naming_it():
    with pytest.raises(ValueError, match="cost_model must be 'ptrade' or 'market', was 'broker'"):
        FeeSettings(cost_model="broker")


def test_per_trade_sell_extra_replaces_the_dated_stamp_duty():
    s = FeeSettings()
    s.per_trade_sell_extra = 0.001
    assert s.stamp_rate_on(dt.date(2024, 1, 2)) == 0.001
    assert FeeSettings(stamp_duty=False).stamp_rate_on(dt.date(2024, 1, 2)) == 0.0
    assert FeeSettings().stamp_rate_on(dt.date(2007, 6, 1)) == 0.003


def test_days_before_the_first_row_use_the_first_row():
    # The tables start "since always" (1990-01-01); an earlier day falls back to that first row.
    assert stamp_rate_on(dt.date(1989, 12, 29)) == 0.006
    table = _filled(dt.date(1989, 12, 29), "market")
    assert table.handling_rate[SID["stock", "SZSE"]] == 0.000122
