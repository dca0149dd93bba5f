# cython: boundscheck=False, wraparound=False, cdivision=True, language_level=3
"""What matching reads and writes besides the book: its resolved parameters and the fill buffer.

Invariants
----------
* ``MatchParams`` holds settings already resolved for the run (volume ratio, limit mode, slippage, locked-limit
  and volume-cap switches, the limit trigger); the kernel never looks anything up.
* ``FillBuffer`` rows ``[0, n)`` are the fills of the current match calls, appended by ``OrderBook.match`` in
  fill order; the façade copies them out once per bar and calls ``clear()``, which keeps the memory.  Columns
  grow geometrically (``fill_buffer_reserve``); money columns are integers in 1e-4 CNY.
"""
import numpy as np

from ptrade_fast._core.typedefs cimport price_t

_FILL_COLUMNS = (("order_row", np.int64), ("sid", np.int32), ("side", np.int8), ("qty", np.int64),
                 ("price", np.int64), ("value", np.int64), ("commission", np.int64),
                 ("handling_fee", np.int64), ("transfer_fee", np.int64), ("stamp_duty", np.int64),
                 ("otype", np.int8))


def grown_columns(dict arrays, tuple columns, Py_ssize_t n_used, Py_ssize_t capacity):
    out = {}
    for name, dtype in columns:
        arr = np.zeros(capacity, dtype=dtype)
        if arrays is not None:
            arr[:n_used] = arrays[name][:n_used]
        out[name] = arr
    return out


# -- parameters ------------------------------------------------------------------------------------

cdef class MatchParams:
    """Matching settings (set_volume_ratio, set_limit_mode, set_slippage, ...), already resolved."""

    def __init__(self, double volume_ratio=0.25, int limit_mode=0, int slippage_kind=0,
                 double slippage_ratio=0.0, price_t slippage_fixed=0, bint block_limit_locked=True,
                 bint shared_volume_cap=False, int limit_touch=0):
        self.volume_ratio = volume_ratio
        self.limit_mode = limit_mode
        self.slippage_kind = slippage_kind
        self.slippage_ratio = slippage_ratio
        self.slippage_fixed = slippage_fixed
        self.block_limit_locked = block_limit_locked
        self.shared_volume_cap = shared_volume_cap
        self.limit_touch = limit_touch

    def __repr__(self):
        return (f"MatchParams(volume_ratio={self.volume_ratio}, limit_mode={self.limit_mode}, "
                f"slippage_kind={self.slippage_kind}, slippage_ratio={self.slippage_ratio}, "
                f"slippage_fixed={self.slippage_fixed}, block_limit_locked={self.block_limit_locked}, "
                f"shared_volume_cap={self.shared_volume_cap}, limit_touch={self.limit_touch})")


# -- fills -----------------------------------------------------------------------------------------

cdef class FillBuffer:
    """Fills appended by OrderBook.match; grows geometrically; ``clear()`` keeps the memory."""

    def __init__(self, Py_ssize_t capacity=1024):
        self.n = 0
        self.capacity = 0
        self._arrays = None
        self.fill_buffer_reserve(max(capacity, 1))

    cdef int fill_buffer_reserve(self, Py_ssize_t extra) except -1:
        cdef Py_ssize_t need = self.n + extra, cap = self.capacity
        if need <= cap and self._arrays is not None:
            return 0
        while cap < need:
            cap = max(2 * cap, 16)
        self._arrays = grown_columns(self._arrays, _FILL_COLUMNS, self.n, cap)
        self.capacity = cap
        a = self._arrays
        self._order_row = a["order_row"]
        self._sid = a["sid"]
        self._side = a["side"]
        self._qty = a["qty"]
        self._price = a["price"]
        self._value = a["value"]
        self._commission = a["commission"]
        self._handling_fee = a["handling_fee"]
        self._transfer_fee = a["transfer_fee"]
        self._stamp_duty = a["stamp_duty"]
        self._otype = a["otype"]
        return 0

    def clear(self):
        """Forget all fills (the façade copies them out once per bar)."""
        self.n = 0

    def columns(self):
        """Dict of column name -> numpy view of the first ``n`` fills."""
        return {name: self._arrays[name][:self.n] for name, _ in _FILL_COLUMNS}

    def __len__(self):
        return self.n
