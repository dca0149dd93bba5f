"""Turn a finished (or interrupted) Backtest into a :class:`ptrade_fast.result.Result`."""
from __future__ import annotations

import datetime as _dt
import platform

import numpy as np
import pandas as pd

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
    rets = close.pct_change()
    out["close"] = close.reindex(index)
    out["returns"] = rets.reindex(index)
    return out


def _orders(bt) -> pd.DataFrame:
    acct = bt.account
    rows = []
    for r in range(acct.book.n_orders):
        o = acct.order_object(r)
        rows.append((o.id, o.entrust_no, o.dt, o.sid, o.symbol, o.amount, o.filled, float(o.limit), o.status,
                     error_info(int(acct.book.reason[r]))))
    return pd.DataFrame(rows, columns=["id", "entrust_no", "dt", "code", "symbol", "amount", "filled", "limit",
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


def build_result(bt, seconds: float, complete: bool) -> Result:
    from . import __version__
    portfolio = _portfolio(bt)
    params = {
        "strategy": bt.strategy_path,
        "start": bt.days[0].isoformat(), "end": bt.days[-1].isoformat(),
        "frequency": bt.rt.frequency, "capital_base": bt.capital_base,
        "benchmark": bt.settings.benchmark, "settings": bt.settings.as_dict(),
        "options": {k: v for k, v in bt.options.items() if isinstance(v, (str, int, float, bool)) or v is None},
    }
    if bt.options.get("params"):
        params["params"] = dict(bt.options["params"])  # run(params=...) / sweep cell overrides
    meta = {
        "data_root": str(bt.store.root), "ptrade_fast": __version__, "python": platform.python_version(),
        "numpy": np.__version__, "pandas": pd.__version__, "seed": int(bt.options.get("seed", 0)),
        "complete": complete, "days_run": len(bt._records),
        "synthetic_data": list(getattr(bt.store, "meta", {}).get("synthetic", []))[:50]
        if isinstance(getattr(bt.store, "meta", {}).get("synthetic", None), list) else None,
        # Wall-clock time only on request: the same inputs must give byte-identical results.
        "created_at": _dt.datetime.now().replace(microsecond=0).isoformat() if bt.options.get("stamp_time") else None,
    }
    if bt.options.get("stamp_time"):
        meta["run_seconds"] = round(seconds, 3)
    result = Result(portfolio, _benchmark(bt, portfolio.index), _orders(bt), _trades(bt), _positions(bt),
                    _logs(bt), params, meta)
    result.run_seconds = seconds  # wall time: shown, never saved unless stamp_time=True
    return result
