"""The reference tables a ``RootWriter`` adds besides bars: fundamentals, index members, blocks, ST periods.

Mixed into :class:`ptrade_fast.data.writer.RootWriter`; every table is staged in memory by the ``add_*``
methods and written at ``commit`` (before ``meta.json``), each file atomically.  Merge rules (new rows
win), per table:

- ``fundamentals/<table>.parquet``: on (code, end_date, revision) (``fundamentals.merge_table``);
- ``index_members.parquet``: the rows of an index given again replace that index's rows from the same
  source;
- ``blocks.parquet``: the rows of a (category, source) given again replace them;
- ``st.parquet``: the periods of a code given again replace that code's periods.

Snapshot tables (membership read from a file that states no history) carry the date they describe in
``as_of`` and ``kind = 'snapshot'``; dated rows have ``kind = 'dated'`` (docs/data-format.md).
"""
from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .format import write_table_atomic

MEMBER_SCHEMA = pa.schema([("index_code", pa.string()), ("code", pa.string()), ("start_date", pa.date32()),
                          ("end_date", pa.date32()), ("kind", pa.string()), ("as_of", pa.date32()),
                          ("source", pa.string())])
BLOCK_SCHEMA = pa.schema([("category", pa.string()), ("block", pa.string()), ("code", pa.string()),
                         ("block_code", pa.string()), ("as_of", pa.date32()), ("source", pa.string())])
ST_SCHEMA = pa.schema([("code", pa.string()), ("start_date", pa.date32()), ("end_date", pa.date32())])
SUSPENSION_SCHEMA = pa.schema([("code", pa.string()), ("date", pa.date32()), ("reason", pa.string()),
                              ("source", pa.string())])


def _dates(col):
    return pd.to_datetime(col).dt.date.where(pd.notna(col), None) if col is not None else None


