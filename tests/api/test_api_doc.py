"""docs/ptrade-api.md, the API contract the code cites, agrees with the code: every function it documents
exists in a strategy's namespace with the documented signature, and its section numbers are the ones the
code's citations use."""
from __future__ import annotations

import inspect
import json
import re
from importlib import resources
from pathlib import Path

import pytest

from ptrade_fast.engine.runner import Backtest

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "ptrade-api.md").read_text(encoding="utf-8")
SPEC = {f["name"]: f for f in json.loads(
    resources.files("ptrade_fast.api").joinpath("ptrade-api.json").read_text(encoding="utf-8"))}
HEADING = re.compile(r"^#### (?:D\.4\.\d+ )?([A-Za-z_][A-Za-z0-9_]*)(\(.*\))(?: \[[^\]]+\])*$", re.M)
DOCUMENTED = [(m.group(1), m.group(1) + m.group(2)) for m in HEADING.finditer(DOC)]
FUNCTIONS = [(name, sig) for name, sig in DOCUMENTED if SPEC.get(name, {}).get("kind") == "function"]
# Functions that take **kwargs so both the official and the seed's call forms work (§0.1a item 1).
VARIADIC_OK = {"send_email", "send_qywx", "set_parameters"}
SRC = "def initialize(context):\n    pass\ndef handle_data(context, data):\n    pass\n"


def _params(signature: str, name: str):
    import ast
    args = ast.parse(f"def {signature}: pass").body[0].args
    names = [a.arg for a in args.args]
    defaults = [ast.literal_eval(d) for d in args.defaults]
    return list(zip(names, [inspect.Parameter.empty] * (len(names) - len(defaults)) + defaults))


@pytest.fixture(scope="module")
def namespace():
    return Backtest(SRC, start="2019-01-02", end="2019-01-04").ns


def test_the_document_covers_every_function_once():
    names = [name for name, _ in DOCUMENTED]
    assert len(names) == len(set(names))
    assert {n for n, f in SPEC.items() if f["kind"] in ("function", "callback")} == set(names)


@pytest.mark.parametrize("name,signature", DOCUMENTED, ids=[n for n, _ in DOCUMENTED])
def test_documented_signature_is_the_listed_one(name, signature):
    assert signature == SPEC[name]["signature"]


@pytest.mark.parametrize("name,signature", FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_documented_function_exists_with_its_signature(namespace, name, signature):
    assert name in namespace, f"{name} (docs/ptrade-api.md) is not in a strategy's globals"
    ours = list(inspect.signature(namespace[name]).parameters.values())
    if name in VARIADIC_OK:
        assert any(p.kind == p.VAR_KEYWORD for p in ours)
        return
    positional = [p for p in ours if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    documented = _params(signature, name)
    assert [p.name for p in positional[:len(documented)]] == [n for n, _ in documented], signature
    for (pname, default), p in zip(documented, positional):
        if default is not inspect.Parameter.empty:
            assert p.default == default, f"{name}: default of {pname} is {p.default!r}, documented {default!r}"


def test_sections_cited_by_the_code_exist():
    numbers = set(re.findall(r"^#{2,4} ([0-9A-L](?:\.\d+[a-z]?)*)\.? ", DOC, re.M))
    for cited in ("0.1a", "A.2", "A.4", "B.3", "C.7", "D.4.1", "D.4.2", "E.1", "F", "G.1", "G.2", "H.3",
                  "H.5", "H.8", "H.12", "I.1"):
        assert cited in numbers, cited


def test_section_numbering_matches_the_reference_specification():
    """The same numbers as the reference spec beside the repository (when present), so citations of it
    can be re-pointed to docs/ptrade-api.md mechanically."""
    ref = ROOT.parent / "shared" / "spec" / "ptrade-api.md"
    if not ref.exists():
        ref = ROOT.parents[1] / "shared" / "spec" / "ptrade-api.md"
    if not ref.exists():
        pytest.skip("reference specification not beside the repository")
    pattern = re.compile(r"^#{2,4} ((?:[0-9A-L])(?:\.\d+[a-z]?)*)\.? ", re.M)
    theirs = set(pattern.findall(ref.read_text(encoding="utf-8")))
    ours = set(pattern.findall(DOC))
    assert theirs - ours == set()
