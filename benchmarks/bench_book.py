"""Book kernel: open orders matched per second against one bar of the whole market (OrderBook.match)."""
from .common import market, match, seconds


class MatchBar:
    params = [[1000, 100_000], [300, 5300]]
    param_names = ["n_orders", "n_sids"]
    timeout = 300

    def setup(self, n_orders, n_sids):
        self.m = market(n_orders, n_sids)

    def time_match(self, n_orders, n_sids):
        match(self.m)
        self.timed = True

    def teardown(self, n_orders, n_sids):
        if not getattr(self, "timed", False):   # teardown of a track_* run
            return
        book, led, fills = self.m["book"], self.m["ledger"], self.m["fills"]
        f = fills.columns()
        terminal = (book.status == ord("8")) | (book.status == ord("5"))
        assert led.cash >= 0 and (led.enable_amount <= led.amount).all()
        assert int(terminal.sum()) == len(fills) == len(set(f["order_row"].tolist()))
        assert (book.filled[f["order_row"]] == f["qty"]).all()

    def track_orders_matched_per_second(self, n_orders, n_sids):
        m = market(n_orders, n_sids)
        t, _ = seconds(match, m)
        return n_orders / t

    track_orders_matched_per_second.unit = "orders/s"

    def track_speedup_vs_reference(self, n_orders, n_sids):
        from model import RefBook, RefLedger
        from .common import fee_rows

        m = market(n_orders, n_sids)
        ref_ledger = RefLedger(n_sids, m["ledger"].cash)
        for name in RefLedger.FIELDS:
            setattr(ref_ledger, name, getattr(m["ledger"], name).tolist())
        ref_book = RefBook()
        b = m["book"]
        for row in range(b.n_orders):
            ref_book.add(int(b.sid[row]), int(b.side[row]), int(b.amount[row]), int(b.limit_price[row]),
                         int(b.lot[row]), int(b.created_seq[row]))
        bar = {k: v.tolist() for k, v in m["bar"].items()}
        p = m["params"]
        params = dict(volume_ratio=p.volume_ratio, limit_mode=p.limit_mode, slippage_kind=p.slippage_kind,
                      slippage_ratio=p.slippage_ratio, slippage_fixed=p.slippage_fixed,
                      block_limit_locked=p.block_limit_locked, shared_volume_cap=p.shared_volume_cap,
                      limit_touch=p.limit_touch)
        rows = fee_rows(m["fees"])
        t_kernel, n_fills = seconds(match, m)
        t_ref, ref_fills = seconds(ref_book.match, ref_ledger, rows, bar, params)
        assert len(ref_fills) == n_fills and ref_ledger.cash == m["ledger"].cash
        return t_ref / t_kernel

    track_speedup_vs_reference.unit = "x"
