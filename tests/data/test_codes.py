import pytest

from ptrade_fast.data.codes import board_of, classify, exchange_of, normalize_code, to_long


@pytest.mark.parametrize("given, short", [
    ("600570.XSHG", "600570.SS"), ("600570.SS", "600570.SS"), ("000001.XSHE", "000001.SZ"),
    ("000001.sz", "000001.SZ"), ("IF2401.CFX", "IF2401.CCFX"), ("CU2112.XSGE", "CU2112.XSGE"),
])
def test_normalize_code_gives_the_short_form(given, short):
    assert normalize_code(given) == short


@pytest.mark.parametrize("bad", ["600570", "60057.SS", ".SS", "600570.", 600570, None, "6005 70.SS"])
def test_malformed_codes_raise_naming_the_code(bad):
    with pytest.raises(ValueError, match="600570|60057|SS|None|code"):
        normalize_code(bad)


def test_to_long_and_exchange():
    assert to_long("600570.SS") == "600570.XSHG"
    assert to_long("000001.SZ") == "000001.XSHE"
    assert to_long("IF2401.CFX") == "IF2401.CCFX"
    assert exchange_of("600570.XSHG") == "SSE" and exchange_of("159919.SZ") == "SZSE"
    assert exchange_of("IF2401.CCFX") == "CFFEX"


@pytest.mark.parametrize("code, typ, board", [
    ("600000.SS", "stock", "SH_main"), ("603999.SS", "stock", "SH_main"), ("688001.SS", "star", "STAR"),
    ("000001.SZ", "stock", "SZ_main"), ("002594.SZ", "stock", "SZ_main"), ("300750.SZ", "chinext", "ChiNext"),
    ("301001.SZ", "chinext", "ChiNext"), ("900901.SS", "b_share", "B"), ("200002.SZ", "b_share", "B"),
    ("000001.SS", "index", None), ("000300.SS", "index", None), ("399006.SZ", "index", None),
    ("510050.SS", "etf", None), ("588000.SS", "etf", None), ("159919.SZ", "etf", None),
    ("161005.SZ", "lof", None), ("501018.SS", "lof", None), ("508000.SS", "reit", None), ("180101.SZ", "reit", None),
    ("110059.SS", "cb", None), ("113050.SS", "cb", None), ("123001.SZ", "cb", None), ("128013.SZ", "cb", None),
    ("019547.SS", "bond", None), ("131810.SZ", "repo", None), ("204001.SS", "repo", None),
    ("IF2401.CCFX", "future", None),
])
def test_classify_by_prefix_table(code, typ, board):
    assert classify(code) == typ
    assert board_of(code) == board


def test_classify_agrees_with_the_real_instrument_list_on_shares(real_dir):
    import pandas as pd
    inst = pd.read_parquet(real_dir / "instruments.parquet")
    expect = {"A_share": "stock", "ChiNext_share": "chinext", "B_share": "b_share", "index": "index", "ETF": "etf"}
    sub = inst[inst.type.isin(list(expect))]
    got = sub.symbol.map(classify)
    assert (got == sub.type.map(expect)).mean() > 0.98
