"""The order router: matching the open orders against a bar, and telling the strategy what happened.

One ``OrderBook.match`` kernel call per bar handles every working order (stock, futures and margin,
§H.1–H.7); the fills move into the account's trade list; every clip or cancel is logged with its reason
(§0.1a item 5); ``on_trade_response`` / ``on_order_response`` are pushed only when the run asks for them
(option ``order_callbacks``, off by default: the platform calls them only live, docs/engine.md).
"""
from __future__ import annotations

import numpy as np

from .. import _core
from ..model.units import SCALE


class OrderRouter:
    def __init__(self, rt, account, market, settings, options, log, caller, context, callbacks, divtax=None):
        self.rt = rt
        self.account = account
        self.market = market
        self.settings = settings
        self.options = options
        self.log = log
        self.caller = caller
        self.context = context
        self.callbacks = callbacks        # the strategy's callbacks by name
        self.divtax = divtax
        self.trade_tax: dict[str, int] = {}
        self._pushed: dict[int, tuple] = {}
        self._push_from = 0

    def sync_params(self):
        """Copy the strategy's matching settings (volume ratio, limit mode, slippage) into the kernel's params."""
        s, p = self.settings, self.account.params
        p.volume_ratio = s.volume_ratio
        p.limit_mode = 0 if s.limit_mode == "LIMIT" else 1
        p.slippage_kind = s.slippage_kind
        p.slippage_ratio = s.slippage_ratio
        p.slippage_fixed = int(round(s.slippage_fixed * SCALE))
        p.block_limit_locked = bool(self.options.get("block_limit_locked", True))
        p.shared_volume_cap = bool(self.options.get("shared_volume_cap", False))
        p.limit_touch = 1 if self.options.get("limit_touch", "close") == "high_low" else 0

    def skip_bar(self):
        """A bar with no working order in the kernel: the bar counter moves; reverse repo orders match."""
        self.rt.bar_seq += 1
        if self.account.repo_state["pending"]:
            self.report([], self.account.repo.match(self.market, self.log))

    def match(self, close, high, low, volume, valid):
        """Match every working order against this bar (kernel prices, int volume, ``valid`` = has a bar)."""
        acct = self.account
        self.rt.bar_seq += 1
        if acct.repo_state["pending"]:     # reverse repo (extension, engine/repo.py): matched beside the kernel
            self.report([], acct.repo.match(self.market, self.log))
        if acct.book.n_open == 0:          # runs every bar: nothing to do without working orders
            return
        tradable = (self.market.open_today & valid).astype(np.uint8)
        acct.book.match(acct.ledger, acct.fees, close, high, low, volume, self.market.high_limit_raw,
                        self.market.low_limit_raw, tradable, acct.params, acct.fills, futures=acct.futures,
                        futures_fees=acct.futures_fees, margin=acct.margin if acct.margin_enabled else None)
        new = acct.collect_fills(self.rt.now)
        if new:
            acct.mark(close, valid)     # positions opened by this bar's fills take its close too
            if self.divtax is not None:
                self._dividend_tax_on_fills(new)
        changed = acct.book.changed_indices()
        self.report(changed, new)

    def end_day(self):
        """Cancel what is still open at the close (§A.2) and report it."""
        book = self.account.book
        book.end_day()
        self.report(list(book.changed_indices()) + self.account.repo.end_day(self.log), [])

    def _dividend_tax_on_fills(self, trades):
        """差别化红利税 on sales (option dividend_tax='holding_period'): FIFO lots, charged from cash."""
        acct, day = self.account, self.rt.trade_date
        for t in trades:
            trade_id, row, dt, sid, side, qty = t[:6]
            if acct.is_future[sid] or int(acct.book.otype[row]) not in (0, 4, 5):
                continue
            if side > 0:
                self.divtax.on_buy(sid, qty, day)
                continue
            tax = self.divtax.on_sell(sid, qty, day)
            if tax:
                acct.ledger.cash = acct.ledger.cash - tax
                self.trade_tax[trade_id] = tax
                self.log.info(f"dividend tax on the sale of {qty} {acct.codes[sid]}: {tax / SCALE:.2f} CNY "
                              f"(held-period rates, docs/market-rules.md §5.8)")

    def report(self, changed, new_trades):
        """Log every clip/cancel with its reason (§0.1a item 5) and push the order callbacks."""
        acct = self.account
        for row in changed:
            row = int(row)
            reason = int(acct.book.reason[row])
            if reason and reason != _core.R_USER_CANCEL:
                o = acct.order_object(row)
                self.log.warning(f"order {o.entrust_no} {o.sid} {'buy' if o.amount > 0 else 'sell'} {abs(o.amount)}: "
                                 f"{o.error_info}; filled {abs(o.filled)}, status '{o.status}'")
        if self.options.get("order_callbacks", False):
            on_trade, on_order = self.callbacks["on_trade_response"], self.callbacks["on_order_response"]
            if on_trade and new_trades:
                items = [self._trade_push(t) for t in new_trades]
                self.caller.call("on_trade", on_trade, self.context, items)
            if on_order:
                # Rows whose status or fill moved, plus orders created since the last push (each pushed once
                # as '2'): not today's whole order list, which would make every bar cost O(orders).
                start = max(self._push_from, acct.day_first_row)
                rows = sorted(set(int(r) for r in changed) | {t[1] for t in new_trades}
                              | set(range(start, acct.book.n_orders)))
                self._push_from = acct.book.n_orders
                items = []
                for r in rows:
                    key = (int(acct.book.status[r]), int(acct.book.filled[r]))
                    if self._pushed.get(r) != key:
                        self._pushed[r] = key
                        items.append(self._order_push(r))
                if items:
                    self.caller.call("on_order", on_order, self.context, items)

    def _order_push(self, row: int) -> dict:
        o = self.account.order_object(row)
        return {"entrust_no": o.entrust_no, "error_info": o.error_info,
                "order_time": o.dt.strftime("%Y-%m-%d %H:%M:%S.000"), "stock_code": o.sid,
                "amount": abs(o.amount), "price": o.limit, "business_amount": float(abs(o.filled)),
                "status": o.status, "entrust_type": "0",
                "entrust_prop": "d" if int(self.account.book.limit_price[row]) else "0", "order_id": o.id}

    def _trade_push(self, t) -> dict:
        acct = self.account
        trade_id, row, dt, sid, side, qty, price, value = t[:8]
        return {"entrust_no": str(int(acct.book.entrust_no[row])), "business_time": dt.strftime("%Y-%m-%d %H:%M:%S"),
                "stock_code": str(acct.codes[sid]), "entrust_bs": "1" if side > 0 else "2",
                "business_amount": qty, "business_price": price / SCALE, "business_balance": value / SCALE,
                "business_id": trade_id, "status": chr(int(acct.book.status[row])), "order_id": acct.order_ids[row]}
