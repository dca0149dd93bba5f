"""The snapshot store: 3-second Level-1 snapshots with five-level books, and the optional tick-by-tick trades
(逐笔成交) and orders (逐笔委托) of a day, read into typed NumPy arrays (docs/data-format.md, "ticks/").

Files, one day each (``day`` = ``YYYY-MM-DD``)::

    ticks/YYYY/<day>.parquet           snapshots   (required for a tick day)
    ticks/YYYY/<day>.trades.parquet    transactions (optional)
    ticks/YYYY/<day>.orders.parquet    entrusts     (optional)

Every file's schema metadata holds ``books`` (per code: ``recorded`` | ``reconstructed`` | ``synthetic``,
where its five-level books came from) and ``source`` (per code), as JSON objects.  :func:`read_tick_day` loads one day for a set of codes: no
Python object per snapshot, prices as ``int64`` in ``model.units`` raw units (1e-4 CNY), rows grouped by
code (``start[k]:start[k+1]`` are the rows of the k-th code, sorted by time).  Memory is that of the
requested codes' rows of one day.
"""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import DataError
from ..model.units import SCALE
from .format import write_table_atomic

LEVELS = 5
BOOK_KINDS = ("recorded", "reconstructed", "synthetic")

# trade_status values (docs/ptrade-api.md §E.7); stored as strings, read as uint8 indexes into this tuple.
STATUSES = ("START", "PRETR", "OCALL", "TRADE", "HALT", "SUSP", "BREAK", "POSTR", "ENDTR", "STOPT", "DELISTED",
            "POSMT", "PCALL", "INIT", "ENDPT", "POSSP")
_STATUS_INDEX = {s: i for i, s in enumerate(STATUSES)}

PRICE_COLUMNS = ("last_px", "open_px", "high_px", "low_px", "preclose_px", "up_px", "down_px")
BOOK_PRICE_COLUMNS = tuple(f"{side}_px{i}" for side in ("bid", "offer") for i in range(1, LEVELS + 1))
BOOK_VOLUME_COLUMNS = tuple(f"{side}_vol{i}" for side in ("bid", "offer") for i in range(1, LEVELS + 1))
BOOK_COUNT_COLUMNS = tuple(f"{side}_cnt{i}" for side in ("bid", "offer") for i in range(1, LEVELS + 1))
# Optional columns and their default when a file lacks them.
SNAPSHOT_OPTIONAL_INT = ("business_count", "business_amount_in", "business_amount_out", "total_bidqty",
                         "total_offerqty") + BOOK_COUNT_COLUMNS

SNAPSHOT_SCHEMA = pa.schema(
    [("code", pa.string()), ("time", pa.timestamp("ms")), ("trade_status", pa.string())]
    + [(c, pa.float64()) for c in PRICE_COLUMNS]
    + [("business_amount", pa.int64()), ("business_balance", pa.float64())]
    + [(c, pa.int64()) for c in SNAPSHOT_OPTIONAL_INT[:5]]
    + [(c, pa.float64()) for c in BOOK_PRICE_COLUMNS]
    + [(c, pa.int64()) for c in BOOK_VOLUME_COLUMNS]
    + [(c, pa.int64()) for c in BOOK_COUNT_COLUMNS])

TRADE_SCHEMA = pa.schema([
    ("code", pa.string()), ("time", pa.timestamp("ms")), ("trade_index", pa.int64()), ("price", pa.float64()),
    ("volume", pa.int64()), ("direction", pa.int8()), ("buy_no", pa.int64()), ("sell_no", pa.int64()),
    ("trans_flag", pa.int8()), ("channel_num", pa.int32()),
])
ORDER_SCHEMA = pa.schema([
    ("code", pa.string()), ("time", pa.timestamp("ms")), ("order_no", pa.int64()), ("price", pa.float64()),
    ("volume", pa.int64()), ("direction", pa.int8()), ("trans_kind", pa.int8()),
])
_REQUIRED = {
    "snapshots": ("code", "time", "last_px", "open_px", "high_px", "low_px", "preclose_px", "up_px", "down_px",
                  "business_amount", "business_balance") + BOOK_PRICE_COLUMNS + BOOK_VOLUME_COLUMNS,
    "trades": ("code", "time", "price", "volume", "direction"),
    "orders": ("code", "time", "order_no", "price", "volume", "direction"),
}
_SCHEMAS = {"snapshots": SNAPSHOT_SCHEMA, "trades": TRADE_SCHEMA, "orders": ORDER_SCHEMA}
_SUFFIX = {"snapshots": "", "trades": ".trades", "orders": ".orders"}


