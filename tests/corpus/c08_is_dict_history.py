# corpus: data=bundle frequency=1d start=2024-01-02 end=2024-03-29
# exercises: get_history(is_dict=True) structured arrays per code, mean reversion on a bank and a software stock
import numpy as np


def initialize(context):
    g.stocks = ['600000.SS', '600570.SS']
    set_universe(g.stocks)


def handle_data(context, data):
    hist = get_history(20, '1d', ['close', 'volume'], g.stocks, is_dict=True)
    for code in g.stocks:
        closes = hist[code]['close']
        z = (closes[-1] - np.mean(closes)) / (np.std(closes) + 1e-9)
        amount = context.portfolio.positions[code].amount if code in context.portfolio.positions else 0
        if z < -1.0 and amount == 0:
            order_value(code, 100000)
        elif z > 0.5 and amount > 0:
            order_target(code, 0)
