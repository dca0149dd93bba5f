"""``run(..., isolate=True)``: same results byte for byte, refusal where it cannot be enforced, CLI."""
from __future__ import annotations

import io
import types
from pathlib import Path

import pytest

import ptrade_fast
from ptrade_fast.cli import main
from ptrade_fast.errors import IsolationError

EXAMPLES = Path(__file__).resolve().parents[2] / "python" / "ptrade_fast" / "examples"
ESCAPES = Path(__file__).resolve().parent / "escapes"


def _folder_bytes(path: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


@pytest.mark.needs_isolation
@pytest.mark.parametrize("name, frequency, start, end", [
    ("double_ma.py", "1d", "2023-01-03", "2024-12-31"),
    ("scheduled_tasks.py", "1m", "2019-01-14", "2019-01-18"),
])
def test_isolated_results_equal_plain_results_byte_for_byte(name, frequency, start, end, tmp_path):
    kw = dict(start=start, end=end, frequency=frequency, research_path=str(tmp_path / "research"))
    plain = ptrade_fast.run(EXAMPLES / name, **kw)
    isolated = ptrade_fast.run(EXAMPLES / name, isolate=True, **kw)
    plain.save(tmp_path / "plain")
    isolated.save(tmp_path / "isolated")
    a, b = _folder_bytes(tmp_path / "plain"), _folder_bytes(tmp_path / "isolated")
    assert sorted(a) == ["bars.parquet", "benchmark.parquet", "logs.parquet", "meta.json", "metrics.json", "orders.parquet",
                         "params.json", "portfolio.parquet", "positions.parquet", "trades.parquet"]
    assert a == b
    assert isolated.run_seconds > 0


@pytest.mark.needs_isolation
def test_progress_and_log_echo_are_relayed(tmp_path):
    seen, echo = [], io.StringIO()
    ptrade_fast.run(EXAMPLES / "double_ma.py", start="2024-01-02", end="2024-01-05", isolate=True,
                    research_path=str(tmp_path), progress=lambda d, t, day: seen.append((d, t, day.isoformat())),
                    log_echo=echo)
    assert seen == [(1, 4, "2024-01-02"), (2, 4, "2024-01-03"), (3, 4, "2024-01-04"), (4, 4, "2024-01-05")]
    plain = io.StringIO()
    ptrade_fast.run(EXAMPLES / "double_ma.py", start="2024-01-02", end="2024-01-05", research_path=str(tmp_path),
                    log_echo=plain)
    assert echo.getvalue() == plain.getvalue()


def test_refuses_where_it_cannot_be_enforced(monkeypatch, tmp_path):
    import platform
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    with pytest.raises(IsolationError, match="isolate=True is enforced only on Linux .*on Darwin ptrade_fast "
                                             "cannot enforce it and refuses to run"):
        ptrade_fast.run(EXAMPLES / "double_ma.py", isolate=True, research_path=str(tmp_path))


def test_refuses_without_the_bindings(monkeypatch, tmp_path):
    import builtins
    real = builtins.__import__

    def no_landlock(name, *a, **k):
        if name == "landlock":
            raise ImportError("No module named 'landlock'", name="landlock")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_landlock)
    with pytest.raises(IsolationError, match=r"landlock is missing\); install the extra: pip install 'ptrade_fast\[isolate\]'"):
        ptrade_fast.run(EXAMPLES / "double_ma.py", isolate=True, research_path=str(tmp_path))


@pytest.mark.needs_isolation
def test_bad_isolation_arguments_are_named(tmp_path):
    with pytest.raises(IsolationError, match="needs the strategy as a file path or source text, not a module"):
        ptrade_fast.run(types.ModuleType("s"), isolate=True)
    with pytest.raises(ValueError, match="isolate_memory_mb must be a positive whole number, was -1"):
        ptrade_fast.run(EXAMPLES / "double_ma.py", isolate=True, isolate_memory_mb=-1)
    with pytest.raises(ValueError, match="isolate_cpu_seconds only apply with isolate=True"):
        ptrade_fast.run(EXAMPLES / "double_ma.py", isolate_cpu_seconds=10)
    with pytest.raises(TypeError, match=r"unknown option 'isolate_cpu'; did you mean 'isolate'\? \(valid options: "
                                        r".*isolate_cpu_seconds, isolate_memory_mb, isolate_file_mb"):
        ptrade_fast.run(EXAMPLES / "double_ma.py", isolate=True, isolate_cpu=10)
    with pytest.raises(ValueError, match="frequency must be '1d', '1m' or 'tick', was '5m'"):
        ptrade_fast.run(EXAMPLES / "double_ma.py", isolate=True, frequency="5m", research_path=str(tmp_path))


@pytest.mark.needs_isolation
def test_cli_isolate_saves_partial_results_of_an_escape(tmp_path, capsys, monkeypatch):
    outside = tmp_path / "outside"
    outside.mkdir()
    strategy = tmp_path / "attack.py"
    strategy.write_text((ESCAPES / "write_outside.py").read_text().replace("__OUTSIDE__", str(outside)))
    monkeypatch.chdir(tmp_path)
    status = main(["run", str(strategy), "--start", "2024-01-02", "--end", "2024-01-31", "--isolate",
                   "--out", str(tmp_path / "out"), "--no-progress"])
    err = capsys.readouterr().err
    assert status == 1
    assert f"Permission denied: '{outside}/pwned'" in err
    assert "isolate: the sandbox refused this" in err
    assert "partial results up to the failure written to" in err
    saved = ptrade_fast.result.Result.load(tmp_path / "out")
    assert len(saved.portfolio) == 2 and saved.meta["complete"] is False
    assert list(outside.iterdir()) == []


def test_cli_run_prints_the_check_warnings_first(tmp_path, capsys, monkeypatch):
    strategy = tmp_path / "foreign.py"
    strategy.write_text("def initialize(context):\n    set_universe(['600570.SS'])\n\n"
                        "def handle_data(context, data):\n    cash = context.portfolio.available_cash\n")
    monkeypatch.chdir(tmp_path)
    main(["run", str(strategy), "--start", "2024-01-02", "--end", "2024-01-03", "--no-progress"])
    err = capsys.readouterr().err
    assert err.splitlines()[0] == (f"{strategy}:5:30: warning PT302 .available_cash is JoinQuant/RiceQuant's "
                                   "name; Ptrade's is context.portfolio.cash")


@pytest.mark.needs_isolation
def test_the_child_starts_from_a_clean_environment(tmp_path, monkeypatch):
    from ptrade_fast.isolate.parent import Zygote
    with Zygote._lock:
        if Zygote._instance is not None:   # a zygote started earlier would not see the variable anyway
            Zygote._instance.close()
            Zygote._instance = None
    monkeypatch.setenv("PTRADE_FAST_TEST_SECRET", "hunter2")
    monkeypatch.delenv("PYTHONHASHSEED", raising=False)
    strategy = tmp_path / "env.py"
    strategy.write_text("import sys\n\ndef initialize(context):\n    set_universe(['600570.SS'])\n\n"
                        "def handle_data(context, data):\n"
                        "    log.info(' '.join(sorted(sys.modules['os'].environ)))\n", encoding="utf-8")
    result = ptrade_fast.run(strategy, start="2024-01-02", end="2024-01-02", isolate=True,
                             research_path=str(tmp_path / "research"))
    assert result.logs["message"].tolist() == ["HOME LANG LC_ALL MPLCONFIGDIR PATH TMPDIR"]
