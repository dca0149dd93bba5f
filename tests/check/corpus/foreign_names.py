# JoinQuant / RiceQuant names.  `# expect: CODE` marks each line reported.
def initialize(context):
    set_order_cost(0.0003, type="stock")  # expect: PT301
    g.security = "600570.SS"


def handle_data(context, data):
    info = get_security_info(g.security)  # expect: PT301
    closes = attribute_history(g.security, 5, "1d", ["close"])  # expect: PT301
    prices = history(5, "1d", "close", [g.security])  # expect: PT301
    current = get_current_data()  # expect: PT301
    order_target_percent(g.security, 0.5)  # expect: PT301
    cash = context.portfolio.available_cash  # expect: PT302
    amount = context.portfolio.positions[g.security].closeable_amount  # expect: PT302
    value = context.portfolio.total_value
    record(cash=cash)  # expect: PT301