def tick_path(root, day, kind: str = "snapshots") -> Path:
    """The file of ``kind`` ('snapshots' | 'trades' | 'orders') for trading day ``day`` in ``root``."""
    d = str(np.datetime64(day, "D"))
    return Path(root) / "ticks" / d[:4] / f"{d}{_SUFFIX[kind]}.parquet"


def tick_dates(root) -> np.ndarray:
    """The trading days with a snapshot file in ``root`` (``datetime64[D]``, sorted)."""
    tdir = Path(root) / "ticks"
    if not tdir.is_dir():
        return np.array([], dtype="datetime64[D]")
    days = sorted(p.name[:10] for p in tdir.glob("*/*.parquet") if len(p.name) == len("YYYY-MM-DD.parquet"))
    return np.array(days, dtype="datetime64[D]")


def ms_of_day(times: np.ndarray) -> np.ndarray:
    """Milliseconds after midnight of ``datetime64`` values (the store's time axis within a day)."""
    t = np.asarray(times).astype("datetime64[ms]")
    return (t - t.astype("datetime64[D]")).astype(np.int64)


def session_status(ms: np.ndarray, closing_call: bool = True) -> np.ndarray:
    """The ``trade_status`` (as :data:`STATUSES` indexes) of an A-share day by time: before 09:30 OCALL,
    11:30–13:00 BREAK, 14:57–15:00 PCALL (where the exchange had a closing call auction), from 15:00 ENDTR,
    else TRADE.  Used where the source records no status (reconstructed and synthetic books)."""
    ms = np.asarray(ms, np.int64)
    out = np.full(len(ms), _STATUS_INDEX["TRADE"], np.uint8)
    h = 3_600_000
    out[ms < 9.5 * h] = _STATUS_INDEX["OCALL"]
    out[(ms > 11.5 * h) & (ms < 13 * h)] = _STATUS_INDEX["BREAK"]
    if closing_call:
        out[(ms >= 14 * h + 57 * 60_000) & (ms < 15 * h)] = _STATUS_INDEX["PCALL"]
    out[ms >= 15 * h] = _STATUS_INDEX["ENDTR"]
    return out


def closing_call(code: str, day) -> bool:
    """Whether the exchange of ``code`` ran a 14:57–15:00 closing call auction on ``day`` (SZSE since
    2006-07-01, SSE since 2018-08-20; docs/market-rules.md)."""
    d = np.datetime64(day, "D")
    return d >= np.datetime64("2018-08-20") if code.endswith(".SS") else d >= np.datetime64("2006-07-01")


