# No initialize and no handle_data.  `# expect: CODE` marks each line reported.
# expect-at-1: PT602 PT602
def before_trading_start(context, data):
    pass
