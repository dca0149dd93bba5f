"""The backtest loop: drives a strategy through the trading calendar exactly as Ptrade's backtest does.

Per trading day (§A.2): start-of-day settlement (T+1 roll, fee table for the day, corporate actions, base
positions), 08:30 ``before_trading_start``, then either one 15:00 step (daily) or 240 minute steps (09:31 …
11:30, 13:01 … 15:00).  At each step the ``run_daily`` functions due at that time run first, then
``handle_data``, then every open order is matched against the bar by one kernel call (§H.1).  Then 15:30
``after_trading_end``, the end-of-day sweep cancels what is still open, futures settle and the day is recorded.

The loop only sequences; each job belongs to one part (docs/architecture.md):

``clock``            trading days, bar times, the run_daily schedule          (engine/clock.py)
``market``           today's rows, prices, limits, listing, ``data[code]``    (engine/market_view.py)
``actions``          ex-rights events of the day                              (engine/corporate_actions.py)
``router``           matching, fills, rejection logs, order pushes            (engine/order_router.py)
``account``          the kernels and the Ptrade object views                  (engine/account.py)
``persistence``      ``g`` save points and simulated restarts                 (engine/persistence.py)
``records``          the daily portfolio and position rows of the results     (engine/records.py)
``caller``           phases and strategy errors                               (engine/callbacks.py)

Engine decisions kept fixed (documented in docs/engine.md): run_daily functions run before
``handle_data`` in the same step, in registration order; positions are marked to the bar's close before
its callbacks and again after fills.
"""
from __future__ import annotations

import datetime as _dt
import math
import time as _time

import numpy as np

from .. import errors as E
from ..api.futures import FuturesSettings, fill_futures_tables
from ..api.settings import StrategySettings
from ..data.store import DataStore
from ..model import Context, GlobalVars, Portfolio
from ..model.units import SCALE
from .account import Account
from .callbacks import CALLBACK_NAMES, StrategyCaller
from .clock import (AFTER_CLOSE, BAR_TIMES, BEFORE_OPEN, DAILY_BAR_TIME, INITIALIZE_TIME, as_date, day_schedule,
                    trading_days)
from . import checkpoint as _checkpoint
from .corporate_actions import CorporateActions
from .futures_settlement import force_close, settle_futures
from .interrupts import CallbackTimer, InterruptGuard
from .intervals import BarIntervals
from .loader import load_strategy
from .logs import StrategyLog
from .market_view import MarketView, to_kernel_prices
from .tick_api import TickAPI
from .tick_market import TickMarketView
from .tick_replay import TickReplay, split_auction_tasks, tick_trading_days
from .order_router import OrderRouter
from .params import apply_params
from .persistence import GPersistence
from .records import DailyRecords
from .runtime import Runtime
from .wiring import build_apis, strategy_globals

_raw = to_kernel_prices


