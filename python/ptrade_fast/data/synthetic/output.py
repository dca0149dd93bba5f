"""Writing the generated market: daily files per year, minute files per day, the reference tables and
meta.json (last)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from ..format import DAILY_SCHEMA, FORMAT_VERSION, INSTRUMENT_SCHEMA, MINUTE_SCHEMA, write_json_atomic, write_table_atomic
from ..format import minute_path as minute_file
from .bars import _daily_money
from .fundamentals import add_fundamentals
from .params import MINUTES
from .universe import BOND_TERMS

_BOND_TERM_FIELDS = [pa.field("stock_code", pa.string()), pa.field("convert_price", pa.float64()),
                     pa.field("convert_date", pa.date32()), pa.field("maturity_date", pa.date32()),
                     pa.field("redemption_price", pa.float64())]
_FUND_KIND_FIELD = pa.field("fund_kind", pa.string())
assert tuple(f.name for f in _BOND_TERM_FIELDS) == BOND_TERMS


class OutputMixin:
    """Accumulates rows during the day loop and writes them."""

    # -- output --------------------------------------------------------------------------------------
    def _write_terms_tables(self):
        write_table_atomic(_k_table(self), self.root / "cb_conversion_prices.parquet")
        write_table_atomic(_basket_table(self), self.root / "etf_baskets.parquet")

    def _add_daily(self, t, p):
        n = len(p["g"])
        if p.get("index"):
            px = {k: p[k] for k in ("o", "h", "l", "c")}
            vol, money, is_open = p["vol"], p["money"], np.ones(n, np.uint8)
            pre, hl, ll = p["preclose"], np.full(n, np.nan), np.full(n, np.nan)
        else:
            px = {k: np.round(p[k] * p["tick"], p["dec"]) for k in ("o", "h", "l", "c")}
            vol = p["lots"] * p["lot"]
            money = p["money"] if "money" in p else _daily_money(p["lots"], p["o"], p["h"], p["l"], p["c"], p["div"])
            is_open = p["open_mask"].astype(np.uint8)
            pre, hl, ll = np.round(p["preclose"], p["dec"]), p["hl"], p["ll"]
        self.year_rows.append({"g": p["g"], "t": np.full(n, t, np.int32), "open": px["o"], "high": px["h"],
                               "low": px["l"], "close": px["c"], "volume": np.asarray(vol, np.int64),
                               "money": np.asarray(money, float), "preclose": pre, "high_limit": hl,
                               "low_limit": ll, "is_open": is_open})

    def _flush_year(self, year):
        if not self.year_rows:
            return
        cols = {k: np.concatenate([r[k] for r in self.year_rows]) for k in self.year_rows[0]}
        self.year_rows = []
        order = np.lexsort((cols["t"], cols["g"]))
        table = pa.table({
            "code": self.code_array.take(pa.array(cols["g"][order])),
            "date": pa.array(self.cal[cols["t"][order]], pa.date32()),
            **{k: cols[k][order] for k in ("open", "high", "low", "close", "volume", "money", "preclose",
                                          "high_limit", "low_limit", "is_open")},
        }, schema=DAILY_SCHEMA)
        write_table_atomic(table, self.root / "daily" / f"{year}.parquet")
        self.rows_daily += table.num_rows
        self.daily_years.append(int(year))

    def _write_minutes(self, day, parts):
        g = np.concatenate([p["g"] for p in parts])
        order = np.argsort(g, kind="stable")

        def col(fn):
            return np.concatenate([fn(p) for p in parts])[order].ravel()

        # ticks / 100 is the double nearest to the decimal price, the same value as round(ticks * 0.01, 2).
        prices = {k: col(lambda p, k=k: p[k] if p.get("index") else p[k] / 10.0 ** p["dec"])
                  for k in ("o", "h", "l", "c")}
        stamps = (day.astype("datetime64[m]").astype(np.int64) + MINUTES) * 60000
        table = pa.table({
            "code": self.code_array.take(pa.array(np.repeat(g[order], 240))),
            "datetime": pa.array(np.tile(stamps, len(g)), pa.timestamp("ms")),
            "open": prices["o"], "high": prices["h"], "low": prices["l"], "close": prices["c"],
            "volume": col(lambda p: p["vol"] if p.get("index") else p["lots"] * p["lot"]).astype(np.int64),
            "money": col(lambda p: p["money"]).astype(float),
        }, schema=MINUTE_SCHEMA)
        self.rows_minute += table.num_rows
        self.minute_days.append(str(day))
        # One day is written on the writer thread while the next is generated (pyarrow drops the GIL).
        self._drain(1)
        self._pending.append(self._pool.submit(write_table_atomic, table, minute_file(self.root, day), 1))

    def _drain(self, keep):
        while len(self._pending) > keep:
            self._pending.pop(0).result()

    def finish(self) -> dict:
        """Write the reference tables and meta.json (last); return the summary."""
        self._drain(0)
        if self._pool is not None:
            self._pool.shutdown()
        cal, nd, root = self.cal, self.n_days, self.root
        write_table_atomic(pa.table({"date": pa.array(cal, pa.date32())}), root / "calendar.parquet")
        inst = self._instruments()
        schema = pa.schema(list(INSTRUMENT_SCHEMA) + [_FUND_KIND_FIELD]
                           + (_BOND_TERM_FIELDS if self.profile.bond_terms else []))
        write_table_atomic(pa.Table.from_pandas(inst, schema=schema, preserve_index=False),
                           root / "instruments.parquet")
        if self.profile.bond_terms:
            self._write_terms_tables()

        ex = {k: np.concatenate([r[k] for r in self.ex_rows]) for k in self.ex_rows[0]}
        order = np.lexsort((ex["t"], ex["g"]))
        write_table_atomic(pa.table({
            "code": self.code_array.take(pa.array(ex["g"][order])),
            "ex_date": pa.array(cal[ex["t"][order]], pa.date32()),
            "cash_dividend": ex["cash"][order], "bonus_ratio": ex["bonus"][order],
            "conversion_ratio": ex["conv"][order], "rights_ratio": ex["rr"][order],
            "rights_price": ex["rp"][order], "total_shares": ex["total"][order].astype(np.int64),
            "float_shares": ex["float"][order].astype(np.int64), "has_action": ex["action"][order],
        }), root / "ex_rights.parquet")

        rows = self.member_rows + [(int(k), int(s), int(self.member_since[k, s]), None)
                                   for k, s in zip(*np.nonzero(self.members))]
        mem = pd.DataFrame(rows, columns=["k", "sid", "s", "e"])
        mem["index_code"] = np.array(self.idx_codes, dtype=object)[mem["k"].to_numpy(int)]
        mem["code"] = self.codes[mem["sid"].to_numpy(int)]
        mem = mem.sort_values(["index_code", "code", "s"], kind="stable")
        write_table_atomic(pa.table({
            "index_code": pa.array(mem["index_code"].tolist(), pa.string()),
            "code": pa.array(mem["code"].tolist(), pa.string()),
            "start_date": pa.array(cal[mem["s"].to_numpy(int)], pa.date32()),
            "end_date": _dates_or_null(cal, mem["e"]),
        }), root / "index_members.parquet")

        st_rows = self.st_rows + [(int(s), int(self.st_since[s]), None) for s in np.flatnonzero(self.is_st_prev)]
        st = pd.DataFrame(st_rows, columns=["sid", "s", "e"])
        st["code"] = self.codes[st["sid"].to_numpy(int)]
        st = st.sort_values(["code", "s"], kind="stable")
        write_table_atomic(pa.table({
            "code": pa.array(st["code"].tolist(), pa.string()),
            "start_date": pa.array(cal[st["s"].to_numpy(int)], pa.date32()),
            "end_date": _dates_or_null(cal, st["e"]),
        }), root / "st.parquet")

        syn_codes = sorted(inst["code"])
        reports = add_fundamentals(root, self.seed) if self.profile.fundamentals else None
        meta = {
            "format_version": FORMAT_VERSION,
            "title": f"ptrade_fast synthetic market (seed {self.seed})",
            "built_by": "ptrade_fast.data.synthetic.generate",
            "calendar": [str(cal[0]), str(cal[-1])],
            "daily_years": sorted(self.daily_years),
            "minute_days": len(self.minute_days),
            "minute_range": [self.minute_days[0], self.minute_days[-1]] if self.minute_days else None,
            "synthetic": {"seed": self.seed, "count": len(syn_codes), "codes": syn_codes,
                          "stocks": self.n, "etfs": len(self.etf_codes), "cbs": len(self.cb_codes)},
            "index_members": {"kind": "dated", "indices": {c: n for c, n, _, _ in self.profile.indices},
                              "rule": "000001: SH stocks from their 11th trading day; others by float cap at "
                                      "the previous close, rebalanced after the 2nd Friday of June and December",
                              "sizes": self.sizes},
            "st": {"file": "st.parquet", "columns": ["code", "start_date", "end_date"],
                   "dates": "inclusive; end_date null = ST at the end of the data"},
            "sources": {"synthetic": f"numpy SeedSequence({self.seed})",
                        "calendar": "SSE calendar of the sample bundle, weekdays beyond it"},
            "notes": [
                "Every series is generated; nothing here is market data.",
                "Index level_t = level_(t-1) * sum(float_shares * close) / sum(float_shares * preclose) over the "
                "members listed that day; float shares from ex_rights.parquet.",
                "ex_rights.parquet has a has_action=false row at each stock's first bar carrying its share capital.",
                "Minute money is whole CNY; daily money is its sum (without minutes: volume * (O+H+L+C)/4).",
            ],
        }
        if self.profile.name != "plain":
            self._realistic_meta(meta, syn_codes, reports)
        write_json_atomic(meta, root / "meta.json")  # last: its presence marks a complete root
        return {
            "root": str(root), "seed": self.seed, "days": nd, "calendar": meta["calendar"],
            "stocks": self.n, "indices": len(self.idx_codes), "etfs": len(self.etf_codes), "cbs": len(self.cb_codes),
            "ipos": int((self.age0 == 0).sum()), "delisted": int((self.delist_idx < nd).sum()),
            "st_periods": len(st), "ex_rights_events": int(ex["action"].sum()),
            "suspended_rows": self.suspended_rows, "limit_up_closes": self.limit_up_closes,
            "limit_down_closes": self.limit_down_closes, "daily_rows": self.rows_daily,
            "minute_days": len(self.minute_days), "minute_rows": self.rows_minute,
        }


    def _realistic_meta(self, meta, syn_codes, reports) -> None:
        meta["title"] = f"ptrade_fast synthetic market, {self.profile.name} (seed {self.seed})"
        meta["market"] = self.profile.name
        meta["synthetic_instruments"] = syn_codes
        meta["index_members"]["rule"] = (
            "composites (000001 SSE, 399106 SZSE, 399101 SME) hold every listed stock from its 11th trading "
            "day; the others rank eligible stocks (listed 60+ days, not ST) by float cap at the previous "
            "close, rebalanced after the 2nd Friday of June and December")
        meta["index_members"]["rules"] = {c: list(r[:1]) + list(r[1:3]) + [list(r[3])] if r[0] == "top" else list(r)
                                          for c, r in self.profile.rules.items()}
        meta["sources"]["codes"] = ("real SSE/SZSE codes and names (2011-12 instrument snapshot) and mid-2018 "
                                    "index memberships, ptrade_fast/data/synthetic/codelist.csv; prices, "
                                    "shares and reports are generated")
        meta["bond_terms"] = {"columns": list(BOND_TERMS), "history": "cb_conversion_prices.parquet",
                              "baskets": "etf_baskets.parquet (extension)",
                              "note": "convert_price as set at the bond's first bar (ex-rights adjustments dated in "
                                      "cb_conversion_prices.parquet); conversion from six "
                                      "months after listing, six-year term"}
        meta["fundamentals"] = reports
        meta["notes"] = meta["notes"] + [
            "Real codes and names, generated prices: a name is the company's, its bars are not.",
            "Funds tracking gold (518880) or foreign indices (513100) follow an A-share index here.",
        ]


def _k_table(m) -> pa.Table:
    """cb_conversion_prices.parquet: code, start_date, convert_price (changes after the first bar)."""
    rows = sorted((m.cb_codes[j], m.cal[t], k) for j, t, k in m.k_rows)
    return pa.table({"code": pa.array([r[0] for r in rows], pa.string()),
                     "start_date": pa.array(np.array([r[1] for r in rows], "datetime64[D]"), pa.date32()),
                     "convert_price": pa.array([r[2] for r in rows], pa.float64())})


def _basket_table(m) -> pa.Table:
    """etf_baskets.parquet (extension; data/etf_baskets.py)."""
    b = sorted(m.basket_rows, key=lambda r: (r["etf_code"], r["date"], r["code"]))
    col = lambda k: [r[k] for r in b]   # noqa: E731
    return pa.table({
        "etf_code": pa.array(col("etf_code"), pa.string()),
        "date": pa.array(np.array(col("date"), "datetime64[D]"), pa.date32()),
        "report_unit": pa.array(col("report_unit"), pa.int64()),
        "cash_component": pa.array(col("cash_component"), pa.float64()),
        "max_cash_ratio": pa.array(col("max_cash_ratio"), pa.float64()), "code": pa.array(col("code"), pa.string()),
        "code_num": pa.array(col("code_num"), pa.int64()),
        "cash_replace_flag": pa.array(col("cash_replace_flag"), pa.string()),
        "replace_ratio": pa.array(col("replace_ratio"), pa.float64()),
        "replace_balance": pa.array(col("replace_balance"), pa.float64())})


def _dates_or_null(cal, idx) -> pa.Array:
    return pa.array([None if pd.isna(i) else cal[int(i)].item() for i in idx], pa.date32())


