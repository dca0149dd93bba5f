"""The bar loop: drives a strategy through the trading calendar exactly as Ptrade's backtest does.

Per trading day (§A.2): start-of-day settlement (T+1 roll, fee table for the day, base positions),
08:30 ``before_trading_start``, then either one 15:00 step (daily) or 240 minute steps (09:31 …
11:30, 13:01 … 15:00).  At each step the ``run_daily`` functions due at that time run first, then
``handle_data``, then every open order is matched against the bar by one kernel call (§H.1).  Then
15:30 ``after_trading_end``, and the end-of-day sweep cancels what is still open.

Engine decisions kept fixed (documented in docs/engine.md): run_daily functions run before
``handle_data`` in the same step, in registration order; ``on_trade_response`` then
``on_order_response`` are called after each step's matching with the fills and the orders whose
status changed (the platform calls them only live; ptrade_fast calls them in backtest too);
positions are marked to the bar's close after matching.
"""
from __future__ import annotations

import datetime as _dt
import math
import os
import time as _time

import numpy as np
import pandas as pd

from .. import _core

from .. import errors as E
from ..api.futures import FuturesAPI, FuturesSettings, fill_futures_tables
from ..api.indicators import IndicatorAPI
from ..api.margin import MarginAPI
from ..api.settings import FixedSlippage, PerTrade, SettingsAPI, StrategySettings, session_time_for
from ..api.trading import TradingAPI
from ..api.utility import UtilityAPI, spec_functions, stub_function
from ..data.codes import normalize_code
from ..data.store import DataStore
from ..model import BarDict, Context, GlobalVars, Portfolio
from ..model.units import SCALE
from .account import Account
from .loader import load_strategy
from .logs import StrategyLog
from .params import apply_params
from .runtime import Runtime

def session_minutes() -> list[_dt.time]:
    """The 240 bar-end times of an A-share day: 09:31 … 11:30, 13:01 … 15:00."""
    out = []
    for start_h, start_m in ((9, 30), (13, 0)):
        base = _dt.datetime(2000, 1, 1, start_h, start_m)
        out.extend((base + _dt.timedelta(minutes=i + 1)).time() for i in range(120))
    return out


BAR_TIMES = session_minutes()
_EMPTY = {}


def _raw(a: np.ndarray) -> np.ndarray:
    """Float prices (≥ 0, NaN allowed) → int64 kernel prices rounded half up at 1e-4, NaN → 0.

    Runs on whole [240, n_sids] days of a minute run: in place, one temporary."""
    out = np.multiply(a, SCALE)
    out += 0.5
    np.floor(out, out=out)
    out[~np.isfinite(out)] = 0.0
    return out.astype(np.int64)