def _conform(df: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    out = {}
    for f in schema:
        col = df[f.name] if f.name in df else pd.Series([None] * len(df), index=df.index, dtype=object)
        if f.type == pa.date32():
            col = pd.to_datetime(col).dt.date.astype(object).where(pd.notna(col), None)
        out[f.name] = pa.array(list(col), f.type)
    return pa.table(out, schema=schema)


class ReferenceTables:
    """``add_fundamentals``, ``add_index_members``, ``add_blocks``, ``add_st``, ``set_meta`` (see module)."""

    def _init_tables(self) -> None:
        self._fund: dict[str, list[pd.DataFrame]] = {}
        self._members: list[pd.DataFrame] = []
        self._blocks: list[pd.DataFrame] = []
        self._st: list[pd.DataFrame] = []
        self._susp: list[pd.DataFrame] = []
        self._meta_updates: dict = {}

    def add_fundamentals(self, table: str, frame: pd.DataFrame) -> None:
        """Stage rows of a report table (``code, end_date, publ_date, report_type, revision`` + fields)."""
        from .fundamentals import KEY_COLUMNS, STATEMENT_TABLES
        if table not in STATEMENT_TABLES:
            raise ValueError(f"fundamentals table must be one of {', '.join(STATEMENT_TABLES)}, was {table!r}")
        missing = [c for c in KEY_COLUMNS if c not in frame]
        if missing:
            raise ValueError(f"fundamentals {table}: missing column(s) {', '.join(missing)}")
        if frame["publ_date"].isna().any():
            bad = frame.loc[frame["publ_date"].isna(), "code"].iloc[0]
            raise ValueError(f"fundamentals {table}: {bad} has a report without publ_date (point in time "
                             f"needs the publication date)")
        self._fund.setdefault(table, []).append(frame)

    def add_index_members(self, df: pd.DataFrame, kind: str, source: str, as_of=None) -> None:
        """Stage index constituents ``index_code, code[, start_date, end_date]``.

        ``kind`` 'dated' (start/end dates are history) or 'snapshot' (membership on ``as_of``; start and
        end dates are left null so the members apply to every date, with a warning at read time).
        """
        if kind not in ("dated", "snapshot"):
            raise ValueError(f"index membership kind must be 'dated' or 'snapshot', was {kind!r}")
        if kind == "snapshot" and as_of is None:
            raise ValueError("a snapshot of index membership needs its date (as_of)")
        df = df.copy()
        if kind == "snapshot":
            df["start_date"], df["end_date"] = None, None
        df["kind"], df["source"] = kind, source
        df["as_of"] = pd.Timestamp(as_of).date() if as_of is not None else None
        self._members.append(df)

    def add_blocks(self, df: pd.DataFrame, source: str, as_of) -> None:
        """Stage block membership ``category, block, code[, block_code]`` (a snapshot dated ``as_of``)."""
        df = df.copy()
        df["source"] = source
        df["as_of"] = pd.Timestamp(as_of).date()
        self._blocks.append(df)

    def add_st(self, df: pd.DataFrame) -> None:
        """Stage ST / *ST periods ``code, start_date, end_date`` (inclusive; null end = still ST)."""
        self._st.append(df[["code", "start_date", "end_date"]].copy())

    def add_suspensions(self, df: pd.DataFrame, source: str) -> None:
        """Stage suspended days ``code, date[, reason]`` (``suspensions.parquet``; new rows win on
        (code, date)).  The daily files mark the same days ``is_open = 0``; this table keeps the reason."""
        df = df.copy()
        df["source"] = source
        self._susp.append(df)

    def set_meta(self, key: str, value) -> None:
        """Set a top-level ``meta.json`` key at commit (e.g. ``fetch`` state, membership ``as_of``)."""
        self._meta_updates[key] = value

    # -- COMMIT ----------------------------------------------------------------------------------------

    def _commit_tables(self) -> dict:
        """Write the staged tables; returns the meta keys they set."""
        from .fundamentals import merge_table
        root = self.root
        meta = {}
        for table, parts in self._fund.items():
            merge_table(root, table, pd.concat(parts, ignore_index=True))
        if self._fund:
            meta["fundamentals"] = sorted(p.stem for p in (root / "fundamentals").glob("*.parquet"))
        if self._members:
            new = pd.concat(self._members, ignore_index=True)
            old = self._read(root / "index_members.parquet")
            if old is not None:
                if "source" not in old:
                    old["source"] = "bundle"
                given = set(zip(new["index_code"], new["source"]))
                old = old[[(i, s) not in given for i, s in zip(old["index_code"], old["source"])]]
                new = pd.concat([old, new], ignore_index=True)
            new = new.sort_values(["index_code", "code"], kind="stable")
            write_table_atomic(_conform(new, MEMBER_SCHEMA), root / "index_members.parquet")
            kinds = sorted(set(new["kind"].fillna("snapshot")))
            as_of = new["as_of"].dropna()
            meta["index_members"] = {"kind": "dated" if kinds == ["dated"] else
                                     ("snapshot" if kinds == ["snapshot"] else "mixed"),
                                     "as_of": str(pd.Timestamp(max(as_of)).date()) if len(as_of) else None}
        if self._blocks:
            new = pd.concat(self._blocks, ignore_index=True)
            old = self._read(root / "blocks.parquet")
            if old is not None:
                if "source" not in old:
                    old["source"] = "bundle"
                given = set(zip(new["category"], new["source"]))
                old = old[[(c, s) not in given for c, s in zip(old["category"], old["source"])]]
                new = pd.concat([old, new], ignore_index=True)
            new = new.drop_duplicates(["category", "block", "code"], keep="last")
            new = new.sort_values(["category", "block", "code"], kind="stable")
            write_table_atomic(_conform(new, BLOCK_SCHEMA), root / "blocks.parquet")
            meta["blocks"] = {"as_of": str(pd.Timestamp(max(new["as_of"].dropna())).date())
                              if new["as_of"].notna().any() else None}
        if self._st:
            parts = [_conform(df, ST_SCHEMA) for df in self._st]
            given = set().union(*(set(df["code"]) for df in self._st))
            old = self._read(root / "st.parquet")
            if old is not None:
                parts.insert(0, _conform(old[~old["code"].isin(given)], ST_SCHEMA))
            new = pa.concat_tables(parts).to_pandas().sort_values(["code", "start_date"], kind="stable")
            write_table_atomic(_conform(new, ST_SCHEMA), root / "st.parquet")
        if self._susp:
            parts = [_conform(df, SUSPENSION_SCHEMA) for df in self._susp]
            if (root / "suspensions.parquet").is_file():
                parts.insert(0, pq.read_table(root / "suspensions.parquet"))
            new = pa.concat_tables(parts).to_pandas()
            new = new.drop_duplicates(["code", "date"], keep="last").sort_values(["code", "date"], kind="stable")
            write_table_atomic(_conform(new, SUSPENSION_SCHEMA), root / "suspensions.parquet")
        meta.update(self._meta_updates)
        return meta

    @staticmethod
    def _read(path):
        return pq.read_table(path).to_pandas() if path.is_file() else None