# -- writing ---------------------------------------------------------------------------------------------
def write_tick_day(root, day, kind: str, table: pa.Table, books: str, source: str) -> Path:
    """Write one day's snapshots, trades or orders into the store, sorted by code and time.

    A day file that exists already keeps the rows of the other codes: the codes of ``table`` replace theirs,
    and the file's ``books`` / ``source`` metadata (JSON objects code -> value) are updated for them.

    Parameters
    ----------
    root : path
        The data root.
    day : date-like
        The trading day every row must fall on.
    kind : {'snapshots', 'trades', 'orders'}
    table : pyarrow.Table
        Columns of :data:`SNAPSHOT_SCHEMA` / :data:`TRADE_SCHEMA` / :data:`ORDER_SCHEMA` by name; optional
        columns may be missing (defaults: 0, ``trade_status`` from the time of day, ``trade_index`` 1, 2, …).
    books : {'recorded', 'reconstructed', 'synthetic'}
        Where the books of these codes came from.
    source : str
        What the rows were made from (kept per code in the metadata).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    DataError
        Naming the day, the column and the code: a missing required column, a time outside ``day``, two
        snapshots of a code at one time, or a cumulative volume that falls.
    """
    if kind not in _SCHEMAS:
        raise ValueError(f"kind must be one of {', '.join(_SCHEMAS)}, was {kind!r}")
    if books not in BOOK_KINDS:
        raise ValueError(f"books must be one of {', '.join(BOOK_KINDS)}, was {books!r}")
    d = np.datetime64(day, "D")
    where = f"{kind} of {d}"
    missing = [c for c in _REQUIRED[kind] if c not in table.column_names]
    if missing:
        raise DataError(f"{where}: missing column(s) {', '.join(missing)}")
    new = _normalise(table, kind, d, where)
    new_codes = set(new.column("code").to_pylist())
    path = tick_path(root, d, kind)
    books_map = {c: books for c in new_codes}
    source_map = {c: source for c in new_codes}
    if path.is_file():
        old = pq.read_table(path)
        old_books, old_source = _maps(old.schema.metadata or {}, old.column("code"))
        keep = pc.invert(pc.is_in(old.column("code"), pa.array(sorted(new_codes), pa.string())))
        old = old.filter(keep).select(_SCHEMAS[kind].names).cast(_SCHEMAS[kind])
        left = set(old.column("code").to_pylist())
        books_map.update({c: v for c, v in old_books.items() if c in left})
        source_map.update({c: v for c, v in old_source.items() if c in left})
        new = pa.concat_tables([old, new])
    code = np.asarray(new.column("code").to_numpy(zero_copy_only=False), dtype=object).astype(str)
    t = np.asarray(new.column("time").to_numpy(zero_copy_only=False)).astype("datetime64[ms]")
    order = np.lexsort((t, code))
    result = new.take(pa.array(order))
    code, t = code[order], t[order]
    same = code[1:] == code[:-1]
    if kind == "snapshots" and len(code) > 1:
        if (same & (t[1:] <= t[:-1])).any():
            bad = int(np.flatnonzero(same & (t[1:] <= t[:-1]))[0]) + 1
            raise DataError(f"{where}: two snapshots of {code[bad]} at {t[bad]} (times must be distinct per code)")
        vol = np.asarray(result.column("business_amount").to_numpy(zero_copy_only=False))
        if (same & (vol[1:] < vol[:-1])).any():
            bad = int(np.flatnonzero(same & (vol[1:] < vol[:-1]))[0]) + 1
            raise DataError(f"{where}: business_amount (cumulative volume) of {code[bad]} falls at {t[bad]}")
    meta = {"books": json.dumps(dict(sorted(books_map.items())), ensure_ascii=False),
            "source": json.dumps(dict(sorted(source_map.items())), ensure_ascii=False), "kind": kind}
    result = result.replace_schema_metadata(meta)
    write_table_atomic(result, path, compression_level=3)
    return path


def _normalise(table: pa.Table, kind: str, d, where: str) -> pa.Table:
    """``table`` with every column of the kind's schema (defaults filled; statuses from the time of day;
    trade_index 1, 2, … per code in time order)."""
    schema = _SCHEMAS[kind]
    n = table.num_rows
    t = np.asarray(table.column("time").cast(pa.timestamp("ms")).to_numpy(zero_copy_only=False)) \
        .astype("datetime64[ms]")
    code = np.asarray(table.column("code").cast(pa.string()).to_numpy(zero_copy_only=False), dtype=object)
    if n and (t.astype("datetime64[D]") != d).any():
        bad = int(np.flatnonzero(t.astype("datetime64[D]") != d)[0])
        raise DataError(f"{where}: row of {code[bad]} at {t[bad]} is not on {d}")
    cols = []
    for f in schema:
        if f.name in table.column_names:
            cols.append(table.column(f.name).cast(f.type))
        elif f.name == "trade_status":
            cols.append(pa.array([STATUSES[i] for i in session_status(ms_of_day(t))], pa.string()))
        elif f.name == "trade_index":
            order = np.lexsort((t, code.astype(str)))
            sc = code[order].astype(str)
            starts = np.r_[0, np.flatnonzero(sc[1:] != sc[:-1]) + 1] if n else np.zeros(0, np.int64)
            rank = np.empty(n, np.int64)
            rank[order] = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n])) + 1
            cols.append(pa.array(rank, pa.int64()))
        else:
            cols.append(pa.array(np.zeros(n, dtype=f.type.to_pandas_dtype()), f.type))
    return pa.table(cols, schema=schema)


def _maps(meta: dict, codes) -> tuple[dict, dict]:
    """The ``books`` and ``source`` metadata of a tick file as ``{code: value}``."""
    out = []
    for key in (b"books", b"source"):
        raw = meta.get(key, b"").decode()
        try:
            m = json.loads(raw) if raw.startswith("{") else None
        except ValueError:
            m = None
        if m is None:
            m = {c: raw or ("recorded" if key == b"books" else "") for c in set(codes.to_pylist())}
        out.append(m)
    return out[0], out[1]


