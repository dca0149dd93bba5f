# corpus: data=bundle frequency=1d start=2024-01-02 end=2024-03-29
# exercises: old edition indexing get_history(...)[code] on the default (long) frame, without compat
def initialize(context):
    g.stocks = ['600570.SS', '600000.SS']
    set_universe(g.stocks)


def handle_data(context, data):
    h = get_history(10, '1d', 'close', g.stocks)
    for code in g.stocks:
        s = h[code]
        if s.iloc[-1] > s.mean() and code not in context.portfolio.positions:
            order(code, 1000)
        elif s.iloc[-1] < s.mean() and code in context.portfolio.positions:
            order_target(code, 0)
