"""Calling into the strategy: every callback runs through :class:`StrategyCaller`, which sets the lifecycle
phase the API's door checks read and turns an exception of the strategy into a
:class:`~ptrade_fast.errors.StrategyRuntimeError` naming the file, line, callback and simulated time."""
from __future__ import annotations

from .. import errors as E

CALLBACK_NAMES = ("initialize", "handle_data", "before_trading_start", "after_trading_end",
                  "on_order_response", "on_trade_response")


class StrategyCaller:
    def __init__(self, rt, strategy_path: str, timer=None):
        self.rt = rt
        self.strategy_path = strategy_path
        self.timer = timer                # engine.interrupts.CallbackTimer, or None

    def call(self, phase: str, fn, *args):
        rt = self.rt
        rt.phase = phase
        timer = self.timer
        try:
            if timer is None:
                fn(*args)
            else:
                timer.arm()
                try:
                    fn(*args)
                finally:
                    timer.disarm()
        except (E.PtradeFastError,) as exc:
            raise exc
        except SystemExit as exc:
            # sys.exit() in a strategy ends the run like Ctrl-C: results up to the last finished day are kept.
            f, line, _ = E.strategy_frame(exc, self.strategy_path)
            where = f" at {f}:{line}" if f else ""
            raise E.RunInterrupted(f"the strategy called sys.exit({exc.code!r}){where} in "
                                   f"{getattr(fn, '__name__', fn)} at simulated time {rt.now}",
                                   "sys.exit", rt.now) from None
        except Exception as exc:
            f, line, src = E.strategy_frame(exc, self.strategy_path)
            name = getattr(fn, "__name__", str(fn))
            where = f"{f}:{line}" if f else self.strategy_path
            msg = (f"{where}: {type(exc).__name__}: {exc}\n    in {name} at simulated time {rt.now}"
                   + (f"\n    {src}" if src else ""))
            err = E.StrategyRuntimeError(msg, f, line, name, rt.now, exc)
            err.partial_result = None
            raise err from exc
