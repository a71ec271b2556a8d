"""GoogleSQL's INTERVAL type on DuckDB: range literals, JUSTIFY_*, datetime subtraction.

A GoogleSQL INTERVAL, like DuckDB's, keeps months, days and a time part separately; these
rewrites build DuckDB intervals with BigQuery's parts (`to_months(m) + to_days(d) +
to_microseconds(u)` adds each part without normalising).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlglot import exp

from .census import find_all
from .coltypes import TYPE_KEY, checked, known_type
from .functions import _invalid, _t
from .int64literals import int32

_UNITS = ("YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND")
_DAY_US = 86400000000


def _parts(text: str, fields: list[str]) -> tuple[int, int, int]:
    """(months, days, microseconds) of a range literal such as '1-2 3 4:5:6.7' YEAR TO SECOND."""
    ym = [f for f in fields if f in ("YEAR", "MONTH")]
    hms = [f for f in fields if f in ("HOUR", "MINUTE", "SECOND")]
    groups = text.split()
    want = (1 if ym else 0) + (1 if "DAY" in fields else 0) + (1 if hms else 0)
    if len(groups) != want:
        raise ValueError
    months = days = micros = 0
    if ym:
        group = groups.pop(0)
        sign = -1 if group.startswith("-") else 1
        numbers = [int(v) for v in group.lstrip("+-").split("-")]
        if len(numbers) != len(ym):
            raise ValueError
        whole = dict(zip(ym, numbers, strict=True))
        months = sign * (whole.get("YEAR", 0) * 12 + whole.get("MONTH", 0))
    if "DAY" in fields:
        days = int(groups.pop(0))
    if hms:
        group = groups.pop(0)
        sign = -1 if group.startswith("-") else 1
        values = [Decimal(v) for v in group.lstrip("+-").split(":")]
        if (
            len(values) != len(hms)
            or any(v != int(v) for v in values[:-1])
            or ("SECOND" not in hms and values[-1] != int(values[-1]))
        ):
            raise ValueError
        named = dict(zip(hms, values, strict=True))
        zero = Decimal(0)
        seconds = named.get("HOUR", zero) * 3600 + named.get("MINUTE", zero) * 60 + named.get("SECOND", zero)
        micros = sign * int(seconds * 1000000)
    return months, days, micros


def _range_literal(node: exp.Interval) -> exp.Expression | None:
    span = node.args.get("unit")
    if not isinstance(span, exp.IntervalSpan) or not isinstance(node.this, exp.Literal):
        return None
    start, end = span.this.name.upper(), span.expression.name.upper()
    if start not in _UNITS or end not in _UNITS or _UNITS.index(start) >= _UNITS.index(end):
        raise _invalid(f"INTERVAL ... {start} TO {end} is not a valid interval range")
    fields = list(_UNITS[_UNITS.index(start) : _UNITS.index(end) + 1])
    try:
        months, days, micros = _parts(node.this.this.strip(), fields)
        if "SECOND" in fields and re.search(r"\.\d{7}", node.this.this):
            # a literal's INTERVAL holds microseconds ('0:0:0.0000001' is invalid; a CAST of
            # text drops the nanoseconds instead)
            raise ValueError
    except (ValueError, InvalidOperation):
        raise _invalid(
            f"Invalid interval literal {node.this.this!r} for {start} TO {end}; write it as e.g. '1-2 3 4:5:6' YEAR TO SECOND"
        ) from None
    _check_literal_range(months, days, micros)
    value = _t(f"to_months({months}) + to_days({days}) + to_microseconds({micros}::BIGINT)")
    value.meta[TYPE_KEY] = "INTERVAL"  # CONCAT and CAST AS STRING write it as an INTERVAL
    return value


# one of a single-part literal's unit in (months, days, microseconds)
_UNIT_PARTS = {
    "YEAR": (12, 0, 0),
    "QUARTER": (3, 0, 0),
    "MONTH": (1, 0, 0),
    "WEEK": (0, 7, 0),
    "DAY": (0, 1, 0),
    "HOUR": (0, 0, 3600000000),
    "MINUTE": (0, 0, 60000000),
    "SECOND": (0, 0, 1000000),
    "MILLISECOND": (0, 0, 1000),
    "MICROSECOND": (0, 0, 1),
}


def _check_single_part(node: exp.Interval) -> None:
    """`INTERVAL 10001 YEAR`: a literal past INTERVAL's range is BigQuery's error (DuckDB's
    interval holds it)."""
    unit = node.args.get("unit")
    value = node.this
    if not isinstance(unit, exp.Var) or not isinstance(value, exp.Literal):
        return
    parts = _UNIT_PARTS.get(unit.name.upper())
    try:
        count = int(value.name.strip())
    except ValueError:
        return
    if parts is not None:
        _check_literal_range(*(count * p for p in parts))


def _check_literal_range(months: int, days: int, micros: int) -> None:
    for field, value, limit in (
        ("months", months, _MONTHS_LIMIT),
        ("days", days, _DAYS_LIMIT),
        ("nanoseconds", micros * 1000, _MICROS_LIMIT * 1000),
    ):
        if abs(value) > limit:
            raise _invalid(f"Interval field {field} '{value}' is out of range -{limit} to {limit}")


def _with_parts(body: str) -> str:
    """A template that evaluates `_A` once and `body` over its parts `q.m` (months), `q.d` (days)
    and `q.u` (microseconds), so nested interval rewrites do not repeat their operand."""
    parts = (
        "{'m': datepart('year', p) * 12 + datepart('month', p), 'd': datepart('day', p), "
        "'u': datepart('hour', p) * 3600000000 + datepart('minute', p) * 60000000 + datepart('microsecond', p)}"
    )
    return f"list_extract(list_transform([_A], p -> list_extract(list_transform([{parts}], q -> {body}), 1)), 1)"


# ZetaSQL's IntervalValue limits: 10,000 years of months, 3,660,000 days, 87,840,000 hours
_MONTHS_LIMIT, _DAYS_LIMIT, _MICROS_LIMIT = 120000, 3660000, 87840000 * 3600 * 1000000


def _out_of_range(field: str, value: str, limit: int) -> str:
    quote = "''"
    return (
        f"WHEN abs({value}) > {limit} THEN error('Interval field {field} {quote}' || CAST({value} AS VARCHAR) || "
        f"'{quote} is out of range -{limit} to {limit}') "
    )


def _make_interval(node: exp.MakeInterval) -> exp.Expression:
    """MAKE_INTERVAL's parts (values or columns) as one interval, or BigQuery's error for a
    part out of its range (sqlglot wrote column names into an INTERVAL string literal)."""
    parts = []
    for key in ("year", "month", "day", "hour", "minute", "second"):
        arg = node.args.get(key)
        if isinstance(arg, exp.Kwarg):  # `day => 4`, already in its slot
            arg = arg.expression
        parts.append(arg if arg is not None else exp.Literal.number(0))
    body = _in_range("to_months(CAST(q.m AS INTEGER)) + to_days(CAST(q.d AS INTEGER)) + to_microseconds(q.u)")
    fields = "{'m': _A * 12 + _B, 'd': _C, 'u': _D * 3600000000 + _E * 60000000 + _F * 1000000}"
    return _t(f"list_extract(list_transform([{fields}], q -> {body}), 1)", *parts)


def _lent_unit(big: str, small: str) -> str:
    """1 where the larger part is positive and the smaller negative, -1 the other way round, else 0."""
    return f"(CASE WHEN {big} > 0 AND {small} < 0 THEN 1 WHEN {big} < 0 AND {small} > 0 THEN -1 ELSE 0 END)"


def _justify(node: exp.Expression) -> exp.Expression:
    day = _DAY_US
    if isinstance(node, exp.JustifyDays):
        # 30 days into a month; then a month is lent to the days, or taken back, so that the two
        # parts have the same sign (ZetaSQL's JustifyDays: 1-2 -35 0 is 1-0 25 0)
        big, small = "q.m + q.d // 30", "q.d % 30"
        lent = _lent_unit(big, small)
        body = f"to_months({big} - {lent}) + to_days({small} + 30 * {lent}) + to_microseconds(q.u)"
    elif isinstance(node, exp.JustifyHours):
        big, small = f"q.d + q.u // {day}", f"q.u % {day}"
        lent = _lent_unit(big, small)
        body = f"to_months(q.m) + to_days({big} - {lent}) + to_microseconds({small} + {day} * {lent})"
    else:
        # hours into days, then days into months; then every part takes the sign of the whole
        total = f"(r.m * 30 * {day} + r.d * {day} + r.u)"
        body = (
            f"list_extract(list_transform([{{'m': q.m + (q.d + q.u // {day}) // 30, 'd': (q.d + q.u // {day}) % 30, "
            f"'u': q.u % {day}}}], r -> CASE "
            f"WHEN {total} > 0 AND r.u < 0 THEN to_months((r.m * 30 + r.d - 1) // 30) + to_days((r.m * 30 + r.d - 1) % 30) "
            f"+ to_microseconds(r.u + {day}) "
            f"WHEN {total} < 0 AND r.u > 0 THEN to_months((r.m * 30 + r.d + 1) // 30) + to_days((r.m * 30 + r.d + 1) % 30) "
            f"+ to_microseconds(r.u - {day}) "
            "ELSE to_months(r.m + CASE WHEN r.m > 0 AND r.d < 0 THEN -1 WHEN r.m < 0 AND r.d > 0 THEN 1 ELSE 0 END) "
            "+ to_days(r.d + CASE WHEN r.m > 0 AND r.d < 0 THEN 30 WHEN r.m < 0 AND r.d > 0 THEN -30 ELSE 0 END) "
            "+ to_microseconds(r.u) END), 1)"
        )
    # DuckDB's // and % on integers truncate toward zero, as BigQuery's JUSTIFY_* do; a result
    # past INTERVAL's range is BigQuery's error (JUSTIFY_DAYS(INTERVAL 3660000 DAY) is 10,166 years)
    return _t(_with_parts(_in_range("p")), _t(_with_parts(body), node.this))


def _in_range(value: str) -> str:
    """A template body: the interval `value` (parts `q.m`, `q.d`, `q.u`), or BigQuery's error for
    a part past INTERVAL's range."""
    return (
        "CASE "
        + _out_of_range("months", "q.m", _MONTHS_LIMIT)
        + _out_of_range("days", "q.d", _DAYS_LIMIT)
        + _out_of_range("nanoseconds", "CAST(q.u AS HUGEINT) * 1000", _MICROS_LIMIT * 1000)
        + f"ELSE {value} END"
    )


