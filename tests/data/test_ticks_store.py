"""The snapshot store: trade-print import (books reconstructed), snapshot CSV import and its errors, the
synthetic generator's consistency and determinism, the reader's arrays."""
import hashlib

import numpy as np
import pandas as pd
import pytest

from ptrade_fast.data.importers.ticks import import_snapshot_csv
from ptrade_fast.data.ticks import (BOOK_PRICE_COLUMNS, BOOK_VOLUME_COLUMNS, STATUSES, file_info, read_tick_day,
                                   tick_dates)
from ptrade_fast.errors import DataError
from tick_roots import real_prints, real_tick_root, synthetic_tick_root
from ptrade_fast.data.format import read_bars  # bar files of the bundle are fixed-point


@pytest.fixture(scope="module")
def real_root(tmp_path_factory):
    return real_tick_root(tmp_path_factory.mktemp("ticks_real"))


@pytest.fixture(scope="module")
def syn_root(tmp_path_factory):
    return synthetic_tick_root(tmp_path_factory.mktemp("ticks_syn"))


def test_trade_import_sums_the_prints_and_labels_reconstructed_books(real_root):
    assert [str(d) for d in tick_dates(real_root)] == ["2019-02-01", "2019-02-11"]
    td = read_tick_day(real_root, "2019-02-01", ["600000.SS"])
    p = real_prints()
    assert td.codes == ["600000.SS"] and len(td.time) == len(p)
    assert (td.last == np.round(p.price.to_numpy() * 10000).astype(np.int64)).all()
    assert (td.volume == p.volume.cumsum().to_numpy()).all()
    assert (td.count == np.arange(1, len(p) + 1)).all()
    assert td.books == {"600000.SS": "reconstructed"}
    info = file_info(real_root, "2019-02-01")
    assert info["snapshots"]["books"] == info["trades"]["books"] == {"600000.SS": "reconstructed"}
    assert info["snapshots"]["source"] == {"600000.SS": "trades:ticks.parquet"}
    # Level 1 at the print: a buyer-initiated print at the offer, the others at the bid; one tick apart.
    buy = (p.side == "B").to_numpy()
    assert (td.ask_px[buy, 0] == td.last[buy]).all() and (td.bid_px[~buy, 0] == td.last[~buy]).all()
    assert ((td.ask_px[:, 0] - td.bid_px[:, 0]) == 100).all()
    assert (np.diff(td.bid_px, axis=1) == -100).all()
    assert td.trades["start"].tolist() == [0, len(p)]
    assert (td.trades["direction"] == p.side.map({"B": 1, "S": 0, "N": 2}).to_numpy()).all()


def _csv(path, rows, header=None):
    cols = header or (["code", "time", "last_px", "open_px", "high_px", "low_px", "preclose_px", "up_px", "down_px",
                       "business_amount", "business_balance"] + list(BOOK_PRICE_COLUMNS) + list(BOOK_VOLUME_COLUMNS))
    lines = [",".join(cols)]
    for r in rows:
        lines.append(",".join(str(x) for x in r))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _row(t, last, vol):
    bids = [round(last - 0.01 * i, 2) for i in range(5)]
    asks = [round(last + 0.01 * (i + 1), 2) for i in range(5)]
    return (["600000.SS", t, last, 10.70, 10.80, 10.60, 10.73, 11.80, 9.66, vol, vol * last] + bids + asks
            + [100 * (i + 1) for i in range(10)])


def test_snapshot_csv_round_trip(real_root, tmp_path):
    f = _csv(tmp_path / "s.csv", [_row("2019-02-12 09:30:03", 10.71, 1000), _row("2019-02-12 09:30:06", 10.72, 2500)])
    out = import_snapshot_csv([f], real_root)
    assert out == {"days": ["2019-02-12"], "codes": ["600000.SS"], "rows": 2, "files": 1}
    td = read_tick_day(real_root, "2019-02-12")
    assert td.books == {"600000.SS": "recorded"}
    assert td.last.tolist() == [107100, 107200] and td.volume.tolist() == [1000, 2500]
    assert td.time.tolist() == [34203000, 34206000]
    assert td.bid_px[1].tolist() == [107200, 107100, 107000, 106900, 106800]
    assert td.ask_vol[0].tolist() == [600, 700, 800, 900, 1000]
    assert td.status.tolist() == [3, 3]                  # TRADE, from the time of day
    assert td.trades is None and td.orders is None


