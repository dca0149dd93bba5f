"""Bar-synthesised snapshots (run option ``snapshot='bars'``, CLI ``--snapshot bars``): an opt-in extension.

On the platform ``get_snapshot``, ``get_gear_price`` and ``run_interval`` exist only in live trading; a
backtest raises for the first two and never calls the third (§H.12).  With ``snapshot='bars'`` a live-style
strategy can be smoke-tested on bars:

* ``get_snapshot`` answers from the current bar and the day's bars so far (fields and approximations in
  docs/engine.md, "Bar-synthesised snapshots");
* ``get_gear_price`` answers five price levels on each side around the last price, one price step apart,
  with volume and count 0 (the bars carry no order book);
* every ``run_interval`` function runs on the minute bars at its period rounded up to whole minutes
  (``seconds=10`` every bar, ``seconds=300`` every fifth bar: 09:35, 09:40 …), after the ``run_daily``
  functions due at that bar and before ``handle_data``; in a daily run once per day, at 15:00.

The runner makes one call per bar (:meth:`BarIntervals.on_bar`); everything else lives here.
"""
from __future__ import annotations

import datetime as _dt
import math

import numpy as np

from ..data.codes import classify, exchange_of, normalize_code
from ..model.phases import phases
from ..model.units import SCALE

SNAPSHOT_MODES = (None, "bars")
_SNAPSHOT_PHASES = ("handle", "tick", "sched", "before", "after")
_LEVELS = 5


def snapshot_mode(options: dict):
    """The validated ``snapshot`` option: ``None`` (off, the default) or ``'bars'``."""
    mode = options.get("snapshot")
    if mode not in SNAPSHOT_MODES:
        raise ValueError(f"snapshot must be None (off) or 'bars' (synthesise snapshots from bars), was {mode!r}")
    return mode


