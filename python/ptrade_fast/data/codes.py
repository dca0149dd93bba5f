"""Security codes: suffix normalisation and classification by code prefix.

Ptrade accepts ``.SS``/``.XSHG`` and ``.SZ``/``.XSHE`` interchangeably (docs/engine.md, "Security codes");
internally every code is the short form.  ``.CFX`` (used by the project seed) is an alias of ``.CCFX``.
``.XBHS`` is the platform's suffix for indices and sectors: a six-digit ``.XBHS`` body is an exchange
index and maps to its exchange form (``399xxx`` Shenzhen ``.SZ``, every other six-digit body Shanghai
``.SS``: ``'000300.XBHS'`` -> ``'000300.SS'``); sector and industry codes (``'A01000.XBHS'``) keep the
suffix.  Every API function that takes a code goes through :func:`normalize_code`, so every spelling
works everywhere.  The prefix
table is data (``rules/code_rules.json``), not code.
"""
from __future__ import annotations

import functools
import json
import re
from importlib import resources

_SUFFIX_ALIASES = {
    "SS": "SS", "XSHG": "SS", "SH": "SS",
    "SZ": "SZ", "XSHE": "SZ",
    "CFX": "CCFX", "CCFX": "CCFX",
}
_LONG = {"SS": "XSHG", "SZ": "XSHE"}
_EXCHANGE = {"SS": "SSE", "SZ": "SZSE", "CCFX": "CFFEX", "XSGE": "SHFE", "XDCE": "DCE", "XZCE": "CZCE",
             "XINE": "INE", "XGFE": "GFEX", "XBHS": "XBHS", "XSHO": "SSE", "XSZO": "SZSE"}
_BODY = re.compile(r"^[0-9A-Za-z]+$")
_FUTURE_BODY = re.compile(r"^[A-Za-z]{1,2}[0-9]{3,4}F?$")


def normalize_code(code) -> str:
    """Return the short form of a security code ('600570.XSHG' -> '600570.SS', '000300.XBHS' -> '000300.SS').

    Raises
    ------
    ValueError
        If ``code`` is not a string of the form ``BODY.SUFFIX`` (naming the code received).
    """
    if not isinstance(code, str):
        raise ValueError(f"security code must be a str like '600570.SS', was {code!r}")
    # Strategies look codes up every bar: remember the answers (the set of codes is small).
    return _normalize(code)


@functools.lru_cache(maxsize=1 << 16)
def _normalize(code: str) -> str:
    body, dot, suffix = code.strip().rpartition(".")
    if not dot or not body or not suffix or not _BODY.match(body):
        raise ValueError(f"malformed security code {code!r} (expected e.g. '600570.SS')")
    suffix = suffix.upper()
    suffix = _SUFFIX_ALIASES.get(suffix, suffix)
    if suffix == "XBHS" and len(body) == 6 and body.isdigit():
        suffix = "SZ" if body.startswith("399") else "SS"   # an exchange index under the platform suffix
    elif suffix == "XBHS":
        body = body.upper()
    if suffix in ("SS", "SZ") and not (len(body) == 6 and body.isdigit()):
        raise ValueError(f"malformed security code {code!r}: .SS/.SZ codes have 6 digits")
    if suffix in ("CCFX", "XSGE", "XDCE", "XZCE", "XINE", "XGFE"):
        body = body.upper() if suffix in ("CCFX", "XZCE") else body
    return f"{body}.{suffix}"


def to_long(code) -> str:
    """Return the long (ISO MIC) form: '.SS' -> '.XSHG', '.SZ' -> '.XSHE'; other suffixes unchanged."""
    short = normalize_code(code)
    body, _, suffix = short.rpartition(".")
    return f"{body}.{_LONG.get(suffix, suffix)}"


def exchange_of(code) -> str:
    """Return the exchange of a code: 'SSE', 'SZSE', 'CFFEX', 'SHFE', ... (the suffix itself if unknown)."""
    suffix = normalize_code(code).rpartition(".")[2]
    return _EXCHANGE.get(suffix, suffix)


@functools.lru_cache(maxsize=1)
def _table():
    text = resources.files("ptrade_fast.rules").joinpath("code_rules.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    by_exchange: dict[str, list[tuple[str, str, str | None]]] = {}
    for exchange, prefix, typ, board in raw["rules"]:
        by_exchange.setdefault(exchange, []).append((prefix, typ, board))
    for rules in by_exchange.values():
        rules.sort(key=lambda r: -len(r[0]))  # longest prefix first
    return by_exchange, raw["suffix_types"], tuple(raw["types"])




def types() -> tuple[str, ...]:
    """All instrument type names, in table order."""
    return _table()[2]


@functools.lru_cache(maxsize=65536)
def classify_full(code) -> tuple[str | None, str | None]:
    """Return ``(type, board)`` of a code; ``(None, None)`` when no rule matches."""
    short = normalize_code(code)
    body, _, suffix = short.rpartition(".")
    by_exchange, suffix_types, _ = _table()
    if suffix in suffix_types:
        return suffix_types[suffix], None
    for prefix, typ, board in by_exchange.get(_EXCHANGE.get(suffix, ""), ()):
        if body.startswith(prefix):
            return typ, board
    return None, None


def classify(code) -> str | None:
    """Return the instrument type of a code ('stock', 'star', 'chinext', 'etf', 'cb', ...), None if unknown."""
    return classify_full(code)[0]


def board_of(code) -> str | None:
    """Return the board ('SH_main', 'SZ_main', 'ChiNext', 'STAR', 'B') of a share code, else None."""
    return classify_full(code)[1]


@functools.lru_cache(maxsize=1)
def industry_table() -> dict[str, tuple[str, ...]]:
    """Ptrade industry code body ('A01000') -> the data's industry block names (rules/industry_codes.json)."""
    text = resources.files("ptrade_fast.rules").joinpath("industry_codes.json").read_text(encoding="utf-8")
    return {k.upper(): tuple(v) for k, v in json.loads(text)["codes"].items()}


@functools.lru_cache(maxsize=1)
def industry_code_of_name() -> dict[str, str]:
    """Industry block name -> its Ptrade code ('农业' -> 'A01000.XBHS'), the first code listing it."""
    out: dict[str, str] = {}
    for code, names in industry_table().items():
        for n in names:
            out.setdefault(n, f"{code}.XBHS")
    return out

