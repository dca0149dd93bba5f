"""Mutation testing of the rule and accounting modules (docs/testing.md).

Usage::

    python tests/mutation.py                 # every group in pyproject.toml
    python tests/mutation.py rules           # one group
    python tests/mutation.py rules --tables-only
    python tests/mutation.py rules --no-tables

The target lists live in ONE place, ``[tool.ptrade_fast.mutation]`` of ``pyproject.toml``: per group the
modules cosmic-ray mutates, the fast test selection that must kill them, and the literal tables (date
strings in ``.py`` files, numbers and dates in ``.json`` files) that cosmic-ray does not mutate and this
script plants wrong values in, one at a time.

cosmic-ray mutates the source files **in place** and restores them after each mutant, which is what makes it
work with the editable install of this compiled-extension package (the editable finder maps every module
to its file in ``python/``; a tool that copies sources elsewhere would test the unmutated originals).  So:
run it in a checkout you are not editing, and if a run is killed, ``git checkout python/`` restores the
sources.  Results go to ``build/mutation/``: one cosmic-ray session per group (``<group>.sqlite``, inspect
with ``cr-report``), ``<group>-survivors.txt`` (diffs of the surviving mutants) and ``summary.json``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "mutation"
DATE = re.compile(r"""(["'])(\d{4}-\d{2}-\d{2})\1""")


def load_config() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        cfg = tomllib.load(fh)["tool"]["ptrade_fast"]["mutation"]
    unknown = set(cfg) - {"timeout", "exclude-operators", "test-options", "groups"}
    if unknown:
        raise SystemExit(f"pyproject.toml [tool.ptrade_fast.mutation]: unknown keys {sorted(unknown)}")
    for name, group in cfg["groups"].items():
        bad = set(group) - {"modules", "functions", "tests", "tables", "test-options"}
        if bad:
            raise SystemExit(f"pyproject.toml [tool.ptrade_fast.mutation.groups.{name}]: unknown keys {sorted(bad)}")
    return cfg


def test_argv(group: dict, options=()) -> list[str]:
    return [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--no-header",
            "-W", "ignore", *options, *group["tests"]]


def baseline(name: str, argv: list[str]) -> None:
    """The selection must pass on the unmutated sources, or every mutant would count as killed."""
    res = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"[{name}] the test selection fails without mutation:\n{res.stdout[-3000:]}")


def skip_twins(session: Path, functions: dict) -> int:
    """Keep one mutant per (module, operator, position): NumberReplacer plants +1 and -1 at each number, and
    one wrong value per constant is what the tests must catch.  In a module listed in ``functions`` keep only
    the mutants inside those functions (cosmic-ray records the enclosing function's name).  Marks the others
    skipped; returns how many."""
    import sqlite3

    only = {str(Path(m)): set(names) for m, names in functions.items()}
    con = sqlite3.connect(session)
    rows = con.execute("SELECT m.job_id, m.definition_name, m.module_path, m.operator_name, m.start_pos_row, "
                       "m.start_pos_col FROM mutation_specs m LEFT JOIN work_results r ON r.job_id = m.job_id "
                       "WHERE r.job_id IS NULL ORDER BY m.module_path, m.start_pos_row, m.start_pos_col, "
                       "m.occurrence").fetchall()
    seen, skip = set(), []
    for job_id, definition, *key in rows:
        module = str(Path(key[0]))
        if tuple(key) in seen or (module in only and definition not in only[module]):
            skip.append(job_id)
        seen.add(tuple(key))
    con.executemany("INSERT INTO work_results (job_id, worker_outcome, output, test_outcome, diff) "
                    "VALUES (?, 'SKIPPED', 'twin of the same constant or outside the target functions', NULL, "
                    "NULL)", [(j,) for j in skip])
    con.commit()
    con.close()
    return len(skip)


