"""Interruptions keep what was done: checkpoints and resume (byte-identical), signals, sys.exit, time limits."""
from __future__ import annotations

import filecmp
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import ptrade_fast
from ptrade_fast import errors as E

# A strategy whose state lives everywhere a checkpoint must reach: g, a module global, a context attribute,
# a run_daily function, a class defined in the file, the log.
STRATEGY = textwrap.dedent('''
    import numpy as np

    COUNTER = {"days": 0}

    class Tracker(object):
        def __init__(self):
            self.closes = []

    def initialize(context):
        g.s = '600570.SS'
        g.tracker = Tracker()
        g.flips = 0
        context.my_note = 'set in initialize'
        set_universe([g.s])
        run_daily(context, morning, time='14:50')

    def morning(context):
        COUNTER["days"] += 1

    def handle_data(context, data):
        g.tracker.closes.append(data[g.s].close)
        closes = g.tracker.closes
        if len(closes) < 10:
            return
        fast, slow = np.mean(closes[-3:]), np.mean(closes[-10:])
        held = context.portfolio.positions[g.s].amount if g.s in context.portfolio.positions else 0
        if fast > slow and held == 0:
            order_value(g.s, 100000 + COUNTER["days"])
            g.flips += 1
        elif fast < slow and held > 0:
            order_target(g.s, 0)
            g.flips += 1
        log.info('flips %d days %d' % (g.flips, COUNTER["days"]))
''')

SPAN = dict(start="2023-01-03", end="2023-08-31")