def _visible_type(node: exp.Expression) -> str | None:
    """DATE, TIMESTAMP or TIME when the query text shows `node`'s type (a literal, a CAST, CURRENT_*)."""
    if isinstance(node, exp.Paren):
        return _visible_type(node.this)
    if isinstance(node, (exp.Cast, exp.TryCast)):
        kind = node.to.this
        if kind == exp.DataType.Type.DATE:
            return "DATE"
        if kind in (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPTZ, exp.DataType.Type.DATETIME):
            return "TIMESTAMP"
        if kind == exp.DataType.Type.TIME:
            return "TIME"
    if isinstance(node, exp.CurrentDate):
        return "DATE"
    if isinstance(node, (exp.CurrentTimestamp, exp.CurrentDatetime)):
        return "TIMESTAMP"
    return None


_OPERAND_KINDS = {"DATE": "DATE", "TIMESTAMP": "TIMESTAMP", "DATETIME": "TIMESTAMP", "TIME": "TIME"}


def _date_and_int64(node: exp.Add | exp.Sub) -> exp.Expression | None:
    """DATE + INT64, INT64 + DATE, DATE - INT64 with the INT64 operand's type inferred: DuckDB
    adds only a 32-bit INTEGER to a DATE (`+(DATE, BIGINT)` does not bind), so the INT64 operand
    is cast to INTEGER (a day count beyond 32 bits leaves DATE's range in BigQuery too)."""
    operands = (node.this, node.expression)
    kinds = [_visible_type(v) or known_type(v) for v in operands]
    ints = [i for i, v in enumerate(operands) if kinds[i] == "INT64" and not isinstance(v, exp.Literal)]
    if len(ints) != 1 or kinds[1 - ints[0]] != "DATE" or (isinstance(node, exp.Sub) and ints[0] == 0):
        return None
    i = ints[0]
    new = node.copy()
    new.set("this" if i == 0 else "expression", int32(operands[i].copy()))
    # DuckDB checks the inferred types when it binds (an INT64 may be any of its integer types)
    guards = [
        exp.In(
            this=exp.Anonymous(this="typeof", expressions=[v.copy()]),
            expressions=[exp.Literal.string(t) for t in (("DATE",) if j != i else _DUCKDB_INTS)],
        )
        for j, v in enumerate(operands)
        if _visible_type(v) is None
    ]
    wrong = exp.Literal.string("the local warehouse inferred a wrong argument type; please report this query")
    return exp.Case(
        ifs=[exp.If(this=exp.and_(*guards), true=new)], default=exp.Anonymous(this="error", expressions=[wrong])
    )


