"""ptrade_fast._core: the Cython kernels under ptrade_fast (internal; strategies go through ``ptrade_fast``).

The kernel/facade contract
--------------------------
Kernels (``_core.fees``, ``_core.rules``, ``_core.ledger``, ``_core.futures``, ``_core.margin``,
``_core.book``; ``_core.tickmatch`` models only the exchange side of tick replay, volumes and prices) own:

* invariants: cash never goes negative through a stock fill, ``0 <= enable_amount <= amount``, an order's
  ``filled <= amount``, terminal orders never leave their terminal status; futures legs keep
  ``0 <= *_today <= *_amount`` with margin and basis 0 when flat (cash may go negative after a futures
  settlement or a losing close: a margin call, reported, never clamped); margin debts and borrowed
  amounts never go negative;
* memory safety: every ``def`` entry point checks sids and array lengths once, then runs a
  ``nogil`` loop with bounds checks off;
* reason codes: every clip, cancel and block at matching is written as an ``R_*`` code in the
  order's ``reason`` column.  Kernels never raise for a business outcome; they raise only for a
  fault (bad sid, a sell beyond ``enable_amount`` booked directly, a wrongly sized array).

The facade (``ptrade_fast``) owns:

* Ptrade names (``entrust_no`` as a 32-hex id, ``business_amount``, ``error_info`` text, codes),
* argument checks at creation (lot, precision, listing, phase) recorded with
  ``OrderBook.add_rejected`` and the ``R_*`` codes >= 20,
* conversion between floats and the integer units below, and Ptrade's return shapes.

One account: ``FuturesLedger(n, ledger)`` and ``MarginLedger(n, ledger)`` share the stock ``Ledger``'s
cash (``ledger.acct``); ``OrderBook.match(..., futures=, futures_fees=, margin=)`` dispatches on the
order column ``otype`` (``OTYPE_*`` below) in one nogil loop.  ``side`` is always the trade direction.
The facade owns product tables (multiplier, margin rate, fee convention), settlement and expiry dates,
eligibility lists, haircuts, ratios, quotas and rates, marking ``margin.last_price`` before a match, and
what to do about a margin call.

Units: prices and money are ``int64`` in 1e-4 CNY (``PRICE_SCALE == MONEY_SCALE == 10000``), so
``price * qty`` is money without rescaling.  Quantities are ``int64`` shares, sids ``int32``.

The constants below mirror ``_core/typedefs.pxd`` for Python code that cannot ``cimport``.
Statuses are Ptrade's one-character strings; the kernels store their ASCII codes (``ord``) as uint8.
"""

PRICE_SCALE = 10000
MONEY_SCALE = 10000
RATIO_SCALE = 100000000

SIDE_BUY = 1
SIDE_SELL = -1

STATUS_REPORTED = "2"
STATUS_PART_CANCELLED = "5"
STATUS_CANCELLED = "6"
STATUS_PART_FILLED = "7"
STATUS_FILLED = "8"
STATUS_REJECTED = "9"

R_NONE = 0
R_CASH_CLIPPED = 1
R_NO_CASH = 2
R_POSITION_CLIPPED = 3
R_NO_POSITION = 4
R_VOLUME_CAPPED = 5
R_NO_VOLUME = 6
R_LIMIT_UP_LOCKED = 7
R_LIMIT_DOWN_LOCKED = 8
R_SUSPENDED = 9
R_USER_CANCEL = 10
R_DAY_END = 11
R_MARGIN_CLIPPED = 12
R_NO_MARGIN = 13
R_NOT_ELIGIBLE = 14
R_SHORT_BELOW_LAST = 15
R_BAD_AMOUNT = 20
R_UNKNOWN_SECURITY = 21
R_NOT_LISTED = 22
R_DELISTED = 23
R_SUSPENDED_AT_CREATION = 24
R_BELOW_MIN_LOT = 25
R_PRICE_PRECISION = 26
R_PRICE_OUTSIDE_LIMITS = 27
R_AFTER_CLOSE = 28
R_ZERO_AMOUNT = 29
R_NO_COUNTERPARTY = 40
R_IOC_REMAINDER = 41
R_FOK_UNFILLED = 42
R_MARKET_TYPE_REJECTED = 43
R_PROTECTION_REQUIRED = 44

OTYPE_STOCK = 0
OTYPE_FUT_OPEN = 1
OTYPE_FUT_CLOSE = 2
OTYPE_FUT_CLOSE_TODAY = 3
OTYPE_FIN_BUY = 4
OTYPE_FIN_SELL = 5
OTYPE_SLO_SELL = 6
OTYPE_SLO_BUY = 7

LIMIT_MODE_LIMIT = 0
LIMIT_MODE_UNLIMITED = 1
SLIPPAGE_NONE = 0
SLIPPAGE_RATIO = 1
SLIPPAGE_FIXED = 2
LIMIT_TOUCH_CLOSE = 0
LIMIT_TOUCH_HIGH_LOW = 1

# Reason code -> constant name, for logs and errors.py.
REASON_NAMES = {v: k for k, v in dict(globals()).items() if k.startswith("R_") and isinstance(v, int)}
