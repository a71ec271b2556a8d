"""Time zones written as UTC offsets.

BigQuery takes a UTC offset ('+08:00', '-6', 'UTC+05:30') wherever it takes a time zone name:
TIMESTAMP(x, zone), DATE/DATETIME/TIME(ts, zone), CURRENT_DATE(zone), AT TIME ZONE, the
FORMAT/PARSE/TRUNC functions. DuckDB's ICU answers "Unknown TimeZone" for those spellings and reads
'UTC+08' as POSIX does (eight hours west), but knows the same offsets as 'GMT+08:00'.

A TIMESTAMP literal's own offset may have a one-digit hour (`'2014-09-27 12:30:00.45-8:00'`, the
lexical page's `{+|-}H[H][:M[M]]`); DuckDB reads two digits only ("invalid timestamp field format").
"""

from __future__ import annotations

import re

from sqlglot import exp

from .census import find_all

_OFFSET = re.compile(r"(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)
# the same test in DuckDB SQL, for a zone that is not a literal
_OFFSET_SQL = r"^(UTC|GMT|utc|gmt)?[+-]\d{1,2}(:?\d{2})?$"

# (node type, argument holding a time zone); DATETIME's second argument may be a TIME instead
_ZONE_ARGS: tuple[tuple[type[exp.Expression], str], ...] = (
    (exp.CurrentDate, "this"),
    (exp.CurrentDatetime, "this"),
    (exp.CurrentTime, "this"),
    (exp.AtTimeZone, "zone"),
)


def icu_zone(text: str) -> str | None:
    """ICU's name for a UTC offset written as BigQuery accepts it, or None for anything else."""
    m = _OFFSET.fullmatch(text.strip())
    if not m:
        return None
    sign, hours, minutes = m.groups()
    if int(hours) > 14 or int(minutes or 0) > 59:
        return None  # not an offset any zone has: DuckDB's error names the text as written
    return f"GMT{sign}{int(hours):02d}:{minutes or '00'}"


def _icu_zone_expression(zone: exp.Expression) -> exp.Expression:
    """`zone` as ICU reads it: literals now, other expressions when the query runs."""
    if isinstance(zone, exp.Literal) and zone.is_string:
        name = icu_zone(zone.name)
        return exp.Literal.string(name) if name else zone
    if isinstance(zone, (exp.Literal, exp.Null)) or zone.find(exp.Placeholder) is not None:
        return zone
    stripped = exp.func("regexp_replace", zone.copy(), exp.Literal.string("^(UTC|GMT|utc|gmt)"), exp.Literal.string(""))
    return exp.Case(
        ifs=[
            exp.If(
                this=exp.func("regexp_matches", zone.copy(), exp.Literal.string(_OFFSET_SQL)),
                true=exp.DPipe(this=exp.Literal.string("GMT"), expression=stripped),
            )
        ],
        default=zone.copy(),
    )


def _zone_slots(stmt: exp.Expression):
    for node in list(stmt.walk()):
        zone = node.args.get("zone")
        if isinstance(zone, exp.Expression) and not isinstance(node, exp.AtTimeZone):
            yield node, "zone"
        for kind, arg in _ZONE_ARGS:
            if isinstance(node, kind) and isinstance(node.args.get(arg), exp.Expression):
                yield node, arg


# the time of day, then an offset with a one-digit hour, at the end of a TIMESTAMP literal
_SHORT_OFFSET = re.compile(r"(\d:\d{2}(?::\d{2}(?:\.\d*)?)?)([+-])(\d)((?::\d{1,2})?)$")


def two_digit_literal_offsets(stmt: exp.Expression) -> None:
    """`TIMESTAMP '... 12:30:00-8:00'` (and CAST of such a string literal) -> `... 12:30:00-08:00`."""
    for cast in find_all(stmt, exp.Cast):
        value = cast.this
        if isinstance(value, exp.Literal) and value.is_string and cast.to.is_type(exp.DataType.Type.TIMESTAMPTZ):
            padded = _SHORT_OFFSET.sub(lambda m: f"{m[1]}{m[2]}0{m[3]}{m[4]}", value.this.strip())
            if padded != value.this.strip():
                cast.set("this", exp.Literal.string(padded))


def offset_zones_for_icu(stmt: exp.Expression) -> None:
    """Rewrite every time-zone argument of `stmt` written as a UTC offset to ICU's spelling."""
    two_digit_literal_offsets(stmt)
    for node, arg in list(_zone_slots(stmt)):
        node.set(arg, _icu_zone_expression(node.args[arg]))
    for node in find_all(stmt, exp.Datetime):
        zone = node.expression
        name = icu_zone(zone.name) if isinstance(zone, exp.Literal) and zone.is_string else None
        if name is not None:  # DATETIME(timestamp, offset); sqlglot reads an offset as a TIME
            local = exp.AtTimeZone(
                this=exp.cast(node.this.copy(), exp.DataType.build("TIMESTAMPTZ")), zone=exp.Literal.string(name)
            )
            node.replace(exp.cast(local, exp.DataType.build("TIMESTAMP")))
