# API calls in phases where Ptrade refuses them.  `# expect: CODE` marks each line reported.
def initialize(context):
    set_universe(["600570.SS"])
    set_commission(0.0003)
    configure(context)
    run_daily(context, noon, time="11:00")


def configure(context):
    set_slippage(0.001)  # expect: PT501


def before_trading_start(context, data):
    set_benchmark("000300.SS")  # expect: PT501
    set_yesterday_position([])


def handle_data(context, data):
    set_commission(0.0005)  # expect: PT501
    configure(context)
    get_trades_file()  # expect: PT501


def noon(context):
    run_daily(context, noon, time="13:00")  # expect: PT501


def on_order_response(context, order_list):
    set_universe(["600000.SS"])  # expect: PT501