def file_info(root, day) -> dict:
    """The metadata of each file of ``day``: ``{kind: {'books': {code: kind}, 'source': {code: source}}}``."""
    out = {}
    for kind in _SCHEMAS:
        p = tick_path(root, day, kind)
        if p.is_file():
            meta = pq.read_schema(p).metadata or {}
            books, source = _maps(meta, pq.read_table(p, columns=["code"]).column("code"))
            out[kind] = {"books": books, "source": source}
    return out


# -- reading ---------------------------------------------------------------------------------------------
@dataclass
class TickDay:
    """One day of the snapshot store for a set of codes (see the module docstring).

    Snapshot arrays (one row per snapshot, grouped by code, ``start`` offsets): ``time`` (ms after midnight),
    ``status`` (uint8 index into :data:`STATUSES`), raw ``int64`` prices ``last``, ``open``, ``high``, ``low``,
    ``preclose``, ``up``, ``down``, ``bid_px`` / ``ask_px`` ``[n, 5]``, volumes ``bid_vol`` / ``ask_vol``
    ``[n, 5]`` and counts ``bid_cnt`` / ``ask_cnt``, cumulative ``volume``, ``balance`` (float CNY),
    ``count``, ``vol_in``, ``vol_out``, and ``total_bidqty`` / ``total_offerqty``.  Trades and orders
    (``trades`` / ``orders``, dicts of arrays with their own ``start`` offsets) are ``None`` when the day has
    no such file."""
    date: np.datetime64
    codes: list
    start: np.ndarray
    time: np.ndarray
    status: np.ndarray
    last: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    preclose: np.ndarray
    up: np.ndarray
    down: np.ndarray
    bid_px: np.ndarray
    ask_px: np.ndarray
    bid_vol: np.ndarray
    ask_vol: np.ndarray
    bid_cnt: np.ndarray
    ask_cnt: np.ndarray
    volume: np.ndarray
    balance: np.ndarray
    count: np.ndarray
    vol_in: np.ndarray
    vol_out: np.ndarray
    total_bidqty: np.ndarray
    total_offerqty: np.ndarray
    books: dict = field(default_factory=dict)
    trades: dict | None = None
    orders: dict | None = None
    index: dict = field(default_factory=dict)

    def rows(self, k: int) -> slice:
        """The snapshot rows of the k-th code."""
        return slice(int(self.start[k]), int(self.start[k + 1]))


def _raw(a) -> np.ndarray:
    """float CNY → int64 raw, half up at 1e-4; NaN → 0."""
    x = np.asarray(a, np.float64) * SCALE + 0.5
    np.floor(x, out=x)
    x[~np.isfinite(x)] = 0.0
    return x.astype(np.int64)


def _read(path: Path, codes, columns):
    filt = None if codes is None else pc.field("code").isin(pa.array(list(codes), pa.string()))
    try:
        t = pq.read_table(path, columns=list(columns), filters=filt)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"{path}: cannot read the tick file ({exc})") from None
    return t


def _dict_codes(col) -> tuple[np.ndarray, list]:
    """(per-row index into the values, the values) of a string column, without a Python object per row."""
    enc = col.combine_chunks().dictionary_encode() if col.num_chunks else pa.array([], pa.string()).dictionary_encode()
    return np.asarray(enc.indices.to_numpy(zero_copy_only=False), np.int64), enc.dictionary.to_pylist()


def _groups(code_col, wanted=None) -> tuple[list, np.ndarray]:
    """(codes in file order, start offsets) of a code-sorted column."""
    idx, values = _dict_codes(code_col)
    n = len(idx)
    if n == 0:
        return [], np.zeros(1, np.int64)
    change = np.flatnonzero(idx[1:] != idx[:-1]) + 1
    starts = np.r_[0, change, n].astype(np.int64)
    return [str(values[i]) for i in idx[starts[:-1]]], starts


def _col(t, name, dtype):
    return np.asarray(t.column(name).to_numpy(zero_copy_only=False), dtype=dtype)


