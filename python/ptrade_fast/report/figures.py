"""The plotly figures of the HTML report, one function per chart.

Colours follow the Chinese convention the Ptrade user reads: red for gains, green for losses. The
colours are fixed here (not taken from plotly's default template) so the report looks the same
whatever template a user set, and so the browser test can look for the strategy line's pixels.
"""
from __future__ import annotations

import pandas as pd

from ptrade_fast.report.metrics import cumulative_returns, drawdown_series, excess_returns_curve

STRATEGY_COLOR = "#1f5fbf"
BENCHMARK_COLOR = "#e4572e"
EXCESS_COLOR = "#7b3fa0"
DRAWDOWN_COLOR = "#2e9e5b"
CASH_COLOR = "#b0b0b0"
TOP_POSITIONS = 10

_LAYOUT = dict(template="plotly_white", height=360, margin=dict(l=60, r=20, t=60, b=40),
               hovermode="x unified",
               legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"),
               font=dict(family="system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', sans-serif"))


def _figure(title: str):
    import plotly.graph_objects as go
    fig = go.Figure()
    fig.update_layout(title=dict(text=title, x=0, font=dict(size=15)), **_LAYOUT)
    return fig


def _trading_days_axis(fig, dates: pd.DatetimeIndex):
    """Hide the calendar days that are not trading days, so curves run on the trading calendar."""
    if len(dates) > 1:
        gaps = pd.date_range(dates[0], dates[-1], freq="D").difference(dates)
        if len(gaps):
            fig.update_xaxes(rangebreaks=[dict(values=[d.strftime("%Y-%m-%d") for d in gaps],
                                               dvalue=86_400_000)])
    return fig


def _go():
    import plotly.graph_objects as go
    return go


def equity_figure(portfolio: pd.DataFrame, benchmark: pd.DataFrame):
    """Cumulative return of the strategy against the benchmark, in percent."""
    go = _go()
    fig = _figure("收益曲线 Returns vs benchmark")
    strategy = cumulative_returns(portfolio["returns"]) * 100
    fig.add_trace(go.Scatter(x=strategy.index, y=strategy.to_numpy(), mode="lines", name="策略 Strategy",
                             line=dict(color=STRATEGY_COLOR, width=2)))
    if benchmark["returns"].notna().any():
        bench = cumulative_returns(benchmark["returns"]) * 100
        fig.add_trace(go.Scatter(x=bench.index, y=bench.to_numpy(), mode="lines", name="基准 Benchmark",
                                 line=dict(color=BENCHMARK_COLOR, width=2)))
    fig.update_yaxes(ticksuffix="%")
    return _trading_days_axis(fig, portfolio.index)


def excess_figure(portfolio: pd.DataFrame, benchmark: pd.DataFrame):
    """Relative excess return ``(1 + strategy) / (1 + benchmark) - 1`` over time, in percent."""
    go = _go()
    fig = _figure("超额收益 Excess return")
    if benchmark["returns"].notna().any():
        excess = excess_returns_curve(portfolio["returns"], benchmark["returns"]) * 100
        fig.add_trace(go.Scatter(x=excess.index, y=excess.to_numpy(), mode="lines", name="超额 Excess",
                                 fill="tozeroy", line=dict(color=EXCESS_COLOR, width=1.5)))
    else:
        fig.add_annotation(text="no benchmark data", showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    fig.update_yaxes(ticksuffix="%")
    return _trading_days_axis(fig, portfolio.index)


def drawdown_figure(portfolio: pd.DataFrame):
    """Fall from the running peak (the starting capital counts as a peak), in percent."""
    go = _go()
    fig = _figure("回撤 Drawdown")
    dd = drawdown_series(portfolio["returns"]) * 100
    fig.add_trace(go.Scatter(x=dd.index, y=dd.to_numpy(), mode="lines", name="回撤 Drawdown",
                             fill="tozeroy", line=dict(color=DRAWDOWN_COLOR, width=1)))
    fig.update_yaxes(ticksuffix="%")
    return _trading_days_axis(fig, portfolio.index)


def monthly_heatmap_figure(monthly: pd.DataFrame):
    """Years × months heat map of compounded monthly returns, red up and green down."""
    go = _go()
    fig = _figure("月度收益 Monthly returns")
    z = (monthly * 100).round(2)
    text = [["" if pd.isna(v) else f"{v:.2f}%" for v in row] for row in z.to_numpy()]
    limit = float(z.abs().max().max()) if z.notna().any().any() else 1.0
    fig.add_trace(go.Heatmap(
        z=z.to_numpy(), x=[f"{m}月" for m in monthly.columns], y=[str(y) for y in monthly.index],
        text=text, texttemplate="%{text}", zmid=0, zmin=-limit, zmax=limit,
        colorscale=[[0.0, "#1a9850"], [0.5, "#ffffff"], [1.0, "#d73027"]],
        hovertemplate="%{y} %{x}: %{text}<extra></extra>", colorbar=dict(ticksuffix="%")))
    fig.update_layout(height=max(220, 60 + 32 * len(monthly)), hovermode="closest")
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


def positions_figure(portfolio: pd.DataFrame, positions: pd.DataFrame):
    """Stacked market value of the largest holdings (the rest as 其他) and cash, by day."""
    go = _go()
    fig = _figure("持仓 Positions over time")
    dates = portfolio.index
    if len(positions):
        values = (positions.pivot_table(index="date", columns="code", values="market_value",
                                        aggfunc="sum", fill_value=0.0)
                  .reindex(dates, fill_value=0.0))
        order = values.mean().sort_values(ascending=False, kind="stable")
        top = list(order.index[:TOP_POSITIONS])
        for code in top:
            fig.add_trace(go.Scatter(x=dates, y=values[code].to_numpy(), mode="lines", name=str(code),
                                     stackgroup="holdings", line=dict(width=0.5)))
        rest = values.drop(columns=top).sum(axis=1)
        if len(order) > len(top):
            fig.add_trace(go.Scatter(x=dates, y=rest.to_numpy(), mode="lines", name="其他 Other",
                                     stackgroup="holdings", line=dict(width=0.5)))
    fig.add_trace(go.Scatter(x=dates, y=portfolio["cash"].to_numpy(), mode="lines", name="现金 Cash",
                             stackgroup="holdings", line=dict(width=0.5, color=CASH_COLOR)))
    fig.update_yaxes(tickformat=",.0f")
    return _trading_days_axis(fig, portfolio.index)


def report_figures(result) -> list[tuple[str, object]]:
    """``(div id, figure)`` for every chart of the report, in page order."""
    return [
        ("chart-equity", equity_figure(result.portfolio, result.benchmark)),
        ("chart-excess", excess_figure(result.portfolio, result.benchmark)),
        ("chart-drawdown", drawdown_figure(result.portfolio)),
        ("chart-monthly", monthly_heatmap_figure(result.monthly_returns)),
        ("chart-positions", positions_figure(result.portfolio, result.positions)),
    ]
