# corpus: data=bundle frequency=1d start=2024-01-02 end=2024-03-29
# exercises: index-member screen (get_index_stocks '.XBHS' in before_trading_start), filter_stock_by_status, check_limit, long history frame ranked by momentum, order_target_value rebalance
import numpy as np


def initialize(context):
    g.index = '000300.XBHS'
    g.hold_num = 5
    g.pool = []
    set_benchmark('000300.XBHS')
    set_commission(commission_ratio=0.0003, min_commission=5.0, type='STOCK')
    set_slippage(slippage=0.002)


def before_trading_start(context, data):
    stocks = get_index_stocks(g.index)
    stocks = filter_stock_by_status(stocks, filter_type=['ST', 'HALT', 'DELISTING'])
    g.pool = stocks[:80]


def handle_data(context, data):
    if context.blotter.current_dt.weekday() != 0:
        return
    hist = get_history(21, '1d', 'close', g.pool, fq='pre')
    wide = hist.pivot_table(index=hist.index, columns='code', values='close')
    mom = (wide.iloc[-1] / wide.iloc[0] - 1).dropna().sort_values(ascending=False)
    limits = check_limit(list(mom.index[:20]))
    picks = [c for c in mom.index[:20] if limits.get(c, 0) == 0][:g.hold_num]
    for code in list(context.portfolio.positions):
        if code not in picks:
            order_target_value(code, 0)
    if not picks:
        return
    each = context.portfolio.portfolio_value * 0.95 / len(picks)
    for code in picks:
        order_target_value(code, each)