def interval_minutes(seconds) -> int:
    """A run_interval period in whole minute bars: ``seconds`` rounded up to a minute (the platform raises
    values below 3 seconds to 3, so every period is at least one bar)."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds) \
            or seconds <= 0:
        raise ValueError(f"run_interval: seconds must be a positive number, was {seconds!r}")
    return max(1, math.ceil(max(float(seconds), 3.0) / 60.0))


class BarIntervals:
    """The snapshot functions and the run_interval clock of one backtest in ``snapshot='bars'`` mode."""

    def __init__(self, rt, market, settings, caller, context, iopv=None):
        self.rt = rt
        self.iopv = iopv                  # code -> an ETF's IOPV or None (api/etf.py ETFAPI.iopv)
        self.eng = market                 # engine.market_view.MarketView: today's rows, prices, limits
        self.store = rt.store
        self.settings = settings
        self.caller = caller
        self.context = context

    @classmethod
    def create(cls, rt, market, settings, caller, context, options, iopv=None):
        """The mode's object for a run, or ``None`` when the run does not ask for it."""
        return cls(rt, market, settings, caller, context, iopv) if snapshot_mode(options) == "bars" else None

    # -- run_interval ------------------------------------------------------------------------------
    def on_bar(self, bar_index: int) -> None:
        """Run the run_interval functions due at the bar ``bar_index`` (0 … 239; daily runs pass 239)."""
        tasks = self.settings.interval_tasks
        if not tasks:
            return
        done = bar_index + 1
        for func, seconds in list(tasks):
            k = 1 if self.rt.frequency == "1d" else interval_minutes(seconds)
            if done % k == 0 or self.rt.frequency == "1d":
                self.caller.call("sched", func, self.context)

    # -- the bar state -----------------------------------------------------------------------------
    def _day_so_far(self, sid: int) -> dict:
        """open/high/low/last/volume/money of ``sid`` today up to the simulated time (NaN before the open)."""
        eng, rt = self.eng, self.rt
        w, di = eng.win, eng.di
        bi = rt.bar_index
        if bi is None:                                   # before the open: nothing traded yet
            return {"open": np.nan, "high": np.nan, "low": np.nan, "volume": 0.0, "money": 0.0, "last_volume": 0.0}
        if rt.frequency == "1m" and bi < 240 and eng.minute_fields:
            f = eng.minute_fields
            n = bi + 1
            opens = f["open"][:n, sid]
            ok = np.isfinite(opens)
            first = opens[ok][0] if ok.any() else np.nan
            with np.errstate(all="ignore"):
                high = np.nanmax(f["high"][:n, sid]) if ok.any() else np.nan
                low = np.nanmin(f["low"][:n, sid]) if ok.any() else np.nan
            return {"open": float(first), "high": float(high), "low": float(low),
                    "volume": float(np.nansum(f["volume"][:n, sid])), "money": float(np.nansum(f["money"][:n, sid])),
                    "last_volume": float(np.nan_to_num(f["volume"][bi, sid]))}
        return {"open": float(w.open[di, sid]), "high": float(w.high[di, sid]), "low": float(w.low[di, sid]),
                "volume": float(np.nan_to_num(w.volume[di, sid])), "money": float(np.nan_to_num(w.money[di, sid])),
                "last_volume": float(np.nan_to_num(w.volume[di, sid]))}

    def _tick(self, code: str) -> float:
        from ..rules.instruments import resolve
        try:
            return float(resolve(classify(code) or "stock", exchange_of(code), self.rt.trade_date).tick)
        except KeyError:
            return 0.01

    def _one(self, code: str) -> dict | None:
        eng, rt = self.eng, self.rt
        sid = self.store.sid(code)
        if sid < 0 or eng.win is None:
            return None
        w, di = eng.win, eng.di
        listed = bool(w.listed[di, sid])
        day = self._day_so_far(sid)
        last = eng.current_price(sid)
        prev = eng.prev_close_row(di)[sid]
        prev = float(w.preclose[di, sid]) if np.isfinite(w.preclose[di, sid]) else float(prev)
        hl, ll = eng.day_limits(sid)
        n_done = 0 if rt.bar_index is None else (240 if rt.frequency == "1d" else min(rt.bar_index + 1, 240))
        halted = not eng.day_is_open(sid)
        status = "DELISTED" if eng.listing_state(sid) == "delisted" else (
            "STOPT" if halted or not listed else ("ENDTR" if n_done >= 240 and rt.phase == "after" else "TRADE"))
        vol, money = day["volume"], day["money"]
        wavg = money / vol if vol > 0 else last
        now = rt.now or _dt.datetime.combine(rt.trade_date, _dt.time(9, 30))
        inst = self.store.instruments
        list_date = inst.at[code, "list_date"] if code in inst.index and "list_date" in inst else None
        issue = int(str(list_date)[:10].replace("-", "")) if list_date is not None and str(list_date)[:4].isdigit() else 0
        snap = {
            "amount": 0, "avg_px": wavg, "wavg_px": wavg,
            "bid_grp": self._levels(code, last, hl, ll, side=-1), "offer_grp": self._levels(code, last, hl, ll, side=1),
            "business_amount": int(vol), "business_amount_in": 0, "business_amount_out": 0,
            "business_balance": money, "business_count": 0, "circulation_amount": 0,
            "close_px": last, "current_amount": int(day["last_volume"]),
            "down_px": ll / SCALE, "up_px": hl / SCALE,
            "end_trade_date": "", "start_trade_date": "", "entrust_diff": 0.0, "entrust_rate": 0.0,
            "high_px": _num(day["high"]), "low_px": _num(day["low"]), "open_px": _num(day["open"]),
            "hsTimeStamp": int(now.strftime("%Y%m%d%H%M%S")) * 1000, "issue_date": issue,
            "last_px": last, "pb_rate": 0.0, "pe_rate": 0.0, "preclose_px": _num(prev),
            "prev_settlement": 0.0, "settlement": 0.0,
            "px_change_rate": round((last / prev - 1.0) * 100.0, 4) if prev and np.isfinite(prev) and last else 0.0,
            "tick_size": self._tick(code), "total_bid_turnover": 0, "total_offer_turnover": 0,
            "total_bidqty": 0, "total_offerqty": 0, "trade_mins": n_done, "trade_status": status,
            "turnover_ratio": 0.0, "vol_ratio": 0.0,
        }
        iopv = self.iopv(code) if self.iopv is not None else None
        if iopv is not None:
            snap["iopv"] = iopv
        return snap

    def _levels(self, code, last, hl, ll, side) -> dict:
        """Five price levels one step apart on one side of ``last`` (volume and count 0), inside the limits."""
        if not last:
            return {}
        tick = self._tick(code)
        dec = max(0, -int(math.floor(math.log10(tick) + 1e-9)))
        out = {}
        for i in range(_LEVELS):
            px = round(last + side * (i + (1 if side > 0 else 0)) * tick, dec)
            if (hl and px > hl / SCALE + 1e-9) or (ll and px < ll / SCALE - 1e-9) or px <= 0:
                break
            out[i + 1] = [px, 0, 0]
        return out

    def _codes(self, security, fn):
        if isinstance(security, str):
            return [security], True
        try:
            items = list(security)
        except TypeError:
            raise TypeError(f"{fn}: security must be a code or a list of codes, was {security!r}") from None
        for c in items:
            if not isinstance(c, str):
                raise TypeError(f"{fn}: every code must be a str, got {c!r}")
        return items, False

    # -- the API -----------------------------------------------------------------------------------
    @phases(*_SNAPSHOT_PHASES)
    def get_snapshot(self, security):
        """get_snapshot, synthesised from bars (run option ``snapshot='bars'``).

        Parameters
        ----------
        security : str or list of str
            Codes in any suffix form; the keys echo the caller's spelling.

        Returns
        -------
        dict
            code -> snapshot dict with every field of Ptrade's snapshot; a code without data is left out.

        Differences from Ptrade
        -----------------------
        Live only on the platform.  Prices and volumes come from the current bar and the day's bars so far;
        the order book, trade counts, inner/outer volume, P/E, P/B and volume ratio are not in the bars and
        are 0 (docs/engine.md lists each field).
        """
        items, _ = self._codes(security, "get_snapshot")
        out = {}
        for given in items:
            snap = self._one(normalize_code(given))
            if snap is not None:
                out[given] = snap
        return out

    @phases("handle", "tick", "sched")
    def get_gear_price(self, sids):
        """get_gear_price, synthesised from bars (run option ``snapshot='bars'``).

        Parameters
        ----------
        sids : str or list of str

        Returns
        -------
        dict
            One code: ``{'bid_grp': {1: [price, volume, count], …}, 'offer_grp': {…}}``; several codes:
            ``{code: {...}}``.  A code without data gets empty groups.

        Differences from Ptrade
        -----------------------
        Live only on the platform.  The levels are the last price (bid 1) and one price step above it
        (offer 1), then one step apart, inside the day's limits; volumes and counts are 0.
        """
        items, single = self._codes(sids, "get_gear_price")
        out = {}
        for given in items:
            snap = self._one(normalize_code(given))
            out[given] = ({"bid_grp": snap["bid_grp"], "offer_grp": snap["offer_grp"]} if snap is not None
                          else {"bid_grp": {}, "offer_grp": {}})
        return out[items[0]] if single else out


def _num(x) -> float:
    return float(x) if x is not None and np.isfinite(x) else 0.0
