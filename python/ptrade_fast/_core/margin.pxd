# 融资融券: financing debt, securities lending, interest accrual, available margin, maintenance ratio.
# Explanation in margin.pyx.
from ptrade_fast._core.typedefs cimport sid_t, qty_t, price_t, money_t, int32_t, int64_t, uint8_t
from ptrade_fast._core.fees cimport FeeTable
from ptrade_fast._core.ledger cimport Ledger


cdef class MarginLedger:
    cdef readonly Py_ssize_t n_sids
    cdef readonly Ledger ledger           # the credit account's cash and collateral (stock positions)
    # numpy arrays indexed by sid (int64 unless noted)
    cdef readonly object fin_debt         # money: financed principal outstanding (value + fees of financed buys)
    cdef readonly object fin_amount       # shares bought on financing still counted as financed, >= 0
    cdef readonly object slo_amount       # shares borrowed and sold short, not yet returned, >= 0
    cdef readonly object slo_basis        # money: short-sale value at open of slo_amount; 0 when none
    cdef readonly object slo_proceeds     # money: short-sale proceeds net of fees, frozen (not cash)
    cdef readonly object slo_realised     # money: released proceeds - cost of buy-to-return
    cdef readonly object haircut          # float64 折算率 of the security as collateral (set by the facade)
    cdef readonly object fin_eligible     # uint8: 1 = may be bought on financing
    cdef readonly object slo_eligible     # uint8: 1 = may be sold short
    cdef readonly object last_price       # price_t: latest price for valuation and the short-sale price rule
    # account scalars (money unless noted), set by the facade per date
    cdef public money_t fin_interest      # accrued financing interest, unpaid
    cdef public money_t slo_fee           # accrued securities-lending fee, unpaid
    cdef public double fin_rate           # annual financing interest rate
    cdef public double slo_rate           # annual lending fee rate
    cdef public double fin_ratio          # financing margin ratio (融资保证金比例), e.g. 1.0
    cdef public double slo_ratio          # short-selling margin ratio (融券保证金比例)
    cdef public money_t fin_quota         # financing credit line: sum of fin_debt may not exceed it
    cdef public money_t slo_quota         # lending credit line: sum of slo_basis may not exceed it
    cdef money_t[::1] _fin_debt
    cdef qty_t[::1] _fin_amount
    cdef qty_t[::1] _slo_amount
    cdef money_t[::1] _slo_basis
    cdef money_t[::1] _slo_proceeds
    cdef money_t[::1] _slo_realised
    cdef double[::1] _haircut
    cdef uint8_t[::1] _fin_eligible
    cdef uint8_t[::1] _slo_eligible
    cdef price_t[::1] _last_price
    # Within one OrderBook.match: available margin and quota use at last_price, kept current fill by fill
    # (O(1) per fill) instead of revaluing the account (O(n_sids)) for every margin order.
    cdef bint _cached
    cdef money_t _avail, _fin_used, _slo_used
    cdef money_t _term_before, _scalar_before, _debt_before, _basis_before

    # 保证金可用余额 at prices px (definition in margin.pyx).
    cdef money_t mgn_available(self, const price_t[:] px) noexcept nogil
    cdef money_t mgn_sid_term(self, sid_t s, const price_t[:] px) noexcept nogil   # sid s's part of it
    cdef money_t mgn_fin_used(self) noexcept nogil
    cdef money_t mgn_slo_used(self) noexcept nogil
    # The match cache: reset at the start of a match; every fill (of any kind) on sid s is bracketed by
    # before/after so the cached sums follow cash and sid s exactly.
    cdef void mgn_cache_reset(self) noexcept nogil
    cdef void mgn_cache_fill(self) noexcept nogil
    cdef void mgn_before_fill(self, sid_t s) noexcept nogil
    cdef void mgn_after_fill(self, sid_t s) noexcept nogil
    # Fills.  fee is the total of the fill's fee components.  The sells need qty within the position
    # (enable_amount, slo_amount), else -1 with ValueError set.
    cdef int mgn_fin_buy(self, sid_t sid, qty_t qty, price_t price, money_t fee) except -1 nogil
    cdef int mgn_fin_sell(self, sid_t sid, qty_t qty, price_t price, money_t fee) except -1 nogil
    cdef int mgn_slo_sell(self, sid_t sid, qty_t qty, price_t price, money_t fee) except -1 nogil
    cdef int mgn_slo_buy(self, sid_t sid, qty_t qty, price_t price, money_t fee) except -1 nogil
    # Book matching (OrderBook.match): size one margin order (0 = no fill, *reason says why), then book it
    # and return the fee total with its components in parts[0..3].
    cdef qty_t mgn_size_order(self, FeeTable fees, sid_t sid, int otype, qty_t rem, qty_t cap, int32_t lot,
                              price_t limit_price, price_t price, int32_t* reason) noexcept nogil
    cdef money_t mgn_fill_order(self, FeeTable fees, sid_t sid, int otype, qty_t qty, price_t price,
                                money_t* parts) except -1 nogil
