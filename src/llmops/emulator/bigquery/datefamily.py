"""The DATE_, DATETIME_ and TIMESTAMP_ functions given a value of another of those types, and the
date parts each accepts (BigQuery's analyzer, ZetaSQL's extended date/time signatures).

DATE_ADD(DATETIME ...) is DATETIME_ADD and keeps the time; FORMAT_DATE of a DATETIME formats it
as FORMAT_DATETIME does; DATE_BUCKET, DATETIME_BUCKET and TIMESTAMP_BUCKET bucket a value of any
of the three types as its own type's function does. DuckDB's translation cast such a value to a
DATE and silently dropped its time. A date part the function cannot add to its argument
(`TIMESTAMP_ADD(ts, INTERVAL 1 YEAR)`, `DATE_ADD(d, INTERVAL 1 HOUR)`, `TIME_ADD(t, INTERVAL 1
DAY)`) is BigQuery's error, not an answer. The argument's type is what the query text shows or
what coltypes.py inferred; an unknown type keeps the function as written.
"""

from __future__ import annotations

import re

from sqlglot import exp

from . import coltypes
from .census import find_all

_ADD_SUB: dict[type, tuple[str, str]] = {
    exp.DateAdd: ("DATE_ADD", "ADD"),
    exp.DateSub: ("DATE_SUB", "SUB"),
    exp.DatetimeAdd: ("DATETIME_ADD", "ADD"),
    exp.DatetimeSub: ("DATETIME_SUB", "SUB"),
    exp.TimestampAdd: ("TIMESTAMP_ADD", "ADD"),
    exp.TimestampSub: ("TIMESTAMP_SUB", "SUB"),
}
# the function each type's value is added to or subtracted from, whatever family was written
_OWN_ADD_SUB: dict[tuple[str, str], type] = {
    ("DATE", "ADD"): exp.DateAdd,
    ("DATE", "SUB"): exp.DateSub,
    ("DATETIME", "ADD"): exp.DatetimeAdd,
    ("DATETIME", "SUB"): exp.DatetimeSub,
    ("TIMESTAMP", "ADD"): exp.TimestampAdd,
    ("TIMESTAMP", "SUB"): exp.TimestampSub,
}
_TIME_ADD_SUB: dict[type, str] = {exp.TimeAdd: "TIME_ADD", exp.TimeSub: "TIME_SUB"}

_CALENDAR_PARTS = {"YEAR", "QUARTER", "MONTH", "WEEK"}
_CLOCK_PARTS = {"HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND"}
_BUCKETS = {"DATE": "DATE_BUCKET", "DATETIME": "DATETIME_BUCKET", "TIMESTAMP": "TIMESTAMP_BUCKET"}

_T = exp.DataType.Type
_CAST_KINDS = {_T.DATE: "DATE", _T.DATETIME: "DATETIME", _T.TIMESTAMP: "DATETIME", _T.TIMESTAMPTZ: "TIMESTAMP"}
# a zone or UTC offset after the time: such a string is a TIMESTAMP where TIME() reads it
_ZONED = re.compile(r"\d(\s*(Z|[+-]\d{1,2}(:?\d{2})?|\s[A-Za-z_]+(/[A-Za-z_+-]+)*))$")


def temporal_kind(value: exp.Expression | None) -> str | None:
    """DATE, DATETIME or TIMESTAMP where the query text shows `value`'s type or coltypes.py
    inferred it; None otherwise."""
    if isinstance(value, exp.Cast) and value.to.this in _CAST_KINDS:
        return _CAST_KINDS[value.to.this]
    if isinstance(value, exp.TsOrDsToDate | exp.CurrentDate):
        return "DATE"
    if isinstance(value, exp.TsOrDsToDatetime | exp.CurrentDatetime):
        return "DATETIME"
    if isinstance(value, exp.CurrentTimestamp):
        return "TIMESTAMP"
    kind = coltypes.known_type(value)
    if kind is None and isinstance(value, exp.Func):
        # another call (`DATE_ADD(TIMESTAMP_ADD(ts, ...), ...)`): its type from its arguments',
        # kept on it so that the rewrite it chooses is checked when DuckDB runs the query
        from .argumenttypes import argument_type

        kind, shown = argument_type(value)
        if kind in ("DATE", "DATETIME", "TIMESTAMP") and not shown:
            value.meta[coltypes.TYPE_KEY] = kind
    return kind if kind in ("DATE", "DATETIME", "TIMESTAMP") else None


