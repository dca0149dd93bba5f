"""Strategy parameter overrides: one sweep cell's values applied right after ``initialize`` returns.

``ptrade_fast.run(strategy, ..., params={"fast": 5, "slow": 20})`` (and every cell of
``ptrade_fast.sweep``) overrides the defaults the strategy set in ``initialize``:

* a name the strategy set on ``g`` in ``initialize`` (``g.fast = 10``) gets ``g.fast = 5``;
* a name the strategy declared with ``set_parameters`` (the seed's UI-tunable form
  ``set_parameters(context, fast=10)``) gets its stored value replaced (it shows in the result's
  ``params['settings']['parameters']``), and ``g.<name>`` is set too when ``g`` has it;
* any other name is an error (``ValueError`` naming the parameter and the names the strategy has),
  so a misspelt grid key never runs a whole sweep on the defaults.  A name that starts with ``'__'``
  (private in ``g``, never persisted) is allowed when ``g`` has it, like any other.

The override is applied again after a simulated restart's ``initialize`` (``restart_before``), before
the persisted ``g`` is restored over it, so a restart never brings the defaults back.
"""
from __future__ import annotations

from collections.abc import Mapping


def check_params(params) -> dict:
    """Validate a ``params`` option: a mapping of identifier names to values; returns a plain dict."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of name -> value, was {type(params).__name__}")
    out = {}
    for name, value in params.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"params: {name!r} is not a valid attribute name for g")
        out[name] = value
    return out


def apply_params(bt) -> None:
    """Set ``bt.options['params']`` on ``bt.g`` / the ``set_parameters`` store (see the module docstring).

    Called by the engine right after ``initialize`` returns (first start and simulated restarts).
    """
    params = check_params(bt.options.get("params"))
    if not params:
        return
    g = bt.g
    declared = bt.settings.parameters
    unknown = [n for n in params if n not in g.__dict__ and n not in declared]
    if unknown:
        have = sorted(set(g.__dict__) | set(declared))
        raise ValueError(f"params: {', '.join(repr(n) for n in unknown)} "
                         f"{'is' if len(unknown) == 1 else 'are'} not set by the strategy's initialize "
                         f"({bt.strategy_path}); it sets g/set_parameters names: {', '.join(have) or '(none)'}")
    for name, value in params.items():
        if name in declared:
            declared[name] = value
        if name in g.__dict__:
            setattr(g, name, value)
