"""get_MACD / get_KDJ / get_RSI / get_CCI (§D.18) against values worked out by hand, step by step.

Every expected number below is written out as the terminal recursion or window formula, in exact
fractions, so a reader can follow it with pencil and paper.
"""
import datetime as dt
from fractions import Fraction as F

import numpy as np
import pytest

from ptrade_fast.api import indicators
from ptrade_fast.api.indicators import IndicatorAPI
from ptrade_fast.api.market import MarketAPI
from ptrade_fast.data.store import DataStore
from ptrade_fast.model.phases import PhaseError
from ptrade_fast.engine.runtime import Runtime

C = [10, 11, 12, 11, 13]
H = [11, 12, 13, 12, 14]
L = [9, 10, 11, 10, 11]


@pytest.fixture(scope="module")
def store():
    return DataStore.open()


def make_api(store, phase="handle", day=dt.date(2024, 11, 5), **options):
    rt = Runtime(store, "1d", options)
    rt.phase, rt.trade_date, rt.bar_index = phase, day, 0
    return IndicatorAPI(rt, MarketAPI(rt))


@pytest.fixture
def api(store):
    return make_api(store)


def close_to(actual, expected):
    expected = np.array([np.nan if e is None else float(e) for e in expected])
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-12, equal_nan=True)


# -- MACD --

def test_macd_by_hand(api):
    # EMA(C, 2): α = 2/3, seeded with the first close.
    e2 = [F(10)]
    e2.append(F(2, 3) * 11 + F(1, 3) * e2[-1])   # 32/3
    e2.append(F(2, 3) * 12 + F(1, 3) * e2[-1])   # 104/9
    e2.append(F(2, 3) * 11 + F(1, 3) * e2[-1])   # 302/27
    e2.append(F(2, 3) * 13 + F(1, 3) * e2[-1])   # 1004/81
    assert e2[1] == F(32, 3) and e2[2] == F(104, 9)
    # EMA(C, 3): α = 1/2.
    e3 = [F(10)]
    for x in C[1:]:
        e3.append(F(1, 2) * x + F(1, 2) * e3[-1])  # 10.5, 11.25, 11.125, 12.0625
    assert e3[-1] == F(193, 16)
    dif = [a - b for a, b in zip(e2, e3)]
    # DEA = EMA(DIF, 2), seeded with the first DIF (0).
    dea = [dif[0]]
    for x in dif[1:]:
        dea.append(F(2, 3) * x + F(1, 3) * dea[-1])
    bar = [2 * (a - b) for a, b in zip(dif, dea)]

    got = api.get_MACD(np.array(C, float), short=2, long=3, m=2)
    assert isinstance(got, tuple) and all(len(x) == 5 for x in got)
    close_to(got[0], dif)
    close_to(got[1], dea)
    close_to(got[2], bar)


def test_macd_defaults_are_12_26_9(api):
    c = np.linspace(10, 20, 40)
    a = api.get_MACD(c)
    b = api.get_MACD(c, 12, 26, 9)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


# -- KDJ --

def test_kdj_by_hand(api):
    # n = 3: HHV/LLV over the bars so far for the first two bars, then the last three.
    hh = [11, 12, 13, 13, 14]
    ll = [9, 9, 9, 10, 10]
    rsv = [F(c - l, h - l) * 100 for c, h, l in zip(C, hh, ll)]
    assert rsv == [50, F(200, 3), 75, F(100, 3), 75]
    k = [rsv[0]]                          # K = SMA(RSV, 3, 1): (RSV + 2K') / 3
    for x in rsv[1:]:
        k.append((x + 2 * k[-1]) / 3)
    d = [k[0]]                            # D = SMA(K, 3, 1)
    for x in k[1:]:
        d.append((x + 2 * d[-1]) / 3)
    j = [3 * a - 2 * b for a, b in zip(k, d)]
    assert k[1] == F(500, 9)

    got = api.get_KDJ(np.array(H, float), np.array(L, float), np.array(C, float), n=3, m1=3, m2=3)
    close_to(got[0], k)
    close_to(got[1], d)
    close_to(got[2], j)


