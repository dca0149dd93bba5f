"""Ptrade's IPO subscription functions (§D.14), simulated as an extension when the data root has an IPO
calendar (``ipo.parquet``); without one they stay live-only (§H.12).  The rules are in docs/engine.md,
"IPO subscription"; the work is done by the run's IPO desk (``account.ipo``)."""
from __future__ import annotations

from ..errors import LiveOnlyError
from ..model.phases import phases


class IpoAPI:
    """``get_ipo_stocks`` and ``ipo_stocks_order`` bound to one backtest."""

    def __init__(self, rt, account):
        self.rt = rt
        self._acct = account

    def _desk(self, name: str, signature: str):
        desk = self._acct.ipo
        if desk is None or desk.table is None:
            raise LiveOnlyError(f"{name} is only available in live trading ({signature}); guard the call with "
                                f"`if is_trade():` — or give the data root an IPO calendar (ipo.parquet, "
                                f"docs/data-format.md) to simulate subscriptions")
        return desk

    @phases("before", "handle", "tick", "sched")
    def get_ipo_stocks(self):
        """Ptrade ``get_ipo_stocks``: today's new issues open for subscription, by category.

        Returns
        -------
        dict
            ``{'上证普通代码': [...], '上证科创板代码': [...], '深证普通代码': [...], '深证创业板代码': [...],
            '可转债代码': [...]}``, lists of subscription codes with suffix (``'732116.SS'``, ``'300765.SZ'``).

        Differences from Ptrade
        -----------------------
        An extension: the platform's backtest has no IPO data.  The issues come from the data root's IPO
        calendar (``ipo.parquet``); without one the call raises the live-only error.  The calendar holds no
        convertible-bond issues, so ``'可转债代码'`` is always empty.
        """
        return self._desk("get_ipo_stocks", "get_ipo_stocks()").ipo_stocks()

    @phases("handle", "tick", "sched", "on_order", "on_trade")
    def ipo_stocks_order(self, market_type=None, black_stocks=None):
        """Ptrade ``ipo_stocks_order``: subscribe every new issue of the day with the largest quantity allowed.

        Parameters
        ----------
        market_type : int or list of int, optional
            0 SSE main board, 1 STAR, 2 SZSE main board, 3 ChiNext, 4 convertible bonds; ``None`` = all.
        black_stocks : str or list of str, optional
            Subscription or stock codes (with or without suffix) to skip.

        Returns
        -------
        dict
            ``{subscription code: {'entrust_no', 'order_id', 'stock_code', 'code', 'name', 'price', 'amount',
            'status', 'error_info'}}`` — ``status`` 1 subscribed (``amount`` shares at the issue ``price``), 0 not
            (``error_info`` says why: no quota, already subscribed).

        Differences from Ptrade
        -----------------------
        An extension (docs/engine.md, "IPO subscription"): the quota comes from the run's own average market
        value of A shares over the 20 trading days to T−2 (plus the option ``ipo_holdings_value``); the lottery is
        a binomial draw seeded by the run's ``seed``; the allotment is paid on the payment day from the cash (the
        part the cash does not cover is given up) and the shares become sellable on the listing day.  The later
        editions' ``submarket_type`` keyword is not accepted (this is the older signature).
        """
        return self._desk("ipo_stocks_order", "ipo_stocks_order(market_type=None, black_stocks=None)").subscribe(
            market_type, black_stocks, self.rt.log.warning)
