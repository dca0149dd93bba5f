# cython: boundscheck=False, wraparound=False, cdivision=True, language_level=3
"""Per-fill fees: commission with a minimum, handling fee, transfer fee, stamp duty on sells.

Invariants
----------
* Every component is computed from the fill value (price_t * qty_t, in 1e-4 CNY) and rounded on its
  own, half up, to 0.01 CNY (100 money units) -- the step at which Ptrade's trade records round.
* commission = max(round(value * commission_rate), min_commission), and 0 for a zero-value fill.
  The minimum is charged per fill (each partial fill is a separate trade record in Ptrade).
* Stamp duty is charged on sells only; buys pay commission, handling and transfer.
* All components are >= 0 when rates and the minimum are >= 0.

Rates are doubles, so ``value * rate`` is exact only to double precision (values up to ~9e15 money,
i.e. 9e11 CNY, are exact); the 1e-9 nudge makes ties such as 0.005 CNY round up as Ptrade does.
"""
import numpy as np

from ptrade_fast._core.typedefs cimport sid_t, money_t, int8_t, int32_t, int64_t, SIDE_BUY, SIDE_SELL


cdef inline money_t _components(money_t value, int side, double commission_rate, money_t min_commission,
                                double handling_rate, double transfer_rate, double stamp_rate,
                                money_t* out) noexcept nogil:
    out[0] = fee_commission(value, commission_rate, min_commission)
    out[1] = fee_round(value * handling_rate)
    out[2] = fee_round(value * transfer_rate)
    out[3] = fee_round(value * stamp_rate) if side == SIDE_SELL else 0
    return out[0] + out[1] + out[2] + out[3]


def compute_fees(money_t value, int side, double commission_rate, money_t min_commission,
                 double handling_rate=0.0, double transfer_rate=0.0, double stamp_rate=0.0):
    """Python twin of the fee kernel: (commission, handling, transfer, stamp) in money units."""
    cdef money_t out[4]
    if side != SIDE_BUY and side != SIDE_SELL:
        raise ValueError(f"side must be 1 (buy) or -1 (sell), was {side}")
    if value < 0:
        raise ValueError(f"value must be >= 0, was {value}")
    _components(value, side, commission_rate, min_commission, handling_rate, transfer_rate, stamp_rate, out)
    return (out[0], out[1], out[2], out[3])


cdef class FeeTable:
    """Fee parameters per sid.  The facade fills the arrays in place (they cannot be rebound)."""

    def __init__(self, Py_ssize_t n_sids):
        if n_sids < 0:
            raise ValueError(f"n_sids must be >= 0, was {n_sids}")
        self.n_sids = n_sids
        self.commission_rate = np.zeros(n_sids, dtype=np.float64)
        self.handling_rate = np.zeros(n_sids, dtype=np.float64)
        self.transfer_rate = np.zeros(n_sids, dtype=np.float64)
        self.stamp_rate = np.zeros(n_sids, dtype=np.float64)
        self.min_commission = np.zeros(n_sids, dtype=np.int64)
        self._commission_rate = self.commission_rate
        self._handling_rate = self.handling_rate
        self._transfer_rate = self.transfer_rate
        self._stamp_rate = self.stamp_rate
        self._min_commission = self.min_commission

    cdef money_t fee_table_components(self, sid_t sid, int side, money_t value, money_t* out) noexcept nogil:
        return _components(value, side, self._commission_rate[sid], self._min_commission[sid],
                           self._handling_rate[sid], self._transfer_rate[sid], self._stamp_rate[sid], out)

    cdef money_t fee_table_total(self, sid_t sid, int side, money_t value) noexcept nogil:
        cdef money_t out[4]
        return self.fee_table_components(sid, side, value, out)

    def fees(self, sid_t sid, int side, money_t value):
        """Python twin of fee_table_components: (commission, handling, transfer, stamp) for one fill."""
        cdef money_t out[4]
        if sid < 0 or sid >= self.n_sids:
            raise IndexError(f"sid must be in [0, {self.n_sids}), was {sid}")
        if side != SIDE_BUY and side != SIDE_SELL:
            raise ValueError(f"side must be 1 (buy) or -1 (sell), was {side}")
        self.fee_table_components(sid, side, value, out)
        return (out[0], out[1], out[2], out[3])

    def total(self, sid_t sid, int side, money_t value):
        """Sum of the four components for one fill."""
        return sum(self.fees(sid, side, value))

    def fees_compute_batch(self, const int32_t[:] sid, const int8_t[:] side, const int64_t[:] value,
                           int64_t[:, ::1] out):
        """Fee components of many fills at once into caller-owned ``out`` (n x 4: commission, handling,
        transfer, stamp); returns the total of all fees."""
        cdef Py_ssize_t i, n = sid.shape[0]
        cdef money_t total = 0
        if side.shape[0] != n or value.shape[0] != n or out.shape[0] != n or out.shape[1] != 4:
            raise ValueError(f"sid, side, value need one length and out shape (n, 4); got {n}, "
                             f"{side.shape[0]}, {value.shape[0]}, ({out.shape[0]}, {out.shape[1]})")
        for i in range(n):
            if sid[i] < 0 or sid[i] >= self.n_sids:
                raise IndexError(f"sid must be in [0, {self.n_sids}), was {sid[i]} at {i}")
        with nogil:
            for i in range(n):
                total += self.fee_table_components(sid[i], side[i], value[i], &out[i, 0])
        return total
