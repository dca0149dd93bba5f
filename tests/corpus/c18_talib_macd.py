# corpus: data=bundle frequency=1d start=2024-01-02 end=2024-06-28
# exercises: TA-Lib MACD and RSI on get_history closes, golden/death cross trading with order_target
import talib


def initialize(context):
    g.security = '600570.SS'
    set_universe([g.security])


def handle_data(context, data):
    close = get_history(60, '1d', 'close', g.security, fq='dypre')['close'].values
    dif, dea, hist = talib.MACD(close, 12, 26, 9)
    rsi = talib.RSI(close, 14)[-1]
    if dif[-1] > dea[-1] and dif[-2] <= dea[-2] and rsi < 70:
        order_target(g.security, 5000)
    elif dif[-1] < dea[-1] and dif[-2] >= dea[-2]:
        order_target(g.security, 0)
