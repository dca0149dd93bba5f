# -*- coding: utf-8 -*-
"""Dual moving-average benchmark strategy, written as a plain Ptrade strategy file.

Rule, evaluated on every bar for every stock of the universe (sorted by code):
  * flat and close > 1.01 * MA20  ->  buy with 95% of the cash held at the start of the bar,
                                      split equally over the universe (order_value)
  * holding and close < MA5       ->  sell everything that is sellable (order_target(s, 0))
MA5/MA20 are simple means of the last 5/20 closes, the current bar included; a stock with
fewer than 20 bars of history is skipped. Orders fill at the current bar's close (Ptrade's
backtest rule); fees are Ptrade's A-share defaults (commission 0.03%, min 5 yuan, transfer
fee, 0.1% stamp tax on sells); no slippage; no volume cap. The same rule is re-expressed for
each other engine in engines/.

The universe is the first UNIVERSE_SIZE A-shares (sorted) listed on the first day; benchmarks/floor.py sets
UNIVERSE_SIZE per scenario (None = all of them).
Python 3.5 syntax on purpose: that is what Ptrade itself runs.
"""
import numpy as np

UNIVERSE_SIZE = None


def initialize(context):
    g.security = []
    g.n = 0
    g.freq = get_frequency()
    set_benchmark('000300.SS')
    set_commission(commission_ratio=0.0003, min_commission=5.0, type='STOCK')
    set_slippage(slippage=0.0)
    set_limit_mode('UNLIMITED')


def before_trading_start(context, data):
    # Ptrade allows get_Ashares only once the backtest runs, so the universe is fixed here
    if not g.security:
        g.security = sorted(get_Ashares())[:UNIVERSE_SIZE]
        g.n = len(g.security)
        set_universe(g.security)


def handle_data(context, data):
    hist = get_history(20, g.freq, 'close', g.security, fq=None, include=True)
    if hist is None or len(hist) < 20:
        return
    budget = 0.95 * context.portfolio.cash / g.n
    positions = context.portfolio.positions
    columns = hist.columns
    for stock in g.security:
        if stock not in columns:
            continue
        closes = hist[stock].values
        if len(closes) < 20 or np.isnan(closes).any():
            continue
        close = closes[-1]
        pos = positions.get(stock)
        amount = pos.amount if pos is not None else 0
        if amount <= 0:
            if close > 1.01 * closes.mean():
                order_value(stock, budget)
        elif close < closes[-5:].mean() and pos.enable_amount > 0:
            order_target(stock, 0)
