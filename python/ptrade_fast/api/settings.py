"""Ptrade settings and scheduling functions (§D.1, §D.2) and the seed's setting objects.

Every official call form works, and so do the seed's (§0.1a item 1):
``set_commission(PerTrade(buy_cost=..., sell_cost=..., unit='perValue', min_cost=...))``,
``set_slippage(FixedSlippage(x))``, ``set_limit_mode(0|1)``, ``set_parameters(context, **kw)``.
"""
from __future__ import annotations

import csv
import datetime as _dt
import os
import re
from numbers import Real

from ..data.codes import normalize_code
from ..model.phases import ALL_PHASES, phases
from ..rules.fees import FeeSettings

_TIME_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
KNOWN_PARAMETERS = {"holiday_not_do_before", "tick_data_no_l2", "receive_other_response",
                    "receive_cancel_response", "not_restart_trade", "server_restart_not_do_before"}


class PerTrade:
    """Seed-style commission object: ``PerTrade(buy_cost=0.0003, sell_cost=0.0013, unit='perValue', min_cost=5)``.

    Differences from Ptrade: the platform has no such class (it is JoinQuant style); ptrade_fast
    accepts it so the seed's examples run.  ``buy_cost`` is the commission rate on both sides and
    ``sell_cost − buy_cost`` is charged on sells in place of the dated stamp duty.
    """

    def __init__(self, buy_cost=0.0003, sell_cost=0.0013, unit="perValue", min_cost=5.0):
        if unit != "perValue":
            raise ValueError(f"PerTrade: only unit='perValue' (a fraction of traded value) is supported, was {unit!r}")
        self.buy_cost = float(buy_cost)
        self.sell_cost = float(sell_cost)
        self.unit = unit
        self.min_cost = float(min_cost)

    def __repr__(self):
        return f"PerTrade(buy_cost={self.buy_cost}, sell_cost={self.sell_cost}, unit={self.unit!r}, min_cost={self.min_cost})"


class FixedSlippage:
    """Seed-style slippage object: ``set_slippage(FixedSlippage(0.02))`` means a fixed 0.02 CNY spread
    (buy fills at price + 0.01, sell at price − 0.01), i.e. ``set_fixed_slippage(0.02)``."""

    def __init__(self, spread=0.0):
        self.spread = float(spread)

    def __repr__(self):
        return f"FixedSlippage({self.spread})"


class StrategySettings:
    """Everything a strategy's settings calls change, plus the run's engine options."""

    def __init__(self, options: dict):
        self.fees = FeeSettings(options.get("cost_model", "ptrade"), options.get("stamp_duty", True))
        self.universe: list[str] = []
        self.benchmark = options.get("benchmark") or "000300.SS"
        self.benchmark_locked = options.get("benchmark") is not None
        # Slippage: exactly one model active (the last call wins, §D.1). Default ratio 0.001 (§F).
        self.slippage_kind = 1
        self.slippage_ratio = float(options.get("slippage", 0.001))
        self.slippage_fixed = 0.0
        self.volume_ratio = 0.25
        self.limit_mode = "LIMIT"
        self.parameters: dict = {}
        self.yesterday_positions: list[dict] = []
        self.daily_tasks: list[tuple] = []  # (func, 'HH:MM', registration order)
        self.interval_tasks: list[tuple] = []

    @property
    def commission(self):
        return self.fees.commission

    def stamp_rate_on(self, day):
        return self.fees.stamp_rate_on(day)

    def as_dict(self) -> dict:
        return {
            "universe": list(self.universe), "benchmark": self.benchmark,
            "commission": {k: list(v) for k, v in self.fees.commission.items()},
            "per_trade_sell_extra": self.fees.per_trade_sell_extra,
            "cost_model": self.fees.cost_model, "stamp_duty": self.fees.stamp_duty,
            "slippage": ({"ratio": self.slippage_ratio} if self.slippage_kind == 1 else
                         {"fixed": self.slippage_fixed} if self.slippage_kind == 2 else None),
            "volume_ratio": self.volume_ratio, "limit_mode": self.limit_mode,
            "parameters": {k: (v if isinstance(v, (int, float, str, bool)) or v is None else repr(v))
                           for k, v in self.parameters.items()},
            "run_daily": [t[1] for t in self.daily_tasks],
        }


