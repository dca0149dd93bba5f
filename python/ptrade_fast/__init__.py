"""ptrade_fast: run unmodified Ptrade (恒生量化) strategies locally, fast.

>>> import ptrade_fast
>>> result = ptrade_fast.run("my_strategy.py", start="2024-01-02", end="2024-12-31", frequency="1d")
>>> result.portfolio.tail()
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["run", "sweep", "walk_forward", "Backtest", "__version__"]


def run(strategy, start=None, end=None, frequency="1d", capital_base=1_000_000.0, universe=None,
        benchmark=None, data=None, progress=None, params=None, **options):
    """Run a Ptrade strategy and return its :class:`~ptrade_fast.result.Result`.

    Parameters
    ----------
    strategy : str, path or module
        The strategy file (as written for Ptrade), its source text, or an imported module.
    start, end : str or date, optional
        First and last simulated day ('YYYY-mm-dd' or 'YYYYmmdd'); default the data's full range
        (daily runs start no earlier than 2005-01-04, Ptrade's data start).
    frequency : {'1d', '1m'}
        Daily or minute backtest (Ptrade's 日线 / 分钟).
    capital_base : float
        Starting cash in CNY (``context.capital_base``).
    universe : None, 'Ashares' or list of codes
        Initial universe (the strategy's ``set_universe`` replaces it).
    benchmark : str, optional
        Benchmark code; overrides the strategy's ``set_benchmark`` (default ``'000300.SS'``).
    data : str or path, optional
        Data root; default ``$PTRADE_FAST_DATA``, else the bundled sample data.
    progress : callable, optional
        Called as ``progress(days_done, days_total, date)`` after each simulated day.
    params : dict, optional
        Strategy parameter overrides, set on ``g`` (or the ``set_parameters`` store) right after
        ``initialize`` returns: one cell of :func:`sweep` (see ``docs/sweep.md``).  A name the
        strategy's ``initialize`` does not set is a ``ValueError``.
    **options
        Engine options: ``cost_model`` ('ptrade'|'market'), ``stamp_duty`` (bool), ``slippage``
        (default ratio 0.001), ``block_limit_locked`` (True), ``shared_volume_cap`` (False),
        ``limit_touch`` ('close'|'high_low'), ``history_format`` ('long'|'panel'; ``compat='py35'`` selects
        'panel', the 2022 edition's shapes), ``margin_account`` (simulate 融资融券), ``dividend_tax``
        ('none'|'holding_period'), ``persistence`` / ``restart_before`` (§B.3),
        ``strict_phases`` (False), ``lenient_price_precision`` (False), ``order_callbacks`` (True),
        ``sandbox`` (True), ``research_path``, ``log_level``, ``log_echo`` (a stream), ``seed``.

    Raises
    ------
    ptrade_fast.errors.StrategyLoadError
        The file cannot be loaded (names file and line).
    ptrade_fast.errors.StrategyRuntimeError
        The strategy raised; the message names file, line and simulated time, and
        ``exc.partial_result`` holds the results up to the failure.
    """
    from .engine.runner import Backtest
    if params is not None:
        options["params"] = params
    bt = Backtest(strategy, start=start, end=end, frequency=frequency, capital_base=capital_base,
                  universe=universe, benchmark=benchmark, data=data, options=options, progress=progress)
    return bt.run()


def __getattr__(name):
    if name == "Backtest":
        from .engine.runner import Backtest
        return Backtest
    if name in ("sweep", "walk_forward"):
        from . import sweeps  # the package is "sweeps" so that ptrade_fast.sweep stays this function
        return getattr(sweeps, name)
    raise AttributeError(name)
