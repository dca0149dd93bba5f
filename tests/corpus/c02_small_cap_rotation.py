# corpus: data=bundle frequency=1d start=2024-01-02 end=2024-03-29
# exercises: small-cap rotation: get_Ashares, filter_stock_by_status, get_fundamentals valuation total_value sort, run_daily 14:55, order_target to 0 then order_value
def initialize(context):
    g.stock_num = 8
    g.days = 0
    run_daily(context, rebalance, time='14:55')


def before_trading_start(context, data):
    # filter_stock_by_status is allowed only here on the platform: the pool is made before the open.
    g.pool = filter_stock_by_status(get_Ashares(), ['ST', 'HALT', 'DELISTING'])


def rebalance(context):
    g.days += 1
    if g.days % 5 != 1:
        return
    stocks = g.pool
    df = get_fundamentals(stocks, 'valuation', fields=['total_value'])
    df = df[df['total_value'] > 0].sort_values('total_value')
    target = list(df.index[:g.stock_num])
    for code in context.portfolio.positions:
        if code not in target:
            order_target(code, 0)
    cash = context.portfolio.cash
    buys = [c for c in target if c not in context.portfolio.positions]
    for code in buys:
        order_value(code, cash / len(buys))


def handle_data(context, data):
    pass