def _codes(arg, fn) -> list[str]:
    if isinstance(arg, str):
        arg = [arg]
    try:
        items = list(arg)
    except TypeError:
        raise TypeError(f"{fn}: expected a code or a list of codes, was {arg!r}") from None
    out = []
    for c in items:
        if not isinstance(c, str):
            raise TypeError(f"{fn}: every code must be a string, got {c!r}")
        out.append(normalize_code(c))
    return list(dict.fromkeys(out))


def parse_time(value, fn="run_daily") -> tuple[int, int]:
    m = _TIME_RE.match(value) if isinstance(value, str) else None
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValueError(f"{fn}: time must be 'H:MM' or 'HH:MM', was {value!r}")
    return int(m.group(1)), int(m.group(2))


class SettingsAPI:
    """Ptrade's settings functions, bound to one backtest."""

    def __init__(self, rt, settings: StrategySettings, on_universe_changed, on_yesterday_positions):
        self.rt = rt
        self.s = settings
        self._on_universe_changed = on_universe_changed          # the market view drops its cached entries
        self._on_yesterday_positions = on_yesterday_positions    # base positions materialised if the run started

    @phases(*ALL_PHASES)
    def set_universe(self, security_list):
        """Ptrade ``set_universe``: replace the universe (codes present in ``data`` and the default
        ``security_list`` of ``get_history``).  Does not restrict what can be ordered."""
        self.s.universe = _codes(security_list, "set_universe")
        self.rt.universe = self.s.universe
        self._on_universe_changed()

    @phases("init")
    def set_benchmark(self, sids):
        """Ptrade ``set_benchmark``: the benchmark index/stock/ETF code (default ``'000300.SS'``).

        Differences from Ptrade: a ``benchmark=`` argument given to ``ptrade_fast.run`` overrides it.
        """
        code = _codes(sids, "set_benchmark")
        if len(code) != 1:
            raise ValueError(f"set_benchmark: expected one code, was {sids!r}")
        if not self.s.benchmark_locked:
            self.s.benchmark = code[0]

    @phases("init")
    def set_commission(self, commission_ratio=0.0003, min_commission=5.0, type="STOCK"):
        """Ptrade ``set_commission``: commission rate and minimum per fill for one class
        (``'STOCK'``, ``'ETF'``, ``'LOF'``).  Positional calls work.  A seed ``PerTrade`` object is
        accepted as the first argument (see :class:`PerTrade`)."""
        if isinstance(commission_ratio, PerTrade):
            pt = commission_ratio
            self.s.fees.commission["STOCK"] = (pt.buy_cost, pt.min_cost)
            extra = pt.sell_cost - pt.buy_cost
            if extra < 0:
                self.rt.log.warning(f"set_commission: PerTrade sell_cost {pt.sell_cost} < buy_cost {pt.buy_cost}; "
                                    f"sells are charged buy_cost")
            self.s.fees.per_trade_sell_extra = max(extra, 0.0)
            return None
        if not isinstance(commission_ratio, Real) or not 0 <= float(commission_ratio) < 0.1:
            raise ValueError(f"set_commission: commission_ratio must be a fraction of value in [0, 0.1), was {commission_ratio!r}")
        if not isinstance(min_commission, Real) or float(min_commission) < 0:
            raise ValueError(f"set_commission: min_commission must be ≥ 0 CNY, was {min_commission!r}")
        cls = str(type).upper()
        if cls not in ("STOCK", "ETF", "LOF"):
            raise ValueError(f"set_commission: type must be 'STOCK', 'ETF' or 'LOF', was {type!r}")
        self.s.fees.commission[cls] = (float(commission_ratio), float(min_commission))
        return None

    @phases("init")
    def set_fixed_slippage(self, fixedslippage=0.0):
        """Ptrade ``set_fixed_slippage``: a fixed spread in CNY; buys fill at price + f/2, sells at
        price − f/2.  The last slippage call wins."""
        if not isinstance(fixedslippage, Real) or float(fixedslippage) < 0:
            raise ValueError(f"set_fixed_slippage: fixedslippage must be ≥ 0 CNY, was {fixedslippage!r}")
        self.s.slippage_kind = 2
        self.s.slippage_fixed = float(fixedslippage)

    @phases("init")
    def set_slippage(self, slippage=0.001):
        """Ptrade ``set_slippage``: a ratio; buys fill at price × (1 + s/2), sells at × (1 − s/2).

        A seed ``FixedSlippage(x)`` object is accepted and means ``set_fixed_slippage(x)``.  The last
        slippage call wins.  The argument is a fraction (0.001 = 0.1 %), as in the 2022 edition.
        """
        if isinstance(slippage, FixedSlippage):
            return self.set_fixed_slippage.__wrapped__(self, slippage.spread)
        if not isinstance(slippage, Real) or not 0 <= float(slippage) < 0.2:
            raise ValueError(f"set_slippage: slippage must be a fraction in [0, 0.2), was {slippage!r}")
        self.s.slippage_kind = 1
        self.s.slippage_ratio = float(slippage)

    @phases("init")
    def set_volume_ratio(self, volume_ratio=0.25):
        """Ptrade ``set_volume_ratio``: per-order fill cap as a fraction of the bar's volume."""
        if not isinstance(volume_ratio, Real) or not 0 < float(volume_ratio) <= 1:
            raise ValueError(f"set_volume_ratio: volume_ratio must be in (0, 1], was {volume_ratio!r}")
        self.s.volume_ratio = float(volume_ratio)

    @phases("init")
    def set_limit_mode(self, limit_mode="LIMIT"):
        """Ptrade ``set_limit_mode``: ``'LIMIT'`` (volume cap on) or ``'UNLIMITED'``; the seed's
        ``0``/``1`` map to these."""
        mapping = {"LIMIT": "LIMIT", "UNLIMITED": "UNLIMITED", 0: "LIMIT", 1: "UNLIMITED"}
        key = limit_mode.upper() if isinstance(limit_mode, str) else limit_mode
        if key not in mapping:
            raise ValueError(f"set_limit_mode: limit_mode must be 'LIMIT' or 'UNLIMITED', was {limit_mode!r}")
        self.s.limit_mode = mapping[key]

    @phases("init", "before")
    def set_yesterday_position(self, poslist):
        """Ptrade ``set_yesterday_position``: base positions (底仓) created before the first bar.

        ``poslist`` is a list of ``{'sid', 'amount', 'enable_amount', 'cost_basis'}`` dicts whose
        values may be strings.  Cash is not reduced (base positions are additional to capital).
        """
        if self.rt.restarting:
            self.rt.log.info("set_yesterday_position ignored after a restart: positions carry over")
            return None
        if not isinstance(poslist, (list, tuple)) or not poslist:
            raise ValueError(f"set_yesterday_position: poslist must be a non-empty list of dicts, was {poslist!r}")
        parsed = []
        for i, p in enumerate(poslist):
            try:
                code = normalize_code(str(p["sid"]))
                amount = int(float(p["amount"]))
                enable = int(float(p.get("enable_amount", amount)))
                cost = float(p["cost_basis"])
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"set_yesterday_position: entry {i} {p!r} is invalid ({exc})") from None
            if amount < 0 or not 0 <= enable <= amount or cost < 0:
                raise ValueError(f"set_yesterday_position: entry {i} for {code} needs 0 ≤ enable_amount ≤ amount and cost_basis ≥ 0")
            parsed.append((code, amount, enable, cost))
        self.s.yesterday_positions.extend(parsed)
        self._on_yesterday_positions()

    @phases(*ALL_PHASES)
    def set_parameters(self, *args, **kwargs):
        """Ptrade ``set_parameters(**kwargs)``: store engine switches (values as strings).

        The seed's ``set_parameters(context, name=value, ...)`` form is accepted too; unknown keys are
        stored (readable in the result's parameters) and logged once.
        """
        if len(args) > 1 or (args and not hasattr(args[0], "portfolio")):
            raise TypeError("set_parameters takes keyword arguments only (optionally after context)")
        for k, v in kwargs.items():
            if k not in KNOWN_PARAMETERS:
                self.rt.warn_once(f"param:{k}", f"set_parameters: {k!r} is not a Ptrade engine switch; stored as a strategy parameter")
            self.s.parameters[k] = v

    @phases("init", "before")
    def convert_position_from_csv(self, path):
        """Ptrade ``convert_position_from_csv``: read ``sid,enable_amount,amount,cost_basis`` rows into
        the list of string dicts ``set_yesterday_position`` takes.  Relative paths are under the
        research directory (``get_research_path()``)."""
        if not isinstance(path, str) or len(path) > 256 or any(ch in path for ch in ":?,@#$&();\\\"'<>`~!%^*"):
            raise ValueError(f"convert_position_from_csv: invalid path {path!r}")
        full = path if os.path.isabs(path) else os.path.join(self.rt.research_path(), path)
        with open(full, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
        need = {"sid", "enable_amount", "amount", "cost_basis"}
        if rows and not need <= set(rows[0]):
            raise ValueError(f"convert_position_from_csv: {full} needs the header sid,enable_amount,amount,cost_basis")
        return [{k: r[k] for k in ("sid", "enable_amount", "amount", "cost_basis")} for r in rows]

    # -- scheduling ------------------------------------------------------------------------------
    @phases("init")
    def run_daily(self, context, func, time="9:31"):
        """Ptrade ``run_daily``: run ``func(context)`` once a trading day at ``time``.

        Daily runs: every registered function runs at 15:00 before ``handle_data``.  Minute runs: at
        the bar ending at ``time`` (``'13:00'`` fires with the 13:01 bar), before ``handle_data``.

        Differences from Ptrade: the platform's backtest refuses times outside 09:31–11:30 /
        13:00–15:00; ptrade_fast runs a pre-open time (e.g. the seed's ``'09:25'``) before the first
        bar and a post-close time (e.g. ``'15:10'``) after the last bar, at that clock time, and logs
        this once.
        """
        if not callable(func):
            raise TypeError(f"run_daily: func must be callable, was {func!r}")
        h, m = parse_time(time)
        self.s.daily_tasks.append((func, f"{h:02d}:{m:02d}", len(self.s.daily_tasks)))

    @phases("init")
    def run_interval(self, context, func, seconds=10):
        """Ptrade ``run_interval`` (live only): accepted so ``initialize`` runs, never called in a
        backtest (§D.2); logged once.

        Differences from Ptrade: with the run option ``snapshot='bars'`` (an extension, docs/engine.md)
        ``func`` runs on the minute bars every ``seconds`` rounded up to whole minutes."""
        if not callable(func):
            raise TypeError(f"run_interval: func must be callable, was {func!r}")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
            raise ValueError(f"run_interval: seconds must be a positive number, was {seconds!r}")
        self.s.interval_tasks.append((func, seconds))
        if getattr(self.rt, "tick_mode", False):
            pass                                   # a tick replay runs it at its period (engine/tick_clock.py)
        elif self.rt.options.get("snapshot") == "bars":
            self.rt.warn_once("run_interval", f"run_interval({getattr(func, '__name__', func)}, seconds={seconds}) "
                              f"runs on the minute bars (snapshot='bars', an extension)")
        else:
            self.rt.warn_once("run_interval", f"run_interval({getattr(func, '__name__', func)}, seconds={seconds}) "
                              f"is live-only: inactive in this backtest (snapshot='bars' runs it on bars)")


def session_time_for(hhmm: str, frequency: str) -> tuple[str, _dt.time]:
    """Where a run_daily time lands: ('pre', t), ('bar', bar-end t) or ('post', t)."""
    h, m = map(int, hhmm.split(":"))
    t = _dt.time(h, m)
    if frequency == "1d":
        return "bar", _dt.time(15, 0)
    if _dt.time(9, 31) <= t <= _dt.time(11, 30):
        return "bar", t
    if _dt.time(13, 0) <= t <= _dt.time(15, 0):
        return "bar", _dt.time(13, 1) if t == _dt.time(13, 0) else t
    if t < _dt.time(9, 31):
        return "pre", t
    if _dt.time(11, 30) < t < _dt.time(13, 0):
        return "bar", _dt.time(13, 1)
    return "post", t
