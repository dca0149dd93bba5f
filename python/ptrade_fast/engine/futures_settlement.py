"""End of day for futures (§H.11, docs/market-rules.md §9.3): contracts on their last trading day close at the final
settlement price and leave the book; every other position is marked to the day's settlement price (the
close where the data has none), P&L into cash, margin re-evaluated.

Forced liquidation (强平, docs/engine.md): when equity falls below the margin the open positions need after
settlement (available cash < 0), the positions to close are chosen at once — whole legs, largest margin
first, until the margin they release covers the shortfall — and closed by market orders at the next
trading day's open (:func:`force_close`), before the strategy's ``before_trading_start``.  The orders carry
the reason in their ``error_info`` and the log says why."""
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
    if not len(calls):
        return []
    shortfall = -int(acct.ledger.cash)
    legs = []
    for sid in calls:
        if f.long_amount[sid]:
            legs.append((int(f.long_margin[sid]), int(sid), "long", int(f.long_amount[sid])))
        if f.short_amount[sid]:
            legs.append((int(f.short_margin[sid]), int(sid), "short", int(f.short_amount[sid])))
    legs.sort(key=lambda x: (-x[0], x[1], x[2]))        # largest margin first; ties by sid, long before short
    chosen, released = [], 0
    for margin, sid, leg, lots in legs:
        if released >= shortfall:
            break
        chosen.append((sid, leg, lots))
        released += margin
    log.warning(f"margin call after settlement on {day}: available cash {acct.cash:,.2f} CNY "
                f"(shortfall {shortfall / SCALE:,.2f}); forced liquidation at the next open of "
                + ", ".join(f"{acct.codes[s]} {leg} {lots}" for s, leg, lots in chosen))
    return chosen


FORCED_NOTE = "强平 (forced liquidation: margin call after settlement)"


def force_close(trading, account, log, legs) -> None:
    """Place the market orders that close ``legs`` ((sid, 'long'|'short', lots) from :func:`settle_futures`)."""
    from .. import _core
    for sid, leg, lots in legs:
        code = str(account.codes[sid])
        held = int(account.futures.long_amount[sid] if leg == "long" else account.futures.short_amount[sid])
        lots = min(lots, held)
        if lots <= 0:
            continue
        side = -1 if leg == "long" else 1
        oid = trading._create("forced_liquidation", code, side * lots, None, otype=_core.OTYPE_FUT_CLOSE)
        if oid is not None:
            account.order_notes[account.id_to_row[oid]] = FORCED_NOTE
            log.warning(f"forced liquidation: {'sell_close' if side < 0 else 'buy_close'} {code} {lots} lots "
                        f"(order {oid})")
