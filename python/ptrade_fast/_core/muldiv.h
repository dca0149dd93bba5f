/* Exact round-half-up of a*b/c for int64 operands, c > 0, without overflow in the product.
 * Used for the cost-basis share of a partial sell: cost_total * qty / amount. */
#ifndef PTCORE_MULDIV_H
#define PTCORE_MULDIV_H
#include <stdint.h>
#include <math.h>

static inline int64_t ptcore_muldiv_half_up(int64_t a, int64_t b, int64_t c)
{
#if defined(__SIZEOF_INT128__)
    __int128 num = (__int128)a * (__int128)b * 2 + (__int128)c;
    __int128 den = (__int128)c * 2;
    __int128 q = num / den;
    if (num % den != 0 && num < 0)
        q -= 1; /* C truncates; we want floor */
    return (int64_t)q;
#else
    /* Split a = hi*c + lo so that only lo*b (|lo| < c) needs the long double path. */
    int64_t hi = a / c, lo = a % c;
    long double rest = (long double)lo * (long double)b / (long double)c;
    return hi * b + (int64_t)floorl(rest + 0.5L);
#endif
}
#endif
