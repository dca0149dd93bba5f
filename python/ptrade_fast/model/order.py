"""Ptrade's Order object (§C.6) and the list type ``get_order`` returns."""
from __future__ import annotations


class Order:
    """Ptrade ``Order``: ``id, dt, limit, symbol, amount, created, filled, entrust_no, priceGear, status``.

    ``amount`` and ``filled`` are signed (negative for sells); ``symbol`` uses the long suffix
    (``600570.XSHG``).  ptrade_fast adds ``error_info`` (the reason of the last clip, cancel or
    rejection, §0.1a item 5) and ``sid`` (the short code).
    """

    __slots__ = ("id", "dt", "limit", "symbol", "amount", "created", "filled", "entrust_no",
                 "priceGear", "status", "error_info", "sid")

    def __init__(self, id, dt, limit, symbol, amount, filled, entrust_no, status, error_info, sid):
        self.id = id
        self.dt = dt
        self.created = dt
        self.limit = limit
        self.symbol = symbol
        self.amount = amount
        self.filled = filled
        self.entrust_no = entrust_no
        self.priceGear = None
        self.status = status
        self.error_info = error_info
        self.sid = sid

    def __repr__(self):
        return ("Order(id='{0.id}', dt={0.dt}, limit={0.limit}, symbol='{0.symbol}', amount={0.amount}, "
                "filled={0.filled}, entrust_no='{0.entrust_no}', status='{0.status}')").format(self)


class OrderList(list):
    """The one-element list ``get_order`` returns; attribute access forwards to its single Order
    (§C.6 compatibility note), so ``get_order(oid).status`` and ``get_order(oid)[0].status`` both work."""

    def __getattr__(self, name):
        if name.startswith("__") or len(self) != 1:
            raise AttributeError(name)
        return getattr(self[0], name)
