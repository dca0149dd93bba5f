# Lot, tick, price-limit and slippage rounding.  Bodies live here so book.pyx inlines them.
cimport cython
from libc.math cimport floor
from libc.stdint cimport int64_t
from ptrade_fast._core.typedefs cimport qty_t, price_t, SIDE_BUY, RATIO_SCALE, SLIPPAGE_RATIO, SLIPPAGE_FIXED


@cython.cdivision(True)
cdef inline int64_t rules_ratio_fixed(double ratio) noexcept nogil:
    # A fraction as an integer of 1e-8, rounded half up, so later rounding is exact integer arithmetic.
    return <int64_t>floor(ratio * RATIO_SCALE + 0.5)


@cython.cdivision(True)
cdef inline int64_t rules_div_half_up(int64_t num, int64_t den) noexcept nogil:
    # round(num / den) half up (towards +inf on ties), den > 0, for any sign of num.
    cdef int64_t n2 = 2 * num + den, d2 = 2 * den
    cdef int64_t q = n2 // d2 if n2 >= 0 else -((-n2 + d2 - 1) // d2)
    return q


@cython.cdivision(True)
cdef inline qty_t rules_round_lot_down(qty_t qty, qty_t lot) noexcept nogil:
    # qty >= 0; lot <= 1 means no lot.
    if lot <= 1:
        return qty
    return qty - qty % lot


@cython.cdivision(True)
cdef inline bint rules_on_tick(price_t price, price_t tick) noexcept nogil:
    if tick <= 1:
        return True
    return price % tick == 0


@cython.cdivision(True)
cdef inline price_t rules_limit_price(price_t base, double ratio, price_t tick, int direction) noexcept nogil:
    # base * (1 +/- ratio), rounded half up to a multiple of tick (exchanges' 四舍五入).
    cdef int64_t r = rules_ratio_fixed(ratio)
    cdef int64_t num = base * (RATIO_SCALE + direction * r)
    if tick < 1:
        tick = 1
    return rules_div_half_up(num, <int64_t>RATIO_SCALE * tick) * tick


@cython.cdivision(True)
cdef inline price_t rules_apply_slippage(price_t price, int side, int kind, double ratio,
                                         price_t fixed) noexcept nogil:
    # Ratio: price * (1 +/- ratio/2) rounded half up to one price unit.  Fixed: +/- fixed/2, the half
    # rounded up.  A price never goes below one unit.
    cdef int64_t r
    cdef price_t p = price
    if kind == SLIPPAGE_RATIO:
        r = rules_ratio_fixed(ratio)
        if side == SIDE_BUY:
            p = rules_div_half_up(price * (2 * <int64_t>RATIO_SCALE + r), 2 * <int64_t>RATIO_SCALE)
        else:
            p = rules_div_half_up(price * (2 * <int64_t>RATIO_SCALE - r), 2 * <int64_t>RATIO_SCALE)
    elif kind == SLIPPAGE_FIXED:
        if side == SIDE_BUY:
            p = price + (fixed + 1) // 2
        else:
            p = price - (fixed + 1) // 2
    return p if p >= 1 else 1
