"""The sweep report: one self-contained HTML file in the run report's style (``report/html.py``).

Sections: the sweep's arguments, a sortable table of every cell (click a column heading; the only script
besides the inlined plotly.js is the few lines that sort), a heat map of the objective over the first two
parameters (the best value over the other parameters in each square), and the equity curves of the best
cells.  Same sweep folder → same bytes.
"""
from __future__ import annotations

import html
import os
from pathlib import Path

import numpy as np
import pandas as pd

from ptrade_fast.report.figures import STRATEGY_COLOR, _figure, _go, _trading_days_axis
from ptrade_fast.report.html import _CSS, CHART_CONFIG, mapping_table_html
from ptrade_fast.report.metrics import METRIC_LABELS, cumulative_returns, format_metric

from .results import rank

OBJECTIVE = "sharpe"
TABLE_METRICS = ["total_return", "annual_return", "sharpe", "sortino", "max_drawdown", "volatility",
                 "win_rate", "trade_count", "total_fees", "final_value"]
PALETTE = ["#1f5fbf", "#e4572e", "#2e9e5b", "#7b3fa0", "#f2a900", "#17becf", "#8c564b", "#e377c2"]

_SORT_JS = """
document.querySelectorAll('table.sortable th').forEach(function(th, col){
  th.style.cursor='pointer';
  th.addEventListener('click', function(){
    var table=th.closest('table'), body=table.tBodies[0], rows=Array.from(body.rows);
    var asc=th.dataset.order!=='asc'; th.dataset.order=asc?'asc':'desc';
    rows.sort(function(a,b){
      var x=a.cells[col].dataset.v, y=b.cells[col].dataset.v, nx=parseFloat(x), ny=parseFloat(y);
      var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:(x<y?-1:(x>y?1:0)); return asc?c:-c;});
    rows.forEach(function(r){body.appendChild(r);});
  });
});
"""


