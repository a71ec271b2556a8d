"""A string literal where TIMESTAMP_TRUNC or DATE_TRUNC wants a TIMESTAMP or DATE is coerced to it
in GoogleSQL; DuckDB's date_trunc of a string literal cannot choose a signature."""

from __future__ import annotations

from sqlglot import exp

_TO = {exp.TimestampTrunc: "TIMESTAMPTZ", exp.DateTrunc: "DATE"}


def coerce_trunc_literals(stmt: exp.Expression) -> None:
    """CAST the string literal first argument of TIMESTAMP_TRUNC / DATE_TRUNC to its type."""
    for node in stmt.find_all(*_TO):
        value = node.this
        if isinstance(value, exp.Literal) and value.is_string:
            node.set("this", exp.cast(value.copy(), _TO[type(node)]))
