"""Kernel reason codes mapped one-to-one to Ptrade's order status and ``error_info`` text, and the
user-facing exceptions of the façade.

A rejection or clip is data, never a crash: the kernels write a reason code per order
(``_core.R_*``) and this module renders it.  User mistakes that Ptrade itself would raise on
(a callback missing, a bad argument type, an API called in the wrong phase) raise the exceptions
below, naming the strategy file, line, security code and parameter.
"""
from __future__ import annotations

import linecache
import os
import traceback

# The kernels' reason codes (one definition: _core/typedefs.pxd, mirrored by _core/__init__.py).
from ._core import (  # noqa: E402
    R_AFTER_CLOSE, R_BAD_AMOUNT, R_BELOW_MIN_LOT, R_CASH_CLIPPED, R_DAY_END, R_DELISTED, R_LIMIT_DOWN_LOCKED,
    R_LIMIT_UP_LOCKED, R_MARGIN_CLIPPED, R_NO_CASH, R_NO_MARGIN, R_NO_POSITION, R_NO_VOLUME, R_NONE,
    R_NOT_ELIGIBLE, R_NOT_LISTED, R_POSITION_CLIPPED, R_PRICE_OUTSIDE_LIMITS, R_PRICE_PRECISION,
    R_SHORT_BELOW_LAST, R_SUSPENDED, R_SUSPENDED_AT_CREATION, R_UNKNOWN_SECURITY, R_USER_CANCEL,
    R_VOLUME_CAPPED, R_ZERO_AMOUNT,
)
from ._core import (  # noqa: E402  (tick matching, order_market)
    R_FOK_UNFILLED, R_IOC_REMAINDER, R_MARKET_TYPE_REJECTED, R_NO_COUNTERPARTY, R_PROTECTION_REQUIRED,
)

#: error_info text per reason code (Chinese first, as the platform shows it, then English).
ERROR_INFO = {
    R_NONE: "",
    R_CASH_CLIPPED: "可用资金不足，委托数量按可用资金调整 (buy reduced to what available cash allows)",
    R_NO_CASH: "可用资金不足 (insufficient cash: nothing could be bought)",
    R_POSITION_CLIPPED: "可卖数量不足，委托数量按可卖数量调整 (sell reduced to enable_amount)",
    R_NO_POSITION: "可卖数量不足 (no sellable position: enable_amount is 0)",
    R_VOLUME_CAPPED: "超过成交量限制，超出部分撤单 (volume cap: fill limited to volume_ratio x bar volume, rest cancelled)",
    R_NO_VOLUME: "当前周期无成交量 (the bar traded no volume)",
    R_LIMIT_UP_LOCKED: "涨停价封板，无法买入 (locked at limit-up: no buy fill)",
    R_LIMIT_DOWN_LOCKED: "跌停价封板，无法卖出 (locked at limit-down: no sell fill)",
    R_SUSPENDED: "停牌 (suspended)",
    R_USER_CANCEL: "用户撤单 (cancelled by cancel_order)",
    R_DAY_END: "收盘未成交，系统撤单 (not filled by the close: cancelled at day end)",
    R_MARGIN_CLIPPED: "保证金可用余额或授信额度不足，委托数量已调整 (reduced to what available margin and the credit line allow)",
    R_NO_MARGIN: "保证金可用余额或授信额度不足 (no available margin or credit line left)",
    R_NOT_ELIGIBLE: "非融资融券标的 (not eligible for financing / short selling)",
    R_SHORT_BELOW_LAST: "融券卖出价格低于最新价 (short-sale price below the latest price)",
    R_BAD_AMOUNT: "委托数量必须为整数 (amount must be an integer)",
    R_UNKNOWN_SECURITY: "证券代码不存在 (unknown security code)",
    R_NOT_LISTED: "证券未上市 (security not listed yet)",
    R_DELISTED: "证券已退市 (security delisted)",
    R_SUSPENDED_AT_CREATION: "停牌，无法委托 (suspended today: order refused)",
    R_BELOW_MIN_LOT: "委托数量不足一手 (amount below the minimum lot)",
    R_PRICE_PRECISION: "委托价格精度错误 (limit_price has too many decimals)",
    R_PRICE_OUTSIDE_LIMITS: "委托价格超出涨跌停范围 (limit_price outside today's price limits)",
    R_AFTER_CLOSE: "已收盘，回测不接受盘后委托 (market closed: no order accepted after 15:00 in backtest)",
    R_ZERO_AMOUNT: "委托数量为0 (amount rounds to zero)",
    R_NO_COUNTERPARTY: "无对应价位申报，市价委托撤单 (market order: no quote to price from, or none within the protective price)",
    R_IOC_REMAINDER: "即时成交剩余撤销 (immediate-or-cancel: the unfilled remainder is cancelled)",
    R_FOK_UNFILLED: "全额成交或撤单：无法全部成交 (fill-or-kill: the book could not fill it in full, cancelled)",
    R_MARKET_TYPE_REJECTED: "市价委托类型不被接受 (market_type not accepted for this security or session)",
    R_PROTECTION_REQUIRED: "上海市价委托须提供保护限价 (Shanghai market orders need a protective limit_price)",
}


def error_info(reason: int) -> str:
    """Ptrade ``error_info`` text for a kernel reason code."""
    return ERROR_INFO.get(int(reason), f"reason {int(reason)}")


class PtradeFastError(Exception):
    """Base class of the errors ptrade_fast raises on purpose."""


class StrategyLoadError(PtradeFastError):
    """The strategy file cannot be loaded (missing file, syntax error, missing required callback)."""


class StrategyRuntimeError(PtradeFastError):
    """An exception escaped from the strategy's own code; carries its file and line."""

    def __init__(self, message: str, filename: str | None, lineno: int | None, callback: str,
                 sim_time=None, original: BaseException | None = None):
        super().__init__(message)
        self.filename = filename
        self.lineno = lineno
        self.callback = callback
        self.sim_time = sim_time
        self.original = original


class RunInterrupted(PtradeFastError):
    """The run was stopped from outside (Ctrl-C / SIGINT, SIGTERM) or by the strategy (``sys.exit()``).

    ``partial_result`` holds the results up to the last finished trading day (``complete=False`` with the
    reason in its meta); ``checkpoint`` names the latest checkpoint a ``resume`` can continue from."""

    def __init__(self, message: str, reason: str, sim_time=None):
        super().__init__(message)
        self.reason = reason
        self.sim_time = sim_time
        self.partial_result = None
        self.checkpoint = None


class CallbackTimeout(Exception):
    """Raised inside a strategy callback that ran longer than the run's ``callback_timeout``."""


class IsolationError(PtradeFastError):
    """``isolate=True`` cannot be honoured here (platform, kernel, missing extra) or the sandboxed
    child failed outside the strategy."""


class LiveOnlyError(RuntimeError):
    """A Ptrade function that exists only in live trading was called in a backtest (§H.12)."""


class DataError(PtradeFastError):
    """The data root lacks what the run needs (no bars for the range, unknown benchmark, …)."""


def strategy_frame(exc: BaseException, strategy_path: str) -> tuple[str | None, int | None, str]:
    """Return (file, line, source line) of the innermost traceback frame inside the strategy file."""
    target = os.path.abspath(strategy_path) if strategy_path else None
    best = (None, None, "")
    for frame in traceback.extract_tb(exc.__traceback__):
        if target and os.path.abspath(frame.filename) == target:
            best = (frame.filename, frame.lineno, (frame.line or linecache.getline(frame.filename, frame.lineno)).strip())
    return best
