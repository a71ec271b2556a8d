"""CAST of a string literal in GoogleSQL's canonical INTERVAL format (`Y-M D H:M:S[.F]`, each
part signed) to INTERVAL, which DuckDB's cast cannot read: built from its parts instead."""

from __future__ import annotations

import re

from sqlglot import exp

_CANONICAL = re.compile(r"\s*([-+]?)(\d+)-(\d+)\s+([-+]?\d+)\s+([-+]?)(\d+):(\d+):(\d+)(?:\.(\d{1,9}))?\s*")


def _parts(text: str) -> tuple[int, int, int] | None:
    """(months, days, microseconds) of a canonical INTERVAL text, or None if it is not one."""
    m = _CANONICAL.fullmatch(text)
    if m is None:
        return None
    ysign, years, months, days, tsign, hours, minutes, seconds, frac = m.groups()
    total_months = (int(years) * 12 + int(months)) * (-1 if ysign == "-" else 1)
    micros = (int(hours) * 3600 + int(minutes) * 60 + int(seconds)) * 10**6 + int((frac or "0").ljust(9, "0")[:6])
    return total_months, int(days), micros * (-1 if tsign == "-" else 1)


def canonical_interval_literals(stmt: exp.Expression) -> None:
    """Replace CAST('Y-M D H:M:S' AS INTERVAL) with the sum of its month, day and time parts."""
    for node in reversed(list(stmt.find_all(exp.Cast, exp.TryCast))):
        value = node.this
        if node.to.this != exp.DataType.Type.INTERVAL or not (isinstance(value, exp.Literal) and value.is_string):
            continue
        parts = _parts(value.name)
        if parts is None:
            continue
        months, days, micros = parts
        sql = f"(to_months({months}) + to_days({days}) + to_microseconds({micros}))"
        node.replace(exp.maybe_parse(sql, dialect="duckdb"))
