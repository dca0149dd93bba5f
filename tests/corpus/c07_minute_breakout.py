# corpus: data=generated frequency=1m start=2023-03-01 end=2023-03-10
# exercises: minute breakout on an ETF: get_current_kline_count, get_history '1m' of today's bars, buy on a break of the first 30 minutes' high, flat at 14:50
def initialize(context):
    g.code = '159915.SZ'
    set_universe([g.code])


def before_trading_start(context, data):
    g.bought = False


def handle_data(context, data):
    n = get_current_kline_count()
    if n < 31:
        return
    bars = get_history(n, '1m', ['high', 'close'], g.code)
    opening_high = bars['high'].iloc[:30].max()
    price = data[g.code].close
    now = context.blotter.current_dt.strftime('%H:%M')
    if not g.bought and price > opening_high:
        order_value(g.code, 300000)
        g.bought = True
    elif now == '14:50':
        pos = get_position(g.code)
        if pos.enable_amount > 0:
            order(g.code, -pos.enable_amount)
