"""Ptrade ``order_tick`` and ``order_market`` (§D.7): orders priced from the order book, for tick replay.

Both are live-only on the platform.  ptrade_fast serves them in its snapshot replay mode (``frequency='tick'``,
an extension, docs/ptrade-api.md §0.1a item 4), where a matcher with the exchange's rules fills them against
the recorded five-level books (docs/engine.md, "Tick matching").  In daily and minute runs there is no book to
price from, so they raise the live-only error exactly as before (§H.12).

The creation-time checks are those of every order function (code, amount, lot, listing, price precision and
limits: ``TradingAPI``); a market type the exchange does not accept, a Shanghai market order without its
protective price, or a market order in a call auction is recorded as a rejected order (status '9' with its
``error_info``) and logged, never raised.
"""
from __future__ import annotations

import datetime as _dt
from numbers import Integral, Real

from .. import _core
from .. import errors as E
from ..errors import LiveOnlyError
from ..model.phases import phases
from ..model.units import SCALE

#: ``market_type`` codes each exchange accepts (docs/ptrade-api.md, order_market, §E.8).
MARKET_TYPES_BY_EXCHANGE = {"SS": (0, 1, 2, 4), "SZ": (0, 2, 3, 4, 5)}
_SSE_PROTECTED_TYPES = frozenset({"stock", "star", "b_share"})
_NO_MARKET_ORDER_TYPES = frozenset({"cb"})
_CONTINUOUS = ((_dt.time(9, 30), _dt.time(11, 30)), (_dt.time(13, 0), _dt.time(14, 57)))
_CONTINUOUS_NO_CLOSE_AUCTION_END = _dt.time(15, 0)
_LEVEL1_GEARS = 5


