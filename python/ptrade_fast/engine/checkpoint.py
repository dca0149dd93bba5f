"""Checkpoints: the whole state of a run at a day boundary, so an interrupted run can continue.

``run(..., checkpoint_every=N, checkpoint_dir=D)`` writes ``D/checkpoint.pkl`` after every N-th finished
trading day (atomically: a temporary file renamed into place, so a kill leaves the previous checkpoint
intact).  ``ptrade_fast.resume(D)`` rebuilds the run from the same arguments, restores the state and runs the
remaining days; its results equal an uninterrupted run's byte for byte.

What is saved: the kernels' arrays (ledger, order book rows, futures legs, margin debts), the account's
order metadata and trade list, the daily records, the strategy's settings (``run_daily`` functions by
reference), ``g``, ``context``'s own attributes, the strategy module's data globals, the log, the
dividend-tax lots and the ``g`` persistence snapshot.  Objects defined in the strategy file (functions,
classes and their instances) are pickled by reference to the strategy module and re-bound on resume; the
injected Ptrade functions are saved by name.  A ``g`` holding something that cannot be pickled (an open
file, a generator) makes the checkpoint fail with a message naming it.

The market view, fee tables and API caches are not saved: they are rebuilt from the data for the next day.
A checkpoint is refused on resume when the strategy file, the data root or the run arguments changed.
"""
from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
import types

import numpy as np

from .. import errors as E

FORMAT = 1
FILE = "checkpoint.pkl"

_LEDGER = ("amount", "enable_amount", "today_buy", "today_sell", "cost_total", "last_price", "realised_pnl",
           "short_amount", "short_enable_amount", "short_cost_total", "margin", "t0", "acct")
_FUTURES = ("long_amount", "long_today", "short_amount", "short_today", "long_basis_total", "short_basis_total",
            "long_today_basis", "short_today_basis", "long_margin", "short_margin", "long_realised",
            "short_realised", "multiplier", "margin_rate", "settle_price", "last_price")
_MARGIN = ("fin_debt", "fin_amount", "slo_amount", "slo_basis", "slo_proceeds", "slo_realised", "haircut",
           "fin_eligible", "slo_eligible", "last_price")
_MARGIN_SCALARS = ("fin_interest", "slo_fee", "fin_rate", "slo_rate", "fin_ratio", "slo_ratio", "fin_quota",
                   "slo_quota")
_ACCOUNT = ("order_ids", "order_dt", "order_ref", "id_to_row", "order_notes", "day_first_row", "trades",
            "day_first_trade",
            "_trade_seq", "_fut_traded_today", "starting_value", "start_date", "margin_enabled",
            "repo_state", "ipo_state")
_CONTEXT_BASE = {"_rt", "portfolio", "capital_base", "sim_params", "slippage", "commission", "blotter"}
_STRATEGY_MODULE = "__strategy__"


# -- pickling with the strategy's namespace -----------------------------------------------------------

class _Pickler(pickle.Pickler):
    def __init__(self, file, injected: dict):
        super().__init__(file, protocol=4)
        self._names = {id(v): k for k, v in injected.items()}

    def persistent_id(self, obj):
        name = self._names.get(id(obj))
        return ("injected", name) if name is not None else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, injected: dict):
        super().__init__(file)
        self._injected = injected

    def persistent_load(self, pid):
        kind, name = pid
        if kind != "injected" or name not in self._injected:
            raise pickle.UnpicklingError(f"checkpoint refers to an unknown injected name {name!r}")
        return self._injected[name]


class _StrategyModule:
    """While (un)pickling, the strategy's namespace is importable as ``__strategy__`` so that functions and
    classes defined in the strategy file are saved by reference."""

    def __init__(self, ns: dict):
        self.ns = ns

    def __enter__(self):
        self._old = sys.modules.get(_STRATEGY_MODULE)
        sys.modules[_STRATEGY_MODULE] = _NamespaceModule(self.ns)
        return self

    def __exit__(self, *exc):
        if self._old is None:
            sys.modules.pop(_STRATEGY_MODULE, None)
        else:
            sys.modules[_STRATEGY_MODULE] = self._old
        return False


class _NamespaceModule(types.ModuleType):
    def __init__(self, ns):
        super().__init__(_STRATEGY_MODULE)
        self.__dict__.update(ns)


def _data_globals(ns: dict, injected: dict) -> dict:
    """The strategy module's own data (counters, lists …): not functions, classes, modules or injected names."""
    out = {}
    for k, v in ns.items():
        if k.startswith("__") or (k in injected and injected[k] is v):
            continue
        if isinstance(v, (types.FunctionType, types.ModuleType, type, types.BuiltinFunctionType)):
            continue
        out[k] = v
    return out


# -- saving and restoring ----------------------------------------------------------------------------

