# corpus: data=bundle frequency=1d start=2024-01-02 end=2024-06-28
# exercises: the platform's indicator functions in their code form (get_MACD / get_KDJ / get_RSI with a code), is_trade() guard, log.warn
def initialize(context):
    g.security = '600000.SS'
    set_universe([g.security])


def handle_data(context, data):
    if is_trade():
        log.warn('live only branch')
        return
    macd = get_MACD(g.security, N1=12, N2=26, M=9)
    kdj = get_KDJ(g.security, N=9, M1=3, M2=3)
    rsi = get_RSI(g.security, N=6)
    held = get_position(g.security).amount > 0
    if macd['DIF'] > 0 and kdj['K'] > kdj['D'] and rsi['RSI'] < 80 and not held:
        order_value(g.security, 300000)
    elif held and (kdj['K'] < kdj['D'] or rsi['RSI'] > 85):
        order_target(g.security, 0)