_DUCKDB_INTS = ("BIGINT", "INTEGER", "SMALLINT", "TINYINT")


def _subtraction(node: exp.Sub) -> exp.Expression | None:
    """`_typed_subtraction`, with DATE/DATETIME/TIMESTAMP/TIME operand types inferred from the
    tables' schemas where the text does not show them (then checked by DuckDB when it binds)."""
    by_days = _date_and_int64(node)
    if by_days is not None:
        return by_days
    left, right = node.this, node.expression
    shown = (_visible_type(left), _visible_type(right))
    inferred = [(v, str(known_type(v))) for v, t in zip((left, right), shown) if t is None and known_type(v)]
    if not inferred or not all(k in _OPERAND_KINDS for _, k in inferred):
        return _typed_subtraction(node, *shown)  # other types keep the typeof() guard
    kinds = {id(v): _OPERAND_KINDS[k] for v, k in inferred}
    new = _typed_subtraction(node, kinds.get(id(left), shown[0]), kinds.get(id(right), shown[1]))
    return checked(new, *inferred) if new is not None else None


_NUMBER_CASTS = (exp.DataType.Type.DECIMAL, exp.DataType.Type.BIGDECIMAL, exp.DataType.Type.DOUBLE)


def _is_number(node: exp.Expression) -> bool:
    """A number literal (also one coerced to NUMERIC, `CAST('0.1' AS NUMERIC)`) or an INTERVAL."""
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal) and node.to.this in _NUMBER_CASTS:
        return True
    return isinstance(node, exp.Literal) and not node.is_string or isinstance(node, exp.Interval)


