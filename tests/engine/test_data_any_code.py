"""``data[code]`` answers for any listed code, universe or not (spec §C.7, project decision §0.1a-5)."""
import ptrade_fast

STRATEGY = '''
def initialize(context):
    set_universe(['600000.SS'])
    g.days = 0

def handle_data(context, data):
    g.days += 1
    other = '000063.SZ'
    before = sorted(data)
    bar = data[other]
    want = get_history(1, '1d', ['open', 'close', 'volume'], other, include=True)
    log.info('bar %s %r %r %r | %r %r %r' % (other, bar.open, bar.close, bar.volume,
             float(want['open'].iloc[-1]), float(want['close'].iloc[-1]), float(want['volume'].iloc[-1])))
    log.info('same %s' % (data['000063.XSHE'] is bar))
    log.info('keys %s -> %s in=%s len=%d' % (before, sorted(data), other in data, len(data)))
    for code in ('999999.SS', 'nonsense'):
        try:
            data[code]
        except KeyError as exc:
            log.info('missing %s' % exc.args[0])
    if g.days == 1:
        order(other, 100)
'''


def _lines(result, prefix):
    return [m.split(" ", 1)[1] for m in result.logs["message"] if m.startswith(prefix + " ")]


def test_data_serves_codes_outside_the_universe():
    res = ptrade_fast.run(STRATEGY, start="2024-03-04", end="2024-03-06", frequency="1d")
    bars = _lines(res, "bar")
    assert len(bars) == 3
    for line in bars:
        got, want = line.split(" | ")
        assert got.split(" ", 1)[1].split() == want.split()   # same open, close, volume as get_history
    assert _lines(res, "same") == ["True"] * 3
    # iteration covers the universe plus the codes already looked up, never the whole market
    assert _lines(res, "keys") == ["['600000.SS'] -> ['000063.SZ', '600000.SS'] in=True len=2"] * 3
    missing = _lines(res, "missing")
    assert missing[:2] == [
        f"999999.SS: no bar in data (unknown code: no bars for it in data root {ptrade_fast.data.store.DataStore.open().root})",
        f"nonsense: no bar in data (unknown code: no bars for it in data root {ptrade_fast.data.store.DataStore.open().root})",
    ]
    assert res.trades[["code", "amount"]].values.tolist() == [["000063.SZ", 100]]


def test_unlisted_code_names_the_date():
    src = """
def initialize(context):
    set_universe(['600000.SS'])

def handle_data(context, data):
    try:
        data['000063.SZ']
    except KeyError as exc:
        log.info('missing %s' % exc.args[0])
"""
    res = ptrade_fast.run(src, start="2017-03-06", end="2017-03-06", frequency="1d")
    assert _lines(res, "missing") == ["000063.SZ: no bar in data (not listed on 2017-03-06)"]
