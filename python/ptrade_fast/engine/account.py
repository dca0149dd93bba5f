"""The stock account: the kernels (ledger, order book, fee table, fill buffer) plus the Python-side
order metadata (Ptrade ids, creation times) and the views Ptrade's objects are built from.

Everything money-like crosses the boundary here: kernels hold integers in 1e-4 CNY
(``_core.PRICE_SCALE``), Ptrade objects show floats in CNY.
"""
from __future__ import annotations

import hashlib

import numpy as np

from .. import _core
from .._core.fills import FillBuffer, MatchParams
from .._core.book import OrderBook
from .._core.fees import FeeTable
from .._core.futures import FuturesFeeTable, FuturesLedger
from .._core.ledger import Ledger
from .._core.margin import MarginLedger

from ..data.codes import normalize_code, to_long
from ..errors import error_info
from ..model import Order, Position, PositionDict
from ..model.units import SCALE, to_raw
from . import ipo as _ipo
from . import repo as _repo



def order_id(seed: int, n: int) -> str:
    """Deterministic 32-hex order id (Ptrade uses uuid4 hex; §H.13 wants a seeded counter)."""
    return hashlib.md5(f"ptrade_fast:{seed}:{n}".encode()).hexdigest()


class Account:
    """Holds the kernels of one backtest and renders their state as Ptrade objects."""

    def __init__(self, rt, store, capital_base: float, seed: int = 0):
        self.rt = rt
        self.store = store
        self.codes = store.codes
        n = store.n_sids
        inst = store.instrument_arrays()
        self.inst = inst
        self.ledger = Ledger(n, to_raw(capital_base))
        self.ledger.set_t0(np.ascontiguousarray(inst["t0"], dtype=np.uint8))
        self.book = OrderBook(1024)
        self.fees = FeeTable(n)
        # Futures legs share the stock ledger's cash: a hedged strategy is one account.
        self.futures = FuturesLedger(n, self.ledger)
        self.futures_fees = FuturesFeeTable(n)
        # 融资融券 debts on the same ledger (used only when the run simulates a credit account).
        self.margin = MarginLedger(n, self.ledger)
        self.margin_enabled = False
        self.is_future = np.asarray(inst["type"] == "future", dtype=bool)
        self.futures_sids = np.flatnonzero(self.is_future)
        self._fut_traded_today = np.zeros(n, dtype=bool)
        self.fills = FillBuffer()
        self.params = MatchParams()
        self.seed = seed
        self.capital_base = capital_base
        self.starting_value = capital_base
        self.start_date = None
        # Per order row (book row index): Ptrade id, creation time, trade date.
        self.order_ids: list[str] = []
        self.order_dt: list = []
        self.order_ref: list[float] = []  # price a market-style order was sized at (Order.limit)
        self.id_to_row: dict[str, int] = {}
        self.order_notes: dict[int, str] = {}   # row → why the engine placed it (e.g. forced liquidation)
        self.day_first_row = 0
        # Fills of the whole run: one tuple per fill, appended after every match.
        self.trades: list[tuple] = []
        self.day_first_trade = 0
        self._trade_seq = 0
        self._positions_cache = None
        self._version = 0  # bumps whenever the ledger may have changed
        # Extensions (engine/repo.py, engine/ipo.py): their state is plain data here, so checkpoints carry it.
        self.repo_state = _repo.new_state()
        self.ipo_state = _ipo.new_state()
        self.repo = _repo.RepoDesk(rt, self, store.calendar)
        self.ipo = _ipo.IpoDesk(rt, self, store, rt.options)
        self._fee_key = None  # what today's fee table was filled from (fill_fees)

    # -- money views -------------------------------------------------------------------------------
    @property
    def cash(self) -> float:
        return self.ledger.cash / SCALE

    @property
    def positions_value(self) -> float:
        """Stock market value plus, for futures, the margin in use and the floating P&L (so that
        ``portfolio_value = cash + positions_value`` is the account's equity, 客户权益)."""
        value = self.ledger.positions_value()
        if self.has_futures():
            value += self.futures.margin_total() + self.futures.floating_pnl()
        if self.repo_state["loans"]:
            value += self.repo.value_raw()          # principal lent by reverse repo, until it returns
        if self.margin_enabled:
            # Credit account equity: frozen short proceeds are assets; debts (principal, shares owed at the
            # current price, interest, lending fees) are liabilities.
            m = self.margin
            value += int(m.slo_proceeds.sum()) - m.total_debit()
        return value / SCALE

    def holding(self) -> bool:
        """Whether any position (stock, futures leg, short) is open: marking is needed only then."""
        if self.ledger.amount.any() or (self.futures_sids.size and self.has_futures()):
            return True
        return self.margin_enabled and bool(self.margin.slo_amount.any())

    def mark(self, close, valid) -> None:
        """Value holdings at ``close`` (kernel prices) where ``valid``; suspended securities keep their last
        price (§C.4: last_sale_price is the latest price of the current bar)."""
        self.ledger.mark(close, valid)
        if self.futures_sids.size and self.has_futures():
            self.futures.mark(close, valid)
        if self.margin_enabled:
            self.margin.mark(close, valid)
        self._positions_cache = None   # Position views are rebuilt on next access

    def has_futures(self) -> bool:
        f = self.futures
        return bool(self.is_future.any()) and bool((f.long_amount.any() or f.short_amount.any()))

    @property
    def capital_used(self) -> float:
        return self.capital_base - self.cash

    def touch(self):
        self._version += 1
        self._positions_cache = None

    # -- positions ---------------------------------------------------------------------------------
    def position(self, sid: int, code: str | None = None, price: float | None = None) -> Position:
        if self.repo.holds(sid):
            return self.repo.position(sid, code or str(self.codes[sid]))
        lg = self.ledger
        amount = int(lg.amount[sid])
        code = code or str(self.codes[sid])
        last = lg.last_price[sid] / SCALE if amount else (price if price is not None else lg.last_price[sid] / SCALE)
        cost = lg.cost_total[sid] / SCALE / amount if amount else 0.0
        pos = Position(code, amount, int(lg.enable_amount[sid]), cost, last, int(lg.today_buy[sid]),
                       "stock", self.rt.now)
        if self.margin_enabled and self.margin.slo_amount[sid]:
            pos.short_amount = int(self.margin.slo_amount[sid])       # shares borrowed and sold short
            pos.last_sale_price = self.margin.last_price[sid] / SCALE or last
        return pos

    def _stock_positions(self, sids) -> dict:
        """:meth:`position` for many stock sids at once: the ledger's columns read once, each value the same
        number (and type) one position at a time gives."""
        lg = self.ledger
        amounts = lg.amount[sids]
        lasts = lg.last_price[sids] / SCALE
        totals = lg.cost_total[sids] / SCALE
        costs = np.divide(totals, amounts, out=np.zeros_like(totals), where=amounts != 0)
        now = self.rt.now
        items = {}
        for i, (code, amount, enable, today) in enumerate(zip(self.codes[sids].tolist(), amounts.tolist(),
                                                              lg.enable_amount[sids].tolist(),
                                                              lg.today_buy[sids].tolist())):
            code = str(code)
            items[code] = Position(code, amount, enable, costs[i] if amount else 0.0, lasts[i], today, "stock",
                                   now)
        return items

    def held_or_traded_today(self) -> np.ndarray:
        lg, f = self.ledger, self.futures
        mask = (lg.amount != 0) | (lg.today_buy != 0) | (lg.today_sell != 0)
        if self.is_future.any():
            mask |= (f.long_amount != 0) | (f.short_amount != 0) | self._fut_traded_today
        if self.margin_enabled:
            mask |= self.margin.slo_amount != 0
        if self.repo_state["loans"]:
            mask[self.repo.held_sids()] = True
        return np.flatnonzero(mask)

    def future_position(self, sid: int, code: str) -> Position:
        """A futures Position (§C.5 futures account): long and short legs of one contract."""
        f = self.futures
        mult = float(f.multiplier[sid]) or 1.0
        lo = np.zeros(self.ledger.n_sids, dtype=np.int64)
        so = np.zeros(self.ledger.n_sids, dtype=np.int64)
        f.floating_pnl(None, lo, so)
        la, sa = int(f.long_amount[sid]), int(f.short_amount[sid])
        p = Position(code, la + sa, la + sa, 0.0, f.last_price[sid] / SCALE, 0, "future", self.rt.now)
        p.long_amount, p.short_amount = la, sa
        p.long_enable_amount, p.short_enable_amount = la, sa          # T+0
        p.today_long_amount, p.today_short_amount = int(f.long_today[sid]), int(f.short_today[sid])
        p.long_cost_basis = f.long_basis_total[sid] / SCALE / (la * mult) if la else 0.0
        p.short_cost_basis = f.short_basis_total[sid] / SCALE / (sa * mult) if sa else 0.0
        p.long_pnl, p.short_pnl = lo[sid] / SCALE, so[sid] / SCALE
        p.margin_rate = float(f.margin_rate[sid])
        p.contract_multiplier = mult
        dd = self.inst.get("delivery_date")
        if dd is not None and not np.isnat(dd[sid]):
            p.delivery_date = str(dd[sid])
        return p

    def portfolio_positions(self) -> PositionDict:
        """``context.portfolio.positions``: held securities plus those closed earlier today (§C.5)."""
        if self._positions_cache is None:
            items = {}
            sids = self.held_or_traded_today()
            if len(sids) > 1 and not self.margin_enabled and not self.is_future[sids].any():
                self._positions_cache = PositionDict(self._stock_positions(sids), normalize_code)
                return self._positions_cache
            for sid in sids:
                code = str(self.codes[sid])
                items[code] = (self.future_position(int(sid), code) if self.is_future[sid]
                               else self.position(int(sid), code))
            self._positions_cache = PositionDict(items, normalize_code)
        return self._positions_cache

    # -- orders ------------------------------------------------------------------------------------
    def new_order_row(self, row: int, dt, ref_price: float) -> str:
        oid = order_id(self.seed, row)
        assert row == len(self.order_ids)
        self.order_ids.append(oid)
        self.order_dt.append(dt)
        self.order_ref.append(ref_price)
        self.id_to_row[oid] = row
        return oid

    def order_object(self, row: int) -> Order:
        b = self.book
        sid = int(b.sid[row])
        code = str(self.codes[sid])
        side = int(b.side[row])
        limit_raw = int(b.limit_price[row])
        limit = limit_raw / SCALE if limit_raw else self.order_ref[row]
        status = chr(int(b.status[row]))
        info = error_info(int(b.reason[row]))
        note = self.order_notes.get(row)
        if note:
            info = f"{note}; {info}" if info else note
        return Order(self.order_ids[row], self.order_dt[row], limit, to_long(code),
                     side * int(b.amount[row]), side * int(b.filled[row]), str(int(b.entrust_no[row])),
                     status, info, code)

    def today_rows(self):
        return range(self.day_first_row, self.book.n_orders)

    def extension_desk(self, row: int):
        """The desk (repo or IPO) that owns order ``row``, or None for a row of the matching kernel."""
        if self.repo.owns(row):
            return self.repo
        if self.ipo.owns(row):
            return self.ipo
        return None

    # -- fills -------------------------------------------------------------------------------------
    def collect_fills(self, dt) -> list[tuple]:
        """Move the fill buffer's rows into the run's trade list; return the new trades."""
        f = self.fills
        if f.n == 0:
            return []
        cols = f.columns()
        new = []
        for i in range(f.n):
            self._trade_seq += 1
            row = int(cols["order_row"][i])
            new.append((str(self._trade_seq), row, dt, int(cols["sid"][i]), int(cols["side"][i]),
                        int(cols["qty"][i]), int(cols["price"][i]), int(cols["value"][i]),
                        int(cols["commission"][i]), int(cols["handling_fee"][i]),
                        int(cols["transfer_fee"][i]), int(cols["stamp_duty"][i])))
        f.clear()
        for t in new:
            if self.is_future[t[3]]:
                self._fut_traded_today[t[3]] = True
        self.trades.extend(new)
        self.touch()
        return new

    def open_close(self, row: int) -> str:
        """'开仓' / '平仓' for a futures order's fills, '' for stock orders."""
        ot = int(self.book.otype[row])
        return "" if ot == 0 or ot > 3 else ("开仓" if ot == 1 else "平仓")

    def trade_row_for_ptrade(self, t) -> list:
        """One fill as a ``get_trades()`` inner list (§D.8); futures insert open/close after the side."""
        trade_id, row, dt, sid, side, qty, price, value = t[:8]
        out = [trade_id, str(int(self.book.entrust_no[row])), to_long(str(self.codes[sid])),
               "买" if side > 0 else "卖", float(qty), price / SCALE, value / SCALE,
               dt.strftime("%Y-%m-%d %H:%M:%S")]
        if self.is_future[sid]:
            out.insert(4, self.open_close(row))
        return out

    def fill_fees(self, settings, day) -> None:
        """Today's fee table (``FeeSettings.fill_table``), refilled only when what it is made of changed: the
        commission settings, the stamp duty in force, or (cost_model 'market') the day's dated rates."""
        key = (settings.cost_model, settings.stamp_duty, settings.per_trade_sell_extra,
               tuple(settings.commission.items()), settings.stamp_rate_on(day),
               day if settings.cost_model != "ptrade" else None)
        if key != self._fee_key:
            settings.fill_table(self.fees, day, self.inst)
            self._fee_key = key

    def new_day(self):
        self._fut_traded_today[:] = False
        self.day_first_row = self.book.n_orders
        self.day_first_trade = len(self.trades)
        self.touch()
