"""Futures product specs, dated margins and fees (market-rules §9.1, §9.2, §9.5), every dated row probed the day
before, on its first day and inside its range; expected values written from the contract, never read from
``rules/futures_products.json``."""
from __future__ import annotations

import numpy as np
import pytest

from ptrade_fast.rules import futures
from rowcheck import probes

# CFFEX index-futures fee schedule (fraction of value): (open, close, close-today).  Days marked U in the
# contract use the project's documented day (2010-04-16 level implied by the 2012 cut; 2015-08-03; 2022-07-22).
CFFEX_INDEX_FEES = [
    ("2010-04-16", (0.000035, 0.000035, 0.000035)),
    ("2012-09-01", (0.000025, 0.000025, 0.000025)),
    ("2015-08-03", (0.000025, 0.000025, 0.000115)),
    ("2015-09-07", (0.000025, 0.000025, 0.0023)),
    ("2017-02-17", (0.000025, 0.000025, 0.00092)),
    ("2017-09-18", (0.000025, 0.000025, 0.00069)),
    ("2018-12-03", (0.000025, 0.000025, 0.00046)),
    ("2019-04-22", (0.000025, 0.000025, 0.000345)),
    ("2022-07-22", (0.000023, 0.000023, 0.000345)),
    ("2023-03-20", (0.000023, 0.000023, 0.00023)),
]
# Exchange speculative margin by product (from the settlement of that day).
MARGINS = {
    "IF": [("2010-04-16", 0.15), ("2014-09-01", 0.10), ("2015-09-07", 0.40), ("2017-02-17", 0.20),
           ("2017-09-18", 0.15), ("2018-12-03", 0.10), ("2019-04-22", 0.10)],
    "IH": [("2015-04-16", 0.10), ("2015-09-07", 0.40), ("2017-02-17", 0.20), ("2017-09-18", 0.15),
           ("2018-12-03", 0.10), ("2019-04-22", 0.10)],
    "IC": [("2015-04-16", 0.10), ("2015-09-07", 0.40), ("2017-02-17", 0.30), ("2017-09-18", 0.30),
           ("2018-12-03", 0.15), ("2019-04-22", 0.12)],
    "IM": [("2022-07-22", 0.15)],
    "TS": [("2018-08-17", 0.005)],
    "TF": [("2013-09-06", 0.01)],
    "T": [("2015-03-20", 0.02)],
    "TL": [("2023-04-21", 0.035)],
}
# product: (exchange, suffix, multiplier, tick, listed, limit, last-day limit, months, last-trading-day rule)
CFFEX_SPECS = {
    "IF": ("CFFEX", "CCFX", 300.0, 0.2, "2010-04-16", 0.10, 0.20, "index", "third_friday"),
    "IH": ("CFFEX", "CCFX", 300.0, 0.2, "2015-04-16", 0.10, 0.20, "index", "third_friday"),
    "IC": ("CFFEX", "CCFX", 200.0, 0.2, "2015-04-16", 0.10, 0.20, "index", "third_friday"),
    "IM": ("CFFEX", "CCFX", 200.0, 0.2, "2022-07-22", 0.10, 0.20, "index", "third_friday"),
    "TS": ("CFFEX", "CCFX", 20000.0, 0.002, "2018-08-17", 0.005, 0.005, "quarterly_3", "second_friday"),
    "TF": ("CFFEX", "CCFX", 10000.0, 0.005, "2013-09-06", 0.012, 0.012, "quarterly_3", "second_friday"),
    "T": ("CFFEX", "CCFX", 10000.0, 0.005, "2015-03-20", 0.02, 0.02, "quarterly_3", "second_friday"),
    "TL": ("CFFEX", "CCFX", 10000.0, 0.01, "2023-04-21", 0.035, 0.035, "quarterly_3", "second_friday"),
}

FEE_CASES = [(p, label, day, want) for p in ("IF", "IH", "IC", "IM")
             for label, day, want in probes(CFFEX_INDEX_FEES)]


@pytest.mark.parametrize("product, label, day, want", FEE_CASES, ids=[f"{c[0]}-{c[1]}" for c in FEE_CASES])
def test_cffex_index_fee_rows(product, label, day, want):
    s = futures.spec(product, day.isoformat())
    assert s.commission_type == "by_money"
    assert (s.open_commission, s.close_commission, s.close_today_commission) == want


@pytest.mark.parametrize("product", ["TS", "TF", "T", "TL"])
def test_cgb_fees_are_3_cny_per_lot_close_today_free(product):
    for day in ("2023-06-01", "2025-01-02"):
        s = futures.spec(product, day)
        assert (s.commission_type, s.open_commission, s.close_commission, s.close_today_commission) == \
            ("by_volume", 3.0, 3.0, 0.0)


MARGIN_CASES = [(p, label, day, want) for p, rows in MARGINS.items() for label, day, want in probes(rows)]


@pytest.mark.parametrize("product, label, day, want", MARGIN_CASES, ids=[f"{c[0]}-{c[1]}" for c in MARGIN_CASES])
def test_margin_rows(product, label, day, want):
    assert futures.spec(product, day.isoformat()).margin_rate == want


