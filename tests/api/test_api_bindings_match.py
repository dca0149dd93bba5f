"""Every name in the Ptrade function list exists in a strategy's globals with the official signature."""
from __future__ import annotations

import ast
import inspect
import json
from importlib import resources

import pytest

from ptrade_fast.engine.runner import Backtest
from ptrade_fast.api.utility import NotAvailableError
from ptrade_fast.errors import LiveOnlyError

SPEC = json.loads(resources.files("ptrade_fast.api").joinpath("ptrade-api.json").read_text(encoding="utf-8"))
FUNCTIONS = [f for f in SPEC if f["category"] != "lifecycle" and f["name"] not in ("g", "log")]

# Superset forms (spec §0.1a): the official parameters come first, then optional extras, or the
# function takes *args/**kwargs to accept both the official and the seed's signature.
VARIADIC_OK = {"send_email", "send_qywx", "set_parameters"}

SRC = """
def initialize(context):
    pass
def handle_data(context, data):
    pass
"""


@pytest.fixture(scope="module")
def namespace():
    return Backtest(SRC, start="2019-01-02", end="2019-01-04").ns


def official_params(sig: str, name: str):
    tree = ast.parse(f"def {name}{sig[len(name):]}: pass")
    args = tree.body[0].args
    names = [a.arg for a in args.args]
    defaults = [ast.literal_eval(d) for d in args.defaults]
    defaults = [inspect.Parameter.empty] * (len(names) - len(defaults)) + defaults
    return list(zip(names, defaults)), args.kwarg is not None


def test_the_spec_list_is_complete():
    assert len(SPEC) >= 150
    assert {"order", "get_history", "run_daily", "set_commission", "get_trades"} <= {f["name"] for f in SPEC}


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda f: f["name"])
def test_every_ptrade_function_exists_with_its_signature(namespace, spec):
    name = spec["name"]
    assert name in namespace, f"{name} is not injected into the strategy's globals"
    fn = namespace[name]
    assert callable(fn)
    params, has_kwargs = official_params(spec["signature"], name)
    stub = getattr(fn, "__ptrade_stub__", None)
    if stub:
        required = [p for p, d in params if d is inspect.Parameter.empty]
        with pytest.raises(LiveOnlyError if stub == "live_only" else NotAvailableError, match=name):
            fn(*[None] * len(required))
        assert spec["live_only"] == (stub == "live_only")
    sig = inspect.signature(fn)
    ours = list(sig.parameters.values())
    if name in VARIADIC_OK:
        assert any(p.kind == p.VAR_KEYWORD for p in ours), f"{name} must accept the official keywords"
        return
    positional = [p for p in ours if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    assert len(positional) >= len(params), f"{name}{sig} lacks official parameters {params}"
    for (pname, default), p in zip(params, positional):
        assert p.name == pname, f"{name}: parameter {p.name!r} should be {pname!r} ({spec['signature']})"
        if default is not inspect.Parameter.empty:
            assert p.default == default, f"{name}: default of {pname} is {p.default!r}, spec says {default!r}"
    for extra in positional[len(params):]:
        assert extra.default is not inspect.Parameter.empty, f"{name}: extra parameter {extra.name} must be optional"
    if has_kwargs:
        assert any(p.kind == p.VAR_KEYWORD for p in ours)
