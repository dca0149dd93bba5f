# corpus: data=bundle frequency=1d start=2024-01-02 end=2024-06-28
# exercises: position bookkeeping: context.portfolio.positions cost_basis / last_sale_price, stop loss and take profit, re-entry after a cool-down counted in g
def initialize(context):
    g.stocks = ['600570.SS', '000063.SZ', '600000.SS']
    g.cool = {}
    set_universe(g.stocks)


def handle_data(context, data):
    positions = context.portfolio.positions
    for code in g.stocks:
        g.cool[code] = max(0, g.cool.get(code, 0) - 1)
        pos = positions.get(code)
        if pos is not None and pos.amount > 0:
            change = pos.last_sale_price / pos.cost_basis - 1
            if change < -0.05 or change > 0.08:
                order_target(code, 0)
                g.cool[code] = 5
        elif g.cool[code] == 0:
            order_value(code, context.portfolio.cash / 3)
