"""Lifecycle phases and the door check every Ptrade API function makes.

Phase names follow the spec's abbreviations (docs/ptrade-api.md §D): ``init``, ``before``, ``handle``,
``after``, ``tick``, ``on_order``, ``on_trade``, ``sched``.  A function registered with
``run_daily`` runs in phase ``sched``.

One rule for every function (docs/engine.md, "Lifecycle phases"): each function declares the phases
of the platform's whitelist with :func:`phases`; a call from another phase is

* served with a warning (logged once per function and phase) when the function only reads (market data,
  reference data, queries of orders and positions …);
* refused with :class:`PhaseError` when it acts: orders, cancels, futures and margin orders, and the
  settings the platform takes only in ``initialize`` (``ACTING_FUNCTIONS``);
* refused for every function when the run was started with ``strict_phases=True``.
"""
from __future__ import annotations

import functools

ALL_PHASES = ("init", "before", "handle", "after", "tick", "on_order", "on_trade", "sched")

PHASE_NAMES = {
    "init": "initialize",
    "before": "before_trading_start",
    "handle": "handle_data",
    "after": "after_trading_end",
    "tick": "tick_data",
    "on_order": "on_order_response",
    "on_trade": "on_trade_response",
    "sched": "a run_daily function",
}

# Functions that change the account or the run's settings: outside their phases they raise.
ACTING_FUNCTIONS = frozenset({
    "order", "order_target", "order_value", "order_target_value", "order_market", "order_tick", "cancel_order",
    "cancel_order_ex", "margin_trade", "margincash_open", "margincash_close", "margincash_direct_refund",
    "marginsec_open", "marginsec_close", "marginsec_direct_refund", "buy_open", "sell_close", "sell_open",
    "buy_close", "after_trading_order", "after_trading_cancel_order", "debt_to_stock_order", "ipo_stocks_order",
    "etf_purchase_redemption", "etf_basket_order",
    "set_benchmark", "set_commission", "set_fixed_slippage", "set_slippage", "set_volume_ratio", "set_limit_mode",
    "set_yesterday_position", "convert_position_from_csv", "run_daily", "run_interval", "set_future_commission",
    "set_margin_rate",
})


class PhaseError(RuntimeError):
    """An API function was called in a lifecycle phase where Ptrade does not allow it."""


def phases(*allowed: str, warn_only: tuple[str, ...] = ()):
    """Decorate an API method of a class holding ``self.rt`` (the Runtime) with its allowed phases.

    ``allowed`` is the platform's whitelist for the function.  A call from another phase is served with
    a warning when the function only reads, or the phase is in ``warn_only`` (an acting function the
    engine tolerates there, e.g. orders in ``before_trading_start``); an acting function
    (``ACTING_FUNCTIONS``) raises :class:`PhaseError` naming the function and the phase.  With
    ``strict_phases=True`` every call outside ``allowed`` raises.
    """
    allowed_set = frozenset(allowed)
    warn_set = frozenset(warn_only)

    def deco(fn):
        name = fn.__name__
        acting = name in ACTING_FUNCTIONS

        @functools.wraps(fn)
        def wrapper(self, *args, **kwargs):
            phase = self.rt.phase
            if phase not in allowed_set:
                if (not acting or phase in warn_set) and not self.rt.options.get("strict_phases", False):
                    self.rt.warn_once(
                        f"phase:{name}:{phase}",
                        f"{name} is not on Ptrade's whitelist for {PHASE_NAMES.get(phase, phase)}; "
                        f"served anyway (strict_phases=True makes this an error)",
                    )
                else:
                    raise PhaseError(
                        f"{name} cannot be called in {PHASE_NAMES.get(phase, phase)} "
                        f"(allowed in: {', '.join(PHASE_NAMES[p] for p in allowed if p in PHASE_NAMES)})"
                    )
            return fn(self, *args, **kwargs)

        wrapper.__ptrade_phases__ = allowed_set
        wrapper.__ptrade_acting__ = acting
        return wrapper

    return deco
