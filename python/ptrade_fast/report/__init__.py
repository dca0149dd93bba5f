"""The results side of a backtest: metrics, the results folder, the HTML report, text tables.

``metrics``      the report's numbers, defined in ``docs/metrics.md``
``tables``       the tables' canonical dtypes and the Parquet/JSON results folder
``html``         the self-contained offline HTML report (plotly.js inlined)
``figures``      the report's plotly figures
``cli_support``  text tables for the command line

``ptrade_fast.result.Result`` ties them together. Nothing here imports the engine or the kernels.
"""
