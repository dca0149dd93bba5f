# corpus: data=generated frequency=1m start=2023-03-01 end=2023-03-10
# exercises: T+0 convertible bond intraday trading on minute bars: get_cb_list, buy on a dip below the 15-minute mean and sell the same day (enable_amount is immediate for bonds)
import numpy as np


def initialize(context):
    g.bonds = []


def before_trading_start(context, data):
    g.bonds = get_cb_list()[:2]
    set_universe(g.bonds)
    g.trips = 0


def handle_data(context, data):
    if get_current_kline_count() < 16:
        return
    for code in g.bonds:
        closes = get_history(15, '1m', 'close', code)['close'].values
        price = data[code].close
        pos = get_position(code)
        if pos.amount == 0 and g.trips < 3 and price < np.mean(closes) * 0.999:
            order(code, 100)
            g.trips += 1
        elif pos.enable_amount > 0 and (price > np.mean(closes) * 1.001 or
                                        context.blotter.current_dt.strftime('%H:%M') >= '14:50'):
            order(code, -pos.enable_amount)
