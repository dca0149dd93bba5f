"""Lifecycle phases and the door check every Ptrade API function makes.

Phase names follow the spec's abbreviations (ptrade-api.md §D): ``init``, ``before``, ``handle``,
``after``, ``tick``, ``on_order``, ``on_trade``, ``sched``.  A function registered with
``run_daily`` runs in phase ``sched``.
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


class PhaseError(RuntimeError):
    """An API function was called in a lifecycle phase where Ptrade does not allow it."""


def phases(*allowed: str, warn_only: tuple[str, ...] = ()):
    """Decorate an API method of a class holding ``self.rt`` (the Runtime) with its allowed phases.

    Calls from a phase in ``warn_only`` log a warning and are served (unless the run was started
    with ``strict_phases=True``); calls from any other phase raise :class:`PhaseError` naming the
    function and the phase.
    """
    allowed_set = frozenset(allowed)
    warn_set = frozenset(warn_only)

    def deco(fn):
        name = fn.__name__

        @functools.wraps(fn)
        def wrapper(self, *args, **kwargs):
            phase = self.rt.phase
            if phase not in allowed_set:
                if phase in warn_set and not self.rt.options.get("strict_phases", False):
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
        return wrapper

    return deco
