"""``context.portfolio`` (§C.4) and Position objects (§C.5): views over the ledger arrays."""
from __future__ import annotations


class Position:
    """Ptrade ``Position`` of the stock account.

    ``sid`` (short code), ``amount``, ``enable_amount``, ``cost_basis`` (average cost per share,
    buy fees included), ``last_sale_price``, ``today_amount`` (bought today), ``business_type``.
    The futures-style fields the platform prints on stock positions are present with neutral
    values so attribute access never fails.  A position not held is a Position with zero
    quantities (never ``None``, §C.5).
    """

    __slots__ = ("sid", "amount", "enable_amount", "cost_basis", "last_sale_price", "today_amount",
                 "business_type", "short_amount", "contract_multiplier", "short_pnl", "delivery_date",
                 "today_short_amount", "margin_rate", "long_amount", "short_cost_basis",
                 "today_long_amount", "long_pnl", "long_cost_basis", "long_enable_amount",
                 "short_enable_amount", "update_time")

    def __init__(self, sid: str, amount: int = 0, enable_amount: int = 0, cost_basis: float = 0.0,
                 last_sale_price: float = 0.0, today_amount: int = 0, business_type: str = "stock",
                 update_time=None):
        self.sid = sid
        self.amount = amount
        self.enable_amount = enable_amount
        self.cost_basis = cost_basis
        self.last_sale_price = last_sale_price
        self.today_amount = today_amount
        self.business_type = business_type
        self.update_time = update_time
        self.short_amount = 0
        self.contract_multiplier = 1
        self.short_pnl = 0
        self.delivery_date = None
        self.today_short_amount = 0
        self.margin_rate = 1
        self.long_amount = 0
        self.short_cost_basis = 0
        self.today_long_amount = 0
        self.long_pnl = 0
        self.long_cost_basis = 0
        self.long_enable_amount = 0
        self.short_enable_amount = 0

    def __repr__(self):
        return ("Position(sid='{0.sid}', amount={0.amount}, enable_amount={0.enable_amount}, "
                "cost_basis={0.cost_basis}, last_sale_price={0.last_sale_price}, "
                "today_amount={0.today_amount}, business_type='{0.business_type}')").format(self)


_MISSING = object()
_KEYS: dict = {}          # (normalize, key_form, key) -> the stored form of key (see PositionDict._k)


def _same(code):
    return code


_dict_get = dict.get


class PositionDict(dict):
    """A dict keyed by code whose lookups accept either suffix form (``.SS``/``.XSHG``)."""

    def __init__(self, items, normalize, key_form=None):
        super().__init__(items)
        self._normalize = normalize
        self._key_form = key_form or _same

    def _k(self, key):
        # A strategy asks for the same codes every bar, most of them not held: their stored form is
        # remembered (the dict is rebuilt every bar, the spellings of codes are not).
        memo_key = (self._normalize, self._key_form, key)
        try:
            return _KEYS[memo_key]
        except KeyError:
            pass
        except TypeError:                      # an unhashable key: no memo
            memo_key = None
        try:
            out = self._key_form(self._normalize(key))
        except (ValueError, TypeError, AttributeError):
            out = key
        if memo_key is not None:
            if len(_KEYS) >= 100_000:
                _KEYS.clear()
            _KEYS[memo_key] = out
        return out

    # Strategies look positions up per code per bar, nearly always by the key as stored: an exact key
    # skips normalising (a stored key normalises to itself).
    def __getitem__(self, key):
        try:
            return super().__getitem__(key)
        except (KeyError, TypeError):
            return super().__getitem__(self._k(key))

    def __contains__(self, key):
        try:
            if super().__contains__(key):
                return True
        except TypeError:
            pass
        return super().__contains__(self._k(key))

    def get(self, key, default=None):
        try:
            hit = _dict_get(self, key, _MISSING)
        except TypeError:
            hit = _MISSING
        return hit if hit is not _MISSING else _dict_get(self, self._k(key), default)


class Portfolio:
    """Ptrade ``context.portfolio``: ``cash, positions, portfolio_value, positions_value,
    capital_used, returns, pnl, start_date`` and the ``total_value`` alias (§C.4)."""

    def __init__(self, account):
        self._acct = account

    @property
    def cash(self) -> float:
        return self._acct.cash

    @property
    def positions(self) -> PositionDict:
        return self._acct.portfolio_positions()

    @property
    def positions_value(self) -> float:
        return self._acct.positions_value

    @property
    def portfolio_value(self) -> float:
        return self._acct.cash + self._acct.positions_value

    total_value = portfolio_value

    @property
    def capital_used(self) -> float:
        return self._acct.capital_used

    @property
    def returns(self) -> float:
        start = self._acct.starting_value
        return self.portfolio_value / start - 1.0 if start else 0.0

    @property
    def pnl(self) -> float:
        return self.portfolio_value - self._acct.starting_value

    @property
    def start_date(self):
        return self._acct.start_date

    def __repr__(self):
        return (f"Portfolio(cash={self.cash:.2f}, positions_value={self.positions_value:.2f}, "
                f"portfolio_value={self.portfolio_value:.2f}, returns={self.returns:.6f})")