def _typed_subtraction(node: exp.Sub, left: str | None, right: str | None) -> exp.Expression | None:
    """DATE - DATE, TIMESTAMP - TIMESTAMP and TIME - TIME are INTERVALs: whole days, or only a time part."""
    if right == "DATE" and left in ("DATE", None):
        # BigQuery subtracts a DATE only from a DATE, giving an INTERVAL of whole days
        return _t("to_days(_A - _B)", node.this, node.expression)  # DuckDB: BIGINT days
    if right == "TIMESTAMP" and left in ("TIMESTAMP", None):
        return _t("to_microseconds(epoch_us(_A) - epoch_us(_B))", node.this, node.expression)
    if right == "TIME" and left in ("TIME", None):
        return _t(
            "to_microseconds(epoch_us(DATE '1970-01-01' + _A) - epoch_us(DATE '1970-01-01' + _B))",
            node.this,
            node.expression,
        )
    if _is_number(node.this) or _is_number(node.expression) or (left and left != "DATE") or right:
        return None
    # the subtrahend's type is unknown: DuckDB's DATE - DATE is INT64 days, BigQuery's an INTERVAL
    return _t(
        "CASE WHEN typeof(_A) = 'DATE' AND typeof(_B) = 'DATE' THEN error('DATE - DATE with a column on the right "
        "is not supported by the local warehouse; write CAST(b AS DATE), or DATE_DIFF(a, b, DAY) for a number') ELSE _C END",
        node.this,
        node.expression,
        exp.Sub(this=node.this.copy(), expression=node.expression.copy()),
    )


