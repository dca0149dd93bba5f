"""What ``ptrade-fast check`` reports: one :class:`Finding` per problem, each with a stable code.

Severities: ``error`` (the platform will refuse or crash on it), ``warning`` (likely to misbehave or
to be rejected depending on the edition), ``info`` (worth knowing, harmless in a backtest).
"""
from __future__ import annotations

import dataclasses
import json

SEVERITIES = ("info", "warning", "error")

#: code -> (severity, short title).  Codes never change meaning; new checks get new codes.
CODES = {
    "PT000": ("error", "the file cannot be parsed"),
    "PT101": ("error", "f-string (Python 3.6+)"),
    "PT102": ("error", "assignment expression := (Python 3.8+)"),
    "PT103": ("error", "positional-only parameter / (Python 3.8+)"),
    "PT104": ("error", "asynchronous comprehension or generator (Python 3.6+)"),
    "PT105": ("error", "variable annotation (Python 3.6+)"),
    "PT106": ("error", "underscore in a numeric literal (Python 3.6+)"),
    "PT107": ("error", "__future__ feature unknown to the target"),
    "PT108": ("error", "match statement (Python 3.10+)"),
    "PT109": ("error", "except* (Python 3.11+)"),
    "PT110": ("error", "decorator that is not a dotted name or call (Python 3.9+)"),
    "PT111": ("error", "unparenthesised starred expression in return/yield/subscript (Python 3.8+)"),
    "PT112": ("error", "parenthesised context managers (Python 3.10+)"),
    "PT113": ("error", "trailing comma after *args or **kwargs in a def (Python 3.6+)"),
    "PT114": ("error", "standard-library module missing from the target Python"),
    "PT201": ("error", "import of a module the platform forbids"),
    "PT202": ("warning", "import of a library the platform does not bundle"),
    "PT203": ("warning", "import of a library bundled only by the later (Python 3.11) edition"),
    "PT204": ("error", "import of another user file (one strategy = one file)"),
    "PT205": ("warning", "network library: installed on the platform, but network calls fail"),
    "PT301": ("error", "function that is not Ptrade's (JoinQuant / RiceQuant name)"),
    "PT302": ("warning", "attribute name from JoinQuant / RiceQuant, not Ptrade"),
    "PT401": ("warning", "live-only function called without an is_trade() guard"),
    "PT402": ("info", "live-only notification/registration: a no-op in backtest"),
    "PT501": ("error", "API function called in a lifecycle phase where Ptrade refuses it"),
    "PT601": ("error", "callback signature differs from the platform's"),
    "PT602": ("error", "required callback missing"),
    "PT603": ("error", "scheduled function signature differs from func(context)"),
}


@dataclasses.dataclass(frozen=True, order=True)
class Finding:
    """One problem found in a strategy file (1-based ``line``, 0-based ``column``, as Python reports)."""

    line: int
    column: int
    code: str
    message: str
    severity: str = ""

    def __post_init__(self):
        if self.code not in CODES:
            raise ValueError(f"unknown finding code {self.code!r}")
        if not self.severity:
            object.__setattr__(self, "severity", CODES[self.code][0])
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, was {self.severity!r}")

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "code": self.code,
                "severity": self.severity, "message": self.message}


@dataclasses.dataclass
class CheckReport:
    """The findings for one file, sorted by position.

    ``exit_status`` is 0 when nothing at warning level or above was found, 1 when the worst finding
    is a warning and 3 when there is an error (2 stays the command line's "bad arguments").
    """

    path: str
    target: str
    findings: list

    @property
    def errors(self) -> list:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def exit_status(self) -> int:
        if self.errors:
            return 3
        return 1 if self.warnings else 0

    @property
    def codes(self) -> set:
        return {f.code for f in self.findings}

    def to_dict(self) -> dict:
        return {"path": self.path, "target": self.target, "exit_status": self.exit_status,
                "findings": [f.as_dict() for f in self.findings]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def format_text(self, min_severity: str = "info") -> str:
        floor = SEVERITIES.index(min_severity)
        lines = [f"{self.path}:{f.line}:{f.column + 1}: {f.severity} {f.code} {f.message}"
                 for f in self.findings if SEVERITIES.index(f.severity) >= floor]
        n_err, n_warn = len(self.errors), len(self.warnings)
        lines.append(f"{self.path}: {n_err} error(s), {n_warn} warning(s), "
                     f"{len(self.findings) - n_err - n_warn} note(s) for target {self.target}")
        return "\n".join(lines)
