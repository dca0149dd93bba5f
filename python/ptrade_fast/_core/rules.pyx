# cython: boundscheck=False, wraparound=False, cdivision=True, language_level=3
"""Lot and tick rounding, price limits and slippage, as pure integer functions.

Invariants
----------
* All results are integers in the units of _core.typedefs; fractions (limit ratio, slippage ratio)
  are first converted to integers of 1e-8 (half up), then every rounding is exact integer
  arithmetic, so the kernels and the reference model agree bit for bit.
* Rounding is half up (towards +inf), the exchanges' and Ptrade's 四舍五入 for positive prices.
* A slipped price is never below one price unit.
* Parameters arrive already resolved for the day (rules/ in the facade does the date lookups).

The cdef inline bodies live in rules.pxd so book.pyx inlines them; this module holds the Python twins.
"""
from ptrade_fast._core.typedefs cimport qty_t, price_t, SIDE_BUY, SIDE_SELL


def round_lot_down(qty_t qty, qty_t lot):
    """Largest multiple of ``lot`` <= ``qty`` (qty >= 0; lot <= 1 leaves qty unchanged)."""
    if qty < 0:
        raise ValueError(f"qty must be >= 0, was {qty}")
    return rules_round_lot_down(qty, lot)


def limit_price_raw(price_t base_price_raw, double ratio, price_t tick_raw, int direction):
    """Price limit ``base * (1 + direction * ratio)`` rounded half up to the tick (direction +1 or -1)."""
    if direction != 1 and direction != -1:
        raise ValueError(f"direction must be +1 (up) or -1 (down), was {direction}")
    return rules_limit_price(base_price_raw, ratio, tick_raw, direction)


def on_tick(price_t price_raw, price_t tick_raw):
    """True when the price is a multiple of the tick."""
    return bool(rules_on_tick(price_raw, tick_raw))


def apply_slippage(price_t price_raw, int side, int kind, double ratio=0.0, price_t fixed_raw=0):
    """Fill price after slippage: kind 0 none, 1 ratio (ratio/2 each side), 2 fixed (fixed_raw/2 each side)."""
    if side != SIDE_BUY and side != SIDE_SELL:
        raise ValueError(f"side must be 1 (buy) or -1 (sell), was {side}")
    if kind not in (0, 1, 2):
        raise ValueError(f"slippage kind must be 0, 1 or 2, was {kind}")
    return rules_apply_slippage(price_raw, side, kind, ratio, fixed_raw)
