"""Floor benchmark: a strategy file on ptrade_fast against the thinnest Ptrade-shaped driver, same data, one run.

    python benchmarks/floor.py --quick            # small sizes, CI-friendly (about a minute)
    python benchmarks/floor.py                    # the full sizes of issue 12
    python benchmarks/floor.py --only a c         # some scenarios

The floor is the least an engine can do and still hand a strategy Ptrade's shapes: every bar it builds one fresh
pandas DataFrame per ``get_history`` call from dense [dates × codes] arrays read once, keeps positions in a dict
of plain objects, and fills every order at once at the bar's close (platform default fees: commission with its
minimum, handling fee, stamp duty on sells; T+1; lots and the STAR minimum; no fill locked at a price
limit; cash dividends and bonus shares credited on the ex-date).  Adjusted history multiplies
precomputed dense A·P + B factors.  It is a yardstick, not an engine: no phases, no checks, no records.

Each engine runs the same strategy file in its own process (start-up included), on the same synthetic market
(generated once under ``$PTRADE_FAST_BENCH_DIR``, default /tmp/ptrade_fast_bench); the table prints both wall
times, the ratio, and asserts that both made the same number of trades.

Scenarios (full sizes; --quick shrinks them):
  a  dual_ma.py, 1 stock × 10 years daily
  b  dual_ma.py, 100 stocks × 5 years daily
  c  dual_ma.py, 100 stocks × 1 month of 1-minute bars
  d  index_breakout.py: CSI 300 members, get_history(60, fields, members, fq='pre') daily, 5 years
  e  dypre_rotation.py: CSI 500 members ranked on get_history(21, 'close', members, fq='dypre'), 5 years
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CACHE = Path(os.environ.get("PTRADE_FAST_BENCH_DIR", "/tmp/ptrade_fast_bench"))
A_SHARES = ("stock", "chinext", "star")

# name: strategy, frequency, market (stocks, start, end, minute), universe size, history shape
FULL = {
    "a": ("dual_ma.py", "1d", (12, "2013-01-01", "2022-12-31", False), 1, "panel"),
    "b": ("dual_ma.py", "1d", (100, "2018-01-01", "2022-12-31", False), 100, "panel"),
    "c": ("dual_ma.py", "1m", (100, "2023-01-01", "2023-01-31", True), 100, "panel"),
    "d": ("index_breakout.py", "1d", (600, "2018-01-01", "2022-12-31", False), None, "long"),
    "e": ("dypre_rotation.py", "1d", (600, "2018-01-01", "2022-12-31", False), None, "long"),
}
QUICK = {
    "a": ("dual_ma.py", "1d", (12, "2021-01-01", "2022-12-31", False), 1, "panel"),
    "b": ("dual_ma.py", "1d", (30, "2022-01-01", "2022-12-31", False), 20, "panel"),
    "c": ("dual_ma.py", "1m", (12, "2023-01-02", "2023-01-10", True), 10, "panel"),
    "d": ("index_breakout.py", "1d", (60, "2022-01-01", "2022-12-31", False), None, "long"),
    "e": ("dypre_rotation.py", "1d", (60, "2022-01-01", "2022-12-31", False), None, "long"),
}


def market(stocks: int, start: str, end: str, minute: bool) -> Path:
    """A cached synthetic data root (seed 0)."""
    root = CACHE / f"floor_{stocks}_{start}_{end}_{'m' if minute else 'd'}"
    if not (root / "meta.json").is_file():
        from ptrade_fast.data.synthetic import generate
        print(f"  generating {root.name} ...", file=sys.stderr, flush=True)
        generate(root, stocks=stocks, start=start, end=end, minute=minute, seed=0, overwrite=True)
    return root


def strategy_source(name: str, universe) -> str:
    src = (HERE / "strategies" / name).read_text(encoding="utf-8")
    return src.replace("UNIVERSE_SIZE = None", f"UNIVERSE_SIZE = {universe!r}", 1)


# -- the floor driver ---------------------------------------------------------------------------------------


class Position:
    __slots__ = ("sid", "amount", "enable_amount", "cost_basis")

    def __init__(self, sid):
        self.sid, self.amount, self.enable_amount, self.cost_basis = sid, 0, 0, 0.0


class Portfolio:
    def __init__(self, cash):
        self.cash = cash
        self.positions = {}


class Context:
    def __init__(self, cash):
        self.portfolio = Portfolio(cash)
        self.current_dt = None


class G:
    pass


class Log:
    def info(self, *a):
        pass

    warn = warning = error = debug = info


class Floor:
    """Dense arrays read once, one DataFrame per get_history call, fills at the close."""

    def __init__(self, root: Path, frequency: str, shape: str, start: str, end: str):
        import pandas as pd
        import pyarrow.parquet as pq
        from ptrade_fast.data.adjust import price_events
        self.pd = pd
        self.shape = shape
        self.minute = frequency == "1m"
        inst = pd.read_parquet(root / "instruments.parquet")
        self.inst = inst
        cal = pd.read_parquet(root / "calendar.parquet")["date"].to_numpy().astype("datetime64[D]")
        daily = pd.concat([pd.read_parquet(p) for p in sorted((root / "daily").glob("*.parquet"))])
        daily["date"] = pd.to_datetime(daily["date"]).to_numpy().astype("datetime64[D]")
        self.codes = sorted(daily["code"].unique())
        self.sid = {c: i for i, c in enumerate(self.codes)}
        self.dates = cal[(cal >= daily["date"].min()) & (cal <= daily["date"].max())]
        di = np.searchsorted(self.dates, daily["date"].to_numpy())
        si = daily["code"].map(self.sid).to_numpy()
        shape2 = (len(self.dates), len(self.codes))
        self.d = {}
        for f in ("open", "high", "close", "volume", "high_limit", "low_limit"):
            a = np.full(shape2, np.nan)
            a[di, si] = daily[f].to_numpy(float)
            self.d[f] = a
        # dense backward factors: A, B in force on each date for each code
        self.A = np.ones(shape2)
        self.B = np.zeros(shape2)
        self.lastA = np.ones(len(self.codes))
        self.lastB = np.zeros(len(self.codes))
        ex = pd.read_parquet(root / "ex_rights.parquet")
        # holdings' corporate actions, on the first trading day on or after the ex-date: day -> events
        self.actions = {}
        act = ex[ex["has_action"].astype(bool)]
        for code, d, cash, bonus, conv in zip(act["code"], pd.to_datetime(act["ex_date"]), act["cash_dividend"],
                                              act["bonus_ratio"], act["conversion_ratio"]):
            k = int(np.searchsorted(self.dates, np.datetime64(d.date(), "D")))
            if k < len(self.dates):
                self.actions.setdefault(self.dates[k], []).append(
                    (code, round(float(cash or 0.0) * 1e4) / 1e4, float(bonus or 0.0) + float(conv or 0.0)))
        for code, ev in price_events(ex).groupby("code", sort=False):
            j = self.sid.get(code)
            if j is None:
                continue
            a, b = 1.0, 0.0
            for e in ev.itertuples():
                b = b + a * (e.cash_dividend - e.rights_ratio * e.rights_price)
                a = a * (1.0 + e.bonus_ratio + e.conversion_ratio + e.rights_ratio)
                k = np.searchsorted(self.dates, np.datetime64(pd.Timestamp(e.ex_date).date(), "D"))
                self.A[k:, j], self.B[k:, j] = a, b
            self.lastA[j], self.lastB[j] = a, b
        members = pd.read_parquet(root / "index_members.parquet")
        for col in ("start_date", "end_date"):
            members[col] = pd.to_datetime(members[col])
        self.members = {k: v for k, v in members.groupby("index_code")}
        info = inst.set_index("code")
        self.lot = {c: (int(info.at[c, "lot"]), int(info.at[c, "min_buy"])) for c in self.codes if c in info.index}
        self.kind = {c: info.at[c, "type"] for c in self.codes if c in info.index}
        self.list_date = pd.to_datetime(inst["list_date"]).to_numpy().astype("datetime64[D]")
        dl = pd.to_datetime(inst["delist_date"])
        self.delist_date = dl.to_numpy().astype("datetime64[D]")
        self.run_days = self.dates[(self.dates >= np.datetime64(start)) & (self.dates <= np.datetime64(end))]
        self.minute_root = root / "minute"
        self.trades = 0
        self.pending = []

    # -- the API the strategies use ------------------------------------------------------------------
    def api(self):
        noop = lambda *a, **k: None  # noqa: E731
        return {"g": G(), "log": Log(), "get_frequency": lambda: "1m" if self.minute else "1d",
                "set_benchmark": noop, "set_commission": noop, "set_slippage": noop, "set_limit_mode": noop,
                "set_universe": noop, "get_Ashares": self.get_Ashares, "get_index_stocks": self.get_index_stocks,
                "get_history": self.get_history, "order_value": self.order_value, "order_target": self.order_target,
                "order_target_value": self.order_target_value}

    def get_Ashares(self, date=None):
        d = self.today
        ok = self.inst["type"].isin(A_SHARES).to_numpy() & (self.list_date <= d) \
            & (np.isnat(self.delist_date) | (self.delist_date > d))
        return sorted(self.inst["code"].to_numpy()[ok])

    def get_index_stocks(self, index_code, date=None):
        m = self.members.get(index_code)
        if m is None:
            return []
        day = self.pd.Timestamp(self.today)
        ok = (m["start_date"] <= day) & (m["end_date"].isna() | (m["end_date"] >= day))
        return sorted(m.loc[ok, "code"])

    def get_history(self, count, frequency, field, security_list, fq=None, include=False):
        pd = self.pd
        fields = [field] if isinstance(field, str) else list(field)
        sids = [self.sid[c] for c in security_list]
        if self.minute:
            end = self.bar + 1 if include else self.bar
            times, rows = self._minute_window(end, count)
            data = {f: rows[f][:, sids] for f in fields}
        else:
            end = self.di + 1 if include else self.di
            lo = max(0, end - count)
            times = self.dates[lo:end]
            data = {f: self.d[f][lo:end, sids] for f in fields}
            if fq is not None:
                at, bt = self.A[lo:end, sids], self.B[lo:end, sids]
                if fq == "pre":
                    aa, bb = self.lastA[sids], self.lastB[sids]
                elif fq == "dypre":
                    aa, bb = self.A[self.di, sids], self.B[self.di, sids]
                else:
                    aa, bb = 1.0, 0.0
                for f in fields:
                    if f != "volume":
                        data[f] = (at * data[f] + bt - bb) / aa
        index = pd.DatetimeIndex(times)
        if self.shape == "panel" and isinstance(field, str):
            return pd.DataFrame(data[field], index=index, columns=list(security_list))
        n = len(index)
        cols = {"code": np.repeat(np.asarray(security_list, dtype=object), n)}
        for f in fields:
            cols[f] = data[f].T.ravel()
        return pd.DataFrame(cols, index=index[np.tile(np.arange(n), len(sids))])

    def _price(self, code):
        j = self.sid[code]
        if self.minute:
            v = self.mday["close"][self.bar, j]
            vol = self.mday["volume"][self.bar, j]
        else:
            v, vol = self.d["close"][self.di, j], self.d["volume"][self.di, j]
        return (float(v) if np.isfinite(v) and vol > 0 else None)

    def order_value(self, code, value):
        price = self._price(code)
        if price is None:
            return None
        return self._order(code, int(abs(value) / price) * (1 if value > 0 else -1), price)

    def order_target_value(self, code, value):
        price = self._price(code)
        if price is None:
            return None
        pos = self.ctx.portfolio.positions.get(code)
        return self._order(code, int(value / price) - (pos.amount if pos else 0), price)

    def order_target(self, code, amount):
        price = self._price(code)
        pos = self.ctx.portfolio.positions.get(code)
        if price is None or pos is None:
            return None
        return self._order(code, amount - pos.amount, price)

    def _order(self, code, qty, price):
        j = self.sid[code]
        if qty > 0 and price >= self.d["high_limit"][self.di, j] or qty < 0 and price <= self.d["low_limit"][self.di, j]:
            return None                     # locked at the limit: the platform fills nothing
        lot, min_buy = self.lot[code]
        pos = self.ctx.portfolio.positions.get(code)
        if qty > 0:
            qty -= qty % lot
            if qty < min_buy:
                return None
        elif qty < 0:
            enable = pos.enable_amount if pos else 0
            qty = -min(-qty, enable)
            if qty == 0:
                return None
        else:
            return None
        self.pending.append((code, qty, price))
        return len(self.pending)

    def _fill(self):
        pf = self.ctx.portfolio
        stamp = 0.0005 if self.today >= np.datetime64("2023-08-28") else 0.001
        for code, qty, price in self.pending:
            value = abs(qty) * price
            fees = max(value * 0.0003, 5.0) + value * 0.0000487
            if qty > 0:
                if value + fees > pf.cash:
                    continue
                pf.cash -= value + fees
                pos = pf.positions.get(code)
                if pos is None:
                    pos = pf.positions[code] = Position(code)
                pos.cost_basis = (pos.cost_basis * pos.amount + value + fees) / (pos.amount + qty)
                pos.amount += qty
            else:
                pos = pf.positions[code]
                fees += value * stamp
                pf.cash += value - fees
                pos.amount += qty
                pos.enable_amount += qty
                if pos.amount == 0:
                    del pf.positions[code]
            self.trades += 1
        self.pending.clear()

    # -- minute data ---------------------------------------------------------------------------------
    def _load_minutes(self, day):
        pd = self.pd
        path = self.minute_root / str(day)[:4] / f"{day}.parquet"
        m = pd.read_parquet(path, columns=["code", "datetime", "close", "volume"])
        times = np.unique(m["datetime"].to_numpy().astype("datetime64[m]"))
        ti = np.searchsorted(times, m["datetime"].to_numpy().astype("datetime64[m]"))
        si = m["code"].map(self.sid).to_numpy()
        out = {"times": times}
        for f in ("close", "volume"):
            a = np.full((len(times), len(self.codes)), np.nan)
            a[ti, si] = m[f].to_numpy(float)
            out[f] = a
        return out

    def _minute_window(self, end, count):
        days = [self.prev_mday, self.mday] if self.prev_mday is not None else [self.mday]
        times = np.concatenate([d["times"] for d in days])
        off = len(times) - len(self.mday["times"]) + end
        lo = max(0, off - count)
        return times[lo:off], {"close": np.concatenate([d["close"] for d in days])[lo:off]}

    # -- the loop ------------------------------------------------------------------------------------
    def run(self, src: str) -> int:
        ns = self.api()
        exec(compile(src, "strategy", "exec"), ns)
        self.ctx = ctx = Context(1_000_000.0)
        self.today = self.run_days[0]
        ns["initialize"](ctx)
        before = ns.get("before_trading_start")
        self.prev_mday = None
        self.mday = None
        for day in self.run_days:
            self.today = day
            self.di = int(np.searchsorted(self.dates, day))
            for code, cash, ratio in self.actions.get(day, ()):
                pos = ctx.portfolio.positions.get(code)
                if pos is not None:
                    ctx.portfolio.cash += pos.amount * cash
                    pos.amount += int(pos.amount * ratio)
            for pos in ctx.portfolio.positions.values():
                pos.enable_amount = pos.amount
            if before:
                before(ctx, {})
            if self.minute:
                self.prev_mday, self.mday = self.mday, self._load_minutes(day)
                for b in range(len(self.mday["times"])):
                    self.bar = b
                    ns["handle_data"](ctx, {})
                    self._fill()
            else:
                ns["handle_data"](ctx, {})
                self._fill()
        return self.trades


def run_floor(root, src, frequency, shape, start, end) -> dict:
    floor = Floor(Path(root), frequency, shape, start, end)
    return {"trades": floor.run(src)}


def run_engine(root, src, frequency, shape, start, end) -> dict:
    import ptrade_fast
    res = ptrade_fast.run(src, start=start, end=end, frequency=frequency, data=str(root), history_format=shape,
                          slippage=0.0)
    return {"trades": int(len(res.trades))}


def child(args) -> None:
    fn = run_floor if args.child == "floor" else run_engine
    out = fn(args.root, Path(args.src).read_text(encoding="utf-8"), args.frequency, args.shape, args.start,
             args.end)
    print(json.dumps(out))


def timed(kind, root, src_path, frequency, shape, start, end) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--root", str(root), "--src", str(src_path),
           "--frequency", frequency, "--shape", shape, "--start", start, "--end", end]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode:
        raise SystemExit(f"{kind} failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["seconds"] = wall
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (CI)")
    ap.add_argument("--only", nargs="*", choices=sorted(FULL), help="scenarios to run")
    ap.add_argument("--child", choices=("floor", "engine"), help=argparse.SUPPRESS)
    for opt in ("--root", "--src", "--frequency", "--shape", "--start", "--end"):
        ap.add_argument(opt, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args)
        return 0
    table = QUICK if args.quick else FULL
    print(f"# floor benchmark {dt.date.today()} ({'quick' if args.quick else 'full'} sizes)")
    print("| scenario | strategy | floor s | ptrade_fast s | ratio | trades |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    failed = False
    for name in args.only or sorted(table):
        strat, freq, (stocks, start, end, minute), universe, shape = table[name]
        root = market(stocks, start, end, minute)
        # the first months give the 60-bar windows their history
        run_start = start if minute else str(np.datetime64(start) + np.timedelta64(120, "D"))
        src_path = CACHE / f"floor_{name}_{'q' if args.quick else 'f'}_{strat}"
        src_path.write_text(strategy_source(strat, universe), encoding="utf-8")
        fl = timed("floor", root, src_path, freq, shape, run_start, end)
        en = timed("engine", root, src_path, freq, shape, run_start, end)
        same = fl["trades"] == en["trades"]
        failed |= not same
        trades = str(en["trades"]) if same else f"{en['trades']} (floor {fl['trades']})"
        print(f"| {name} | {strat} | {fl['seconds']:.2f} | {en['seconds']:.2f} | {en['seconds'] / fl['seconds']:.2f} "
              f"| {trades} |", flush=True)
    if failed:
        print("trade counts differ between the floor and ptrade_fast", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
