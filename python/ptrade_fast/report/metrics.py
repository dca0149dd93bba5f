"""Backtest performance metrics, as Ptrade's backtest report shows them.

Every definition here is written out, with its formula, in ``docs/metrics.md``; keep the two in step.
The conventions, in short:

* 252 trading days a year (``periods_per_year``); ``n`` is the number of trading days in the run.
* Returns are simple daily returns of ``total_value``; day 1 is measured against the starting capital.
* Annualised return is geometric, ``(1 + total) ** (252 / n) - 1``; volatilities use ``ddof=1``.
* Sharpe, Sortino, alpha and information ratio use annualised returns and a 4 % risk-free rate, the
  JoinQuant/Ptrade convention (``risk_free`` is a parameter).
* Ratios that are undefined (zero volatility, fewer than two days, no benchmark) are ``nan``, never an
  exception: a report must be produced for any run.

Nothing here imports the engine: the inputs are the plain DataFrames a ``Result`` holds.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

PERIODS_PER_YEAR = 252
RISK_FREE = 0.04

# Display order, Ptrade's Chinese label, English label, and how to format the value.
# Kinds: pct (fraction shown as %), ratio (plain float), int, money (CNY), date.
METRIC_LABELS: dict[str, tuple[str, str, str]] = {
    "start_date": ("开始日期", "Start", "date"),
    "end_date": ("结束日期", "End", "date"),
    "trading_days": ("交易天数", "Trading days", "int"),
    "capital_base": ("初始资金", "Capital base", "money"),
    "final_value": ("期末总资产", "Final value", "money"),
    "total_return": ("策略收益", "Total return", "pct"),
    "annual_return": ("策略年化收益", "Annual return", "pct"),
    "benchmark_return": ("基准收益", "Benchmark return", "pct"),
    "benchmark_annual_return": ("基准年化收益", "Benchmark annual return", "pct"),
    "excess_return": ("超额收益", "Excess return", "pct"),
    "alpha": ("阿尔法", "Alpha", "ratio"),
    "beta": ("贝塔", "Beta", "ratio"),
    "sharpe": ("夏普比率", "Sharpe", "ratio"),
    "sortino": ("索提诺比率", "Sortino", "ratio"),
    "information_ratio": ("信息比率", "Information ratio", "ratio"),
    "volatility": ("策略波动率", "Volatility", "pct"),
    "benchmark_volatility": ("基准波动率", "Benchmark volatility", "pct"),
    "tracking_error": ("跟踪误差", "Tracking error", "pct"),
    "max_drawdown": ("最大回撤", "Max drawdown", "pct"),
    "max_drawdown_start": ("最大回撤开始", "Max drawdown start", "date"),
    "max_drawdown_end": ("最大回撤结束", "Max drawdown end", "date"),
    "daily_win_rate": ("日胜率", "Daily win rate", "pct"),
    "win_rate": ("胜率", "Win rate", "pct"),
    "profit_loss_ratio": ("盈亏比", "Profit/loss ratio", "ratio"),
    "winning_trades": ("盈利次数", "Winning trades", "int"),
    "losing_trades": ("亏损次数", "Losing trades", "int"),
    "closed_trades": ("平仓次数", "Closed trades", "int"),
    "trade_count": ("成交笔数", "Fills", "int"),
    "turnover": ("换手率", "Turnover", "ratio"),
    "annual_turnover": ("年化换手率", "Annual turnover", "ratio"),
    "total_fees": ("交易费用", "Fees", "money"),
    "risk_free": ("无风险利率", "Risk-free rate", "pct"),
}

CLOSED_TRADE_COLUMNS = ["dt", "code", "order_id", "amount", "proceeds", "cost", "pnl"]


# ---------------------------------------------------------------------------
# Return series
# ---------------------------------------------------------------------------

def cumulative_returns(returns: pd.Series) -> pd.Series:
    """Compounded return since the start, ``prod(1 + r) - 1``; NaN days count as 0."""
    return (1.0 + returns.fillna(0.0)).cumprod() - 1.0


def drawdown_series(returns: pd.Series) -> pd.Series:
    """Fall from the running peak, as a fraction <= 0; the starting capital is the first peak."""
    wealth = (1.0 + returns.fillna(0.0)).cumprod()
    peak = np.maximum(wealth.cummax().to_numpy(), 1.0)
    return pd.Series(wealth.to_numpy() / peak - 1.0, index=returns.index, name="drawdown")


def excess_returns_curve(returns: pd.Series, benchmark_returns: pd.Series) -> pd.Series:
    """Relative excess return over time, ``(1 + strategy) / (1 + benchmark) - 1``."""
    return (1.0 + cumulative_returns(returns)) / (1.0 + cumulative_returns(benchmark_returns)) - 1.0


def monthly_returns_table(returns: pd.Series) -> pd.DataFrame:
    """Compounded return of each calendar month: rows are years, columns 1..12 (NaN when no day)."""
    columns = pd.Index(range(1, 13), name="month")
    if len(returns) == 0:
        return pd.DataFrame(index=pd.Index([], dtype="int64", name="year"), columns=columns, dtype="float64")
    index = pd.DatetimeIndex(returns.index)
    grouped = (1.0 + returns.fillna(0.0)).groupby([index.year, index.month]).prod() - 1.0
    grouped.index = grouped.index.set_names(["year", "month"])
    table = grouped.unstack("month").reindex(columns=columns)
    table.index = table.index.astype("int64")
    return table.astype("float64")


def max_drawdown(returns: pd.Series) -> tuple[float, Any, Any]:
    """Largest fall from a peak, as a positive fraction, with the peak and trough dates.

    The starting capital counts as a peak; when the fall starts from it, the start date is the first
    trading day. With no fall at all the dates are ``None``.
    """
    if len(returns) == 0:
        return float("nan"), None, None
    dd = drawdown_series(returns).to_numpy()
    end = int(np.argmin(dd))
    if dd[end] >= 0.0:
        return 0.0, None, None
    wealth = (1.0 + returns.fillna(0.0)).cumprod().to_numpy()
    before = wealth[: end + 1]
    start = int(np.argmax(before)) if before.max() >= 1.0 else 0
    return float(-dd[end]), returns.index[start], returns.index[end]


# ---------------------------------------------------------------------------
# Closed trades (for win rate and profit/loss ratio)
# ---------------------------------------------------------------------------

def closed_trades(trades: pd.DataFrame, positions: pd.DataFrame | None = None,
                  days=None) -> pd.DataFrame:
    """One row per sell order, with its realised profit against the average cost of the holding.

    Holdings are tracked per code from the fills in time order: a buy adds its amount and
    ``value + fees`` to the cost; a sell realises ``value - fees - average_cost * amount``. All fills
    of one sell order add up to one closed trade. When ``positions`` says the end-of-day holding of the
    previous trading day differs from the tracked amount (bonus shares, splits, base positions), the
    tracked amount follows ``positions``: total cost is kept for a held position, and a position that
    was not tracked starts at ``cost_basis``. A sell of more than is held (a short) has no cost and its
    profit is NaN; such rows are not counted as wins or losses.

    ``days`` are the run's trading days (the portfolio index).  ``positions`` has no row on a day
    nothing is held, so without ``days`` such a day cannot be told from a day that was not recorded.
    """
    if trades is None or len(trades) == 0:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in CLOSED_TRADE_COLUMNS})
    order = np.argsort(pd.to_datetime(trades["dt"]).to_numpy(), kind="stable")
    t = trades.iloc[order]
    # Plain lists: this loop runs once per fill, and iterating pandas objects is several times slower.
    dates = pd.to_datetime(t["dt"]).dt.normalize().to_numpy().astype("datetime64[ns]").view("int64").tolist()
    columns = [t[c].tolist() for c in ("code", "side", "amount", "value", "fees", "order_id", "dt")]

    held_before = _holdings_lookup(positions, set(columns[0]), days)

    state: dict[str, list[float]] = {}   # code -> [amount, total cost]
    synced: dict[str, Any] = {}          # code -> date the state was last checked against positions
    rows: dict[Any, list] = {}
    for i, (code, side, amount, value, fees, order_id, dt) in enumerate(zip(*columns)):
        st = state.setdefault(code, [0.0, 0.0])
        if held_before is not None and synced.get(code) != dates[i]:
            synced[code] = dates[i]
            _sync_holding(st, held_before(code, dates[i]))
        if side == "买":
            st[0] += amount
            st[1] += value + fees
            continue
        if st[0] >= amount and st[0] > 0:
            cost = st[1] * amount / st[0]
            st[0] -= amount
            st[1] -= cost
        else:
            cost = float("nan")
            st[0] -= amount
            st[1] = 0.0
        key = order_id if isinstance(order_id, str) and order_id else ("fill", i)
        row = rows.get(key)
        if row is None:
            rows[key] = [dt, code, order_id, amount, value - fees, cost]
        else:
            row[3] += amount
            row[4] += value - fees
            row[5] += cost
    out = pd.DataFrame(list(rows.values()), columns=CLOSED_TRADE_COLUMNS[:-1])
    out["amount"] = out["amount"].astype("int64")
    out["pnl"] = out["proceeds"] - out["cost"]
    return out


def _holdings_lookup(positions: pd.DataFrame | None, codes: set, days=None):
    """A function (code, date) -> (amount, cost_basis) on the last trading day before ``date``.

    The trading days are ``days`` when given (a day without any positions row then means nothing
    was held), else the dates present in ``positions``.
    """
    if positions is None or len(positions) == 0:
        return None
    p = positions[positions["code"].isin(codes)]
    def day_numbers(s):
        return pd.to_datetime(pd.Series(s)).dt.normalize().to_numpy().astype("datetime64[ns]").view("int64")
    all_dates = np.unique(day_numbers(positions["date"]))
    if days is not None and len(days):
        all_dates = np.unique(np.concatenate([all_dates, day_numbers(pd.Index(days).to_series())]))
    table = {(c, d): (a, cb) for c, d, a, cb in zip(
        p["code"].tolist(), day_numbers(p["date"]).tolist(), p["amount"].tolist(), p["cost_basis"].tolist())}

    def held(code, date):
        k = int(np.searchsorted(all_dates, date, side="left")) - 1
        if k < 0:
            return None          # no positions recorded before this day: nothing to check against
        return table.get((code, int(all_dates[k])), (0, float("nan")))
    return held


def _sync_holding(st: list[float], held) -> None:
    if held is None:
        return
    amount, cost_basis = held
    if amount == st[0]:
        return
    if amount <= 0:
        st[0], st[1] = 0.0, 0.0
    elif st[0] > 0:
        st[0] = float(amount)    # bonus shares or a split: the same money now buys more shares
    else:
        st[0], st[1] = float(amount), float(amount) * float(cost_basis)


# ---------------------------------------------------------------------------
# The metrics dict
# ---------------------------------------------------------------------------

def compute_metrics(portfolio: pd.DataFrame, benchmark: pd.DataFrame | None = None,
                    trades: pd.DataFrame | None = None, positions: pd.DataFrame | None = None,
                    risk_free: float = RISK_FREE, periods_per_year: int = PERIODS_PER_YEAR,
                    capital_base: float | None = None) -> dict[str, Any]:
    """Compute the backtest report's metrics; see ``docs/metrics.md`` for every definition.

    Parameters
    ----------
    portfolio : DataFrame
        Indexed by trading date, with ``total_value`` and ``returns`` (daily simple returns).
    benchmark : DataFrame, optional
        Same index, with ``returns``; all-NaN or missing gives NaN benchmark metrics.
    trades : DataFrame, optional
        One row per fill (``dt, code, side, amount, value, fees, order_id``).
    positions : DataFrame, optional
        End-of-day holdings (``date, code, amount, cost_basis``), used to follow corporate actions
        when matching sells to their cost.
    risk_free : float
        Annual risk-free rate for Sharpe, Sortino and alpha (default 0.04, as Ptrade/JoinQuant).
    periods_per_year : int
        Trading days a year (default 252).
    capital_base : float, optional
        Starting capital; by default derived from day 1 as ``total_value / (1 + returns)``.

    Returns
    -------
    dict
        Keys in ``METRIC_LABELS`` order; floats are Python floats, dates ``pandas.Timestamp`` or None.
    """
    r = portfolio["returns"].astype("float64")
    n = len(r)
    if benchmark is not None and "returns" in benchmark:
        rb = benchmark["returns"].astype("float64").reindex(r.index)
    else:
        rb = pd.Series(np.nan, index=r.index)
    has_bench = bool(rb.notna().any())
    ppy = float(periods_per_year)

    total = _compound(r)
    annual = _annualise(total, n, ppy)
    vol = _std(r) * math.sqrt(ppy)
    sharpe = _div(annual - risk_free, vol)

    below = r[r < r.mean()] - r.mean() if n else r
    downside = math.sqrt(ppy / n * float((below ** 2).sum())) if n else float("nan")
    sortino = _div(annual - risk_free, downside)

    nan = float("nan")
    bench_total = bench_annual = bench_vol = beta = alpha = excess = te = ir = excess_win = nan
    if has_bench:
        bench_total = _compound(rb)
        bench_annual = _annualise(bench_total, n, ppy)
        bench_vol = _std(rb) * math.sqrt(ppy)
        pair = pd.DataFrame({"r": r, "b": rb}).dropna()
        if len(pair) >= 2:
            var_b = float(np.var(pair["b"].to_numpy(), ddof=1))
            cov = float(np.cov(pair["r"].to_numpy(), pair["b"].to_numpy(), ddof=1)[0, 1])
            beta = _div(cov, var_b)
            alpha = annual - (risk_free + beta * (bench_annual - risk_free))
            te = _std(pair["r"] - pair["b"]) * math.sqrt(ppy)
            ir = _div(annual - bench_annual, te)
        excess = (1.0 + total) / (1.0 + bench_total) - 1.0
        excess_win = float((pair["r"] > pair["b"]).mean()) if len(pair) else nan

    mdd, mdd_start, mdd_end = max_drawdown(r)

    tv = portfolio["total_value"].astype("float64")
    if capital_base is None:
        capital_base = float(tv.iloc[0] / (1.0 + r.iloc[0])) if n else nan

    stock_trades = trades
    if trades is not None and "open_close" in trades:
        # Round trips are stock round trips: futures legs (open/close) are not buys and sells of holdings.
        stock_trades = trades[trades["open_close"].fillna("") == ""]
    stock_positions = positions
    if positions is not None and "side" in positions:
        stock_positions = positions[positions["side"].fillna("") == ""]
    closed = closed_trades(stock_trades, stock_positions, days=portfolio.index)
    pnl = closed["pnl"].dropna()
    wins, losses = pnl[pnl > 0], pnl[pnl < 0]
    gross_win, gross_loss = float(wins.sum()), float(-losses.sum())
    if len(pnl) == 0:
        pl_ratio = nan
    elif gross_loss == 0:
        pl_ratio = float("inf") if gross_win > 0 else nan
    else:
        pl_ratio = gross_win / gross_loss

    traded_value = float(trades["value"].sum()) if trades is not None and len(trades) else 0.0
    fees = float(trades["fees"].sum()) if trades is not None and len(trades) else 0.0
    turnover = _div(traded_value / 2.0, float(tv.mean())) if n else nan

    return {
        "start_date": r.index[0] if n else None,
        "end_date": r.index[-1] if n else None,
        "trading_days": n,
        "capital_base": float(capital_base),
        "final_value": float(tv.iloc[-1]) if n else nan,
        "total_return": total,
        "annual_return": annual,
        "benchmark_return": bench_total,
        "benchmark_annual_return": bench_annual,
        "excess_return": excess,
        "alpha": alpha,
        "beta": beta,
        "sharpe": sharpe,
        "sortino": sortino,
        "information_ratio": ir,
        "volatility": vol,
        "benchmark_volatility": bench_vol,
        "tracking_error": te,
        "max_drawdown": mdd,
        "max_drawdown_start": mdd_start,
        "max_drawdown_end": mdd_end,
        "daily_win_rate": excess_win if has_bench else (float((r > 0).mean()) if n else nan),
        "win_rate": float(len(wins) / len(pnl)) if len(pnl) else nan,
        "profit_loss_ratio": pl_ratio,
        "winning_trades": int(len(wins)),
        "losing_trades": int(len(losses)),
        "closed_trades": int(len(pnl)),
        "trade_count": int(len(trades)) if trades is not None else 0,
        "turnover": turnover,
        "annual_turnover": turnover * ppy / n if n else nan,
        "total_fees": fees,
        "risk_free": float(risk_free),
    }


def _compound(r: pd.Series) -> float:
    return float((1.0 + r.dropna()).prod() - 1.0) if r.notna().any() else float("nan")


def _annualise(total: float, n: int, ppy: float) -> float:
    if n == 0 or math.isnan(total):
        return float("nan")
    return float(max(1.0 + total, 0.0) ** (ppy / n) - 1.0)


def _std(x: pd.Series) -> float:
    x = x.dropna().to_numpy()
    return float(np.std(x, ddof=1)) if len(x) >= 2 else float("nan")


def _div(a: float, b: float) -> float:
    if b == 0 or math.isnan(b) or math.isnan(a):
        return float("nan")
    return float(a / b)


# ---------------------------------------------------------------------------
# Formatting (shared by the text table, the HTML report and _repr_html_)
# ---------------------------------------------------------------------------

def format_metric(key: str, value: Any) -> str:
    """The display text of one metric value, e.g. ``'12.34%'``, ``'1.203'``, ``'2024-01-31'``."""
    kind = METRIC_LABELS.get(key, ("", "", "ratio"))[2]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if kind == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if kind == "int":
        return f"{int(value):d}"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if kind == "pct":
        return f"{value * 100:.2f}%"
    if kind == "money":
        return f"{value:,.2f}"
    return f"{value:.3f}"


def metric_rows(metrics: dict[str, Any]) -> list[tuple[str, str]]:
    """``(label, text)`` pairs in display order; unknown keys follow, labelled by their key."""
    rows = []
    for key, value in metrics.items():
        zh, en, _ = METRIC_LABELS.get(key, (key, "", "ratio"))
        label = f"{zh} {en}" if en else zh
        rows.append((label, format_metric(key, value)))
    return rows
