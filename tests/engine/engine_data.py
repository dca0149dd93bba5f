"""Small constructed data roots for engine scenarios (written in the documented on-disk format)."""
from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ptrade_fast.data.codes import classify, exchange_of
from ptrade_fast.engine.runner import BAR_TIMES, Backtest
from ptrade_fast.rules import instruments as inst_rules
from ptrade_fast.rules import limits


def weekdays(start: str, n: int) -> list[dt.date]:
    d = dt.date.fromisoformat(start)
    out = []
    while len(out) < n:
        if d.weekday() < 5:
            out.append(d)
        d += dt.timedelta(days=1)
    return out


def make_root(tmp_path: Path, days: list[dt.date], daily: dict[str, list[dict]],
              minutes: dict[dt.date, dict[str, list[tuple]]] | None = None) -> Path:
    """Write a data root.

    ``daily[code]`` is a list (one per day of ``days``) of dicts with ``close`` and optionally
    ``open, high, low, volume, money, is_open``, or ``None`` for "no row" (not listed yet).
    ``minutes[day][code]`` is a list of 240 ``(open, high, low, close, volume)`` tuples.
    """
    root = tmp_path / "root"
    (root / "daily").mkdir(parents=True)
    pq.write_table(pa.table({"date": pa.array(days, pa.date32())}), root / "calendar.parquet")
    rows = []
    inst_rows = []
    for code, bars in daily.items():
        typ = classify(code)
        exch = exchange_of(code)
        rule = inst_rules.current(typ, exch)
        prev = None
        first = None
        for day, b in zip(days, bars):
            if b is None:
                continue
            first = first or day
            c = float(b["close"])
            o = float(b.get("open", c))
            h = float(b.get("high", max(o, c)))
            low_ = float(b.get("low", min(o, c)))
            vol = int(b.get("volume", 1_000_000))
            is_open = int(b.get("is_open", 1 if vol > 0 else 0))
            pre = float(b.get("preclose", prev if prev is not None else np.nan))
            ratio = limits.limit_ratio(np.array([typ], dtype=object), np.array([day], dtype="datetime64[D]"))[0]
            hi, lo = limits.limit_prices(pre, ratio, rule.tick)
            rows.append(dict(code=code, date=day, open=o, high=h, low=low_, close=c, volume=vol,
                             money=float(b.get("money", vol * c)), preclose=pre, high_limit=hi, low_limit=lo,
                             is_open=is_open))
            prev = c
        has_minute = bool(minutes) and any(code in m for m in minutes.values())
        inst_rows.append(dict(code=code, name=code, type=typ, exchange=exch, board=None, list_date=first,
                              delist_date=None, lot=rule.lot, min_buy=rule.min_buy, tick=rule.tick,
                              price_decimals=rule.decimals, t_plus=rule.t_plus, stamp_tax=rule.stamp,
                              fee_class=rule.fee_class, is_valid=True, has_daily=True, has_minute=has_minute,
                              daily_start=first, daily_end=days[-1], synthetic=True, source="test"))
    df = pd.DataFrame(rows)
    df["is_open"] = df["is_open"].astype("uint8")
    for year, part in df.groupby(pd.to_datetime(df["date"]).dt.year):
        pq.write_table(pa.Table.from_pandas(part.reset_index(drop=True), preserve_index=False),
                       root / "daily" / f"{year}.parquet")
    inst = pd.DataFrame(inst_rows)
    for col in ("list_date", "delist_date", "daily_start", "daily_end"):
        inst[col] = pd.to_datetime(inst[col])
    pq.write_table(pa.Table.from_pandas(inst, preserve_index=False), root / "instruments.parquet")
    mdays = []
    for day, per_code in (minutes or {}).items():
        mrows = []
        for code, bars in per_code.items():
            assert len(bars) == 240
            for t, (o, h, l_, c, v) in zip(BAR_TIMES, bars):
                mrows.append(dict(code=code, datetime=dt.datetime.combine(day, t), open=float(o), high=float(h),
                                  low=float(l_), close=float(c), volume=int(v), money=float(v * c)))
        folder = root / "minute" / f"{day.year}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pandas(pd.DataFrame(mrows), preserve_index=False),
                       folder / f"{day.isoformat()}.parquet")
        mdays.append(day.isoformat())
    empty_ex = pd.DataFrame({"code": pd.Series(dtype=str), "ex_date": pd.Series(dtype="datetime64[ns]"),
                             **{c: pd.Series(dtype=float) for c in ("cash_dividend", "bonus_ratio",
                                "conversion_ratio", "rights_ratio", "rights_price")},
                             "total_shares": pd.Series(dtype="int64"), "float_shares": pd.Series(dtype="int64"),
                             "has_action": pd.Series(dtype=bool)})
    pq.write_table(pa.Table.from_pandas(empty_ex, preserve_index=False), root / "ex_rights.parquet")
    pq.write_table(pa.table({"index_code": pa.array([], pa.string()), "code": pa.array([], pa.string()),
                             "start_date": pa.array([], pa.date32()), "end_date": pa.array([], pa.date32())}),
                   root / "index_members.parquet")
    pq.write_table(pa.table({"category": pa.array([], pa.string()), "block": pa.array([], pa.string()),
                             "code": pa.array([], pa.string())}), root / "blocks.parquet")
    meta = {"format_version": 1, "calendar": [days[0].isoformat(), days[-1].isoformat()],
            "daily_years": sorted({d.year for d in days}), "minute_days": mdays,
            "synthetic": {"seed": 0, "codes": list(daily)}, "index_members": {"kind": "snapshot"},
            "sources": "constructed test data", "notes": ""}
    (root / "meta.json").write_text(json.dumps(meta))
    return root


def flat_minutes(price: float, volume: int = 10_000) -> list[tuple]:
    return [(price, price, price, price, volume)] * 240


def backtest(src: str, root: Path, **kw) -> Backtest:
    """Run ``src`` (strategy source text) on ``root``; return the finished Backtest."""
    kw.setdefault("benchmark", None)
    opts = kw.pop("options", {})
    bt = Backtest(textwrap.dedent(src).strip() + "\n", data=root, options={"slippage": 0.0, **opts}, **kw)
    bt.run()
    return bt
