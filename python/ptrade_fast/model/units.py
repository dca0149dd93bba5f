"""Money and price units shared by the API façade and the engine.

Kernels hold prices and money as ``int64`` in 1e-4 CNY (``_core.PRICE_SCALE``); Ptrade objects show
floats in CNY.  Every conversion between the two goes through these helpers so that one rounding rule
(half away from zero at 1e-4) applies everywhere.
"""
from __future__ import annotations

import math

from .. import _core

SCALE = float(_core.PRICE_SCALE)


def to_raw(x: float) -> int:
    """CNY (or price) float → kernel integer, rounded half away from zero at 1e-4."""
    return int(math.floor(abs(x) * SCALE + 0.5)) * (1 if x >= 0 else -1)
