"""STRING query parameters compared with DATE, DATETIME, TIME or TIMESTAMP values: GoogleSQL's
query parameter coercion ("a STRING parameter coerces to DATE, DATETIME, TIME, TIMESTAMP",
conversion rules), where DuckDB refused the comparison.

`WHERE event_date >= @start` with `@start` a STRING parameter `'2024-02-01'` (the Node.js client
types every JavaScript string STRING; Python's `ScalarQueryParameter("start", "STRING", ...)`):

| query | DuckDB answered | BigQuery |
|---|---|---|
| `d >= @p` (`d` a DATE column, `@p` STRING) | `Cannot compare values of type DATE and type VARCHAR` | the rows from that date |
| `ts BETWEEN @a AND @b`, `tm >= @p` | the same error | the parameters read as TIMESTAMP, TIME |
| `d = @p`, `d IN (@a, @b)` | the rows (DuckDB casts for equality) | the same rows |

The parameter is bound as a VARCHAR (`googlesql._rewrite_parameters` marks it); where the value it
is compared with is of one of those four types (shown by the text or inferred by coltypes.py from
the tables' schemas), it is cast to that type as `CAST(@p AS DATE)` would (a value that does not
read as one is BigQuery's cast error). The cast is guarded by DuckDB checking the other value's type
(`coltypes.checked`), so a wrong inference is an error, never a different answer. A STRING
parameter compared with a number, BOOL or BYTES (`n = @p` of an INT64 `n`, which DuckDB answered
by reading '2' as 2) is BigQuery's "No matching signature for operator = for argument types:
INT64, STRING". A STRING parameter given to a date or time function where the function takes its
one temporal type (`DATE_ADD(@d, INTERVAL 1 DAY)`, `DATE_DIFF(@a, @b, DAY)`, `TIMESTAMP_TRUNC(@t,
HOUR)`, the DATE_, DATETIME_, TIME_ and TIMESTAMP_ ADD/SUB/DIFF/TRUNC families,
GENERATE_DATE_ARRAY, GENERATE_TIMESTAMP_ARRAY, UNIX_SECONDS/MILLIS/MICROS) is cast to that type, as
a string literal there is (it was the error "No matching signature for operator + for argument
types: STRING, INTERVAL"). Where the function takes several (EXTRACT: DATE, TIMESTAMP, DATETIME,
TIME; LAST_DAY: DATE, DATETIME) it is cast to the one ZetaSQL's signature matching picks, the
cheapest coercion of a STRING (`TypeKindInfo.cost`): DATE, or TIMESTAMP for EXTRACT's DATE, TIME
and DATETIME parts, which take no DATE (`EXTRACT(YEAR FROM @p)` is the year of `CAST(@p AS
DATE)`; `EXTRACT(HOUR FROM @p)` is then "EXTRACT from DATE does not support the HOUR date part",
extractparts.py). A STRING script variable is not a query parameter and is not coerced:
`DECLARE x STRING DEFAULT '2024-02-01'; ... WHERE d >= x` is the same error, as on BigQuery
(DuckDB answered `d = x` by reading the string as a DATE).
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all
from .coltypes import checked, known_type
from .operandtypes import COMPARISONS
from .setoptypes import value_type

STRING_PARAMETER = "bq_string_parameter"
"""Meta key on the `CAST($p AS VARCHAR)` of a STRING query parameter (PARAMETER) or script
variable (VARIABLE, bound as a parameter `@_v_name`: GoogleSQL does not coerce a variable)."""
PARAMETER = "parameter"
VARIABLE = "variable"

_TEMPORAL = ("DATE", "DATETIME", "TIME", "TIMESTAMP")
_COMPARISONS = tuple(COMPARISONS)
_OPERATORS: dict[type[exp.Expression], str] = {**COMPARISONS, exp.Between: "BETWEEN", exp.In: "IN"}
_INCOMPARABLE = ("INT64", "FLOAT64", "NUMERIC", "BIGNUMERIC", "BOOL", "BYTES")


def _unparen(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _is_string_parameter(node: exp.Expression | None) -> bool:
    if not isinstance(node, exp.Expression):
        return False
    node = _unparen(node)
    return bool(node._meta) and bool(node.meta.get(STRING_PARAMETER))


def _pairs(stmt: exp.Expression) -> list[tuple[exp.Expression, exp.Expression, exp.Expr]]:
    """(STRING parameter, the value it is compared with, the comparison) of each comparison,
    BETWEEN and IN list."""
    out: list[tuple[exp.Expression, exp.Expression, exp.Expr]] = []
    for node in find_all(stmt, *_COMPARISONS):
        left, right = node.this, node.expression
        if _is_string_parameter(left) and not _is_string_parameter(right):
            out.append((left, right, node))
        elif _is_string_parameter(right) and not _is_string_parameter(left):
            out.append((right, left, node))
    for between in find_all(stmt, exp.Between):
        if not _is_string_parameter(between.this):
            bounds = (between.args.get("low"), between.args.get("high"))
            out += [
                (b, between.this, between) for b in bounds if isinstance(b, exp.Expression) and _is_string_parameter(b)
            ]
    for isin in find_all(stmt, exp.In):
        if not _is_string_parameter(isin.this):
            out += [(e, isin.this, isin) for e in isin.expressions if _is_string_parameter(e)]
    return out


# the date and time functions whose named arguments take one temporal type
_FUNCTION_ARGUMENTS: dict[type[exp.Expression], tuple[str, tuple[str, ...]]] = {
    **{k: ("DATE", ("this", "expression")) for k in (exp.DateAdd, exp.DateSub, exp.DateDiff)},
    exp.DateTrunc: ("DATE", ("this",)),
    exp.GenerateDateArray: ("DATE", ("start", "end")),
    **{k: ("DATETIME", ("this", "expression")) for k in (exp.DatetimeAdd, exp.DatetimeSub, exp.DatetimeDiff)},
    exp.DatetimeTrunc: ("DATETIME", ("this",)),
    **{k: ("TIMESTAMP", ("this", "expression")) for k in (exp.TimestampAdd, exp.TimestampSub, exp.TimestampDiff)},
    exp.TimestampTrunc: ("TIMESTAMP", ("this",)),
    **{k: ("TIME", ("this", "expression")) for k in (exp.TimeAdd, exp.TimeSub, exp.TimeDiff)},
    exp.TimeTrunc: ("TIME", ("this",)),
    # LAST_DAY takes DATE or DATETIME: ZetaSQL's cheaper coercion of a STRING is to DATE
    exp.LastDay: ("DATE", ("this",)),
    **{k: ("TIMESTAMP", ("this",)) for k in (exp.UnixSeconds, exp.UnixMillis, exp.UnixMicros)},
    exp.GenerateTimestampArray: ("TIMESTAMP", ("start", "end")),
}
# EXTRACT takes DATE, TIMESTAMP, DATETIME and TIME (and INTERVAL); a STRING parameter coerces to the
# one ZetaSQL's coercion costs least (STRING -> DATE 10, TIMESTAMP 11, DATETIME 16, TIME 17:
# `TypeKindInfo.cost`), DATE; EXTRACT(DATE | TIME | DATETIME FROM ...) takes no DATE, so TIMESTAMP
_EXTRACT_FROM_TIMESTAMP = ("DATE", "TIME", "DATETIME")


def _coerce(arg: exp.Expression | None, kind: str) -> None:
    if not isinstance(arg, exp.Expression) or not _is_string_parameter(arg):
        return
    if _unparen(arg).meta[STRING_PARAMETER] == VARIABLE:
        return
    arg.replace(exp.Cast(this=arg.copy(), to=exp.DataType.build(kind, dialect="bigquery")))


def _coerce_function_arguments(stmt: exp.Expression) -> None:
    """Casts each STRING query parameter given to a date or time function of `_FUNCTION_ARGUMENTS`
    to the function's type (a script variable stays a STRING)."""
    for node in find_all(stmt, *_FUNCTION_ARGUMENTS):
        kind, keys = _FUNCTION_ARGUMENTS[type(node)]
        for key in keys:
            _coerce(node.args.get(key), kind)
    for extract in find_all(stmt, exp.Extract):
        part = extract.this.name.upper() if isinstance(extract.this, exp.Var) else ""
        value = extract.expression
        if isinstance(value, exp.AtTimeZone):  # only the TIMESTAMP signature takes a time zone
            _coerce(value.this, "TIMESTAMP")
        else:
            _coerce(value, "TIMESTAMP" if part in _EXTRACT_FROM_TIMESTAMP else "DATE")