@pytest.fixture(scope="module")
def strategy_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("strategy") / "flips.py"
    path.write_text(STRATEGY, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def uninterrupted(strategy_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("full")
    ptrade_fast.run(str(strategy_file), **SPAN).save(out)
    return out


def _same_folder(a: Path, b: Path):
    names = sorted(os.listdir(a))
    assert names == sorted(os.listdir(b))
    for name in names:
        assert filecmp.cmp(a / name, b / name, shallow=False), name


def test_a_run_resumed_from_a_checkpoint_equals_the_uninterrupted_run(strategy_file, uninterrupted, tmp_path):
    ckpt = tmp_path / "ckpt"
    # The run is stopped right after day 37 by a progress hook, as Ctrl-C would; the checkpoint of day 35 remains.
    def stop(done, total, day):
        if done == 37:
            raise E.RunInterrupted("stopped by the test", "test")
    with pytest.raises(E.RunInterrupted) as info:
        ptrade_fast.run(str(strategy_file), checkpoint_every=5, checkpoint_dir=str(ckpt), progress=stop, **SPAN)
    assert info.value.checkpoint == str(ckpt / "checkpoint.pkl")
    resumed = ptrade_fast.resume(ckpt)
    resumed.save(tmp_path / "resumed")
    _same_folder(uninterrupted, tmp_path / "resumed")


def test_partial_results_of_an_interrupted_run_stop_at_the_last_finished_day(strategy_file):
    seen = []

    def stop(done, total, day):
        seen.append(day)
        if done == 20:
            raise E.RunInterrupted("stopped by the test", "SIGINT")
    with pytest.raises(E.RunInterrupted) as info:
        ptrade_fast.run(str(strategy_file), progress=stop, **SPAN)
    part = info.value.partial_result
    assert part.meta["complete"] is False and part.meta["stop_reason"] == "SIGINT"
    assert len(part.portfolio) == 20 and part.portfolio.index[-1].date() == seen[-1]
    assert (part.trades["dt"].dt.date <= seen[-1]).all()


def test_sys_exit_in_a_strategy_stops_the_run_and_keeps_the_finished_days(tmp_path):
    src = STRATEGY + textwrap.dedent('''
        def after_trading_end(context, data):
            if context.blotter.current_dt.strftime('%Y-%m-%d') == '2023-02-01':
                import sys
                sys.exit(3)
    ''')
    with pytest.raises(E.RunInterrupted, match=r"the strategy called sys.exit\(3\) at .*:\d+ in after_trading_end "
                                               r"at simulated time 2023-02-01 15:30:00") as info:
        ptrade_fast.run(src, **SPAN)
    part = info.value.partial_result
    assert part.meta["stop_reason"] == "sys.exit"
    assert str(part.portfolio.index[-1].date()) == "2023-01-31"


def test_an_endless_callback_is_stopped_by_callback_timeout_naming_file_and_line(tmp_path):
    path = tmp_path / "endless.py"
    path.write_text(textwrap.dedent('''
        def initialize(context):
            set_universe(['600570.SS'])

        def handle_data(context, data):
            if context.blotter.current_dt.day == 5:
                while True:
                    pass
    '''), encoding="utf-8")
    with pytest.raises(E.StrategyRuntimeError, match=r"endless.py:7: CallbackTimeout: the callback ran longer than "
                                                     r"callback_timeout=0.5 s\n    in handle_data at simulated "
                                                     r"time 2023-01-05 15:00:00\n    while True:") as info:
        ptrade_fast.run(str(path), start="2023-01-03", end="2023-01-10", callback_timeout=0.5)
    assert len(info.value.partial_result.portfolio) == 2


def test_a_checkpoint_of_another_strategy_is_refused(strategy_file, tmp_path):
    ckpt = tmp_path / "ckpt"
    ptrade_fast.run(str(strategy_file), checkpoint_every=10, checkpoint_dir=str(ckpt), **SPAN)
    changed = tmp_path / "flips.py"
    changed.write_text(STRATEGY + "\n# edited\n", encoding="utf-8")
    import pickle
    header = pickle.loads((ckpt / "checkpoint.pkl").read_bytes())
    header["run_args"]["strategy"] = str(changed)
    (ckpt / "checkpoint.pkl").write_bytes(pickle.dumps(header))
    with pytest.raises(E.PtradeFastError, match=r"belongs to another run: strategy_sha256 changed"):
        ptrade_fast.resume(ckpt)


def test_resume_without_a_checkpoint_names_the_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no checkpoint to resume from: .*checkpoint.pkl does not exist"):
        ptrade_fast.resume(tmp_path)


KILL_SCRIPT = textwrap.dedent('''
    import sys, ptrade_fast
    from ptrade_fast import errors as E
    strategy, ckpt, out = sys.argv[1:4]
    try:
        r = ptrade_fast.run(strategy, start="2023-01-03", end="2023-08-31", checkpoint_every=3, checkpoint_dir=ckpt,
                            progress=lambda d, t, day: print("day", d, flush=True))
    except E.RunInterrupted as exc:
        exc.partial_result.save(out + ".partial")
        print("interrupted", exc.reason, flush=True)
        sys.exit(130)
    r.save(out)
''')


# Kill points drawn from a seeded generator (reproducible): a trading day of the 163-day run, then a delay into
# that day so the signal lands on some bar inside it, not on a day boundary.
_KILLS = random.Random(20261202)
KILL_POINTS = [(sig, _KILLS.randint(4, 150), _KILLS.uniform(0.0, 0.04))
               for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL, signal.SIGKILL)]


@pytest.mark.parametrize("sig, after_days, delay", KILL_POINTS)
def test_a_killed_run_leaves_a_checkpoint_whose_resume_equals_the_uninterrupted_run(
        strategy_file, uninterrupted, tmp_path, sig, after_days, delay):
    script = tmp_path / "run.py"
    script.write_text(KILL_SCRIPT, encoding="utf-8")
    ckpt, out = tmp_path / "ckpt", tmp_path / "out"
    proc = subprocess.Popen([sys.executable, str(script), str(strategy_file), str(ckpt), str(out)],
                            stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if line.startswith("day") and int(line.split()[1]) >= after_days:
            time.sleep(delay)
            proc.send_signal(sig)
            break
    rest = proc.stdout.read()
    code = proc.wait(timeout=120)
    if sig == signal.SIGKILL:
        assert code == -signal.SIGKILL
    else:
        assert code == 130 and f"interrupted {signal.Signals(sig).name}" in rest
        partial = ptrade_fast.result.Result.load(Path(str(out) + ".partial"))
        assert partial.meta["complete"] is False
    assert not out.exists()                      # never a half-written final result
    ptrade_fast.resume(ckpt).save(tmp_path / "resumed")
    _same_folder(uninterrupted, tmp_path / "resumed")
