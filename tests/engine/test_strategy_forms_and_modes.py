"""Issue 10 items 4, 5, 8: the platform's imports, bar-synthesised snapshots, and re-entrant runs of module and
object strategies."""
from __future__ import annotations

import importlib.util
import sys
import textwrap
import types

import numpy as np
import pytest

import ptrade_fast
from ptrade_fast import cli
from ptrade_fast.engine.intervals import interval_minutes
from ptrade_fast.engine.loader import PLATFORM_LIBRARIES, import_refusal
from ptrade_fast.errors import LiveOnlyError, StrategyLoadError, StrategyRuntimeError

RANGE = dict(start="2024-06-03", end="2024-06-14")   # 9 trading days (06-10 is a holiday)

MODULE_SOURCE = """
counter = 0
history = []

def initialize(context):
    g.security = '600570.SS'
    set_universe([g.security])

def handle_data(context, data):
    global counter
    counter += 1
    history.append(counter)
    if counter % 3 == 1:
        order(g.security, 100)
    elif counter % 3 == 0:
        order_target(g.security, 0)
"""


def make_module(name="user_strategy"):
    mod = types.ModuleType(name)
    exec(compile(textwrap.dedent(MODULE_SOURCE), f"<{name}>", "exec"), vars(mod))
    return mod


# -- item 8: re-entrant runs -----------------------------------------------------------------------------

def test_a_module_runs_twice_identically_and_is_left_unchanged():
    mod = make_module()
    before = dict(vars(mod))
    first = ptrade_fast.run(mod, **RANGE)
    second = ptrade_fast.run(mod, **RANGE)
    assert len(first.orders) == len(second.orders) == 6
    assert first.orders.drop(columns="id").equals(second.orders.drop(columns="id"))
    assert first.portfolio.equals(second.portfolio)
    assert dict(vars(mod)) == before                   # same names, same objects
    assert mod.counter == 0 and mod.history == []      # module-level data is copied per run
    assert "order" not in vars(mod) and "g" not in vars(mod)


class ClassStrategy:
    """A strategy written as a class: callbacks are methods and call a helper through self."""

    def __init__(self, security):
        self.security = security
        self.bars = 0

    def initialize(self, context):
        set_universe([self.security])  # noqa: F821 - injected by the engine

    def handle_data(self, context, data):
        self.bars += 1
        self.trade(data)

    def trade(self, data):
        if self.bars == 1:
            order_value(self.security, 50_000)  # noqa: F821


def test_a_class_instance_is_a_strategy_and_is_not_modified():
    obj = ClassStrategy("600570.SS")
    result = ptrade_fast.run(obj, **RANGE)
    again = ptrade_fast.run(obj, **RANGE)
    assert len(result.orders) == len(again.orders) == 1 and result.orders["code"].iloc[0] == "600570.SS"
    assert obj.bars == 0 and type(obj) is ClassStrategy
    assert "order_value" not in vars(sys.modules[__name__])


def test_any_object_with_the_callbacks_is_accepted():
    calls = []
    ns = types.SimpleNamespace(initialize=lambda context: calls.append("init"),
                               handle_data=lambda context, data: calls.append("bar"))
    ptrade_fast.run(ns, **RANGE)
    assert calls == ["init"] + ["bar"] * 9


def test_an_object_without_handle_data_is_refused():
    with pytest.raises(TypeError, match="initialize and handle_data"):
        ptrade_fast.run(object(), **RANGE)


# -- item 4: imports -------------------------------------------------------------------------------------

def run_source(src, **options):
    return ptrade_fast.run(textwrap.dedent(src), **RANGE, **options)


def test_the_platform_libraries_and_the_standard_library_import():
    res = run_source("""
        import json, math, collections, datetime, pickle, statistics
        import numpy as np, pandas as pd, talib
        import statsmodels.api as sm
        from sklearn.linear_model import LinearRegression
        def initialize(context):
            g.ok = sm.OLS is not None and LinearRegression is not None
        def handle_data(context, data):
            pass
    """)
    assert len(res.portfolio) == 9


@pytest.mark.parametrize("module, why", [("os", "blocks file, process and network access (os)"),
                                         ("urllib.request", "blocks file, process and network access (urllib)"),
                                         ("importlib", "blocks file, process and network access (importlib)"),
                                         ("posix", "blocks file, process and network access (posix)"),
                                         ("requests_oauthlib", "does not bundle the library 'requests_oauthlib'"),
                                         ("polars", "does not bundle the library 'polars'")])
def test_a_refused_import_says_why_and_how_to_lift_it(module, why):
    with pytest.raises(StrategyLoadError) as info:
        run_source(f"import {module}\ndef initialize(context):\n    pass\ndef handle_data(context, data):\n    pass\n")
    text = str(info.value)
    assert why in text and "--no-sandbox" in text and "sandbox=False" in text


def test_sandbox_false_lifts_the_guard():
    res = run_source("import os\ndef initialize(context):\n    g.sep = os.sep\ndef handle_data(context, data):\n"
                     "    pass\n", sandbox=False)
    assert len(res.portfolio) == 9


