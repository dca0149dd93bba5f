# Shared kernel types, scales and codes.  Every kernel cimports these; never re-declare them locally.
# The pure-Python mirror for the facade lives in _core/__init__.py and must stay in step with this file.
from libc.stdint cimport int8_t, int32_t, int64_t, uint8_t

ctypedef int32_t sid_t      # security id: row index into every per-security array, 0 <= sid < n_sids
ctypedef int64_t qty_t      # shares / bonds / units, never fractional
ctypedef int64_t price_t    # price in 1e-4 CNY (PRICE_SCALE)
ctypedef int64_t money_t    # money in 1e-4 CNY (MONEY_SCALE): price_t * qty_t is money_t with no rescaling

cdef enum:
    PRICE_SCALE = 10000
    MONEY_SCALE = 10000
    # Fractions (slippage ratio, limit ratio) become integers of 1e-8 before integer rounding.
    RATIO_SCALE = 100000000

# Side of an order or fill.
cdef enum:
    SIDE_BUY = 1
    SIDE_SELL = -1

# Order status, stored as the ASCII code of Ptrade's one-character status (spec E.1).
cdef enum:
    STATUS_REPORTED = 50          # '2' reported, working
    STATUS_PART_CANCELLED = 53    # '5' partly filled, remainder cancelled
    STATUS_CANCELLED = 54         # '6' cancelled, nothing filled
    STATUS_PART_FILLED = 55       # '7' partly filled, still working (reserved: remainders are cancelled)
    STATUS_FILLED = 56            # '8' filled
    STATUS_REJECTED = 57          # '9' rejected

# Reason codes (int32).  0-19 are written by the kernels at matching; 20+ are creation-time
# rejections the facade records with OrderBook.add_rejected.
cdef enum:
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
    R_MARGIN_CLIPPED = 12         # margin order cut to the available margin or the credit quota
    R_NO_MARGIN = 13              # margin order: no available margin or quota left for one lot
    R_NOT_ELIGIBLE = 14           # security not eligible for financing / short selling
    R_SHORT_BELOW_LAST = 15       # short-sell price below the latest price (docs/market-rules.md §10.4)
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
    # Tick matching (_core.tickmatch, order_market): 40+ so they never collide with the bar codes above.
    R_NO_COUNTERPARTY = 40        # a market order found no quote to price from (or none within its protection)
    R_IOC_REMAINDER = 41          # immediate-or-cancel: the part the book could not fill is cancelled
    R_FOK_UNFILLED = 42           # fill-or-kill: the book could not fill all of it, nothing traded
    R_MARKET_TYPE_REJECTED = 43   # market_type not accepted by the exchange / instrument / session (creation)
    R_PROTECTION_REQUIRED = 44    # Shanghai market orders need a protective limit_price (creation)

# Order types (OrderBook column ``otype``, int8).  Futures and margin orders reuse ``side`` as the
# trade direction (buy/sell); the type says which book the fill goes to.
cdef enum:
    OTYPE_STOCK = 0               # ordinary stock order (Ledger)
    OTYPE_FUT_OPEN = 1            # futures open: buy_open (side +1) / sell_open (side -1)
    OTYPE_FUT_CLOSE = 2           # futures close, yesterday's lots first: sell_close / buy_close
    OTYPE_FUT_CLOSE_TODAY = 3     # futures close of today's lots only (close_today=True)
    OTYPE_FIN_BUY = 4             # financed buy, 融资买入 (margincash_open)
    OTYPE_FIN_SELL = 5            # sell to repay financing, 卖券还款 (margincash_close)
    OTYPE_SLO_SELL = 6            # short sell, 融券卖出 (marginsec_open)
    OTYPE_SLO_BUY = 7             # buy to return, 买券还券 (marginsec_close)
    OTYPE_MAX = 7

# Matching modes (MatchParams fields).
cdef enum:
    LIMIT_MODE_LIMIT = 0
    LIMIT_MODE_UNLIMITED = 1
    SLIPPAGE_NONE = 0
    SLIPPAGE_RATIO = 1
    SLIPPAGE_FIXED = 2
    LIMIT_TOUCH_CLOSE = 0
    LIMIT_TOUCH_HIGH_LOW = 1
