"""Array literals of STRUCTs whose later elements are bare tuples: `[STRUCT(1 AS a, 'x' AS b),
(2, 'y')]` is an ARRAY<STRUCT<a, b>> in GoogleSQL (each tuple a struct of the first element's
type). sqlglot reads the tuples as row values, which DuckDB cannot put in a list of structs."""

from __future__ import annotations

from sqlglot import exp


def tuples_as_structs(stmt: exp.Expression) -> None:
    """Make each tuple element of an array literal that also holds a STRUCT a STRUCT itself."""
    for array in stmt.find_all(exp.Array):
        elements = array.expressions
        if not any(isinstance(e, exp.Struct) for e in elements):
            continue
        tuples = [e for e in elements if isinstance(e, exp.Tuple)]
        for element in tuples:
            element.replace(exp.Struct(expressions=[e.copy() for e in element.expressions]))
        unnest = array.parent
        if tuples and isinstance(unnest, exp.Unnest) and unnest.expressions and unnest.expressions[0] is array:
            # sqlglot's parser saw no ARRAY<STRUCT> here, so it did not mark the UNNEST to
            # explode the struct's fields into columns, as BigQuery does
            unnest.set("explode_array", True)


def refuse_nested_arrays(stmt: exp.Expression) -> None:
    """BigQuery's error for an array literal with an array element (`[[1]]`, `[ARRAY(SELECT 1)]`):
    an ARRAY cannot hold ARRAYs (DuckDB's lists can)."""
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.annotate_types import annotate_types

    from .googlesql import BigQueryError

    for array in stmt.find_all(exp.Array):
        for element in array.expressions:
            is_array = isinstance(element, exp.Array) or (
                isinstance(element, exp.Cast) and element.to.this == exp.DataType.Type.ARRAY
            )
            if not is_array:
                continue
            try:
                typed = annotate_types(exp.select(element.copy()), dialect="bigquery").expressions[0].type
                name = typed.sql("bigquery") if typed is not None and "UNKNOWN" not in typed.sql() else "ARRAY"
            except (SqlglotError, ValueError, TypeError, AttributeError):
                name = "ARRAY"
            raise BigQueryError(
                f"Cannot construct array with element type {name} because nested arrays are not supported",
                fix="wrap each inner array in a STRUCT: [STRUCT([1, 2] AS values)]",
            )