def read_tick_day(root, day, codes=None) -> TickDay | None:
    """Load one day of ``root``'s snapshot store for a set of codes into typed arrays.

    Parameters
    ----------
    root : path
        The data root.
    day : date-like
        The trading day.
    codes : iterable of str, optional
        Codes in the store's form (``600570.SS``); default every code of the day.

    Returns
    -------
    TickDay or None
        ``None`` when the day has no snapshot file.  Codes without snapshots that day are left out
        (``TickDay.index`` maps each loaded code to its position).

    Raises
    ------
    DataError
        The file cannot be read (named).
    """
    d = np.datetime64(day, "D")
    path = tick_path(root, d)
    if not path.is_file():
        return None
    # Read in column groups, each converted and released before the next: the peak is the day's arrays plus
    # one group's Arrow columns, not the whole table twice.
    t = _read(path, codes, ("code", "time", "trade_status"))
    meta = pq.read_schema(path).metadata or {}
    got, start = _groups(t.column("code"), codes)
    n = t.num_rows
    st_idx, st_values = _dict_codes(t.column("trade_status"))
    lut = np.array([_STATUS_INDEX.get(v, _STATUS_INDEX["TRADE"]) for v in st_values] or [0], np.uint8)
    status = lut[st_idx] if n else np.zeros(0, np.uint8)
    fields = {"date": d, "codes": got, "start": start, "status": status,
              "time": ms_of_day(t.column("time").to_numpy(zero_copy_only=False))}
    books, _ = _maps(meta, t.column("code"))
    del t
    scalars = (("last", "last_px", "px"), ("open", "open_px", "px"), ("high", "high_px", "px"),
               ("low", "low_px", "px"), ("preclose", "preclose_px", "px"), ("up", "up_px", "px"),
               ("down", "down_px", "px"), ("volume", "business_amount", np.int64),
               ("balance", "business_balance", np.float64), ("count", "business_count", np.int64),
               ("vol_in", "business_amount_in", np.int64), ("vol_out", "business_amount_out", np.int64),
               ("total_bidqty", "total_bidqty", np.int64), ("total_offerqty", "total_offerqty", np.int64))
    t = _read(path, codes, [c for _, c, _ in scalars])
    for key, col, kind in scalars:
        fields[key] = _raw(_col(t, col, np.float64)) if kind == "px" else _col(t, col, kind)
    del t
    for key, prefix, kind, dtype in (("bid_px", "bid", "px", None), ("ask_px", "offer", "px", None),
                                     ("bid_vol", "bid", "vol", np.int64), ("ask_vol", "offer", "vol", np.int64),
                                     ("bid_cnt", "bid", "cnt", np.int32), ("ask_cnt", "offer", "cnt", np.int32)):
        cols = [f"{prefix}_{kind}{i + 1}" for i in range(LEVELS)]
        t = _read(path, codes, cols)
        a = np.empty((n, LEVELS), np.int64 if dtype is None else dtype)
        for i, c in enumerate(cols):
            a[:, i] = _raw(_col(t, c, np.float64)) if dtype is None else _col(t, c, dtype)
        fields[key] = a
        del t
    day_ = TickDay(**fields)
    day_.books = {c: books.get(c, "recorded") for c in got}
    day_.index = {c: k for k, c in enumerate(got)}
    day_.trades = _read_events(root, d, "trades", got)
    day_.orders = _read_events(root, d, "orders", got)
    return day_


def _read_events(root, d, kind, codes) -> dict | None:
    """Trades or orders of the loaded codes, regrouped to the snapshot codes' order (``start`` offsets over
    ``codes``; a code without events has an empty range)."""
    path = tick_path(root, d, kind)
    if not path.is_file():
        return None
    schema = _SCHEMAS[kind]
    t = _read(path, codes, schema.names)
    got, start = _groups(t.column("code"), codes)
    pos = {c: i for i, c in enumerate(got)}
    out = {"time": ms_of_day(t.column("time").to_numpy(zero_copy_only=False))}
    for f in schema:
        if f.name in ("code", "time"):
            continue
        v = _col(t, f.name, np.float64 if f.name == "price" else f.type.to_pandas_dtype())
        out[f.name] = _raw(v) if f.name == "price" else v
    # Reorder groups to the snapshot codes' order.
    idx = [np.arange(start[pos[c]], start[pos[c] + 1]) if c in pos else np.zeros(0, np.int64) for c in codes]
    sizes = np.array([len(i) for i in idx], np.int64)
    take = np.concatenate(idx) if idx else np.zeros(0, np.int64)
    out = {k: v[take] for k, v in out.items()}
    out["start"] = np.r_[0, np.cumsum(sizes)].astype(np.int64)
    return out


def day_time(day, ms: int) -> _dt.datetime:
    """The ``datetime`` of ``ms`` milliseconds after midnight of ``day``."""
    d = np.datetime64(day, "D").astype(object)
    return _dt.datetime.combine(d, _dt.time()) + _dt.timedelta(milliseconds=int(ms))
