"""The report's per-security section: daily candlesticks, buy/sell markers at the fill prices, and the
position held, for each security the run traded — one at a time, chosen from a selector.

Built to stay light on a whole-market run with thousands of fills: each security's data is its own
``<script type="application/json">`` block that the page parses only when that security is selected
(nothing is drawn or parsed for the others), bars are cut to the days around the security's activity
(``MARGIN_DAYS`` before its first fill or holding, after its last), and numbers are written compactly
(day offsets into one shared date list, prices to 4 decimals). The figure uses the layout of the other
charts (``figures._LAYOUT``) and the same colours: red for buys and up candles, green for sells and down
candles. Everything is inline, so the page still opens offline.
"""
from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd

from ptrade_fast.report.figures import _LAYOUT, STRATEGY_COLOR

MARGIN_DAYS = 20
UP_COLOR = "#d73027"     # red: up candle, buy
DOWN_COLOR = "#1a9850"   # green: down candle, sell


def _round(values: np.ndarray, digits: int = 4) -> list:
    values = np.round(np.asarray(values, float), digits)
    if np.isfinite(values).all():
        return values.tolist()
    return [v if np.isfinite(v) else None for v in values.tolist()]


def _rows_by_code(codes: np.ndarray) -> dict[str, np.ndarray]:
    """Row positions of each code, in table order."""
    if len(codes) == 0:
        return {}
    return {str(k): v for k, v in pd.Series(np.arange(len(codes))).groupby(codes, sort=False).indices.items()}


def security_payloads(result) -> tuple[list[str], list[tuple[str, int, dict]]]:
    """``(dates, [(code, fills, payload), ...])``: the shared ISO date list and, per traded or held
    security (most fills first, then by code), its bars, fills and positions as JSON-ready dicts.

    Everything is computed on whole columns first (day positions, times as text), so a whole-market run
    with tens of thousands of fills costs little more than its tables' size."""
    bars, trades, positions = result.bars, result.trades, result.positions
    codes = sorted(set(map(str, trades["code"])) | set(map(str, positions["code"])))
    if not codes:
        return [], []
    day_of = lambda col: pd.DatetimeIndex(pd.to_datetime(col)).normalize()  # noqa: E731
    days = day_of(result.portfolio.index).union(day_of(bars["date"])).unique().sort_values()
    ns = days.asi8
    pos_in_days = lambda col: np.searchsorted(ns, day_of(col).asi8)  # noqa: E731

    b_i = pos_in_days(bars["date"])
    b_cols = {k: bars[f].to_numpy(float) for k, f in (("o", "open"), ("h", "high"), ("l", "low"), ("c", "close"))}
    f_i = pos_in_days(trades["dt"])
    f_buy = (trades["side"] == "买").to_numpy()
    f_t = pd.to_datetime(trades["dt"]).dt.strftime("%Y-%m-%d %H:%M").to_numpy(object)
    f_p = trades["price"].to_numpy(float)
    f_q = trades["amount"].to_numpy(np.int64)
    p_i = pos_in_days(positions["date"])
    p_a = positions["amount"].to_numpy(np.int64)
    rows_b = _rows_by_code(bars["code"].astype(str).to_numpy())
    rows_f = _rows_by_code(trades["code"].astype(str).to_numpy())
    rows_p = _rows_by_code(positions["code"].astype(str).to_numpy())
    none = np.zeros(0, dtype=np.int64)

    out = []
    for code in codes:
        rf, rp, rb = rows_f.get(code, none), rows_p.get(code, none), rows_b.get(code, none)
        active = np.concatenate([f_i[rf], p_i[rp]])
        lo = max(0, int(active.min()) - MARGIN_DAYS) if len(active) else 0
        hi = min(len(days) - 1, int(active.max()) + MARGIN_DAYS) if len(active) else len(days) - 1
        rb = rb[(b_i[rb] >= lo) & (b_i[rb] <= hi)]
        payload = {"i": b_i[rb].tolist(), **{k: _round(v[rb]) for k, v in b_cols.items()}}
        for name, mask in (("buy", f_buy[rf]), ("sell", ~f_buy[rf])):
            r = rf[mask]
            payload[name] = {"i": f_i[r].tolist(), "t": f_t[r].tolist(), "p": _round(f_p[r]),
                             "q": f_q[r].tolist()}
        # Position each day of the window (0 when flat), so the step line drops to zero after a sale.
        amounts = np.zeros(hi - lo + 1, dtype=np.int64)
        keep = rp[(p_i[rp] >= lo) & (p_i[rp] <= hi)]
        np.add.at(amounts, p_i[keep] - lo, p_a[keep])
        payload["pos"] = {"from": lo, "a": amounts.tolist()}
        out.append((code, int(len(rf)), payload))
    out.sort(key=lambda item: (-item[1], item[0]))
    return [d.strftime("%Y-%m-%d") for d in days], out