class Backtest:
    """One backtest run.  Construct, then :meth:`run`; the result is returned and kept as ``.result``."""

    def __init__(self, strategy, start=None, end=None, frequency="1d", capital_base=1_000_000.0,
                 universe=None, benchmark=None, data=None, options=None, progress=None):
        if frequency in ("daily", "day"):
            frequency = "1d"
        if frequency in ("minute", "min"):
            frequency = "1m"
        tick = frequency == "tick"      # tick replay (engine/tick_replay.py): minute semantics, 3-second steps
        if frequency not in ("1d", "1m", "tick"):
            raise ValueError(f"frequency must be '1d', '1m' or 'tick', was {frequency!r}")
        if not isinstance(capital_base, (int, float)) or not math.isfinite(capital_base) or capital_base <= 0:
            raise ValueError(f"capital_base must be a positive number of CNY, was {capital_base!r}")
        opts = dict(options or {})
        if opts.get("compat") == "py35":
            # §0.1a item 3: the 2022 edition's Panel shapes for multi-code history (a Panel-like object).
            opts.setdefault("history_format", "panel")
        elif opts.get("compat") not in (None, "py311"):
            raise ValueError(f"compat must be 'py35' or 'py311', was {opts.get('compat')!r}")
        if benchmark is not None:
            opts["benchmark"] = benchmark
        mode = opts.get("dividend_tax", "none")
        if mode not in ("none", "holding_period"):
            raise ValueError(f"dividend_tax must be 'none' or 'holding_period', was {mode!r}")
        if mode == "holding_period" and opts.get("dividend_tax_rate"):
            raise ValueError("use either dividend_tax='holding_period' or a flat dividend_tax_rate, not both")
        self.options = opts
        self.progress = progress
        self.store = store = DataStore.open(data, opts.get("data_checks", "error"))
        # What a resumed run is rebuilt from (engine/checkpoint.py): plain values only.
        self.run_args = {"strategy": strategy if isinstance(strategy, str) else None, "start": start, "end": end,
                         "frequency": frequency, "capital_base": capital_base, "universe": universe,
                         "benchmark": benchmark, "data": str(store.root),
                         "options": {k: v for k, v in opts.items() if k not in ("log_echo", "benchmark")}}
        self.rt = rt = Runtime(store, "1m" if tick else frequency, opts)
        self.log = StrategyLog(lambda: rt.now, opts.get("log_level", "DEBUG"), opts.get("log_echo"))
        rt.log = self.log
        store.warn = self.log.warning
        self.capital_base = float(capital_base)
        self.days = tick_trading_days(store, start, end) if tick else trading_days(store, start, end, frequency)

        # The parts, in the order a bar flows through them: market rows → book → ledger → views.
        self.settings = StrategySettings(opts)
        self.account = Account(rt, store, self.capital_base, int(opts.get("seed", 0)))
        self.market = (TickMarketView if tick else MarketView)(rt, store, self.settings, self.account.inst, self.days, opts)
        from .dividend_tax import HoldingPeriodTax
        self._divtax = HoldingPeriodTax() if mode == "holding_period" else None
        self.actions = CorporateActions(store, self.days, self.account, self.log, opts, self._divtax)
        self.futures_settings = FuturesSettings()
        self.persistence = GPersistence(rt)
        self.records = DailyRecords()
        self._restart_days = {as_date(d) for d in (opts.get("restart_before") or [])}
        self.g = GlobalVars()
        self.portfolio = Portfolio(self.account)
        self.context = Context(rt, self.portfolio, self.capital_base, self.settings)
        self.apis = build_apis(rt, self.account, self.market, self.settings, self.futures_settings,
                               self._apply_yesterday_positions, self._futures_settings_changed,
                               opts.get("margin_account"))
        if self.apis.margin.enabled:
            self.account.margin_enabled = True
            self.apis.margin.setup(self.account.margin, self.account.inst, self.capital_base)
        self.caller = StrategyCaller(rt, None, CallbackTimer(opts.get("callback_timeout")))
        # snapshot='bars': get_snapshot/get_gear_price from the current bar, run_interval on minute bars.
        self.intervals = BarIntervals.create(rt, self.market, self.settings, self.caller, self.context, opts,
                                             iopv=self.apis.etf.iopv)
        if tick and self.intervals is not None:
            raise ValueError("snapshot='bars' synthesises snapshots from bars; a tick run (frequency 'tick') "
                             "reads them from the snapshot store: use one or the other")
        self.tick = TickReplay(self) if tick else None
        self.injected = strategy_globals(self.apis, self.g, self.log,
                                         extra=[self.intervals, TickAPI(self.tick) if tick else None])
        self.ns, self.strategy_path = load_strategy(strategy, self.injected, opts.get("sandbox", True))
        self.caller.strategy_path = self.strategy_path
        self._cb = {name: self.ns.get(name) for name in CALLBACK_NAMES}
        self.checkpoint_every = opts.get("checkpoint_every")
        self.checkpoint_dir = opts.get("checkpoint_dir")
        if self.checkpoint_every and not self.checkpoint_dir:
            raise ValueError("checkpoint_every needs checkpoint_dir (the folder the checkpoint is written to)")
        self.last_checkpoint = None
        self.router = OrderRouter(rt, self.account, self.market, self.settings, opts, self.log, self.caller,
                                  self.context, self._cb, self._divtax)
        if universe is not None:
            self.apis.settings.set_universe.__wrapped__(self.apis.settings, self._universe_arg(universe))
        self._base_done = False
        self._liquidate = []          # futures legs to close at the next open (margin call)
        self.result = None

    # -- views the results builder reads ---------------------------------------------------------
    @property
    def bar_seq(self) -> int:
        return self.rt.bar_seq

    @property
    def _records(self):
        return self.records.portfolio

    @property
    def _pos_records(self):
        return self.records.positions

    @property
    def _maintenance(self):
        return self.records.maintenance

    @property
    def _trade_tax(self):
        return self.router.trade_tax

    # -- set-up ------------------------------------------------------------------------------------
    def _universe_arg(self, universe):
        if isinstance(universe, str) and universe.lower() == "ashares":
            inst = self.store.instruments
            mask = inst["type"].isin(["stock", "star", "chinext"])
            return [c for c in inst.index[mask] if self.store.sid(c) >= 0]
        return universe

    def _futures_settings_changed(self):
        if self.account.futures_sids.size and self.rt.trade_date is not None:
            fill_futures_tables(self.account, self.futures_settings, self.rt.trade_date)

    def _apply_yesterday_positions(self):
        if self._base_done:  # called from before_trading_start: materialise at once
            self._materialise_base()

    def _materialise_base(self):
        lg = self.account.ledger
        for code, amount, enable, cost in self.settings.yesterday_positions:
            sid = self.store.sid(code)
            if sid < 0:
                self.log.warning(f"set_yesterday_position: {code} has no data in {self.store.root}; skipped")
                continue
            price = self.market.current_price(sid) or cost
            lg.set_position(sid, amount, enable, int(round(cost * amount * SCALE)), int(round(price * SCALE)))
            if self._divtax is not None:   # base positions' purchase dates are unknown: held for a long time
                self._divtax.on_buy(sid, amount, _dt.date(1990, 1, 1))
        self.settings.yesterday_positions.clear()
        self.account.touch()

    # -- persistence (§B.3) ------------------------------------------------------------------------
    def _restart(self):
        """Simulate a server restart before today's open: a fresh ``g``, ``initialize`` again, then the last
        saved ``g`` restored over what ``initialize`` set (§B.3).  Account and orders carry over."""
        self.log.info(f"simulated restart before {self.rt.trade_date}: initialize, then restore g")
        self.g = GlobalVars()
        self.ns["g"] = self.g
        self.settings.daily_tasks.clear()
        self.settings.interval_tasks.clear()
        self.rt.restarting = True
        try:
            self.rt.now = _dt.datetime.combine(self.rt.trade_date, INITIALIZE_TIME)
            self.caller.call("init", self._cb["initialize"], self.context)
        finally:
            self.rt.restarting = False
        apply_params(self)  # the overrides survive a restart's initialize (engine/params.py)
        self.persistence.restore(self.g)

    # -- day loop ----------------------------------------------------------------------------------
    def _start_day(self, k: int):
        """Start-of-day settlement: T+1 roll, today's fee and futures tables, margin accrual, corporate
        actions, holdings marked at the reference close, base positions on the first day."""
        day = self.days[k]
        rt, acct, market = self.rt, self.account, self.market
        market.start_day(k)
        rt.trade_date = day
        rt.bar_index = None
        acct.new_day()
        acct.ledger.roll_day()
        cal = self.store.calendar
        pos = int(np.searchsorted(cal, np.datetime64(day, "D")))
        self.context.previous_date = cal[pos - 1].astype(object) if pos > 0 else None
        acct.fill_fees(self.settings.fees, day)
        if acct.futures_sids.size:
            fill_futures_tables(acct, self.futures_settings, day)
        if acct.margin_enabled:
            self.apis.margin.start_day(acct.margin, day, self.days[k - 1] if k > 0 else None)
        first_day = not self._base_done
        if first_day:
            # Base positions (set_yesterday_position) are yesterday's holdings: they exist before today's
            # ex-rights step and take its dividends and bonus shares.
            self._base_done = True
            self._materialise_base()
        self.actions.apply(day)
        # Converted shares and redemption cash due today; the funds' dated T+0 flags (api/convertible.py, api/etf.py).
        self.apis.convertible.start_day(day)
        self.apis.etf.start_day(day)
        acct.repo.start_day(day, self.log)      # reverse repo maturities (engine/repo.py)
        acct.ipo.start_day(day, self.log)       # IPO lottery results and locked new shares (engine/ipo.py)
        # Value holdings at the reference previous close (the ex-rights price on an ex-date).
        prev_raw, prev_valid = market.reference_close_kernel()
        acct.ledger.mark(prev_raw, prev_valid)
        if acct.margin_enabled:
            # The short-sale price rule compares with the latest price: before the open, the reference close.
            acct.margin.mark(prev_raw, prev_valid)
        self.router.sync_params()
        if self._liquidate:
            rt.now = _dt.datetime.combine(day, _dt.time(9, 30))
            force_close(self.apis.trading, acct, self.log, self._liquidate)
            self._liquidate = []
        if first_day:
            acct.starting_value = acct.cash + acct.positions_value
            acct.start_date = _dt.datetime.combine(day, _dt.time(9, 30))
            self.records.prev_total = acct.starting_value

    def _run_tasks(self, tasks):
        for func, hhmm, _ in tasks:
            h, m = map(int, hhmm.split(":"))
            self.rt.now = _dt.datetime.combine(self.rt.trade_date, _dt.time(h, m))
            self.caller.call("sched", func, self.context)

    def _save_g(self):
        self.persistence.save(self.g)

    def _run_day(self, k: int):
        self._start_day(k)
        rt, day, ctx, market, router, acct = self.rt, self.days[k], self.context, self.market, self.router, self.account
        call = self.caller.call
        pre, bar_tasks, post = day_schedule(self.settings.daily_tasks, rt)
        pre, auction_tasks = split_auction_tasks(pre) if self.tick is not None else (pre, None)
        persist = bool(self.options.get("persistence")) or bool(self.options.get("restart_before"))
        skip_before = False
        if day in self._restart_days:
            self._restart()
            skip_before = self.settings.parameters.get("server_restart_not_do_before") == "1"
        rt.now = _dt.datetime.combine(day, BEFORE_OPEN)
        if self._cb["before_trading_start"] and not skip_before:
            call("before", self._cb["before_trading_start"], ctx, market.empty_data())
            if persist and k > 0:
                self._save_g()
        self._run_tasks(pre)
        market.set_day_rows()
        if rt.frequency == "1d":
            rt.bar_index = 0
            rt.now = _dt.datetime.combine(day, DAILY_BAR_TIME)
            day_close, day_high, day_low, day_volume, valid = market.day_bar_kernel()
            acct.mark(day_close, valid)
            self._run_tasks(bar_tasks.get(DAILY_BAR_TIME, []))
            rt.now = _dt.datetime.combine(day, DAILY_BAR_TIME)
            if self.intervals is not None:
                self.intervals.on_bar(239)
            call("handle", self._cb["handle_data"], ctx, market.bar_data())
            if persist:
                self._save_g()
            router.match(day_close, day_high, day_low, day_volume, valid)
        elif self.tick is not None:
            self.tick.run_session(day, bar_tasks, auction_tasks)
        else:
            has = market.load_minutes(day)
            md = market.md
            data = market.bar_data()
            touch = bool(acct.params.limit_touch)
            book = acct.book
            handle = self._cb["handle_data"]
            for b, t in enumerate(BAR_TIMES):
                rt.bar_index = b
                # Kernel prices of this bar are made only when something is held or working: an idle
                # whole-market bar converts nothing (this loop runs 240 times a day).
                close_b = None
                if acct.holding():
                    close_b = _raw(md.close[b])
                    acct.mark(close_b, has)
                tasks = bar_tasks.get(t)
                if tasks:
                    self._run_tasks(tasks)
                rt.now = _dt.datetime.combine(day, t)
                market.set_minute_rows(b)
                if self.intervals is not None:
                    self.intervals.on_bar(b)
                call("handle", handle, ctx, data)
                if persist:
                    self._save_g()
                if book.n_open:
                    if close_b is None:
                        close_b = _raw(md.close[b])
                    high_b, low_b = (_raw(md.high[b]), _raw(md.low[b])) if touch else (close_b, close_b)
                    router.match(close_b, high_b, low_b, np.nan_to_num(md.volume[b]).astype(np.int64), has)
                else:
                    router.skip_bar()
        rt.bar_index = 240
        market.set_day_rows()
        self._run_tasks(post)
        rt.now = _dt.datetime.combine(day, AFTER_CLOSE)
        if self._cb["after_trading_end"]:
            call("after", self._cb["after_trading_end"], ctx, market.empty_data())
        if persist:
            self._save_g()
        self._end_day(day)

    def _end_day(self, day):
        acct = self.account
        self.router.end_day()
        acct.ipo.end_day(day, self.log)         # IPO payments, and the day's market value for quotas
        if acct.futures_sids.size:
            self._liquidate = settle_futures(acct, self.market, self.log, day)
        if acct.margin_enabled:
            self.records.maintenance.append(self.apis.margin.end_day(acct.margin, day))
        acct.touch()
        self.records.record_day(day, acct)

    # -- the run -----------------------------------------------------------------------------------
    def start(self) -> None:
        """Run ``initialize`` (first step of :meth:`run`; with :meth:`step` and :meth:`finish` a caller can
        drive the backtest one trading day at a time)."""
        self._t0 = _time.perf_counter()
        self._next_day = 0
        rt = self.rt
        rt.phase = "init"
        rt.trade_date = self.days[0]
        rt.now = _dt.datetime.combine(self.days[0], INITIALIZE_TIME)
        self.market.start_day(0)
        self._guarded(lambda: self.caller.call("init", self._cb["initialize"], self.context))
        apply_params(self)  # sweep/run(params=...) overrides of initialize's g defaults (engine/params.py)
        self.context.initialized = True

    def step(self) -> bool:
        """Simulate the next trading day; ``False`` once every day has run."""
        k = self._next_day
        if k >= len(self.days):
            return False
        self._guarded(lambda: self._run_day(k))
        self._next_day = k + 1
        if self.checkpoint_every and self._next_day % self.checkpoint_every == 0 and self._next_day < len(self.days):
            self.last_checkpoint = _checkpoint.write(self, self._next_day, self.checkpoint_dir)
        if self.progress is not None:
            self.progress(k + 1, len(self.days), self.days[k])
        return self._next_day < len(self.days)

    @classmethod
    def from_checkpoint(cls, folder, progress=None, log_echo=None) -> "Backtest":
        """A run rebuilt from its checkpoint (engine/checkpoint.py): same arguments, state restored, ready to
        :meth:`run` the remaining days."""
        header = _checkpoint.read(folder)
        args = dict(header["run_args"])
        if args["strategy"] is None:
            raise E.PtradeFastError(f"checkpoint {header['path']}: the run's strategy was not a file, so it "
                                    f"cannot be reloaded")
        opts = dict(args.pop("options"))
        if log_echo is not None:
            opts["log_echo"] = log_echo
        bt = cls(args.pop("strategy"), options=opts, progress=progress, **args)
        state = _checkpoint.load(bt, header)
        bt._t0 = _time.perf_counter()
        bt._resume_at = _checkpoint.restore(bt, state)
        bt.context.initialized = True
        bt.last_checkpoint = header["path"]
        return bt

    def finish(self):
        """Build the result (all days must have run)."""
        from ..results_builder import build_result
        if self._next_day < len(self.days):
            raise RuntimeError(f"finish() after {self._next_day} of {len(self.days)} days: call step() until it returns False")
        self.result = build_result(self, _time.perf_counter() - self._t0, complete=True)
        return self.result

    def _guarded(self, fn):
        try:
            fn()
        except (E.StrategyRuntimeError, E.RunInterrupted) as exc:
            from ..results_builder import build_result
            reason = exc.reason if isinstance(exc, E.RunInterrupted) else "strategy error"
            exc.partial_result = build_result(self, _time.perf_counter() - self._t0, complete=False,
                                              stop_reason=reason)
            if isinstance(exc, E.RunInterrupted):
                exc.checkpoint = self.last_checkpoint
            raise

    def run(self):
        """Run the whole backtest (or, after :meth:`from_checkpoint`, its remaining days) and return its
        :class:`~ptrade_fast.result.Result`.  Ctrl-C / SIGTERM stop it at once with
        :class:`~ptrade_fast.errors.RunInterrupted`, whose ``partial_result`` holds the finished days."""
        with InterruptGuard(self.rt):
            try:
                resume_at = getattr(self, "_resume_at", None)
                if resume_at is None:
                    self.start()
                else:
                    self._next_day = resume_at
                while self.step():
                    pass
            except E.RunInterrupted as exc:
                if exc.partial_result is None:     # raised between two days (outside _guarded)
                    from ..results_builder import build_result
                    exc.partial_result = build_result(self, _time.perf_counter() - self._t0, complete=False,
                                                      stop_reason=exc.reason)
                    exc.checkpoint = self.last_checkpoint
                raise
        return self.finish()
