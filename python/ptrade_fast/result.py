"""The outcome of one backtest: its tables, its metrics, and its results folder.

The engine builds a ``Result`` at the end of a run::

    Result(portfolio, benchmark, orders, trades, positions, logs, params, meta)

and users read it in pandas/Jupyter, save it, load it back and open its HTML report. The tables'
columns are listed in ``ptrade_fast.report.tables.SCHEMA``; the metric definitions in
``docs/metrics.md``.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from ptrade_fast.report import tables as _tables
from ptrade_fast.report.metrics import RISK_FREE, compute_metrics, metric_rows, monthly_returns_table

PathLike = str | os.PathLike


class Result:
    """A finished backtest, the local counterpart of Ptrade's backtest report.

    Parameters
    ----------
    portfolio : DataFrame
        Indexed by trading date (``date``): ``total_value, cash, positions_value, returns, pnl``.
        ``returns`` is the daily simple return of ``total_value``, day 1 against ``capital_base``.
    benchmark : DataFrame
        Same index: ``close, returns`` (all NaN when the benchmark has no data).
    orders, trades, positions, logs : DataFrame
        One row per order, per fill, per end-of-day holding and per log line (columns in
        ``report.tables.SCHEMA``). ``None`` stands for an empty table.
    bars : DataFrame, optional
        Daily ``open, high, low, close, volume`` of each security traded or held, one row per
        (``date``, ``code``): what the report's candlestick charts draw.
    params : dict
        How the run was asked for: strategy path, start, end, frequency, capital_base, benchmark,
        strategy settings. Kept as JSON-ready values (dates become ISO text).
    meta : dict
        How the run happened: data root (``data_root``, ``data_title``), the span run (``span``) and the
        span the data covers (``data_span``), which traded/held securities and which benchmark are
        synthetic (``synthetic_traded``, ``synthetic_benchmark``, ``synthetic_any``), package versions,
        seed, and created-at / run seconds when ``stamp_time`` was set.

    Every table is normalised to its canonical dtypes on construction, so ``Result.load(path)`` of a
    saved result gives back equal frames, dtypes and index included.
    """

    def __init__(self, portfolio: pd.DataFrame, benchmark: pd.DataFrame | None = None,
                 orders: pd.DataFrame | None = None, trades: pd.DataFrame | None = None,
                 positions: pd.DataFrame | None = None, logs: pd.DataFrame | None = None,
                 params: dict | None = None, meta: dict | None = None, bars: pd.DataFrame | None = None):
        self.portfolio = _tables.normalise("portfolio", portfolio)
        if benchmark is None:
            benchmark = pd.DataFrame({"close": float("nan"), "returns": float("nan")},
                                     index=self.portfolio.index)
        self.benchmark = _tables.normalise("benchmark", benchmark)
        self.orders = _tables.normalise("orders", orders)
        self.trades = _tables.normalise("trades", trades)
        self.positions = _tables.normalise("positions", positions)
        self.logs = _tables.normalise("logs", logs)
        self.bars = _tables.normalise("bars", bars)
        self.params: dict[str, Any] = _tables.jsonable(dict(params or {}))
        self.meta: dict[str, Any] = _tables.jsonable(dict(meta or {}))
        self.path: Path | None = None
        self.run_seconds: float = 0.0
        self._metrics: dict[str, Any] | None = None

    # -- Reading ------------------------------------------------------------

    @property
    def metrics(self) -> dict[str, Any]:
        """The report's metrics (computed once; see ``docs/metrics.md``).

        The risk-free rate is ``params['risk_free']`` when the run set one, else 4 %.
        """
        if self._metrics is None:
            capital = self.params.get("capital_base")
            self._metrics = compute_metrics(
                self.portfolio, self.benchmark, self.trades, self.positions,
                risk_free=float(self.params.get("risk_free", RISK_FREE)),
                capital_base=float(capital) if isinstance(capital, (int, float)) else None)
        return self._metrics

    @property
    def daily_returns(self) -> pd.Series:
        """Daily simple returns of ``total_value``, indexed by date."""
        return self.portfolio["returns"].copy()

    @property
    def monthly_returns(self) -> pd.DataFrame:
        """Compounded monthly returns: one row per year, columns 1..12."""
        return monthly_returns_table(self.portfolio["returns"])

    def summary(self) -> str:
        """The metrics as an aligned two-column text table."""
        from ptrade_fast.report.cli_support import format_metrics_table
        return format_metrics_table(self.metrics)

    def __repr__(self) -> str:
        m = self.metrics
        span = f"{_day(m['start_date'])}..{_day(m['end_date'])}"
        return (f"<Result {self.params.get('strategy', '?')} {span} days={m['trading_days']} "
                f"total_return={m['total_return']:.4f} trades={m['trade_count']}>")

    def _repr_html_(self) -> str:
        from ptrade_fast.report.html import metrics_table_html
        head = self.portfolio.head(10).to_html(float_format=lambda v: f"{v:,.4f}")
        return (f"<div><strong>ptrade_fast result</strong> {_escape(self.params.get('strategy', ''))}"
                f"{metrics_table_html(self.metrics)}<p>portfolio (first 10 days)</p>{head}</div>")

    # -- Results folder -----------------------------------------------------

    def save(self, path: PathLike) -> Path:
        """Write the results folder: one Parquet file per table, ``params.json``, ``meta.json`` and
        ``metrics.json`` (for reading only; ``load`` recomputes metrics). Returns the folder path.

        The same result saved twice gives the same bytes.  The folder is written beside ``path`` and renamed
        into place when complete (``report/folder.py``): a failed save leaves an older folder at ``path``
        intact, and an older folder's files (an old ``report.html``) never survive beside new ones.
        """
        from ptrade_fast.report.folder import write_folder

        def write_files(folder: Path):
            for name in _tables.TABLES:
                _tables.write_table(getattr(self, name), folder / f"{name}.parquet", name)
            _tables.write_json(self.params, folder / "params.json")
            _tables.write_json(self.meta, folder / "meta.json")
            _tables.write_json(self.metrics, folder / "metrics.json")

        folder = write_folder(Path(path), write_files)
        self.path = folder
        return folder

    @classmethod
    def load(cls, path: PathLike) -> Result:
        """Read a results folder written by ``save``; missing tables load as empty ones."""
        folder = Path(path)
        if not (folder / "portfolio.parquet").exists():
            raise FileNotFoundError(f"not a results folder (no portfolio.parquet): {folder}")
        self = cls.__new__(cls)
        for name in _tables.TABLES:
            setattr(self, name, _tables.read_table(folder / f"{name}.parquet", name))
        self.params = _tables.read_json(folder / "params.json")
        self.meta = _tables.read_json(folder / "meta.json")
        self.path = folder
        self.run_seconds = 0.0
        self._metrics = None
        return self

    def report(self, path: PathLike | None = None, open_browser: bool = False) -> Path:
        """Write the self-contained HTML report and return its path.

        Parameters
        ----------
        path : str or path, optional
            Where to write it. Default ``<results folder>/report.html`` for a saved or loaded result, else
            ``report.html`` in a fresh temporary folder (kept after the call, so it can be opened).
        open_browser : bool
            Also open the report in the default web browser.
        """
        from ptrade_fast.report.html import write_report
        if path is None:
            if self.path is not None:
                path = self.path / "report.html"
            else:
                import tempfile
                stem = Path(str(self.params.get("strategy") or "strategy")).stem or "strategy"
                path = Path(tempfile.mkdtemp(prefix=f"ptrade_fast-{stem}-")) / "report.html"
        written = write_report(self, path)
        if open_browser:
            import webbrowser
            webbrowser.open(written.resolve().as_uri())
        return written

    def provenance(self) -> list[tuple[str, str]]:
        """Where the prices came from, as ``(label, text)`` lines: the data root, the span run and the span
        the data covers, and the synthetic instruments among those traded, held or benchmarked.

        Read from ``meta`` (results saved before these keys existed give fewer lines).
        """
        meta, lines = self.meta, []
        root = meta.get("data_root")
        if root:
            title = meta.get("data_title")
            lines.append(("data", f"{root}" + (f" ({title})" if title else "")))
        span, data_span = meta.get("span"), meta.get("data_span")
        if span:
            text = f"{span[0]} … {span[1]} ({len(self.portfolio)} trading days, {self.params.get('frequency', '?')})"
            if data_span:
                text += f"; data covers {data_span[0]} … {data_span[1]}"
            lines.append(("span", text))
        if "synthetic_any" in meta:
            traded, bench = list(meta.get("synthetic_traded") or []), meta.get("synthetic_benchmark")
            if not meta["synthetic_any"]:
                lines.append(("synthetic", "none: every security traded, held or benchmarked has real prices"))
            else:
                parts = []
                if traded:
                    shown = ", ".join(traded[:10]) + (f" and {len(traded) - 10} more" if len(traded) > 10 else "")
                    parts.append(f"traded/held {shown}")
                if bench:
                    parts.append(f"benchmark {bench}")
                lines.append(("synthetic", "; ".join(parts) + " — generated prices, not market data"))
        return lines


def rebuild_report(results_dir: PathLike) -> Path:
    """Load a results folder and (re)write its ``report.html``; returns the report's path.

    This is ``ptrade-fast report RESULTS_DIR``.
    """
    return Result.load(results_dir).report()


def _day(value) -> str:
    return "?" if value is None else pd.Timestamp(value).strftime("%Y-%m-%d")


def _escape(value: Any) -> str:
    import html
    return html.escape(str(value))
