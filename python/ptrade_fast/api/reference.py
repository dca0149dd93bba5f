"""Reference data: names, listing, status, ex-rights, blocks, index members, limits (ptrade-api §D.5, §D.12, §D.13).

Everything comes from the data root: ``instruments.parquet`` (names and listing dates), the daily bars
(suspension, limits), ``ex_rights.parquet``, ``index_members.parquet`` and ``blocks.parquet``.  Dates default to
the simulated date, and nothing dated after it is returned unless the caller names a date.  Names, blocks
and (in the sample bundle) index membership are snapshots, so ST status, blocks and membership are not
point-in-time; each function's docstring says so.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import adjust as _adjust
from ..data.codes import industry_code_of_name, industry_table, normalize_code
from ..data.store import to_day
from ..model.phases import phases

_REF = ("before", "handle", "after", "tick", "sched", "on_order", "on_trade")
_INIT = ("init",)
_A_SHARE_TYPES = ("stock", "star", "chinext")
_STATUS_TYPES = ("ST", "HALT", "DELISTING", "DELISTING_SORTING")
_INFO_FIELDS = ("stock_name", "listed_date", "de_listed_date")
_NEVER_DELISTED = "2900-01-01"
_EXRIGHTS_COLUMNS = ("allotted_ps", "rationed_ps", "rationed_px", "bonus_ps", "exer_forward_a", "exer_forward_b",
                     "exer_backward_a", "exer_backward_b")
_CB_INFO_COLUMNS = ("bond_code", "bond_name", "stock_code", "stock_name", "list_date", "premium_rate",
                    "convert_date", "maturity_date", "convert_rate", "convert_price", "convert_value")

# Ptrade's block types for our block categories; index membership is served by get_index_stocks instead.
_BLOCK_TYPES = {"industry": "HY", "region": "DY", "concept": "GN", "theme": "GN"}

# The documented market codes (get_market_list shows about 70, including foreign markets).
_MARKETS = (
    ("XSHG", "上海证券交易所"), ("XSHE", "深圳证券交易所"), ("CCFX", "中国金融期货交易所"),
    ("XSGE", "上海期货交易所"), ("XZCE", "郑州商品交易所"), ("XDCE", "大连商品交易所"),
    ("XINE", "上海国际能源交易中心"), ("XSHO", "上海个股期权"), ("XSZO", "深圳个股期权"),
    ("XHKG-SS", "沪港通"), ("XHKG-SZ", "深港通"), ("XFUND", "基金"), ("XBHS", "恒生聚源板块"),
)
_MARKET_EXCHANGE = {"XSHG": "SSE", "SS": "SSE", "XSHE": "SZSE", "SZ": "SZSE"}

# Only 'MRI' (index) is documented; the other codes are our instrument types in capitals.
_HQ_TYPE = {"stock": "ESA", "star": "ESA", "chinext": "ESA", "b_share": "ESB", "index": "MRI"}


class ReferenceAPI:
    """Reference-data functions over the Runtime's DataStore."""

    def __init__(self, rt):
        self.rt = rt
        self._blocks = None
        self._members = None

    # -- ARGUMENTS -----------------------------------------------------------------------------------

    @staticmethod
    def _code_list(stocks, name):
        """``(short codes, single)`` from a str or a list of str; TypeError/ValueError naming ``name``."""
        if isinstance(stocks, str):
            stocks, single = [stocks], True
        elif isinstance(stocks, (list, tuple, set, np.ndarray, pd.Index)):
            stocks, single = list(stocks), False
        else:
            raise TypeError(f"{name} must be a str or a list of codes, was {stocks!r}")
        try:
            return [normalize_code(c) for c in stocks], single
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None

    def _today(self) -> np.datetime64:
        return self.rt.today()

    def _day(self, value, name) -> np.datetime64:
        if value is None:
            return self._today()
        if isinstance(value, bool):
            raise ValueError(f"{name} must be a date like '20240102', was {value!r}")
        try:
            return to_day(value)
        except (ValueError, TypeError):
            raise ValueError(f"{name} must be a date like '20240102' or '2024-01-02', was {value!r}") from None

    # -- INSTRUMENTS ---------------------------------------------------------------------------------

    @property
    def _inst(self) -> pd.DataFrame:
        return self.rt.store.instruments

    def _row(self, code):
        inst = self._inst
        return inst.loc[code] if code in inst.index else None

    def _listed_mask(self, day, frame=None) -> np.ndarray:
        """Instruments listed on ``day``: list_date ≤ day < delist_date (no list_date = not listed)."""
        inst = self._inst if frame is None else frame
        listed = inst["list_date"].to_numpy().astype("datetime64[D]")
        delist = inst["delist_date"].to_numpy().astype("datetime64[D]")
        return (listed <= day) & (np.isnat(delist) | (day < delist))

    def _with_data_on(self, typ, day) -> list[str]:
        """Codes of instrument type ``typ`` listed on ``day`` and with bars covering it."""
        inst = self._inst
        sel = inst[(inst["type"] == typ) & (inst["has_daily"] | inst["has_minute"])]
        start = sel["daily_start"].to_numpy().astype("datetime64[D]")
        end = sel["daily_end"].to_numpy().astype("datetime64[D]")
        covered = (np.isnat(start) | (start <= day)) & (np.isnat(end) | (day <= end))
        return sorted(sel.index[self._listed_mask(day, sel) & covered])

    # -- MARKETS -------------------------------------------------------------------------------------

    @phases("before", "after", warn_only=_INIT)
    def get_market_list(self):
        """get_market_list: the market codes and names.

        Returns
        -------
        DataFrame
            Columns ``finance_mic`` (str) and ``finance_name``.

        Differences from Ptrade
        -----------------------
        A fixed list of the domestic markets Ptrade documents, not its ~70 rows with foreign markets.
        """
        return pd.DataFrame(list(_MARKETS), columns=["finance_mic", "finance_name"])

    @phases("before", "after", warn_only=_INIT)
    def get_market_detail(self, finance_mic):
        """get_market_detail: the products of one market, from the data root's instruments table.

        Parameters
        ----------
        finance_mic : str
            'XSHG' or 'SS' (Shanghai), 'XSHE' or 'SZ' (Shenzhen).

        Returns
        -------
        DataFrame
            Columns ``prod_code`` (6-digit str), ``prod_name``, ``hq_type_code``, ``trade_time_rule`` (int64).

        Raises
        ------
        ValueError
            If ``finance_mic`` is not a market of get_market_list.

        Differences from Ptrade
        -----------------------
        Only Shanghai and Shenzhen have products here (other markets give an empty frame).  ``hq_type_code``
        is 'MRI' for indices as documented, 'ESA'/'ESB' for A/B shares, otherwise the instrument type in
        capitals; ``trade_time_rule`` is 0.
        """
        mic = finance_mic.upper() if isinstance(finance_mic, str) else finance_mic
        if mic not in _MARKET_EXCHANGE and mic not in {m for m, _ in _MARKETS}:
            raise ValueError(f"finance_mic must be a market code like 'XSHG' or 'XSHE', was {finance_mic!r}")
        inst = self._inst
        sel = inst[inst["exchange"] == _MARKET_EXCHANGE.get(mic, "")]
        return pd.DataFrame({
            "prod_code": sel["code"].str.split(".").str[0].to_numpy(object),
            "prod_name": sel["name"].to_numpy(object),
            "hq_type_code": [_HQ_TYPE.get(t, str(t).upper()) for t in sel["type"]],
            "trade_time_rule": np.zeros(len(sel), np.int64),
        })

    # -- NAMES AND LISTING ---------------------------------------------------------------------------

    @phases(*_REF, warn_only=_INIT)
    def get_stock_name(self, stocks):
        """get_stock_name: the names of securities.

        Parameters
        ----------
        stocks : str or list of str
            Codes in any suffix form.

        Returns
        -------
        dict
            Short code -> name, ``None`` for a code the data root does not know (always a dict).

        Raises
        ------
        TypeError, ValueError
            If ``stocks`` is not a str or list, or holds a malformed code.

        Differences from Ptrade
        -----------------------
        Names are the data root's snapshot, not the name in force on the simulated date.
        """
        codes, _ = self._code_list(stocks, "stocks")
        names = self._inst["name"]
        return {c: (str(names[c]) if c in names.index and pd.notna(names[c]) else None) for c in codes}

    @phases(*_REF, warn_only=_INIT)
    def get_stock_info(self, stocks, field=None):
        """get_stock_info: name and listing dates of securities.

        Parameters
        ----------
        stocks : str or list of str
        field : str or list of str, optional
            ``stock_name`` (the default), ``listed_date`` ('YYYY-mm-dd'), ``de_listed_date`` ('2900-01-01' when
            not delisted).

        Returns
        -------
        dict
            Short code -> {field: str}; ``None`` for a code the data root does not know.

        Raises
        ------
        TypeError, ValueError
            For a bad ``stocks`` or an unknown ``field`` (naming it).
        """
        codes, _ = self._code_list(stocks, "stocks")
        fields = ["stock_name"] if field is None else ([field] if isinstance(field, str) else list(field))
        for f in fields:
            if f not in _INFO_FIELDS:
                raise ValueError(f"field must be among {', '.join(_INFO_FIELDS)}, was {f!r}")
        out = {}
        for c in codes:
            row = self._row(c)
            if row is None:
                out[c] = None
                continue
            info = {"stock_name": str(row["name"]),
                    "listed_date": _date_text(row["list_date"], None),
                    "de_listed_date": _date_text(row["delist_date"], _NEVER_DELISTED)}
            out[c] = {f: info[f] for f in fields}
        return out

    # -- STATUS --------------------------------------------------------------------------------------

    @phases(*_REF, warn_only=_INIT)
    def get_stock_status(self, stocks, query_type="ST", query_date=None):
        """get_stock_status: whether each security is ST, suspended or delisted on a date.

        Parameters
        ----------
        stocks : str or list of str
            Required (``None`` returns ``None``).
        query_type : {'ST', 'HALT', 'DELISTING', 'DELISTING_SORTING'}
            HALT: suspended that day (daily ``is_open`` 0, point-in-time).  DELISTING: delisted on or before the
            date.  ST / DELISTING_SORTING: the name contains 'ST' / '退' (and, for the latter, not yet delisted).
        query_date : str, int or date, optional
            'YYYYmmdd'; default the simulated date.

        Returns
        -------
        dict or None
            Short code -> bool, ``None`` when unknown (no data that day for HALT, unknown code); ``None`` for a
            missing ``stocks`` or an unknown ``query_type`` (logged).

        Raises
        ------
        TypeError, ValueError
            For a malformed code or ``query_date``.

        Differences from Ptrade
        -----------------------
        ST and delisting-period status come from the names snapshot, so they are not point-in-time.
        """
        if stocks is None:
            self._warn("get_stock_status: stocks is required; returned None")
            return None
        if query_type not in _STATUS_TYPES:
            self._warn(f"get_stock_status: query_type must be one of {', '.join(_STATUS_TYPES)}, "
                       f"was {query_type!r}; returned None")
            return None
        codes, _ = self._code_list(stocks, "stocks")
        return self._status(codes, query_type, self._day(query_date, "query_date"))

    def _status(self, codes, query_type, day) -> dict:
        if query_type == "HALT":
            return self._halted(codes, day)
        out = {}
        for c in codes:
            row = self._row(c)
            if row is None:
                out[c] = None
                continue
            delist = row["delist_date"]
            gone = pd.notna(delist) and to_day(delist) <= day
            name = str(row["name"])
            if query_type == "ST":
                dated = self.rt.store.is_st(c, day)          # point-in-time where the root has ST history
                out[c] = ("ST" in name.upper()) if dated is None else dated
            elif query_type == "DELISTING":
                out[c] = bool(gone)
            else:
                out[c] = "退" in name and not gone
        return out

    def _halted(self, codes, day) -> dict:
        store = self.rt.store
        sids = store.sids(codes)
        dates, rows = store.daily_history(sids, ("is_open", "close"), day, 1)
        if len(dates) == 0 or dates[-1] != day:
            return {c: None for c in codes}
        is_open, close = rows["is_open"][-1], rows["close"][-1]
        return {c: (None if s < 0 or np.isnan(close[j]) else bool(is_open[j] == 0))
                for j, (c, s) in enumerate(zip(codes, sids))}

    @phases("before", warn_only=_INIT + _REF[1:])
    def filter_stock_by_status(self, stocks, filter_type=["ST", "HALT", "DELISTING"], query_date=None):  # noqa: B006
        """filter_stock_by_status: drop the securities having any of the given statuses on a date.

        Parameters
        ----------
        stocks : str or list of str
        filter_type : str or list of str
            Among 'ST', 'HALT', 'DELISTING', 'DELISTING_SORTING'.
        query_date : str, int or date, optional
            Default the simulated date.

        Returns
        -------
        list of str
            The remaining codes (short suffix), in input order.

        Raises
        ------
        TypeError, ValueError
            For a bad code, ``filter_type`` or ``query_date``.

        Differences from Ptrade
        -----------------------
        Documented for before_trading_start only; other phases log a warning and are served.  A code whose
        status is unknown (see get_stock_status) is kept.
        """
        codes, _ = self._code_list(stocks, "stocks")
        types = [filter_type] if isinstance(filter_type, str) else list(filter_type)
        for t in types:
            if t not in _STATUS_TYPES:
                raise ValueError(f"filter_type must be among {', '.join(_STATUS_TYPES)}, was {t!r}")
        day = self._day(query_date, "query_date")
        drop = set()
        for t in types:
            drop.update(c for c, v in self._status(codes, t, day).items() if v)
        return [c for c in codes if c not in drop]

    # -- EX-RIGHTS -----------------------------------------------------------------------------------

    @phases(*_REF, warn_only=_INIT)
    def get_stock_exrights(self, stock_code, date=None):
        """get_stock_exrights: ex-rights events and their adjustment factors (adjusted = A·price + B, §H.8).

        Parameters
        ----------
        stock_code : str
            One code.
        date : str, int or date, optional
            An ex-date ('YYYYmmdd'); default all events.

        Returns
        -------
        DataFrame or None
            Indexed by the int ex-date YYYYmmdd, float columns ``allotted_ps`` (bonus + conversion shares per
            share), ``rationed_ps``, ``rationed_px``, ``bonus_ps`` (cash per share), ``exer_forward_a/b``
            (forward, anchored at the last event shown), ``exer_backward_a/b``.  ``None`` when there is no
            event (on ``date``).

        Raises
        ------
        TypeError, ValueError
            For a non-str or malformed ``stock_code`` or a bad ``date``.

        Differences from Ptrade
        -----------------------
        With ``date`` omitted only events up to the simulated date are returned (no look-ahead; the run
        option ``exrights_full_history=True`` returns all).  A ``date`` after the simulated date shows the
        events up to it.  Events that do not move the price are left out, as in get_price's fq.
        """
        if not isinstance(stock_code, str):
            raise TypeError(f"stock_code must be one code as a str, was {stock_code!r}")
        try:
            code = normalize_code(stock_code)
        except ValueError as exc:
            raise ValueError(f"stock_code: {exc}") from None
        want = None if date is None else self._day(date, "date")
        events = _adjust.price_events(self.rt.store.exrights(code))
        if events.empty:
            return None
        if not self.rt.options.get("exrights_full_history", False):
            horizon = self._today() if want is None else max(self._today(), want)
            ex_days = pd.to_datetime(events["ex_date"]).to_numpy().astype("datetime64[D]")
            events = events[ex_days <= horizon]
            if events.empty:
                return None
        frame = _exrights_frame(events)
        if want is None:
            return frame
        key = int(pd.Timestamp(want).strftime("%Y%m%d"))
        return frame.loc[[key]] if key in frame.index else None

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
        Where the data root's membership is a snapshot (``meta.json`` index_members kind 'snapshot', as in the
        sample bundle) the constituents are that snapshot's, filtered to the stocks listed on ``date``:
        not point-in-time.  Indices missing from index_members fall back to the index blocks of the same name.
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
            (e.g. '软件服务'; spec §0.1a).

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

    # -- UNIVERSES -----------------------------------------------------------------------------------

    @phases(*_REF, warn_only=_INIT)
    def get_Ashares(self, date=None):
        """get_Ashares: all Shanghai and Shenzhen A-shares listed on a date.

        Parameters
        ----------
        date : str, int or date, optional
            'YYYYmmdd'; default the simulated date.

        Returns
        -------
        list of str
            Sorted short codes (main board, ChiNext, STAR), from the instruments table's listing dates.

        Raises
        ------
        ValueError
            For a bad ``date``.

        Differences from Ptrade
        -----------------------
        Codes listed in the instruments table but without bars in the data root are included (as on the
        platform); their prices read as NaN.
        """
        day = self._day(date, "date")
        inst = self._inst
        ok = inst["type"].isin(_A_SHARE_TYPES).to_numpy() & self._listed_mask(day)
        return sorted(inst.index[ok])

    @phases(*_REF, warn_only=_INIT)
    def get_reits_list(self, date=None):
        """get_reits_list: the public infrastructure REITs listed on a date.

        Parameters
        ----------
        date : str, int or date, optional
            Default the simulated date.

        Returns
        -------
        list of str
            Sorted short codes.

        Raises
        ------
        ValueError
            For a bad ``date``.
        """
        day = self._day(date, "date")
        inst = self._inst
        ok = (inst["type"] == "reit").to_numpy() & self._listed_mask(day)
        return sorted(inst.index[ok])

    @phases("before", "handle", "tick", "sched", warn_only=_INIT + ("after", "on_order", "on_trade"))
    def get_etf_list(self):
        """get_etf_list: the ETF codes (backtest stand-in for the live-only function).

        Returns
        -------
        list of str
            Sorted short codes of the ETFs with bars covering the simulated date and listed on it.

        Differences from Ptrade
        -----------------------
        Live only on the platform (codes from the broker counter); here the data root's ETFs.
        """
        return self._with_data_on("etf", self._today())

    @phases(*_REF, warn_only=_INIT)
    def get_cb_list(self):
        """get_cb_list: the convertible-bond codes (backtest stand-in for the live-only function).

        Returns
        -------
        list of str
            Sorted short codes of the convertible bonds with bars covering the simulated date and listed on it.

        Differences from Ptrade
        -----------------------
        Live only on the platform, where it also lists suspended bonds; here suspended bonds with bars that
        day are included too.
        """
        return self._with_data_on("cb", self._today())

    @phases(*_REF, warn_only=_INIT)
    def get_cb_info(self):
        """get_cb_info: one row per convertible bond of get_cb_list (backtest stand-in).

        Returns
        -------
        DataFrame
            Columns ``bond_code``, ``bond_name``, ``stock_code``, ``stock_name``, ``list_date`` ('YYYY-mm-dd'),
            ``premium_rate``, ``convert_date``, ``maturity_date``, ``convert_rate``, ``convert_price``,
            ``convert_value``.

        Differences from Ptrade
        -----------------------
        Research/live only on the platform.  The bond terms come from the data root's instruments table
        where it carries them (columns ``underlying``, ``convert_price``, ``convert_date``,
        ``maturity_date``); from those, ``convert_rate`` = 100 / convert_price (shares per 100 CNY of face
        value), ``convert_value`` = convert_rate × the underlying's close and ``premium_rate`` = (bond close /
        convert_value − 1) × 100, both on the last trading day before the simulated date (as valuation).
        A term the data lacks is None (text) or NaN (numbers), as are the figures computed from it.
        """
        codes = self.get_cb_list.__wrapped__(self)
        inst = self._inst
        n = len(codes)

        def column(name, default=None):
            if name not in inst.columns:
                return [default] * n
            return [None if pd.isna(v) else v for v in inst.loc[codes, name]] if n else []

        under = [normalize_code(u) if isinstance(u, str) and u else None for u in column("underlying")]
        price = np.array([float(v) if v is not None else np.nan for v in column("convert_price")], float)
        rate = np.where(price > 0, 100.0 / np.where(price > 0, price, 1.0), np.nan)
        stock_close = self._last_closes(under)
        bond_close = self._last_closes(codes)
        value = rate * stock_close
        with np.errstate(invalid="ignore", divide="ignore"):
            premium = np.where(value > 0, (bond_close / np.where(value > 0, value, 1.0) - 1.0) * 100.0, np.nan)
        return pd.DataFrame({
            "bond_code": codes,
            "bond_name": [str(inst.at[c, "name"]) for c in codes],
            "stock_code": under,
            "stock_name": [str(inst.at[u, "name"]) if u in inst.index else None for u in under],
            "list_date": [_date_text(inst.at[c, "list_date"], None) for c in codes],
            "premium_rate": premium,
            "convert_date": [_date_text(v, None) if v is not None else None for v in column("convert_date")],
            "maturity_date": [_date_text(v, None) if v is not None else None for v in column("maturity_date")],
            "convert_rate": rate, "convert_price": price, "convert_value": value,
        }, columns=list(_CB_INFO_COLUMNS))

    def _last_closes(self, codes) -> np.ndarray:
        """Unadjusted close of each code (None -> NaN) on the last trading day before the simulated date."""
        out = np.full(len(codes), np.nan)
        store = self.rt.store
        sids = [store.sid(c) if c else -1 for c in codes]
        have = [i for i, s in enumerate(sids) if s >= 0]
        if not have:
            return out
        _, rows = store.daily_history([sids[i] for i in have], ("close",), self._today(), 1, include_end=False)
        if len(rows["close"]):
            out[have] = rows["close"][-1]
        return out

    # -- LIMITS --------------------------------------------------------------------------------------

    @phases(*_REF, warn_only=_INIT)
    def check_limit(self, security, query_date=None):
        """check_limit: whether securities are at limit-up (1), limit-down (-1) or neither (0).

        Parameters
        ----------
        security : str or list of str
            Other types return ``{}``.
        query_date : str, int or date, optional
            'YYYYmmdd'; default (or the simulated date itself) compares the current price, an earlier date
            compares that day's close.

        Returns
        -------
        dict
            Short code -> int.  The current price is the bar that just ended in a minute run, the day's close
            in a daily run and after the close, the previous close before the open; it counts as at a limit
            within half a tick.  Codes without data or limits that day (indices, bonds) give 0.

        Raises
        ------
        ValueError
            For a bad ``query_date`` or one after the simulated date.

        Differences from Ptrade
        -----------------------
        Never returns ±2 (touched the limit with the book open): the data has no order book.
        """
        if isinstance(security, str):
            raw = [security]
        elif isinstance(security, (list, tuple)):
            raw = list(security)
        else:
            return {}
        today = self._today()
        day = self._day(query_date, "query_date")
        if day > today:
            raise ValueError(f"query_date is after the simulated date {today}, was {query_date!r}")
        keys, codes = [], []
        for c in raw:
            try:
                codes.append(normalize_code(c))
                keys.append(codes[-1])
            except ValueError:
                keys.append(c)
                codes.append(None)
        store = self.rt.store
        sids = np.array([store.sid(c) if c else -1 for c in codes], np.int64)
        dates, rows = store.daily_history(sids, ("close", "high_limit", "low_limit"), day, 1)
        if len(dates) == 0 or dates[-1] != day:
            return {k: 0 for k in keys}
        price = self._current_price(sids, rows["close"][-1]) if day == today else rows["close"][-1]
        half = np.array([float(self._inst.at[c, "tick"]) if c in self._inst.index else 0.01 for c in codes]) / 2
        with np.errstate(invalid="ignore"):
            up = price >= rows["high_limit"][-1] - half
            down = price <= rows["low_limit"][-1] + half
        out = {}
        for j, k in enumerate(keys):
            out[k] = 0 if sids[j] < 0 else (1 if up[j] else (-1 if down[j] else 0))
        return out

    def _current_price(self, sids, day_close) -> np.ndarray:
        """The latest price at the simulated clock: previous close, current minute bar, or the day's close."""
        rt, store = self.rt, self.rt.store
        today = self._today()
        if rt.bar_index is None or rt.phase in ("init", "before"):
            _, prev = store.daily_history(sids, ("close",), today, 1, include_end=False)
            return prev["close"][-1] if len(prev["close"]) else np.full(len(sids), np.nan)
        if rt.frequency == "1m" and rt.bar_index < 240 and rt.phase != "after" and store.has_minutes(today):
            close = store.minute_day(today).close[rt.bar_index]
            return np.where(sids >= 0, close[np.maximum(sids, 0)], np.nan)
        return day_close

    def _warn(self, message):
        if self.rt.log is not None:
            self.rt.log.warning(message)


