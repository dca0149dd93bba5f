# Live-only calls: guarded ones are fine, the others reported.  `# expect: CODE` marks each line.
def initialize(context):
    g.live = is_trade()
    run_daily(context, morning, time="9:35")
    run_interval(context, every_3s, seconds=3)  # expect: PT402


def morning(context):
    snap = get_snapshot("600570.SS")  # expect: PT401
    if is_trade():
        snap = get_snapshot("600570.SS")
    if g.live:
        gear = get_gear_price("600570.SS")
    ok = is_trade() and get_snapshot("600570.SS")
    px = get_snapshot("600570.SS") if is_trade() else None
    if not is_trade():
        pass
    else:
        margincash_open("600570.SS", 100)


def handle_data(context, data):
    if not is_trade():
        return
    ipo_stocks_order()


def after_trading_end(context, data):
    send_email("a@b.c", "a@b.c", "pw", info="done")  # expect: PT402
    get_deliver("20240101", "20240102")  # expect: PT401


def every_3s(context):
    get_snapshot("600570.SS")


def tick_data(context, data):
    order_tick("600570.SS", 100, 1)
