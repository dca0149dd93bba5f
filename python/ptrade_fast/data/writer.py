"""RootWriter: the one way to create a data root or add to one (docs/data-format.md, *Writing a root*).

Crash safety.  ``RootWriter.open`` first renames ``meta.json`` to ``meta.json.importing`` (for a new
root it writes that marker) before it touches any other file; every data file is then written atomically
(``format.write_table_atomic``), and ``commit`` writes ``meta.json`` last and removes the marker.  An
interrupted import therefore leaves a root without ``meta.json``, which readers refuse, and a marker
that names the interruption; opening a writer on it again resumes, and re-running the same import
completes it (merging is idempotent: new rows win on (code, date[time])).

Memory.  Bars are buffered and flushed every ``flush_rows`` rows: a daily flush re-derives only the
touched codes (reading just their rows from each year file) and rewrites the year files they live in;
a minute flush rewrites only the day files it touches.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import codes as codes_mod
from .adjust import price_events
from .derive import FUTURES_RAW_COLUMNS, RAW_DAILY_COLUMNS, derive_daily, future_fields, instrument_defaults
from .format import (read_bars, DAILY_SCHEMA, FORMAT_VERSION, INSTRUMENT_SCHEMA, MINUTE_SCHEMA, write_json_atomic,
                     write_table_atomic)
from .writer_tables import ReferenceTables

MARKER = "meta.json.importing"

# Optional futures columns (docs/data-format.md, *Futures*): a daily or minute file gets them iff it holds
# futures rows, and instruments.parquet iff the root has futures, so files without futures keep format 1's
# columns byte for byte.
FUTURES_DAILY_FIELDS = (pa.field("settlement", pa.float64()), pa.field("open_interest", pa.int64()))
FUTURES_MINUTE_FIELDS = (pa.field("open_interest", pa.int64()),)
FUTURES_INSTRUMENT_FIELDS = (pa.field("product", pa.string()), pa.field("multiplier", pa.float64()),
                             pa.field("delivery_date", pa.date32()))
DOMINANT_SCHEMA = pa.schema([("date", pa.date32()), ("product", pa.string()), ("contract", pa.string())])
DOMINANT_PATH = "futures/dominant.parquet"


def daily_schema(futures: bool) -> pa.Schema:
    return pa.schema(list(DAILY_SCHEMA) + list(FUTURES_DAILY_FIELDS)) if futures else DAILY_SCHEMA


def minute_schema(futures: bool) -> pa.Schema:
    return pa.schema(list(MINUTE_SCHEMA) + list(FUTURES_MINUTE_FIELDS)) if futures else MINUTE_SCHEMA


def instrument_schema(futures: bool) -> pa.Schema:
    return pa.schema(list(INSTRUMENT_SCHEMA) + list(FUTURES_INSTRUMENT_FIELDS)) if futures else INSTRUMENT_SCHEMA


def is_future_code(code) -> bool:
    return codes_mod.classify(code) == "future"
EX_RIGHTS_COLUMNS = ("code", "ex_date", "cash_dividend", "bonus_ratio", "conversion_ratio", "rights_ratio",
                     "rights_price", "total_shares", "float_shares", "has_action")
MINUTE_COLUMNS = ("code", "datetime", "open", "high", "low", "close", "volume", "money")

# Bar-end labels as minutes after midnight: 1-minute 09:31 … 11:30, 13:01 … 15:00 (240);
# 5-minute 09:35 … 11:30, 13:05 … 15:00 (48).
_LABELS_1M = np.concatenate([np.arange(571, 691), np.arange(781, 901)])
_LABELS_5M = np.concatenate([np.arange(575, 691, 5), np.arange(785, 901, 5)])
BAR_SETS = {"minute": ("minute", _LABELS_1M), "bars5m": ("bars5m", _LABELS_5M)}


class InterruptedImportError(FileNotFoundError):
    """The root holds a ``meta.json.importing`` marker and no ``meta.json``: an import did not finish."""


def check_root(root) -> Path:
    """Return ``root`` as a Path if it is a complete data root; raise a clear error otherwise.

    Raises
    ------
    InterruptedImportError
        An import into the root was interrupted (re-run it to complete the root).
    FileNotFoundError
        The folder is not a data root.
    """
    root = Path(root)
    if (root / "meta.json").is_file():
        return root
    if (root / MARKER).is_file():
        raise InterruptedImportError(
            f"data root {root} is incomplete: an import was interrupted ({MARKER} present, meta.json "
            f"missing); re-run the import to complete it")
    raise FileNotFoundError(f"no ptrade_fast data root at {root} (meta.json missing)")


def _days(values) -> np.ndarray:
    return pd.to_datetime(pd.Series(values)).to_numpy().astype("datetime64[D]")


def _nat_or_day(x):
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return None
    return pd.Timestamp(x).date()


class RootWriter(ReferenceTables):
    """Create or add to a data root.  Use :meth:`open`, the ``add_*`` methods, then :meth:`commit`.

    As a context manager it commits on a clean exit and leaves the root marked incomplete on an error.
    """

    FLUSH_ROWS = 2_000_000

    def __init__(self, root: Path, previous_meta: dict | None, resumed: bool, source: str, flush_rows: int):
        self.root = root
        self.previous_meta = previous_meta
        self.resumed = resumed
        self.source = source
        self.flush_rows = flush_rows
        cal = root / "calendar.parquet"
        self.calendar = (pq.read_table(cal).column("date").to_numpy().astype("datetime64[D]")
                         if cal.is_file() else np.array([], "datetime64[D]"))
        inst = root / "instruments.parquet"
        self._inst = pq.read_table(inst).to_pandas() if inst.is_file() else pd.DataFrame(
            columns=INSTRUMENT_SCHEMA.names)
        # Columns beyond the schema (e.g. the synthetic market's bond terms) are kept as they are.
        known = set(instrument_schema(True).names)
        self._extra_fields = [f for f in pq.read_schema(inst) if f.name not in known] if inst.is_file() else []
        self._given: dict[str, dict] = {}
        ex = root / "ex_rights.parquet"
        self._ex_rights = pd.read_parquet(ex) if ex.is_file() else None
        self._events = ({k: g for k, g in price_events(self._ex_rights).groupby("code")}
                        if self._ex_rights is not None else {})
        self._ex_dirty: set[str] = set()
        self._ex_added = False
        self._dominant: list[pd.DataFrame] = []
        self._pending: dict[str, list[pd.DataFrame]] = {"daily": [], "minute": [], "bars5m": []}
        self._pending_rows = 0
        self._minute_codes: set[str] = set()
        self._added_days = np.array([], "datetime64[D]")
        self._spans = self._initial_spans()
        self._closed = False
        self._init_tables()

    # -- OPEN ----------------------------------------------------------------------------------------

    @classmethod
    def open(cls, root, source: str = "import", flush_rows: int | None = None) -> "RootWriter":
        """Open ``root`` for writing: create it, add to a complete root, or resume an interrupted import.

        The root is marked incomplete (``meta.json`` renamed to ``meta.json.importing``) before any
        other file is touched.

        Raises
        ------
        ValueError
            ``root`` is a non-empty folder that is not a data root, or its format version is unknown.
        """
        root = Path(root)
        root.mkdir(parents=True, exist_ok=True)
        meta_path, marker = root / "meta.json", root / MARKER
        resumed = False
        if meta_path.is_file():
            previous = json.loads(meta_path.read_text(encoding="utf-8"))
            _check_version(previous, root)
            write_json_atomic({"previous_meta": previous, "started": _now()}, marker)
            meta_path.unlink()
        elif marker.is_file():
            previous = json.loads(marker.read_text(encoding="utf-8")).get("previous_meta")
            resumed = True
        else:
            if any(p for p in root.iterdir() if not p.name.startswith(".")):
                raise ValueError(f"{root} is not empty and is not a ptrade_fast data root (no meta.json)")
            previous = None
            write_json_atomic({"previous_meta": None, "started": _now()}, marker)
        return cls(root, previous, resumed, source, flush_rows or cls.FLUSH_ROWS)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None and not self._closed:
            self.commit()
        return False

    # -- ADD -----------------------------------------------------------------------------------------

    def add_daily(self, df: pd.DataFrame) -> None:
        """Add raw daily bars: ``code, date, open, high, low, close, volume, money`` (volume in shares,
        money in CNY, prices unadjusted).  Derived columns are computed here; any given are ignored.
        Futures rows may also carry ``settlement``, ``open_interest`` and, for a series' first day,
        ``pre_settlement`` (the previous settlement, the base of that day's limits)."""
        extra = tuple(c for c in FUTURES_RAW_COLUMNS if c in df)
        df = _normalise(df, ("code",) + RAW_DAILY_COLUMNS + extra, "date")
        self._calendar_union(df["date"])
        self._queue("daily", df)

    def add_minutes(self, df: pd.DataFrame) -> None:
        """Add 1-minute bars: ``code, datetime (bar end), open, high, low, close, volume, money`` (futures
        may add ``open_interest``)."""
        df = _bars(df, "minute")
        self._calendar_union(df["datetime"].to_numpy().astype("datetime64[D]"))
        self._queue("minute", df)

    def add_bars5m(self, df: pd.DataFrame) -> None:
        """Add 5-minute bars (``bars5m/``, bar end 09:35 … 15:00); columns as :meth:`add_minutes`."""
        df = _bars(df, "bars5m")
        self._calendar_union(df["datetime"].to_numpy().astype("datetime64[D]"))
        self._queue("bars5m", df)

    def add_instruments(self, df: pd.DataFrame) -> None:
        """Add or update instrument rows.  ``code`` is required; columns not given are filled from the
        code (``codes.classify_full`` and ``rules.instruments``) or kept from the root."""
        if "code" not in df:
            raise ValueError(f"instrument rows need a 'code' column, got {list(df.columns)}")
        unknown = set(df.columns) - set(instrument_schema(True).names)
        if unknown:
            raise ValueError(f"unknown instrument columns {sorted(unknown)} (see docs/data-format.md)")
        for row in df.to_dict("records"):
            code = codes_mod.normalize_code(row.pop("code"))
            instrument_defaults(code)  # raises on codes no rule classifies
            self._given.setdefault(code, {}).update({k: v for k, v in row.items()})

    def add_ex_rights(self, df: pd.DataFrame) -> None:
        """Add corporate actions (columns of ex_rights.parquet; new rows win on (code, ex_date)).  Daily
        series of the codes named are re-derived so their preclose and limits use the new events."""
        missing = [c for c in EX_RIGHTS_COLUMNS if c not in df]
        if missing:
            raise ValueError(f"ex-rights rows need columns {list(EX_RIGHTS_COLUMNS)}; missing {missing}")
        df = df[list(EX_RIGHTS_COLUMNS)].copy()
        df["code"] = [codes_mod.normalize_code(c) for c in df["code"]]
        df["ex_date"] = pd.to_datetime(df["ex_date"]).dt.date
        both = df if self._ex_rights is None else pd.concat([self._ex_rights, df], ignore_index=True)
        self._ex_rights = both.drop_duplicates(["code", "ex_date"], keep="last").sort_values(
            ["code", "ex_date"], kind="stable").reset_index(drop=True)
        self._events = {k: g for k, g in price_events(self._ex_rights).groupby("code")}
        self._ex_dirty |= set(df["code"]) & set(self._spans)
        self._ex_added = True

    def add_dominant(self, df: pd.DataFrame) -> None:
        """Add rows of the dominant-contract table ``futures/dominant.parquet``: ``date, product,
        contract`` (new rows win on (date, product)); written at :meth:`commit`."""
        missing = [c for c in DOMINANT_SCHEMA.names if c not in df]
        if missing:
            raise ValueError(f"dominant rows need columns {DOMINANT_SCHEMA.names}; missing {missing}")
        df = df[DOMINANT_SCHEMA.names].copy()
        df["date"] = _days(df["date"])
        df["contract"] = [codes_mod.normalize_code(c) for c in df["contract"]]
        df["product"] = [str(p).upper() for p in df["product"]]
        self._dominant.append(df)

    def add_calendar(self, dates) -> None:
        """Add trading days (e.g. a full exchange calendar) to the root's calendar."""
        self._calendar_union(_days(dates))

    # -- FLUSH ---------------------------------------------------------------------------------------

    def _calendar_union(self, dates) -> None:
        new = np.setdiff1d(np.unique(np.asarray(dates, "datetime64[D]")), self.calendar)
        if len(new):
            self.calendar = np.union1d(self.calendar, new)
            self._added_days = np.union1d(self._added_days, new)

    def _queue(self, kind: str, df: pd.DataFrame) -> None:
        if df.empty:
            return
        self._pending[kind].append(df)
        self._pending_rows += len(df)
        if self._pending_rows >= self.flush_rows:
            self.flush()

    def flush(self) -> None:
        """Write everything buffered so far (the root stays marked incomplete until :meth:`commit`)."""
        daily = self._pending["daily"]
        self._flush_daily(pd.concat(daily, ignore_index=True) if daily else None)
        for kind in ("minute", "bars5m"):
            if self._pending[kind]:
                self._flush_bars(kind, pd.concat(self._pending[kind], ignore_index=True))
        self._pending = {k: [] for k in self._pending}
        self._pending_rows = 0

    def _flush_daily(self, new: pd.DataFrame | None) -> None:
        codes = (set() if new is None else set(new["code"])) | self._ex_dirty
        self._ex_dirty = set()
        # Codes already in the root whose span now contains calendar days they lack are re-derived too,
        # so every series keeps one row per trading day.
        if len(self._added_days):
            for code, (start, end) in self._spans.items():
                if code not in codes and ((self._added_days >= start) & (self._added_days <= end)).any():
                    codes.add(code)
        self._added_days = np.array([], "datetime64[D]")
        if not codes:
            return
        daily_dir = self.root / "daily"
        old, old_years = [], set()
        for path in sorted(daily_dir.glob("*.parquet")) if daily_dir.is_dir() else []:
            names = pq.read_schema(path).names
            # Futures re-derive from their stored settlement and open interest; the stored preclose of a
            # series' first row is its given previous settlement.
            extra = ["settlement", "open_interest", "preclose"] if "settlement" in names else []
            t = read_bars(path, columns=["code"] + list(RAW_DAILY_COLUMNS) + extra,
                              filters=[("code", "in", sorted(codes))])
            if t.num_rows:
                old.append(t.to_pandas().rename(columns={"preclose": "pre_settlement"}))
                old_years.add(int(path.stem))
        parts = old + ([] if new is None else [new])
        both = pd.concat(parts, ignore_index=True)
        both["date"] = _days(both["date"])
        both = both.drop_duplicates(["code", "date"], keep="last").sort_values(["code", "date"], kind="stable")
        frames = []
        for code, g in both.groupby("code", sort=True):
            d = derive_daily(code, g, self.calendar, events=self._events.get(code),
                             list_date=self._list_date(code, g["date"].iloc[0]))
            self._spans[code] = (d["date"].iloc[0], d["date"].iloc[-1])
            frames.append(d)
        derived = pd.concat(frames, ignore_index=True)
        years = derived["date"].to_numpy().astype("datetime64[Y]").astype(int) + 1970
        for year in sorted(set(np.unique(years).tolist()) | old_years):
            path = daily_dir / f"{year}.parquet"
            part = derived[years == year]
            if path.is_file():
                keep = read_bars(path).to_pandas()
                keep = keep[~keep["code"].isin(codes)]
                keep["date"] = keep["date"].to_numpy().astype("datetime64[D]")
                part = pd.concat([keep, part], ignore_index=True)
            part = part.sort_values(["code", "date"], kind="stable")
            write_table_atomic(_daily_table(part), path)

    def _initial_spans(self) -> dict:
        inst = self._inst
        if inst.empty:
            return {}
        have = inst[inst["has_daily"].astype(bool) & inst["daily_start"].notna()]
        return {c: (np.datetime64(pd.Timestamp(s).date(), "D"), np.datetime64(pd.Timestamp(e).date(), "D"))
                for c, s, e in zip(have["code"], have["daily_start"], have["daily_end"])}

    def _list_date(self, code, first_bar):
        """Listing date for the IPO no-limit days: given, else the root's; never after the first bar."""
        value = self._given.get(code, {}).get("list_date")
        if (value is None or pd.isna(value)) and len(self._inst):
            rows = self._inst.loc[self._inst["code"] == code, "list_date"]
            value = rows.iloc[0] if len(rows) else None
        if value is None or pd.isna(value):
            return None
        day = np.datetime64(pd.Timestamp(value).date(), "D")
        return day if day <= first_bar else None

    def _flush_bars(self, kind: str, new: pd.DataFrame) -> None:
        folder, _ = BAR_SETS[kind]
        new = new.drop_duplicates(["code", "datetime"], keep="last")
        day = new["datetime"].to_numpy().astype("datetime64[D]")
        for d in np.unique(day):
            s = str(d)
            path = self.root / folder / s[:4] / f"{s}.parquet"
            part = new[day == d]
            if path.is_file():
                part = pd.concat([read_bars(path).to_pandas(), part], ignore_index=True)
                part = part.drop_duplicates(["code", "datetime"], keep="last")
            part = part.sort_values(["code", "datetime"], kind="stable")
            write_table_atomic(_minute_table(part), path)
        if kind == "minute":
            self._minute_codes |= set(new["code"])

    # -- COMMIT --------------------------------------------------------------------------------------

    def commit(self) -> dict:
        """Flush, write calendar and instruments, then ``meta.json`` (last) and drop the marker.

        Returns the new meta dict.
        """
        self.flush()
        if not len(self.calendar):
            raise ValueError(f"nothing to commit to {self.root}: no calendar and no bars were added")
        write_table_atomic(pa.table({"date": pa.array(self.calendar, pa.date32())}),
                           self.root / "calendar.parquet")
        if self._ex_added:
            write_table_atomic(pa.Table.from_pandas(self._ex_rights, preserve_index=False),
                               self.root / "ex_rights.parquet")
        self._write_dominant()
        table_meta = self._commit_tables()
        inst = self._instruments()
        futures = _has_futures(inst["code"])
        schema = pa.schema(list(instrument_schema(futures)) + self._extra_fields)
        write_table_atomic(pa.Table.from_pandas(inst, schema=schema, preserve_index=False),
                           self.root / "instruments.parquet")
        meta = {**self._meta(inst), **table_meta}
        write_json_atomic(meta, self.root / "meta.json")  # last: its presence marks a complete root
        (self.root / MARKER).unlink(missing_ok=True)
        self._closed = True
        return meta

    def _write_dominant(self) -> None:
        if not self._dominant:
            return
        path = self.root / DOMINANT_PATH
        parts = ([pq.read_table(path).to_pandas()] if path.is_file() else []) + self._dominant
        both = pd.concat(parts, ignore_index=True)
        both["date"] = _days(both["date"])
        both = both.drop_duplicates(["date", "product"], keep="last").sort_values(["date", "product"], kind="stable")
        write_table_atomic(pa.Table.from_pandas(both.assign(date=pd.to_datetime(both["date"]).dt.date),
                                                schema=DOMINANT_SCHEMA, preserve_index=False), path)
        self._dominant = []

    def _instruments(self) -> pd.DataFrame:
        spans, daily_codes = _scan_daily(self.root)
        inst = self._inst.set_index("code", drop=False) if len(self._inst) else None
        minute_codes = set(self._minute_codes)
        if self.resumed:
            minute_codes |= _scan_minute_codes(self.root)
        existing = set(inst.index) if inst is not None else set()
        names = instrument_schema(True).names
        rows = []
        for code in sorted(existing | set(self._given) | daily_codes | minute_codes):
            row = dict(inst.loc[code]) if code in existing else {**{k: None for k in names},
                                                                 **instrument_defaults(code),
                                                                 "is_valid": True, "synthetic": False,
                                                                 "source": self.source}
            if code in self._given:
                for k, v in instrument_defaults(code).items():
                    if row.get(k) is None or (not isinstance(row.get(k), str) and pd.isna(row.get(k))):
                        row[k] = v
                row.update(self._given[code])
            row["has_daily"] = code in daily_codes
            row["has_minute"] = bool(row.get("has_minute")) or code in minute_codes
            start, end = spans.get(code, (None, None))
            row["daily_start"], row["daily_end"] = start, end
            if row.get("list_date") is None or pd.isna(row.get("list_date")):
                row["list_date"] = start
            if row.get("type") == "future":
                for k, v in future_fields(code, self.calendar).items():
                    if row.get(k) is None or (not isinstance(row.get(k), str) and pd.isna(row.get(k))):
                        row[k] = v
            for k in ("list_date", "delist_date", "daily_start", "daily_end", "delivery_date"):
                row[k] = _nat_or_day(row.get(k))
            rows.append(row)
        futures = any(r.get("type") == "future" for r in rows)
        return pd.DataFrame(rows, columns=instrument_schema(futures).names + [f.name for f in self._extra_fields])

    def _meta(self, inst: pd.DataFrame) -> dict:
        meta = dict(self.previous_meta or {})
        meta["format_version"] = FORMAT_VERSION
        meta.setdefault("title", "ptrade_fast data root")
        meta["calendar"] = [str(self.calendar[0]), str(self.calendar[-1])]
        years = sorted(int(p.stem) for p in (self.root / "daily").glob("*.parquet"))
        meta["daily_years"] = years
        for kind, (folder, _) in BAR_SETS.items():
            days = sorted(p.stem for p in (self.root / folder).glob("*/*.parquet"))
            key = "minute" if kind == "minute" else "bars5m"
            meta[f"{key}_days"] = len(days)
            meta[f"{key}_range"] = [days[0], days[-1]] if days else None
        if not meta.get("bars5m_days"):
            meta.pop("bars5m_days", None)
            meta.pop("bars5m_range", None)
        syn = meta.get("synthetic") or {}
        generated = inst["synthetic"].fillna(False).astype(bool)
        # Generated futures are listed under meta["futures"] (their seed is not the market's).
        is_future = (inst["type"] == "future").to_numpy()
        syn_codes = sorted(set(syn.get("codes", [])) | set(inst.loc[generated & ~is_future, "code"]))
        if syn_codes:
            meta["synthetic"] = {**syn, "codes": syn_codes}
        if "product" in inst:
            fut = inst[inst["type"] == "future"]
            meta["futures"] = {**meta.get("futures", {}), "contracts": int(len(fut)),
                               "products": sorted(set(fut["product"].dropna())),
                               "synthetic_codes": sorted(fut.loc[fut["synthetic"].fillna(False).astype(bool), "code"]),
                               "dominant": (self.root / DOMINANT_PATH).is_file()}
        meta.setdefault("imports", []).append({"source": self.source, "at": _now()})
        return meta


# -- HELPERS -------------------------------------------------------------------------------------------

def _now() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


def _check_version(meta: dict, root: Path) -> None:
    v = meta.get("format_version")
    if v != FORMAT_VERSION:
        raise ValueError(f"data root {root} has format_version {v!r}; this ptrade_fast writes {FORMAT_VERSION}")


def _normalise(df: pd.DataFrame, columns, date_col) -> pd.DataFrame:
    missing = [c for c in columns if c not in df]
    if missing:
        raise ValueError(f"bars need columns {list(columns)}; missing {missing} (got {list(df.columns)})")
    out = df[list(columns)].copy()
    out["code"] = [codes_mod.normalize_code(c) for c in out["code"]]
    for code in out["code"].unique():
        instrument_defaults(code)  # raises on codes no rule classifies
    if date_col == "date":
        out["date"] = _days(out["date"])
    else:
        out[date_col] = pd.to_datetime(out[date_col]).to_numpy().astype("datetime64[ms]")
    for k in ("open", "high", "low", "close", "money"):
        out[k] = pd.to_numeric(out[k], errors="raise").astype(float)
    return out


def _bars(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    out = _normalise(df, MINUTE_COLUMNS + (("open_interest",) if "open_interest" in df else ()), "datetime")
    out["volume"] = pd.array(pd.to_numeric(out["volume"]), dtype="Int64")
    labels = BAR_SETS[kind][1]
    minute = (out["datetime"].to_numpy().astype("datetime64[m]")
              - out["datetime"].to_numpy().astype("datetime64[D]")).astype(np.int64)
    bad = ~np.isin(minute, labels)
    if bad.any():
        first = out[bad].iloc[0]
        raise ValueError(f"{bad.sum()} {kind} bars are not at bar-end times (1-minute: 09:31 … 11:30, "
                         f"13:01 … 15:00; 5-minute: 09:35 … 15:00), first {first['code']} {first['datetime']}")
    return out


def _has_futures(codes) -> bool:
    return any(is_future_code(c) for c in pd.unique(codes))


def _int64_nullable(values) -> pa.Array:
    return pa.array(pd.to_numeric(pd.Series(values), errors="coerce").round().astype("Int64"), pa.int64())


def _daily_table(df: pd.DataFrame) -> pa.Table:
    """Daily rows as a table; the futures columns are added iff ``df`` holds futures rows."""
    schema = daily_schema(_has_futures(df["code"]))
    arrays = []
    for f in schema:
        if f.name == "open_interest":
            arrays.append(_int64_nullable(df[f.name] if f.name in df else np.full(len(df), np.nan)))
        elif f.name == "settlement" and f.name not in df:
            arrays.append(pa.nulls(len(df), pa.float64()))
        else:
            arrays.append(pa.array(df[f.name].to_numpy(), f.type, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=schema)


def _minute_table(df: pd.DataFrame) -> pa.Table:
    futures = _has_futures(df["code"])
    cols = {k: df[k] for k in MINUTE_COLUMNS}
    cols["volume"] = pd.array(df["volume"], dtype="Int64")
    cols["money"] = df["money"].astype(float)
    cols["datetime"] = pd.to_datetime(df["datetime"]).astype("datetime64[ms]")
    if futures:
        oi = df["open_interest"] if "open_interest" in df else np.full(len(df), np.nan)
        cols["open_interest"] = pd.to_numeric(pd.Series(oi, index=df.index), errors="coerce").round().astype("Int64")
    return pa.Table.from_pandas(pd.DataFrame(cols), schema=minute_schema(futures), preserve_index=False)


def _scan_daily(root: Path):
    """Per-code (first, last) date over all daily year files (reads two columns per file)."""
    parts = []
    for path in sorted((root / "daily").glob("*.parquet")):
        t = pq.read_table(path, columns=["code", "date"]).to_pandas()
        parts.append(t.groupby("code")["date"].agg(["min", "max"]))
    if not parts:
        return {}, set()
    span = pd.concat(parts).groupby(level=0).agg({"min": "min", "max": "max"})
    return {c: (r["min"], r["max"]) for c, r in span.iterrows()}, set(span.index)


def _scan_minute_codes(root: Path) -> set:
    codes: set[str] = set()
    for path in (root / "minute").glob("*/*.parquet"):
        col = pq.read_table(path, columns=["code"], read_dictionary=["code"]).column("code").combine_chunks()
        codes |= set(col.dictionary.to_pylist())
    return codes


# -- INFO ----------------------------------------------------------------------------------------------

def info(root) -> dict:
    """What a data root holds: format version, calendar, instruments by type, daily years and rows,
    minute and 5-minute days and rows, synthetic codes, size on disk, and whether it is complete."""
    root = Path(root)
    meta_path, marker = root / "meta.json", root / MARKER
    state = "complete" if meta_path.is_file() else ("interrupted import" if marker.is_file() else "not a root")
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    out = {"root": str(root), "state": state, "format_version": meta.get("format_version")}
    cal = root / "calendar.parquet"
    if cal.is_file():
        d = pq.read_table(cal).column("date").to_numpy().astype("datetime64[D]")
        out["calendar"] = {"days": int(len(d)), "first": str(d[0]) if len(d) else None,
                           "last": str(d[-1]) if len(d) else None}
    inst_path = root / "instruments.parquet"
    if inst_path.is_file():
        inst = pq.read_table(inst_path, columns=["type", "has_daily", "has_minute", "synthetic"]).to_pandas()
        out["instruments"] = {"total": int(len(inst)),
                              "by_type": {str(k): int(v) for k, v in inst["type"].value_counts().sort_index().items()},
                              "with_daily": int(inst["has_daily"].sum()), "with_minute": int(inst["has_minute"].sum())}
        out["synthetic_codes"] = int(inst["synthetic"].fillna(False).astype(bool).sum())
    years = sorted((root / "daily").glob("*.parquet"))
    out["daily"] = {"years": [int(p.stem) for p in years],
                    "rows": int(sum(pq.ParquetFile(p).metadata.num_rows for p in years))}
    for key in ("minute", "bars5m"):
        files = sorted((root / key).glob("*/*.parquet"))
        out[key] = {"days": len(files), "first": files[0].stem if files else None,
                    "last": files[-1].stem if files else None,
                    "rows": int(sum(pq.ParquetFile(p).metadata.num_rows for p in files))}
    out["size_bytes"] = int(sum(p.stat().st_size for p in root.rglob("*") if p.is_file()))
    return out
