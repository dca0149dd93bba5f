"""Checks made where data is read: a year or day file is checked once, when it is first loaded.

A run stops on the first failed check with the file, row, code and check named (``DataError``), unless the
run's ``data_checks`` option says ``'warn'`` (log it and go on) or ``'off'``.  ``ptrade-fast data validate``
runs the same checks over every file (plus slower cross-checks), so a root that validates clean never stops a
run.  The checks are vectorised over the whole file (a few array passes; docs/data-format.md, "Checks").

Checks on bar files (``daily/YYYY.parquet``, ``minute/YYYY/DAY.parquet``):

``price``      a NaN, infinite or non-positive open/high/low/close on a traded bar (daily ``is_open`` 1; every
               minute row)
``ohlc``       high below low, or open/close outside [low, high]
``range``      a price outside (0, 1e5] CNY — beyond any A-share, fund, index or futures price, so a unit or
               decimal-point error in the source
``volume``     negative volume or money
``duplicate``  two rows of one code for one date (daily) or one bar time (minute)
``unsorted``   bar times of a code not increasing
Root-level: ``format`` (an unknown ``format_version``) and ``missing`` (a year file absent inside the span of
years the root declares).
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from .._core.datacheck import bars_first_bad, first_negative
from ..errors import DataError

FORMAT_VERSIONS = (1,)
MAX_PRICE = 1e5
MODES = ("error", "warn", "off")


class CheckFailure(DataError):
    """A data check failed: ``file``, ``row`` (0-based, or None), ``code``, ``check``."""

    def __init__(self, message, file, row, code, check):
        super().__init__(message)
        self.file, self.row, self.code, self.check = file, row, code, check


def _col(table, name):
    if name not in table.column_names:
        return None
    return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=float)


def _clean_prices(o, h, l, c) -> bool:
    """The common case: every price finite, positive and in range, and OHLC in order — one pass of a kernel
    over the rows (``_core.datacheck``); a file that fails is examined row by row by :func:`bar_findings`."""
    return bars_first_bad(o, h, l, c, MAX_PRICE) < 0


def bar_findings(table, kind: str, order_checked: bool = False, values=None):
    """Every failed check of one bar file as ``(check, row, message)``, cheapest tests first.

    ``kind`` is ``'daily'`` or ``'minute'``; ``order_checked`` skips the duplicate/unsorted test when the caller
    already knows the file's rows are one complete, time-ordered block per code (the store's fast path);
    ``values`` ({field: float array}) are the columns already converted by the caller."""
    out = []
    n = table.num_rows
    if n == 0:
        return out
    get = (lambda f: values[f]) if values is not None else (lambda f: _col(table, f))
    o, h, l, c = (get(f) for f in ("open", "high", "low", "close"))
    if kind == "daily" and "is_open" in table.column_names:
        traded = np.asarray(table.column("is_open").to_numpy(zero_copy_only=False)).astype(bool)
    else:
        traded = None
    sel = (lambda a: a) if traded is None else (lambda a: a[traded])
    if not (traded is not None and not traded.any()) and not _clean_prices(sel(o), sel(h), sel(l), sel(c)):
        out.extend(_price_findings(o, h, l, c, traded))
    for f in ("volume", "money"):
        if f not in table.column_names:
            continue
        raw = values[f] if values is not None and f in values else \
            np.asarray(table.column(f).to_numpy(zero_copy_only=False))
        if raw.dtype == np.int64:
            r = first_negative(raw)                        # integer volume: no float copy of 1.3 M rows
        else:
            v = raw if raw.dtype == np.float64 else raw.astype(float)
            r = int(np.flatnonzero(v < 0)[0]) if v.size and v.min() < 0 else -1   # NaN is not negative
        if r >= 0:
            out.append(("volume", int(r), f"negative {f} {float(raw[r])}"))
    key_col = "date" if kind == "daily" else "datetime"
    if key_col in table.column_names and not order_checked:
        out.extend(_order_findings(table, kind, key_col, n))
    return out


def price_problems(o, h, l, c, traded=None) -> dict:
    """Row masks of the price checks, shared by the load-time checks and ``data validate``:

    ``price`` a non-positive price on any row, or a NaN / infinite one on a traded row; ``range`` a price above
    ``MAX_PRICE`` on a traded row; ``ohlc`` high below low or open/close outside [low, high] (rows already
    flagged ``price`` excluded).  ``traded`` None means every row traded."""
    t = np.ones(len(o), bool) if traded is None else traded
    with np.errstate(invalid="ignore"):
        price = ((o <= 0) | (h <= 0) | (l <= 0) | (c <= 0)
                 | (t & ~(np.isfinite(o) & np.isfinite(h) & np.isfinite(l) & np.isfinite(c))))
        high = t & ((o > MAX_PRICE) | (h > MAX_PRICE) | (l > MAX_PRICE) | (c > MAX_PRICE))
        tol = 1e-9 * np.abs(h)
        ohlc = ((h < l - tol) | (o > h + tol) | (o < l - tol) | (c > h + tol) | (c < l - tol)) & ~price
    return {"price": price, "range": high, "ohlc": ohlc}


def _price_findings(o, h, l, c, traded):
    masks = price_problems(o, h, l, c, traded)
    out = []
    for check, mask in masks.items():
        rows = np.flatnonzero(mask)
        if not rows.size:
            continue
        r = int(rows[0])
        if check == "price":
            msg = f"a NaN or non-positive price on a traded bar (open {o[r]}, high {h[r]}, low {l[r]}, close {c[r]})"
        elif check == "range":
            msg = f"a price above {MAX_PRICE:,.0f} CNY (close {c[r]}): a unit or decimal error?"
        else:
            msg = f"OHLC out of order (open {o[r]}, high {h[r]}, low {l[r]}, close {c[r]})"
        out.append((check, r, msg))
    return out


def _order_findings(table, kind, key_col, n):
    out = []
    codes = table.column("code").combine_chunks()
    if not pa.types.is_dictionary(codes.type):
        codes = codes.dictionary_encode()
    idx = np.asarray(codes.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    t = np.asarray(table.column(key_col).to_numpy()).astype("datetime64[m]").astype(np.int64)
    order = np.lexsort((t, idx))
    same_code = idx[order][1:] == idx[order][:-1]
    dup = same_code & (t[order][1:] == t[order][:-1])
    if dup.any():
        k = int(np.flatnonzero(dup)[0])
        r = int(order[k + 1])
        out.append(("duplicate", r, f"a second row for the same {'date' if kind == 'daily' else 'bar time'} "
                                    f"(first at row {int(order[k])})"))
    if kind == "minute":
        # Rows of one code must come in time order within the file.
        back = same_code & (order[1:] < order[:-1]) & ~dup
        if back.any():
            k = int(np.flatnonzero(back)[0])
            out.append(("unsorted", int(order[k]), "bar times of the code are not increasing in the file"))
    return out


def code_at(table, row):
    if row is None:
        return None
    return str(table.column("code")[row].as_py())


def check_bar_file(table, path, kind: str, mode: str, log=None, order_checked: bool = False, values=None) -> None:
    """Run :func:`bar_findings` on a file being loaded; act on ``mode`` (error / warn / off)."""
    if mode == "off":
        return
    findings = bar_findings(table, kind, order_checked, values)
    if not findings:
        return
    check, row, message = findings[0]
    code = code_at(table, row)
    date_col = "date" if kind == "daily" else "datetime"
    when = table.column(date_col)[row].as_py() if row is not None and date_col in table.column_names else None
    text = (f"{path}: row {row}: {code}{' ' + str(when)[:19] if when is not None else ''}: data check '{check}' "
            f"failed: {message}" + (f" (+{len(findings) - 1} more findings in this file)" if len(findings) > 1 else "")
            + "; fix the data (ptrade-fast data validate lists every finding) or run with data_checks='warn'")
    if mode == "warn":
        if log is not None:
            log(text)
        return
    raise CheckFailure(text, str(path), row, code, check)


def check_format(meta: dict, root) -> None:
    """Refuse a root whose ``format_version`` this version does not read."""
    v = meta.get("format_version")
    if v not in FORMAT_VERSIONS:
        raise DataError(f"data root {root} has format_version {v!r}; this ptrade_fast reads "
                        f"{', '.join(map(str, FORMAT_VERSIONS))} (meta.json)")
