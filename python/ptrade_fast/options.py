"""Run options: every engine switch of :func:`ptrade_fast.run`, typed and documented in one place.

``run(strategy, ..., cost_model='market')`` and ``run(strategy, ..., options=RunOptions(cost_model='market'))``
are the same run.  A misspelt option is a :class:`TypeError` naming the closest valid one, never ignored.
Only the options a caller sets explicitly reach the engine (and the results' ``params.options``), so a
default run records no options.
"""
from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence, TextIO, Union

_CHOICES = {
    "cost_model": ("ptrade", "market"),
    "limit_touch": ("close", "high_low"),
    "history_format": ("long", "panel"),
    "compat": (None, "py35", "py311"),
    "dividend_tax": ("none", "holding_period"),
    "log_level": ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "debug", "info", "warning", "error",
                  "critical"),
    "trading_day_by_date_format": (None, "date", "str"),
    "data_checks": ("error", "warn", "off"),
    "snapshot": (None, "bars"),
    "business_type": (None, "stock", "rzrq", "future"),
}


# Names users pass to run() that are the strategy's own settings on Ptrade: the error points there.
_STRATEGY_SETTINGS = {
    "commission": "set_commission(...) in the strategy's initialize",
    "min_commission": "set_commission(..., min_commission=...) in the strategy's initialize",
    "volume_ratio": "set_volume_ratio(...) in the strategy's initialize",
    "limit_mode": "set_limit_mode(...) in the strategy's initialize",
    "fixed_slippage": "set_fixed_slippage(...) in the strategy's initialize",
}


