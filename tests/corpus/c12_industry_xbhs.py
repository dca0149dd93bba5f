# corpus: data=bundle frequency=1d start=2024-01-02 end=2024-03-29
# exercises: .XBHS codes everywhere: set_benchmark('000300.XBHS'), get_industry_stocks('C39000.XBHS'), get_stock_blocks, get_price on '.XSHG/.XSHE' spellings, buy the industry's strongest names
def initialize(context):
    set_benchmark('000300.XBHS')
    g.industry = 'C39000.XBHS'
    g.done = False


def handle_data(context, data):
    if g.done:
        return
    members = get_industry_stocks(g.industry)
    listed = set(get_Ashares())
    members = [c for c in members if c in listed][:30]
    blocks = get_stock_blocks(members[0])
    log.info('%s blocks %s' % (members[0], blocks))
    longs = [c.replace('.SS', '.XSHG').replace('.SZ', '.XSHE') for c in members]
    df = get_price(longs, end_date=context.previous_date.strftime('%Y%m%d'), count=20, fields=['close'])
    wide = df.pivot_table(index=df.index, columns='code', values='close')
    ranked = (wide.iloc[-1] / wide.iloc[0]).dropna().sort_values(ascending=False)
    for code in ranked.index[:4]:
        order_value(code, 150000)
    g.done = True