def _unit(node: exp.Expression) -> str | None:
    unit = node.args.get("unit")
    return unit.name.upper() if isinstance(unit, exp.Var | exp.Identifier) else None


def _refuse_part(function: str, part: str, kind: str, *, extended: bool = True) -> None:
    from .googlesql import BigQueryError

    suffix = f" when the argument is {kind} type" if extended else ""
    raise BigQueryError(f"{function} does not support the {part} date part{suffix}")


def _add_or_sub(node: exp.Expression) -> None:
    function, verb = _ADD_SUB[type(node)]
    kind = temporal_kind(node.this)
    if kind is None:
        return
    part = _unit(node)
    if part in _CALENDAR_PARTS and kind == "TIMESTAMP" or part in _CLOCK_PARTS and kind == "DATE":
        _refuse_part(function, part, kind)
    own = _OWN_ADD_SUB[(kind, verb)]
    if isinstance(node, own):
        return
    new = own(**{k: v for k, v in node.args.items() if v is not None})
    inferred = coltypes.known_type(node.this) == kind and not isinstance(node.this, exp.Cast)
    # an inferred type is checked where DuckDB runs the query, as DATE_TRUNC's is (functions.py)
    node.replace(coltypes.checked(new, (node.this, kind)) if inferred else new)


def _time_add_or_sub(node: exp.Expression) -> None:
    part = _unit(node)
    if part is not None and part not in _CLOCK_PARTS:
        _refuse_part(_TIME_ADD_SUB[type(node)], part, "TIME", extended=False)


def _format_date(node: exp.TimeToStr) -> None:
    value = node.this
    if isinstance(value, exp.TsOrDsToDate) and temporal_kind(value.this) == "DATETIME":
        value.replace(exp.TsOrDsToDatetime(this=value.this))


def _bucket(node: exp.Anonymous) -> None:
    args = node.expressions
    own = _BUCKETS.get(temporal_kind(args[0]) or "") if args else None
    if own is not None:
        node.set("this", own)


def _truncated_timestamp(node: exp.DatetimeTrunc) -> None:
    """DATETIME_TRUNC of a TIMESTAMP is TIMESTAMP_TRUNC's TIMESTAMP (it was truncated as a DATETIME)."""
    if temporal_kind(node.this) == "TIMESTAMP":
        node.replace(exp.TimestampTrunc(this=node.this, unit=node.args.get("unit"), zone=node.args.get("zone")))


def _time_of_zoned_string(node: exp.TsOrDsToTime) -> None:
    value = node.this
    if isinstance(value, exp.Literal) and value.is_string and _ZONED.search(value.this.strip()):
        node.set("this", exp.cast(value.copy(), exp.DataType.build("TIMESTAMP", dialect="bigquery")))


_UNIX_CALLS: dict[type[exp.Expression], tuple[str, str]] = {
    exp.UnixSeconds: ("UNIX_SECONDS", "TIMESTAMP"),
    exp.UnixMillis: ("UNIX_MILLIS", "TIMESTAMP"),
    exp.UnixMicros: ("UNIX_MICROS", "TIMESTAMP"),
    exp.UnixDate: ("UNIX_DATE", "DATE"),
}
"""UNIX_SECONDS, _MILLIS and _MICROS take a TIMESTAMP, UNIX_DATE a DATE: of a DATETIME (ibis's
`ts.epoch_seconds()` of a DATETIME column) BigQuery has no signature; DuckDB's epoch answered."""


