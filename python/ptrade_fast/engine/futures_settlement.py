"""End of day for futures (§H.11, market-rules §9.3): contracts on their last trading day close at the final
settlement price and leave the book; every other position is marked to the day's settlement price (the
close where the data has none), P&L into cash, margin re-evaluated; a margin call is logged."""
from __future__ import annotations

import numpy as np

from ..model.units import SCALE
from .market_view import to_kernel_prices


def settle_futures(account, market, log, day) -> None:
    acct, w, di = account, market.win, market.di
    f = acct.futures
    settle = getattr(w, "settlement", None)
    px = settle[di] if settle is not None else w.close[di]
    px = np.where(np.isfinite(px), px, w.close[di])
    raw = to_kernel_prices(px)
    valid = (np.isfinite(px) & acct.is_future).astype(np.uint8)
    dd = acct.inst.get("delivery_date")
    if dd is not None:
        today = np.datetime64(day, "D")
        for sid in acct.futures_sids:
            if dd[sid] == today and (f.long_amount[sid] or f.short_amount[sid]) and valid[sid]:
                pnl = f.expire(int(sid), int(raw[sid]))
                log.info(f"{acct.codes[sid]} expired: final settlement at {px[sid]:.4f}, "
                         f"P&L {pnl / SCALE:,.2f} CNY")
    f.settle_day(raw, valid)
    f.mark(raw, valid)
    calls = f.margin_call_sids()
    if len(calls):
        log.warning(f"margin call after settlement on {day}: available cash "
                    f"{acct.cash:,.2f} CNY; positions in {', '.join(str(acct.codes[s]) for s in calls)}")
