"""GENERATE_DATE_ARRAY and GENERATE_TIMESTAMP_ARRAY take their step as the `INTERVAL int64_expr
date_part` syntax only, never an INTERVAL value (ibis's `ibis.range(start, stop, -ibis.interval(hours=1))`
writes `-(INTERVAL '1' HOUR)`): ZetaSQL's signatures are (DATE, DATE[, INT64, DATE_TIME_PART]) and
(TIMESTAMP, TIMESTAMP, INT64, DATE_TIME_PART), the INTERVAL syntax being read as those two
arguments. DuckDB took any interval value and answered."""

from __future__ import annotations

from sqlglot import exp

from .census import find_all

_DATE_FORMS = (
    "Expected either GENERATE_DATE_ARRAY(start, end) or GENERATE_DATE_ARRAY(start, end, INTERVAL int [date_part])"
)


def _unwrapped(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _step_type(step: exp.Expression) -> str | None:
    """INTERVAL for a step the text shows is an interval value (negated, MAKE_INTERVAL, ...)."""
    from .operandtypes import value_type

    node = _unwrapped(step)
    if isinstance(node, exp.Neg) and isinstance(_unwrapped(node.this), exp.Interval):
        return "INTERVAL"
    if isinstance(node, exp.MakeInterval):
        return "INTERVAL"
    return value_type(node)


def check_series_steps(stmt: exp.Expression) -> None:
    """BigQuery's errors for a date or timestamp series whose step is not the INTERVAL syntax."""
    from .googlesql import BigQueryError
    from .operandtypes import no_signature, value_type

    for node in find_all(stmt, exp.GenerateDateArray, exp.GenerateTimestampArray):
        step = node.args.get("step")
        if step is None or isinstance(_unwrapped(step), exp.Interval):
            continue
        if isinstance(node, exp.GenerateDateArray):
            raise BigQueryError(_DATE_FORMS)
        kinds = [value_type(node.args["start"]), value_type(node.args["end"]), _step_type(step)]
        if all(kinds):
            raise no_signature("function", "GENERATE_TIMESTAMP_ARRAY", [k for k in kinds if k])
        raise BigQueryError(
            "No matching signature for function GENERATE_TIMESTAMP_ARRAY: the step is written "
            "INTERVAL int64_expression date_part"
        )
