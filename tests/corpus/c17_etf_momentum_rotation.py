# corpus: data=generated frequency=1d start=2023-02-01 end=2023-04-28
# exercises: ETF momentum rotation (20-day return, hold the best one) with run_daily 14:55, order_target_value, benchmark on the CSI 300 ETF
def initialize(context):
    g.etfs = ['510300.SS', '510500.SS', '159915.SZ', '510050.SS', '159901.SZ']
    g.lookback = 20
    set_universe(g.etfs)
    set_benchmark('510300.SS')
    run_daily(context, rotate, time='14:55')


def rotate(context):
    scores = {}
    for code in g.etfs:
        c = get_history(g.lookback, '1d', 'close', code)['close']
        if len(c) == g.lookback and c.iloc[0] > 0:
            scores[code] = c.iloc[-1] / c.iloc[0] - 1
    if not scores:
        return
    best = max(scores, key=scores.get)
    for code in list(context.portfolio.positions):
        if code != best and context.portfolio.positions[code].amount > 0:
            order_target_value(code, 0)
    order_target_value(best, context.portfolio.portfolio_value * 0.98)


def handle_data(context, data):
    pass