@pytest.mark.parametrize("mutate, message", [
    (lambda rows, cols: (rows, cols[:-1]), "line 1: missing column(s) offer_vol5"),
    (lambda rows, cols: ([r[:9] + ["12x"] + r[10:] for r in rows], cols), "line 2: column business_amount: '12x' is not a whole number"),
    (lambda rows, cols: ([rows[0], rows[1][:2] + [-1] + rows[1][3:]], cols), "line 3: column last_px: '-1' is not a number ≥ 0"),
    (lambda rows, cols: ([["600000.SS", "2019-02-12 9h30"] + rows[0][2:]], cols), "line 2: column time: cannot read '2019-02-12 9h30'"),
    (lambda rows, cols: ([["60000X.SS"] + rows[0][1:]], cols), "line 2: column code"),
    (lambda rows, cols: (rows, cols + ["iopv"]), "line 1: unknown column(s) iopv"),
])
def test_snapshot_csv_errors_name_file_line_and_column(real_root, tmp_path, mutate, message):
    cols = (["code", "time", "last_px", "open_px", "high_px", "low_px", "preclose_px", "up_px", "down_px",
             "business_amount", "business_balance"] + list(BOOK_PRICE_COLUMNS) + list(BOOK_VOLUME_COLUMNS))
    rows = [_row("2019-02-12 09:30:03", 10.71, 1000), _row("2019-02-12 09:30:06", 10.72, 2500)]
    rows, cols = mutate(rows, cols)
    if len(cols) > len(rows[0]):
        rows = [r + [0] for r in rows]
    f = _csv(tmp_path / "bad.csv", [r[:len(cols)] for r in rows], cols)
    with pytest.raises(DataError) as exc:
        import_snapshot_csv([f], real_root)
    assert str(f) in str(exc.value) and message in str(exc.value)


def test_snapshot_csv_falling_cumulative_volume_is_refused(real_root, tmp_path):
    f = _csv(tmp_path / "fall.csv", [_row("2019-02-12 09:30:03", 10.71, 3000), _row("2019-02-12 09:30:06", 10.72, 2500)])
    with pytest.raises(DataError, match="business_amount \\(cumulative volume\\) of 600000.SS falls at 2019-02-12T09:30:06"):
        import_snapshot_csv([f], real_root)


