# corpus: data=bundle frequency=1d start=2024-01-02 end=2024-03-29
# exercises: statsmodels OLS three-factor style regression (market, size, value from valuation) on index members, buys the lowest alpha, monthly
import numpy as np
import pandas as pd
import statsmodels.api as sm


def initialize(context):
    g.index = '000300.SS'
    g.last_month = None
    set_benchmark('000300.XBHS')


def handle_data(context, data):
    month = context.blotter.current_dt.month
    if month == g.last_month:
        return
    g.last_month = month
    stocks = get_index_stocks(g.index)[:60]
    prices = get_history(61, '1d', 'close', stocks + [g.index])
    wide = prices.pivot_table(index=prices.index, columns='code', values='close')
    rets = wide.pct_change().dropna(how='all').iloc[1:]
    val = get_fundamentals(stocks, 'valuation', fields=['total_value', 'pb'])
    val = val[(val['total_value'] > 0) & (val['pb'] > 0)]
    small = val['total_value'].rank(pct=True) <= 0.5
    cheap = val['pb'].rank(pct=True) <= 0.5
    stock_rets = rets[[c for c in val.index if c in rets]]
    smb = stock_rets[small[small].index.intersection(stock_rets.columns)].mean(axis=1) - \
        stock_rets[small[~small].index.intersection(stock_rets.columns)].mean(axis=1)
    hml = stock_rets[cheap[cheap].index.intersection(stock_rets.columns)].mean(axis=1) - \
        stock_rets[cheap[~cheap].index.intersection(stock_rets.columns)].mean(axis=1)
    X = sm.add_constant(pd.DataFrame({'mkt': rets[g.index], 'smb': smb, 'hml': hml}).fillna(0.0))
    alphas = {}
    for code in stock_rets.columns:
        y = stock_rets[code].fillna(0.0)
        alphas[code] = sm.OLS(y, X).fit().params['const']
    picks = sorted(alphas, key=alphas.get)[:5]
    for code in context.portfolio.positions:
        if code not in picks:
            order_target(code, 0)
    for code in picks:
        order_target_value(code, context.portfolio.portfolio_value / 6)
