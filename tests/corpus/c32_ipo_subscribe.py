# corpus: data=realistic frequency=1d start=2023-01-03 end=2023-06-30 options=seed:6
# exercises: one-click IPO subscription every day (get_ipo_stocks, ipo_stocks_order) on a market-value base of SSE and SZSE index members, new shares sold on the first day they open below the limit-up
def initialize(context):
    g.base = []
    g.per_stock = 90000


def before_trading_start(context, data):
    ipo = get_ipo_stocks()
    names = [c for codes in ipo.values() for c in codes]
    if names:
        log.info('今日新股: %s' % ','.join(names))


def handle_data(context, data):
    if not g.base:
        # 市值底仓: five SSE 50 and five SZSE component stocks
        g.base = get_index_stocks('000016.SS')[:5] + get_index_stocks('399001.SZ')[:5]
        for stock in g.base:
            order_value(stock, g.per_stock)
        return
    result = ipo_stocks_order()
    for code, info in result.items():
        if info['status'] == 1:
            log.info('申购 %s %d股' % (code, info['amount']))
    for code, pos in context.portfolio.positions.items():
        if code in g.base or pos.enable_amount <= 0:
            continue
        bar = data[code]
        limit_up = bar.high_limit
        # 新股开板: the first day the open is below the limit-up (or there is no limit) -> sell all
        if not (limit_up == limit_up) or bar.open < limit_up:
            order(code, -pos.enable_amount)
            log.info('新股卖出 %s %d股' % (code, pos.enable_amount))