def _toml_list(items) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def run_cosmic_ray(name: str, group: dict, cfg: dict) -> dict:
    options = group.get("test-options", cfg.get("test-options", ()))
    modules = [m for m in group["modules"] if (ROOT / m).exists()]
    missing = sorted(set(group["modules"]) - set(modules))
    if missing:
        print(f"[{name}] not present in this checkout (listed in pyproject.toml): {', '.join(missing)}")
    OUT.mkdir(parents=True, exist_ok=True)
    conf = OUT / f"{name}.toml"
    session = OUT / f"{name}.sqlite"
    conf.write_text(
        "[cosmic-ray]\n"
        f"module-path = {_toml_list(modules)}\n"
        f"timeout = {float(cfg['timeout'])}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(' '.join(test_argv(group, options)))}\n\n"
        "[cosmic-ray.distributor]\nname = \"local\"\n\n"
        "[cosmic-ray.filters.operators-filter]\n"
        f"exclude-operators = {_toml_list(cfg['exclude-operators'])}\n", encoding="utf-8")
    if session.exists():
        session.unlink()
    baseline(name, test_argv(group, options))
    bindir = Path(sys.executable).parent
    subprocess.run([bindir / "cosmic-ray", "init", conf, session], check=True, cwd=ROOT)
    subprocess.run([bindir / "cr-filter-operators", session, conf], check=True, cwd=ROOT)
    twins = skip_twins(session, group.get("functions", {}))
    t0 = time.monotonic()
    subprocess.run([bindir / "cosmic-ray", "exec", conf, session], check=True, cwd=ROOT)
    seconds = time.monotonic() - t0
    dump = subprocess.run([bindir / "cosmic-ray", "dump", session], check=True, cwd=ROOT,
                          capture_output=True, text=True).stdout
    counts = {"killed": 0, "survived": 0, "incompetent": 0, "skipped": 0, "timeout": 0}
    survivors = []
    per_module: dict[str, list[int]] = {}
    for line in dump.splitlines():
        item, result = json.loads(line)
        if result is None:
            continue
        if result["worker_outcome"] == "skipped":
            counts["skipped"] += 1
            continue
        mut = item["mutations"][0]
        module = Path(mut["module_path"]).as_posix()
        stats = per_module.setdefault(module, [0, 0])
        outcome = result["test_outcome"]
        if result["worker_outcome"] == "abnormal" and "timeout" in (result.get("output") or "").lower():
            counts["timeout"] += 1
            stats[0] += 1
        elif outcome == "survived":
            counts["survived"] += 1
            stats[1] += 1
            survivors.append(f"--- {module} {mut['operator_name']} #{mut['occurrence']} "
                             f"line {mut['start_pos'][0]}\n{result.get('diff') or ''}")
        else:
            counts["incompetent" if outcome == "incompetent" else "killed"] += 1
            stats[0] += 1
    (OUT / f"{name}-survivors.txt").write_text("\n".join(survivors), encoding="utf-8")
    tested = counts["killed"] + counts["incompetent"] + counts["timeout"] + counts["survived"]
    return {"tool": "cosmic-ray", "counts": counts, "tested": tested, "twins_skipped": twins,
            "score": round(100.0 * (tested - counts["survived"]) / tested, 1) if tested else None,
            "seconds": round(seconds), "per_module": {m: {"killed": k, "survived": s}
                                                      for m, (k, s) in sorted(per_module.items())}}


# -- literal tables -------------------------------------------------------------------------------------------

def _shift(iso: str) -> str:
    return (dt.date.fromisoformat(iso) + dt.timedelta(days=1)).isoformat()


