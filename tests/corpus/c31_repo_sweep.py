# corpus: data=realistic frequency=1d start=2023-01-03 end=2023-06-30
# exercises: end-of-day idle-cash reverse repo sweep: the higher 1-day rate of GC001 (204001.SS) and R-001 (131810.SZ) each day, whole 1,000-CNY units, a cash reserve kept, an ETF core position
def initialize(context):
    g.sh_repo = '204001.SS'      # 上交所 GC001
    g.sz_repo = '131810.SZ'      # 深交所 R-001
    g.core = '510300.SS'
    g.reserve = 20000            # 留存现金
    g.bought = False
    set_universe([g.core])


def handle_data(context, data):
    if not g.bought:
        order_value(g.core, context.portfolio.portfolio_value * 0.3)
        g.bought = True
        return
    sh_rate = data[g.sh_repo].close
    sz_rate = data[g.sz_repo].close
    if sh_rate >= sz_rate:
        code, rate = g.sh_repo, sh_rate
    else:
        code, rate = g.sz_repo, sz_rate
    idle = context.portfolio.cash - g.reserve
    lots = int(idle / 1000) * 10             # 10 张 = 1,000 CNY
    if lots >= 10:
        order(code, -lots)
        log.info('逆回购 %s 年化%.3f%% %d张' % (code, rate, lots))


def after_trading_end(context, data):
    for code, pos in context.portfolio.positions.items():
        if code[:3] in ('204', '131') and pos.amount > 0:
            log.info('在途逆回购 %s %d张' % (code, pos.amount))
