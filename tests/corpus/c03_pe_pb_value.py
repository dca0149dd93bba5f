# corpus: data=bundle frequency=1d start=2024-01-02 end=2024-03-29
# exercises: valuation sort on pe_ttm/pb with a date argument (the previous trading day), log.info reporting, order_target_value, monthly rebalance by month change
def initialize(context):
    g.month = None
    g.n = 6


def before_trading_start(context, data):
    g.rebalance = context.blotter.current_dt.month != g.month
    g.month = context.blotter.current_dt.month


def handle_data(context, data):
    if not g.rebalance:
        return
    stocks = get_index_stocks('000300.SS')
    prev = get_trading_day(-1)
    val = get_fundamentals(stocks, 'valuation', fields=['pe_ttm', 'pb', 'total_value'], date=prev)
    val = val[(val['pe_ttm'] > 0) & (val['pb'] > 0)]
    val['score'] = val['pe_ttm'].rank() + val['pb'].rank()
    picks = list(val.sort_values('score').index[:g.n])
    log.info('value picks %s' % picks)
    for code in context.portfolio.positions:
        if code not in picks:
            order_target_value(code, 0)
    for code in picks:
        order_target_value(code, context.portfolio.portfolio_value / (g.n + 1))
