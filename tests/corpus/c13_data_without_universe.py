# corpus: data=bundle frequency=1d start=2024-01-02 end=2024-03-29
# exercises: the platform's own example style: build the list with get_index_stocks and read data[code] without ever calling set_universe
def initialize(context):
    g.stocks = []


def before_trading_start(context, data):
    g.stocks = get_index_stocks('000300.XBHS')[:10]


def handle_data(context, data):
    for code in g.stocks:
        if code not in data:          # not trading today (suspended, not listed yet, no data)
            continue
        bar = data[code]
        if bar.close > bar.open * 1.01 and code not in context.portfolio.positions:
            order(code, 100)
        elif bar.close < bar.open * 0.99 and code in context.portfolio.positions:
            order_target(code, 0)
