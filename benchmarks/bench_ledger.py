"""Ledger kernel: fills booked per second (Ledger.ledger_apply_fills on a T+0 fill stream)."""
import numpy as np

from ptrade_fast._core.ledger import Ledger

from .common import CNY, SEED, fills, seconds


class ApplyFills:
    params = [[10_000, 1_000_000], [300, 5300]]
    param_names = ["n_fills", "n_sids"]
    cash = 10**12 * CNY

    def setup(self, n_fills, n_sids):
        self.f = fills(n_fills, n_sids, SEED)
        self.ledger = self._fresh(n_sids)

    def _fresh(self, n_sids):
        ledger = Ledger(n_sids, self.cash)
        ledger.set_t0(np.ones(n_sids, dtype=np.uint8))
        return ledger

    def _book(self, ledger):
        f = self.f
        return ledger.ledger_apply_fills(f["sid"], f["side"], f["qty"], f["price"], f["fees"])

    def time_ledger_apply_fills(self, n_fills, n_sids):
        self._book(self.ledger)
        self.timed = True

    def teardown(self, n_fills, n_sids):
        # Every buy is sold back: flat book, cash moved by the fees only, P&L = price round trips - fees.
        if not getattr(self, "timed", False):   # teardown of a track_* run
            return
        led, n = self.ledger, self.f["sid"].size
        assert not led.amount.any()
        assert led.cost_total.sum() == 0
        assert led.cash == self.cash - self.f["fees"].sum() == self.cash + led.realised_pnl.sum()
        assert led.total_fees == 5 * CNY * n

    def track_fills_booked_per_second(self, n_fills, n_sids):
        t, n = seconds(self._book, self._fresh(n_sids))
        return n / t

    track_fills_booked_per_second.unit = "fills/s"

    def track_speedup_vs_reference(self, n_fills, n_sids):
        from model import RefLedger

        # The pure-Python model is slow: compare on at most 20 000 fills of the same shape.
        part = fills(min(n_fills, 20_000), n_sids, SEED)
        ledger = self._fresh(n_sids)
        t_kernel, _ = seconds(ledger.ledger_apply_fills, part["sid"], part["side"], part["qty"], part["price"],
                              part["fees"])
        ref = RefLedger(n_sids, self.cash)
        ref.t0 = [1] * n_sids
        rows = list(zip(*(part[c].tolist() for c in ("sid", "side", "qty", "price", "fees"))))
        t_ref, _ = seconds(lambda: [ref.apply_fill(*r) for r in rows])
        assert ref.cash == ledger.cash and ref.amount == ledger.amount.tolist()
        return t_ref / t_kernel

    track_speedup_vs_reference.unit = "x"
