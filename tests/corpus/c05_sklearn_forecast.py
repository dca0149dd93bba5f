# corpus: data=bundle frequency=1d start=2024-01-02 end=2024-03-29
# exercises: scikit-learn LinearRegression on lagged returns of one stock, is_dict=False single-code history DataFrame, order/order_target by prediction sign
import numpy as np
from sklearn.linear_model import LinearRegression


def initialize(context):
    g.security = '600570.SS'
    set_universe(g.security)


def handle_data(context, data):
    close = get_history(80, '1d', 'close', g.security)['close'].values
    r = np.diff(close) / close[:-1]
    X = np.column_stack([r[i:len(r) - 5 + i] for i in range(5)])
    y = r[5:]
    model = LinearRegression().fit(X[:-1], y[:-1])
    pred = model.predict(X[-1:].reshape(1, -1))[0]
    held = g.security in context.portfolio.positions and context.portfolio.positions[g.security].amount > 0
    if pred > 0 and not held:
        order_value(g.security, context.portfolio.cash * 0.9)
    elif pred < 0 and held:
        order_target(g.security, 0)
