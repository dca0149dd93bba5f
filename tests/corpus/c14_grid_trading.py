# corpus: data=bundle frequency=1d start=2024-01-02 end=2024-06-28
# exercises: grid trading on an ETF with limit orders one grid step away, get_open_orders / cancel_order each day, base position bought at start
def initialize(context):
    g.etf = '510050.SS'
    set_universe([g.etf])
    g.step = 0.015
    g.lot = 20000
    g.base = None


def handle_data(context, data):
    for o in get_open_orders(g.etf):       # yesterday's grid orders ended at the close; today's are re-placed
        cancel_order(o)
    price = data[g.etf].close
    if g.base is None:
        order_value(g.etf, 400000)
        g.base = price
        return
    buy_px = round(g.base * (1 - g.step), 3)
    sell_px = round(g.base * (1 + g.step), 3)
    if price <= buy_px:
        order(g.etf, g.lot, limit_price=buy_px)
        g.base = buy_px
    elif price >= sell_px and get_position(g.etf).enable_amount >= g.lot:
        order(g.etf, -g.lot, limit_price=sell_px)
        g.base = sell_px
