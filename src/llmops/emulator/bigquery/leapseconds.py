"""Leap seconds in DATETIME, TIME and TIMESTAMP text: `DATETIME '2015-11-06 23:59:60'`,
`CAST('12:59:60' AS TIME)`.

GoogleSQL reads a seconds field of 60 as the first second of the next minute (2015-11-07
00:00:00); DuckDB refuses it. A DATETIME or TIME drops the leap second's fraction (`12:59:60.5` is
13:00:00), a TIMESTAMP keeps it (13:00:00.5), as ZetaSQL does. Only literal text is read this way;
a column's text with `:60` stays DuckDB's error.
"""

from __future__ import annotations

import re

from sqlglot import exp

from .census import find_all

# hours:minutes:60 and the fraction that may follow
_LEAP = re.compile(r"(?<=\d:)(\d{1,2}):60(\.\d*)?(?!\d)")
_TYPES = (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPTZ, exp.DataType.Type.TIME)


def roll_leap_seconds(stmt: exp.Expression) -> None:
    """CAST of a literal text with seconds 60 to DATETIME/TIMESTAMP/TIME as second 59 plus one."""
    for node in find_all(stmt, exp.Cast, exp.TryCast):
        text = node.this
        if not (isinstance(text, exp.Literal) and text.is_string and ":60" in text.name and node.to.is_type(*_TYPES)):
            continue
        fraction = r"\2" if node.to.is_type(exp.DataType.Type.TIMESTAMPTZ) else ""
        rolled, count = _LEAP.subn(r"\1:59" + fraction, text.name)
        if count != 1:
            continue
        second_59 = node.__class__(this=exp.Literal.string(rolled), to=node.to.copy())
        plus_one = exp.Add(
            this=second_59, expression=exp.Interval(this=exp.Literal.string("1"), unit=exp.var("SECOND"))
        )
        node.replace(exp.Cast(this=plus_one, to=node.to.copy()))
