# corpus: data=generated frequency=1d start=2023-02-01 end=2023-04-28
# exercises: limit-aware screen: check_limit on the index members, skip limit-up (cannot buy) and limit-down (cannot sell) names, get_stock_status HALT, order_target_value
def initialize(context):
    g.hold = 4


def before_trading_start(context, data):
    members = get_index_stocks('000001.XBHS')
    halted = get_stock_status(members, 'HALT')
    g.pool = [c for c in members if not halted.get(c)]


def handle_data(context, data):
    if not g.pool:
        return
    limits = check_limit(g.pool)
    hist = get_history(6, '1d', 'close', g.pool)
    wide = hist.pivot_table(index=hist.index, columns='code', values='close')
    ret = (wide.iloc[-1] / wide.iloc[0] - 1).dropna().sort_values(ascending=False)
    picks = [c for c in ret.index if limits.get(c) == 0][:g.hold]
    for code in list(context.portfolio.positions):
        if code not in picks and limits.get(code, 0) != -1 and context.portfolio.positions[code].amount > 0:
            order_target_value(code, 0)
    for code in picks:
        order_target_value(code, context.portfolio.portfolio_value / (g.hold + 1))
