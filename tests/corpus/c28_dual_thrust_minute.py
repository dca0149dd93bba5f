# corpus: data=generated frequency=1m start=2023-03-01 end=2023-03-10
# exercises: Dual Thrust on minute bars: range from get_history('1d') of the previous days, today's open from get_history('1d', include=True), order_target on breakouts, flat at 14:55 via run_daily
def initialize(context):
    g.code = '510500.SS'
    set_universe([g.code])
    run_daily(context, flat, time='14:55')


def before_trading_start(context, data):
    d = get_history(4, '1d', ['high', 'low', 'close'], g.code)
    hh, lc = d['high'].max(), d['close'].min()
    hc, ll = d['close'].max(), d['low'].min()
    g.range = max(hh - lc, hc - ll)
    g.open = None


def handle_data(context, data):
    if g.open is None:
        g.open = get_history(1, '1d', 'open', g.code, include=True)['open'].iloc[-1]
    price = data[g.code].close
    if price > g.open + 0.3 * g.range and get_position(g.code).amount == 0:
        order_target(g.code, 50000)


def flat(context):
    pos = get_position(g.code)
    if pos.enable_amount > 0:
        order_target(g.code, pos.amount - pos.enable_amount)
