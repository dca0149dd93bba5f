"""Reference data: names, listing, status, ex-rights, blocks, index members, limits (docs/ptrade-api.md §D.5, §D.12, §D.13).

Everything comes from the data root: ``instruments.parquet`` (names and listing dates), the daily bars
(suspension, limits), ``ex_rights.parquet``, ``index_members.parquet`` and ``blocks.parquet``.  Dates default to
the simulated date, and nothing dated after it is returned unless the caller names a date.  Names and blocks
are snapshots; ST status and index membership are point-in-time where the root has dated tables
(``st.parquet``, dated ``index_members``: the sample bundle from 2019-01-02); each function's docstring says so.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..model.phases import phases
from .reference_blocks import BlocksAPI
from .reference_exrights import ExrightsAPI
from .reference_status import StatusAPI
from .reference_universes import UniversesAPI
from .reference_common import ReferenceBase, _HQ_TYPE, _INFO_FIELDS, _INIT, _MARKETS, _MARKET_EXCHANGE, _NEVER_DELISTED, _REF, _date_text


class ReferenceAPI(StatusAPI, ExrightsAPI, BlocksAPI, UniversesAPI, ReferenceBase):
    """Reference-data functions over the Runtime's DataStore: markets, names and listing here; status,
    ex-rights, blocks and security lists in the ``reference_*`` modules it is composed of."""

    def __init__(self, rt):
        self.rt = rt
        self._blocks = None
        self._members = None

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
