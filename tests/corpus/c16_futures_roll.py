# corpus: data=bundle frequency=1d start=2024-01-02 end=2024-06-28
# exercises: index futures trend with rolls: get_dominant_contract('IF'), buy_open / sell_close, roll when the dominant contract changes, get_instruments, set_margin_rate
def initialize(context):
    g.product = 'IF'
    g.holding = None
    set_margin_rate('IF', 0.12)
    set_future_commission('IF', 0.000023)


def handle_data(context, data):
    main = get_dominant_contract(g.product)
    if main is None:
        return
    closes = get_history(10, '1d', 'close', main)['close']
    up = closes.iloc[-1] > closes.mean()
    if g.holding and g.holding != main:
        sell_close(g.holding, 1)
        log.info('roll %s -> %s' % (g.holding, main))
        g.holding = None
    if g.holding is None and up:
        info = get_instruments(main)
        log.info('open %s multiplier %s' % (main, info.contract_multiplier))
        buy_open(main, 1)
        g.holding = main
    elif g.holding and not up:
        sell_close(g.holding, 1)
        g.holding = None
