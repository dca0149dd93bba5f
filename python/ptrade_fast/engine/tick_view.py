"""What a tick replay shows the strategy: the day's snapshot arrays with a cursor per step, the snapshot dict of
``get_snapshot``, and the ``data`` of ``tick_data`` (``data[code]['tick' | 'order' | 'transcation']``).

:class:`TickCursor` holds one :class:`~ptrade_fast.data.ticks.TickDay` and, for every step of the day and
every loaded security, the index of its latest snapshot (``-1`` before its first) and the number of its
trades and orders so far: three ``[steps, codes]`` int arrays computed once per day, so a step costs no
search.  Snapshot dicts and frames are built only when the strategy reads them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.codes import normalize_code
from ..data.ticks import LEVELS, STATUSES
from ..model.units import SCALE

# The §C.11 snapshot fields, in the order of a snapshot dict (the columns of data[code]['tick']).
SNAPSHOT_FIELDS = (
    "amount", "avg_px", "wavg_px", "bid_grp", "offer_grp", "business_amount", "business_amount_in",
    "business_amount_out", "business_balance", "business_count", "circulation_amount", "close_px",
    "current_amount", "down_px", "up_px", "end_trade_date", "start_trade_date", "entrust_diff", "entrust_rate",
    "high_px", "low_px", "open_px", "hsTimeStamp", "issue_date", "last_px", "pb_rate", "pe_rate", "preclose_px",
    "prev_settlement", "settlement", "px_change_rate", "tick_size", "total_bid_turnover", "total_offer_turnover",
    "total_bidqty", "total_offerqty", "trade_mins", "trade_status", "turnover_ratio", "vol_ratio",
)
TRANSACTION_FIELDS = ("business_time", "hq_px", "business_amount", "trade_index", "business_direction", "buy_no",
                      "sell_no", "trans_flag", "trans_identify_am", "channel_num")
ENTRUST_FIELDS = ("business_time", "hq_px", "business_amount", "order_no", "business_direction", "trans_kind")


# Snapshot fields read straight from one array of the day (the frame's fast path): field -> (array, kind)
# with kind 'px' (raw price / SCALE), 'int' or 'float'.
_DIRECT = {"last_px": ("last", "px"), "close_px": ("last", "px"), "open_px": ("open", "px"),
           "high_px": ("high", "px"), "low_px": ("low", "px"), "preclose_px": ("preclose", "px"),
           "up_px": ("up", "px"), "down_px": ("down", "px"), "business_amount": ("volume", "int"),
           "business_balance": ("balance", "float"), "business_count": ("count", "int"),
           "business_amount_in": ("vol_in", "int"), "business_amount_out": ("vol_out", "int")}


class TickCursor:
    """One day of snapshots for the loaded codes and the per-step cursors (see the module docstring)."""

    def __init__(self, day, steps: np.ndarray):
        self.day = day                              # data.ticks.TickDay
        self.steps = steps
        k = len(day.codes)
        self.snap = np.full((len(steps), k), -1, np.int64)
        self.ntr = np.zeros((len(steps), k), np.int64)
        self.nor = np.zeros((len(steps), k), np.int64)
        for j in range(k):
            a, b = int(day.start[j]), int(day.start[j + 1])
            pos = np.searchsorted(day.time[a:b], steps, side="right")
            self.snap[:, j] = np.where(pos > 0, a + pos - 1, -1)
            for events, out in ((day.trades, self.ntr), (day.orders, self.nor)):
                if events is not None:
                    ea, eb = int(events["start"][j]), int(events["start"][j + 1])
                    out[:, j] = ea + np.searchsorted(events["time"][ea:eb], steps, side="right")
        self.date_int = int(str(day.date).replace("-", ""))

    def stamp(self, ms) -> np.ndarray:
        """``YYYYmmddHHMMSSfff`` integers of times ``ms`` (ms after midnight) of the day."""
        ms = np.asarray(ms, np.int64)
        h, rem = np.divmod(ms, 3_600_000)
        m, rem = np.divmod(rem, 60_000)
        s, f = np.divmod(rem, 1000)
        return self.date_int * 1_000_000_000 + h * 10_000_000 + m * 100_000 + s * 1000 + f

    # -- the snapshot dict (docs/ptrade-api.md §C.11) --------------------------------------------------
    def snapshot(self, j: int, row: int, tick_size: float, trade_mins: int, info: dict) -> dict:
        """The snapshot dict of row ``row`` of the ``j``-th code (every §C.11 field)."""
        d = self.day
        last = d.last[row] / SCALE
        pre = d.preclose[row] / SCALE
        vol = int(d.volume[row])
        bal = float(d.balance[row])
        wavg = round(bal / vol, 4) if vol > 0 else last
        a = int(d.start[j])
        prev_vol = int(d.volume[row - 1]) if row > a else 0
        bidq, askq = int(d.bid_vol[row].sum()), int(d.ask_vol[row].sum())
        return {
            "amount": 0, "avg_px": wavg, "wavg_px": wavg,
            "bid_grp": self.levels(row, "bid"), "offer_grp": self.levels(row, "ask"),
            "business_amount": vol, "business_amount_in": int(d.vol_in[row]),
            "business_amount_out": int(d.vol_out[row]), "business_balance": bal,
            "business_count": int(d.count[row]), "circulation_amount": 0,
            "close_px": last, "current_amount": vol - prev_vol,
            "down_px": d.down[row] / SCALE, "up_px": d.up[row] / SCALE,
            "end_trade_date": info.get("end_trade_date", ""), "start_trade_date": info.get("start_trade_date", ""),
            "entrust_diff": float(bidq - askq),
            "entrust_rate": round((bidq - askq) / (bidq + askq) * 100.0, 4) if bidq + askq else 0.0,
            "high_px": d.high[row] / SCALE, "low_px": d.low[row] / SCALE, "open_px": d.open[row] / SCALE,
            "hsTimeStamp": int(self.stamp(d.time[row])), "issue_date": info.get("issue_date", 0),
            "last_px": last, "pb_rate": 0.0, "pe_rate": 0.0, "preclose_px": pre,
            "prev_settlement": 0.0, "settlement": 0.0,
            "px_change_rate": round((last / pre - 1.0) * 100.0, 4) if pre and last else 0.0,
            "tick_size": tick_size,
            "total_bid_turnover": 0, "total_offer_turnover": 0,
            "total_bidqty": int(d.total_bidqty[row]) or bidq, "total_offerqty": int(d.total_offerqty[row]) or askq,
            "trade_mins": trade_mins, "trade_status": STATUSES[d.status[row]],
            "turnover_ratio": 0.0, "vol_ratio": 0.0,
        }

    def field(self, row: int, key: str):
        """One snapshot field of ``row`` when it is a plain array value, else ``None`` (build the snapshot)."""
        spec = _DIRECT.get(key)
        if spec is None:
            return None
        v = getattr(self.day, spec[0])[row]
        return v / SCALE if spec[1] == "px" else (int(v) if spec[1] == "int" else float(v))

    def levels(self, row: int, side: str) -> dict:
        """``{1: [price, volume, count], …}`` of one side of the book (empty levels left out)."""
        d = self.day
        px, vol, cnt = (d.bid_px, d.bid_vol, d.bid_cnt) if side == "bid" else (d.ask_px, d.ask_vol, d.ask_cnt)
        out = {}
        for i in range(LEVELS):
            p = int(px[row, i])
            if p <= 0:
                break
            out[i + 1] = [p / SCALE, int(vol[row, i]), int(cnt[row, i])]
        return out

    # -- Level-2 frames ------------------------------------------------------------------------------
    def transactions(self, j: int, lo: int, hi: int) -> pd.DataFrame:
        """The trades ``lo:hi`` (absolute rows of the trades arrays) as Ptrade's transaction frame."""
        t = self.day.trades
        return pd.DataFrame({
            "business_time": self.stamp(t["time"][lo:hi]), "hq_px": t["price"][lo:hi] / SCALE,
            "business_amount": t["volume"][lo:hi], "trade_index": t["trade_index"][lo:hi],
            "business_direction": t["direction"][lo:hi].astype(np.int64), "buy_no": t["buy_no"][lo:hi],
            "sell_no": t["sell_no"][lo:hi], "trans_flag": t["trans_flag"][lo:hi].astype(np.int64),
            "trans_identify_am": np.zeros(hi - lo, np.int64), "channel_num": t["channel_num"][lo:hi].astype(np.int64),
        }, columns=list(TRANSACTION_FIELDS))

    def entrusts(self, j: int, lo: int, hi: int) -> pd.DataFrame:
        """The orders ``lo:hi`` as Ptrade's entrust frame."""
        o = self.day.orders
        return pd.DataFrame({
            "business_time": self.stamp(o["time"][lo:hi]), "hq_px": o["price"][lo:hi] / SCALE,
            "business_amount": o["volume"][lo:hi], "order_no": o["order_no"][lo:hi],
            "business_direction": o["direction"][lo:hi].astype(np.int64),
            "trans_kind": o["trans_kind"][lo:hi].astype(np.int64),
        }, columns=list(ENTRUST_FIELDS))


