"""GoogleSQL date and time calls whose DuckDB translation had another type or value.

PARSE_TIMESTAMP is a TIMESTAMP read in its time-zone argument (DuckDB's strptime is naive),
UNIX_DATE/DATE_FROM_UNIX_DATE and GENERATE_DATE_ARRAY are DATE-typed, GENERATE_TIMESTAMP_ARRAY
of literals is TIMESTAMP, and a month-stepped GENERATE_DATE_ARRAY adds n steps to the start
(Jan 31 + 1 month is Feb 29, + 2 months Mar 31), not one step to the previous element.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from .census import find_all
from .functions import _t

_MONTHS = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}


def _parse_timestamp(node: exp.StrToTime) -> exp.Expression | None:
    if isinstance(node.parent, exp.Cast):
        return None
    zone = node.args.get("zone")
    plain = node.copy()
    plain.set("zone", None)
    if zone is None:
        return exp.cast(plain, "TIMESTAMPTZ")
    return _t("timezone(_B, CAST(_A AS TIMESTAMP))", plain, zone)


def _date_array(node: exp.GenerateDateArray) -> exp.Expression | None:
    step = node.args.get("step")
    unit = step.args.get("unit") if isinstance(step, exp.Interval) else None
    months = _MONTHS.get(unit.name.upper()) if unit is not None else None
    start, end = node.args["start"], node.args["end"]
    if months is None or not isinstance(step, exp.Interval):
        return exp.cast(node.copy(), "DATE[]") if not isinstance(node.parent, exp.Cast) else None
    count = exp.cast(step.this.copy(), "BIGINT")
    return _t(
        "CASE WHEN _A IS NULL OR _B IS NULL OR _C IS NULL THEN NULL "
        "WHEN _C = 0 THEN error('Sequence step cannot be 0.') ELSE "
        "list_filter(list_transform(range(0, abs(date_diff('month', _A, _B)) // abs(_C * _D) + 1), "
        "lambda i: CAST(_A + to_months(CAST(i * _C * _D AS INTEGER)) AS DATE)), "
        "lambda d: CASE WHEN _C > 0 THEN d <= _B ELSE d >= _B END) END",
        exp.cast(start.copy(), "DATE"),
        exp.cast(end.copy(), "DATE"),
        count,
        exp.Literal.number(months),
    )


def _timestamp_array(node: exp.GenerateTimestampArray) -> exp.Expression | None:
    for key in ("start", "end"):
        arg = node.args[key]
        if isinstance(arg, exp.Literal) and arg.is_string:
            node.set(key, exp.cast(arg.copy(), "TIMESTAMPTZ"))
    return None


_CALLS: dict[type, Any] = {
    exp.StrToTime: _parse_timestamp,
    exp.UnixDate: lambda n: exp.cast(_t("date_diff('day', DATE '1970-01-01', CAST(_A AS DATE))", n.this), "BIGINT"),
    exp.DateFromUnixDate: lambda n: _t("CAST(DATE '1970-01-01' + to_days(CAST(_A AS INTEGER)) AS DATE)", n.this),
    exp.GenerateDateArray: _date_array,
    exp.GenerateTimestampArray: _timestamp_array,
}


def rewrite_datetime_calls(stmt: exp.Expression) -> None:
    """Rewrite the date and time calls of `stmt` whose DuckDB answer differs from BigQuery's."""
    node: Any
    for node in reversed(find_all(stmt, *_CALLS)):
        new = _CALLS[type(node)](node)
        if new is not None:
            node.replace(new)