class Backtest:
    """One backtest run.  Construct, then :meth:`run`; the result is returned and kept as ``.result``."""

    def __init__(self, strategy, start=None, end=None, frequency="1d", capital_base=1_000_000.0,
                 universe=None, benchmark=None, data=None, options=None, progress=None):
        if frequency in ("daily", "day"):
            frequency = "1d"
        if frequency in ("minute", "min"):
            frequency = "1m"
        if frequency not in ("1d", "1m"):
            raise ValueError(f"frequency must be '1d' or '1m', was {frequency!r}")
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
        self.options = opts
        self.progress = progress
        self.store = store = DataStore.open(data)
        self.rt = rt = Runtime(store, frequency, opts)
        self.log = StrategyLog(lambda: rt.now, opts.get("log_level", "DEBUG"), opts.get("log_echo"))
        rt.log = self.log
        self.capital_base = float(capital_base)
        self.settings = StrategySettings(opts)
        self.account = Account(rt, store, self.capital_base, int(opts.get("seed", 0)))
        self.futures_settings = FuturesSettings()
        self.futures_sids = np.flatnonzero(self.account.is_future)
        self.bar_seq = 0
        self.days = self._trading_days(start, end, frequency)
        self._actions = self._corporate_actions()
        mode = opts.get("dividend_tax", "none")
        if mode not in ("none", "holding_period"):
            raise ValueError(f"dividend_tax must be 'none' or 'holding_period', was {mode!r}")
        if mode == "holding_period" and opts.get("dividend_tax_rate"):
            raise ValueError("use either dividend_tax='holding_period' or a flat dividend_tax_rate, not both")
        from .dividend_tax import HoldingPeriodTax
        self._divtax = HoldingPeriodTax() if mode == "holding_period" else None
        self._trade_tax: dict[str, int] = {}
        self._restart_days = {_as_date(d) for d in (opts.get("restart_before") or [])}
        self._restarting = False
        self._maintenance: list[float] = []
        self.g = GlobalVars()
        self.portfolio = Portfolio(self.account)
        self.context = Context(rt, self.portfolio, self.capital_base, self.settings)
        self._apis()
        self.ns, self.strategy_path = load_strategy(strategy, self._globals(), opts.get("sandbox", True))
        self._cb = {name: self.ns.get(name) for name in
                    ("initialize", "handle_data", "before_trading_start", "after_trading_end",
                     "on_order_response", "on_trade_response")}
        if universe is not None:
            self.settings_api.set_universe.__wrapped__(self.settings_api, self._universe_arg(universe))
        self._base_done = False
        self._pushed: dict[int, tuple] = {}
        self._push_from = 0
        self._records: list[tuple] = []
        self._pos_records: list[tuple] = []
        self._win = None
        self._md = None
        self._day_entries = None
        self.result = None

    # -- set-up ------------------------------------------------------------------------------------
    def _universe_arg(self, universe):
        if isinstance(universe, str) and universe.lower() == "ashares":
            inst = self.store.instruments
            mask = inst["type"].isin(["stock", "star", "chinext"])
            return [c for c in inst.index[mask] if self.store.sid(c) >= 0]
        return universe

    def _trading_days(self, start, end, frequency) -> list[_dt.date]:
        cal = self.store.calendar
        if frequency == "1m":
            avail = self.store.minute_dates
            if len(avail) == 0:
                raise E.DataError(f"data root {self.store.root} holds no minute bars: use frequency='1d'")
            lo, hi = avail[0], avail[-1]
        else:
            first_bar = getattr(self.store, "first_daily_date", None)
            lo = np.datetime64(first_bar) if first_bar is not None else cal[0]
            lo = max(lo, np.datetime64("2005-01-04"))  # Ptrade's data start (§F)
            hi = cal[-1]
        s = np.datetime64(_as_date(start), "D") if start is not None else lo
        e = np.datetime64(_as_date(end), "D") if end is not None else hi
        if e < s:
            raise ValueError(f"end {e} is before start {s}")
        days = cal[(cal >= s) & (cal <= e)]
        if len(days) == 0:
            raise E.DataError(f"no trading days between {s} and {e} in the calendar of {self.store.root} "
                              f"({cal[0]} … {cal[-1]})")
        if frequency == "1m":
            have = np.isin(days, self.store.minute_dates)
            if not have.all():
                missing = days[~have]
                raise E.DataError(f"no minute bars for {len(missing)} trading day(s) in {s} … {e}, first {missing[0]}; "
                                  f"minute data in {self.store.root} covers {self.store.minute_dates[0]} … "
                                  f"{self.store.minute_dates[-1]}")
        return [d.astype(object) for d in days]

    def _corporate_actions(self) -> dict:
        """Ex-date events inside the run, keyed by the trading day they take effect (an ex-date on a
        non-trading day takes effect on the next trading day): day → (sids, cash per share, share ratio)."""
        ex = self.store.exrights_table()
        if len(ex) == 0 or "has_action" not in ex:
            return {}
        ex = ex[ex["has_action"].astype(bool)]
        dates = pd.to_datetime(ex["ex_date"]).to_numpy().astype("datetime64[D]")
        days = np.array(self.days, dtype="datetime64[D]")
        sel = (dates > days[0] - np.timedelta64(10, "D")) & (dates <= days[-1])
        out: dict = {}
        for code, d, cash, bonus, conv in zip(ex["code"][sel], dates[sel], ex["cash_dividend"][sel],
                                              ex["bonus_ratio"][sel], ex["conversion_ratio"][sel]):
            sid = self.store.sid(code)
            k = int(np.searchsorted(days, d))
            if sid < 0 or k >= len(days) or (k == 0 and d < days[0]):
                continue
            ratio = float(bonus or 0.0) + float(conv or 0.0)
            cps = int(round(float(cash or 0.0) * SCALE))
            if cps == 0 and ratio == 0.0:
                continue
            out.setdefault(self.days[k], []).append((sid, cps, ratio, code))
        return out

    def _apply_corporate_actions(self, day):
        events = self._actions.get(day)
        if not events:
            return
        sids = np.array([e[0] for e in events], dtype=np.int32)
        cps = np.array([e[1] for e in events], dtype=np.int64)
        ratio = np.array([e[2] for e in events], dtype=np.float64)
        cash_out = np.zeros(len(events), dtype=np.int64)
        shares_out = np.zeros(len(events), dtype=np.int64)
        tax = float(self.options.get("dividend_tax_rate", 0.0))
        self.account.ledger.apply_actions(sids, cps, ratio, tax, cash_out, shares_out)
        for (sid, c, r, code), got, extra in zip(events, cash_out, shares_out):
            if got or extra:
                self.log.info(f"ex-rights {code}: cash dividend {got / SCALE:.2f} CNY credited, "
                              f"{int(extra)} bonus/conversion shares added")
            if self._divtax is not None and (got or extra):
                withheld = self._divtax.on_dividend(int(sid), int(c), int(extra), day)
                if withheld:
                    self.account.ledger.cash = self.account.ledger.cash - withheld
                    self.log.info(f"dividend tax withheld on {code}: {withheld / SCALE:.2f} CNY")
        self.account.touch()

    def _apis(self):
        from ..api.market import CalendarAPI, MarketAPI
        rt = self.rt
        self.market = MarketAPI(rt)
        self.calendar_api = CalendarAPI(rt)
        from ..api.fundamentals import FundamentalsAPI
        from ..api.reference import ReferenceAPI
        self.reference = ReferenceAPI(rt)
        self.fundamentals = FundamentalsAPI(rt)
        self.trading = TradingAPI(rt, self)
        self.settings_api = SettingsAPI(rt, self.settings, self)
        self.utility = UtilityAPI(rt, self)
        self.indicators = IndicatorAPI(rt, self.market)
        self.futures_api = FuturesAPI(rt, self, self.futures_settings)
        self.margin_api = MarginAPI(rt, self, self.options.get("margin_account"))
        if self.margin_api.enabled:
            self.account.margin_enabled = True
            self.margin_api.setup(self.account.margin, self.account.inst, self.capital_base)
        try:
            from ..api.futures_info import FuturesInfoAPI
            self.futures_info = FuturesInfoAPI(rt)
        except ImportError:  # pragma: no cover - the module ships with the package
            self.futures_info = None

    def _globals(self) -> dict:
        """Every Ptrade global a strategy may reference (§L): API functions, ``g``, ``log``, objects."""
        out = {}
        for spec in spec_functions():
            name = spec["name"]
            if spec["category"] == "lifecycle" or name in ("g", "log"):
                continue
            out[name] = stub_function(name, spec["signature"], spec["live_only"], spec["category"])
        providers = [self.calendar_api, self.market, self.reference, self.fundamentals, self.trading,
                     self.settings_api, self.utility, self.indicators, self.futures_api, self.futures_info,
                     self.margin_api]
        for api in providers:
            if api is None:
                continue
            for name in dir(api):
                if name.startswith("_"):
                    continue
                attr = getattr(api, name)
                if callable(attr) and hasattr(attr, "__wrapped__") or (callable(attr) and name in out):
                    out[name] = attr
        out.update(g=self.g, log=self.log, PerTrade=PerTrade, FixedSlippage=FixedSlippage)
        return out

    # -- state the API families read -------------------------------------------------------------
    def research_path(self) -> str:
        path = self.options.get("research_path") or os.path.join(os.getcwd(), "research")
        os.makedirs(path, exist_ok=True)
        return os.path.join(os.path.abspath(path), "")

    def universe_changed(self):
        self._day_entries = None

    def after_book_change(self):
        pass

    def futures_settings_changed(self):
        if self.futures_sids.size and self.rt.trade_date is not None:
            fill_futures_tables(self, self.rt.trade_date)

    def market_closed(self) -> bool:
        return self.rt.bar_index == 240 or self.rt.phase == "after"

    def _row(self):
        return self._di

    def listing_state(self, sid: int) -> str:
        if self._win is None:
            return "listed"
        if self._win.listed[self._di, sid]:
            return "listed"
        dl = self.account.inst["delist_date"][sid]
        if not np.isnat(dl) and np.datetime64(self.rt.trade_date, "D") > dl:
            return "delisted"
        return "not_listed"

    def day_is_open(self, sid: int) -> bool:
        return self._win is not None and bool(self._win.is_open[self._di, sid])

    def day_limits(self, sid: int) -> tuple[int, int]:
        if self._win is None:
            return 0, 0
        return int(self._hl[sid]), int(self._ll[sid])

    def is_tradable_code(self, security) -> bool:
        try:
            sid = self.store.sid(normalize_code(security))
        except (ValueError, TypeError):
            return False
        return sid >= 0 and self.listing_state(sid) == "listed" and self.day_is_open(sid)

    def current_price(self, sid: int) -> float:
        """Latest unadjusted price at the simulated time (previous close before the open)."""
        w, di = self._win, self._di
        if w is None:
            return 0.0
        bi = self.rt.bar_index
        if bi is None:
            v = self._prev_close_row(di)[sid]
        elif self.rt.frequency == "1m" and bi < 240 and self._md is not None and self._md.has_data[sid]:
            v = self._md.close[bi, sid]
        else:
            v = w.close[di, sid]
            if bi is not None and bi < 240 and self.rt.frequency == "1m":
                v = self._prev_close_row(di)[sid]
        return float(v) if np.isfinite(v) else 0.0

    def bar_field(self, name: str, sid: int):
        """One field of the current bar of ``sid`` (``data[code].<name>``); runs per access, so it is a
        lookup in the row views :meth:`_set_day_rows` / :meth:`_set_minute_rows` prepared."""
        if name == "dt":
            return self._bar_dt
        v = self._rows[name][sid]
        return int(v) if name == "is_open" else float(v)

    def _set_day_rows(self):
        """Row views of the current day for ``data[code]`` in a daily run (and before/after the session)."""
        w, di = self._win, self._di
        self._rows = {f: getattr(w, f)[di] for f in ("open", "high", "low", "close", "volume", "money",
                                                     "preclose", "high_limit", "low_limit", "is_open")}
        self._rows["price"] = self._rows["close"]
        self._bar_dt = _dt.datetime.combine(self.rt.trade_date, _dt.time(0, 0))

    def _minute_fields(self, md, listed_row, prev_close):
        """The day's [240, n_sids] minute fields for ``data``: a listed security without minute bars that day
        shows flat bars at its previous close with volume 0 (as a suspended one does)."""
        fields = {f: getattr(md, f) for f in ("open", "high", "low", "close", "volume", "money")}
        gap = (listed_row == 1) & np.isnan(md.close[0]) & np.isfinite(prev_close)
        if gap.any():
            for f in ("open", "high", "low", "close"):
                fields[f] = np.where(gap[None, :], prev_close[None, :], fields[f])
            for f in ("volume", "money"):
                fields[f] = np.where(gap[None, :], 0.0, fields[f])
        return fields

    def _set_minute_rows(self, b: int):
        rows = self._rows
        for f, block in self._mfields.items():
            rows[f] = block[b]
        rows["price"] = rows["close"]
        self._bar_dt = self.rt.now

    def _entries(self) -> dict[str, int]:
        if self._day_entries is None:
            entries = {}
            for code in self.settings.universe:
                sid = self.store.sid(code)
                if sid >= 0 and self._win is not None and self._win.listed[self._di, sid]:
                    entries[code] = sid
            self._day_entries = entries
        return self._day_entries

    def _why_missing(self, code: str) -> str:
        if code not in self.settings.universe:
            return "not in the universe: add it with set_universe"
        sid = self.store.sid(code)
        if sid < 0:
            return f"no bars for it in data root {self.store.root}"
        return f"not listed on {self.rt.trade_date}"

    def apply_yesterday_positions(self):
        if self._base_done:  # called from before_trading_start: materialise at once
            self._materialise_base()

    def _materialise_base(self):
        lg = self.account.ledger
        for code, amount, enable, cost in self.settings.yesterday_positions:
            sid = self.store.sid(code)
            if sid < 0:
                self.log.warning(f"set_yesterday_position: {code} has no data in {self.store.root}; skipped")
                continue
            price = self.current_price(sid) or cost
            lg.set_position(sid, amount, enable, int(round(cost * amount * SCALE)), int(round(price * SCALE)))
            if self._divtax is not None:   # base positions' purchase dates are unknown: held for a long time
                self._divtax.on_buy(sid, amount, _dt.date(1990, 1, 1))
        self.settings.yesterday_positions.clear()
        self.account.touch()

    # -- persistence (§B.3) ------------------------------------------------------------------------
    def _save_g(self):
        """Pickle ``g`` as the platform does at its save points: public attributes only; an attribute that
        cannot be pickled is skipped with a warning (once per name)."""
        import pickle
        state = {}
        for name, value in self.g.persistable().items():
            try:
                state[name] = pickle.dumps(value, protocol=4)
            except Exception as exc:  # unpicklable values are silently dropped by the platform
                self.rt.warn_once(f"persist:{name}", f"g.{name} cannot be pickled ({type(exc).__name__}); it is not "
                                  f"persisted — name it g.__{name} to mark it private")
        self._g_snapshot = state

    def _restart(self):
        """Simulate a server restart before today's open: a fresh ``g``, ``initialize`` again, then the last
        saved ``g`` restored over what ``initialize`` set (§B.3).  Account and orders carry over."""
        import pickle
        from ..model import GlobalVars
        self.log.info(f"simulated restart before {self.rt.trade_date}: initialize, then restore g")
        self.g = GlobalVars()
        self.ns["g"] = self.g
        self.settings.daily_tasks.clear()
        self.settings.interval_tasks.clear()
        self._restarting = True
        try:
            self.rt.now = _dt.datetime.combine(self.rt.trade_date, _dt.time(8, 0))
            self._call("init", self._cb["initialize"], self.context)
        finally:
            self._restarting = False
        apply_params(self)  # the overrides survive a restart's initialize (engine/params.py)
        for name, blob in getattr(self, "_g_snapshot", {}).items():
            setattr(self.g, name, pickle.loads(blob))

    # -- callbacks ---------------------------------------------------------------------------------
    def _call(self, phase: str, fn, *args):
        rt = self.rt
        rt.phase = phase
        try:
            fn(*args)
        except (E.PtradeFastError,) as exc:
            raise exc
        except Exception as exc:
            f, line, src = E.strategy_frame(exc, self.strategy_path)
            name = getattr(fn, "__name__", str(fn))
            where = f"{f}:{line}" if f else self.strategy_path
            msg = (f"{where}: {type(exc).__name__}: {exc}\n    in {name} at simulated time {rt.now}"
                   + (f"\n    {src}" if src else ""))
            err = E.StrategyRuntimeError(msg, f, line, name, rt.now, exc)
            err.partial_result = None
            raise err from exc

    # -- day loop ----------------------------------------------------------------------------------
    def _load_window(self, day_index: int):
        """Make the daily arrays holding days[day_index:] current (bounded memory).

        By default one calendar year at a time, as views of the store's cached year (no copy); with
        ``window_days`` set, a copied window of that many trading days (tests use 1)."""
        d0 = self.days[day_index]
        wd = self.options.get("window_days")
        if wd is None and d0 != self.store.calendar[0].astype(object):
            self._win = self.store.year_window(d0.year)
            last = day_index
            while last + 1 < len(self.days) and self.days[last + 1].year == d0.year:
                last += 1
        else:
            cal = self.store.calendar
            pos = int(np.searchsorted(cal, np.datetime64(d0, "D")))
            start = cal[max(pos - 1, 0)].astype(object)
            last = min(day_index + int(wd or 260) - 1, len(self.days) - 1)
            self._win = self.store.daily_window(start, self.days[last])
        self._win_dates = [d.astype(object) for d in self._win.dates]
        self._win_index = {d: i for i, d in enumerate(self._win_dates)}
        self._win_last = last
        # The close of the trading day before the window's first day (for "previous close" on its day 0).
        cal = self.store.calendar
        i0 = int(np.searchsorted(cal, self._win.dates[0])) if len(self._win.dates) else 0
        self._win_prev_close = (self.store._daily_rows(i0 - 1, i0, ("close",))["close"][0] if i0 > 0
                                else np.full(self.store.n_sids, np.nan))

    def _prev_close_row(self, di: int) -> np.ndarray:
        return self._win.close[di - 1] if di > 0 else self._win_prev_close

    def _start_day(self, k: int):
        day = self.days[k]
        if self._win is None or k > self._win_last:
            self._load_window(k)
        rt, acct, w = self.rt, self.account, None
        self._di = di = self._win_index[day]
        w = self._win
        rt.trade_date = day
        rt.bar_index = None
        self._md = None
        self._day_entries = None
        acct.new_day()
        acct.ledger.roll_day()
        cal = self.store.calendar
        pos = int(np.searchsorted(cal, np.datetime64(day, "D")))
        self.context.previous_date = cal[pos - 1].astype(object) if pos > 0 else None
        self.settings.fees.fill_table(acct.fees, day, acct.inst)
        if self.futures_sids.size:
            fill_futures_tables(self, day)
        if acct.margin_enabled:
            self.margin_api.start_day(acct.margin, day, self.days[k - 1] if k > 0 else None)
        # Today's limits and tradability, as kernel arrays.
        self._hl = _raw(w.high_limit[di])
        self._ll = _raw(w.low_limit[di])
        self._open_today = (w.is_open[di] & w.listed[di]).astype(np.uint8)
        self._apply_corporate_actions(day)
        # Value holdings at the reference previous close (the ex-rights price on an ex-date).
        prev = np.where(np.isfinite(w.preclose[di]), w.preclose[di], self._prev_close_row(di))
        acct.ledger.mark(_raw(prev), np.isfinite(prev).astype(np.uint8))
        if acct.margin_enabled:
            # The short-sale price rule compares with the latest price: before the open, the reference close.
            acct.margin.mark(_raw(prev), np.isfinite(prev).astype(np.uint8))
        self._sync_params()
        if not self._base_done:
            self._base_done = True
            self._materialise_base()
            acct.starting_value = acct.cash + acct.positions_value
            acct.start_date = _dt.datetime.combine(day, _dt.time(9, 30))
            self._prev_total = acct.starting_value

    def _sync_params(self):
        s, p = self.settings, self.account.params
        p.volume_ratio = s.volume_ratio
        p.limit_mode = 0 if s.limit_mode == "LIMIT" else 1
        p.slippage_kind = s.slippage_kind
        p.slippage_ratio = s.slippage_ratio
        p.slippage_fixed = int(round(s.slippage_fixed * SCALE))
        p.block_limit_locked = bool(self.options.get("block_limit_locked", True))
        p.shared_volume_cap = bool(self.options.get("shared_volume_cap", False))
        p.limit_touch = 1 if self.options.get("limit_touch", "close") == "high_low" else 0

    def _run_tasks(self, tasks):
        for func, hhmm, _ in tasks:
            h, m = map(int, hhmm.split(":"))
            self.rt.now = _dt.datetime.combine(self.rt.trade_date, _dt.time(h, m))
            self._call("sched", func, self.context)

    def _match(self, close, high, low, volume, valid):
        acct = self.account
        self.bar_seq += 1
        if acct.book.n_open == 0:          # runs every bar: nothing to do without working orders
            return
        tradable = (self._open_today & valid).astype(np.uint8)
        acct.book.match(acct.ledger, acct.fees, close, high, low, volume, self._hl, self._ll, tradable,
                        acct.params, acct.fills, futures=acct.futures, futures_fees=acct.futures_fees,
                        margin=acct.margin if acct.margin_enabled else None)
        new = acct.collect_fills(self.rt.now)
        if new:
            self._mark(close, valid)     # positions opened by this bar's fills take its close too
            if self._divtax is not None:
                self._dividend_tax_on_fills(new)
        changed = acct.book.changed_indices()
        self._report(changed, new)

    def _holding(self) -> bool:
        """Whether any position (stock, futures leg, short) is open: marking is needed only then."""
        acct = self.account
        if acct.ledger.amount.any() or (self.futures_sids.size and acct.has_futures()):
            return True
        return acct.margin_enabled and bool(acct.margin.slo_amount.any())

    def _mark(self, close, valid):
        """Value holdings at the bar's close before its callbacks run (§C.4: last_sale_price is the
        latest price of the current bar); suspended securities keep their last price."""
        acct = self.account
        acct.ledger.mark(close, valid)
        if self.futures_sids.size and acct.has_futures():
            acct.futures.mark(close, valid)
        if acct.margin_enabled:
            acct.margin.mark(close, valid)
        acct._positions_cache = None   # Position views are rebuilt on next access

    def _dividend_tax_on_fills(self, trades):
        """差别化红利税 on sales (option dividend_tax='holding_period'): FIFO lots, charged from cash."""
        acct, day = self.account, self.rt.trade_date
        for t in trades:
            trade_id, row, dt, sid, side, qty = t[:6]
            if acct.is_future[sid] or int(acct.book.otype[row]) not in (0, 4, 5):
                continue
            if side > 0:
                self._divtax.on_buy(sid, qty, day)
                continue
            tax = self._divtax.on_sell(sid, qty, day)
            if tax:
                acct.ledger.cash = acct.ledger.cash - tax
                self._trade_tax[trade_id] = tax
                self.log.info(f"dividend tax on the sale of {qty} {acct.codes[sid]}: {tax / SCALE:.2f} CNY "
                              f"(held-period rates, market-rules §5.8)")

    def _report(self, changed, new_trades):
        """Log every clip/cancel with its reason (§0.1a item 5) and push the order callbacks."""
        acct = self.account
        for row in changed:
            row = int(row)
            reason = int(acct.book.reason[row])
            if reason and reason != _core.R_USER_CANCEL:
                o = acct.order_object(row)
                self.log.warning(f"order {o.entrust_no} {o.sid} {'buy' if o.amount > 0 else 'sell'} {abs(o.amount)}: "
                                 f"{o.error_info}; filled {abs(o.filled)}, status '{o.status}'")
        if self.options.get("order_callbacks", True):
            on_trade, on_order = self._cb["on_trade_response"], self._cb["on_order_response"]
            if on_trade and new_trades:
                items = [self._trade_push(t) for t in new_trades]
                self._call("on_trade", on_trade, self.context, items)
            if on_order:
                # Rows whose status or fill moved, plus orders created since the last push (each pushed once
                # as '2'): not today's whole order list, which would make every bar cost O(orders).
                start = max(self._push_from, acct.day_first_row)
                rows = sorted(set(int(r) for r in changed) | {t[1] for t in new_trades}
                              | set(range(start, acct.book.n_orders)))
                self._push_from = acct.book.n_orders
                items = []
                for r in rows:
                    key = (int(acct.book.status[r]), int(acct.book.filled[r]))
                    if self._pushed.get(r) != key:
                        self._pushed[r] = key
                        items.append(self._order_push(r))
                if items:
                    self._call("on_order", on_order, self.context, items)

    def _order_push(self, row: int) -> dict:
        o = self.account.order_object(row)
        return {"entrust_no": o.entrust_no, "error_info": o.error_info,
                "order_time": o.dt.strftime("%Y-%m-%d %H:%M:%S.000"), "stock_code": o.sid,
                "amount": abs(o.amount), "price": o.limit, "business_amount": float(abs(o.filled)),
                "status": o.status, "entrust_type": "0",
                "entrust_prop": "d" if int(self.account.book.limit_price[row]) else "0", "order_id": o.id}

    def _trade_push(self, t) -> dict:
        acct = self.account
        trade_id, row, dt, sid, side, qty, price, value = t[:8]
        return {"entrust_no": str(int(acct.book.entrust_no[row])), "business_time": dt.strftime("%Y-%m-%d %H:%M:%S"),
                "stock_code": str(acct.codes[sid]), "entrust_bs": "1" if side > 0 else "2",
                "business_amount": qty, "business_price": price / SCALE, "business_balance": value / SCALE,
                "business_id": trade_id, "status": chr(int(acct.book.status[row])), "order_id": acct.order_ids[row]}

    def _empty_data(self):
        return BarDict(self, {}, normalize_code)

    def _bar_data(self):
        return BarDict(self, self._entries(), normalize_code, self._why_missing)

    def _run_day(self, k: int):
        self._start_day(k)
        rt, day, ctx = self.rt, self.days[k], self.context
        pre, bar_tasks, post = [], {}, []
        for task in self.settings.daily_tasks:
            where, t = session_time_for(task[1], rt.frequency)
            if where == "pre":
                pre.append(task)
            elif where == "post":
                post.append(task)
            else:
                bar_tasks.setdefault(t, []).append(task)
            if where != "bar" or (rt.frequency == "1m" and t.strftime("%H:%M") != task[1]):
                self.rt.warn_once(f"run_daily:{task[1]}", f"run_daily time {task[1]} is outside the backtest session "
                                  f"bars; it runs at {'the 13:01 bar' if where == 'bar' else task[1]} "
                                  f"({'before the first bar' if where == 'pre' else 'after the last bar' if where == 'post' else 'with that bar'})")
        persist = bool(self.options.get("persistence")) or bool(self.options.get("restart_before"))
        skip_before = False
        if day in self._restart_days:
            self._restart()
            skip_before = self.settings.parameters.get("server_restart_not_do_before") == "1"
        rt.now = _dt.datetime.combine(day, _dt.time(8, 30))
        if self._cb["before_trading_start"] and not skip_before:
            self._call("before", self._cb["before_trading_start"], ctx, self._empty_data())
            if persist and k > 0:
                self._save_g()
        self._run_tasks(pre)
        w, di = self._win, self._di
        self._set_day_rows()
        if rt.frequency == "1d":
            rt.bar_index = 0
            rt.now = _dt.datetime.combine(day, _dt.time(15, 0))
            valid = (w.listed[di] & np.isfinite(w.close[di])).astype(np.uint8)
            day_close = _raw(w.close[di])
            self._mark(day_close, valid)
            self._run_tasks(bar_tasks.get(_dt.time(15, 0), []))
            rt.now = _dt.datetime.combine(day, _dt.time(15, 0))
            self._call("handle", self._cb["handle_data"], ctx, self._bar_data())
            if persist:
                self._save_g()
            self._match(day_close, _raw(w.high[di]), _raw(w.low[di]),
                        np.nan_to_num(w.volume[di]).astype(np.int64), valid)
        else:
            md = self._md = self.store.minute_day(day)
            has = md.has_data.astype(np.uint8)
            self._rows["is_open"] = (w.is_open[di] & has).astype(np.uint8)
            prev_close = self._prev_close_row(di)
            self._mfields = self._minute_fields(md, w.listed[di], prev_close)
            data = self._bar_data()
            touch = bool(self.account.params.limit_touch)
            book = self.account.book
            for b, t in enumerate(BAR_TIMES):
                rt.bar_index = b
                # Kernel prices of this bar are made only when something is held or working: an idle
                # whole-market bar converts nothing (this loop runs 240 times a day).
                close_b = None
                if self._holding():
                    close_b = _raw(md.close[b])
                    self._mark(close_b, has)
                tasks = bar_tasks.get(t)
                if tasks:
                    self._run_tasks(tasks)
                rt.now = _dt.datetime.combine(day, t)
                self._set_minute_rows(b)
                self._call("handle", self._cb["handle_data"], ctx, data)
                if persist:
                    self._save_g()
                if book.n_open:
                    if close_b is None:
                        close_b = _raw(md.close[b])
                    high_b, low_b = (_raw(md.high[b]), _raw(md.low[b])) if touch else (close_b, close_b)
                    self._match(close_b, high_b, low_b, np.nan_to_num(md.volume[b]).astype(np.int64), has)
                else:
                    self.bar_seq += 1
        rt.bar_index = 240
        self._set_day_rows()
        self._run_tasks(post)
        rt.now = _dt.datetime.combine(day, _dt.time(15, 30))
        if self._cb["after_trading_end"]:
            self._call("after", self._cb["after_trading_end"], ctx, self._empty_data())
        if persist:
            self._save_g()
        self._end_day(day)

    def _end_day(self, day):
        acct = self.account
        acct.book.end_day()
        changed = acct.book.changed_indices()
        self._report(changed, [])
        if self.futures_sids.size:
            self._settle_futures(day)
        if acct.margin_enabled:
            self._maintenance.append(self.margin_api.end_day(acct.margin, day))
        acct.touch()
        lg = acct.ledger
        total = acct.cash + acct.positions_value
        ret = total / self._prev_total - 1.0 if self._prev_total else 0.0
        self._records.append((day, total, acct.cash, acct.positions_value, ret, total - acct.starting_value))
        self._prev_total = total
        for sid in lg.held_sids():
            amt = int(lg.amount[sid])
            last = lg.last_price[sid] / SCALE
            self._pos_records.append((day, str(acct.codes[sid]), amt, int(lg.enable_amount[sid]),
                                      lg.cost_total[sid] / SCALE / amt, last, amt * last, ""))
        if self.futures_sids.size:
            f = acct.futures
            for sid in self.futures_sids:
                for leg, n, basis, margin in (("long", f.long_amount, f.long_basis_total, f.long_margin),
                                              ("short", f.short_amount, f.short_basis_total, f.short_margin)):
                    lots = int(n[sid])
                    if lots:
                        mult = float(f.multiplier[sid]) or 1.0
                        last = f.last_price[sid] / SCALE
                        sign = 1 if leg == "long" else -1
                        pnl = sign * (lots * mult * last - basis[sid] / SCALE)
                        self._pos_records.append((day, str(acct.codes[sid]), sign * lots, sign * lots,
                                                  basis[sid] / SCALE / (lots * mult), last,
                                                  margin[sid] / SCALE + pnl, leg))

    def _settle_futures(self, day):
        """End of day for futures (§H.11, market-rules §9.3): contracts on their last trading day close at
        the final settlement price and leave the book; every other position is marked to the day's
        settlement price (the close where the data has none), P&L into cash, margin re-evaluated."""
        acct, w, di = self.account, self._win, self._di
        f = acct.futures
        settle = getattr(w, "settlement", None)
        px = settle[di] if settle is not None else w.close[di]
        px = np.where(np.isfinite(px), px, w.close[di])
        raw = _raw(px)
        valid = (np.isfinite(px) & acct.is_future).astype(np.uint8)
        dd = acct.inst.get("delivery_date")
        if dd is not None:
            today = np.datetime64(day, "D")
            for sid in self.futures_sids:
                if dd[sid] == today and (f.long_amount[sid] or f.short_amount[sid]) and valid[sid]:
                    pnl = f.expire(int(sid), int(raw[sid]))
                    self.log.info(f"{acct.codes[sid]} expired: final settlement at {px[sid]:.4f}, "
                                  f"P&L {pnl / SCALE:,.2f} CNY")
        f.settle_day(raw, valid)
        f.mark(raw, valid)
        calls = f.margin_call_sids()
        if len(calls):
            self.log.warning(f"margin call after settlement on {day}: available cash "
                             f"{acct.cash:,.2f} CNY; positions in {', '.join(str(acct.codes[s]) for s in calls)}")

    # -- the run -----------------------------------------------------------------------------------
    def start(self) -> None:
        """Run ``initialize`` (first step of :meth:`run`; with :meth:`step` and :meth:`finish` a caller can
        drive the backtest one trading day at a time)."""
        self._t0 = _time.perf_counter()
        self._next_day = 0
        rt = self.rt
        rt.phase = "init"
        rt.trade_date = self.days[0]
        rt.now = _dt.datetime.combine(self.days[0], _dt.time(8, 0))
        self._load_window(0)
        self._di = self._win_index[self.days[0]]
        self._hl = _raw(self._win.high_limit[self._di])
        self._ll = _raw(self._win.low_limit[self._di])
        self._open_today = (self._win.is_open[self._di] & self._win.listed[self._di]).astype(np.uint8)
        self._guarded(lambda: self._call("init", self._cb["initialize"], self.context))
        apply_params(self)  # sweep/run(params=...) overrides of initialize's g defaults (engine/params.py)
        self.context.initialized = True

    def step(self) -> bool:
        """Simulate the next trading day; ``False`` once every day has run."""
        k = self._next_day
        if k >= len(self.days):
            return False
        self._guarded(lambda: self._run_day(k))
        self._next_day = k + 1
        if self.progress is not None:
            self.progress(k + 1, len(self.days), self.days[k])
        return self._next_day < len(self.days)

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
        except E.StrategyRuntimeError as exc:
            from ..results_builder import build_result
            exc.partial_result = build_result(self, _time.perf_counter() - self._t0, complete=False)
            raise

    def run(self):
        """Run the whole backtest and return its :class:`~ptrade_fast.result.Result`."""
        self.start()
        while self.step():
            pass
        return self.finish()


def _as_date(x) -> _dt.date:
    if isinstance(x, _dt.datetime):
        return x.date()
    if isinstance(x, _dt.date):
        return x
    if isinstance(x, np.datetime64):
        return x.astype("datetime64[D]").astype(object)
    s = str(x).strip()
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"):
        try:
            return _dt.datetime.strptime(s, fmt).date()
        except ValueError:
            pass
    raise ValueError(f"cannot read {x!r} as a date (use 'YYYY-mm-dd' or 'YYYYmmdd')")