class TickFrame:
    """``data[code]['tick']``: the platform's one-row DataFrame of the snapshot, built lazily.

    ``frame[field]`` is a one-element Series (so ``frame['last_px'][0]``, ``.iloc[0]``, ``.values[0]``,
    ``float(...)`` and arithmetic work as on the platform); ``bid_grp`` / ``offer_grp`` hold the dict's
    ``repr`` string (strategies ``eval`` / ``ast.literal_eval`` it).  Any other DataFrame attribute
    (``loc``, ``iloc``, ``columns``, ``to_dict`` …) is answered by the full frame, built on first use."""

    __slots__ = ("_make", "_field", "_snapshot", "_frame", "_cols")

    def __init__(self, make, field=None):
        self._make = make                            # () -> the snapshot dict (built on first need)
        self._field = field                          # key -> a plain field's value or None (fast path)
        self._snapshot = None
        self._frame = None
        self._cols = {}

    @property
    def _snap(self) -> dict:
        if self._snapshot is None:
            self._snapshot = self._make()
        return self._snapshot

    def _value(self, key):
        v = self._field(key) if self._field is not None else None
        if v is None:
            v = self._snap[key]
        return repr(v) if isinstance(v, dict) else v

    def __getitem__(self, key):
        if isinstance(key, str):
            s = self._cols.get(key)
            if s is None:
                if key not in SNAPSHOT_FIELDS:
                    raise KeyError(key)
                s = self._cols[key] = pd.Series([self._value(key)], name=key)
            return s
        return self.frame()[key]

    def __contains__(self, key) -> bool:
        return key in SNAPSHOT_FIELDS

    def __len__(self) -> int:
        return 1

    def __iter__(self):
        return iter(SNAPSHOT_FIELDS)

    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            self._frame = pd.DataFrame({k: [self._value(k)] for k in SNAPSHOT_FIELDS})
        return self._frame

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in SNAPSHOT_FIELDS:
            return self[name]
        return getattr(self.frame(), name)

    def __repr__(self) -> str:
        return repr(self.frame())


