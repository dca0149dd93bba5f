# corpus: data=bundle frequency=1d start=2024-01-02 end=2024-06-28
# exercises: turtle breakout with an ATR position size from get_history high/low/close, pyramiding in units, Donchian exit
import numpy as np


def initialize(context):
    g.code = '000063.SZ'
    g.units = 0
    g.last_add = 0.0
    set_universe([g.code])


def handle_data(context, data):
    h = get_history(21, '1d', ['high', 'low', 'close'], g.code)
    high, low, close = h['high'].values, h['low'].values, h['close'].values
    tr = np.maximum(high[1:] - low[1:], np.maximum(abs(high[1:] - close[:-1]), abs(low[1:] - close[:-1])))
    atr = tr[-20:].mean()
    price = data[g.code].close
    unit = int(context.portfolio.portfolio_value * 0.01 / atr / 100) * 100
    if g.units == 0 and price > high[-21:-1].max() * 0.99 and unit > 0:
        order(g.code, unit)
        g.units, g.last_add = 1, price
    elif 0 < g.units < 4 and price > g.last_add + 0.5 * atr:
        order(g.code, unit)
        g.units, g.last_add = g.units + 1, price
    elif g.units > 0 and price < low[-11:-1].min():
        order_target(g.code, 0)
        g.units = 0