def check_unix_calls(stmt: exp.Expression) -> None:
    """BigQuery's signature error for UNIX_SECONDS/_MILLIS/_MICROS/UNIX_DATE of a value whose type
    the text shows or coltypes.py inferred to be another (before their rewrites hide the calls)."""
    from .operandtypes import no_signature

    for node in find_all(stmt, *_UNIX_CALLS):
        name, takes = _UNIX_CALLS[type(node)]
        kind = temporal_kind(node.this)
        if kind is not None and kind != takes:
            raise no_signature("function", name, [kind])


def typed_arguments(stmt: exp.Expression) -> list[exp.Expression]:
    """The first arguments whose type chooses the function (for coltypes.py to infer)."""
    calls: list[exp.Expression] = find_all(stmt, *_ADD_SUB)
    out = [node.this for node in calls]
    out += [node.this.this for node in stmt.find_all(exp.TimeToStr) if isinstance(node.this, exp.TsOrDsToDate)]
    out += [node.this for node in stmt.find_all(exp.DatetimeTrunc)]
    out += [node.this for node in stmt.find_all(*_UNIX_CALLS)]
    out += [
        node.expressions[0]
        for node in stmt.find_all(exp.Anonymous)
        if node.name.upper() in _BUCKETS.values() and node.expressions
    ]
    return [a for a in out if isinstance(a, exp.Column)]


_DAY_AND_CALENDAR = frozenset({"DAY", "WEEK", "ISOWEEK", "MONTH", "QUARTER", "YEAR", "ISOYEAR"})
_TRUNC_OR_DIFF = {
    "DATE": _DAY_AND_CALENDAR,
    "DATETIME": _DAY_AND_CALENDAR | _CLOCK_PARTS,
    "TIMESTAMP": _DAY_AND_CALENDAR | _CLOCK_PARTS,  # TIMESTAMP_DIFF's calendar parts: googlesql.py
    "TIME": frozenset(_CLOCK_PARTS),
}
_LAST_DAY = {"DATE": _DAY_AND_CALENDAR - {"DAY"}, "DATETIME": _DAY_AND_CALENDAR - {"DAY"}}
# the parts each call takes, by its argument's type (the GoogleSQL reference's lists)
_PARTS_BY_CALL: dict[type, tuple[str, dict[str, frozenset[str]]]] = {
    exp.DateTrunc: ("DATE_TRUNC", _TRUNC_OR_DIFF),
    exp.DatetimeTrunc: ("DATETIME_TRUNC", _TRUNC_OR_DIFF),
    exp.TimestampTrunc: ("TIMESTAMP_TRUNC", _TRUNC_OR_DIFF),
    exp.TimeTrunc: ("TIME_TRUNC", _TRUNC_OR_DIFF),
    exp.DateDiff: ("DATE_DIFF", _TRUNC_OR_DIFF),
    exp.DatetimeDiff: ("DATETIME_DIFF", _TRUNC_OR_DIFF),
    exp.TimestampDiff: ("TIMESTAMP_DIFF", _TRUNC_OR_DIFF),
    exp.TimeDiff: ("TIME_DIFF", _TRUNC_OR_DIFF),
    exp.LastDay: ("LAST_DAY", _LAST_DAY),
}
# EXTRACT's parts are extractparts.py's


def civil_kind(value: exp.Expression | None) -> str | None:
    """DATE, DATETIME, TIMESTAMP or TIME where the query text shows `value`'s type or coltypes.py
    inferred it; None otherwise."""
    while isinstance(value, exp.Paren):
        value = value.this
    if (isinstance(value, exp.Cast) and value.to.this == _T.TIME) or isinstance(value, exp.CurrentTime):
        return "TIME"
    kind = temporal_kind(value) or coltypes.known_type(value)
    return kind if kind in ("DATE", "DATETIME", "TIMESTAMP", "TIME") else None


def _part_message(function: str, part: str, kind: str) -> str:
    if function.startswith("TIME_"):
        return f"{function} does not support the {part} date part"
    return f"{function} does not support the {part} date part when the argument is {kind} type"


def _check_part(node: exp.Expression) -> None:
    """BigQuery's error where the call's date part does not suit its argument's type: raised
    now where the type is known, else by DuckDB, whose typeof() of the argument is fixed when it
    plans the query (the guard costs nothing per row; unguarded, `DATE_TRUNC(date, HOUR)` was the date)."""
    function, parts = _PARTS_BY_CALL[type(node)]
    unit = node.args.get("unit")
    if unit is None or isinstance(unit, exp.WeekStart):
        part = "WEEK"
    elif isinstance(unit, exp.Var | exp.Identifier) or (isinstance(unit, exp.Literal) and unit.is_string):
        part = unit.name.upper()
    else:
        return
    value = node.this
    kind = civil_kind(value)
    if kind is not None:
        if kind in parts and part not in parts[kind]:
            from .googlesql import BigQueryError

            raise BigQueryError(
                _part_message(function, part, kind),
                fix=f"use a date part that {function} takes for a {kind} (the GoogleSQL reference lists them)",
            )
        return
    refused = [k for k, allowed in parts.items() if part not in allowed]
    if not refused or value is None or isinstance(value, exp.Literal | exp.Null):
        return
    guard = exp.Case(
        ifs=[
            exp.If(
                this=exp.EQ(
                    this=exp.Anonymous(this="typeof", expressions=[value.copy()]),
                    expression=exp.Literal.string(coltypes.DUCKDB_TYPEOF[k]),
                ),
                true=exp.Anonymous(this="error", expressions=[exp.Literal.string(_part_message(function, part, k))]),
            )
            for k in refused
        ]
    )
    node.replace(guard)
    guard.set("default", node)


def check_date_parts(stmt: exp.Expression) -> None:
    """Each call's date part checked against its argument's type (see `_check_part`)."""
    node: exp.Expression
    for node in find_all(stmt, *_PARTS_BY_CALL):
        _check_part(node)


def _iso_last_day(node: exp.LastDay) -> None:
    """LAST_DAY(d, ISOWEEK) is the Sunday of d's ISO week (`WEEK(MONDAY)`'s last day);
    LAST_DAY(d, ISOYEAR) the day before the next ISO year starts: 371 days (53 weeks) after an
    ISO year's first day is always inside the next one."""
    import sqlglot

    unit = node.args.get("unit")
    part = unit.name.upper() if isinstance(unit, exp.Var | exp.Identifier) else ""
    if part == "ISOWEEK":
        node.set("unit", exp.WeekStart(this=exp.var("MONDAY")))
    elif part == "ISOYEAR":
        last = sqlglot.parse_one(
            "DATE_SUB(DATE_TRUNC(DATE_ADD(DATE_TRUNC(DATE(__bq_day), ISOYEAR), INTERVAL 371 DAY), ISOYEAR), "
            "INTERVAL 1 DAY)",
            read="bigquery",
        )
        for placeholder in list(last.find_all(exp.Column)):
            if placeholder.name == "__bq_day":
                placeholder.replace(node.this.copy())
        node.replace(last)


def dispatch_by_argument_type(stmt: exp.Expression) -> None:
    """Each date/time call as the function of its argument's type, with the date parts checked."""
    node: exp.Expression
    check_date_parts(stmt)
    for node in find_all(stmt, exp.LastDay):
        _iso_last_day(node)
    for node in find_all(stmt, *_ADD_SUB):
        _add_or_sub(node)
    for node in find_all(stmt, *_TIME_ADD_SUB):
        _time_add_or_sub(node)
    for node in find_all(stmt, exp.TimeToStr):
        _format_date(node)
    for node in find_all(stmt, exp.Anonymous):
        if node.name.upper() in _BUCKETS.values():
            _bucket(node)
    for node in find_all(stmt, exp.TsOrDsToTime):
        _time_of_zoned_string(node)
    for node in find_all(stmt, exp.DatetimeTrunc):
        _truncated_timestamp(node)
