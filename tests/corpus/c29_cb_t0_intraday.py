# corpus: data=generated frequency=1m start=2023-03-01 end=2023-03-31
# exercises: convertible-bond T+0 intraday round trips on minute bars: get_cb_list, a morning buy on strength, the same-day sell on a profit target, a stop or the 14:50 run_daily flat, lots of 10 张, enable_amount immediate
def initialize(context):
    g.pool = []
    g.entry = {}
    g.target = 0.004
    g.stop = -0.006
    g.per_bond = 60000
    run_daily(context, close_all, time='14:50')


def before_trading_start(context, data):
    g.pool = get_cb_list()[:4]
    g.entry = {}
    set_universe(g.pool)


def handle_data(context, data):
    now = context.current_dt.strftime('%H:%M')
    for code in g.pool:
        if code not in data:
            continue
        price = data[code].close
        pos = get_position(code)
        if pos.amount == 0 and code not in g.entry and '09:45' <= now <= '11:00':
            hist = get_history(15, '1m', 'close', code, fq=None, include=True)
            if len(hist) < 15:
                continue
            if price > hist['close'].mean():
                order_value(code, g.per_bond)
                g.entry[code] = price
        elif pos.enable_amount > 0:
            pnl = price / pos.cost_basis - 1
            if pnl >= g.target or pnl <= g.stop:
                order_target(code, 0)
                log.info('T+0 exit %s %.2f%%' % (code, pnl * 100))


def close_all(context):
    for code, pos in context.portfolio.positions.items():
        if pos.enable_amount > 0:
            order_target(code, 0)