# -- HELPERS ---------------------------------------------------------------------------------------------

def _date_text(value, default):
    return default if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _exrights_frame(events: pd.DataFrame) -> pd.DataFrame:
    """Ptrade's exrights table from price-moving events (§H.8): backward factors are the running a, b after
    each event; the forward factors of row k transform prices before it, anchored at the last event."""
    dates, a, b = _adjust.backward_factors(events)
    a_prev = np.concatenate([[1.0], a[:-1]])
    b_prev = np.concatenate([[0.0], b[:-1]])
    index = pd.Index(pd.DatetimeIndex(dates.astype("datetime64[ns]")).strftime("%Y%m%d").astype(np.int64),
                     name="date")
    return pd.DataFrame({
        "allotted_ps": (events["bonus_ratio"] + events["conversion_ratio"]).to_numpy(float),
        "rationed_ps": events["rights_ratio"].to_numpy(float),
        "rationed_px": events["rights_price"].to_numpy(float),
        "bonus_ps": events["cash_dividend"].to_numpy(float),
        "exer_forward_a": a_prev / a[-1],
        "exer_forward_b": (b_prev - b[-1]) / a[-1],
        "exer_backward_a": a,
        "exer_backward_b": b,
    }, index=index, columns=list(_EXRIGHTS_COLUMNS))
