"""Error messages in the words of the command line.

The library's messages name Python arguments (``overwrite=True``, ``sandbox=False``,
``frequency='1d'``) because that is what an API user types.  The ``ptrade-fast`` commands pass every
message they print through :func:`cli_words`, which swaps those argument spellings for the flags a
command-line user types (``--force``, ``--no-sandbox``, ``--frequency 1d``).
"""
from __future__ import annotations

import re

# (pattern, replacement), applied in order; patterns match the library's spellings of an argument.
_SWAPS: list[tuple[re.Pattern, str]] = [(re.compile(p), r) for p, r in [
    (r"\boverwrite=True\b", "--force"),
    (r"\bsandbox=False\b", "--no-sandbox"),
    (r"\bfrequency\s*=?\s*'(1d|1m)'", r"--frequency \1"),
    (r"(?<![.\w])capital_base must\b", "--capital must"),
]]
# Only spellings that name an argument in the library's own messages: a strategy error quotes the user's
# source line, where `context.capital_base` or `start=` must stay as written.


def cli_words(message: object) -> str:
    """``message`` (an exception or text) with Python argument spellings replaced by CLI flags."""
    text = str(message)
    for pattern, repl in _SWAPS:
        text = pattern.sub(repl, text)
    return text
