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
