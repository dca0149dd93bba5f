"""Run progress through tqdm: days done, bars per second and time left, in a terminal or in Jupyter.

``ptrade_fast.run(..., progress=True)`` and ``ptrade-fast run`` (when standard error is a terminal) show
it; ``tqdm.auto`` picks the notebook widget inside Jupyter (when ipywidgets is installed) and the text bar
elsewhere.  A run that is not interactive (output piped to a file, CI) shows nothing unless asked.
"""
from __future__ import annotations

import sys
from typing import Any, TextIO

# Bar steps per simulated day: one close for daily runs, 240 minute bars for minute runs.
BARS_PER_DAY = {"1d": 1, "daily": 1, "day": 1, "1m": 240, "minute": 240, "min": 240,
                "tick": 4800}   # a tick replay: 3-second steps


class ProgressBar:
    """The ``progress(days_done, days_total, date)`` callback of a run, drawn with tqdm.

    Parameters
    ----------
    frequency : {'1d', '1m', 'tick'}
        The run's frequency; sets how many bars one simulated day stands for (the bars/s rate).
    file : stream, optional
        Where the text bar goes (default standard error).
    notebook : bool, optional
        Force (True) or refuse (False) the Jupyter widget; default lets ``tqdm.auto`` choose.

    Differences from Ptrade
    -----------------------
    Ptrade shows a web progress bar of its own; this is the local counterpart.
    """

    def __init__(self, frequency: str = "1d", file: TextIO | None = None, notebook: bool | None = None):
        if frequency not in BARS_PER_DAY:
            raise ValueError(f"frequency must be '1d', '1m' or 'tick', was {frequency!r}")
        self.bars_per_day = BARS_PER_DAY[frequency]
        self.file = file if file is not None else sys.stderr
        self.notebook = notebook
        self._bar: Any = None

    def _make(self, total: int):
        if self.notebook is None:
            from tqdm.auto import tqdm
        elif self.notebook:
            from tqdm.notebook import tqdm
        else:
            from tqdm import tqdm
        return tqdm(total=total, unit="day", file=self.file, dynamic_ncols=True, mininterval=0.1,
                    bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} days [{elapsed}<{remaining}{postfix}]")

    def __call__(self, done: int, total: int, day) -> None:
        if self._bar is None:
            self._bar = self._make(total)
        bar = self._bar
        bar.update(done - bar.n)
        elapsed = bar.format_dict.get("elapsed", 0.0) or 1e-9
        bar.set_postfix_str(f"{day}, {done * self.bars_per_day / max(elapsed, 1e-9):,.0f} bars/s", refresh=False)
        if done >= total:
            self.close()

    def close(self) -> None:
        """Finish the bar (called by the last update; safe to call twice)."""
        if self._bar is not None:
            self._bar.refresh()
            self._bar.close()
            self._bar = None


def progress_callback(progress: Any, frequency: str):
    """What ``run(progress=...)`` accepts, as the engine's callback: ``True`` → a :class:`ProgressBar`,
    ``False``/``None`` → no progress, a callable → itself."""
    if progress is True:
        return ProgressBar(frequency)
    if progress is None or progress is False:
        return None
    if not callable(progress):
        raise TypeError(f"progress must be True, False, None or a callable(days_done, days_total, date), "
                        f"was {progress!r}")
    return progress