class TickEntry:
    """``data[code]`` in ``tick_data``: ``'tick'``, ``'order'``, ``'transcation'`` (and the later edition's
    ``'transaction'``), values built when read."""

    __slots__ = ("_make", "_keys", "_cache")

    def __init__(self, make, keys):
        self._make = make
        self._keys = keys
        self._cache = {}

    def __getitem__(self, key):
        if key not in self._keys:
            raise KeyError(key)
        if key not in self._cache:
            self._cache[key] = self._make(key)
        return self._cache[key]

    def get(self, key, default=None):
        return self[key] if key in self._keys else default

    def __contains__(self, key) -> bool:
        return key in self._keys

    def keys(self):
        return list(self._keys)

    def __iter__(self):
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def items(self):
        return [(k, self[k]) for k in self._keys]

    def values(self):
        return [self[k] for k in self._keys]


class TickData:
    """``data`` of ``tick_data``: the universe's codes that have a snapshot by now (dict-like)."""

    def __init__(self, replay, codes):
        self._replay = replay
        self._codes = codes                         # the universe (codes in the store's form)

    def _j(self, code):
        if code not in self._codes:
            try:
                code = normalize_code(code)            # '600570.XSHG' finds '600570.SS'
            except (ValueError, TypeError):
                return None
            if code not in self._codes:
                return None
        j = self._replay._pos(code)                    # a code added to the universe is loaded when first seen
        if j is None or self._replay.cursor.snap[self._replay.step, j] < 0:
            return None
        return j

    def _present(self):
        return [c for c in self._codes if self._j(c) is not None]

    def __contains__(self, code) -> bool:
        return self._j(code) is not None

    def __getitem__(self, code):
        j = self._j(code)
        if j is None:
            raise KeyError(f"{code}: not in the universe or no snapshot yet at {self._replay.rt.now}")
        return self._replay.entry(self._replay.cursor.day.codes[j], j)

    def get(self, code, default=None):
        return self[code] if code in self else default

    def keys(self):
        return self._present()

    def __iter__(self):
        return iter(self._present())

    def __len__(self) -> int:
        return len(self._present())

    def items(self):
        return [(c, self[c]) for c in self._present()]

    def values(self):
        return [self[c] for c in self._present()]
