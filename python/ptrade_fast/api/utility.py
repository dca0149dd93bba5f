"""Ptrade utility, account and file functions (§D.19), notifications (§D.17), and the live-only
names every strategy may reference (§H.12).
"""
from __future__ import annotations

import csv
import json
import os
from importlib import resources

from ..model.phases import ALL_PHASES, phases
from ..errors import LiveOnlyError


BUSINESS_TYPES = ("stock", "rzrq", "future")


def spec_functions() -> list[dict]:
    """The Ptrade function list (``ptrade-api.json``, shipped with the package)."""
    with resources.files("ptrade_fast.api").joinpath("ptrade-api.json").open(encoding="utf-8") as fh:
        return json.load(fh)


class UtilityAPI:
    """Backtest behaviour of Ptrade's utility functions."""

    def __init__(self, rt, account, market):
        self.rt = rt
        self._acct = account
        self._market = market
        kind = rt.options.get("business_type")
        if kind is not None and kind not in BUSINESS_TYPES:
            raise ValueError(f"business_type must be one of {', '.join(map(repr, BUSINESS_TYPES))}, was {kind!r}")

    @phases(*ALL_PHASES)
    def is_trade(self, security=None):
        """Ptrade ``is_trade()``: ``False`` in a backtest (True only when running live).

        Seed form ``is_trade(code)`` (§0.1a): whether the security is tradable now — listed, with
        data, and not suspended today.
        """
        if security is None:
            return False
        return self._market.is_tradable_code(security)

    @phases(*ALL_PHASES)
    def get_frequency(self):
        """Ptrade ``get_frequency``: ``'daily'`` or ``'minute'``."""
        return "daily" if self.rt.frequency == "1d" else "minute"

    @phases(*ALL_PHASES)
    def get_business_type(self):
        """Ptrade ``get_business_type``: the business type of the account the strategy runs on.

        Returns
        -------
        str
            ``'rzrq'`` when the run simulates a margin account (option ``margin_account``), else the run
            option ``business_type`` when given (``'stock'``, ``'rzrq'``, ``'future'``), else ``'stock'``.

        Differences from Ptrade
        -----------------------
        On the platform the type is chosen when the strategy is created; here futures trade in the same
        account as stocks, so a futures strategy that branches on the type passes ``business_type='future'``.
        """
        if self._acct.margin_enabled:
            return "rzrq"
        return self.rt.options.get("business_type") or "stock"

    @phases(*ALL_PHASES)
    def get_research_path(self):
        """Ptrade ``get_research_path``: the local directory standing in for ``/home/fly/notebook/``
        (run option ``research_path``; default ``./research/`` under the working directory).
        Always ends with ``/``."""
        return self.rt.research_path()

    @phases(*ALL_PHASES)
    def create_dir(self, user_path=None):
        """Ptrade ``create_dir``: create ``user_path`` (nested allowed) under the research directory."""
        if user_path is None:
            return None
        if not isinstance(user_path, str) or ".." in user_path.replace("\\", "/").split("/"):
            raise ValueError(f"create_dir: user_path must be a relative path inside the research directory, was {user_path!r}")
        os.makedirs(os.path.join(self.rt.research_path(), user_path.lstrip("/")), exist_ok=True)
        return None

    @phases(*ALL_PHASES)
    def get_user_name(self, login_account=True):
        """Ptrade ``get_user_name``: the configured account name (run option ``user_name``)."""
        return self.rt.options.get("user_name", "backtest")

    @phases(*ALL_PHASES)
    def get_trade_name(self):
        """Ptrade ``get_trade_name`` (live): the configured job name (run option ``trade_name``)."""
        return self.rt.options.get("trade_name", "ptrade_fast backtest")

    @phases(*ALL_PHASES)
    def permission_test(self, account=None, end_date=None):
        """Ptrade ``permission_test`` (live): ``True`` in a backtest (logged once)."""
        self.rt.warn_once("permission_test", "permission_test is live-only: returns True in backtest")
        return True

    @phases(*ALL_PHASES)
    def send_email(self, *args, **kwargs):
        """Ptrade ``send_email`` (live): logged, not sent.  Both the official and the seed's signature."""
        self.rt.log.info(f"send_email (not sent in backtest): {kwargs.get('subject', '')} "
                         f"{kwargs.get('info', kwargs.get('content', ''))}".strip())

    @phases(*ALL_PHASES)
    def send_qywx(self, *args, **kwargs):
        """Ptrade ``send_qywx`` (live): logged, not sent.  Both the official and the seed's signature."""
        self.rt.log.info(f"send_qywx (not sent in backtest): {kwargs.get('info', kwargs.get('msg', ''))}")

    @phases(*ALL_PHASES)
    def set_email_info(self, email_address, smtp_code, email_subject):
        """Ptrade ``set_email_info`` (live): accepted, returns ``True``; nothing is sent in a backtest."""
        return True

    @phases("after", "handle", "sched", "before")
    def get_trades_file(self, save_path=""):
        """Ptrade ``get_trades_file``: write the backtest's fills so far to CSV, return its path.

        Header ``order_id,trading_id,entrust_id,security_code,order_type,volume,price,total_money,
        trading_fee,trade_time``; default directory = the research directory.
        """
        base = self.rt.research_path()
        if save_path:
            path = save_path if os.path.isabs(save_path) else os.path.join(base, save_path)
            if os.path.isdir(path) or path.endswith(("/", os.sep)):
                path = os.path.join(path, "trades.csv")
        else:
            path = os.path.join(base, "trades.csv")
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        acct = self._acct
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["order_id", "trading_id", "entrust_id", "security_code", "order_type", "volume",
                        "price", "total_money", "trading_fee", "trade_time"])
            for t in acct.trades:
                tid, row, dt, sid, side, qty, price, value, c, h, tr, st = t
                w.writerow([acct.order_ids[row], tid, int(acct.book.entrust_no[row]),
                            str(acct.codes[sid]), "买" if side > 0 else "卖", qty, f"{price / 1e4:.4f}",
                            f"{value / 1e4:.2f}", f"{(c + h + tr + st) / 1e4:.2f}",
                            dt.strftime("%Y-%m-%d %H:%M:%S")])
        return path

    @phases(*ALL_PHASES)
    def get_current_kline_count(self):
        """Ptrade ``get_current_kline_count``: minute bars elapsed today at the simulated time
        (09:31 → 1 … 15:00 → 240; daily runs 240 at 15:00, 0 before the open)."""
        bi = self.rt.bar_index
        if bi is None:
            return 0
        if self.rt.frequency == "1d":
            return 240
        return min(bi + 1, 240)