_EXTRACT_WITHIN = {"MILLISECOND": 1000, "MICROSECOND": 1000000}


_MONTHS_SQL = "datepart('year', _A) * 12 + datepart('month', _A)"
_MICROS_SQL = "datepart('hour', _A) * 3600000000 + datepart('minute', _A) * 60000000 + datepart('microsecond', _A)"


def _interval_sum(node: exp.Sum) -> None:
    """SUM of INTERVAL values (DuckDB has none): the sums of their months, days and time parts,
    each kept apart as GoogleSQL's SUM keeps them (1 HOUR + 2 DAY is 0-0 2 1:0:0), and ZetaSQL's
    error when a part leaves INTERVAL's range."""
    value = node.this
    if known_type(value) != "INTERVAL":
        return
    window = node.parent if isinstance(node.parent, exp.Window) else None

    def total(sql: str) -> exp.Expression:
        summed: exp.Expression = exp.Sum(this=_t(sql, value))
        if window is not None:
            summed = window.copy()
            summed.set("this", exp.Sum(this=_t(sql, value)))
        return summed

    months = _t(
        f"CASE {_out_of_range('months', '_A', _MONTHS_LIMIT)}ELSE to_months(CAST(_A AS INTEGER)) END",
        total(_MONTHS_SQL),
    )
    days = _t(
        f"CASE {_out_of_range('days', '_A', _DAYS_LIMIT)}ELSE to_days(CAST(_A AS INTEGER)) END",
        total("datepart('day', _A)"),
    )
    micros = _t(
        f"CASE {_out_of_range('nanoseconds', 'CAST(_A AS HUGEINT) * 1000', _MICROS_LIMIT * 1000)}"
        "ELSE to_microseconds(CAST(_A AS BIGINT)) END",
        total(_MICROS_SQL),
    )
    (window or node).replace(exp.paren(exp.Add(this=exp.Add(this=months, expression=days), expression=micros)))


def _interval_avg(node: exp.Avg) -> None:
    """AVG of INTERVAL values as ZetaSQL divides their sum: the months, then what is left of the
    months as 30-day days with the days, then what is left of those as 24-hour days with the time
    part, each truncated toward zero (DuckDB's AVG spreads fractions of months and days its own way)."""
    value = node.this
    if known_type(value) != "INTERVAL":
        return
    window = node.parent if isinstance(node.parent, exp.Window) else None

    def total(call: exp.Expression) -> exp.Expression:
        if window is None:
            return call
        over = window.copy()
        over.set("this", call)
        return over

    months = total(exp.Sum(this=_t(_MONTHS_SQL, value)))
    days = total(exp.Sum(this=_t("datepart('day', _A)", value)))
    micros = total(exp.Sum(this=_t(f"CAST({_MICROS_SQL} AS HUGEINT)", value)))
    count = total(exp.Count(this=value.copy()))
    days_left = "(_B + _A % nullif(_D, 0) * 30)"
    (window or node).replace(
        _t(
            "to_months(CAST(_A // nullif(_D, 0) AS INTEGER)) "
            f"+ to_days(CAST({days_left} // nullif(_D, 0) AS INTEGER)) "
            f"+ to_microseconds(CAST((_C + {days_left} % nullif(_D, 0) * {_DAY_US}) // nullif(_D, 0) AS BIGINT))",
            months,
            days,
            micros,
            count,
        )
    )


