"""Turn a finished (or interrupted) Backtest into a :class:`ptrade_fast.result.Result`."""
from __future__ import annotations

import datetime as _dt
import platform

import numpy as np
import pandas as pd

from .data.codes import to_long
from .errors import error_info
from .result import Result

SCALE = 10000.0


def _portfolio(bt) -> pd.DataFrame:
    cols = ["date", "total_value", "cash", "positions_value", "returns", "pnl"]
    df = pd.DataFrame(bt._records, columns=cols)
    df["date"] = pd.to_datetime(df["date"])
    if bt.account.margin_enabled and len(bt._maintenance) == len(df):
        # 维持担保比例 at each day's close (inf without debt).
        df["maintenance_ratio"] = bt._maintenance
    return df.set_index("date")


def _benchmark(bt, index: pd.DatetimeIndex) -> pd.DataFrame:
    code = bt.settings.benchmark
    out = pd.DataFrame({"close": np.nan, "returns": np.nan}, index=index)
    if len(index) == 0:
        return out
    cal = bt.store.calendar
    pos = int(np.searchsorted(cal, np.datetime64(index[0].date(), "D")))
    start = cal[max(pos - 1, 0)].astype(object)
    try:
        close = bt.store.benchmark_close(code, start, index[-1].date())
    except (KeyError, ValueError, LookupError) as exc:
        bt.log.warning(f"benchmark {code}: no data ({exc}); benchmark series left empty")
        return out
    close = pd.Series(close, dtype=float)
    close.index = pd.to_datetime(close.index)
    rets = close.ffill().pct_change(fill_method=None)   # pct_change(pad), without the deprecated default
    out["close"] = close.reindex(index)
    out["returns"] = rets.reindex(index)
    return out


def _orders(bt) -> pd.DataFrame:
    """One row per order, as ``Account.order_object`` shows it, read column by column from the book."""
    acct = bt.account
    b = acct.book
    # An interrupt (Ctrl-C, SIGTERM) can land between the book adding an order and the account recording its id:
    # that order belongs to the unfinished day, which an interrupted run's results leave out anyway.
    n = min(b.n_orders, len(acct.order_ids), len(acct.order_dt), len(acct.order_ref))
    side = b.side[:n].astype(np.int64)
    codes = [str(c) for c in acct.codes[b.sid[:n]].tolist()]
    longs: dict = {}
    symbols = [longs[c] if c in longs else longs.setdefault(c, to_long(c)) for c in codes]
    limits = [float(raw / SCALE if raw else ref) for raw, ref in zip(b.limit_price[:n].tolist(), acct.order_ref)]
    texts: dict = {}
    infos = []
    for row, reason in enumerate(b.reason[:n].tolist()):
        info = texts[reason] if reason in texts else texts.setdefault(reason, error_info(reason))
        note = acct.order_notes.get(row)
        if note:
            info = f"{note}; {info}" if info else note
        infos.append(info)
    return pd.DataFrame({"id": acct.order_ids[:n], "entrust_no": [str(e) for e in b.entrust_no[:n].tolist()],
                         "dt": acct.order_dt[:n], "code": codes, "symbol": symbols,
                         "amount": (side * b.amount[:n]).tolist(), "filled": (side * b.filled[:n]).tolist(),
                         "limit": limits, "status": [chr(c) for c in b.status[:n].tolist()], "error_info": infos},
                        columns=["id", "entrust_no", "dt", "code", "symbol", "amount", "filled", "limit",
                                 "status", "error_info"])


def _trades(bt) -> pd.DataFrame:
    acct = bt.account
    rows = []
    for t in acct.trades:
        tid, row, dt, sid, side, qty, price, value, c, h, tr, st = t
        rows.append((tid, acct.order_ids[row], str(int(acct.book.entrust_no[row])), dt, str(acct.codes[sid]),
                     "买" if side > 0 else "卖", qty, price / SCALE, value / SCALE, c / SCALE, h / SCALE,
                     tr / SCALE, st / SCALE, (c + h + tr + st) / SCALE, acct.open_close(row)))
    df = pd.DataFrame(rows, columns=["trade_id", "order_id", "entrust_no", "dt", "code", "side", "amount", "price",
                                     "value", "commission", "handling_fee", "transfer_fee", "stamp_duty", "fees",
                                     "open_close"])
    if bt._divtax is not None:
        # 差别化红利税 charged at each sale (not part of the trading fees).
        df["dividend_tax"] = [bt._trade_tax.get(t, 0) / SCALE for t in df["trade_id"]]
    return df


def _positions(bt) -> pd.DataFrame:
    # Futures legs are rows of their own: side 'long'/'short', amount signed (short < 0), market_value =
    # margin + floating P&L; stock rows have side ''.
    df = pd.DataFrame(bt._pos_records, columns=["date", "code", "amount", "enable_amount", "cost_basis",
                                                "last_sale_price", "market_value", "side"])
    df["date"] = pd.to_datetime(df["date"])
    return df


def _logs(bt) -> pd.DataFrame:
    return pd.DataFrame(bt.log.records, columns=["dt", "level", "message"])


# Options that change how a run is driven, not what it computes: left out of the results so that a resumed
# or time-limited run's results equal an uninterrupted run's byte for byte.
_DRIVER_OPTIONS = {"checkpoint_every", "checkpoint_dir", "callback_timeout"}


