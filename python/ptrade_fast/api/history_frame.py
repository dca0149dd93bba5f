"""The long history frame of the Python 3.11 edition that also answers ``frame[code]`` (docs/ptrade-api.md §0.1a-6).

``get_history`` / ``get_price`` on a list of codes return one DataFrame with a ``code`` column (rows grouped by
code, each group in date order).  Strategies written for the old edition index the result by code
(``hist['600570.SS']``); a code is never a column name, so :class:`HistoryFrame` answers that too with the old
edition's per-code view, and behaves as a plain DataFrame in every other respect.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.codes import normalize_code


class HistoryFrame(pd.DataFrame):
    """A long history DataFrame (``code`` column) that also answers ``frame[code]``.

    ``frame[code]`` for a code of the frame gives the old edition's per-code view: the code's rows indexed by
    date, as a Series named by the code when the history was asked for one field (``field='close'``, as the
    old dates × codes DataFrame gave), else a dates × fields DataFrame.  Column names keep their meaning
    (``frame['close']`` is the column), and ``.loc``, ``.copy()``, arithmetic and ``groupby`` are pandas'
    own and give plain DataFrames.

    Differences from Ptrade
    -----------------------
    Ptrade's Python 3.11 edition raises ``KeyError`` for ``frame[code]``; the old edition returned a dates ×
    codes DataFrame (one field) or a Panel.  Several fields on a list of codes remain a collision (``compat
    ='py35'`` gives the Panel).
    """

    _metadata = ["_history_field"]            # kept through pickling
    _history_field = None

    # Frames derived from it (column subsets, row filters, copies, groupby chunks, arithmetic) are plain
    # DataFrames: pandas builds them on its fast path for the base class (a subclass's own constructor would
    # double the cost of iterating a groupby over the codes, a per-day hot path of screening strategies).
    @property
    def _constructor(self):
        return pd.DataFrame

    def _constructor_from_mgr(self, mgr, axes):
        return pd.DataFrame._from_mgr(mgr, axes=axes)

    @classmethod
    def build(cls, cols: dict, index, codes: list, n: int, field: str | None) -> "HistoryFrame":
        """The frame of ``len(codes)`` groups of ``n`` rows, one per code in order (``_shape``'s layout)."""
        frame = cls(cols, index=index, copy=False)      # the columns are fresh arrays of this call
        object.__setattr__(frame, "_history_field", field)
        object.__setattr__(frame, "_layout", (codes, n))
        return frame

    def __getitem__(self, key):
        try:
            return super().__getitem__(key)
        except KeyError:
            if not isinstance(key, str) or "code" not in self.columns:
                raise
        return self._per_code(key)

    def _per_code(self, key: str):
        try:
            code = normalize_code(key)
        except (ValueError, TypeError):
            raise KeyError(f"{key!r}: neither a column nor a security code of this history frame") from None
        layout = self.__dict__.get("_layout")
        if layout is not None:
            codes, n = layout
            positions = self.__dict__.get("_positions")
            if positions is None:
                positions = {c: j for j, c in enumerate(codes)}
                object.__setattr__(self, "_positions", positions)
            j = positions.get(code)
            rows = slice(j * n, (j + 1) * n) if j is not None else None
        else:                                  # no layout (an unpickled or empty frame): search the codes
            hit = np.flatnonzero(self["code"].to_numpy() == code)
            rows = hit if len(hit) else None
        if rows is None:
            raise KeyError(f"{key!r}: neither a column nor a security code of this history frame "
                           f"(codes: {_preview(self)})")
        index = self.index[rows]
        field = self._history_field
        if field is not None and field in self.columns:
            return pd.Series(self[field].to_numpy()[rows], index=index, name=code)
        fields = [c for c in self.columns if c != "code"]
        return pd.DataFrame({f: self[f].to_numpy()[rows] for f in fields}, index=index)


def _preview(frame) -> str:
    codes = pd.unique(frame["code"].to_numpy())
    shown = ", ".join(map(str, codes[:5]))
    return shown + (f", … ({len(codes)} in all)" if len(codes) > 5 else "")