class TickOrderAPI:
    """``order_tick`` and ``order_market``, bound to one run.

    ``matcher`` is the replay's exchange (an ``engine.tick_matching.TickMatcher``), ``None`` outside the tick
    replay; the API calls only its ``submit``, ``book_of`` and ``closing_auction`` methods, so it does not
    depend on the engine package.
    """

    def __init__(self, rt, trading, account, market, matcher=None):
        self.rt = rt
        self._trading = trading       # api.trading.TradingAPI: creation-time checks and the order row
        self._acct = account
        self._market = market
        self.matcher = None
        self.attach(matcher)

    def attach(self, matcher) -> None:
        """Serve the two functions with ``matcher`` (the replay's exchange; ``None`` detaches): it also
        guards ``cancel_order`` with the matcher's no-cancel windows."""
        self.matcher = matcher
        self._trading.cancel_guard = None if matcher is None else matcher.cancel_allowed

    def _require_replay(self, name: str, signature: str):
        # The replay runs with minute semantics (rt.frequency '1m') and marks itself with rt.tick_mode.
        if not (self.rt.frequency == "tick" or getattr(self.rt, "tick_mode", False)) or self.matcher is None:
            raise LiveOnlyError(f"{name} is only available in live trading ({signature}) or in the tick replay "
                                f"(frequency='tick'); guard the call with `if is_trade():`")

    def _continuous(self, code: str, sid: int) -> bool:
        t = self.rt.now.time()
        if any(lo <= t < hi for lo, hi in _CONTINUOUS):
            return True
        from_close = _dt.time(14, 57) <= t < _CONTINUOUS_NO_CLOSE_AUCTION_END
        return from_close and not self.matcher.closing_auction(code, sid, self.rt.now.date())

    @phases("handle", "tick", "sched", "on_order", "on_trade")
    def order_market(self, security, amount, market_type, limit_price=None):
        """Ptrade ``order_market``: a market order of type ``market_type`` (tick replay only).

        Parameters
        ----------
        security : str
            Code with either suffix form.
        amount : int
            Quantity: > 0 buys, < 0 sells (lots as ``order``).
        market_type : int
            0 对手方最优 (best counterparty price), 1 最优五档即时成交剩余转限价 (best five, remainder to a limit,
            Shanghai), 2 本方最优 (own-side best), 3 即时成交剩余撤销 (immediate or cancel, Shenzhen),
            4 最优五档即时成交剩余撤销 (best five, remainder cancelled), 5 全额成交或撤单 (fill or kill,
            Shenzhen).  Shanghai accepts 0, 1, 2, 4; Shenzhen 0, 2, 3, 4, 5.
        limit_price : float, optional
            Protective price: no fill beyond it.  Required for Shanghai stocks.

        Returns
        -------
        None
            As documented by the platform (the order is visible through ``get_orders`` / ``get_open_orders``).

        Differences from Ptrade
        -----------------------
        Live-only on the platform; here it also works in the tick replay, matched against the recorded
        five-level books (types 3 and 4 are identical on Level-1 data: both walk the five displayed levels).
        In daily and minute runs it raises the live-only error.  Convertible bonds and market orders outside
        continuous trading (call auctions, the 09:25–09:30 pause, the lunch break) are rejected with status '9'.
        """
        self._require_replay("order_market", "order_market(security, amount, market_type, limit_price=None)")
        if not isinstance(market_type, Integral) or isinstance(market_type, bool) or not 0 <= market_type <= 5:
            raise ValueError(f"order_market: market_type must be an int 0..5 (see docs/ptrade-api.md §E.8), "
                             f"was {market_type!r}")
        code, sid = self._trading._resolve("order_market", security)
        if sid < 0:
            return None
        suffix = code.rsplit(".", 1)[-1]
        inst_type = str(self._acct.inst["type"][sid])
        side = -1 if isinstance(amount, Real) and amount < 0 else 1
        qty = abs(int(amount)) if isinstance(amount, Integral) and not isinstance(amount, bool) else 0
        reason, detail = 0, ""
        if inst_type in _NO_MARKET_ORDER_TYPES:
            reason, detail = E.R_MARKET_TYPE_REJECTED, f"order_market does not support convertible bonds ({code})"
        elif int(market_type) not in MARKET_TYPES_BY_EXCHANGE.get(suffix, ()):
            accepted = MARKET_TYPES_BY_EXCHANGE.get(suffix)
            detail = (f"market_type {market_type} is not accepted on {code}'s exchange (accepted: "
                      f"{', '.join(map(str, accepted))})" if accepted else f"no market orders on {code}")
            reason = E.R_MARKET_TYPE_REJECTED
        elif suffix == "SS" and inst_type in _SSE_PROTECTED_TYPES and limit_price is None:
            reason, detail = E.R_PROTECTION_REQUIRED, f"{code} needs limit_price (protective price)"
        elif not self._continuous(code, sid):
            reason = E.R_MARKET_TYPE_REJECTED
            detail = f"market orders are accepted only in continuous trading, not at {self.rt.now:%H:%M:%S}"
        if reason:
            self._trading._reject("order_market", code, sid, side, qty, 0, reason, detail)
            return None
        oid = self._trading._create("order_market", code, amount, limit_price)
        if oid is not None:
            self.matcher.submit(self._acct.id_to_row[oid], dt=self.rt.now, market_type=int(market_type))
        return None

    @phases("tick")
    def order_tick(self, sid, amount, priceGear="1", limit_price=None):
        """Ptrade ``order_tick``: a limit order priced at a level of the current order book (tick replay only).

        Parameters
        ----------
        sid : str
            Security code.
        amount : int
            Quantity: > 0 buys, < 0 sells (lots as ``order``).
        priceGear : str
            ``'1'``…``'5'`` bid 1–5, ``'-1'``…``'-5'`` ask 1–5 of the latest snapshot (an int is accepted too).
        limit_price : float, optional
            Overrides ``priceGear``.

        Returns
        -------
        str or None
            The order id (what ``get_order`` and ``cancel_order`` take), ``None`` when the order is rejected.

        Differences from Ptrade
        -----------------------
        Live-only on the platform; here it works in the tick replay.  Level-2 gears (±6…±10) need Level-2
        books, which the replay does not have: they raise ``ValueError``.  A gear whose level is empty in the
        snapshot rejects the order (status '9').
        """
        self._require_replay("order_tick", "order_tick(sid, amount, priceGear='1', limit_price=None)")
        gear = priceGear
        if isinstance(gear, str):
            try:
                gear = int(gear.strip())
            except ValueError:
                raise ValueError(f"order_tick: priceGear must be '1'..'5' or '-1'..'-5', was {priceGear!r}") from None
        if not isinstance(gear, Integral) or isinstance(gear, bool) or gear == 0 or abs(gear) > 10:
            raise ValueError(f"order_tick: priceGear must be '1'..'5' or '-1'..'-5', was {priceGear!r}")
        if abs(gear) > _LEVEL1_GEARS:
            raise ValueError(f"order_tick: priceGear {priceGear!r} is a Level-2 gear; the replay has Level-1 "
                             f"books (gears '1'..'5' bid, '-1'..'-5' ask)")
        code, s = self._trading._resolve("order_tick", sid)
        if s < 0:
            return None
        price = limit_price
        if price is None:
            book = self.matcher.book_of(s)
            raw = 0
            if book is not None:
                raw = int((book.bid_px if gear > 0 else book.ask_px)[abs(gear) - 1])
            if raw <= 0:
                side = -1 if isinstance(amount, Real) and amount < 0 else 1
                qty = abs(int(amount)) if isinstance(amount, Integral) and not isinstance(amount, bool) else 0
                return self._trading._reject("order_tick", code, s, side, qty, 0, _core.R_NO_COUNTERPARTY,
                                             f"{'bid' if gear > 0 else 'ask'} {abs(gear)} of {code} is empty "
                                             f"at {self.rt.now}")
            price = raw / SCALE
        oid = self._trading._create("order_tick", code, amount, price)
        if oid is not None:
            self.matcher.submit(self._acct.id_to_row[oid], dt=self.rt.now)
        return oid
