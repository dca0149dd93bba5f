# Test strategy for the sweep tests: a moving-average cross whose windows and size are g parameters.
def initialize(context):
    g.security = '600000.SS'
    g.fast = 5
    g.slow = 20
    g.ratio = 0.95
    set_universe(g.security)
    set_parameters(context, band='0.00')


def handle_data(context, data):
    s = g.security
    closes = get_history(g.slow, '1d', 'close', s, fq=None, include=True)['close']
    fast = closes[-g.fast:].mean()
    slow = closes.mean()
    position = get_position(s)
    if fast > slow and position.amount == 0:
        order_value(s, context.portfolio.cash * g.ratio)
        log.info(f'buy fast={g.fast} slow={g.slow}')
    elif fast < slow and position.amount > 0:
        order_target(s, 0)
