"""EXTRACT's argument and date part checked as BigQuery's analyzer checks them (ZetaSQL's
`CheckExtractPreResolutionArguments` / `CheckExtractPostResolutionArguments`).

DuckDB's date_part answered where BigQuery refuses the query:

| query | DuckDB answered | BigQuery |
|---|---|---|
| `EXTRACT(HOUR FROM DATE '2024-01-01')`, `EXTRACT(MINUTE FROM d)` of a DATE `d` | 0 | EXTRACT from DATE does not support the HOUR date part |
| `EXTRACT(DATE FROM DATE '2024-01-01')` | the date | EXTRACT from DATE does not support the DATE date part |
| `EXTRACT(DATETIME FROM DATETIME '...')` | an error naming DATE_PART | EXTRACT from DATETIME does not support the DATETIME date part |
| `EXTRACT(YEAR FROM TIME '10:00:00')` | "time" units "YEAR" not recognized | EXTRACT from TIME does not support the YEAR date part |
| `EXTRACT(YEAR FROM '2024-01-01')` | No matching signature for function DATE_PART | EXTRACT does not support literal STRING arguments |

The argument's type is the one the query text shows (a cast, a typed literal, CURRENT_DATE, a
STRING query parameter coerced by stringparams.py) or that coltypes.py inferred. Where neither
knows it and the part is one a DATE has not (HOUR ... MICROSECOND, DATE, TIME, DATETIME), DuckDB
checks the value's type when the query runs (`typeof`), so a DATE column is BigQuery's error, not
0.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all
from .datefamily import civil_kind

# the parts each civil type has (the others are the analyzer's error)
_DATE_PARTS = frozenset({"YEAR", "ISOYEAR", "QUARTER", "MONTH", "WEEK", "ISOWEEK", "DAY", "DAYOFWEEK", "DAYOFYEAR"})
_TIME_PARTS = frozenset({"NANOSECOND", "MICROSECOND", "MILLISECOND", "SECOND", "MINUTE", "HOUR"})
_WHOLE = frozenset({"DATE", "TIME", "DATETIME"})


def _part(node: exp.Extract) -> str:
    if isinstance(node.this, exp.WeekStart):
        return "WEEK"
    return node.this.name.upper() if isinstance(node.this, exp.Var | exp.Identifier) else ""


def _refusal(kind: str, part: str) -> str | None:
    """BigQuery's error for EXTRACT(part FROM a `kind` value), None where it answers."""
    if part in _WHOLE:
        if kind in ("DATE", "TIME") or (part == "DATETIME" and kind != "TIMESTAMP"):
            return f"EXTRACT from {kind} does not support the {part} date part"
        return None
    if kind == "DATE" and part not in _DATE_PARTS:
        return f"EXTRACT from DATE does not support the {part} date part"
    if kind == "TIME" and part not in _TIME_PARTS:
        return f"EXTRACT from TIME does not support the {part} date part"
    return None


def check_extracts(stmt: exp.Expression) -> None:
    """Raises BigQuery's error for an EXTRACT BigQuery refuses; guards one whose argument might be
    a DATE of a part a DATE has not with a check of its type when the query runs."""
    from .googlesql import BigQueryError

    for node in find_all(stmt, exp.Extract):
        value, part = node.expression, _part(node)
        if not isinstance(value, exp.Expression) or not part:
            continue
        if isinstance(value, exp.Literal) and value.is_string:
            raise BigQueryError("EXTRACT does not support literal STRING arguments")
        if isinstance(value, exp.AtTimeZone):
            continue
        kind = civil_kind(value)
        if kind is not None:
            message = _refusal(kind, part)
            if message is not None:
                raise BigQueryError(message)
            continue
        message = _refusal("DATE", part)
        if message is None or isinstance(value, exp.Literal | exp.Null | exp.Interval):
            continue
        # the argument is guarded, not the call, so EXTRACT's INT64 stays in sight of later rewrites
        guard = exp.Case(
            ifs=[
                exp.If(
                    this=exp.EQ(
                        this=exp.Anonymous(this="typeof", expressions=[value.copy()]),
                        expression=exp.Literal.string("DATE"),
                    ),
                    true=exp.Anonymous(this="error", expressions=[exp.Literal.string(message)]),
                )
            ],
            default=value.copy(),
        )
        value.replace(guard)
