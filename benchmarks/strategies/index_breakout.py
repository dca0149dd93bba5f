# -*- coding: utf-8 -*-
"""Index-member breakout on forward-adjusted history (a benchmark strategy of benchmarks/floor.py).

Every day: the members of the CSI 300 (get_index_stocks('000300.SS'), dated membership) are screened with
get_history(60, '1d', ['close', 'high'], members, fq='pre') in the long shape (one frame, a 'code' column):
  * flat and today's close above the highest high of the 59 days before  ->  order_value(cash / 10)
  * holding and today's close below its 20-day mean                       ->  order_target(code, 0)
Members are taken in code order; at most ten positions.
"""
import numpy as np

UNIVERSE_SIZE = None


def initialize(context):
    g.slots = 10
    set_benchmark('000300.SS')
    set_commission(commission_ratio=0.0003, min_commission=5.0, type='STOCK')
    set_slippage(slippage=0.0)
    set_limit_mode('UNLIMITED')


def handle_data(context, data):
    members = sorted(get_index_stocks('000300.SS'))[:UNIVERSE_SIZE]
    if not members:
        return
    hist = get_history(60, '1d', ['close', 'high'], members, fq='pre', include=True)
    positions = context.portfolio.positions
    held = [c for c in positions if positions[c].amount > 0]
    budget = context.portfolio.cash / g.slots
    for code, rows in hist.groupby('code', sort=True):
        close = rows['close'].values
        high = rows['high'].values
        if len(close) < 60 or np.isnan(close).any():
            continue
        pos = positions.get(code)
        amount = pos.amount if pos is not None else 0
        if amount <= 0:
            if len(held) < g.slots and close[-1] > high[:-1].max():
                order_value(code, budget)
                held.append(code)
        elif close[-1] < close[-20:].mean() and pos.enable_amount > 0:
            order_target(code, 0)
