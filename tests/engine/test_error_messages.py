"""Every error a user can cause names its cause: one table, each case with its exact message."""
from __future__ import annotations

import json
import textwrap

import pyarrow.parquet as pq
import pytest

import ptrade_fast
from ptrade_fast import errors as E

from engine_data import make_root, weekdays

DAYS = weekdays("2024-03-04", 5)


def _root(tmp_path, delist=None):
    root = make_root(tmp_path, DAYS, {"600000.SS": [{"close": 10.0}] * 5})
    if delist is not None:
        inst = pq.read_table(root / "instruments.parquet").to_pandas()
        inst["delist_date"] = __import__("pandas").to_datetime([delist])
        pq.write_table(__import__("pyarrow").Table.from_pandas(inst, preserve_index=False), root / "instruments.parquet")
    return root


def _run_call(tmp_path, call, delist=None, day=3):
    root = _root(tmp_path, delist)
    src = textwrap.dedent(f"""
        def initialize(context):
            set_universe(['600000.SS'])

        def handle_data(context, data):
            if context.blotter.current_dt.day == {DAYS[day].day}:
                {call}
    """)
    return ptrade_fast.run(src, start=DAYS[0], end=DAYS[-1], data=root, benchmark="600000.SS")


# (case, strategy call, delisting date, expected (exception type, message) or (None, order error_info regex))
CALL_CASES = [
    ("order amount overflow", "order('600000.SS', 2**70)", None,
     (None, r"^委托数量必须为整数 \(amount must be an integer\)$", r"amount 1180591620717411303424 is beyond any possible quantity")),
    ("limit price overflow", "order('600000.SS', 100, limit_price=1e300)", None,
     (None, r"price outside", r"limit_price 1e\+300 is beyond any possible price")),
    ("order on the delisting day", "order('600000.SS', 100)", "2024-03-07",
     (None, r"证券已退市 \(security delisted\)", r"")),
    ("bad get_price date", "get_price('600000.SS', start_date='2024-13-45', end_date='2024-03-05')", None,
     (E.StrategyRuntimeError, r"ValueError: cannot read '2024-13-45' as a date: use 'YYYY-mm-dd' or 'YYYYmmdd'")),
]


@pytest.mark.parametrize("case, call, delist, expected", CALL_CASES, ids=[c[0] for c in CALL_CASES])
def test_a_bad_call_names_its_cause(case, call, delist, expected, tmp_path):
    if expected[0] is not None:
        with pytest.raises(expected[0], match=expected[1]):
            _run_call(tmp_path, call, delist)
        return
    result = _run_call(tmp_path, call, delist)
    rejected = result.orders[result.orders["status"] == "9"]
    assert len(rejected) == 1
    assert rejected["error_info"].str.contains(expected[1]).all()
    if expected[2]:
        assert result.logs["message"].str.contains(expected[2]).any()


def _broken(tmp_path, how):
    root = _root(tmp_path)
    how(root)
    return root


DATA_CASES = [
    ("missing calendar", lambda r: (r / "calendar.parquet").unlink(),
     r"has no calendar.parquet: the root is incomplete"),
    ("bad meta.json", lambda r: (r / "meta.json").write_text("{"), r"meta.json is not valid JSON"),
    ("unknown format_version", lambda r: (r / "meta.json").write_text(json.dumps({"format_version": 99})),
     r"has format_version 99; this ptrade_fast reads 1"),
    ("missing column", lambda r: pq.write_table(pq.read_table(r / "daily" / "2024.parquet").drop(["money"]),
                                                r / "daily" / "2024.parquet"),
     r"daily/2024.parquet: missing column\(s\) money required by the data format"),
    ("truncated parquet", lambda r: (r / "daily" / "2024.parquet").write_bytes(
        (r / "daily" / "2024.parquet").read_bytes()[:200]),
     r"daily/2024.parquet: cannot read this Parquet file"),
]


@pytest.mark.parametrize("case, how, message", DATA_CASES, ids=[c[0] for c in DATA_CASES])
def test_a_broken_data_root_names_its_cause(case, how, message, tmp_path):
    root = _broken(tmp_path, how)
    with pytest.raises(E.DataError, match=message):
        ptrade_fast.run("def initialize(context):\n    pass\n\ndef handle_data(context, data):\n    pass\n",
                        start=DAYS[0], end=DAYS[-1], data=root, benchmark="600000.SS")
