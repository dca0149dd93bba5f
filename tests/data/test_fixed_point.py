"""Fixed-point bar and report columns (docs/data-format.md, *Fixed-point columns*): Parquet decimals that
read back as the same float64, bit for bit; float64 roots read unchanged."""
import shutil
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import ptrade_fast
from ptrade_fast.data.bundle import bundle_root
from ptrade_fast.data.format import decode_fixed_point, encode_fixed_point, read_bars, write_table_atomic


def _table():
    return pa.table({
        "code": ["600570.SS", "600570.SS", "000300.SS", "000300.SS"],
        "close": [8.1, 12.34, 3010.654, 2999.999],
        "money": [345950715904.0, 1.0, 0.0, 42.0],
        "preclose": [np.nan, 8.1, np.nan, 3010.654],
        "ratio": [1 / 3, 0.5, 0.25, 2.0],        # not a short decimal: stays float64
        "huge": [1e300, 1.0, 2.0, 3.0],          # beyond exact integers: stays float64
        "volume": pa.array([100, 200, 300, 400], pa.int64()),
    })


def test_encoding_picks_the_smallest_scale_and_leaves_other_floats():
    enc = encode_fixed_point(_table())
    types = {f.name: f.type for f in enc.schema}
    assert types["close"] == pa.decimal128(18, 3)
    assert types["money"] == pa.decimal128(18, 0)
    assert types["preclose"] == pa.decimal128(18, 3)
    assert types["ratio"] == pa.float64() and types["huge"] == pa.float64() and types["volume"] == pa.int64()
    assert enc.column("preclose").null_count == 2


def test_round_trip_is_bit_identical_through_a_file(tmp_path):
    t = _table()
    path = tmp_path / "bars.parquet"
    write_table_atomic(t, path, fixed_point=True)
    back = read_bars(path)
    assert back.schema.names == t.schema.names
    for name in ("close", "money", "preclose", "ratio", "huge"):
        a, b = t.column(name).to_numpy(), back.column(name).to_numpy(zero_copy_only=False)
        assert back.schema.field(name).type == pa.float64()
        assert np.array_equal(np.isnan(a), np.isnan(b))
        assert (a[~np.isnan(a)].view(np.int64) == b[~np.isnan(b)].view(np.int64)).all(), name
    # Any Parquet reader sees the decimal values themselves.
    raw = pd.read_parquet(path)
    assert raw["close"].tolist() == [Decimal("8.100"), Decimal("12.340"), Decimal("3010.654"), Decimal("2999.999")]


def test_decoding_is_exact_where_arrows_cast_is_not():
    # 0.001 steps over a wide range: Arrow's decimal -> float cast misses the nearest double for some.
    values = np.round(np.arange(1, 200001) * 0.001 + 2900, 3)
    enc = encode_fixed_point(pa.table({"x": values}))
    assert enc.schema.field("x").type == pa.decimal128(18, 3)
    assert np.array_equal(decode_fixed_point(enc).column("x").to_numpy(), values)


def test_float64_files_read_unchanged(tmp_path):
    t = _table()
    path = tmp_path / "old.parquet"
    write_table_atomic(t, path)
    back, plain = read_bars(path), pq.read_table(path)
    assert back.schema == plain.schema
    pd.testing.assert_frame_equal(back.to_pandas(), plain.to_pandas())


def test_the_bundle_bar_files_are_fixed_point():
    schema = pq.read_schema(bundle_root() / "daily" / "2024.parquet")
    assert schema.field("close").type.scale in (2, 3, 4) and pa.types.is_decimal(schema.field("close").type)
    assert pa.types.is_decimal(pq.read_schema(bundle_root() / "fundamentals" / "balance_statement.parquet")
                               .field("total_assets").type)


def test_a_backtest_is_identical_on_float_and_fixed_point_roots(tmp_path):
    from ptrade_fast.data.synthetic import generate
    generate(tmp_path / "float", stocks=12, start="2023-01-03", end="2023-02-10", minute=True, seed=5,
             market="realistic")
    shutil.copytree(tmp_path / "float", tmp_path / "fixed")
    for p in sorted((tmp_path / "fixed").rglob("*.parquet")):
        if p.parent.name in ("daily", "fundamentals") or p.parent.parent.name == "minute":
            write_table_atomic(read_bars(p), p, fixed_point=True)
    strategy = '''
def initialize(context):
    g.codes = get_index_stocks('000300.SS')[:3]
    set_universe(g.codes)

def handle_data(context, data):
    for c in g.codes:
        h = get_history(5, '1m', 'close', c)['close']
        v = get_fundamentals(c, 'valuation', 'pe_ttm')
        if len(h) and h.iloc[-1] > h.mean() and v['pe_ttm'].notna().all():
            order_value(c, 10000)
        elif get_position(c).amount:
            order_target(c, 0)
'''
    runs = [ptrade_fast.run(strategy, data=str(tmp_path / k), start="2023-02-06", end="2023-02-08", frequency="1m")
            for k in ("float", "fixed")]
    assert len(runs[0].trades) > 0
    pd.testing.assert_frame_equal(runs[0].trades, runs[1].trades)
    pd.testing.assert_frame_equal(runs[0].portfolio, runs[1].portfolio)
