# corpus: data=generated frequency=1m start=2023-03-01 end=2023-03-10
# exercises: minute strategy with run_daily at 09:31 (buy the ETF) and 14:55 (sell what is sellable), get_position, enable_amount (T+1)
def initialize(context):
    g.etf = '510300.SS'
    set_universe([g.etf])
    run_daily(context, morning, time='09:31')
    run_daily(context, afternoon, time='14:55')


def morning(context):
    if get_position(g.etf).amount == 0:
        order_value(g.etf, 200000)


def afternoon(context):
    pos = get_position(g.etf)
    if pos.enable_amount > 0:
        order(g.etf, -pos.enable_amount)


def handle_data(context, data):
    pass
