# Callback and scheduled-function signatures the platform cannot call.  `# expect: CODE` marks each line.
def initialize(context):
    run_daily(context, rebalance, time="14:50")


def before_trading_start(context):  # expect: PT601
    pass


def after_trading_end(context):  # expect: PT601
    pass


def on_trade_response(context, trade_list, extra):  # expect: PT601
    pass


def rebalance(context, data):  # expect: PT603
    pass


def handle_data(context, data=None, *, flag):  # expect: PT601
    pass
