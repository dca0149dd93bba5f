"""Text output of results for the command line (``ptrade-fast run`` / ``ptrade-fast report``)."""
from __future__ import annotations

import sys
import unicodedata
from typing import Any, TextIO

from ptrade_fast.report.metrics import metric_rows


def display_width(text: str) -> int:
    """Terminal columns taken by ``text``: CJK (wide and fullwidth) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def format_metrics_table(metrics: dict[str, Any]) -> str:
    """The metrics as two aligned columns: label padded to one width, value right-aligned."""
    rows = metric_rows(metrics)
    if not rows:
        return ""
    label_w = max(display_width(label) for label, _ in rows)
    value_w = max(len(value) for _, value in rows)
    lines = [label + " " * (label_w - display_width(label)) + "  " + value.rjust(value_w)
             for label, value in rows]
    return "\n".join(lines)


def print_metrics_table(metrics: dict[str, Any], file: TextIO | None = None) -> None:
    """Print ``format_metrics_table(metrics)`` to ``file`` (standard output by default)."""
    print(format_metrics_table(metrics), file=sys.stdout if file is None else file)
