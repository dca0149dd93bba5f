"""Parameters of the synthetic market: the board code ranges, the indices and ETFs, the daily model."""
from __future__ import annotations

import numpy as np

# -- UNIVERSE TABLES -----------------------------------------------------------------------------------

# (suffix, prefix, weight, board opening).  Weights follow the 2024 listing counts (SH main ~1,700,
# STAR ~570, SZ main ~1,500, ChiNext ~1,350).  A prefix with an opening date only lists IPOs after it.
STOCK_PREFIXES = (
    ("SS", "600", 0.180, None), ("SS", "601", 0.045, None), ("SS", "603", 0.095, None),
    ("SS", "605", 0.012, "2020-06-01"), ("SS", "688", 0.108, "2019-07-22"),
    ("SZ", "000", 0.085, None), ("SZ", "001", 0.012, "2021-06-01"), ("SZ", "002", 0.170, None),
    ("SZ", "003", 0.015, "2020-10-01"), ("SZ", "300", 0.190, None), ("SZ", "301", 0.070, "2020-08-24"),
)
HISTORY_END = np.datetime64("2024-12-31")   # late boards reach their full weight by then

# (code, name, base level, list date); the base is roughly the index's level at the start of 2019.
INDICES = (
    ("000001.SS", "上证指数", 2465.291, "1991-07-15"),
    ("000300.SS", "沪深300", 3010.654, "2005-04-08"),
    ("000905.SS", "中证500", 4090.993, "2007-01-15"),
    ("399001.SZ", "深证成指", 7149.270, "1991-04-03"),
    ("399006.SZ", "创业板指", 1250.536, "2010-06-01"),
)
# Constituent counts; universes smaller than 5,300 stocks scale them down.
INDEX_SIZES = {"000300.SS": 300, "000905.SS": 500, "399001.SZ": 500, "399006.SZ": 100}
FULL_UNIVERSE = 5300

# (code, tracked index, price = level / scale).
ETFS = (
    ("510300.SS", "000300.SS", 1000.0), ("510050.SS", "000001.SS", 1000.0), ("159919.SZ", "000300.SS", 1000.0),
    ("510500.SS", "000905.SS", 1000.0), ("159915.SZ", "399006.SZ", 1000.0), ("159901.SZ", "399001.SZ", 1600.0),
)
CB_PREFIXES = {"SH_main": ("110", "113"), "STAR": ("118",), "SZ_main": ("127", "128"), "ChiNext": ("123",)}

# -- MODEL PARAMETERS (per trading day) ----------------------------------------------------------------

P_SUSPEND = 0.002        # a listed stock starts a suspension
P_ST = 0.0001            # a stock is newly designated ST
P_DELIST_YEAR = 0.008    # share of the universe delisted per year
P_JUMP_UP, P_JUMP_DN = 0.010, 0.007   # news jumps of 6-25 %, clipped at the limits
MIN_LOTS = 240           # every traded bar has at least one lot
EX_MIN_AGE = 120         # no corporate action in the first 120 trading days after an IPO
MINUTES = np.concatenate([np.arange(571, 691), np.arange(781, 901)])  # bar ends 09:31…11:30, 13:01…15:00
_U_SHAPE = 1.0 + 2.0 * np.linspace(-1, 1, 240) ** 2                      # intraday volume profile