@dataclass
class RunOptions:
    """Engine options of one backtest (docs/engine.md explains each rule).

    Costs and matching
        ``cost_model`` — ``'ptrade'`` (the platform's: commission with minimum + handling fee + stamp duty)
        or ``'market'`` (every dated exchange fee); ``stamp_duty`` — charge stamp duty on stock sells;
        ``slippage`` — default slippage ratio before the strategy calls ``set_slippage`` (0.001);
        ``block_limit_locked`` — a bar sealed at the limit fills no order against it; ``shared_volume_cap`` —
        orders of one security share one bar's volume cap; ``limit_touch`` — whether a limit order fills at the
        bar's close only (``'close'``) or when the bar's high/low reaches it (``'high_low'``).
    Shapes and phases
        ``history_format`` — ``'long'`` (Python 3.11 edition) or ``'panel'``; ``compat='py35'`` selects the
        2022 edition's shapes; ``strict_phases`` — a read-only call outside Ptrade's phase whitelist is an
        error instead of a warning; ``lenient_price_precision`` — accept limit prices off the tick;
        ``order_callbacks`` — call ``on_order_response``/``on_trade_response`` after each bar's matching (an
        extension, off by default: the platform calls them only live);
        ``exrights_full_history`` — ``get_stock_exrights`` shows events after the simulated date;
        ``trading_day_by_date_format`` — ``'str'`` makes ``get_trading_day_by_date`` return 'YYYYmmdd'.
    Live-style strategies
        ``snapshot='bars'`` — ``get_snapshot`` / ``get_gear_price`` answer from the current bar and
        ``run_interval`` fires on minute bars at its period rounded up to a minute (docs/engine.md).
        A tick replay is not an option but a frequency: ``run(..., frequency='tick')`` (CLI ``-f tick``)
        replays the data root's snapshots (``tick_data`` every 3 s, ``run_interval`` at its period,
        ``get_snapshot`` / ``get_gear_price`` / ``get_individual_*`` from the store; docs/engine.md);
        ``tick_participation`` — in a tick run, the share of a displayed level or of a traded volume the
        strategy's orders may take (default 1.0: the queue model already puts them behind every displayed
        order; lower models hidden competition).
    Accounts and taxes
        ``margin_account`` — simulate a 融资融券 credit account (True, or a dict of credit terms);
        ``business_type`` — what ``get_business_type`` answers ('stock', 'rzrq', 'future'; a margin account
        answers 'rzrq');
        ``dividend_tax`` — ``'holding_period'`` applies 差别化红利税; ``dividend_tax_rate`` — a flat rate on
        cash dividends instead.
        ``ipo_holdings_value`` — market value (CNY) of A shares the account holds outside the backtest, counted
        into every day's IPO subscription quota: a number for both exchanges or ``{'SSE': x, 'SZSE': y}``
        (extension; docs/engine.md, "IPO subscription").
    Persistence and the sandbox
        ``persistence`` — pickle ``g`` at the platform's save points; ``restart_before`` — simulate a server
        restart before these days; ``sandbox`` — refuse imports the platform refuses (a portability aid,
        docs/isolation.md); ``research_path`` — the research folder (default ``./research``).
    Output and determinism
        ``log_level``, ``log_echo`` (a stream the log is also written to), ``seed`` (order ids),
        ``stamp_time`` (record the wall-clock time in the results; off keeps results byte-identical),
        ``window_days`` (daily arrays loaded this many days at a time instead of a calendar year),
        ``user_name`` / ``trade_name`` (what ``get_user_name`` / ``get_trade_name`` return).
    Data
        ``data_checks`` — what a failed check of a data file does when the file is first read (``'error'``
        stops the run naming file, row, code and check; ``'warn'`` logs it; ``'off'``); see data/checks.py.
    Isolation (docs/isolation.md)
        ``isolate`` — run the whole backtest in an OS-confined child process (Linux: Landlock, seccomp, rlimits);
        ``isolate_cpu_seconds`` / ``isolate_memory_mb`` / ``isolate_file_mb`` — its limits.
    Interruptions
        ``callback_timeout`` — stop a strategy callback that runs longer than this many seconds (wall time);
        ``checkpoint_every`` / ``checkpoint_dir`` — write a checkpoint every N finished trading days into the
        folder, from which :func:`ptrade_fast.resume` continues the run (docs/engine.md, "Interruptions").
    """

    cost_model: str = "ptrade"
    stamp_duty: bool = True
    slippage: float = 0.001
    block_limit_locked: bool = True
    shared_volume_cap: bool = False
    limit_touch: str = "close"
    history_format: str = "long"
    compat: Optional[str] = None
    strict_phases: bool = False
    lenient_price_precision: bool = False
    order_callbacks: bool = False
    exrights_full_history: bool = False
    trading_day_by_date_format: Optional[str] = None
    margin_account: Union[bool, dict] = False
    business_type: Optional[str] = None
    snapshot: Optional[str] = None
    tick_participation: float = 1.0
    dividend_tax: str = "none"
    dividend_tax_rate: float = 0.0
    ipo_holdings_value: Union[float, dict] = 0.0
    persistence: bool = False
    restart_before: Sequence[Any] = ()
    sandbox: bool = True
    research_path: Optional[str] = None
    log_level: str = "DEBUG"
    log_echo: Optional[TextIO] = None
    seed: int = 0
    stamp_time: bool = False
    window_days: Optional[int] = None
    data_checks: str = "error"
    callback_timeout: Optional[float] = None
    checkpoint_every: Optional[int] = None
    checkpoint_dir: Optional[str] = None
    isolate: bool = False
    isolate_cpu_seconds: Optional[int] = None
    isolate_memory_mb: Optional[int] = None
    isolate_file_mb: Optional[int] = None
    user_name: str = "backtest"
    trade_name: str = "ptrade_fast backtest"
    _explicit: frozenset = field(default=frozenset(), repr=False, compare=False)

    def __post_init__(self):
        for name, allowed in _CHOICES.items():
            value = getattr(self, name)
            if value not in allowed:
                shown = ", ".join(repr(a) for a in allowed if name != "log_level" or str(a).isupper())
                raise ValueError(f"option {name} must be one of {shown}, was {value!r}")
        for name in ("stamp_duty", "block_limit_locked", "shared_volume_cap", "strict_phases",
                     "lenient_price_precision", "order_callbacks", "exrights_full_history", "persistence",
                     "sandbox", "stamp_time", "isolate"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"option {name} must be True or False, was {getattr(self, name)!r}")
        if not isinstance(self.margin_account, (bool, dict)):
            raise TypeError(f"option margin_account must be True/False or a dict of credit terms, "
                            f"was {self.margin_account!r}")
        v = self.tick_participation
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= 1:
            raise ValueError(f"option tick_participation must be a number in (0, 1], was {v!r}")
        for name in ("slippage", "dividend_tax_rate"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < 1:
                raise ValueError(f"option {name} must be a number in [0, 1), was {v!r}")
        _check_holdings_value(self.ipo_holdings_value)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise TypeError(f"option seed must be an int, was {self.seed!r}")
        if self.callback_timeout is not None and (isinstance(self.callback_timeout, bool) or not isinstance(
                self.callback_timeout, (int, float)) or not self.callback_timeout > 0):
            raise ValueError(f"option callback_timeout must be a positive number of seconds, was {self.callback_timeout!r}")
        if self.checkpoint_every is not None and (isinstance(self.checkpoint_every, bool) or not isinstance(
                self.checkpoint_every, int) or self.checkpoint_every < 1):
            raise ValueError(f"option checkpoint_every must be a positive number of days, was {self.checkpoint_every!r}")
        if self.window_days is not None and (isinstance(self.window_days, bool) or not isinstance(self.window_days, int)
                                             or self.window_days < 1):
            raise ValueError(f"option window_days must be a positive int, was {self.window_days!r}")

    # -- construction ----------------------------------------------------------------------------
    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")]

    @classmethod
    def from_kwargs(cls, base: "RunOptions | None" = None, **kwargs) -> "RunOptions":
        """Options from keyword arguments (over ``base``); an unknown name is a TypeError naming the closest."""
        valid = cls.names()
        for name in kwargs:
            if name not in valid:
                close = difflib.get_close_matches(name, valid + list(_STRATEGY_SETTINGS), n=1, cutoff=0.6)
                if close and close[0] in _STRATEGY_SETTINGS:
                    hint = f"; {close[0]} is a strategy setting: use {_STRATEGY_SETTINGS[close[0]]}"
                else:
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                raise TypeError(f"run() got an unknown option {name!r}{hint} "
                                f"(valid options: {', '.join(valid)})")
        explicit = set(base._explicit) if base is not None else set()
        values = {}
        if base is not None:
            values = {n: getattr(base, n) for n in valid}
        values.update(kwargs)
        explicit |= set(kwargs)
        return cls(**values, _explicit=frozenset(explicit))

    def engine_dict(self) -> dict[str, Any]:
        """The options the caller set (by keyword, or differing from the default in a RunOptions object),
        as the engine reads them."""
        defaults = RunOptions()
        out = {}
        for n in self.names():
            v = getattr(self, n)
            if n in self._explicit or v != getattr(defaults, n):
                out[n] = v
        return out


def _check_holdings_value(value) -> None:
    """``ipo_holdings_value``: a non-negative number, or a dict with only the keys 'SSE' and 'SZSE'."""
    items = value.items() if isinstance(value, dict) else [("", value)]
    for key, v in items:
        if isinstance(value, dict) and key not in ("SSE", "SZSE"):
            raise ValueError(f"option ipo_holdings_value: unknown exchange {key!r} (use 'SSE' and 'SZSE')")
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not v >= 0 or v != v or v == float("inf"):
            raise ValueError(f"option ipo_holdings_value must be a non-negative number of CNY or a dict "
                             f"{{'SSE': x, 'SZSE': y}}, was {value!r}")
