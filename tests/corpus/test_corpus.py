"""Issue 10 item 9: a corpus of strategies written here in the styles published Ptrade strategies use, each run
unmodified at its frequency and asserted to trade, and on golden results.

Every ``cNN_*.py`` file starts with a header the harness reads:

    # corpus: data=bundle|generated|realistic frequency=1d|1m start=YYYY-mm-dd end=YYYY-mm-dd [options=k:v,k:v]
    # exercises: what the file shows (free text)
    # xfail: reason (optional: the file needs work in progress on another branch)

``data=generated`` runs on a small synthetic root built once per session (``generated_root``); ``data=realistic``
on a small realistic market (real codes, the reverse repo family, an IPO calendar; ``realistic_root``).
Option values that read as numbers are numbers (``options=seed:20``).  Goldens
(``golden.json``) hold each file's order and trade counts and final value; they are compared only while the
data roots have the fingerprints recorded beside them (the bundled sample and the generator change with the
synthetic market of issue 10 item 6): regenerate with ``PTRADE_FAST_UPDATE_CORPUS=1 python -m pytest
tests/corpus``.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest

import ptrade_fast
from ptrade_fast.data.bundle import bundle_root

HERE = Path(__file__).parent
CORPUS = sorted(HERE.glob("c[0-9][0-9]_*.py"))
GOLDEN = HERE / "golden.json"
UPDATE = os.environ.get("PTRADE_FAST_UPDATE_CORPUS") == "1"
_HEADER = re.compile(r"^# (corpus|exercises|xfail): (.*)$")


def header(path: Path) -> dict:
    """The file's header fields: data, frequency, start, end, options (dict), exercises, xfail."""
    out: dict = {"options": {}}
    for line in path.read_text(encoding="utf-8").splitlines()[:4]:
        m = _HEADER.match(line)
        if not m:
            continue
        if m.group(1) != "corpus":
            out[m.group(1)] = m.group(2).strip()
            continue
        for item in m.group(2).split():
            key, _, value = item.partition("=")
            if key == "options":
                out["options"] = {k: _value(v) for k, v in (kv.split(":", 1) for kv in value.split(","))}
            else:
                out[key] = value
    missing = {"data", "frequency", "start", "end", "exercises"} - set(out)
    if missing:
        raise ValueError(f"{path.name}: corpus header lacks {sorted(missing)}")
    return out


def _value(text: str):
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text


def fingerprint(root: Path) -> str:
    """A digest of a data root's file names, sizes and meta.json (less its import log): changes whenever its
    data does."""
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(f"{p.relative_to(root)}:{p.stat().st_size};".encode())
    meta = root / "meta.json"
    if meta.is_file():   # without the import log, which records when (not what) was imported
        content = {k: v for k, v in json.loads(meta.read_text(encoding="utf-8")).items() if k != "imports"}
        h.update(json.dumps(content, sort_keys=True).encode())
    return h.hexdigest()[:16]


@pytest.fixture(scope="session")
def generated_root(tmp_path_factory):
    """A small synthetic market (150 codes, 2023-01 … 2023-04, minute bars, index futures), built once."""
    from ptrade_fast.data.synthetic import generate
    from ptrade_fast.data.synthetic import add_index_futures
    root = tmp_path_factory.mktemp("corpus_root")
    generate(root, stocks=150, start="2023-01-01", end="2023-04-30", minute=True, seed=3, overwrite=True)
    add_index_futures(root)
    return root


@pytest.fixture(scope="session")
def realistic_root(tmp_path_factory):
    """A small realistic market (400 codes, 2023-01 … 2023-06, daily bars): repo family, IPO calendar."""
    from ptrade_fast.data.synthetic import generate
    root = tmp_path_factory.mktemp("corpus_realistic_root")
    generate(root, stocks=400, start="2023-01-01", end="2023-06-30", seed=3, overwrite=True, market="realistic")
    return root


_ROOT_FIXTURES = {"generated": "generated_root", "realistic": "realistic_root"}


@pytest.fixture(scope="session")
def golden():
    data = json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.is_file() else {"roots": {}, "files": {}}
    yield data
    if UPDATE:
        GOLDEN.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def test_the_corpus_has_at_least_25_files_with_headers():
    assert len(CORPUS) >= 25
    for path in CORPUS:
        h = header(path)
        assert h["data"] in ("bundle", "generated", "realistic") and h["frequency"] in ("1d", "1m"), path.name


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_strategy_runs_unmodified_and_trades(path, request, golden):
    h = header(path)
    if h.get("xfail"):
        request.applymarker(pytest.mark.xfail(strict=False, reason=h["xfail"]))
    root = Path(bundle_root()) if h["data"] == "bundle" else request.getfixturevalue(_ROOT_FIXTURES[h["data"]])
    result = ptrade_fast.run(str(path), start=h["start"], end=h["end"], frequency=h["frequency"],
                             data=None if h["data"] == "bundle" else root, log_level="WARNING", **h["options"])
    assert len(result.orders) > 0, f"{path.name} placed no order"
    assert len(result.trades) > 0, f"{path.name} traded nothing"
    got = {"orders": len(result.orders), "trades": len(result.trades),
           "final_value": round(float(result.portfolio["total_value"].iloc[-1]), 2)}
    key, fp = h["data"], fingerprint(root)
    if UPDATE:
        golden["roots"][key] = fp
        golden["files"][path.stem] = got
        return
    want = golden["files"].get(path.stem)
    # A changed data root is a reviewed change: regenerate the goldens with it, never skip the comparison.
    assert want is not None and golden["roots"].get(key) == fp, (
        f"corpus golden of {path.stem} is for another {key} data root (fingerprint now {fp}); after reviewing "
        f"the data change regenerate with PTRADE_FAST_UPDATE_CORPUS=1 python -m pytest tests/corpus")
    assert got == want