def test_kdj_flat_window_counts_as_mid_range(api):
    k, d, j = api.get_KDJ(np.full(4, 5.0), np.full(4, 5.0), np.full(4, 5.0), n=3)
    close_to(k, [50] * 4)


# -- RSI --

def test_rsi_by_hand(api):
    # n = 3: up and |change| from the second bar on, each SMA(., 3, 1) seeded with its first value.
    diff = [1, 1, -1, 2]
    up = [F(1)]
    tot = [F(1)]
    for x in diff[1:]:
        up.append((max(x, 0) + 2 * up[-1]) / 3)
        tot.append((abs(x) + 2 * tot[-1]) / 3)
    assert up == [1, 1, F(2, 3), F(10, 9)] and tot == [1, 1, 1, F(4, 3)]
    expected = [None] + [u / t * 100 for u, t in zip(up, tot)]   # 100, 100, 66.67, 83.33

    got = api.get_RSI(np.array(C, float), n=3)
    assert len(got) == 5
    close_to(got, expected)


# -- CCI --

def test_cci_by_hand(api):
    tp = [F(h + l + c, 3) for h, l, c in zip(H, L, C)]        # 10, 11, 12, 11, 38/3
    assert tp == [10, 11, 12, 11, F(38, 3)]
    expected = [None, None]
    for i in range(2, 5):
        w = tp[i - 2: i + 1]
        ma = sum(w) / 3
        avedev = sum(abs(x - ma) for x in w) / 3
        expected.append((tp[i] - ma) / (F(15, 1000) * avedev))
    # [10, 11, 12]: (12 − 11) / (0.015 · 2/3) = 100;  [11, 12, 11]: (11 − 34/3) / (0.015 · 4/9) = −50.
    assert expected[2] == 100 and expected[3] == -50

    got = api.get_CCI(np.array(H, float), np.array(L, float), np.array(C, float), n=3)
    close_to(got, expected)


def test_cci_numpy_and_talib_paths_agree():
    rng = np.random.default_rng(7)
    c = 10 + rng.normal(0, 1, 200).cumsum()
    h, l = c + rng.random(200), c - rng.random(200)
    np.testing.assert_allclose(indicators.cci(h, l, c, 14), indicators._cci_numpy(h, l, c, 14), atol=1e-9,
                               equal_nan=True)


def test_hhv_llv_use_the_bars_so_far_in_the_warm_up():
    x = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0])
    close_to(indicators.hhv(x, 3), [3, 3, 4, 4, 5, 9, 9])
    close_to(indicators.llv(x, 3), [3, 1, 1, 1, 1, 1, 2])


def test_talib_is_used_when_installed():
    talib = pytest.importorskip("talib")
    assert indicators._talib is talib


# -- seed form --

def test_seed_form_returns_latest_values_of_the_daily_bars(api):
    got = api.get_MACD("600570.SS", N1=12, N2=26, M=9)
    assert set(got) == {"DIF", "DEA", "MACD"}
    df = api.market.get_history.__wrapped__(api.market, 250, "1d", ["high", "low", "close"], "600570.SS",
                                            None, True).dropna()
    dif, dea, bar = indicators.macd(df["close"].to_numpy(), 12, 26, 9)
    assert got == {"DIF": dif[-1], "DEA": dea[-1], "MACD": bar[-1]}
    h, l, c = (df[f].to_numpy() for f in ("high", "low", "close"))
    assert api.get_KDJ("600570.SS", N=9, M1=3, M2=3)["K"] == indicators.kdj(h, l, c, 9, 3, 3)[0][-1]
    assert api.get_RSI("600570.SS", N=14)["RSI"] == indicators.rsi(c, 14)[-1]
    assert api.get_CCI("600570.SS", N=14)["CCI"] == pytest.approx(indicators.cci(h, l, c, 14)[-1])


def test_not_allowed_in_initialize(store):
    with pytest.raises(PhaseError, match="get_RSI cannot be called in initialize"):
        make_api(store, phase="init", strict_phases=True).get_RSI(np.arange(5.0))
