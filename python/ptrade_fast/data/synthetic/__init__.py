"""A synthetic whole A-share market, generated day by day into a data root (docs/data-format.md).

``generate(root, stocks=5300, start, end, minute=False, seed=0)`` writes a complete root: calendar,
instruments, daily/YYYY, minute/YYYY/YYYY-MM-DD (with ``minute=True``), ex_rights, index_members, the
optional ``st.parquet`` and meta.json last; ``market='realistic'`` (what ``ptrade-fast data generate`` makes)
adds real codes and names, the major indices, common funds, bond terms (with dated conversion prices in
``cb_conversion_prices.parquet``), ETF creation/redemption baskets (``etf_baskets.parquet``, an extension) and
fundamentals.  Both markets write ``fund_kind`` (a fund's settlement cycle); the plain one has a T+0 gold ETF.
``add_index_futures(root)`` adds index futures to a root.

Modules, one concept each: ``params`` (board ranges, indices, ETFs, model constants), ``calendar``,
``universe`` (codes, listings, ETFs, bonds, the instruments table), ``corporate`` (ex-rights events, ST),
``prices`` (the daily and minute bars of stocks, ETFs and bonds), ``indices`` (dated membership, levels),
``bars`` (minute paths and money), ``output`` (the files), ``market`` (``generate`` and the day loop),
``profiles`` (the plain and realistic markets: indices, membership rules, funds, the shipped real code list),
``fundamentals`` (quarterly reports for every stock), ``futures`` (index futures on a root's indices).

Invariants (the tests check each one):
- Deterministic: the same arguments give byte-identical files.  Four independent random streams
  (universe, daily, minute, the others) are spawned from ``seed``, so the daily prices and volumes do not
  depend on ``minute``; only money and the index/ETF highs and lows do (they are sums over minutes).
- Codes lie in the real ranges of each board (docs/market-rules.md §1.2), in roughly the 2024 proportions;
  boards that opened late (STAR 688 from 2019-07-22, 301 from 2020-08-24, 605, 001, 003) only list IPOs
  after their opening, in proportion to the time since.
- Prices are integers of ticks until written; every bar lies on the tick grid inside that day's limits
  (``rules.limits`` with the ST flag and the IPO no-limit days), and jumps clipped at the limits give
  limit-up/limit-down closes.
- 1-minute bars aggregate exactly to the daily bar: first open, max high, min low, last close, Σ volume,
  Σ money.  Money is whole CNY (integer arithmetic), so the sums are exact.  ETF and CB bars are a
  monotone function of their index or underlying, so they aggregate exactly too.
- An index closes at ``level_{t-1} × Σ fs·close / Σ fs·preclose`` over its members listed that day, with
  ``fs`` the float shares in force (ex_rights.parquet) and ``preclose`` the ex-rights reference on ex-dates.
- Memory is bounded: state is one vector per security; a day's minute arrays are written (on a writer
  thread) as soon as they are made; daily rows are held for one calendar year.

Format addition: ``st.parquet`` (code, start_date, end_date), the ST / *ST periods, dates inclusive,
end_date null = still ST at the end of the data.  Names do not change with ST.  ex_rights.parquet holds a
``has_action = False`` row at each stock's first bar with its share capital, so market caps are known.
"""
from .bars import minute_path, split_lots
from .calendar import trading_calendar
from .futures import INDEX_PRODUCTS, add_index_futures
from .market import generate
from .params import ETFS, INDICES, STOCK_PREFIXES

__all__ = ["ETFS", "INDEX_PRODUCTS", "INDICES", "STOCK_PREFIXES", "add_index_futures", "generate", "minute_path",
           "split_lots", "trading_calendar"]
