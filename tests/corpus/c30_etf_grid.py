# corpus: data=generated frequency=1m start=2023-03-01 end=2023-03-31
# exercises: intraday grid trading on a T+0 gold ETF (518880.SS, fund_kind gold): a base position, limit orders one grid step away re-placed after each fill, same-day sells of units bought that day, get_open_orders / cancel_order at the close
def initialize(context):
    g.etf = '518880.SS'
    g.step = 0.003
    g.lot = 3000
    g.base_done = False
    g.anchor = None
    set_universe([g.etf])
    set_commission(commission_ratio=0.0001, min_commission=0.1, type='ETF')
    run_daily(context, end_of_day, time='14:55')


def before_trading_start(context, data):
    g.anchor = None


def handle_data(context, data):
    price = data[g.etf].close
    if not g.base_done:
        order(g.etf, 30000)
        g.base_done = True
        return
    if g.anchor is None:
        g.anchor = price
        return
    pos = get_position(g.etf)
    if get_open_orders(g.etf):
        return
    if price <= g.anchor * (1 - g.step) and context.portfolio.cash > price * g.lot * 1.01:
        order(g.etf, g.lot, limit_price=round(price, 3))
        g.anchor = price
    elif price >= g.anchor * (1 + g.step) and pos.enable_amount >= g.lot:
        order(g.etf, -g.lot, limit_price=round(price, 3))
        g.anchor = price


def end_of_day(context):
    for o in get_open_orders(g.etf):
        cancel_order(o)
