# corpus: data=bundle frequency=1d start=2024-01-02 end=2024-06-28
# exercises: Bollinger bands with pandas rolling on get_price(count=...), buy the lower band, sell the middle band, several stocks
def initialize(context):
    g.stocks = ['600000.SS', '600570.SS', '000063.SZ', '600519.SS', '000651.SZ']
    set_universe(g.stocks)


def handle_data(context, data):
    end = context.previous_date.strftime('%Y-%m-%d')
    for code in g.stocks:
        df = get_price(code, end_date=end, count=30, fields=['close'])
        mid = df['close'].rolling(20).mean().iloc[-1]
        sd = df['close'].rolling(20).std().iloc[-1]
        price = data[code].close
        held = get_position(code).amount
        if price < mid - 2 * sd and held == 0:
            order_value(code, 100000)
        elif price > mid and held > 0:
            order_target(code, 0)