def _wrong(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    return value * 2 if value else 1.0


def table_mutants(path: Path):
    """Yield ``(label, mutated text)``: each date string moved a day later, and in JSON each number changed."""
    text = path.read_text(encoding="utf-8")
    for m in DATE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        yield (f"{path.name}:{line} date {m.group(2)} -> {_shift(m.group(2))}",
               text[:m.start(2)] + _shift(m.group(2)) + text[m.end(2):])
    if path.suffix == ".json":
        data = json.loads(text)

        def walk(node, trail):
            items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
            for key, value in items:
                if isinstance(value, (dict, list)):
                    yield from walk(value, trail + [key])
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    yield trail + [key], value

        for trail, value in walk(data, []):
            if trail[-1] == "multiplier_confirmed":
                continue
            mutated = json.loads(text)
            node = mutated
            for k in trail[:-1]:
                node = node[k]
            node[trail[-1]] = _wrong(value)
            yield (f"{path.name} {'/'.join(map(str, trail))} {value} -> {_wrong(value)}",
                   json.dumps(mutated, ensure_ascii=False, indent=1))


SENTINEL = "1990-01-01"   # "in force since always": the lookups fall back to the first row, so moving it is equivalent


def run_tables(name: str, group: dict) -> dict:
    killed, survived, t0 = 0, [], time.monotonic()
    for rel in group.get("tables", []):
        path = ROOT / rel
        if path.suffix == ".json":
            # In one process (the JSON is read through a cache the worker clears): hundreds of mutants.
            out = subprocess.run([sys.executable, __file__, "--json-worker", name, rel], cwd=ROOT, check=True,
                                 capture_output=True, text=True).stdout
            res = json.loads(out.strip().splitlines()[-1])
            killed += res["killed"]
            survived += res["survived"]
            continue
        baseline(name, test_argv(group))
        original = path.read_bytes()
        try:
            for label, mutated in table_mutants(path):
                if SENTINEL in label.split(" date ")[-1].split(" ->")[0]:
                    continue
                path.write_text(mutated, encoding="utf-8")
                rc = subprocess.run(test_argv(group), cwd=ROOT, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL).returncode
                if rc == 0:
                    survived.append(label)
                else:
                    killed += 1
        finally:
            path.write_bytes(original)
    (OUT / f"{name}-tables-survivors.txt").write_text("\n".join(survived), encoding="utf-8")
    total = killed + len(survived)
    return {"tool": "planted table values", "tested": total, "killed": killed, "survived": len(survived),
            "score": round(100.0 * killed / total, 1) if total else None, "seconds": round(time.monotonic() - t0)}


def json_worker(name: str, rel: str) -> None:
    """Plant each JSON mutant and run the group's rule tests in this process (pytest.main per mutant).

    The mutated table is handed to ``rules.futures`` in memory (its cached loader is replaced), so the file on
    disk never changes and other runs in the same checkout are not disturbed.
    """
    import contextlib
    import io

    import pytest

    from ptrade_fast.rules import futures

    group = load_config()["groups"][name]
    tests = [t for t in group["tests"] if t.startswith("tests/rules")]
    path = ROOT / rel
    loader = futures._table
    killed, survived = 0, []
    try:
        for label, mutated in table_mutants(path):
            if f"date {SENTINEL}" in label:
                continue
            table = json.loads(mutated)
            futures._table = lambda table=table: table
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                rc = pytest.main(["-x", "-q", "-p", "no:cacheprovider", "-W", "ignore", *tests])
            if rc == 0:
                survived.append(label)
            else:
                killed += 1
    finally:
        futures._table = loader
    print(json.dumps({"killed": killed, "survived": survived}))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("groups", nargs="*", help="groups of [tool.ptrade_fast.mutation.groups] (default: all)")
    ap.add_argument("--tables-only", action="store_true", help="only plant wrong values in the literal tables")
    ap.add_argument("--no-tables", action="store_true", help="only run cosmic-ray")
    ap.add_argument("--json-worker", nargs=2, metavar=("GROUP", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.json_worker:
        json_worker(*args.json_worker)
        return 0
    cfg = load_config()
    names = args.groups or list(cfg["groups"])
    unknown = [n for n in names if n not in cfg["groups"]]
    if unknown:
        ap.error(f"unknown group(s) {unknown}; pyproject.toml defines {sorted(cfg['groups'])}")
    if shutil.which("cosmic-ray", path=str(Path(sys.executable).parent)) is None and not args.tables_only:
        ap.error("cosmic-ray is not installed in this environment: pip install -e '.[mutation]'")
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names:
        group = cfg["groups"][name]
        if not args.tables_only:
            record(name, "cosmic-ray", run_cosmic_ray(name, group, cfg))
        if not args.no_tables and group.get("tables"):
            record(name, "tables", run_tables(name, group))
    return 0


def record(group: str, kind: str, result: dict) -> None:
    """Merge one result into build/mutation/summary.json (re-read first: groups may run in parallel copies)."""
    print(f"[{group}] {kind}: {json.dumps(result)}", flush=True)
    path = OUT / "summary.json"
    summary = json.loads(path.read_text()) if path.exists() else {}
    summary.setdefault(group, {})[kind] = result
    path.write_text(json.dumps(summary, indent=1, sort_keys=True))


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