def _through(df: pd.DataFrame, column: str, last_day) -> pd.DataFrame:
    if last_day is None or len(df) == 0:
        return df.iloc[:0] if last_day is None else df
    keep = pd.to_datetime(df[column]).dt.date <= last_day
    return df[keep.to_numpy()].reset_index(drop=True)


def _codes_touched(orders: pd.DataFrame, trades: pd.DataFrame, positions: pd.DataFrame) -> list[str]:
    codes = set(trades["code"]) | set(positions["code"]) | set(orders["code"])
    return sorted(str(c) for c in codes if c)


def provenance(bt, days: pd.DatetimeIndex, orders, trades, positions) -> dict:
    """Where the run's prices came from: the data root, the span run and the span the data covers, and
    which instruments the run traded, held or benchmarked against are synthetic (generated prices)."""
    store = bt.store
    inst = store.instruments
    synthetic = inst.index[inst["synthetic"].fillna(False).astype(bool)] if "synthetic" in inst else []
    synthetic = set(str(c) for c in synthetic)
    bench = bt.settings.benchmark
    touched = _codes_touched(orders, trades, positions)
    meta_title = store.meta.get("title") if isinstance(getattr(store, "meta", None), dict) else None
    if bt.rt.frequency == "1m":
        avail = store.minute_dates
        data_span = [str(avail[0]), str(avail[-1])] if len(avail) else None
    else:
        from .data.span import data_span as _span
        data_span = [str(d) for d in _span(store, "1d")]
    return {
        "data_title": meta_title,
        "data_span": data_span,
        "span": [days[0].date().isoformat(), days[-1].date().isoformat()] if len(days) else None,
        "synthetic_traded": [c for c in touched if c in synthetic],
        "synthetic_benchmark": bench if bench in synthetic else None,
        "synthetic_any": bool(bench in synthetic or any(c in synthetic for c in touched)),
    }


def _bars(bt, days: pd.DatetimeIndex, trades: pd.DataFrame, positions: pd.DataFrame) -> pd.DataFrame:
    """Daily OHLC and volume of every security the run traded or held, over the run's days: what the
    report's per-security candlestick charts draw (daily candles for minute runs too)."""
    cols = ["date", "code", "open", "high", "low", "close", "volume"]
    codes = sorted(set(map(str, trades["code"])) | set(map(str, positions["code"])))
    codes = [c for c in codes if bt.store.sid(c) >= 0]
    if not codes or len(days) == 0:
        return pd.DataFrame({c: [] for c in cols})
    sids = bt.store.sids(codes)
    dates, rows = bt.store.daily_range(sids, ("open", "high", "low", "close", "volume", "is_open"),
                                       days[0].date(), days[-1].date())
    n = len(dates)
    # Code-major (codes sorted and unique, dates ascending): the rows come out ordered by (code, date).
    keep = (rows["is_open"].T.reshape(-1) > 0) & np.isfinite(rows["close"].T.reshape(-1))
    frame = pd.DataFrame({
        "date": np.tile(pd.to_datetime(dates).to_numpy(), len(codes))[keep],
        "code": np.repeat(np.asarray(codes, dtype=object), n)[keep],
        **{f: rows[f].T.reshape(-1)[keep].astype(float) for f in ("open", "high", "low", "close", "volume")},
    })
    return frame


def build_result(bt, seconds: float, complete: bool, stop_reason: str | None = None) -> Result:
    """The run's :class:`Result`.  ``stop_reason`` marks an unfinished run; an interrupted run (anything but a
    strategy error) keeps only the trading days that finished, so no half day reaches the results."""
    from . import __version__
    portfolio = _portfolio(bt)
    params = {
        "strategy": bt.strategy_path,
        "start": bt.days[0].isoformat(), "end": bt.days[-1].isoformat(),
        "frequency": "tick" if getattr(bt, "tick", None) is not None else bt.rt.frequency,
        "capital_base": bt.capital_base,
        "benchmark": bt.settings.benchmark, "settings": bt.settings.as_dict(),
        "options": {k: v for k, v in bt.options.items()
                    if (isinstance(v, (str, int, float, bool)) or v is None) and k not in _DRIVER_OPTIONS},
    }
    if bt.options.get("params"):
        params["params"] = dict(bt.options["params"])  # run(params=...) / sweep cell overrides
    orders, trades, positions = _orders(bt), _trades(bt), _positions(bt)
    meta = {
        "data_root": str(bt.store.root), "ptrade_fast": __version__, "python": platform.python_version(),
        "numpy": np.__version__, "pandas": pd.__version__, "seed": int(bt.options.get("seed", 0)),
        "complete": complete, "days_run": len(bt._records),
        **provenance(bt, portfolio.index, orders, trades, positions),
        # Wall-clock time only on request: the same inputs must give byte-identical results.
        "created_at": _dt.datetime.now().replace(microsecond=0).isoformat() if bt.options.get("stamp_time") else None,
    }
    if bt.options.get("stamp_time"):
        meta["run_seconds"] = round(seconds, 3)
    logs = _logs(bt)
    if not complete and stop_reason is not None:
        meta["stop_reason"] = stop_reason
        if stop_reason != "strategy error":
            last = bt._records[-1][0] if bt._records else None
            orders, trades, logs = (_through(orders, "dt", last), _through(trades, "dt", last),
                                    _through(logs, "dt", last))
    result = Result(portfolio, _benchmark(bt, portfolio.index), orders, trades, positions,
                    logs, params, meta, bars=_bars(bt, portfolio.index, trades, positions))
    result.run_seconds = seconds  # wall time: shown, never saved unless stamp_time=True
    return result
