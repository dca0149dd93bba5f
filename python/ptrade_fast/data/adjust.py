"""Price adjustment (复权) factors from ex-rights events, in Ptrade's A·P + B form (ptrade-api §H.8).

Backward (后复权): after event e, a = a_prev × (1 + bonus + conversion + rights_ratio) and
b = b_prev + a_prev × (cash − rights_ratio × rights_price); adjusted = a·P + b with the latest event ≤ t.
Forward anchored at date A (前复权 at the last data, 'dypre' at the simulated date):
adjusted = (back_t(P) − b_A) / a_A.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def price_events(ex: pd.DataFrame) -> pd.DataFrame:
    """Events that move the price: placements (price without ratio) and share-reform considerations
    (bonus shares with unchanged total shares, no exchange reference price) are dropped."""
    if ex.empty:
        return ex
    key = "code" if "code" in ex else "symbol"
    ex = ex.sort_values([key, "ex_date"]).copy()
    ex["prev_total"] = ex.groupby(key)["total_shares"].shift(1)
    rights = (ex.rights_ratio > 0) & (ex.rights_price > 0)
    moves = (ex.cash_dividend > 0) | (ex.bonus_ratio > 0) | (ex.conversion_ratio > 0) | rights
    reform = ((ex.bonus_ratio + ex.conversion_ratio) > 0) & (ex.cash_dividend == 0) & ~rights \
        & (ex.total_shares == ex.prev_total)
    ex = ex[ex.has_action.astype(bool) & moves & ~reform].copy()
    ex.loc[~rights, "rights_ratio"] = 0.0
    ex.loc[~rights, "rights_price"] = 0.0
    return ex.drop(columns="prev_total")


def backward_factors(events: pd.DataFrame):
    """Return (ex_dates datetime64[D], a, b) running backward factors after each event."""
    dates = pd.to_datetime(events["ex_date"]).to_numpy().astype("datetime64[D]")
    a = np.empty(len(events))
    b = np.empty(len(events))
    ap, bp = 1.0, 0.0
    for i, ev in enumerate(events.itertuples()):
        bp = bp + ap * (ev.cash_dividend - ev.rights_ratio * ev.rights_price)
        ap = ap * (1.0 + ev.bonus_ratio + ev.conversion_ratio + ev.rights_ratio)
        a[i], b[i] = ap, bp
    return dates, a, b


def adjust(values: np.ndarray, dates: np.ndarray, events: pd.DataFrame, how: str, anchor=None, volume=False):
    """Adjust a 1-D price (or volume) series of one security observed on ``dates``.

    ``how``: 'post' (backward), 'pre' (forward, anchored at the last event) or 'dypre' (forward, anchored at
    ``anchor``).  Volumes are scaled by the inverse share factor.
    """
    if events is None or events.empty:
        return values
    ed, a, b = backward_factors(events)
    k = np.searchsorted(ed, dates.astype("datetime64[D]"), side="right") - 1
    at = np.where(k >= 0, a[np.maximum(k, 0)], 1.0)
    bt = np.where(k >= 0, b[np.maximum(k, 0)], 0.0)
    if how == "post":
        aa, bb = 1.0, 0.0
    elif how == "pre":
        aa, bb = a[-1], b[-1]
    elif how == "dypre":
        j = int(np.searchsorted(ed, np.datetime64(anchor, "D"), side="right")) - 1
        aa, bb = (a[j], b[j]) if j >= 0 else (1.0, 0.0)
    else:
        raise ValueError(f"fq must be None, 'pre', 'post' or 'dypre', was {how!r}")
    if volume:
        return values * aa / at
    return (at * values + bt - bb) / aa
