# corpus: data=bundle frequency=1d start=2024-01-02 end=2024-03-29
# exercises: a strategy that defines on_order_response / on_trade_response (never called in the platform's backtest) and still tracks its fills with get_order
def initialize(context):
    g.security = '600519.SS'
    g.pending = None
    g.pushed = 0


def handle_data(context, data):
    if g.pending is not None:
        o = get_order(g.pending)
        if o is not None and o[0].status in ('8', '5', '6'):
            g.pending = None
    if g.pending is None:
        amount = 100 if get_position(g.security).amount == 0 else -100
        g.pending = order(g.security, amount)


def on_order_response(context, order_list):
    g.pushed += len(order_list)


def on_trade_response(context, trade_list):
    g.pushed += len(trade_list)