_INTEGER_TYPES = "('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT')"


def _is_interval(node: exp.Expression) -> bool:
    """Whether `node` is an INTERVAL as far as the query text or the inferred types show."""
    if isinstance(node, exp.Paren):
        return _is_interval(node.this)
    if isinstance(node, exp.Sub):  # DATE - DATE, TIMESTAMP - TIMESTAMP, ...
        kinds = {_visible_type(a) or _OPERAND_KINDS.get(known_type(a) or "") for a in (node.this, node.expression)}
        return len(kinds) == 1 and None not in kinds
    return isinstance(node, (exp.Interval, exp.MakeInterval)) or known_type(node) == "INTERVAL"


def _check_integer_operand(op: str, operand: exp.Expression) -> None:
    """BigQuery multiplies and divides an INTERVAL by an INT64 only (DuckDB also by a FLOAT64)."""
    shown = known_type(operand)
    if isinstance(operand, exp.Literal) and not operand.is_string and not operand.name.lstrip("-").isdigit():
        shown = "FLOAT64"
    if shown is not None and shown != "INT64":
        raise _invalid(f"No matching signature for operator {op} for argument types: INTERVAL, {shown}")


def _integer_guard(op: str, value: str) -> str:
    """A CASE branch failing as BigQuery does when `value` is not an integer (a type only DuckDB knows)."""
    return (
        f"WHEN typeof({value}) NOT IN {_INTEGER_TYPES} THEN error('No matching signature for operator {op} "
        f"for argument types: INTERVAL, ' || typeof({value})) "
    )


def _interval_division(node: exp.Div) -> exp.Expression:
    """INTERVAL / INT64 as ZetaSQL divides: the months, then what is left of them as 30-day days
    with the days, then what is left of those as 24-hour days with the time part, each truncated
    toward zero (DuckDB rounds the microseconds and spreads a month's rest as 30.436875 days)."""
    _check_integer_operand("/", node.expression)
    days = "(q.d + q.m % n * 30)"
    body = (
        f"CASE {_integer_guard('/', 'n')}WHEN n = 0 THEN error('Interval division by zero') "
        f"ELSE to_months(CAST(q.m // n AS INTEGER)) + to_days(CAST({days} // n AS INTEGER)) "
        f"+ to_microseconds(CAST((CAST(q.u AS HUGEINT) + {days} % n * {_DAY_US}) // n AS BIGINT)) END"
    )
    return _t(f"list_extract(list_transform([_B], n -> {_with_parts(body)}), 1)", node.this, node.expression)


def _interval_product(node: exp.Mul, interval: exp.Expression, factor: exp.Expression) -> exp.Expression:
    """INTERVAL * INT64 (either way round), or BigQuery's error for a product past INTERVAL's
    range or a factor that is not an integer."""
    _check_integer_operand("*", factor)
    guard = _t(f"CASE {_integer_guard('*', '_A')}ELSE _B END", factor, node)
    return _t(_with_parts(_in_range("p")), guard)


