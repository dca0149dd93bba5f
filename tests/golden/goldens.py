"""Seed strategies run on the bundled sample data, rendered as canonical text for byte-for-byte goldens.

Regenerate after a reviewed behaviour change with ``python tests/golden/goldens.py --write``; the diff of
``tests/golden/expected/`` is reviewed like code.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[1] / "python" / "ptrade_fast" / "examples"
EXPECTED = HERE / "expected"

# (example file, frequency, start, end).  Windows lie inside the bundled data: synthetic 600570.SS and
# the CSI 300 members have daily bars to 2025-08-05 and minute bars on the real time-share days.
CASES = [
    ("double_ma.py", "1d", "2023-01-03", "2024-12-31"),
    ("double_ma.py", "1m", "2019-01-02", "2019-02-01"),
    ("macd_kdj.py", "1d", "2023-01-03", "2024-12-31"),
    ("macd_kdj.py", "1m", "2019-01-14", "2019-01-25"),
    ("scheduled_tasks.py", "1d", "2024-01-02", "2024-03-29"),
    ("scheduled_tasks.py", "1m", "2019-01-14", "2019-01-25"),
    ("lifecycle.py", "1d", "2024-01-02", "2024-01-31"),
    ("lifecycle.py", "1m", "2019-01-02", "2019-01-04"),
    ("tick_ma.py", "1d", "2024-01-02", "2024-01-31"),
    ("tick_ma.py", "1m", "2019-01-02", "2019-01-04"),
    ("large_order_tracking.py", "1d", "2024-01-02", "2024-01-31"),
    # Tick replay (frequency='tick') of the bundle's tick day: synthetic 600570.SS snapshots and trades.
    ("tick_ma.py", "tick", "2019-01-31", "2019-01-31"),
    ("large_order_tracking.py", "tick", "2019-01-31", "2019-01-31"),
    # Its 09:23 check sees the auction snapshot; 600570.SS does not open at its limit that day: no order.
    ("auction_limit_up.py", "tick", "2019-01-31", "2019-01-31"),
    ("etf_arbitrage.py", "1m", "2019-01-02", "2019-01-04"),
    # With snapshots synthesised from bars its run_interval check runs each minute and reads the ETF's iopv
    # (extension: the bundle's 510050.SS basket at the members' current prices); 510050.SS trades at a
    # discount on 2019-01-03 and it buys a creation unit's worth (partly filled under the volume cap).
    ("etf_arbitrage.py", "1m", "2019-01-02", "2019-01-04", {"snapshot": "bars"}),
    ("cb_t0.py", "1d", "2024-01-02", "2024-01-31"),
    ("cb_t0.py", "1m", "2019-01-02", "2019-01-04"),
    # The live-style CB T+0 example trades on minute bars with snapshots synthesised from them (opt-in).
    ("cb_t0.py", "1m", "2019-01-02", "2019-01-31", {"snapshot": "bars"}),
    # Reverse repo + IPO subscription (extensions): needs the bundle's repo series and IPO calendar
    # (tools/build_bundle.py add_repo_and_ipos); the account holds no shares, so the quota comes from A shares
    # held outside the backtest (option ipo_holdings_value).
    ("reverse_repo_ipo.py", "1m", "2019-01-02", "2019-01-31", {"ipo_holdings_value": 500_000.0}),
    ("reverse_repo_ipo.py", "1d", "2023-01-03", "2023-12-29", {"ipo_holdings_value": 500_000.0}),
]
# Cases that need a file the bundle gains only when it is rebuilt (skipped, with the reason, before that).
NEEDS_BUNDLE_FILE = {"reverse_repo_ipo.py": "ipo.parquet"}

# Seed examples whose trading logic calls live-only functions outside `if is_trade():` — on the
# platform's backtest they fail the same way (§H.12): (file, the live-only function they reach first).
LIVE_ONLY_CASES = [
    ("auction_limit_up.py", "get_snapshot"),
]


def case_id(case) -> str:
    name, freq = case[:2]
    options = case[4] if len(case) > 4 else {}
    suffix = f"_snapshot-{options['snapshot']}" if "snapshot" in options else ""
    return f"{Path(name).stem}_{freq}{suffix}"


def missing_bundle_file(case) -> str | None:
    """The bundle file a case needs and the installed bundle lacks, or None."""
    from ptrade_fast.data.bundle import bundle_root
    need = NEEDS_BUNDLE_FILE.get(case[0])
    return need if need and not (Path(bundle_root()) / need).is_file() else None


def render(result) -> str:
    """Canonical text: daily values in fixed decimals, then every order and fill."""
    out = [f"# {result.params['frequency']} {result.params['start']} {result.params['end']}"]
    out.append("date total_value cash positions_value")
    for day, row in result.portfolio.iterrows():
        out.append(f"{day:%Y-%m-%d} {row.total_value:.4f} {row.cash:.4f} {row.positions_value:.4f}")
    out.append("orders: entrust_no dt code amount filled limit status")
    for o in result.orders.itertuples():
        out.append(f"{o.entrust_no} {o.dt:%Y-%m-%d %H:%M} {o.code} {o.amount} {o.filled} {o.limit:.4f} {o.status}")
    out.append("trades: dt code side amount price value fees")
    for t in result.trades.itertuples():
        out.append(f"{t.dt:%Y-%m-%d %H:%M} {t.code} {t.side} {t.amount} {t.price:.4f} {t.value:.4f} {t.fees:.4f}")
    return "\n".join(out) + "\n"


def run_case(case, research_path) -> str:
    import ptrade_fast
    name, freq, start, end = case[:4]
    options = case[4] if len(case) > 4 else {}
    result = ptrade_fast.run(EXAMPLES / name, start=start, end=end, frequency=freq,
                             research_path=str(research_path), **options)
    return render(result)


def main(argv=None) -> int:
    import tempfile
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true", help="rewrite tests/golden/expected/")
    args = ap.parse_args(argv)
    EXPECTED.mkdir(exist_ok=True)
    changed = 0
    for case in CASES:
        if missing_bundle_file(case):
            print(f"skipped: {case_id(case)} (the bundle has no {missing_bundle_file(case)}: rebuild it first)")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            text = run_case(case, tmp)
        path = EXPECTED / f"{case_id(case)}.txt"
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old != text:
            changed += 1
            print(f"{'updated' if args.write else 'differs'}: {path.name}")
            if args.write:
                path.write_text(text, encoding="utf-8")
    print(f"{len(CASES)} cases, {changed} changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
