"""The ``data`` argument of ``handle_data`` (§C.7): a dict-like of bar views for any listed code."""
from __future__ import annotations

import math

_FIELDS = ("open", "high", "low", "close", "price", "volume", "money", "dt", "is_open",
           "preclose", "high_limit", "low_limit")


class BarData:
    """One security's current bar (Ptrade SecurityUnitData/BarData).

    Fields ``dt, open, high, low, close, price, volume, money, is_open`` (plus the daily
    conveniences ``preclose, high_limit, low_limit``); attribute and item access both work
    (``data[code].close`` and ``data[code]['close']``).  Values are read from the engine's bar
    arrays at access time: the object is a view, not a copy.
    """

    __slots__ = ("_src", "_sid", "sid")

    def __init__(self, src, sid: int, code: str):
        self._src = src
        self._sid = sid
        self.sid = code

    def __getattr__(self, name):
        if name in _FIELDS:
            return self._src.bar_field(name, self._sid)
        raise AttributeError(f"bar data has no field {name!r}; fields: {', '.join(_FIELDS)}")

    def __getitem__(self, name):
        if name not in _FIELDS:
            raise KeyError(f"bar data has no field {name!r}; fields: {', '.join(_FIELDS)}")
        return self._src.bar_field(name, self._sid)

    def get(self, name, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def keys(self):
        return list(_FIELDS)

    def __repr__(self):
        vals = ", ".join(f"{f}={self._src.bar_field(f, self._sid)}" for f in
                         ("dt", "open", "high", "low", "close", "volume", "money"))
        return f"BarData({self.sid}: {vals})"


class BarDict:
    """``data`` in ``handle_data``: keyed by short code (long-suffix keys are accepted too).

    ``data[code]`` answers for any security listed at the current time, in the universe or not (§C.7,
    project decision §0.1a-5): universe codes come from ``entries`` (prepared once a day), any other code is
    resolved on first access through ``lookup`` (a sid lookup and a listed check; the bar arrays already
    hold the whole market, so nothing is read) and then cached.  Iteration, ``keys()``, ``len()`` and ``in``
    cover the universe plus the codes already looked up; ``code in data`` is True for any listed code.  An unknown or unlisted code raises ``KeyError``
    naming the code and the reason.
    """

    def __init__(self, src, entries: dict[str, int], normalize, why_missing=None, lookup=None):
        self._src = src
        self._entries = entries
        self._normalize = normalize
        self._why = why_missing
        self._lookup = lookup
        self._extra: dict[str, int] = {}
        self._cache: dict[str, BarData] = {}

    def _key(self, code):
        try:
            return self._normalize(code)
        except (ValueError, TypeError, AttributeError):
            return code

    def __getitem__(self, code):
        bar = self._cache.get(code)          # runs per code per bar: exact keys skip normalising
        if bar is not None:
            return bar
        key = self._key(code)
        bar = self._cache.get(key)
        if bar is not None:
            return bar
        sid = self._entries.get(key)
        if sid is None:
            sid = self._lookup(key) if self._lookup is not None else None
            if sid is None:
                reason = self._why(key) if self._why else "not in the universe (set_universe)"
                raise KeyError(f"{code}: no bar in data ({reason})")
            self._extra[key] = sid
        bar = self._cache[key] = BarData(self._src, sid, key)
        return bar

    def _known(self):
        return {**self._entries, **self._extra} if self._extra else self._entries

    def __contains__(self, code):
        if code in self._entries or code in self._extra:
            return True
        key = self._key(code)
        if key in self._entries or key in self._extra:
            return True
        # Any listed code is in ``data`` (§0.1a-5): ``code in data`` agrees with ``data[code]``.
        sid = self._lookup(key) if self._lookup is not None else None
        if sid is None:
            return False
        self._extra[key] = sid
        return True

    def get(self, code, default=None):
        try:
            return self[code]
        except KeyError:
            return default

    def keys(self):
        return list(self._known())

    def __iter__(self):
        return iter(list(self._known()))

    def __len__(self):
        return len(self._entries) + sum(1 for k in self._extra if k not in self._entries)

    def items(self):
        return [(k, self[k]) for k in self._known()]

    def values(self):
        return [self[k] for k in self._known()]

    def __repr__(self):
        return f"BarDict({list(self._known())})"


def nan_to_none(x):
    return None if isinstance(x, float) and math.isnan(x) else x
