"""Ptrade trading and order/position query functions (§D.7, §D.8) for stocks, funds and bonds.

Each call translates and validates (code, amount, price precision, lots: the creation-time checks
of §H.3), records the order in the order book kernel and returns its id.  Nothing is filled here:
the runner matches every open order once per bar after the callbacks return (§H.1).  A rejected
order returns ``None``, is recorded with status ``'9'`` and its ``error_info``, and logs a WARNING
naming the function, the security and the reason — never an exception.
"""
from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from .. import _core

from .. import errors as E
from ..data.codes import normalize_code, to_long
from ..model.units import SCALE, to_raw
from ..model.phases import phases
from ..model import OrderList, Position, PositionDict

_ORDER_PHASES = ("handle", "sched", "tick", "on_order", "on_trade", "after")
_QUERY_PHASES = ("before", "handle", "after", "tick", "on_order", "on_trade", "sched")
_STRICT_PRICE_TYPES = {"stock", "star", "chinext", "b_share"}


def _is_int(x) -> bool:
    return isinstance(x, Integral) and not isinstance(x, bool)


# More shares than any security has issued (and well inside the kernels' int64): a larger amount is a typo
# or an overflow in the strategy, rejected like any invalid amount.
MAX_QUANTITY = 10 ** 13


class TradingAPI:
    """Ptrade's order functions and order/position queries, bound to one backtest."""

    def __init__(self, rt, account, market):
        self.rt = rt
        self._acct = account          # engine.account.Account: kernels + Ptrade object views
        self._market = market         # engine.market_view.MarketView: prices, limits, listing
        # row -> bool: whether a cancel may go through now (the tick replay refuses cancels in the call
        # auctions' no-cancel windows); None accepts every cancel.
        self.cancel_guard = None

    # -- helpers -----------------------------------------------------------------------------------

    def _warn(self, msg: str) -> None:
        self.rt.log.warning(msg)

    def _resolve(self, fn: str, security):
        if not isinstance(security, str):
            raise TypeError(f"{fn}: security must be a code string such as '600570.SS', was {security!r}")
        try:
            code = normalize_code(security)
        except ValueError as exc:
            self._warn(f"{fn}({security!r}) rejected: {exc}")
            return None, -1
        sid = self.rt.store.sid(code)
        if sid < 0:
            self._warn(f"{fn}({code}) rejected: {E.error_info(E.R_UNKNOWN_SECURITY)}; "
                       f"no bars for {code} in data root {self.rt.store.root}")
        return code, sid

    def _reject(self, fn, code, sid, side, amount, limit_raw, reason, detail=""):
        acct = self._acct
        row = acct.book.add_rejected(sid, side, max(int(amount), 0), limit_raw, int(acct.inst["lot"][sid]),
                                     self.rt.bar_seq, reason)
        acct.new_order_row(row, self.rt.now, self._market.current_price(sid))
        self._warn(f"{fn}({code}, {side * amount}) rejected: {E.error_info(reason)}"
                   + (f" — {detail}" if detail else ""))
        acct.touch()
        return None

    def _price_raw(self, fn, code, sid, limit_price):
        """Validate ``limit_price``: returns (raw price or 0, reason or 0, detail)."""
        if limit_price is None:
            return 0, 0, ""
        if not isinstance(limit_price, Real) or isinstance(limit_price, bool) or not math.isfinite(limit_price) \
                or limit_price <= 0:
            raise ValueError(f"{fn}: limit_price must be a positive number for {code}, was {limit_price!r}")
        inst = self._acct.inst
        tick = int(inst["tick"][sid])
        exact = float(limit_price) * SCALE
        if exact > MAX_QUANTITY * SCALE:
            return 0, E.R_PRICE_OUTSIDE_LIMITS, f"limit_price {limit_price} is beyond any possible price"
        raw = int(math.floor(exact + 0.5))
        if tick > 0 and raw % tick != 0 or abs(exact - raw) > 1e-6:
            if str(inst["type"][sid]) in _STRICT_PRICE_TYPES and not self.rt.options.get("lenient_price_precision"):
                return 0, E.R_PRICE_PRECISION, f"limit_price {limit_price} is not a multiple of {tick / SCALE:g}"
            raw = int(math.floor(raw / tick + 0.5)) * tick if tick > 0 else raw
        hi, lo = self._market.day_limits(sid)
        if (hi and raw > hi) or (lo and raw < lo):
            return raw, E.R_PRICE_OUTSIDE_LIMITS, (f"limit_price {limit_price} outside "
                                                    f"[{lo / SCALE:g}, {hi / SCALE:g}]")
        return raw, 0, ""

    def _create(self, fn: str, security, amount, limit_price, sized=False, otype=0):
        code, sid = self._resolve(fn, security)
        if sid < 0:
            return None
        acct, market = self._acct, self._market
        if otype == 0 and str(acct.inst["type"][sid]) == "future":
            raise ValueError(f"{fn}: {code} is a futures contract; trade it with buy_open/sell_close/sell_open/buy_close")
        side = 1
        if not _is_int(amount):
            amt = 0
            try:
                if math.isfinite(float(amount)):
                    amt = int(amount)
            except (TypeError, ValueError):
                pass
            side = -1 if amt < 0 else 1
            return self._reject(fn, code, sid, side, abs(amt), 0, E.R_BAD_AMOUNT, f"amount was {amount!r}")
        amount = int(amount)
        side = -1 if amount < 0 else 1
        qty = abs(amount)
        if qty > MAX_QUANTITY:
            return self._reject(fn, code, sid, side, 0, 0, E.R_BAD_AMOUNT,
                                f"amount {amount} is beyond any possible quantity (at most {MAX_QUANTITY:,})")
        if qty == 0:
            return self._reject(fn, code, sid, side, 0, 0, E.R_ZERO_AMOUNT)
        limit_raw, reason, detail = self._price_raw(fn, code, sid, limit_price)
        state = market.listing_state(sid)
        if self.rt.market_closed():
            reason, detail = E.R_AFTER_CLOSE, f"simulated time {self.rt.now}"
        elif state == "not_listed":
            reason, detail = E.R_NOT_LISTED, f"no data for {code} before {self.rt.trade_date}"
        elif state == "delisted":
            reason, detail = E.R_DELISTED, ""
        elif not market.day_is_open(sid):
            reason, detail = E.R_SUSPENDED_AT_CREATION, f"{code} does not trade on {self.rt.trade_date}"
        if reason:
            return self._reject(fn, code, sid, side, qty, limit_raw, reason, detail)
        if otype == 0 and str(acct.inst["type"][sid]) == "repo":
            # Treasury reverse repo (extension, engine/repo.py): same checks and book, its own lots and fill.
            return acct.repo.create(fn, code, sid, side, qty, limit_raw, self._reject, self._warn, market, sized)

        lot = int(acct.inst["lot"][sid])
        min_buy = int(acct.inst["min_buy"][sid])
        if side > 0:
            rounded = qty - qty % lot
            if rounded < min_buy:
                return self._reject(fn, code, sid, side, qty, limit_raw, E.R_BELOW_MIN_LOT,
                                    f"buy {qty} of {code} is below the minimum of {min_buy}")
        else:
            held = int(acct.ledger.amount[sid])
            enable = int(acct.ledger.enable_amount[sid])
            # A sell of the whole position (or of all that is sellable) may carry an odd lot (§H.3.3).
            rounded = qty if qty in (held, enable) and qty > 0 else qty - qty % lot
            if rounded <= 0:
                return self._reject(fn, code, sid, side, qty, limit_raw, E.R_BELOW_MIN_LOT,
                                    f"sell {qty} of {code} is not a whole lot ({lot}) nor the whole position ({held})")
        if rounded != qty and not sized:
            # order_value/order_target_value size in lots by definition (§D.7): not an adjustment.
            self._warn(f"{fn}({code}, {amount}): amount rounded to {side * rounded} (lot {lot})")
        row = acct.book.add(sid, side, rounded, limit_raw, lot, self.rt.bar_seq, otype)
        oid = acct.new_order_row(row, self.rt.now, limit_raw / SCALE if limit_raw else market.current_price(sid))
        acct.touch()
        return oid

    def _sizing_price(self, fn, code, sid, limit_price):
        price = float(limit_price) if limit_price is not None else self._market.current_price(sid)
        if not price or not math.isfinite(price) or price <= 0:
            self._warn(f"{fn}({code}) rejected: no price for {code} at {self.rt.now}")
            return None
        return price

    # -- order functions ---------------------------------------------------------------------------
    @phases(*_ORDER_PHASES, warn_only=("before",))
    def order(self, security, amount, limit_price=None):
        """Ptrade ``order``: buy (amount > 0) or sell (amount < 0) ``amount`` shares/units.

        Parameters
        ----------
        security : str
            Code with either suffix form (``'600570.SS'`` or ``'600570.XSHG'``).
        amount : int
            Quantity; buys are rounded down to the lot (100 shares, 10 bonds), sells too unless
            they sell the whole position or everything sellable.
        limit_price : float, optional
            Limit price; ``None`` uses the current bar's latest price (§H.2).

        Returns
        -------
        str or None
            The order id, or ``None`` when the order is rejected (logged with the reason).

        Differences from Ptrade
        -----------------------
        Orders placed in ``after_trading_end`` (or after 15:00) are rejected with status '9'
        (live would queue them for the next day).
        """
        return self._create("order", security, amount, limit_price)

    @phases(*_ORDER_PHASES, warn_only=("before",))
    def order_target(self, security, amount, limit_price=None):
        """Ptrade ``order_target``: trade the difference between ``amount`` and the current position.

        Open orders are not netted (as on the platform).  ``amount=0`` closes the position, odd lot
        included.  Returns the order id, or ``None`` when there is nothing to trade or the order is
        rejected.
        """
        code, sid = self._resolve("order_target", security)
        if sid < 0:
            return None
        if not _is_int(amount):
            return self._create("order_target", code, amount, limit_price)
        delta = int(amount) - int(self._acct.ledger.amount[sid])
        if delta == 0:
            return None
        return self._create("order_target", code, delta, limit_price)

    @phases(*_ORDER_PHASES, warn_only=("before",))
    def order_value(self, security, value, limit_price=None):
        """Ptrade ``order_value``: buy (value > 0) or sell (value < 0) about ``value`` CNY worth.

        Quantity = ``int(value / price)`` rounded down to the lot, where price is ``limit_price`` or
        the current price before slippage (§D.7).  Fees are not deducted from ``value``; a buy that
        cannot be paid in full is cut to the available cash when it is matched.
        """
        code, sid = self._resolve("order_value", security)
        if sid < 0:
            return None
        if not isinstance(value, Real) or isinstance(value, bool) or not math.isfinite(value):
            raise ValueError(f"order_value: value must be a finite number for {code}, was {value!r}")
        price = self._sizing_price("order_value", code, sid, limit_price)
        if price is None:
            return None
        qty = int(abs(value) / price)
        if qty == 0:
            self._warn(f"order_value({code}, {value}): value buys less than one share at {price}")
            return None
        return self._create("order_value", code, qty if value > 0 else -qty, limit_price, sized=True)

    @phases(*_ORDER_PHASES, warn_only=("before",))
    def order_target_value(self, security, value, limit_price=None):
        """Ptrade ``order_target_value``: adjust the position's market value to ``value`` CNY.

        Target quantity = ``int(value / price)`` (price = ``limit_price`` or the current price), then as
        ``order_target``; ``value=0`` closes the position.
        """
        code, sid = self._resolve("order_target_value", security)
        if sid < 0:
            return None
        if not isinstance(value, Real) or isinstance(value, bool) or not math.isfinite(value) or value < 0:
            raise ValueError(f"order_target_value: value must be a number ≥ 0 for {code}, was {value!r}")
        held = int(self._acct.ledger.amount[sid])
        if value == 0:
            target = 0
        else:
            price = self._sizing_price("order_target_value", code, sid, limit_price)
            if price is None:
                return None
            target = int(value / price)
        delta = target - held
        if delta == 0:
            return None
        return self._create("order_target_value", code, delta, limit_price, sized=True)

    @phases(*_ORDER_PHASES)
    def margin_trade(self, security, amount, limit_price=None, market_type=None):
        """Ptrade ``margin_trade``: collateral buy/sell on the credit account (§D.9).

        In backtest the collateral account is the ordinary stock ledger, so this behaves as
        ``order``.  Differences from Ptrade: ``market_type`` market orders are priced like
        ``order`` without a limit (the bar's latest price).
        """
        return self._create("margin_trade", security, amount, limit_price)

    # -- cancel ------------------------------------------------------------------------------------
    def _row_of(self, order_param):
        if isinstance(order_param, OrderList) and len(order_param) == 1:
            order_param = order_param[0]
        oid = getattr(order_param, "id", order_param)
        if not isinstance(oid, str):
            raise TypeError(f"cancel_order: order_param must be an Order or an order id string, was {order_param!r}")
        return self._acct.id_to_row.get(oid)

    @phases("handle", "sched", "tick", "on_order", "on_trade", "after", warn_only=("before",))
    def cancel_order(self, order_param):
        """Ptrade ``cancel_order``: cancel the unfinished part of an order (Order object or id).

        The order ends '6' (nothing filled) or '5' (partly filled).  Cancelling a finished or
        unknown order is a no-op with a warning.  Returns ``None``.
        """
        row = self._row_of(order_param)
        if row is None:
            self._warn(f"cancel_order({order_param!r}): no such order in this backtest")
            return None
        if self.cancel_guard is not None and not self.cancel_guard(row):
            return None
        desk = self._acct.extension_desk(row)     # reverse repo and IPO rows are not the kernel's
        status = desk.cancel(row) if desk is not None else self._acct.book.cancel(row, _core.R_USER_CANCEL)
        if not status:
            o = self._acct.order_object(row)
            self._warn(f"cancel_order({o.id}): order already finished with status '{o.status}'")
        else:
            self._acct.touch()
        return None

    # -- queries -----------------------------------------------------------------------------------
    def _filter_code(self, security):
        if security is None:
            return None
        return normalize_code(security)

    @phases(*_QUERY_PHASES)
    def get_open_orders(self, security=None):
        """Ptrade ``get_open_orders``: this strategy's unfinished orders today (statuses '2'/'7')."""
        code = self._filter_code(security)
        rows = list(self._acct.book.open_indices()) + list(self._acct.repo_state["pending"])
        out = [self._acct.order_object(int(r)) for r in rows]
        return [o for o in out if code is None or o.sid == code]

    @phases(*_QUERY_PHASES)
    def get_order(self, order_id):
        """Ptrade ``get_order``: a one-element list holding the Order (empty if unknown).

        The list forwards attribute access to its element, so ``get_order(oid).status`` works too.
        """
        row = self._acct.id_to_row.get(getattr(order_id, "id", order_id))
        return OrderList([] if row is None else [self._acct.order_object(row)])

    @phases(*_QUERY_PHASES)
    def get_orders(self, security=None):
        """Ptrade ``get_orders``: all of today's orders of this strategy (every status)."""
        code = self._filter_code(security)
        out = [self._acct.order_object(r) for r in self._acct.today_rows()]
        return [o for o in out if code is None or o.sid == code]

    @phases(*_QUERY_PHASES)
    def get_trades(self):
        """Ptrade ``get_trades``: today's fills as ``{order_id: [[trade_id, entrust_no, code(long),
        '买'/'卖', quantity, price, value, 'YYYY-mm-dd HH:MM:SS'], ...]}``."""
        acct = self._acct
        out: dict[str, list] = {}
        for t in acct.trades[acct.day_first_trade:]:
            out.setdefault(acct.order_ids[t[1]], []).append(acct.trade_row_for_ptrade(t))  # futures: + open/close
        return out

    @phases(*_QUERY_PHASES)
    def get_position(self, security):
        """Ptrade ``get_position``: the Position of one security (all zeros when not held, never None)."""
        code, sid = self._resolve("get_position", security)
        if sid < 0:
            return Position(code or str(security))
        if self._acct.is_future[sid]:
            return self._acct.future_position(sid, code)
        return self._acct.position(sid, code, self._market.current_price(sid))

    @phases(*_QUERY_PHASES)
    def get_positions(self, security=None):
        """Ptrade ``get_positions``: ``{code: Position}`` keyed by long-suffix code (lookups accept
        either suffix); ``security`` may be a code, a list of codes or omitted (all positions)."""
        acct = self._acct
        if security is None:
            sids = [int(s) for s in acct.held_or_traded_today()]
            codes = [str(acct.codes[s]) for s in sids]
        else:
            codes = [security] if isinstance(security, str) else list(security)
            pairs = [self._resolve("get_positions", c) for c in codes]
            codes = [c for c, s in pairs if c]
            sids = [s for c, s in pairs if c]
        items = {}
        for code, sid in zip(codes, sids):
            if sid < 0:
                items[to_long(code)] = Position(code)
            elif acct.is_future[sid]:
                items[to_long(code)] = acct.future_position(sid, code)
            else:
                items[to_long(code)] = acct.position(sid, code, self._market.current_price(sid))
        return PositionDict(items, normalize_code, to_long)