def test_a_platform_library_that_is_not_installed_names_the_extra():
    missing = [m for m in ("hmmlearn", "cvxopt", "arch", "xgboost") if importlib.util.find_spec(m) is None]
    if not missing:
        pytest.skip("every probed platform library is installed here")
    with pytest.raises(StrategyLoadError, match=r'the platform bundles .* pip install "ptrade_fast\[platform\]"'):
        run_source(f"import {missing[0]}\ndef initialize(context):\n    pass\ndef handle_data(context, data):\n"
                   f"    pass\n")


def test_the_allow_list_is_the_platform_list_plus_the_standard_library():
    for lib in ("numpy", "pandas", "scipy", "sklearn", "statsmodels", "talib", "arch", "xgboost", "matplotlib"):
        assert lib in PLATFORM_LIBRARIES and import_refusal(lib) is None
    for std in ("json", "math", "collections", "datetime", "pickle", "re", "itertools", "functools", "copy"):
        assert import_refusal(std) is None
    assert import_refusal("subprocess") and import_refusal("socket") and import_refusal("torch")


def test_cli_no_sandbox_flag(tmp_path, capsys):
    path = tmp_path / "uses_os.py"
    path.write_text("import os\ndef initialize(context):\n    pass\ndef handle_data(context, data):\n    pass\n")
    args = ["run", str(path), "--start", "2024-06-03", "--end", "2024-06-04", "--no-progress"]
    assert cli.main(args) == 1
    assert "--no-sandbox" in capsys.readouterr().err
    assert cli.main(args + ["--no-sandbox"]) == 0


# -- item 5: bar-synthesised snapshots ------------------------------------------------------------------

SNAPSHOT_STRATEGY = """
def initialize(context):
    g.code = '600570.SS'
    set_universe([g.code])
    g.ticks = []
    g.snaps = []
    run_interval(context, scan, seconds=300)

def scan(context):
    g.ticks.append(context.blotter.current_dt.strftime('%H:%M'))

def handle_data(context, data):
    snap = get_snapshot(g.code)[g.code]
    gear = get_gear_price(g.code)
    g.snaps.append((context.blotter.current_dt.strftime('%H:%M'), snap['last_px'], data[g.code].close,
                    snap['business_amount'], snap['high_px'], snap['open_px'], snap['trade_mins'],
                    snap['up_px'], gear['bid_grp'][1][0], gear['offer_grp'][1][0], snap['trade_status']))
    if len(g.snaps) == 1:
        order(g.code, 100)
"""


@pytest.fixture(scope="module")
def minute_run():
    bt = ptrade_fast.Backtest(SNAPSHOT_STRATEGY, start="2019-01-31", end="2019-01-31", frequency="1m",
                              options={"snapshot": "bars"})
    return bt, bt.run()


def test_run_interval_fires_on_minute_bars_at_its_period(minute_run):
    bt, _ = minute_run
    ticks = bt.ns["g"].ticks
    assert len(ticks) == 48 and ticks[:3] == ["09:35", "09:40", "09:45"] and ticks[-1] == "15:00"
    assert "11:30" in ticks and "13:05" in ticks


def test_snapshot_answers_from_the_current_bar(minute_run):
    bt, result = minute_run
    snaps = bt.ns["g"].snaps
    assert len(snaps) == 240
    md = bt.store.minute_day(np.datetime64("2019-01-31"))
    sid = bt.store.sid("600570.SS")
    for b in (0, 119, 239):
        t, last, close, volume, high, open_, mins, up, bid1, offer1, status = snaps[b]
        assert last == close == pytest.approx(md.close[b, sid])
        assert volume == int(np.nansum(md.volume[: b + 1, sid]))
        assert high == pytest.approx(np.nanmax(md.high[: b + 1, sid]))
        assert open_ == pytest.approx(md.open[0, sid]) and mins == b + 1 and status == "TRADE"
        assert bid1 == pytest.approx(last) and offer1 == pytest.approx(last + 0.01)
    assert result.params["options"]["snapshot"] == "bars"
    assert len(result.trades) == 1


def test_snapshots_are_off_by_default():
    with pytest.raises(StrategyRuntimeError, match="get_snapshot is only available in live trading"):
        ptrade_fast.run(SNAPSHOT_STRATEGY, start="2019-01-31", end="2019-01-31", frequency="1m")


def test_a_daily_run_fires_run_interval_once_a_day():
    bt = ptrade_fast.Backtest(SNAPSHOT_STRATEGY, **RANGE, options={"snapshot": "bars"})
    bt.run()
    assert len(bt.ns["g"].ticks) == 9 and bt.ns["g"].snaps[0][6] == 240


def test_bad_snapshot_option_and_periods_are_errors():
    with pytest.raises(ValueError, match="option snapshot must be one of None, 'bars', was 'ticks'"):
        ptrade_fast.run(SNAPSHOT_STRATEGY, **RANGE, snapshot="ticks")
    assert [interval_minutes(s) for s in (1, 3, 60, 61, 300, 301)] == [1, 1, 1, 2, 5, 6]
    with pytest.raises(ValueError, match="seconds"):
        interval_minutes(0)


def test_cli_snapshot_flag(tmp_path, capsys):
    path = tmp_path / "live_style.py"
    path.write_text(SNAPSHOT_STRATEGY)
    assert cli.main(["run", str(path), "--start", "2019-01-31", "--end", "2019-01-31", "-f", "1m",
                     "--snapshot", "bars", "--no-progress"]) == 0
    assert "orders     1" in capsys.readouterr().out