def write_sweep_report(sweep, path, top: int = 5, objective: str = OBJECTIVE) -> Path:
    """Write the report of ``sweep`` (a :class:`~ptrade_fast.sweeps.SweepResult`) to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render_sweep_report(sweep, top=top, objective=objective), encoding="utf-8")
    os.replace(tmp, path)
    return path


def render_sweep_report(sweep, top: int = 5, objective: str = OBJECTIVE) -> str:
    """The sweep report page as one string."""
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    table = sweep.table
    if objective not in table.columns:
        objective = "total_return"
    charts = []
    heat = heatmap_figure(table, sweep.params, objective)
    if heat is not None:
        charts.append(("chart-sweep-heatmap", heat))
    charts.append(("chart-sweep-equity", best_equity_figure(sweep, objective, top)))
    divs = [pio.to_html(fig, include_plotlyjs=False, full_html=False, div_id=div_id, config=CHART_CONFIG,
                        default_height=f"{fig.layout.height}px") for div_id, fig in charts]
    name = html.escape(Path(str(sweep.spec.get("strategy", "strategy"))).name
                       if "\n" not in str(sweep.spec.get("strategy", "")) else "strategy")
    title = f"ptrade_fast 参数扫描 Sweep — {name}"
    ok = int((table["status"] == "ok").sum())
    run = sweep.spec.get("run", {})
    subtitle = " · ".join(html.escape(s) for s in [
        f"{len(table)} cells, {ok} ok", f"{run.get('start') or 'data start'} … {run.get('end') or 'data end'}",
        f"频率 {run.get('frequency', '-')}", f"ranked by {objective}"])
    body = [
        f"<section><h2>参数组合 Cells</h2>{cells_table_html(table, sweep.params, objective)}</section>",
        *(f"<section>{d}</section>" for d in divs),
        f"<section><h2>运行参数 Run</h2>{mapping_table_html(run)}</section>",
    ]
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{_CSS}</style>",
        f'<script type="text/javascript">{get_plotlyjs()}</script>',
        "</head><body>",
        f"<header><h1>{title}</h1><p>{subtitle}</p></header>",
        "<main>", *body, "</main>",
        f"<script>{_SORT_JS}</script>",
        "</body></html>",
        "",
    ])


def cells_table_html(table: pd.DataFrame, params: list[str], objective: str) -> str:
    """Every cell, best first by ``objective``: id, parameters, status and the main metrics (sortable)."""
    metrics = [m for m in TABLE_METRICS if m in table.columns]
    if objective not in metrics and objective in table.columns:
        metrics.insert(0, objective)
    cols = ["cell", *params, "status", *metrics]
    head = "".join(f"<th>{html.escape(_heading(c))}</th>" for c in cols)
    lines = []
    for _, row in rank(table, objective).iterrows():
        cells = []
        for c in cols:
            v = row[c]
            if c in metrics:
                sort = "" if _missing(v) else repr(float(v)) if not isinstance(v, str) else v
                cells.append(f'<td class="num" data-v="{html.escape(sort)}">{html.escape(format_metric(c, v))}</td>')
            else:
                text = "" if _missing(v) else str(v)
                num = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                cells.append(f'<td{" class=num" if num else ""} data-v="{html.escape(text)}">{html.escape(text)}</td>')
        lines.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<p class="note">Click a heading to sort. Each cell\'s full results are in cells/&lt;cell&gt;/ '
            f'(<code>ptrade-fast report</code> builds its run report).</p><div class="scroll">'
            f'<table class="sortable"><thead><tr>{head}</tr></thead><tbody>{"".join(lines)}</tbody></table></div>')


def heatmap_figure(table: pd.DataFrame, params: list[str], objective: str):
    """The objective over the first two numeric-or-text parameters (best over the others); None if < 2."""
    if len(params) < 2:
        return None
    x, y = params[0], params[1]
    ok = table[table["status"] == "ok"]
    if len(ok) == 0:
        return None
    values = pd.to_numeric(ok[objective], errors="coerce")
    frame = pd.DataFrame({"x": ok[x].astype(str), "y": ok[y].astype(str), "v": values})
    grid = frame.groupby(["y", "x"], sort=False)["v"].max().unstack("x")
    xs = _ordered(ok[x])
    ys = _ordered(ok[y])
    grid = grid.reindex(index=ys, columns=xs)
    go = _go()
    kind = METRIC_LABELS.get(objective, ("", "", "ratio"))[2]
    text = [["" if pd.isna(v) else format_metric(objective, v) for v in row] for row in grid.to_numpy()]
    fig = _figure(f"{_heading(objective)} by {x} × {y}" + (" (best over other parameters)" if len(params) > 2 else ""))
    fig.add_trace(go.Heatmap(z=grid.to_numpy(), x=xs, y=ys, text=text, texttemplate="%{text}",
                             colorscale=[[0.0, "#1a9850"], [0.5, "#ffffff"], [1.0, "#d73027"]],
                             hovertemplate=f"{x}=%{{x}} {y}=%{{y}}: %{{text}}<extra></extra>",
                             colorbar=dict(tickformat=".0%" if kind == "pct" else None)))
    fig.update_layout(height=max(260, 80 + 36 * len(ys)), hovermode="closest")
    fig.update_xaxes(type="category", title=x)
    fig.update_yaxes(type="category", title=y)
    return fig


def best_equity_figure(sweep, objective: str, top: int):
    """Cumulative return curves of the ``top`` best cells by ``objective``."""
    go = _go()
    fig = _figure(f"最佳组合收益曲线 Equity of the best {top} cells by {_heading(objective)}")
    ok = sweep.table[sweep.table["status"] == "ok"]
    best = rank(ok, objective).head(top)
    index = None
    for i, (_, row) in enumerate(best.iterrows()):
        port = sweep.result(row["cell"]).portfolio
        curve = cumulative_returns(port["returns"]) * 100
        label = ", ".join(f"{p}={row[p]}" for p in sweep.params)
        fig.add_trace(go.Scatter(x=curve.index, y=curve.to_numpy(), mode="lines", name=label,
                                 line=dict(color=PALETTE[i % len(PALETTE)] if i else STRATEGY_COLOR,
                                           width=2 if i == 0 else 1.3)))
        index = port.index if index is None else index
    fig.update_yaxes(ticksuffix="%")
    fig.update_layout(height=420)
    return _trading_days_axis(fig, index) if index is not None else fig


def _ordered(col: pd.Series) -> list[str]:
    values = list(dict.fromkeys(col.tolist()))
    try:
        values = sorted(values)
    except TypeError:
        pass
    return [str(v) for v in values]


def _heading(col: str) -> str:
    if col in METRIC_LABELS:
        zh, en, _ = METRIC_LABELS[col]
        return f"{zh} {en}"
    return col


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT

