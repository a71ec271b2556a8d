"""CAST of a string to INTERVAL, read as ZetaSQL reads it (`IntervalValue::Parse`), which DuckDB's
cast cannot: a literal is built from its parts, a column or other expression read by a Python UDF.

The text is one of the datetime-field forms, told apart by its spaces, colons and dashes after
a digit (`Y-M D H:M:S[.F]`, `Y-M D H:M`, `Y-M D H`, `Y-M D`, `Y-M`, `M D H`, `M D H:M`,
`M D H:M:S`, `D H:M`, `D H:M:S`, `H:M:S`; each part signed), or an ISO 8601 duration
(`P1Y2M3DT4H5M6.5S`, negative parts and `W` weeks allowed, a fraction only on seconds). Digits
below a microsecond are dropped. Anything else (`'1'`, `'P1'`, DuckDB's `'1 day'`) is BigQuery's
error `Invalid INTERVAL value '1'`, NULL under SAFE_CAST.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from sqlglot import exp

from .census import find_all

# (spaces, colons, dashes after a digit) -> the fields the text holds (ZetaSQL's table)
_FORMS = {
    (2, 2, 1): ("YEAR", "SECOND"),
    (2, 1, 1): ("YEAR", "MINUTE"),
    (2, 0, 1): ("YEAR", "HOUR"),
    (1, 0, 1): ("YEAR", "DAY"),
    (0, 0, 1): ("YEAR", "MONTH"),
    (2, 0, 0): ("MONTH", "HOUR"),
    (2, 1, 0): ("MONTH", "MINUTE"),
    (2, 2, 0): ("MONTH", "SECOND"),
    (1, 1, 0): ("DAY", "MINUTE"),
    (1, 2, 0): ("DAY", "SECOND"),
    (0, 2, 0): ("HOUR", "SECOND"),
}
_UNITS = ("YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND")
_ISO_DATE = re.compile(r"(-?\d+)([YMWD])")
_ISO_TIME = re.compile(r"(-?\d+(?:[.,]\d+)?)([HMS])")


def _field_parts(text: str) -> tuple[int, int, int]:
    from .intervals import _parts

    dashes = sum(1 for before, c in zip(text, text[1:], strict=False) if c == "-" and before.isdigit())
    form = _FORMS.get((text.count(" "), text.count(":"), dashes))
    if form is None:
        raise ValueError
    start, end = form
    return _parts(text, list(_UNITS[_UNITS.index(start) : _UNITS.index(end) + 1]))


def _iso_parts(text: str) -> tuple[int, int, int]:
    date, has_time, time = text[1:].partition("T")
    if not date and not time:
        raise ValueError
    months = days = 0
    seconds = Decimal(0)
    pos = 0
    while pos < len(date):
        m = _ISO_DATE.match(date, pos)
        if m is None:
            raise ValueError
        n, unit = int(m.group(1)), m.group(2)
        months += n * 12 if unit == "Y" else n if unit == "M" else 0
        days += n * 7 if unit == "W" else n if unit == "D" else 0
        pos = m.end()
    if has_time and not time:
        raise ValueError
    pos = 0
    while pos < len(time):
        m = _ISO_TIME.match(time, pos)
        if m is None:
            raise ValueError
        value, unit = Decimal(m.group(1).replace(",", ".")), m.group(2)
        if unit != "S" and value != int(value):
            raise ValueError
        seconds += value * {"H": 3600, "M": 60, "S": 1}[unit]
        pos = m.end()
    return months, days, int(seconds * 1000000)


def interval_parts(text: str) -> tuple[int, int, int] | None:
    """(months, days, microseconds) of an INTERVAL text as BigQuery reads it, or None."""
    try:
        return _iso_parts(text) if text.startswith("P") else _field_parts(text)
    except (ValueError, InvalidOperation):
        return None


def _parsed_when_text(node: exp.Cast | exp.TryCast) -> exp.Expression:
    """CAST(x AS INTERVAL) of a value that is not a literal: a STRING read as `interval_parts`
    reads it (a Python UDF: DuckDB's cast reads neither `Y-M D H:M:S` nor ISO 8601), any other
    type as DuckDB casts it. The branch is chosen by typeof(), which DuckDB folds when it binds."""
    from .functions import _t
    from .udfs import INTERVAL_PARTS_UDF, SAFE_INTERVAL_PARTS_UDF

    safe = isinstance(node, exp.TryCast) or bool(node.args.get("safe"))
    udf = SAFE_INTERVAL_PARTS_UDF if safe else INTERVAL_PARTS_UDF
    return _t(
        f"CASE WHEN typeof(_A) = 'VARCHAR' THEN list_transform([{udf}(CAST(_A AS VARCHAR))], "
        "p -> to_months(p[1]) + to_days(p[2]) + to_microseconds(p[3]))[1] ELSE _B END",
        exp.paren(node.this.copy(), copy=False),
        node.copy(),
    )


def canonical_interval_literals(stmt: exp.Expression) -> None:
    """Replace CAST('<interval text>' AS INTERVAL) with the sum of its month, day and time parts."""
    from .googlesql import BigQueryError

    for node in reversed(find_all(stmt, exp.Cast, exp.TryCast)):
        value = node.this
        if node.to.this != exp.DataType.Type.INTERVAL or isinstance(value, exp.Null | exp.Interval):
            continue
        if not (isinstance(value, exp.Literal) and value.is_string):
            node.replace(_parsed_when_text(node))
            continue
        parts = interval_parts(value.name)
        if parts is None:
            if isinstance(node, exp.TryCast) or node.args.get("safe"):
                node.replace(exp.cast(exp.Null(), "INTERVAL"))
                continue
            raise BigQueryError(
                f"Invalid INTERVAL value '{value.name}'",
                fix="write it as 'Y-M D H:M:S' (e.g. '1-2 3 4:5:6'), one of its shorter forms, or ISO 8601 'P1Y2M3DT4H5M6S'",
            )
        months, days, micros = parts
        sql = f"(to_months({months}) + to_days({days}) + to_microseconds({micros}))"
        node.replace(exp.maybe_parse(sql, dialect="duckdb"))
