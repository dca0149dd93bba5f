"""Ex-rights data (docs/ptrade-api.md §D.5): get_stock_exrights."""
from __future__ import annotations

import pandas as pd

from ..data import adjust as _adjust
from ..data.codes import normalize_code
from ..model.phases import phases
from .reference_common import ReferenceBase, _INIT, _REF, _exrights_frame


class ExrightsAPI(ReferenceBase):
    """Ex-rights data (docs/ptrade-api.md §D.5): get_stock_exrights."""

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
