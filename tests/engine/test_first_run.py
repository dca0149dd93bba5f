"""The first ten minutes: `ptrade-fast run` saves results and the report by default and says where the
prices came from; runs default to the span the data covers; examples ship in the package; messages speak
the caller's language (flags on the command line, arguments in Python); progress goes through tqdm."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ptrade_fast
from ptrade_fast import examples
from ptrade_fast.cli_words import cli_words
from ptrade_fast.data.store import DataStore
from ptrade_fast.data.span import data_span, minute_stretches
from ptrade_fast.progress import ProgressBar, progress_callback

REAL_ONLY = """
def initialize(context):
    g.security = '600000.SS'
    set_universe(g.security)
    set_benchmark('000001.SS')
def handle_data(context, data):
    if get_position(g.security).amount == 0:
        order(g.security, 1000)
"""


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "ptrade_fast.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("first")
    r = _cli("run", "--example", "double_ma", "--start", "2024-06-03", "--end", "2024-07-31", cwd=cwd)
    return cwd, r


def test_run_saves_results_and_report_under_runs_and_prints_the_report_path(first_run):
    cwd, r = first_run
    assert r.returncode == 0, r.stderr
    report_line = [line for line in r.stdout.splitlines() if line.startswith("report ")]
    assert len(report_line) == 1
    report = cwd / report_line[0].split(None, 1)[1]
    assert report.name == "report.html" and report.is_file()
    folder = report.parent
    assert folder.parent == cwd / "runs" and folder.name.startswith("double_ma-")
    stamp = folder.name.removeprefix("double_ma-")
    assert len(stamp) == 15 and stamp[8] == "-" and stamp.replace("-", "").isdigit()
    assert (folder / "portfolio.parquet").is_file() and (folder / "bars.parquet").is_file()


def test_summary_report_and_meta_name_the_data_root_the_span_and_the_synthetic_codes(first_run):
    cwd, r = first_run
    folder = next((cwd / "runs").iterdir())
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    store = DataStore.open(None)
    assert meta["data_root"] == str(store.root) and meta["data_title"] == store.meta["title"]
    assert meta["span"] == ["2024-06-03", "2024-07-31"]
    assert meta["data_span"] == ["2005-01-04", "2025-08-05"]
    assert meta["synthetic_traded"] == ["600570.SS"] and meta["synthetic_benchmark"] == "000300.SS"
    assert meta["synthetic_any"] is True
    assert f"data       {store.root} (ptrade_fast sample bundle)" in r.stdout
    assert "span       2024-06-03 … 2024-07-31 (42 trading days, 1d); data covers 2005-01-04 … 2025-08-05" in r.stdout
    assert ("synthetic  traded/held 600570.SS; benchmark 000300.SS — generated prices, not market data"
            in r.stdout)
    page = (folder / "report.html").read_text(encoding="utf-8")
    header = page.split("<header>", 1)[1].split("</header>", 1)[0]
    assert '<p class="synthetic"><strong>synthetic</strong> traded/held 600570.SS; benchmark 000300.SS' in header
    assert f"<strong>data</strong> {store.root}" in header


def test_a_run_on_real_prices_says_none_is_synthetic():
    r = ptrade_fast.run(REAL_ONLY, start="2024-06-03", end="2024-06-28")
    assert r.meta["synthetic_traded"] == [] and r.meta["synthetic_benchmark"] is None
    assert r.meta["synthetic_any"] is False
    assert ("synthetic", "none: every security traded, held or benchmarked has real prices") in r.provenance()


def test_bars_of_traded_securities_feed_the_candlestick_section(first_run):
    cwd, _ = first_run
    folder = next((cwd / "runs").iterdir())
    from ptrade_fast.result import Result
    result = Result.load(folder)
    assert set(result.bars["code"]) == {"600570.SS"}
    assert result.bars["date"].min().strftime("%Y-%m-%d") == "2024-06-03"
    assert result.bars["date"].max().strftime("%Y-%m-%d") == "2024-07-31"
    assert len(result.bars) == 42 and (result.bars["high"] >= result.bars["low"]).all()
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert '<script type="application/json" id="sec-0" data-code="600570.SS">' in page
    assert f'<option value="0">600570.SS ({len(result.trades)} fills)</option>' in page


def test_no_save_writes_nothing_and_out_with_no_save_is_refused(tmp_path):
    r = _cli("run", "--example", "double_ma", "--start", "2024-06-03", "--end", "2024-06-07", "--no-save",
             cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "runs").exists() and "report " not in r.stdout
    both = _cli("run", "--example", "double_ma", "--out", tmp_path / "x", "--no-save", cwd=tmp_path)
    assert both.returncode == 2 and "give --out DIR or --no-save, not both" in both.stderr


def test_an_unknown_example_names_the_closest(tmp_path):
    r = _cli("run", "--example", "double_mа2", cwd=tmp_path)
    assert r.returncode == 2 and "no example named" in r.stderr and "double_ma" in r.stderr
    neither = _cli("run", cwd=tmp_path)
    assert neither.returncode == 2 and "--example NAME" in neither.stderr


def test_examples_are_listed_and_shipped_in_the_package(tmp_path):
    r = _cli("examples", cwd=tmp_path)
    assert r.returncode == 0
    assert "double_ma             示例3:双均线策略" in r.stdout
    assert "ptrade-fast run --example double_ma" in r.stdout
    assert examples.path("double_ma") == Path(ptrade_fast.__file__).parent / "examples" / "double_ma.py"
    assert len(examples.names()) == 10


def test_version_comes_from_the_package(tmp_path):
    from importlib.metadata import version
    r = _cli("--version", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.strip() == f"ptrade-fast {ptrade_fast.__version__}"
    assert version("ptrade_fast") == ptrade_fast.__version__


def test_minute_runs_default_to_the_latest_unbroken_stretch_of_minute_days():
    store = DataStore.open(None)
    stretches = [(str(a), str(b)) for a, b in minute_stretches(store.calendar, store.minute_dates)]
    assert stretches == [("2016-11-08", "2016-11-08"), ("2017-03-03", "2017-03-30"),
                         ("2017-04-05", "2017-07-31"), ("2018-12-03", "2019-02-01")]
    assert data_span(store, "1m") == (np.datetime64("2018-12-03"), np.datetime64("2019-02-01"))
    assert data_span(store, "1m", end=np.datetime64("2017-03-10")) == (np.datetime64("2017-03-03"),
                                                                      np.datetime64("2017-03-30"))
    bt = ptrade_fast.Backtest(examples.path("double_ma"), frequency="1m")
    assert (str(bt.days[0]), str(bt.days[-1]), len(bt.days)) == ("2018-12-03", "2019-02-01", 43)


def test_cli_messages_speak_flags_and_data_generate_says_force(tmp_path):
    assert cli_words("x is not empty (pass overwrite=True to replace a data root there)") == \
        "x is not empty (pass --force to replace a data root there)"
    assert cli_words("blocks it (run with sandbox=False to allow it locally)") == \
        "blocks it (run with --no-sandbox to allow it locally)"
    assert cli_words("holds no minute bars: use frequency='1d'") == "holds no minute bars: use --frequency 1d"
    assert cli_words("capital_base must be a positive number of CNY, was -1.0") == \
        "--capital must be a positive number of CNY, was -1.0"
    assert cli_words("    x = context.capital_base must_go(start=1)") == "    x = context.capital_base must_go(start=1)"
    root = tmp_path / "root"
    root.mkdir()
    (root / "something").write_text("x")
    r = _cli("data", "generate", "--data", root, "--stocks", "5", cwd=tmp_path)
    assert r.returncode == 2
    assert "--force" in r.stderr and "overwrite=True" not in r.stderr
    from ptrade_fast.data.synthetic import generate
    with pytest.raises(FileExistsError, match=r"overwrite=True"):   # Python callers read the argument
        generate(root, stocks=5)


def test_progress_bar_reports_days_and_bars_per_second():
    out = io.StringIO()
    bar = ProgressBar("1m", file=out, notebook=False)
    for k in range(1, 4):
        bar(k, 3, f"2019-01-0{k + 1}")
    text = out.getvalue()
    assert "3/3 days" in text and "bars/s" in text and "2019-01-04" in text
    assert isinstance(progress_callback(True, "1d"), ProgressBar)
    assert progress_callback(None, "1d") is None and progress_callback(False, "1d") is None
    with pytest.raises(TypeError, match="progress must be"):
        progress_callback("yes", "1d")


def test_report_opens_the_browser_when_asked(tmp_path, monkeypatch):
    opened = []
    import webbrowser
    monkeypatch.setattr(webbrowser, "open", lambda uri: opened.append(uri))
    r = ptrade_fast.run(REAL_ONLY, start="2024-06-03", end="2024-06-07")
    path = r.report(tmp_path / "r.html", open_browser=True)
    assert opened == [path.resolve().as_uri()]
