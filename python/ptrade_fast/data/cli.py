"""``ptrade-fast data ...``: import-csv, import-tdx, generate, info, validate.

Every command takes ``--data ROOT``: required for the commands that write; ``info`` and ``validate``
default to ``$PTRADE_FAST_DATA``, then the bundled sample (the order ``ptrade-fast run`` uses).
Exit status: 0 ok, 1 ``validate`` found issues, 2 bad input (or an unreadable root).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

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
                         code=args.code, encoding=args.encoding)
    print(f"imported {summary['rows']} rows of {len(summary['codes'])} codes from {summary['files']} file(s) "
          f"into {args.data}")
    return 0


def _import_tdx(args) -> int:
    from .importers.tdx import import_tdx
    kinds = tuple(args.kinds.split(","))
    summary = import_tdx(args.vipdoc, args.data, kinds=kinds, codes=args.codes)
    rows = ", ".join(f"{k} {v}" for k, v in summary["rows"].items() if v)
    print(f"imported {summary['files']} file(s) ({rows or 'no rows'}) into {args.data}")
    for path, why in summary["skipped"]:
        print(f"skipped {path}: {why}", file=sys.stderr)
    return 0


def _generate(args) -> int:
    try:
        from . import synthetic  # written separately; imported only when asked for
    except ImportError as exc:
        raise ValueError(f"the synthetic market generator is not available: {exc}") from exc
    synthetic.generate(args.data, stocks=args.stocks, start=args.start, end=args.end, minute=args.minute,
                       seed=args.seed, progress=None, overwrite=args.force, market=args.market)
    print(f"generated a {args.market} synthetic market of {args.stocks} stocks {args.start} … {args.end} "
          f"into {args.data}")
    if args.futures:
        from .synthetic import add_index_futures
        codes = add_index_futures(args.data, seed=args.seed)
        print(f"added {len(codes)} synthetic index-futures contracts (IF/IH/IC/IM on their indices) and the "
              f"dominant-contract table")
    return 0


def _info(args) -> int:
    from .writer import info
    out = info(_read_root(args.data))
    if args.json:
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
    print(f"size       {out['size_bytes'] / 1e6:,.1f} MB")
    return 0 if out["state"] == "complete" else 2


def _validate(args) -> int:
    from .validate import validate
    root = _read_root(args.data)
    issues = validate(root, limit_per_kind=None if args.all else args.limit)
    for issue in issues:
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
    c.add_argument("--frequency", "-f", default="1d", choices=["1d", "daily", "1m", "minute", "5m"])
    c.add_argument("--map", action="append", metavar="COLUMN=FIELD",
                   help="CSV column for a field (code date datetime open high low close volume money)")
    c.add_argument("--scale", action="append", metavar="FIELD=FACTOR", help="multiply a field, e.g. volume=100")
    c.add_argument("--code", help="security of every row (files without a code column)")
    c.add_argument("--encoding", help="file encoding (default: UTF-8, then GB18030)")
    c.set_defaults(func=_import_csv)

    t = sub.add_parser("import-tdx", help="import 通达信 vipdoc .day/.lc1/.lc5 files")
    t.add_argument("vipdoc", help="the vipdoc folder (or one bar file)")
    t.add_argument("--data", required=True, help="data root to create or add to")
    t.add_argument("--kinds", default="day,lc1,lc5", help="comma list of day, lc1, lc5 (default all)")
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
    g.set_defaults(func=_generate)

    i = sub.add_parser("info", help="what a data root holds")
    i.add_argument("--data", help="data root (default: $PTRADE_FAST_DATA, else the bundled sample)")
    i.add_argument("--json", action="store_true", help="print JSON")
    i.set_defaults(func=_info)

    v = sub.add_parser("validate", help="check a data root; list problems by file and row")
    v.add_argument("--data", help="data root (default: $PTRADE_FAST_DATA, else the bundled sample)")
    v.add_argument("--limit", type=int, default=50, help="issues listed per file and kind (default 50)")
    v.add_argument("--all", action="store_true", help="list every issue")
    v.set_defaults(func=_validate)
    for p in (c, t, g, i, v):
        p.set_defaults(func=_guarded(p.get_default("func")))
    return data


def _guarded(func):
    def run(args) -> int:
        try:
            return func(args)
        except (ValueError, FileNotFoundError, NotADirectoryError, KeyError) as exc:
            print(f"ptrade-fast data: {exc}", file=sys.stderr)
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