def compared_values(stmt: exp.Expression) -> list[exp.Expression]:
    """The values STRING parameters are compared with whose type the text does not show (for
    coltypes.py to infer)."""
    return [other for _, other, _ in _pairs(stmt) if value_type(other) is None and not isinstance(other, exp.Literal)]


def coerce_string_parameters(stmt: exp.Expression) -> None:
    """Casts each STRING parameter compared with a DATE, DATETIME, TIME or TIMESTAMP value to that
    type; one compared with a number, BOOL or BYTES is BigQuery's "No matching signature" error
    (DuckDB would read the string as the number)."""
    from .googlesql import BigQueryError

    _coerce_function_arguments(stmt)
    for param, other, comparison in _pairs(stmt):
        kind = value_type(other) or known_type(other)
        variable = _unparen(param).meta[STRING_PARAMETER] == VARIABLE
        if kind in _INCOMPARABLE or (variable and kind in _TEMPORAL):
            kinds = [kind, "STRING"] if other is comparison.this else ["STRING", kind]
            name = next((word for node, word in _OPERATORS.items() if isinstance(comparison, node)), "")
            raise BigQueryError(f"No matching signature for operator {name} for argument types: {', '.join(kinds)}")
        if kind not in _TEMPORAL or param.parent is None:
            continue
        cast = exp.Cast(this=param.copy(), to=exp.DataType.build(kind, dialect="bigquery"))
        shown = value_type(other) is not None
        param.replace(cast if shown else checked(cast, (other, kind)))