class NotAvailableError(RuntimeError):
    """A backtest-capable Ptrade function that this ptrade_fast version does not provide yet."""


_PENDING = {
    "futures": "futures trading and accounting are not in this version yet",
    "options": "options data and trading are not in this version yet",
    "fundamentals": "fundamentals tables are not in this version yet",
}


def stub_function(name: str, signature: str, live_only: bool, category: str):
    """A function with Ptrade's exact signature that exists so strategies load, and raises when called:
    :class:`LiveOnlyError` for a live-only name (§H.12), :class:`NotAvailableError` otherwise."""
    params = signature[len(name):] if signature.startswith(name + "(") else "(*args, **kwargs)"
    if live_only:
        err, text = LiveOnlyError, (f"{name} is only available in live trading ({signature}); "
                                    f"guard the call with `if is_trade():`")
    else:
        err = NotAvailableError
        text = f"{name}: {_PENDING.get(category, 'not available in this version of ptrade_fast')} ({signature})"
    scope = {"_err": err, "_text": text}
    exec(f"def {name}{params}:\n    raise _err(_text)\n", scope)  # exact names and defaults
    fn = scope[name]
    fn.__doc__ = (f"Ptrade ``{signature}`` — "
                  + ("live-only: raises LiveOnlyError in a backtest (§H.12)." if live_only
                     else "not available in this version: raises NotAvailableError."))
    fn.__ptrade_stub__ = "live_only" if live_only else "unavailable"
    return fn