def test_synthetic_ticks_are_consistent(syn_root):
    for day in ("2019-01-31", "2019-02-01"):
        td = read_tick_day(syn_root, day, ["600570.SS"])
        tr = td.trades
        n = len(td.time)
        assert n == 5001 and td.books == {"600570.SS": "synthetic"}
        # Cumulative volume = sum of the trades so far; last = the last trade (from the 09:25:00 uncross).
        k = np.searchsorted(tr["time"], td.time, side="right")
        assert (td.volume == np.r_[0, np.cumsum(tr["volume"])][k]).all()
        assert (td.count == k).all()
        a = 200                                                   # 09:15:00 … 09:24:57: the call auction
        assert (k[:a] == 0).all() and tr["time"][0] == td.time[a] == 9 * 3_600_000 + 25 * 60_000
        assert (td.last[a:] == tr["price"][k[a:] - 1]).all()
        # The day's bars: daily open/high/low/close/volume from the trades.
        d = read_bars(syn_root / "daily" / "2019.parquet").to_pandas()
        d = d[(d.code == "600570.SS") & (pd.to_datetime(d.date) == pd.Timestamp(day))].iloc[0]
        px = tr["price"] / 10000
        assert (px[0], px.max(), px.min(), px[-1]) == tuple(float(d[f]) for f in ("open", "high", "low", "close"))
        assert tr["volume"].sum() == d.volume
        # Books: on the tick grid, inside the limits; from 09:25 bid below offer, around the last price.
        assert ((td.bid_px % 100) == 0).all() and ((td.ask_px % 100) == 0).all()
        live = td.bid_px > 0
        assert (td.bid_px[live] >= round(float(d.low_limit) * 10000)).all()
        assert (td.ask_px[td.ask_px > 0] <= round(float(d.high_limit) * 10000)).all()
        assert (td.ask_px[a:, 0] - td.bid_px[a:, 0] == 100).all()
        assert ((td.bid_px[a:, 0] == td.last[a:]) | (td.ask_px[a:, 0] == td.last[a:])).all()
        # The call auction: every 3 s from 09:15:00, nothing traded, the indicative price at bid 1 = offer 1
        # inside the limits and the open from 09:23:00 on; the matched volume on the lighter side, the surplus on
        # the other; from 09:20 (no cancels) the matched volume never falls and ends at the 09:25 print's.
        assert (td.time[:a] == 9 * 3_600_000 + 15 * 60_000 + 3000 * np.arange(a)).all()
        assert (td.status[:a + 1] == STATUSES.index("OCALL")).all()
        assert not td.volume[:a].any() and not td.balance[:a].any() and not td.open[:a].any()
        assert (td.bid_px[:a, 0] == td.last[:a]).all() and (td.ask_px[:a, 0] == td.last[:a]).all()
        assert not td.bid_px[:a, 1:].any() and not td.ask_px[:a, 1:].any()
        lo, hi = round(float(d.low_limit) * 10000), round(float(d.high_limit) * 10000)
        assert (td.last[:a] >= lo).all() and (td.last[:a] <= hi).all()
        assert (td.last[160:a] == td.last[a]).all() and td.last[a] == round(float(d.open) * 10000)
        assert len(set(td.last[:100].tolist())) > 1                       # it moves before it converges
        matched = np.minimum(td.bid_vol[:a, 0], td.ask_vol[:a, 0])
        assert (np.diff(matched[100:]) >= 0).all() and matched[-1] == td.volume[a] == tr["volume"][0]
        assert (np.maximum(td.bid_vol[:a, 0], td.ask_vol[:a, 0]) > matched).all()
        assert (matched % 100 == 0)[:-1].all()
        # Every trade's aggressor order is in the orders file.
        assert (td.orders["volume"] == tr["volume"]).all()
        assert (np.maximum(tr["buy_no"], tr["sell_no"])[tr["direction"] < 2] ==
                td.orders["order_no"][tr["direction"] < 2]).all()


def test_synthetic_ticks_are_deterministic(syn_root, tmp_path):
    from ptrade_fast.data.synthetic.ticks import add_ticks
    again = synthetic_tick_root(tmp_path)
    for kind in ("", ".trades", ".orders"):
        a = (syn_root / "ticks" / "2019" / f"2019-02-01{kind}.parquet").read_bytes()
        b = (again / "ticks" / "2019" / f"2019-02-01{kind}.parquet").read_bytes()
        assert hashlib.sha256(a).digest() == hashlib.sha256(b).digest()
    add_ticks(again, ["600570.SS"], days=["2019-02-01"], seed=4)
    assert (again / "ticks/2019/2019-02-01.parquet").read_bytes() != (syn_root / "ticks/2019/2019-02-01.parquet").read_bytes()


def test_a_second_import_into_a_day_keeps_the_other_codes(tmp_path):
    from ptrade_fast.data.importers.ticks import import_trades
    from tick_roots import REAL
    syn_root = synthetic_tick_root(tmp_path)
    before = read_tick_day(syn_root, "2019-02-01", ["600570.SS"])
    import_trades(REAL / "ticks.parquet", syn_root, codes=["600000.SS"], days=["2019-02-01"])
    both = read_tick_day(syn_root, "2019-02-01")
    assert both.codes == ["600000.SS", "600570.SS"]
    assert both.books == {"600000.SS": "reconstructed", "600570.SS": "synthetic"}
    j = both.index["600570.SS"]
    assert (both.last[both.rows(j)] == before.last).all() and (both.volume[both.rows(j)] == before.volume).all()
    assert (both.trades["volume"][both.trades["start"][j]:both.trades["start"][j + 1]] == before.trades["volume"]).all()
    assert both.orders["start"].tolist() == [0, 0, len(before.orders["volume"])]   # no orders for 600000.SS
    # Re-importing replaces that code's rows only.
    import_trades(REAL / "ticks.parquet", syn_root, codes=["600000.SS"], days=["2019-02-01"])
    again = read_tick_day(syn_root, "2019-02-01")
    assert (again.volume == both.volume).all() and again.books == both.books