def fingerprint(bt) -> dict:
    src = bt.strategy_path
    digest = None
    if src and os.path.isfile(src):
        with open(src, "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
    return {"strategy_sha256": digest, "data_root": str(bt.store.root), "days": [str(bt.days[0]), str(bt.days[-1])],
            "frequency": bt.rt.frequency, "capital_base": bt.capital_base}


def capture(bt, next_day: int) -> dict:
    acct, rt = bt.account, bt.rt
    state = {
        "format": FORMAT, "fingerprint": fingerprint(bt), "next_day": next_day,
        "ledger": {n: np.array(getattr(acct.ledger, n)) for n in _LEDGER},
        "futures": {n: np.array(getattr(acct.futures, n)) for n in _FUTURES},
        "margin": {n: np.array(getattr(acct.margin, n)) for n in _MARGIN},
        "margin_scalars": {n: getattr(acct.margin, n) for n in _MARGIN_SCALARS},
        "book": acct.book.get_state(),
        "account": {n: getattr(acct, n) for n in _ACCOUNT},
        "records": dict(vars(bt.records)),
        "router": {"trade_tax": bt.router.trade_tax, "_pushed": bt.router._pushed,
                   "_push_from": bt.router._push_from},
        "rt": {"bar_seq": rt.bar_seq, "_warned": rt._warned, "universe": rt.universe,
               "margin_rates": rt.options.get("margin_rates")},
        "settings": dict(vars(bt.settings)),
        "futures_settings": dict(vars(bt.futures_settings)),
        "g": dict(vars(bt.g)),
        "context": {k: v for k, v in vars(bt.context).items() if k not in _CONTEXT_BASE},
        "globals": _data_globals(bt.ns, bt.injected),
        "log": list(bt.log.records),
        "divtax": bt._divtax,
        "persistence": bt.persistence.snapshot,
        "base_done": bt._base_done,
        "liquidate": bt._liquidate,
        # Conversions and redemptions waiting for the next open (api/convertible.py, api/etf.py).
        "deliveries": {"convertible": (list(bt.apis.convertible.pending), bt.apis.convertible._n),
                       "etf": (list(bt.apis.etf.pending), bt.apis.etf._n)},
    }
    return state


def write(bt, next_day: int, folder) -> str:
    """Write the checkpoint of a run whose days ``[0, next_day)`` are finished; returns its path."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, FILE)
    buf = io.BytesIO()
    with _StrategyModule(bt.ns):
        try:
            _Pickler(buf, bt.injected).dump(capture(bt, next_day))
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            raise E.PtradeFastError(f"cannot write a checkpoint after {bt.days[next_day - 1]}: part of the run's "
                                    f"state cannot be pickled ({exc}); keep only picklable values in g and context")
    # Header readable without the strategy (the run's arguments), then the state pickled against its namespace.
    payload = pickle.dumps({"format": FORMAT, "run_args": bt.run_args, "next_day": next_day,
                            "day": str(bt.days[next_day - 1]), "state": buf.getvalue()}, protocol=4)
    tmp = path + f".tmp{os.getpid()}"
    with open(tmp, "wb") as fh:
        fh.write(payload)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def read(folder) -> dict:
    """The checkpoint header of ``folder``: ``run_args``, ``next_day``, ``day`` and the pickled ``state``
    (unpickled later by :func:`load`, against the resumed run's namespace)."""
    path = os.path.join(folder, FILE) if os.path.isdir(folder) else str(folder)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no checkpoint to resume from: {path} does not exist "
                                f"(run with checkpoint_every=N / --checkpoint-every N to write one)")
    try:
        with open(path, "rb") as fh:
            header = pickle.load(fh)
    except Exception as exc:
        raise E.PtradeFastError(f"checkpoint {path} is unreadable ({type(exc).__name__}: {exc})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise E.PtradeFastError(f"checkpoint {path} is not a format-{FORMAT} ptrade_fast checkpoint")
    header["path"] = path
    return header


def load(bt, raw: dict) -> dict:
    with _StrategyModule(bt.ns):
        try:
            state = _Unpickler(io.BytesIO(raw["state"]), bt.injected).load()
        except Exception as exc:
            raise E.PtradeFastError(f"checkpoint {raw['path']} cannot be read ({type(exc).__name__}: {exc})") from None
    if state.get("format") != FORMAT:
        raise E.PtradeFastError(f"checkpoint {raw['path']} has format {state.get('format')!r}; this version reads "
                                f"format {FORMAT}")
    mine, theirs = fingerprint(bt), state["fingerprint"]
    changed = [k for k in mine if mine[k] != theirs.get(k)]
    if changed:
        raise E.PtradeFastError(f"checkpoint {raw['path']} belongs to another run: {', '.join(changed)} changed "
                                f"({', '.join(f'{k}: {theirs.get(k)!r} -> {mine[k]!r}' for k in changed)})")
    return state


def restore(bt, state: dict) -> int:
    """Put ``state`` into a freshly built Backtest (``initialize`` not run); returns the next day's index."""
    acct, rt = bt.account, bt.rt
    for group, kernel in (("ledger", acct.ledger), ("futures", acct.futures), ("margin", acct.margin)):
        for n, values in state[group].items():
            getattr(kernel, n)[...] = values
    for n, v in state["margin_scalars"].items():
        setattr(acct.margin, n, v)
    acct.book.set_state(state["book"])
    for n, v in state["account"].items():
        setattr(acct, n, v)
    vars(bt.records).update(state["records"])
    bt.router.trade_tax.update(state["router"]["trade_tax"])
    bt.router._pushed.update(state["router"]["_pushed"])
    bt.router._push_from = state["router"]["_push_from"]
    rt.bar_seq = state["rt"]["bar_seq"]
    rt._warned = state["rt"]["_warned"]
    rt.universe = state["rt"]["universe"]
    if state["rt"]["margin_rates"] is not None:
        rt.options["margin_rates"] = state["rt"]["margin_rates"]
    vars(bt.settings).update(state["settings"])
    vars(bt.futures_settings).update(state["futures_settings"])
    vars(bt.g).clear()
    vars(bt.g).update(state["g"])
    vars(bt.context).update(state["context"])
    bt.ns.update(state["globals"])
    bt.log.records[:] = state["log"]
    if state["divtax"] is not None:
        bt._divtax.__dict__.update(vars(state["divtax"]))
    bt.persistence.snapshot = state["persistence"]
    bt._base_done = state["base_done"]
    bt._liquidate = state["liquidate"]
    for name, (pending, n) in state.get("deliveries", {}).items():
        part = getattr(bt.apis, name)
        part.pending, part._n = list(pending), n
    bt.market.universe_changed()
    acct.touch()
    return state["next_day"]
