"""DIV and MOD by zero fail with BigQuery's `division by zero`, as `/` does (semantics.py); DuckDB's
`//` and `%` failed with its own message, which suggested its TRY() and a setting, and
DIV(NUMERIC, 0) with "Could not cast value inf to DECIMAL(38,9)". `SAFE.DIV` / `SAFE.MOD` still
answer NULL (their TRY catches the error)."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from .census import find_all


def zero_divisor_errors(stmt: exp.Expression) -> None:
    """The divisor of each DIV and MOD of `stmt`, checked for zero unless it is a nonzero number."""
    from .semantics import _nonzero, _nonzero_number, _null_for_null_dividend

    node: Any
    for node in reversed(find_all(stmt, exp.IntDiv, exp.Mod)):
        if not _nonzero_number(node.expression):
            node.set("expression", _nonzero(node.expression))
            # DIV(NULL, 0) and MOD(NULL, 0) are NULL, as NULL / 0 is: a NULL argument makes the
            # function NULL before it can fail
            _null_for_null_dividend(node)