@pytest.mark.parametrize("product", list(CFFEX_SPECS))
def test_cffex_product_specs(product):
    s = futures.spec(product)
    got = (s.exchange, s.suffix, s.multiplier, s.tick, s.listed, s.limit_ratio, s.last_day_limit_ratio, s.months,
           s.last_trading_day_rule)
    assert got == CFFEX_SPECS[product]
    assert s.exchange_name == "中金所" and s.close_today is False


def test_latest_rows_are_the_default():
    s = futures.spec("IF")
    assert (s.margin_rate, s.open_commission, s.close_today_commission) == (0.10, 0.000023, 0.00023)


# market-rules §9.5: exchange, multiplier (CNY per point per lot) and tick of every listed product.  JD (eggs) is
# 5 t per lot quoted per 500 kg, so one point is 10 CNY per lot.
PRODUCTS_95 = """
SHFE CU 5 10; SHFE AL 5 5; SHFE ZN 5 5; SHFE PB 5 5; SHFE NI 1 10; SHFE SN 1 10; SHFE AU 1000 0.02;
SHFE AG 15 1; SHFE RB 10 1; SHFE HC 10 1; SHFE WR 10 1; SHFE SS 5 5; SHFE FU 10 1; SHFE BU 10 1; SHFE RU 10 5;
SHFE SP 10 2; SHFE AO 20 1; SHFE BR 5 5; INE SC 1000 0.1; INE LU 10 1; INE NR 10 5; INE BC 5 10; INE EC 50 0.1;
DCE A 10 1; DCE B 10 1; DCE M 10 1; DCE Y 10 2; DCE P 10 2; DCE C 10 1; DCE CS 10 1; DCE L 5 1; DCE V 5 1;
DCE JD 10 1; DCE PP 5 1; DCE EG 10 1; DCE EB 5 1; DCE PG 20 1; DCE J 100 0.5; DCE JM 60 0.5; DCE I 100 0.5; DCE LH 16 5;
DCE RR 10 1; CZCE SR 10 1; CZCE CF 5 5; CZCE CY 5 5; CZCE TA 5 2; CZCE MA 10 1; CZCE FG 20 1; CZCE SA 20 1;
CZCE UR 20 1; CZCE RM 10 1; CZCE OI 10 1; CZCE AP 10 1; CZCE CJ 5 5; CZCE SF 5 2; CZCE SM 5 2; CZCE PF 5 2;
CZCE PK 5 2; CZCE SH 30 1; CZCE PX 5 2; CZCE ZC 100 0.2; GFEX SI 5 5; GFEX LC 1 20; GFEX PS 3 5
"""
ROWS_95 = [tuple(r.split()) for r in PRODUCTS_95.replace("\n", " ").split(";") if r.strip()]
SUFFIX = {"CFFEX": "CCFX", "SHFE": "XSGE", "INE": "XINE", "DCE": "XDCE", "CZCE": "XZCE", "GFEX": "XGFE"}
CLOSE_TODAY = {"SHFE", "INE"}


@pytest.mark.parametrize("exch, product, multiplier, tick", ROWS_95, ids=[r[1] for r in ROWS_95])
def test_commodity_product_specs(exch, product, multiplier, tick):
    s = futures.spec(product)
    assert (s.exchange, s.suffix, s.multiplier, s.tick) == (exch, SUFFIX[exch], float(multiplier), float(tick))
    assert s.close_today is (exch in CLOSE_TODAY)
    assert np.isnan(s.limit_ratio)


def test_every_product_in_the_table_is_checked_here():
    assert set(futures.products()) == set(CFFEX_SPECS) | {r[1] for r in ROWS_95}


def test_by_volume_commodity_fee_example_cu():
    # Commodity fees are labelled backtest defaults (market-rules §9.4): they must say so.
    s = futures.spec("CU", "2024-01-02")
    assert "not exchange schedule" in s.fee_source and "not exchange schedule" in s.margin_source


def test_unknown_product_is_an_error_naming_it():
    with pytest.raises(KeyError, match="unknown futures product 'XX'"):
        futures.spec("XX")


def test_commodity_fees_margins_and_ticks_are_the_labelled_backtest_defaults(real_data):
    # market-rules §9.4: commodity fees, margins and ticks are the cross-check backtester's defaults, shipped in
    # the real fixtures (futures_product_specs.parquet); every product of the table must carry exactly those.
    import pandas as pd

    ref = pd.read_parquet(real_data / "futures_product_specs.parquet").set_index("product")
    checked = 0
    for product in futures.products():
        if product in CFFEX_SPECS:
            continue
        s = futures.spec(product, "2024-01-02")
        r = ref.loc[product]
        assert (s.exchange, s.commission_type, s.open_commission, s.close_commission, s.close_today_commission,
                s.margin_rate, s.tick) == (r["exchange"], r["commission_type"], r["open_commission"],
                                           r["close_commission"], r["close_today_commission"], r["margin_rate"],
                                           r["tick_size"]), product
        assert s.fee_source == s.margin_source == "rqalpha default, not exchange schedule"
        checked += 1
    assert checked == len(ROWS_95) == 64
