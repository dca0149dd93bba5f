# corpus: data=bundle frequency=1d start=2024-01-02 end=2024-03-29 options=compat:py35
# exercises: old (Python 3.5) edition history shapes: get_history(..., list)[code] per-code Series and a Panel for several fields, run under compat='py35'
def initialize(context):
    g.stocks = ['600570.SS', '600000.SS', '000063.SZ']
    set_universe(g.stocks)


def handle_data(context, data):
    closes = get_history(10, '1d', 'close', g.stocks)
    panel = get_history(5, '1d', ['high', 'low'], g.stocks)
    for code in g.stocks:
        ma = closes[code].mean()
        spread = (panel['high'][code] - panel['low'][code]).mean()
        price = data[code].price
        held = code in context.portfolio.positions and context.portfolio.positions[code].amount > 0
        if price > ma + spread * 0.2 and not held:
            order_value(code, 150000)
        elif price < ma - spread * 0.2 and held:
            order_target(code, 0)
