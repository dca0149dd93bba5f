"""The HTML report as a file: self-contained, every section present, the same bytes every time."""
import re

import pytest

pytest.importorskip("plotly", reason="the HTML report embeds plotly.js")

from ptrade_fast.report.html import render_report, write_report  # noqa: E402
from ptrade_fast.result import rebuild_report  # noqa: E402

CHART_IDS = ["chart-equity", "chart-excess", "chart-drawdown", "chart-monthly", "chart-positions"]


@pytest.fixture
def page(synthetic):
    return render_report(synthetic)


def test_page_fetches_nothing(page):
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", page.split("</style>")[0])
    # The bundle, one per chart, and the securities section's drawing script; the rest are inert data
    # blocks (the 20 securities' JSON, the shared dates and the chart config).
    json_blocks = page.count('<script type="application/json"')
    assert json_blocks == 20 + 2
    assert page.count("<script") - json_blocks == 1 + len(CHART_IDS) + 1


def test_every_chart_has_its_fixed_div_id(page):
    for div_id in CHART_IDS:
        assert f'id="{div_id}"' in page
        assert f'"{div_id}"' in page.split(f'id="{div_id}"', 1)[1]   # Plotly.newPlot targets it


def test_metrics_parameters_trades_and_run_info_are_shown(five_days):
    page = render_report(five_days)

    for text in ("夏普比率 Sharpe", "6.671", "最大回撤 Max drawdown", "0.50%", "2024-01-03",
                 "strategies/demo.py", "000300.SS", "&quot;buy_cost&quot;: 0.0003",
                 "10,000.00", "2024-01-05 15:00", "2024-01-09T00:00:00"):
        assert text in page, text


def test_same_result_gives_the_same_bytes(five_days, tmp_path):
    a = write_report(five_days, tmp_path / "a.html").read_bytes()
    b = write_report(five_days, tmp_path / "b.html").read_bytes()

    assert a == b


def test_long_trade_lists_are_cut_with_a_note(synthetic):
    from ptrade_fast.report.html import trades_table_html

    html = trades_table_html(synthetic.trades, limit=10)

    assert html.count("<tr>") == 11
    assert "first 10 of 2000 fills" in html


def test_rebuild_report_writes_into_the_results_folder(five_days, tmp_path):
    five_days.save(tmp_path / "run")

    path = rebuild_report(tmp_path / "run")

    assert path == tmp_path / "run" / "report.html"
    assert path.read_bytes() == render_report(five_days).encode("utf-8")


def test_report_of_a_run_without_benchmark_or_positions(tmp_path):
    import pandas as pd
    from ptrade_fast.result import Result

    p = pd.DataFrame({"total_value": [1.0, 1.1], "cash": [1.0, 1.1], "positions_value": 0.0,
                      "returns": [0.0, 0.1], "pnl": [0.0, 0.1]}, index=pd.bdate_range("2024-01-02", periods=2))

    html = render_report(Result(p))

    assert "no benchmark data" in html and "No trades." in html
