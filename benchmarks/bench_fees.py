"""Fee kernel: fee components of many fills per call (FeeTable.fees_compute_batch)."""
import numpy as np

from .common import SEED, fee_rows, fee_table, fills, seconds


class FeesBatch:
    params = [[10_000, 1_000_000], [300, 5300]]
    param_names = ["n_fills", "n_sids"]

    def setup(self, n_fills, n_sids):
        f = fills(n_fills, n_sids, SEED)
        self.table = fee_table(n_sids)
        self.sid, self.side = f["sid"], f["side"]
        self.value = f["qty"] * f["price"]
        self.out = np.empty((self.sid.size, 4), dtype=np.int64)

    def time_fees_compute_batch(self, n_fills, n_sids):
        self.total = self.table.fees_compute_batch(self.sid, self.side, self.value, self.out)
        self.timed = True

    def teardown(self, n_fills, n_sids):
        if not getattr(self, "timed", False):
            return
        # A fast wrong answer must fail: minimum commission everywhere, stamp duty only on sells.
        assert (self.out[:, 0] >= 5 * 10000).all()
        assert (self.out[self.side == 1, 3] == 0).all() and (self.out[self.side == -1, 3] > 0).all()

    def track_speedup_vs_reference(self, n_fills, n_sids):
        from model import fees_of

        k = min(self.sid.size, 20_000)
        rows = fee_rows(self.table)
        t_kernel, _ = seconds(self.table.fees_compute_batch, self.sid[:k], self.side[:k], self.value[:k], self.out[:k])
        sid, side, value = self.sid[:k].tolist(), self.side[:k].tolist(), self.value[:k].tolist()
        t_ref, ref = seconds(lambda: [fees_of(v, sd, rows[s]) for s, sd, v in zip(sid, side, value)])
        assert ref == self.out[:k].tolist()
        return t_ref / t_kernel

    track_speedup_vs_reference.unit = "x"

    def track_fills_priced_per_second(self, n_fills, n_sids):
        t, _ = seconds(self.table.fees_compute_batch, self.sid, self.side, self.value, self.out)
        return self.sid.size / t

    track_fills_priced_per_second.unit = "fills/s"
