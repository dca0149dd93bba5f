# cython: boundscheck=False, wraparound=False, cdivision=True, language_level=3
"""Working orders as struct-of-arrays, matched once per bar against the whole market's bar arrays.

Invariants
----------
* Row r is order ``entrust_no == r + 1``; rows are never reused or reordered, so columns can be
  read as plain numpy views.  Columns may be reallocated (doubling) by ``add``/``add_rejected``:
  re-read the attributes after adding, do not keep old arrays.
* ``0 <= filled <= amount``.  A status only moves from working ('2', or '7' partly filled) to a terminal
  one ('8' filled, '5' part-cancelled, '6' cancelled); '9' rows are created terminal and never open.
  Bar matching never leaves an order partly filled and working; '7' comes only from ``apply_fills``
  (tick matching: an order rests in the exchange queue across snapshots).
* The open set holds exactly the working rows, in creation order; matching visits them in that
  order, so a sell placed before a buy frees cash for it (spec H.3).
* Every stock fill goes through ``Ledger.ledger_apply_fill`` with fees from the ``FeeTable`` row of its
  sid.  Buys are sized so that value + fees <= cash: cash never goes negative through stock matching.
  Sells never exceed ``enable_amount``.
* Column ``otype`` routes an order: 0 stock; 1-3 futures (``FuturesLedger.fut_size_order`` /
  ``fut_fill_order``: opens sized to margin + fee within cash, closes to the closable lots, fees from
  ``FuturesFeeTable``; a losing close may overdraw -- a margin call); 4-7 margin trading
  (``MarginLedger.mgn_size_order`` / ``mgn_fill_order``: credit, eligibility and the short-sale price
  rule, stock fees).  Triggers, locked limits, volume cap and slippage are the same for all types.
* Every clip, block and cancel writes an ``R_*`` reason; nothing here raises for a business outcome.
  ``changed_indices()`` lists the rows whose status or reason changed during the last ``match``,
  ``end_day`` or ``cancel`` call, in the order they changed.

Matching rules for one open order (spec H.1-H.6, H.10), in this order: not tradable -> skip;
limit not reached -> stays open unchanged; limit-locked bar -> market orders end, limit orders stay
open with the reason; volume cap 0 -> likewise; fill price = slipped base price, clamped to the
limit; sells clipped to enable_amount then the cap, rounded to the lot unless they empty the
position; buys clipped to the cap, rounded to the lot, then to the largest lot multiple that cash
covers with fees; fill; any remainder is cancelled at once ('5'), the platform's volume-capped
excess "does not stay working".  Deliberate degradations: an odd-lot remainder that lot rounding
alone cuts (e.g. a sell of 150 from a position that grew to 1000) is reported as R_BELOW_MIN_LOT; a sell whose fees
exceed its value plus the remaining cash ends with R_NO_CASH rather than overdraw.
"""
import numpy as np

from libc.math cimport floor
from ptrade_fast._core.typedefs cimport (sid_t, qty_t, price_t, money_t, int8_t, int32_t, int64_t, uint8_t,
                              SIDE_BUY, SIDE_SELL, STATUS_REPORTED, STATUS_PART_FILLED, STATUS_FILLED,
                              STATUS_CANCELLED, STATUS_PART_CANCELLED, STATUS_REJECTED,
                              R_NONE, R_CASH_CLIPPED, R_NO_CASH, R_POSITION_CLIPPED, R_NO_POSITION,
                              R_VOLUME_CAPPED, R_NO_VOLUME, R_LIMIT_UP_LOCKED, R_LIMIT_DOWN_LOCKED,
                              R_USER_CANCEL, R_DAY_END, R_BELOW_MIN_LOT,
                              LIMIT_MODE_LIMIT, LIMIT_TOUCH_CLOSE,
                              OTYPE_STOCK, OTYPE_FUT_CLOSE_TODAY, OTYPE_FIN_BUY, OTYPE_FIN_SELL,
                              OTYPE_SLO_SELL, OTYPE_SLO_BUY, OTYPE_MAX)
