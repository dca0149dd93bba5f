"""``ptrade-fast data ...``: import-csv, import-tdx, import-ticks, fetch, update, generate, info, validate.

Every command takes ``--data ROOT``: required for the commands that write; ``info`` and ``validate``
default to ``$PTRADE_FAST_DATA``, then the bundled sample (the order ``ptrade-fast run`` uses).
Exit status: 0 ok, 1 ``validate`` found issues, 2 bad input (or an unreadable root).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from ..errors import DataError
from .bundle import ENV_VAR, bundle_root


def _read_root(arg):
    if arg:
        return arg
    return os.environ.get(ENV_VAR) or str(bundle_root())


def _pairs(items, what, cast=str):
    out = {}
    for item in items or []:
        key, eq, value = item.partition("=")
        if not eq or not key or not value:
            raise ValueError(f"{what} must look like KEY=VALUE, was {item!r}")
        out[key] = cast(value)
    return out


def _import_csv(args) -> int:
    from .importers.csv import import_csv
    summary = import_csv(args.files, args.data, preset=args.preset, frequency=args.frequency,
                         mapping=_pairs(args.map, "--map"), scale=_pairs(args.scale, "--scale", float),
                         code=args.code, encoding=args.encoding, date_format=args.date_format)
    print(f"imported {summary['rows']} rows of {len(summary['codes'])} codes from {summary['files']} file(s) "
          f"into {args.data}")
    return 0


def _import_tdx(args) -> int:
    from .importers.tdx import import_tdx
    kinds = tuple(k.strip() for k in args.kinds.split(","))
    summary = import_tdx(args.vipdoc, args.data, kinds=kinds, codes=args.codes, as_of=args.as_of)
    rows = ", ".join(f"{k} {v}" for k, v in summary["rows"].items() if v)
    print(f"imported {summary['files']} file(s) ({rows or 'no bar rows'}) into {args.data}")
    fin, ref = summary["finance"], summary["reference"]
    if fin:
        print(f"fundamentals: {fin['reports']} reports of {fin['codes']} codes from {fin['files']} gpcw file(s); "
              f"publ_date from field 314: {fin['publ_date']['f314']}, statutory deadline: "
              f"{fin['publ_date']['deadline']}")
    if ref:
        print(f"reference (snapshot as of {ref['as_of']}): {ref['blocks']} block rows, {ref['industries']} "
              f"industry rows, {ref['index_members']} index members, {ref['ex_rights']} gbbq events")
    for path, why in summary["skipped"]:
        print(f"skipped {path}: {why}", file=sys.stderr)
    return 0


def _import_ticks(args) -> int:
    from .importers.ticks import import_snapshot_csv, import_trades
    if args.kind == "trades":
        if args.codes is not None and not args.codes:
            raise ValueError("--codes: give at least one code (or leave the option out for all)")
        total = 0
        for f in args.files:
            s = import_trades(f, args.data, codes=args.codes, days=args.days)
            total += s["prints"]
            print(f"{f}: {s['prints']} prints of {len(s['codes'])} code(s) on {len(s['days'])} day(s) "
                  f"{', '.join(s['days'])} -> snapshots with reconstructed books + trades")
        return 0
    if args.codes or args.days:
        raise ValueError("--codes/--days select from trade files; a snapshot CSV is imported whole")
    s = import_snapshot_csv(args.files, args.data)
    print(f"imported {s['rows']} snapshots of {len(s['codes'])} code(s) on {len(s['days'])} day(s) from "
          f"{s['files']} file(s) into {args.data}")
    return 0


def _print_fetch(summary) -> None:
    print(f"{summary['source']}: {summary['calls']} call(s), {summary['cached'] or 0} answered from the cache")
    for table, cov in sorted(summary["coverage"].items()):
        span = f"  {cov['first']} … {cov['last']}" if "first" in cov else ""
        codes = f", {cov['codes']} codes" if "codes" in cov else ""
        print(f"  {table:<22} {cov['rows']:>9,} rows{codes}{span}")


def _fetch(args) -> int:
    from .fetch import fetch
    codes = [c.strip() for c in ",".join(args.codes).split(",") if c.strip()] if args.codes else None
    if codes:
        from .codes import normalize_code
        codes = [normalize_code(c) for c in codes]
    start, end = args.start, args.end
    entry = {}
    if args.update:
        meta = _meta_of(args.data)
        entry = (meta.get("fetch") or {}).get(args.source)
        if not entry:
            raise ValueError(f"--update: {args.data} has no earlier {args.source} fetch to continue")
        import datetime as _dt
        import pandas as pd
        start = str(pd.Timestamp(entry["end"]).date() + _dt.timedelta(days=1))
        codes = codes or entry.get("codes")
    skip = [k.strip() for k in (args.skip or "").split(",") if k.strip()]
    if args.update and not skip:
        skip = entry.get("skip", [])
    summary = fetch(args.data, args.source, codes=codes, start=start, end=end, minute=args.minute,
                    rate=args.rate, retries=args.retries, offline=args.offline, skip=skip)
    _print_fetch(summary)
    return 0


def _meta_of(root) -> dict:
    path = os.path.join(root, "meta.json")
    if not os.path.isfile(path):
        raise ValueError(f"{root} is not a complete data root (no meta.json)")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _update(args) -> int:
    from .fetch import update
    for summary in update(args.data, end=args.end, sources=args.source, rate=args.rate, retries=args.retries):
        if summary.get("up_to_date"):
            print(f"{summary['source']}: already up to date")
        else:
            _print_fetch(summary)
    return 0


def _generate(args) -> int:
    if args.tick_days is not None and not args.ticks:
        raise ValueError("--tick-days needs --ticks CODES (the securities to give snapshots)")
    try:
        from . import synthetic  # written separately; imported only when asked for
    except ImportError as exc:
        raise ValueError(f"the synthetic market generator is not available: {exc}") from exc
    synthetic.generate(args.data, stocks=args.stocks, start=args.start, end=args.end, minute=args.minute,
                       seed=args.seed, progress=None, overwrite=args.force, market=args.market)
    print(f"generated a {args.market} synthetic market of {args.stocks} stocks {args.start} … {args.end} "
          f"into {args.data}")
    if args.ticks:
        from .synthetic.ticks import add_ticks
        codes = [c.strip() for c in args.ticks.split(",") if c.strip()]
        s = add_ticks(args.data, codes, tick_days=args.tick_days, seed=args.seed)
        print(f"added synthetic ticks ({s['snapshots']:,} snapshots, {s['trades']:,} trades) of "
              f"{', '.join(s['codes'])} on {', '.join(s['days']) or 'no day'}")
    if args.futures:
        from .synthetic import add_index_futures
        codes = add_index_futures(args.data, seed=args.seed)
        print(f"added {len(codes)} synthetic index-futures contracts (IF/IH/IC/IM on their indices) and the "
              f"dominant-contract table")
    return 0


def _info(args) -> int:
    from .writer import info
    out = info(_read_root(args.data))
    from .ticks import tick_dates
    days = tick_dates(_read_root(args.data))
    out["ticks"] = {"days": len(days), "first": str(days[0]) if len(days) else None,
                    "last": str(days[-1]) if len(days) else None}
    if args.json:
        from .info_tables import tables_info
        out["tables"] = tables_info(_read_root(args.data)) if out["state"] == "complete" else []
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0 if out["state"] == "complete" else 2
    print(f"root       {out['root']}  ({out['state']}, format {out['format_version']})")
    cal = out.get("calendar") or {}
    print(f"calendar   {cal.get('days', 0)} days  {cal.get('first')} … {cal.get('last')}")
    inst = out.get("instruments")
    if inst:
        by = ", ".join(f"{k} {v}" for k, v in inst["by_type"].items())
        print(f"instruments {inst['total']} ({by}); {inst['with_daily']} with daily, "
              f"{inst['with_minute']} with minute; {out['synthetic_codes']} synthetic")
    d = out["daily"]
    years = f"{d['years'][0]} … {d['years'][-1]}" if d["years"] else "none"
    print(f"daily      {len(d['years'])} year file(s) {years}, {d['rows']:,} rows")
    for key, label in (("minute", "minute"), ("bars5m", "5-minute")):
        m = out[key]
        if m["days"] or key == "minute":
            print(f"{label:<10} {m['days']} day file(s) {m['first']} … {m['last']}, {m['rows']:,} rows")
    if out["ticks"]["days"]:
        t = out["ticks"]
        print(f"ticks      {t['days']} day(s) of snapshots {t['first']} … {t['last']} (ticks/, tick replay)")
    print(f"size       {out['size_bytes'] / 1e6:,.1f} MB")
    from .info_tables import table_report
    for line in table_report(_read_root(args.data)):
        print(line)
    return 0 if out["state"] == "complete" else 2


def _validate(args) -> int:
    from .validate import validate
    root = _read_root(args.data)
    found = validate(root, limit_per_kind=None if args.all else args.limit)
    known = [i for i in found if i.known]
    issues = [i for i in found if not i.known]
    for issue in issues:
        print(issue)
    if known:
        print(f"{len(known)} known finding(s) in real data, explained in {root}/known_findings.json "
              f"(not counted as issues; --show-known lists them)", file=sys.stderr)
        if getattr(args, "show_known", False):
            for issue in known:
                print(issue)
    if issues:
        kinds = {}
        for i in issues:
            kinds[i.kind] = kinds.get(i.kind, 0) + 1
        print(f"{len(issues)} issue(s) in {root}: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())),
              file=sys.stderr)
        return 1
    print(f"{root}: no issues")
    return 0


def add_data_commands(subparsers) -> argparse.ArgumentParser:
    """Register ``data`` and its sub-commands on the main CLI's subparsers; returns the ``data`` parser."""
    data = subparsers.add_parser("data", help="import, generate, inspect and validate data roots")
    sub = data.add_subparsers(dest="data_command", required=True)

    c = sub.add_parser("import-csv", help="import CSV exports (tushare, akshare, baostock or mapped columns)")
    c.add_argument("files", nargs="+", help="CSV files")
    c.add_argument("--data", required=True, help="data root to create or add to")
    c.add_argument("--preset", default="generic", choices=["generic", "tushare", "akshare", "baostock"])
    c.add_argument("--date-format", default=None,
                   help="strftime format of the date column when it is not ISO or digits, e.g. %%d/%%m/%%Y")
    c.add_argument("--frequency", "-f", default="1d", choices=["1d", "daily", "1m", "minute", "5m"])
    c.add_argument("--map", action="append", metavar="COLUMN=FIELD",
                   help="CSV column for a field (code date datetime open high low close volume money)")
    c.add_argument("--scale", action="append", metavar="FIELD=FACTOR", help="multiply a field, e.g. volume=100")
    c.add_argument("--code", help="security of every row (files without a code column)")
    c.add_argument("--encoding", help="file encoding (default: UTF-8, then GB18030)")
    c.set_defaults(func=_import_csv)

    t = sub.add_parser("import-tdx", help="import a 通达信 install: bars, gpcw financials, blocks, industries, gbbq")
    t.add_argument("vipdoc", help="the TDX install folder (or its vipdoc folder, or one file)")
    t.add_argument("--data", required=True, help="data root to create or add to")
    t.add_argument("--kinds", default="day,lc1,lc5,finance,reference",
                   help="comma list of day, lc1, lc5, finance, reference (default all)")
    t.add_argument("--as-of", dest="as_of", help="date of the block/industry snapshot (default: file dates)")
    t.add_argument("--codes", nargs="*", help="only these codes")
    t.set_defaults(func=_import_tdx)

    g = sub.add_parser("generate", help="generate the synthetic market")
    g.add_argument("--data", required=True, help="data root to create or add to")
    g.add_argument("--stocks", type=int, default=5300)
    g.add_argument("--start", default="2019-01-01")
    g.add_argument("--end", default="2024-12-31")
    g.add_argument("--minute", action="store_true", help="also 1-minute bars")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--no-futures", dest="futures", action="store_false",
                   help="skip the index futures (IF/IH/IC/IM with contract months, expiries, dominant table)")
    g.add_argument("--force", action="store_true", help="replace the data files of an existing root")
    g.add_argument("--market", choices=("realistic", "plain"), default="realistic",
                   help="realistic (default): real codes and names, the major indices with dated membership, "
                        "common ETFs/LOFs, bond terms, fundamentals; plain: generated codes, five indices")
    g.add_argument("--ticks", metavar="CODES",
                   help="also synthetic snapshots, trades and orders (comma list of codes) for a tick replay")
    g.add_argument("--tick-days", dest="tick_days", type=int, default=None,
                   help="how many of the latest days get ticks (default 2; needs --ticks)")
    g.set_defaults(func=_generate)

    k = sub.add_parser("import-ticks", help="import tick data into the snapshot store (ticks/): recorded trade "
                                            "prints (books reconstructed) or snapshot CSV")
    k.add_argument("files", nargs="+", help="trade files (.parquet/.csv) or snapshot CSV files")
    k.add_argument("--data", required=True, help="data root to add to (must hold the daily bars)")
    k.add_argument("--kind", required=True, choices=["trades", "snapshots"],
                   help="trades: symbol/code, datetime, price, volume, side (B/S/N); snapshots: the snapshot CSV "
                        "of docs/data-format.md")
    k.add_argument("--codes", nargs="*", help="only these codes (trades)")
    k.add_argument("--days", nargs="*", help="only these days, YYYY-mm-dd (trades)")
    k.set_defaults(func=_import_ticks)

    i = sub.add_parser("info", help="what a data root holds")
    i.add_argument("--data", help="data root (default: $PTRADE_FAST_DATA, else the bundled sample)")
    i.add_argument("--json", action="store_true", help="print JSON")
    i.set_defaults(func=_info)

    v = sub.add_parser("validate", help="check a data root; list problems by file and row")
    v.add_argument("--data", help="data root (default: $PTRADE_FAST_DATA, else the bundled sample)")
    v.add_argument("--limit", type=int, default=50, help="issues listed per file and kind (default 50)")
    v.add_argument("--all", action="store_true", help="list every issue")
    v.add_argument("--show-known", action="store_true",
                   help="also list the findings the root's known_findings.json explains")
    v.set_defaults(func=_validate)
    f = sub.add_parser("fetch", help="download real data with akshare or baostock into a data root")
    f.add_argument("--source", required=True, choices=["akshare", "baostock"])
    f.add_argument("--data", required=True, help="data root to create or add to")
    f.add_argument("--codes", nargs="*", help="only these codes (default: every listed A share)")
    f.add_argument("--start", help="first day (default 2005-01-04)")
    f.add_argument("--end", help="last day (default today)")
    f.add_argument("--update", action="store_true", help="continue from the day after the last fetched day")
    f.add_argument("--minute", action="store_true", help="also intraday bars (akshare 1m recent days, baostock 5m)")
    f.add_argument("--rate", type=float, help="calls per second (default: akshare 2, baostock 10)")
    f.add_argument("--retries", type=int, default=3, help="retries of a failing call (default 3)")
    f.add_argument("--offline", action="store_true", help="rebuild from the cached raw responses, no network")
    f.add_argument("--skip", help="comma list of tables not to fetch: fundamentals, ex_rights, index_members, "
                                  "industries, st, suspensions, indices")
    f.set_defaults(func=_fetch)

    u = sub.add_parser("update", help="bring a fetched data root up to date from the sources that built it")
    u.add_argument("--data", required=True, help="data root built by 'data fetch'")
    u.add_argument("--end", help="last day (default today)")
    u.add_argument("--source", action="append", choices=["akshare", "baostock"], help="only this source")
    u.add_argument("--rate", type=float, help="calls per second")
    u.add_argument("--retries", type=int, default=3)
    u.set_defaults(func=_update)
    for p in (c, t, g, k, i, v, f, u):
        p.set_defaults(func=_guarded(p.get_default("func")))
    return data


def _fetch_error():
    from .fetch.engine import FetchError
    return FetchError


def _guarded(func):
    def run(args) -> int:
        try:
            return func(args)
        except (ValueError, FileNotFoundError, FileExistsError, NotADirectoryError, KeyError, DataError,
                _fetch_error()) as exc:
            from ..cli_words import cli_words
            print(f"ptrade-fast data: {cli_words(exc)}", file=sys.stderr)
            return 2
    run.__name__ = func.__name__
    return run


def main(argv=None) -> int:
    """Run ``ptrade-fast data ...`` on its own (``argv`` without the leading ``data``)."""
    ap = argparse.ArgumentParser(prog="ptrade-fast")
    add_data_commands(ap.add_subparsers(dest="command", required=True))
    args = ap.parse_args(["data", *(argv if argv is not None else sys.argv[1:])])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