def securities_section_html(result) -> str:
    """The section: a selector, one chart div, the per-security JSON blocks and the script that draws
    the selected security with plotly (already inlined in the page's head)."""
    dates, items = security_payloads(result)
    if not items:
        return '<h2>个股 Securities</h2><p class="note">No security was traded or held.</p>'
    options = "".join(f'<option value="{k}">{html.escape(code)} ({n} fills)</option>'
                      for k, (code, n, _) in enumerate(items))
    blocks = "".join(
        f'<script type="application/json" id="sec-{k}" data-code="{html.escape(code)}">'
        f'{_json(payload)}</script>' for k, (code, _, payload) in enumerate(items))
    layout = {k: v for k, v in _LAYOUT.items() if k != "height"}
    config = {"up": UP_COLOR, "down": DOWN_COLOR, "position": STRATEGY_COLOR, "layout": layout}
    return (f'<h2>个股 Securities</h2><p class="note">{len(items)} securities traded or held; daily candles '
            f'with fills (▲ buy, ▼ sell, at the fill price) and the position held.</p>'
            f'<label>证券 Security <select id="sec-select">{options}</select></label>'
            f'<div id="chart-security" style="height:560px"></div>'
            f'<script type="application/json" id="sec-dates">{_json(dates)}</script>'
            f'<script type="application/json" id="sec-config">{_json(config)}</script>'
            f'{blocks}<script type="text/javascript">{_SCRIPT}</script>')


def _json(obj) -> str:
    # "</" cannot appear inside a <script> block.
    return json.dumps(obj, separators=(",", ":"), sort_keys=True, ensure_ascii=False).replace("</", "<\\/")


_SCRIPT = """
(function(){
var dates=JSON.parse(document.getElementById('sec-dates').textContent);
var cfg=JSON.parse(document.getElementById('sec-config').textContent);
var sel=document.getElementById('sec-select');
function pick(ix){return ix.map(function(k){return dates[k];});}
function draw(){
  var el=document.getElementById('sec-'+sel.value);
  var d=JSON.parse(el.textContent), code=el.getAttribute('data-code');
  var posX=d.pos.a.map(function(_,k){return dates[d.pos.from+k];});
  var traces=[
    {type:'candlestick',name:code,x:pick(d.i),open:d.o,high:d.h,low:d.l,close:d.c,
     increasing:{line:{color:cfg.up}},decreasing:{line:{color:cfg.down}},xaxis:'x',yaxis:'y'},
    {type:'scatter',mode:'markers',name:'买 Buy',x:pick(d.buy.i),y:d.buy.p,text:d.buy.t,customdata:d.buy.q,
     marker:{symbol:'triangle-up',size:10,color:cfg.up,line:{width:1,color:'#fff'}},
     hovertemplate:'买 %{text}<br>%{customdata} @ %{y:.3f}<extra></extra>',xaxis:'x',yaxis:'y'},
    {type:'scatter',mode:'markers',name:'卖 Sell',x:pick(d.sell.i),y:d.sell.p,text:d.sell.t,customdata:d.sell.q,
     marker:{symbol:'triangle-down',size:10,color:cfg.down,line:{width:1,color:'#fff'}},
     hovertemplate:'卖 %{text}<br>%{customdata} @ %{y:.3f}<extra></extra>',xaxis:'x',yaxis:'y'},
    {type:'scatter',mode:'lines',name:'持仓 Position',x:posX,y:d.pos.a,line:{shape:'hv',width:1.5,color:cfg.position},
     fill:'tozeroy',xaxis:'x',yaxis:'y2'}];
  var layout=Object.assign({},cfg.layout,{
    title:{text:code+' 行情与成交 Bars and fills',x:0,font:{size:15}},hovermode:'closest',
    xaxis:{type:'category',rangeslider:{visible:false},nticks:12,anchor:'y2'},
    yaxis:{domain:[0.32,1],title:{text:'价格 Price'}},
    yaxis2:{domain:[0,0.24],title:{text:'持仓 Shares'},tickformat:',d'}});
  Plotly.react('chart-security',traces,layout,{displaylogo:false,responsive:true});
}
sel.addEventListener('change',draw);
draw();
})();
"""
