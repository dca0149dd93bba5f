# corpus: data=bundle frequency=1d start=2024-01-02 end=2024-03-29
# exercises: Python 3.11 edition long history frame (code column) reshaped with groupby / pivot, two moving averages per code
def initialize(context):
    g.stocks = ['600570.SS', '600000.SS', '000063.SZ', '600519.SS']
    set_universe(g.stocks)


def handle_data(context, data):
    df = get_history(30, '1d', 'close', g.stocks)
    for code, frame in df.groupby('code'):
        c = frame['close']
        fast, slow = c.iloc[-5:].mean(), c.mean()
        held = code in context.portfolio.positions and context.portfolio.positions[code].amount > 0
        if fast > slow and not held:
            order_target_value(code, 100000)
        elif fast < slow and held:
            order_target_value(code, 0)
