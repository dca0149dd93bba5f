"""Importers: other tools' market data into a data root, always through ``data.writer.RootWriter``.

``tdx`` reads 通达信 ``vipdoc`` files (``.day``, ``.lc1``, ``.lc5``); ``csv`` reads CSV exports
(generic column mapping, with tushare / akshare / baostock presets).
"""
