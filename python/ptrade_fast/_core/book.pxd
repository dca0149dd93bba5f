# Working orders (struct-of-arrays) and their matching against one bar of the whole market.
# Explanation in book.pyx.
cimport cython
from ptrade_fast._core.typedefs cimport sid_t, qty_t, price_t, money_t, int8_t, int32_t, int64_t, uint8_t
from ptrade_fast._core.fees cimport FeeTable
from ptrade_fast._core.ledger cimport Ledger
from ptrade_fast._core.futures cimport FuturesLedger, FuturesFeeTable
from ptrade_fast._core.fills cimport MatchParams, FillBuffer
from ptrade_fast._core.margin cimport MarginLedger


cdef class OrderBook:
    cdef readonly Py_ssize_t n_orders     # rows [0, n_orders) are orders; row r has entrust_no r + 1
    cdef readonly Py_ssize_t capacity     # allocated rows; doubles when full
    cdef Py_ssize_t _n_live               # open orders (statuses '2'/'7')
    cdef Py_ssize_t _n_open               # used part of _open; may hold cancelled rows until compaction
    cdef Py_ssize_t _n_changed
    cdef sid_t _max_sid                   # largest sid ever added to the open set (-1 if none)
    cdef dict _arrays                     # column name -> numpy array of length capacity
    cdef int64_t[::1] _entrust_no
    cdef int32_t[::1] _sid
    cdef int8_t[::1] _side
    cdef int64_t[::1] _amount             # ordered quantity, > 0 for working orders
    cdef int64_t[::1] _filled             # 0 <= filled <= amount
    cdef int64_t[::1] _limit_price        # price_t; 0 = market-style (fills at the bar close)
    cdef uint8_t[::1] _status             # ASCII of Ptrade's status char
    cdef int32_t[::1] _reason             # last R_* code
    cdef int32_t[::1] _lot                # lot size of the instrument at creation
    cdef int64_t[::1] _created_seq        # caller's bar sequence number at creation
    cdef int8_t[::1] _otype               # OTYPE_*: stock, futures open/close/close-today, margin kinds
    cdef int64_t[::1] _open               # open rows in creation order (capacity rows)
    cdef int64_t[::1] _changed            # rows whose status/reason changed in the last call
    cdef object _used_arr                 # int64 per-sid scratch for the shared volume cap (all 0 between calls)
    cdef int64_t[::1] _used
    cdef int32_t[::1] _touched            # sids touched in _used during one match call

    cdef int _grow(self, Py_ssize_t need) except -1
    cdef int64_t _append(self, sid_t sid, int side, qty_t amount, price_t limit_price, int32_t lot,
                         int64_t seq, uint8_t status, int32_t reason, int otype) except -1
    cdef void _compact_open(self) noexcept nogil
    cdef void _finish(self, int64_t row, int32_t reason) noexcept nogil
    @cython.final
    cdef int64_t _size(self, Ledger ledger, FeeTable fees, FuturesLedger fut, FuturesFeeTable ffees,
                       MarginLedger mgn, int64_t row, int64_t rem, int64_t cap, price_t p, bint exact,
                       int32_t* reason) noexcept nogil
    @cython.final
    cdef int _fill(self, Ledger ledger, FeeTable fees, FuturesLedger fut, FuturesFeeTable ffees,
                   MarginLedger mgn, FillBuffer fills, int64_t row, int64_t q, price_t p) except -1 nogil
