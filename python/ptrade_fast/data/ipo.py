"""The IPO calendar of a data root: ``ipo.parquet`` (optional; docs/data-format.md, *ipo.parquet*).

One row per new issue: ``code`` (the stock, with suffix), ``subscription_code`` (the code subscribed: SSE
issues have their own 7xxxxx codes, SZSE issues use the stock code), ``name``, ``exchange`` ('SSE'/'SZSE'),
``board`` ('SH_main', 'STAR', 'SZ_main', 'ChiNext'), ``subscription_date`` (T), ``issue_price`` (CNY),
``max_subscription`` (shares an account may subscribe at most), ``lottery_rate`` (fraction of the subscribed
units that win, e.g. 0.0004 = 0.04 %), ``payment_date`` (usually T+2), ``listing_date`` (the stock's first bar).

``read_ipo_calendar(root)`` validates and returns the table (``None`` when the root has none);
``write_ipo_calendar(root, frame)`` validates and writes it atomically; ``subscription_code(code)`` gives the
usual subscription code of a stock code.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from .format import write_table_atomic

FILE = "ipo.parquet"
BOARDS = ("SH_main", "STAR", "SZ_main", "ChiNext")
SCHEMA = pa.schema([
    ("code", pa.string()), ("subscription_code", pa.string()), ("name", pa.string()), ("exchange", pa.string()),
    ("board", pa.string()), ("subscription_date", pa.date32()), ("issue_price", pa.float64()),
    ("max_subscription", pa.int64()), ("lottery_rate", pa.float64()), ("payment_date", pa.date32()),
    ("listing_date", pa.date32()),
])
_DATES = ("subscription_date", "payment_date", "listing_date")
# SSE subscription-code prefixes by stock-code prefix (the 7xx 申购代码 ranges); SZSE subscribes the stock code.
_SSE_PREFIX = {"600": "730", "601": "780", "603": "732", "605": "707", "688": "787"}


def subscription_code(code: str) -> str:
    """The subscription code of a new stock: ``'603xxx.SS'`` → ``'732xxx.SS'``, ``'300xxx.SZ'`` unchanged."""
    six, _, suffix = code.partition(".")
    if suffix == "SS":
        prefix = _SSE_PREFIX.get(six[:3])
        if prefix is None:
            raise ValueError(f"{code}: no SSE subscription-code range for prefix {six[:3]}")
        return f"{prefix}{six[3:]}.SS"
    return code


def validate_ipo_calendar(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """Check the columns and each row; returns the frame sorted by (subscription_date, code).

    Raises ``ValueError`` naming ``where`` (the file), the row, the code and the problem.
    """
    missing = [f.name for f in SCHEMA if f.name not in frame.columns]
    if missing:
        raise ValueError(f"{where}: missing column(s) {missing}; expected {SCHEMA.names}")
    extra = [c for c in frame.columns if c not in SCHEMA.names]
    if extra:
        raise ValueError(f"{where}: unknown column(s) {extra}; expected {SCHEMA.names}")
    df = frame[SCHEMA.names].copy()
    for c in _DATES:
        df[c] = pd.to_datetime(df[c]).dt.date
    for i, r in enumerate(df.itertuples(index=False)):
        problem = None
        if r.exchange not in ("SSE", "SZSE"):
            problem = f"exchange must be 'SSE' or 'SZSE', was {r.exchange!r}"
        elif r.board not in BOARDS:
            problem = f"board must be one of {BOARDS}, was {r.board!r}"
        elif (r.exchange == "SSE") != (r.board in ("SH_main", "STAR")):
            problem = f"board {r.board} is not on {r.exchange}"
        elif not (np.isfinite(r.issue_price) and r.issue_price > 0):
            problem = f"issue_price must be positive, was {r.issue_price}"
        elif not r.max_subscription > 0:
            problem = f"max_subscription must be positive, was {r.max_subscription}"
        elif not (0.0 <= r.lottery_rate <= 1.0):
            problem = f"lottery_rate is a fraction in [0, 1], was {r.lottery_rate}"
        elif not (r.subscription_date < r.payment_date <= r.listing_date):
            problem = (f"dates must satisfy subscription_date < payment_date <= listing_date, were "
                       f"{r.subscription_date}, {r.payment_date}, {r.listing_date}")
        if problem:
            raise ValueError(f"{where}: row {i} ({r.code}): {problem}")
    if df["code"].duplicated().any():
        dup = df.loc[df["code"].duplicated(), "code"].iloc[0]
        raise ValueError(f"{where}: {dup} appears twice")
    return df.sort_values(["subscription_date", "code"], kind="stable").reset_index(drop=True)


def read_ipo_calendar(root) -> pd.DataFrame | None:
    """The validated IPO calendar of ``root``, or ``None`` when the root has no ``ipo.parquet``."""
    path = Path(root) / FILE
    if not path.is_file():
        return None
    return validate_ipo_calendar(pd.read_parquet(path), str(path))


def write_ipo_calendar(root, frame: pd.DataFrame) -> Path:
    """Validate ``frame`` and write it as ``root/ipo.parquet`` (atomic)."""
    path = Path(root) / FILE
    df = validate_ipo_calendar(frame, str(path))
    write_table_atomic(pa.Table.from_pandas(df, schema=SCHEMA, preserve_index=False), path)
    return path
