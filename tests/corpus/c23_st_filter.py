# corpus: data=generated frequency=1d start=2023-02-01 end=2023-04-28
# exercises: get_stock_status ST / get_stock_name '*ST' screens, get_Ashares on a date, buy the cheapest non-ST names by price, weekly via get_trade_days
def initialize(context):
    g.n = 5


def handle_data(context, data):
    days = get_trade_days(end_date=context.blotter.current_dt.strftime('%Y-%m-%d'), count=2)
    if len(days) == 2 and days[-1].isocalendar()[1] == days[0].isocalendar()[1]:
        return
    stocks = get_Ashares(context.previous_date.strftime('%Y%m%d'))
    st = get_stock_status(stocks, 'ST')
    names = get_stock_name(stocks)
    clean = [c for c in stocks if not st.get(c) and 'ST' not in names.get(c, '')]
    price = get_price(clean, end_date=context.previous_date, count=1, fields=['close'])
    cheapest = list(price.sort_values('close')['code'][:g.n])
    for code in list(context.portfolio.positions):
        if code not in cheapest:
            order_target(code, 0)
    for code in cheapest:
        order_target_value(code, context.portfolio.portfolio_value / (g.n + 1))
