# -*- coding: utf-8 -*-
"""Momentum rotation over index members on dynamically forward-adjusted history (benchmarks/floor.py).

Every fifth trading day: rank the members of the CSI 500 (get_index_stocks('000905.SS')) by their 20-day
return from get_history(21, '1d', 'close', members, fq='dypre') (long shape, ranked with a groupby), sell what
left the top five, and buy the newcomers with equal shares of the cash (order_target_value).
"""
import numpy as np

UNIVERSE_SIZE = None


def initialize(context):
    g.top = 5
    g.day = 0
    set_benchmark('000300.SS')
    set_commission(commission_ratio=0.0003, min_commission=5.0, type='STOCK')
    set_slippage(slippage=0.0)
    set_limit_mode('UNLIMITED')


def handle_data(context, data):
    g.day += 1
    if g.day % 5 != 1:
        return
    members = sorted(get_index_stocks('000905.SS'))[:UNIVERSE_SIZE]
    if not members:
        return
    hist = get_history(21, '1d', 'close', members, fq='dypre', include=True)
    grouped = hist.groupby('code', sort=True)['close']
    first, last, count = grouped.first(), grouped.last(), grouped.count()
    momentum = (last / first - 1.0)[count == 21].dropna()
    best = list(momentum.sort_values(ascending=False, kind='mergesort').index[:g.top])
    positions = context.portfolio.positions
    for code in sorted(positions):
        if positions[code].amount > 0 and code not in best and positions[code].enable_amount > 0:
            order_target(code, 0)
    new = [c for c in best if c not in positions or positions[c].amount <= 0]
    if new:
        each = context.portfolio.cash / len(new) * 0.98
        for code in new:
            order_target_value(code, each)
