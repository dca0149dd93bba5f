# cython: boundscheck=False, wraparound=False, cdivision=True, language_level=3
"""Data checks over a whole bar file in one pass (data/checks.py calls it once per file it loads).

A whole-market minute file holds ~1.3 M rows; the checks run when the store first reads it, so they must cost
little beside the read itself.  One nogil loop visits each row once and stops at the first row that breaks a
check; the façade then works out which check and builds the message (that path runs only for a bad file).
"""
from libc.stdint cimport int64_t


cdef Py_ssize_t _first_bad(const double[:] open_, const double[:] high, const double[:] low,
                           const double[:] close, double max_price) noexcept nogil:
    cdef Py_ssize_t i, n = open_.shape[0]
    cdef double o, h, l, c, tol
    for i in range(n):
        o = open_[i]
        h = high[i]
        l = low[i]
        c = close[i]
        if not (o > 0 and h > 0 and l > 0 and c > 0):        # NaN fails every comparison
            return i
        if o > max_price or h > max_price or l > max_price or c > max_price:
            return i
        tol = 1e-9 * h
        if h < l - tol or o > h + tol or o < l - tol or c > h + tol or c < l - tol:
            return i
    return -1


cdef Py_ssize_t _first_negative(const int64_t[:] values) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(values.shape[0]):
        if values[i] < 0:
            return i
    return -1


def bars_first_bad(const double[:] open_, const double[:] high, const double[:] low, const double[:] close,
                   double max_price):
    """Index of the first row whose prices break a check, or -1: a NaN or non-positive price, a price above
    ``max_price``, or open/close outside [low, high] / high below low (relative tolerance 1e-9 of high)."""
    cdef Py_ssize_t r, n = open_.shape[0]
    if high.shape[0] != n or low.shape[0] != n or close.shape[0] != n:
        raise ValueError("open, high, low and close must have the same length")
    with nogil:
        r = _first_bad(open_, high, low, close, max_price)
    return r


def first_negative(const int64_t[:] values):
    """Index of the first negative value, or -1."""
    cdef Py_ssize_t r
    with nogil:
        r = _first_negative(values)
    return r
