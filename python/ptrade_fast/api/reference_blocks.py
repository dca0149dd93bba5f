"""Blocks, index members and industries (docs/ptrade-api.md §D.5): get_stock_blocks, get_index_stocks, get_industry_stocks."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.codes import industry_code_of_name, industry_table, normalize_code
from ..model.phases import phases
from .reference_common import ReferenceBase, _BLOCK_TYPES, _INIT, _REF


class BlocksAPI(ReferenceBase):
    """Blocks, index members and industries (docs/ptrade-api.md §D.5): get_stock_blocks, get_index_stocks, get_industry_stocks."""

    # -- BLOCKS, INDICES, INDUSTRIES -----------------------------------------------------------------

    def _block_table(self) -> pd.DataFrame:
        if self._blocks is None:
            b = self.rt.store.table("blocks")
            if b.empty:
                b = pd.DataFrame(columns=["category", "block", "code"])
            if "block_code" not in b:
                # The data has no block codes: industries get their Ptrade code from the shipped table
                # (rules/industry_codes.json); any other block is named by its name (never a made-up code).
                by_name = industry_code_of_name()
                codes = [by_name.get(n, n) if c == "industry" else n
                         for c, n in zip(b["category"].astype(str), b["block"].astype(str))]
                b = b.assign(block_code=codes)
            self._blocks = b
        return self._blocks

    @phases(*_REF, warn_only=_INIT)
    def get_stock_blocks(self, stock_code):
        """get_stock_blocks: the blocks (industry, region, concept) a stock belongs to.

        Parameters
        ----------
        stock_code : str

        Returns
        -------
        dict or None
            Block type ('HY' industry, 'DY' region, 'GN' concept/theme) -> ``[[block_code, block_name], …]``;
            ``None`` for a code in no block or delisted by the simulated date.

        Raises
        ------
        TypeError, ValueError
            For a non-str or malformed ``stock_code``.

        Differences from Ptrade
        -----------------------
        Membership is the data root's snapshot (as in Ptrade, not point-in-time).  Where the data has no
        block codes, an industry's ``block_code`` is its Ptrade industry code from the shipped table
        (``'A01000.XBHS'``, docs/engine.md) and any other block's is its name (get_industry_stocks accepts
        both); index membership is not listed (use get_index_stocks) and there are no 'ZJHHY'/'HGT' types.
        """
        if not isinstance(stock_code, str):
            raise TypeError(f"stock_code must be one code as a str, was {stock_code!r}")
        try:
            code = normalize_code(stock_code)
        except ValueError as exc:
            raise ValueError(f"stock_code: {exc}") from None
        if self._status([code], "DELISTING", self._today())[code]:
            return None
        b = self._block_table()
        rows = b[(b["code"] == code) & b["category"].isin(list(_BLOCK_TYPES))]
        if rows.empty:
            return None
        out: dict[str, list] = {}
        for cat, block, bcode in zip(rows["category"], rows["block"], rows["block_code"]):
            out.setdefault(_BLOCK_TYPES[cat], []).append([bcode, block])
        return out

    def _member_table(self) -> pd.DataFrame:
        if self._members is None:
            m = self.rt.store.table("index_members")
            self._members = m if not m.empty else pd.DataFrame(columns=["index_code", "code", "start_date",
                                                                        "end_date"])
        return self._members

    @phases(*_REF, warn_only=_INIT)
    def get_index_stocks(self, index_code, date=None):
        """get_index_stocks: the constituents of an index listed on a date.

        Parameters
        ----------
        index_code : str
            E.g. '000300.SS', '000300.XSHG', '000300.XBHS', '399006.SZ'.
        date : str, int or date, optional
            'YYYYmmdd'; default the simulated date.

        Returns
        -------
        list of str
            Sorted short codes; ``[]`` for an index without membership data (logged once).

        Raises
        ------
        TypeError, ValueError
            For a non-str or malformed ``index_code`` or a bad ``date``.

        Differences from Ptrade
        -----------------------
        Where the data root's membership is a snapshot (``meta.json`` index_members kind 'snapshot') the
        constituents are that snapshot's, filtered to the stocks listed on ``date``: not point-in-time (the
        sample bundle's is dated, from 2019-01-02).  Indices missing from index_members fall back to the index blocks of the same name.
        """
        if not isinstance(index_code, str):
            raise TypeError(f"index_code must be a str like '000300.SS', was {index_code!r}")
        day = self._day(date, "date")
        members = self._member_table()
        known = set(members["index_code"])
        body, _, suffix = index_code.strip().rpartition(".")
        if suffix.upper() == "XBHS" and body:
            candidates = [f"{body}.SS", f"{body}.SZ"]
            code = next((c for c in candidates if c in known), candidates[0])
        else:
            try:
                code = normalize_code(index_code)
            except ValueError as exc:
                raise ValueError(f"index_code: {exc}") from None
        if code in known:
            rows, start, end, listed, delist = self._index_rows(code)
            live = (np.isnat(start) | (start <= day)) & (np.isnat(end) | (day <= end))
            if listed is not None:      # every member is an instrument: one vectorised pass, no set
                live &= (listed <= day) & (np.isnat(delist) | (day < delist))
                out = np.unique(rows[live]).tolist()
            else:
                out = None
                codes = set(rows[live])
            if np.isnat(start).all() and np.isnat(end).all():
                as_of = (self.rt.store.meta.get("index_members") or {}).get("as_of", "an unknown date")
                self.rt.warn_once("index_members:snapshot", f"get_index_stocks: index membership is a snapshot "
                                  f"(as of {as_of}), not point-in-time")
        else:
            row = self._row(code)
            b = self._block_table()
            name = None if row is None else str(row["name"])
            codes = set(b["code"][(b["category"] == "index") & (b["block"] == name)]) if name else set()
            if not codes:
                self.rt.warn_once(f"index_members:{code}", f"get_index_stocks: no membership data for {index_code}")
                return []
            out = None
        return out if out is not None else self._listed_only(codes, day)

    def _index_rows(self, code):
        """Membership rows of index ``code`` as arrays, parsed once per run (get_index_stocks runs daily):
        (member codes, start, end, and the members' list / delist dates, or None where a member is no
        instrument)."""
        cache = self.__dict__.setdefault("_index_cache", {})
        hit = cache.get(code)
        if hit is None:
            members = self._member_table()
            rows = members[members["index_code"] == code]
            start = pd.to_datetime(rows["start_date"]).to_numpy().astype("datetime64[D]")
            end = pd.to_datetime(rows["end_date"]).to_numpy().astype("datetime64[D]")
            codes = rows["code"].to_numpy(dtype=object)
            inst = self._inst
            listed = delist = None
            if len(codes) and all(c in inst.index for c in codes):
                sub = inst.loc[codes]
                listed = sub["list_date"].to_numpy().astype("datetime64[D]")
                delist = sub["delist_date"].to_numpy().astype("datetime64[D]")
            hit = cache[code] = (codes, start, end, listed, delist)
        return hit

    def _listed_only(self, codes, day) -> list[str]:
        inst = self._inst
        codes = [c for c in codes if c in inst.index]
        if not codes:
            return []
        ok = self._listed_mask(day, inst.loc[codes])
        return sorted(c for c, keep in zip(codes, ok) if keep)

    @phases(*_REF, warn_only=_INIT)
    def get_industry_stocks(self, industry_code):
        """get_industry_stocks: the stocks of an industry block.

        Parameters
        ----------
        industry_code : str
            The industry code (``'A01000.XBHS'``, get_stock_blocks' 'HY' entries) or the industry name
            (e.g. '软件服务'; docs/ptrade-api.md §0.1a).

        Returns
        -------
        list of str
            Sorted short codes; ``[]`` for an unknown industry (logged once).

        Raises
        ------
        TypeError
            If ``industry_code`` is not a str.

        Differences from Ptrade
        -----------------------
        Where the data root's industry blocks carry no Ptrade codes, a code like ``'A01000.XBHS'`` (CSRC
        2012 division, the spec's form) selects the blocks the shipped table lists for it
        (``rules/industry_codes.json``, docs/engine.md).  Membership is a snapshot (as in Ptrade).
        """
        if not isinstance(industry_code, str):
            raise TypeError(f"industry_code must be a str like 'A01000.XBHS' or an industry name, was "
                            f"{industry_code!r}")
        b = self._block_table()
        ind = b[b["category"] == "industry"]
        key = industry_code.strip()
        hit = ind[(ind["block_code"] == key) | (ind["block"] == key)]
        if hit.empty and "." in key:
            body, _, suffix = key.rpartition(".")
            if suffix.upper() == "XBHS":
                names = industry_table().get(body.upper(), ())
                hit = ind[ind["block"].isin(list(names)) | (ind["block"] == body)]
        if hit.empty:
            self.rt.warn_once(f"industry:{key}", f"get_industry_stocks: no industry {industry_code!r} in the data")
            return []
        return sorted(set(hit["code"]))
