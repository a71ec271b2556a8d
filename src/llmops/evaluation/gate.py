"""Promotion gates: `rougeL>=base,blocked_rate<=0.02` checked against two sets of metrics.

A gate is comma-separated clauses `METRIC OP BOUND`, OP one of `>=`, `<=`, `>`, `<`, `==`, and
BOUND a number or `base` (the baseline's value of the same metric), optionally `base+0.01` or
`base-0.01`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..core.errors import ConfigError

_CLAUSE = re.compile(
    r"^\s*(?P<metric>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>>=|<=|==|>|<)\s*"
    r"(?:(?P<base>base)\s*(?:(?P<sign>[+-])\s*(?P<delta>\d+(?:\.\d*)?|\.\d+))?|(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+)))\s*$"
)
_OPS = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
}


@dataclass(frozen=True)
class Clause:
    """One condition of a gate."""

    metric: str
    op: str
    number: float | None = None
    base_delta: float | None = None  # set when the bound is the baseline's value plus this

    def bound(self, base: Mapping[str, float]) -> float:
        if self.base_delta is None:
            assert self.number is not None
            return self.number
        return base[self.metric] + self.base_delta

    def __str__(self) -> str:
        if self.base_delta is None:
            return f"{self.metric}{self.op}{self.number:g}"
        delta = f"{self.base_delta:+g}" if self.base_delta else ""
        return f"{self.metric}{self.op}base{delta}"


@dataclass(frozen=True)
class Check:
    """A clause's outcome."""

    clause: Clause
    value: float
    bound: float
    passed: bool

    def to_dict(self) -> dict[str, object]:
        return {"clause": str(self.clause), "value": self.value, "bound": self.bound, "passed": self.passed}


def parse(gate: str, metrics: Sequence[str]) -> list[Clause]:
    """The clauses of a gate expression; one line naming the clause that does not parse."""
    clauses = []
    for raw in (gate or "").split(","):
        m = _CLAUSE.match(raw)
        if not raw.strip() or not m:
            raise ConfigError(
                f"gate clause {raw.strip()!r} does not parse",
                fix="write METRIC OP BOUND clauses separated by commas, e.g. 'rougeL>=base,blocked_rate<=0.02'",
            )
        if m["metric"] not in metrics:
            raise ConfigError(
                f"gate clause {raw.strip()!r} names an unknown metric", fix=f"use one of: {', '.join(metrics)}"
            )
        if m["base"]:
            delta = float(m["delta"] or 0) * (-1 if m["sign"] == "-" else 1)
            clauses.append(Clause(m["metric"], m["op"], base_delta=delta))
        else:
            clauses.append(Clause(m["metric"], m["op"], number=float(m["number"])))
    return clauses


def check(clauses: Sequence[Clause], candidate: Mapping[str, float], base: Mapping[str, float]) -> list[Check]:
    """Every clause evaluated on the candidate's metrics against the baseline's."""
    out = []
    for c in clauses:
        value, bound = candidate[c.metric], c.bound(base)
        out.append(Check(c, value, round(bound, 6), bool(_OPS[c.op](value, bound))))
    return out