from ptrade_fast._core.fees cimport FeeTable
from ptrade_fast._core.ledger cimport Ledger
from ptrade_fast._core.futures cimport FuturesLedger, FuturesFeeTable, fut_notional
from ptrade_fast._core.margin cimport MarginLedger
from ptrade_fast._core.rules cimport rules_apply_slippage, rules_round_lot_down
from ptrade_fast._core.fills cimport MatchParams, FillBuffer
from ptrade_fast._core.fills import grown_columns

cdef int64_t QTY_INF = 0x7FFFFFFFFFFFFFFF

_ORDER_COLUMNS = (("entrust_no", np.int64), ("sid", np.int32), ("side", np.int8), ("amount", np.int64),
                  ("filled", np.int64), ("limit_price", np.int64), ("status", np.uint8),
                  ("reason", np.int32), ("lot", np.int32), ("created_seq", np.int64), ("otype", np.int8),
                  ("_open", np.int64), ("_changed", np.int64))
# -- the book --------------------------------------------------------------------------------------

cdef class OrderBook:
    """Orders of one run, struct-of-arrays; row r is entrust_no r + 1."""

    def __init__(self, Py_ssize_t capacity=1024):
        self.n_orders = 0
        self.capacity = 0
        self._n_live = 0
        self._n_open = 0
        self._n_changed = 0
        self._max_sid = -1
        self._arrays = None
        self._used_arr = np.zeros(0, dtype=np.int64)
        self._used = self._used_arr
        self._grow(max(capacity, 1))

    cdef int _grow(self, Py_ssize_t need) except -1:
        cdef Py_ssize_t cap = self.capacity
        if need <= cap:
            return 0
        while cap < need:
            cap = max(2 * cap, 16)
        old = self._arrays
        self._arrays = grown_columns(old, _ORDER_COLUMNS, self.n_orders, cap)
        if old is not None:
            self._arrays["_open"][:self._n_open] = old["_open"][:self._n_open]
            self._arrays["_changed"][:self._n_changed] = old["_changed"][:self._n_changed]
        self.capacity = cap
        a = self._arrays
        self._entrust_no = a["entrust_no"]
        self._sid = a["sid"]
        self._side = a["side"]
        self._amount = a["amount"]
        self._filled = a["filled"]
        self._limit_price = a["limit_price"]
        self._status = a["status"]
        self._reason = a["reason"]
        self._lot = a["lot"]
        self._created_seq = a["created_seq"]
        self._otype = a["otype"]
        self._open = a["_open"]
        self._changed = a["_changed"]
        self._touched = np.zeros(cap, dtype=np.int32)
        return 0

    # -- columns (numpy views of rows [0, n_orders); re-read after add) ----------------------------

    @property
    def entrust_no(self):
        return self._arrays["entrust_no"][:self.n_orders]

    @property
    def sid(self):
        return self._arrays["sid"][:self.n_orders]

    @property
    def side(self):
        return self._arrays["side"][:self.n_orders]

    @property
    def amount(self):
        return self._arrays["amount"][:self.n_orders]

    @property
    def filled(self):
        return self._arrays["filled"][:self.n_orders]

    @property
    def limit_price(self):
        return self._arrays["limit_price"][:self.n_orders]

    @property
    def status(self):
        return self._arrays["status"][:self.n_orders]

    @property
    def reason(self):
        return self._arrays["reason"][:self.n_orders]

    @property
    def lot(self):
        return self._arrays["lot"][:self.n_orders]

    @property
    def created_seq(self):
        return self._arrays["created_seq"][:self.n_orders]

    @property
    def otype(self):
        return self._arrays["otype"][:self.n_orders]

    @property
    def n_open(self):
        """Number of working orders."""
        return self._n_live

    def open_indices(self):
        """Rows of the working orders, in creation order (a copy)."""
        self._compact_open()
        return self._arrays["_open"][:self._n_open].copy()

    def changed_indices(self):
        """Rows whose status or reason changed in the last match/end_day/cancel call, in order (a copy)."""
        return self._arrays["_changed"][:self._n_changed].copy()

    # -- creation ----------------------------------------------------------------------------------

    cdef int64_t _append(self, sid_t sid, int side, qty_t amount, price_t limit_price, int32_t lot,
                         int64_t seq, uint8_t status, int32_t reason, int otype) except -1:
        cdef int64_t row = self.n_orders
        self._grow(row + 1)
        self._entrust_no[row] = row + 1
        self._sid[row] = sid
        self._side[row] = side
        self._amount[row] = amount
        self._filled[row] = 0
        self._limit_price[row] = limit_price
        self._status[row] = status
        self._reason[row] = reason
        self._lot[row] = lot
        self._created_seq[row] = seq
        self._otype[row] = otype
        self.n_orders = row + 1
        return row

    def add(self, sid_t sid, int side, qty_t amount, price_t limit_price, int32_t lot, int64_t seq,
            int otype=OTYPE_STOCK):
        """Create a working order (status '2', reason 0) at the end of the open set; returns its row.

        ``side`` is the trade direction (buy +1 / sell -1) for every ``otype``: 0 stock, futures 1 open
        (buy_open / sell_open), 2 close with yesterday's lots first and 3 close today's lots only
        (sell_close closes the long leg, buy_close the short leg), margin 4 financed buy, 5 sell to
        repay, 6 short sell, 7 buy to return."""
        if otype < 0 or otype > OTYPE_MAX:
            raise ValueError(f"otype must be in [0, {OTYPE_MAX}], was {otype}")
        if (otype == OTYPE_FIN_BUY or otype == OTYPE_SLO_BUY) and side != SIDE_BUY or \
                (otype == OTYPE_FIN_SELL or otype == OTYPE_SLO_SELL) and side != SIDE_SELL:
            raise ValueError(f"otype {otype} needs side {1 if otype in (4, 7) else -1}, was {side}")
        if sid < 0:
            raise IndexError(f"sid must be >= 0, was {sid}")
        if side != SIDE_BUY and side != SIDE_SELL:
            raise ValueError(f"side must be 1 (buy) or -1 (sell), was {side}")
        if amount <= 0:
            raise ValueError(f"amount must be > 0 for a working order, was {amount}")
        if limit_price < 0:
            raise ValueError(f"limit_price must be >= 0 (0 = market), was {limit_price}")
        if lot < 1:
            raise ValueError(f"lot must be >= 1, was {lot}")
        row = self._append(sid, side, amount, limit_price, lot, seq, STATUS_REPORTED, R_NONE, otype)
        self._open[self._n_open] = row
        self._n_open += 1
        self._n_live += 1
        if sid > self._max_sid:
            self._max_sid = sid
        return row

    def add_rejected(self, sid_t sid, int side, qty_t amount, price_t limit_price, int32_t lot, int64_t seq,
                     int32_t reason, int otype=OTYPE_STOCK):
        """Record an order the façade rejected at creation (status '9', never open); returns its row."""
        return self._append(sid, side, amount, limit_price, lot, seq, STATUS_REJECTED, reason, otype)

    # -- checkpoints -------------------------------------------------------------------------------

    def get_state(self):
        """Every row's columns, for a checkpoint taken at a day boundary (no working order then)."""
        if self._n_live:
            raise ValueError(f"get_state needs a book without working orders; {self._n_live} are open")
        return {"n_orders": self.n_orders, "max_sid": self._max_sid,
                "columns": {name: self._arrays[name][:self.n_orders].copy()
                            for name, _ in _ORDER_COLUMNS if not name.startswith("_")}}

    def set_state(self, dict state):
        """Restore what ``get_state`` returned, into an empty book."""
        cdef Py_ssize_t n = state["n_orders"]
        if self.n_orders:
            raise ValueError(f"set_state needs an empty book; this one has {self.n_orders} rows")
        self._grow(max(n, 1))
        for name, values in state["columns"].items():
            if len(values) != n:
                raise ValueError(f"set_state: column {name} has {len(values)} rows, expected {n}")
            self._arrays[name][:n] = values
        self.n_orders = n
        self._max_sid = state["max_sid"]
        self._n_open = 0
        self._n_live = 0
        self._n_changed = 0

    # -- terminal transitions ----------------------------------------------------------------------

    cdef void _finish(self, int64_t row, int32_t reason) noexcept nogil:
        # The one place a working order becomes terminal.
        cdef int64_t filled = self._filled[row]
        if filled == self._amount[row]:
            self._status[row] = STATUS_FILLED
        elif filled > 0:
            self._status[row] = STATUS_PART_CANCELLED
        else:
            self._status[row] = STATUS_CANCELLED
        self._reason[row] = reason
        self._changed[self._n_changed] = row
        self._n_changed += 1
        self._n_live -= 1

    cdef void _compact_open(self) noexcept nogil:
        # Drop rows cancelled since the last compaction, keeping creation order.
        cdef Py_ssize_t k, w = 0
        cdef int64_t row
        cdef uint8_t st
        if self._n_open == self._n_live:
            return
        for k in range(self._n_open):
            row = self._open[k]
            st = self._status[row]
            if st == STATUS_REPORTED or st == STATUS_PART_FILLED:
                self._open[w] = row
                w += 1
        self._n_open = w

    def cancel(self, int64_t row, int32_t reason=R_USER_CANCEL):
        """Cancel a working order: returns the new status code (ord '6' or '5'), or 0 if it was not open."""
        cdef uint8_t st
        if row < 0 or row >= self.n_orders:
            raise IndexError(f"row must be in [0, {self.n_orders}), was {row}")
        self._n_changed = 0
        st = self._status[row]
        if st != STATUS_REPORTED and st != STATUS_PART_FILLED:
            return 0
        self._finish(row, reason)
        return self._status[row]

    def end_day(self):
        """Cancel every working order with R_DAY_END ('6' or '5'); returns how many were cancelled."""
        cdef Py_ssize_t k, n
        cdef int64_t row
        self._compact_open()
        self._n_changed = 0
        n = self._n_open
        with nogil:
            for k in range(n):
                self._finish(self._open[k], R_DAY_END)
            self._n_open = 0
        return n

    # -- one fill: sizing against the account, then the ledger (bar matching and tick matching) ----------

    cdef int64_t _size(self, Ledger ledger, FeeTable fees, FuturesLedger fut, FuturesFeeTable ffees,
                       MarginLedger mgn, int64_t row, int64_t rem, int64_t cap, price_t p, bint exact,
                       int32_t* reason) noexcept nogil:
        # How much of ``rem`` the account lets this order trade at ``p``, at most ``cap``; writes the clip
        # reason.  ``exact``: ``cap`` is a quantity the exchange executed (tick matching), so it is neither a
        # volume-cap clip nor rounded to the lot; only the account's limits (cash, enable_amount) cut it.
        cdef sid_t s = self._sid[row]
        cdef int side = self._side[row]
        cdef int lot = self._lot[row]
        cdef int otype = self._otype[row]
        cdef int64_t q, ea, held, lo, hi, mid, est
        cdef money_t cash
        cdef double buy_rate
        if otype >= OTYPE_FIN_BUY:
            return mgn.mgn_size_order(fees, s, otype, rem, cap, lot, self._limit_price[row], p, reason)
        if otype != OTYPE_STOCK:
            return fut.fut_size_order(ffees, s, otype, side, rem, cap, lot, p, reason)
        if side == SIDE_SELL:
            ea = ledger._enable_amount[s]
            held = ledger._amount[s]
            q = rem
            if q > ea:
                q = ea
                reason[0] = R_POSITION_CLIPPED
            if q > cap:
                q = cap
                if not exact:
                    reason[0] = R_VOLUME_CAPPED
            if not exact and q < held and q % lot:
                q -= q % lot
                if reason[0] == R_NONE:
                    reason[0] = R_BELOW_MIN_LOT
            if q == 0 and ea == 0:
                reason[0] = R_NO_POSITION
            return q
        q = rem
        if q > cap:
            q = cap
            if not exact:
                reason[0] = R_VOLUME_CAPPED
        if not exact and q % lot:
            q = rules_round_lot_down(q, lot)
            if reason[0] == R_NONE:
                reason[0] = R_BELOW_MIN_LOT
        if q == 0:
            return 0
        cash = ledger._acct[0]
        if q * p + fees.fee_table_total(s, SIDE_BUY, q * p) > cash:
            # Largest lot multiple whose cost fits: the cost is monotone in q but not
            # linear (minimum commission, per-component rounding), so estimate from the
            # proportional rates and settle by bisection on whole lots.
            reason[0] = R_CASH_CLIPPED
            lo = 0
            hi = q // lot
            if cash > 0:
                buy_rate = 1.0 + fees._commission_rate[s] + fees._handling_rate[s] \
                    + fees._transfer_rate[s]
                est = <int64_t>(cash / (p * buy_rate)) // lot
                if est >= hi:
                    est = hi - 1
                if est > 0:
                    if est * lot * p + fees.fee_table_total(s, SIDE_BUY, est * lot * p) <= cash:
                        lo = est
                    else:
                        hi = est
                while hi - lo > 1:
                    mid = lo + (hi - lo) // 2
                    if mid * lot * p + fees.fee_table_total(s, SIDE_BUY, mid * lot * p) <= cash:
                        lo = mid
                    else:
                        hi = mid
            q = lo * lot
            if q == 0:
                reason[0] = R_NO_CASH
        return q

    cdef int _fill(self, Ledger ledger, FeeTable fees, FuturesLedger fut, FuturesFeeTable ffees,
                   MarginLedger mgn, FillBuffer fills, int64_t row, int64_t q, price_t p) except -1 nogil:
        # Book a fill of q at p in the account and the fill buffer; 0 when refused: a stock sell whose fees
        # exceed its value plus the remaining cash (a few shares under a minimum commission) would overdraw.
        cdef sid_t s = self._sid[row]
        cdef int side = self._side[row]
        cdef int otype = self._otype[row]
        cdef money_t value, fee_total
        cdef money_t parts[4]
        if mgn is not None:
            mgn.mgn_before_fill(s)
        if otype == OTYPE_STOCK:
            value = q * p
            fee_total = fees.fee_table_components(s, side, value, parts)
            if side == SIDE_SELL and ledger._acct[0] + value - fee_total < 0:
                return 0
            ledger.ledger_apply_fill(s, side, q, p, fee_total)
        elif otype >= OTYPE_FIN_BUY:
            value = q * p
            mgn.mgn_fill_order(fees, s, otype, q, p, parts)
        else:
            # Futures: the whole fee is commission; closes always fill (a loss may overdraw:
            # that is a margin call, not a refusal).
            value = fut_notional(p, q, fut._multiplier[s])
            parts[0] = fut.fut_fill_order(ffees, s, otype, side, q, p)
            parts[1] = parts[2] = parts[3] = 0
        if mgn is not None:
            mgn.mgn_after_fill(s)
        fills._order_row[fills.n] = row
        fills._sid[fills.n] = s
        fills._side[fills.n] = side
        fills._qty[fills.n] = q
        fills._price[fills.n] = p
        fills._value[fills.n] = value
        fills._commission[fills.n] = parts[0]
        fills._handling_fee[fills.n] = parts[1]
        fills._transfer_fee[fills.n] = parts[2]
        fills._stamp_duty[fills.n] = parts[3]
        fills._otype[fills.n] = otype
        fills.n += 1
        return 1

    # -- fills decided elsewhere (tick matching) ---------------------------------------------------

    def apply_fills(self, Ledger ledger, FeeTable fees, const int64_t[:] rows, const int64_t[:] qty,
                    const price_t[:] price, const int32_t[:] end_reason, FillBuffer fills,
                    FuturesLedger futures=None, FuturesFeeTable futures_fees=None, MarginLedger margin=None):
        """Book fills an exchange model decided (tick matching), through the account path ``match`` uses.

        Entry k fills up to ``qty[k]`` of order ``rows[k]`` at ``price[k]`` (0 = no fill), in order.  The
        quantity is what the exchange executed: it is not rounded to the lot nor volume-capped, only cut by
        the account (available cash in whole lots, ``enable_amount``, margin and futures sizing); an order cut
        that way ends at once with the reason ('5'/'6'), as in ``match``.  Afterwards an order still working
        ends with ``end_reason[k]`` when it is > 0 (an immediate-or-cancel remainder); otherwise it stays
        working, status '7' once partly filled.  Returns the number of fills appended to ``fills``;
        ``changed_indices()`` lists the rows that ended."""
        cdef Py_ssize_t n = rows.shape[0], k, fills_before
        cdef Py_ssize_t n_sids = ledger.n_sids
        cdef int64_t row, q, rem
        cdef int32_t reason
        cdef uint8_t st
        cdef int otype
        cdef FuturesLedger fut = futures
        cdef FuturesFeeTable ffees = futures_fees
        cdef MarginLedger mgn = margin
        if qty.shape[0] != n or price.shape[0] != n or end_reason.shape[0] != n:
            raise ValueError(f"rows, qty, price and end_reason must have one length, had {n}, {qty.shape[0]}, "
                             f"{price.shape[0]} and {end_reason.shape[0]}")
        if fees.n_sids != n_sids:
            raise ValueError(f"fee table has {fees.n_sids} sids, ledger has {n_sids}")
        if mgn is not None and (mgn.ledger is not ledger or mgn.n_sids != n_sids):
            raise ValueError("the margin ledger must share the stock ledger and its sids")
        if fut is not None and (fut.ledger is not ledger or ffees is None or fut.n_sids != n_sids
                                or ffees.n_sids != n_sids):
            raise ValueError("the futures ledger must share the stock ledger's cash and come with its fee table")
        for k in range(n):
            row = rows[k]
            if row < 0 or row >= self.n_orders:
                raise IndexError(f"rows[{k}] = {row} is not an order row (book has {self.n_orders})")
            if self._sid[row] >= n_sids:
                raise IndexError(f"order row {row} has sid {self._sid[row]}, the ledger only {n_sids} sids")
            if qty[k] < 0 or (qty[k] > 0 and price[k] <= 0):
                raise ValueError(f"fill {k} of row {row}: quantity {qty[k]} at price {price[k]}")
            otype = self._otype[row]
            if OTYPE_STOCK < otype <= OTYPE_FUT_CLOSE_TODAY and fut is None:
                raise ValueError(f"order row {row} is a futures order: apply_fills needs futures= and futures_fees=")
            if otype > OTYPE_FUT_CLOSE_TODAY and mgn is None:
                raise ValueError(f"order row {row} is a margin order: apply_fills needs margin=")
        if mgn is not None:
            mgn.mgn_cache_reset()
        self._n_changed = 0
        fills.fill_buffer_reserve(n)
        fills_before = fills.n
        with nogil:
            for k in range(n):
                row = rows[k]
                st = self._status[row]
                if st != STATUS_REPORTED and st != STATUS_PART_FILLED:
                    continue
                rem = self._amount[row] - self._filled[row]
                if qty[k] > 0:
                    reason = R_NONE
                    q = self._size(ledger, fees, fut, ffees, mgn, row, rem, qty[k], price[k], True, &reason)
                    if q == 0:
                        self._finish(row, reason)
                        continue
                    if not self._fill(ledger, fees, fut, ffees, mgn, fills, row, q, price[k]):
                        self._finish(row, R_NO_CASH)
                        continue
                    self._filled[row] += q
                    if self._filled[row] == self._amount[row] or reason != R_NONE:
                        self._finish(row, reason)
                        continue
                    # '2' -> '7' is not listed in _changed (each row enters it once, when it ends): the
                    # fill itself reports the partial execution.
                    self._status[row] = STATUS_PART_FILLED
                if end_reason[k] > 0:
                    self._finish(row, end_reason[k])
        return fills.n - fills_before

    # -- matching ----------------------------------------------------------------------------------

    def match(self, Ledger ledger, FeeTable fees, const price_t[:] close, const price_t[:] high,
              const price_t[:] low, const int64_t[:] volume, const price_t[:] high_limit,
              const price_t[:] low_limit, const uint8_t[:] tradable, MatchParams params,
              FillBuffer fills, FuturesLedger futures=None, FuturesFeeTable futures_fees=None,
              MarginLedger margin=None):
        """Match every working order against the current bar (arrays indexed by sid); returns new fills.

        Futures orders (otype 1-3) need ``futures`` and ``futures_fees``; margin orders (otype 4-7) need
        ``margin``.  Both must share ``ledger`` (one account, one cash).  Margin orders are valued at
        ``margin.last_price`` (the facade marks it before matching) and pay stock fees from ``fees``."""
        cdef Py_ssize_t n_sids = ledger.n_sids
        cdef Py_ssize_t k, w, n_open, n_touched = 0, fills_before
        cdef int64_t row, lim, cap, rem, q, held, ea, lo, hi, mid, est
        cdef price_t ref, trig, base, p
        cdef money_t cash, value, fee_total
        cdef money_t parts[4]
        cdef sid_t s
        cdef int side, lot, otype
        cdef int32_t reason
        cdef FuturesLedger fut = futures
        cdef FuturesFeeTable ffees = futures_fees
        cdef MarginLedger mgn = margin
        cdef Py_ssize_t n_fut = 0, n_mgn = 0
        cdef bint reached, is_limit
        cdef double buy_rate

        # Read once: settings are constant within a bar.
        cdef double volume_ratio = params.volume_ratio
        cdef bint capped = params.limit_mode == LIMIT_MODE_LIMIT
        cdef int slip_kind = params.slippage_kind
        cdef double slip_ratio = params.slippage_ratio
        cdef price_t slip_fixed = params.slippage_fixed
        cdef bint block_locked = params.block_limit_locked
        cdef bint shared = params.shared_volume_cap
        cdef bint touch_close = params.limit_touch == LIMIT_TOUCH_CLOSE

        for name, arr in (("close", close), ("high", high), ("low", low), ("volume", volume),
                          ("high_limit", high_limit), ("low_limit", low_limit), ("tradable", tradable)):
            if arr.shape[0] != n_sids:
                raise ValueError(f"{name} must have length n_sids={n_sids}, was {arr.shape[0]}")
        if fees.n_sids != n_sids:
            raise ValueError(f"fee table has {fees.n_sids} sids, ledger has {n_sids}")
        if self._max_sid >= n_sids:
            raise IndexError(f"an order has sid {self._max_sid}, but the bar has only {n_sids} sids")
        if params.slippage_kind not in (0, 1, 2) or params.limit_mode not in (0, 1) \
                or params.limit_touch not in (0, 1):
            raise ValueError(f"bad match parameters: {params!r}")

        self._compact_open()
        for k in range(self._n_open):
            if OTYPE_STOCK < self._otype[self._open[k]] <= OTYPE_FUT_CLOSE_TODAY:
                n_fut += 1
            elif self._otype[self._open[k]] > OTYPE_FUT_CLOSE_TODAY:
                n_mgn += 1
        if n_mgn or mgn is not None:
            if mgn is None:
                raise ValueError(f"{n_mgn} margin orders are open: match needs margin=")
            if mgn.ledger is not ledger:
                raise ValueError("the margin ledger must share the stock ledger (margin.ledger is ledger)")
            if mgn.n_sids != n_sids:
                raise ValueError(f"margin ledger needs {n_sids} sids, has {mgn.n_sids}")
            mgn.mgn_cache_reset()
        if n_fut or fut is not None:
            if fut is None or ffees is None:
                raise ValueError(f"{n_fut} futures orders are open: match needs futures= and futures_fees=")
            if fut.ledger is not ledger:
                raise ValueError("the futures ledger must share the stock ledger's cash (futures.ledger is ledger)")
            if fut.n_sids != n_sids or ffees.n_sids != n_sids:
                raise ValueError(f"futures ledger and fee table need {n_sids} sids, have {fut.n_sids} "
                                 f"and {ffees.n_sids}")
        self._n_changed = 0
        n_open = self._n_open
        fills.fill_buffer_reserve(n_open)
        fills_before = fills.n
        if shared and self._used.shape[0] < n_sids:
            self._used_arr = np.zeros(n_sids, dtype=np.int64)
            self._used = self._used_arr

        # Runs once per working order per bar: no Python inside.
        with nogil:
            w = 0
            for k in range(n_open):
                row = self._open[k]
                s = self._sid[row]
                side = self._side[row]
                lot = self._lot[row]
                lim = self._limit_price[row]
                is_limit = lim > 0
                rem = self._amount[row] - self._filled[row]
                otype = self._otype[row]

                # 1. suspended or not trading this bar: keep waiting
                if not tradable[s]:
                    self._open[w] = row
                    w += 1
                    continue

                # 2. limit trigger and base price
                ref = close[s]
                base = ref
                if is_limit:
                    if side == SIDE_BUY:
                        trig = ref if touch_close else low[s]
                        reached = trig <= lim
                        if ref > lim:
                            base = lim
                    else:
                        trig = ref if touch_close else high[s]
                        reached = trig >= lim
                        if ref < lim:
                            base = lim
                    if not reached:
                        self._open[w] = row
                        w += 1
                        continue

                # 3. no liquidity at a locked limit
                reason = R_NONE
                if block_locked:
                    if side == SIDE_BUY and high_limit[s] > 0 and ref >= high_limit[s]:
                        reason = R_LIMIT_UP_LOCKED
                    elif side == SIDE_SELL and low_limit[s] > 0 and ref <= low_limit[s]:
                        reason = R_LIMIT_DOWN_LOCKED

                # 4. volume cap
                cap = QTY_INF
                if reason == R_NONE and capped:
                    cap = <int64_t>floor(volume_ratio * volume[s])
                    if shared:
                        cap -= self._used[s]
                    if cap <= 0:
                        cap = 0
                        reason = R_NO_VOLUME

                if reason != R_NONE:
                    if is_limit:
                        if self._reason[row] != reason:
                            self._reason[row] = reason
                            self._changed[self._n_changed] = row
                            self._n_changed += 1
                        self._open[w] = row
                        w += 1
                    else:
                        self._finish(row, reason)
                    continue

                # 5. fill price
                p = rules_apply_slippage(base, side, slip_kind, slip_ratio, slip_fixed)
                if is_limit:
                    if side == SIDE_BUY and p > lim:
                        p = lim
                    elif side == SIDE_SELL and p < lim:
                        p = lim

                # 6. quantity
                q = self._size(ledger, fees, fut, ffees, mgn, row, rem, cap, p, False, &reason)
                if q == 0:
                    self._finish(row, reason)
                    continue

                # 7. fill
                if not self._fill(ledger, fees, fut, ffees, mgn, fills, row, q, p):
                    self._finish(row, R_NO_CASH)
                    continue
                self._filled[row] += q
                if shared and capped:
                    if self._used[s] == 0:
                        self._touched[n_touched] = s
                        n_touched += 1
                    self._used[s] += q

                # 8. filled, or the remainder ends now
                self._finish(row, reason)

            self._n_open = w
            for k in range(n_touched):
                self._used[self._touched[k]] = 0

        return fills.n - fills_before
