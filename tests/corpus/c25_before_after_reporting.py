# corpus: data=bundle frequency=1d start=2024-01-02 end=2024-03-29
# exercises: selection in before_trading_start with get_history(include=False), orders in handle_data, after_trading_end reporting with get_orders / get_trades / get_positions, set_parameters
def initialize(context):
    set_parameters(holiday_not_do_before='1')
    g.pick = []
    g.report = []


def before_trading_start(context, data):
    stocks = get_index_stocks('000300.SS')[:40]
    hist = get_history(5, '1d', 'volume', stocks, include=False)
    vol = hist.groupby('code')['volume'].mean().sort_values(ascending=False)
    g.pick = list(vol.index[:3])


def handle_data(context, data):
    for code in list(context.portfolio.positions):
        if code not in g.pick:
            order_target(code, 0)
    for code in g.pick:
        order_target_value(code, context.portfolio.portfolio_value * 0.3)


def after_trading_end(context, data):
    orders = get_orders()
    trades = get_trades()
    positions = get_positions()
    g.report.append((len(orders), len(trades), len(positions)))