def rewrite_interval_calls(stmt: exp.Expression) -> None:
    """Rewrite INTERVAL literals, MAKE_INTERVAL, JUSTIFY_* and datetime subtraction as BigQuery
    answers them."""
    node: Any
    divisions = [d for d in find_all(stmt, exp.Div) if not d.args.get("safe") and _is_interval(d.this)]
    products = []
    for node in find_all(stmt, exp.Mul):
        sides = [(a, b) for a, b in ((node.this, node.expression), (node.expression, node.this)) if _is_interval(a)]
        if sides:
            products.append((node, *sides[0]))
    for node in find_all(stmt, exp.Interval):
        new = _range_literal(node)
        if new is not None:
            node.replace(new)
        else:
            _check_single_part(node)
    for node in reversed(find_all(stmt, exp.MakeInterval)):
        node.replace(_make_interval(node))
    for node in reversed(divisions):
        node.replace(_interval_division(node))
    for node, interval, factor in reversed(products):
        node.replace(_interval_product(node, interval, factor))
    for node in find_all(stmt, exp.Sum):
        _interval_sum(node)
    for node in find_all(stmt, exp.Avg):
        _interval_avg(node)
    for node in reversed(find_all(stmt, exp.JustifyDays, exp.JustifyHours, exp.JustifyInterval)):
        node.replace(_justify(node))
    for node in reversed(find_all(stmt, exp.Sub)):
        new = _subtraction(node)
        if new is not None:
            node.replace(new)
    for node in reversed(find_all(stmt, exp.Add)):
        new = _date_and_int64(node)
        if new is not None:
            node.replace(new)
    for node in find_all(stmt, exp.Extract):
        # BigQuery's MILLISECOND/MICROSECOND are the part within the second (DuckDB's include the seconds)
        part = node.this.name.upper() if isinstance(node.this, (exp.Var, exp.Identifier)) else ""
        if part in _EXTRACT_WITHIN:
            node.replace(_t(f"date_part('{part.lower()}', _A) % {_EXTRACT_WITHIN[part]}", node.expression))


def canonical_text(value: exp.Expression) -> exp.Expression:
    """BigQuery's text of an INTERVAL (`CAST(i AS STRING)`): `Y-M D H:M:S[.F]`, signs on each part."""
    return _t(
        _with_parts(
            "(CASE WHEN q.m < 0 THEN '-' ELSE '' END) || abs(q.m) // 12 || '-' || abs(q.m) % 12 || ' ' || q.d || ' ' "
            "|| (CASE WHEN q.u < 0 THEN '-' ELSE '' END) || abs(q.u) // 3600000000 || ':' || abs(q.u) // 60000000 % 60 "
            "|| ':' || abs(q.u) // 1000000 % 60 || CASE WHEN abs(q.u) % 1000000 = 0 THEN '' "
            "ELSE '.' || rtrim(lpad(CAST(abs(q.u) % 1000000 AS VARCHAR), 6, '0'), '0') END"
        ),
        value,
    )


# the largest time part (in microseconds) that DuckDB's Arrow conversion holds: it writes
# nanoseconds in 64 bits, and a larger one came out wrapped around (2,562,047 hours and a bit)
_ARROW_MICROS = (2**63 - 1) // 1000
_TOO_LONG = (
    "error('An INTERVAL whose time part exceeds 2562047 hours is not supported by the local warehouse "
    "(its result rows hold the time part in nanoseconds)')"
)


def relation_with_checked_intervals(rel: Any) -> Any:
    """`rel` with each INTERVAL column (or ARRAY<INTERVAL> column) whose time part is too long for
    the engine's result rows the named refusal, rather than a wrong value."""
    if "INTERVAL" not in str(rel.types):
        return rel
    from .googlesql import quote_ident

    too_long = f"abs(CAST({_MICROS_SQL} AS HUGEINT)) > {_ARROW_MICROS}"
    cols = []
    changed = False
    for i, (name, t) in enumerate(zip(rel.columns, rel.types, strict=True), start=1):
        text = str(t)
        column = f"#{i}"
        # the column is read once, as a lambda's argument (an expression under it is not repeated)
        if text == "INTERVAL":
            check = f"CASE WHEN {too_long.replace('_A', 'x')} THEN {_TOO_LONG} ELSE x END"
            column = f"list_extract(list_transform([#{i}], lambda x: {check}), 1)"
        elif text == "INTERVAL[]":
            check = f"CASE WHEN {too_long.replace('_A', 'y')} THEN {_TOO_LONG} ELSE y END"
            column = f"list_transform(#{i}, lambda y: {check})"
        changed = changed or column != f"#{i}"
        cols.append(f"{column} AS {quote_ident(name)}")
    return rel.project(", ".join(cols)) if changed else rel
