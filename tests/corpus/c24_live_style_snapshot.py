# corpus: data=generated frequency=1m start=2023-03-01 end=2023-03-03 options=snapshot:bars
# exercises: live-style scanner: run_interval every 5 minutes reading get_snapshot (last_px, up_px, px_change_rate) and get_gear_price, smoke-tested with snapshot='bars'
def initialize(context):
    g.codes = ['510300.SS', '510500.SS', '159915.SZ']
    set_universe(g.codes)
    run_interval(context, scan, seconds=300)


def scan(context):
    snaps = get_snapshot(g.codes)
    for code, snap in snaps.items():
        if snap['trade_status'] != 'TRADE':
            continue
        gear = get_gear_price(code)
        ask = gear['offer_grp'][1][0] if gear['offer_grp'] else snap['last_px']
        held = get_position(code).amount
        if snap['px_change_rate'] > 0.3 and held == 0 and snap['last_px'] < snap['up_px']:
            order(code, 10000, limit_price=ask)
        elif snap['px_change_rate'] < -0.3 and get_position(code).enable_amount > 0:
            order(code, -get_position(code).enable_amount)


def handle_data(context, data):
    pass
