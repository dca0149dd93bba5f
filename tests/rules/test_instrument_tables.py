"""Lots, ticks, T+n, stamp flag and commission class per instrument type, exchange and date (market-rules §3,
§4, §6; ptrade-api §F/§G), each dated row probed around its first day; values written from the contract."""
from __future__ import annotations

import pytest

from ptrade_fast.rules import instruments
from rowcheck import probes

# (type, exchange): dated rows [(first day, (lot, min_buy, tick, decimals, t_plus, stamp, fee_class))]
TABLE = {
    ("stock", "SSE"): [("1990-01-01", (100, 100, 0.01, 2, 1, True, "STOCK"))],
    ("stock", "SZSE"): [("1990-01-01", (100, 100, 0.01, 2, 1, True, "STOCK"))],
    ("chinext", "SZSE"): [("2009-10-30", (100, 100, 0.01, 2, 1, True, "STOCK"))],
    ("star", "SSE"): [("2019-07-22", (1, 200, 0.01, 2, 1, True, "STOCK"))],
    ("b_share", "SSE"): [("1992-02-21", (100, 100, 0.001, 3, 1, True, "STOCK"))],
    ("b_share", "SZSE"): [("1991-01-01", (100, 100, 0.01, 2, 1, True, "STOCK"))],
    ("etf", "SSE"): [("1990-01-01", (100, 100, 0.001, 3, 1, False, "ETF"))],
    ("etf", "SZSE"): [("1990-01-01", (100, 100, 0.001, 3, 1, False, "ETF"))],
    ("lof", "SZSE"): [("1990-01-01", (100, 100, 0.001, 3, 1, False, "LOF"))],
    ("fund", "SSE"): [("1990-01-01", (100, 100, 0.001, 3, 1, False, "LOF"))],
    ("reit", "SSE"): [("2021-06-21", (100, 100, 0.001, 3, 1, False, "ETF"))],
    ("cb", "SSE"): [("1990-01-01", (10, 10, 0.001, 3, 0, False, "STOCK"))],
    ("cb", "SZSE"): [("1990-01-01", (10, 10, 0.001, 3, 0, False, "STOCK"))],
    ("bond", "SZSE"): [("1990-01-01", (10, 10, 0.001, 3, 0, False, "STOCK"))],
    # Reverse repo: SSE 100,000 CNY (1,000 张) before 2022-05-16, then 10 张; SZSE tick 0.001 -> 0.005.
    ("repo", "SSE"): [("1990-01-01", (1000, 1000, 0.005, 3, 0, False, "STOCK")),
                      ("2022-05-16", (10, 10, 0.005, 3, 0, False, "STOCK"))],
    ("repo", "SZSE"): [("1990-01-01", (10, 10, 0.001, 3, 0, False, "STOCK")),
                       ("2022-05-16", (10, 10, 0.005, 3, 0, False, "STOCK"))],
    ("future", "CFFEX"): [("1990-01-01", (1, 1, 0.2, 1, 0, False, "STOCK"))],
    ("index", "SSE"): [("1990-01-01", (100, 100, 0.001, 3, 1, False, "STOCK"))],
}
CASES = [(typ, exch, label, day, want) for (typ, exch), rows in TABLE.items()
         for label, day, want in probes(rows)]


@pytest.mark.parametrize("typ, exch, label, day, want", CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_instrument_rule_in_force(typ, exch, label, day, want):
    r = instruments.resolve(typ, exch, day.isoformat())
    assert (r.lot, r.min_buy, r.tick, r.decimals, r.t_plus, r.stamp, r.fee_class) == want


@pytest.mark.parametrize("typ, exch", list(TABLE))
def test_current_is_the_latest_row(typ, exch):
    r = instruments.current(typ, exch)
    assert (r.lot, r.min_buy, r.tick, r.decimals, r.t_plus, r.stamp, r.fee_class) == TABLE[typ, exch][-1][1]
    assert instruments.resolve(typ, exch, None) == r


def test_rows_start_on_the_contract_dates():
    starts = {(r.type, r.exchange, r.start) for r in instruments.INSTRUMENT_RULES}
    assert {("chinext", None, "2009-10-30"), ("star", None, "2019-07-22"), ("reit", None, "2021-06-21"),
            ("repo", "SSE", "2022-05-16"), ("repo", "SZSE", "2022-05-16"),
            ("b_share", "SSE", "1992-02-21"), ("b_share", "SZSE", "1991-01-01")} <= starts


def test_unknown_type_is_an_error_naming_it():
    with pytest.raises(KeyError, match="no instrument rule for type 'option'"):
        instruments.resolve("option")


def test_datetime_strings_resolve_by_their_day():
    assert instruments.resolve("repo", "SSE", "2022-05-15 15:00:00").lot == 1000
    assert instruments.resolve("repo", "SSE", "2022-05-16 09:30:00").lot == 10
