"""The report's per-security section: compact per-security data blocks, a selector, and a drawing script
that turns the selected block into a candlestick + fills + position figure."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("plotly", reason="the HTML report embeds plotly.js")

from ptrade_fast.report.html import render_report  # noqa: E402
from ptrade_fast.report.securities import MARGIN_DAYS, security_payloads, securities_section_html  # noqa: E402
from ptrade_fast.result import Result  # noqa: E402


def with_bars(result: Result) -> Result:
    """``result`` with daily bars for every traded code over its whole span (close = 10 + day / 100)."""
    days = result.portfolio.index
    codes = sorted(set(result.trades["code"]))
    rows = []
    for code in codes:
        for k, d in enumerate(days):
            c = 10 + k / 100
            rows.append((d, code, c - 0.05, c + 0.1, c - 0.1, c, 1e6))
    bars = pd.DataFrame(rows, columns=["date", "code", "open", "high", "low", "close", "volume"])
    return Result(result.portfolio, result.benchmark, result.orders, result.trades, result.positions,
                  result.logs, result.params, result.meta, bars=bars)


def test_payload_keeps_bars_around_the_activity_and_the_fills_and_position(five_days):
    r = with_bars(five_days)
    dates, items = security_payloads(r)
    assert dates == [d.strftime("%Y-%m-%d") for d in r.portfolio.index]
    (code, fills, p), = items
    assert (code, fills) == ("600570.SS", 2)
    assert p["i"] == [0, 1, 2, 3, 4] and p["c"] == [10.0, 10.01, 10.02, 10.03, 10.04]
    assert p["buy"] == {"i": [0], "t": ["2024-01-02 15:00"], "p": [10.0], "q": [1000]}
    assert p["sell"] == {"i": [3], "t": ["2024-01-05 15:00"], "p": [11.0], "q": [1000]}
    assert p["pos"] == {"from": 0, "a": [1000, 1000, 1000, 0, 0]}


def test_bars_are_cut_to_the_days_around_a_security_activity(synthetic):
    r = with_bars(synthetic)
    dates, items = security_payloads(r)
    assert len(items) == 20 and [n for _, n, _ in items] == sorted((n for _, n, _ in items), reverse=True)
    code, _, p = next(item for item in items if item[0] == "600000.SS")
    first_fill = min(p["buy"]["i"] + p["sell"]["i"])
    assert p["i"][0] == max(0, first_fill - MARGIN_DAYS)
    assert p["i"][-1] <= max(p["buy"]["i"] + p["sell"]["i"]) + MARGIN_DAYS


def test_no_trades_gives_a_note(five_days):
    empty = Result(five_days.portfolio, five_days.benchmark, params=five_days.params)
    assert "No security was traded or held." in securities_section_html(empty)


@pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")
def test_the_drawing_script_builds_the_selected_security_figure(five_days, tmp_path):
    """Run the section's script in node with a minimal document and a Plotly stand-in that records the
    figure: the candles, buy and sell markers and the position line of the selected security."""
    page = render_report(with_bars(five_days))
    section = page.split('<section id="securities">', 1)[1].split("</section>", 1)[0]
    blocks = dict(re.findall(r'<script type="application/json" id="([^"]+)"[^>]*>(.*?)</script>', section, re.S))
    code_of = dict(re.findall(r'id="(sec-\d+)" data-code="([^"]+)"', section))
    script = re.findall(r'<script type="text/javascript">(.*?)</script>', section, re.S)[-1]
    harness = """
const blocks = %s, codes = %s; let drawn = null;
const el = id => id === 'sec-select' ? {value: '0', addEventListener() {}} :
  {textContent: blocks[id], getAttribute: () => codes[id]};
globalThis.document = {getElementById: el};
globalThis.Plotly = {react: (div, traces, layout) => { drawn = {div, traces, layout}; }};
%s
console.log(JSON.stringify(drawn));
""" % (json.dumps(blocks), json.dumps(code_of), script)
    (tmp_path / "h.js").write_text(harness, encoding="utf-8")
    out = subprocess.run(["node", str(tmp_path / "h.js")], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    drawn = json.loads(out.stdout)
    assert drawn["div"] == "chart-security"
    candle, buy, sell, pos = drawn["traces"]
    assert candle["type"] == "candlestick" and candle["x"][0] == "2024-01-02" and candle["close"][-1] == 10.04
    assert buy["x"] == ["2024-01-02"] and buy["y"] == [10.0] and buy["marker"]["symbol"] == "triangle-up"
    assert sell["x"] == ["2024-01-05"] and sell["y"] == [11.0]
    assert pos["y"] == [1000, 1000, 1000, 0, 0] and pos["yaxis"] == "y2"
    assert drawn["layout"]["title"]["text"].startswith("600570.SS") and drawn["layout"]["template"] == "plotly_white"
