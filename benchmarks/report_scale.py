"""Report size and load cost on a whole-market run with thousands of fills.

    python benchmarks/report_scale.py [--stocks 1000] [--start 2023-01-03] [--end 2024-12-31]

Generates (once, cached under $PTRADE_FAST_BENCH_DIR or /tmp/ptrade_fast_bench) a synthetic market, runs a
momentum strategy that ranks the whole market every day and rebalances into the top 50 (benchmarks/scale.py
S3), writes the HTML report and prints: fills, securities traded, report size (total, plotly.js, the
per-security data blocks, the largest block), the time to render it, and — when node is installed — the time a
browser-like JS engine takes to parse the largest security block and build its figure data (what the page
does when that security is selected; nothing is parsed for the others).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

CACHE = Path(os.environ.get("PTRADE_FAST_BENCH_DIR", "/tmp/ptrade_fast_bench"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stocks", type=int, default=1000)
    ap.add_argument("--start", default="2023-01-03")
    ap.add_argument("--end", default="2024-12-31")
    args = ap.parse_args(argv)
    import ptrade_fast
    from ptrade_fast.data.synthetic import generate
    from ptrade_fast.report.html import render_report
    from scale import S3_STRATEGY

    root = CACHE / f"report_{args.stocks}_{args.start}_{args.end}"
    if not (root / "meta.json").exists():
        t = time.perf_counter()
        generate(root, stocks=args.stocks, start=args.start, end=args.end, minute=False, seed=0, overwrite=True)
        print(f"generated {args.stocks} stocks in {time.perf_counter() - t:.1f} s → {root}")
    t = time.perf_counter()
    result = ptrade_fast.run(S3_STRATEGY, start=args.start, end=args.end, data=root, history_format="panel",
                             capital_base=10_000_000)
    run_s = time.perf_counter() - t
    t = time.perf_counter()
    page = render_report(result)
    render_s = time.perf_counter() - t
    blocks = re.findall(r'<script type="application/json" id="sec-\d+"[^>]*>(.*?)</script>', page, re.S)
    plotly_js = max(re.findall(r'<script type="text/javascript">(.*?)</script>', page, re.S), key=len)
    mb = lambda n: f"{n / 1e6:.2f} MB"  # noqa: E731
    print(f"run: {len(result.portfolio)} days, {len(result.trades):,} fills, "
          f"{result.trades['code'].nunique()} securities traded, {run_s:.1f} s")
    print(f"report: {mb(len(page.encode()))} total; plotly.js {mb(len(plotly_js.encode()))}; security blocks "
          f"{mb(sum(len(b.encode()) for b in blocks))} in {len(blocks)} blocks, largest {mb(max(len(b.encode()) for b in blocks))}; "
          f"rendered in {render_s:.2f} s")
    if shutil.which("node"):
        largest = max(blocks, key=len)
        with tempfile.TemporaryDirectory() as tmp:
            js = Path(tmp) / "parse.js"
            js.write_text("const fs=require('fs');const s=fs.readFileSync(process.argv[2],'utf8');"
                          "const t=process.hrtime.bigint();const d=JSON.parse(s);"
                          "const x=d.i.map(k=>k);const n=d.buy.i.length+d.sell.i.length;"
                          "console.log(Number(process.hrtime.bigint()-t)/1e6);", encoding="utf-8")
            (Path(tmp) / "block.json").write_text(largest, encoding="utf-8")
            out = subprocess.run(["node", str(js), str(Path(tmp) / "block.json")], capture_output=True, text=True)
            print(f"selecting the largest security: JSON.parse + figure arrays {float(out.stdout):.1f} ms (node)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
