"""The HTML backtest report: one self-contained file that opens offline and can be shared.

plotly.js is inlined once in ``<head>`` (``plotly.offline.get_plotlyjs()``), every chart is a
``<div>`` with a fixed id, and the page has no other script, font or stylesheet to fetch. The same
result always gives the same bytes: the only times in it are the run's own dates and ``meta``.
"""
from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from ptrade_fast.report.metrics import METRIC_LABELS, format_metric

TRADE_ROWS = 2000
CHART_CONFIG = {"displaylogo": False, "responsive": True}

# Metric groups of the summary table, in Ptrade's reading order.
_GROUPS = [
    ("收益 Returns", ["total_return", "annual_return", "benchmark_return", "benchmark_annual_return",
                    "excess_return", "capital_base", "final_value"]),
    ("风险 Risk", ["alpha", "beta", "sharpe", "sortino", "information_ratio", "volatility",
                 "benchmark_volatility", "tracking_error", "max_drawdown", "max_drawdown_start",
                 "max_drawdown_end"]),
    ("交易 Trading", ["daily_win_rate", "win_rate", "profit_loss_ratio", "winning_trades", "losing_trades",
                    "closed_trades", "trade_count", "turnover", "annual_turnover", "total_fees"]),
    ("区间 Period", ["start_date", "end_date", "trading_days", "risk_free"]),
]

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans CJK SC','Microsoft YaHei',sans-serif;
margin:0;background:#f5f6f8;color:#222}
header{background:#1f3b63;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:20px}
header p{margin:6px 0 0;font-size:13px;opacity:.85}
main{max-width:1320px;margin:0 auto;padding:16px 24px}
section{background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.08);margin:16px 0;padding:12px 16px}
h2{font-size:16px;margin:4px 0 10px}
.groups{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
.groups table{flex:1 1 280px}
table{border-collapse:collapse;font-size:13px}
th,td{padding:4px 8px;border-bottom:1px solid #eee;text-align:left;white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.scroll{max-height:480px;overflow:auto}
.note{font-size:12px;color:#666}
header p.synthetic{background:#f6c343;color:#222;display:inline-block;padding:2px 8px;border-radius:3px;opacity:1}
"""


# ---------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------

def write_report(result, path: str | os.PathLike) -> Path:
    """Write the HTML report of ``result`` (a ``ptrade_fast.result.Result``) to ``path``.

    Returns the path written. Needs ``plotly`` (its plotly.js bundle is embedded in the file).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(result), encoding="utf-8")
    return path


def render_report(result) -> str:
    """The report page as one string."""
    try:
        import plotly.io as pio
        from plotly.offline import get_plotlyjs
    except ImportError as exc:   # pragma: no cover - plotly is a dependency
        raise ImportError("the HTML report needs plotly: pip install plotly") from exc
    from ptrade_fast.report.figures import report_figures
    from ptrade_fast.report.securities import securities_section_html

    charts = []
    for div_id, fig in report_figures(result):
        charts.append(pio.to_html(fig, include_plotlyjs=False, full_html=False, div_id=div_id,
                                  config=CHART_CONFIG, default_height=f"{fig.layout.height}px"))
    params = result.params
    title = f"ptrade_fast 回测报告 — {html.escape(Path(str(params.get('strategy', 'strategy'))).name)}"
    m = result.metrics
    subtitle = " · ".join(html.escape(s) for s in [
        f"{format_metric('start_date', m['start_date'])} … {format_metric('end_date', m['end_date'])}",
        f"基准 {params.get('benchmark', '-')}", f"频率 {params.get('frequency', '-')}",
        f"created {result.meta.get('created_at', '-')}"])
    body = [
        f"<section><h2>指标 Metrics</h2>{metrics_table_html(m, grouped=True)}</section>",
        *(f"<section>{c}</section>" for c in charts),
        f'<section id="securities">{securities_section_html(result)}</section>',
        f"<section><h2>成交 Trades</h2>{trades_table_html(result.trades)}</section>",
        f"<section><h2>策略参数 Parameters</h2>{mapping_table_html(params)}</section>",
        f"<section><h2>运行信息 Run</h2>{mapping_table_html(result.meta)}</section>",
    ]
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{_CSS}</style>",
        f'<script type="text/javascript">{get_plotlyjs()}</script>',
        "</head><body>",
        f"<header><h1>{title}</h1><p>{subtitle}</p>{provenance_html(result)}</header>",
        "<main>", *body, "</main>",
        "</body></html>",
        "",
    ])


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------

def metrics_table_html(metrics: dict[str, Any], grouped: bool = False) -> str:
    """The metrics as HTML table(s): one two-column table, or one per group side by side."""
    if not grouped:
        return _kv_table([(_label(k), format_metric(k, v)) for k, v in metrics.items()], "metrics")
    seen, tables = set(), []
    for title, keys in _GROUPS:
        rows = [(_label(k), format_metric(k, metrics[k])) for k in keys if k in metrics]
        seen.update(keys)
        tables.append(_kv_table(rows, "metrics", caption=title))
    extra = [(_label(k), format_metric(k, v)) for k, v in metrics.items() if k not in seen]
    if extra:
        tables.append(_kv_table(extra, "metrics", caption="其他 Other"))
    return f'<div class="groups">{"".join(tables)}</div>'


def trades_table_html(trades: pd.DataFrame, limit: int = TRADE_ROWS) -> str:
    """The fills, first ``limit`` rows; the full list is in ``trades.parquet``."""
    if len(trades) == 0:
        return '<p class="note">No trades.</p>'
    cols = [c for c in ["dt", "code", "side", "amount", "price", "value", "fees", "entrust_no"]
            if c in trades.columns]
    shown = trades[cols].head(limit)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    lines = []
    for row in shown.itertuples(index=False):
        cells = []
        for col, v in zip(cols, row):
            if col == "dt":
                cells.append(f"<td>{pd.Timestamp(v):%Y-%m-%d %H:%M}</td>")
            elif col in ("price",):
                cells.append(f'<td class="num">{v:.3f}</td>')
            elif col in ("value", "fees"):
                cells.append(f'<td class="num">{v:,.2f}</td>')
            elif col == "amount":
                cells.append(f'<td class="num">{int(v):d}</td>')
            else:
                cells.append(f"<td>{html.escape(str(v))}</td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    note = (f'<p class="note">Showing the first {limit} of {len(trades)} fills; all are in trades.parquet.</p>'
            if len(trades) > limit else f'<p class="note">{len(trades)} fills.</p>')
    return (f'{note}<div class="scroll"><table class="trades"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(lines)}</tbody></table></div>')


def mapping_table_html(mapping: dict[str, Any]) -> str:
    """A dict as a key/value table; nested values are shown as JSON."""
    if not mapping:
        return '<p class="note">None recorded.</p>'
    rows = []
    for key in sorted(mapping):
        value = mapping[key]
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
        rows.append((str(key), text))
    return _kv_table(rows, "mapping", numeric=False)


def provenance_html(result) -> str:
    """The header's provenance lines (data root, span, synthetic instruments); a synthetic warning is
    marked so it stands out."""
    lines = []
    for label, text in result.provenance():
        cls = ' class="synthetic"' if label == "synthetic" and result.meta.get("synthetic_any") else ""
        lines.append(f"<p{cls}><strong>{html.escape(label)}</strong> {html.escape(text)}</p>")
    return "".join(lines)


def _label(key: str) -> str:
    zh, en, _ = METRIC_LABELS.get(key, (key, "", ""))
    return f"{zh} {en}".strip()


def _kv_table(rows: list[tuple[str, str]], css: str, caption: str | None = None, numeric: bool = True) -> str:
    cls = ' class="num"' if numeric else ""
    body = "".join(f"<tr><th>{html.escape(k)}</th><td{cls}>{html.escape(v)}</td></tr>" for k, v in rows)
    cap = f"<caption><strong>{html.escape(caption)}</strong></caption>" if caption else ""
    return f'<table class="{css}">{cap}<tbody>{body}</tbody></table>'
