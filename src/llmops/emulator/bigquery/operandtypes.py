"""Operators and functions of operands whose types GoogleSQL does not take, where DuckDB coerces:
the query fails with BigQuery's message instead of answering.

| query | DuckDB answered | BigQuery |
|---|---|---|
| `IF(1, 2, 3)` | 2 | `No matching signature for function IF for argument types: INT64, INT64, INT64` |
| `NOT 1`, `1 AND TRUE` | FALSE, TRUE | `No matching signature for operator NOT for argument types: INT64` |
| `1 = '1'`, `1 < '2'` | TRUE | `No matching signature for operator = for argument types: INT64, STRING` |
| `[1, 2] = [1, 2]` | TRUE | `Equality is not defined for arguments of type ARRAY<INT64>` |
| `MOD(5.5, 2)` | 1.5 | `No matching signature for function MOD for argument types: FLOAT64, INT64` |
| `LENGTH(123)` | 3 | `No matching signature for function LENGTH for argument types: INT64` |
| `SAFE_CAST(DATETIME('2023-01-01') AS FLOAT64)` | NULL | `Invalid cast from DATETIME to FLOAT64` |
| `STRING_AGG(s, CONCAT(':', ':'))` | `a::b` | `Argument 2 to STRING_AGG must be a literal or query parameter` |
| `CAST(ts AS TIMESTAMP) > DATETIME('2010-03-02')` | rows | `No matching signature for operator > for argument types: TIMESTAMP, DATETIME` |
| `CAST(int_array_col AS ARRAY<FLOAT64>)` | each element cast | `Casting between arrays with incompatible element types is not supported: ...` |

Only the types the query text shows are judged (`setoptypes.value_type`: literals, typed
literals, CASTs, DATE/DATETIME/TIMESTAMP/TIME constructor calls, array literals of them); an
operand whose type the text does not show (a column, a parameter, another call) leaves the
expression as it was, so a valid query never starts failing; the exception is a column compared with a STRING literal that reads as a number
(`int_col = '5'`), whose type is asked of the table (`check_string_comparisons`). The coercions
GoogleSQL makes stay: the numeric types meet, a STRING literal compares with a DATE, DATETIME, TIME or
TIMESTAMP (`DATE '2020-01-01' = '2020-01-01'`), NULL meets any type.
"""

from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.errors import SqlglotError

from .census import find_all
from .setoptypes import NULL, NUMBERS, STRING_LITERAL, supertype, value_type

COMPARISONS: dict[type[exp.Expression], str] = {
    exp.EQ: "=",
    exp.NEQ: "!=",
    exp.LT: "<",
    exp.LTE: "<=",
    exp.GT: ">",
    exp.GTE: ">=",
}
"""The comparison operators, by node type, as BigQuery's signature errors name them."""


def _shown(kind: str) -> str:
    return kind.replace(STRING_LITERAL, "STRING").replace(NULL, "INT64")


def no_signature(kind: str, name: str, kinds: list[str]) -> Exception:
    from .googlesql import BigQueryError

    return BigQueryError(
        f"No matching signature for {kind} {name} for argument types: {', '.join(map(_shown, kinds))}",
        fix="cast the arguments to types it takes; the GoogleSQL reference lists its signatures",
    )


def _types(*nodes: exp.Expression | None) -> list[str] | None:
    """The shown types of `nodes`, or None where the text does not show one of them."""
    kinds = [value_type(n) if isinstance(n, exp.Expression) else None for n in nodes]
    return None if any(k is None for k in kinds) else [k for k in kinds if k is not None]


def _bool_or_null(kind: str) -> bool:
    return kind in ("BOOL", NULL)


def check_operand_types(stmt: exp.Expression) -> None:
    """Raise BigQuery's error for an operator or function call whose shown operand types it has
    no signature for."""
    from .googlesql import BigQueryError

    for call in find_all(stmt, exp.If):
        kinds = _types(call.this, call.args.get("true"), call.args.get("false") or exp.Null())
        if kinds and not _bool_or_null(kinds[0]) and _is_if_call(call):
            raise no_signature("function", "IF", kinds)
    for negation in find_all(stmt, exp.Not):
        kinds = _types(negation.this)
        if kinds and not _bool_or_null(kinds[0]):
            raise no_signature("operator", "NOT", kinds)
    for junction in find_all(stmt, exp.And, exp.Or):
        kinds = _types(junction.this, junction.expression)
        if kinds and not all(_bool_or_null(k) for k in kinds):
            raise no_signature("operator", "AND" if isinstance(junction, exp.And) else "OR", kinds)
    for comparison in find_all(stmt, *COMPARISONS):
        kinds = _types(comparison.this, comparison.expression)
        if not kinds:
            continue
        arrays = [k for k in kinds if k.startswith("ARRAY<")]
        if arrays and isinstance(comparison, exp.EQ | exp.NEQ):
            word = "Equality" if isinstance(comparison, exp.EQ) else "Inequality"
            raise BigQueryError(f"{word} is not defined for arguments of type {_shown(arrays[0])}")
        if supertype(kinds) is False:
            raise no_signature("operator", COMPARISONS[type(comparison)], kinds)
    for mod in find_all(stmt, exp.Mod):
        kinds = _types(mod.this, mod.expression)
        if kinds and any(k in ("FLOAT64", "STRING", STRING_LITERAL, "BOOL", "DATE") for k in kinds):
            raise no_signature("function", "MOD", kinds)
    for length in find_all(stmt, exp.Length):
        kinds = _types(length.this)
        if kinds and (kinds[0] in NUMBERS or kinds[0] in ("BOOL", "DATE", "DATETIME", "TIME", "TIMESTAMP")):
            raise no_signature("function", "LENGTH", kinds)
    for cast in find_all(stmt, exp.Cast, exp.TryCast):
        _check_civil_time_cast(cast)
    for agg in find_all(stmt, exp.GroupConcat):
        separator = agg.args.get("separator")
        if isinstance(separator, exp.Expression) and not _literal_or_parameter(separator):
            raise BigQueryError(
                "Argument 2 to STRING_AGG must be a literal or query parameter",
                fix="write the delimiter as a literal ('::'), or pass it as a query parameter",
            )


_CASTS_FROM: dict[str, frozenset[str]] = {
    "DATE": frozenset({"STRING", "DATE", "DATETIME", "TIMESTAMP"}),
    "DATETIME": frozenset({"STRING", "DATE", "DATETIME", "TIME", "TIMESTAMP"}),
    "TIME": frozenset({"STRING", "TIME"}),
    "TIMESTAMP": frozenset({"STRING", "DATE", "DATETIME", "TIME", "TIMESTAMP"}),
}
"""The types a DATE, DATETIME, TIME and TIMESTAMP cast to (the reference's conversion rules);
SAFE_CAST to another is the same error as CAST."""

_SCALARS = frozenset({"INT64", "FLOAT64", "NUMERIC", "BIGNUMERIC", "BOOL", "STRING", "BYTES", "JSON", "INTERVAL"})


def check_array_casts(stmt: exp.Expression) -> None:
    """`CAST(int_array_col AS ARRAY<FLOAT64>)` (ibis's `cast("array<float64>")`): BigQuery casts an
    ARRAY only to the same ARRAY type (the reference's CAST AS ARRAY), where DuckDB cast each
    element. Judged where the column's type is known; a type with parameters is left as it was,
    and STRUCT element types are compared without their fields' names (a cast renames them)."""
    from .coltypes import composite_type
    from .googlesql import BigQueryError

    for cast in find_all(stmt, exp.Cast, exp.TryCast):
        source = composite_type(cast.this) if isinstance(cast.this, exp.Column) else None
        _check_composite_to_scalar(cast, source)
        _check_typed_array_elements(cast)
        if source is None or cast.to.this != exp.DataType.Type.ARRAY or cast.to.find(exp.DataTypeParam):
            continue
        target = cast.to.sql("bigquery")
        if "STRUCT" in source.upper() or "STRUCT" in target.upper():
            # fields may be named differently in an equivalent type; their types must be the same
            same = _field_types_text(source), _field_types_text(target)
            if None in same or same[0] == same[1]:
                continue
        elif source.replace(" ", "").upper() == target.replace(" ", "").upper():
            continue
        raise BigQueryError(
            "Casting between arrays with incompatible element types is not supported: "
            f"Invalid cast from {source} to {target}",
            fix="cast the elements: ARRAY(SELECT CAST(e AS T) FROM UNNEST(a) AS e WITH OFFSET AS o ORDER BY o)",
        )


def _field_types_text(type_text: str) -> str | None:
    """A type with its STRUCT fields' names left out (`ARRAY<STRUCT<a INT64, b STRING>>` is
    ARRAY<STRUCT<INT64, STRING>>), or None where sqlglot cannot read it."""
    # a field named after the column it came from (`t.a`), which sqlglot cannot read as a name
    type_text = re.sub(r"([<,]\s*)[\w`]+(?:\.[\w`]+)+\s+", r"\1", type_text)
    try:
        dt = exp.DataType.build(type_text, dialect="bigquery")
    except (SqlglotError, ValueError):
        return None
    for field in reversed(list(dt.find_all(exp.ColumnDef))):  # inner fields first
        kind = field.args.get("kind")
        if isinstance(kind, exp.DataType):
            field.replace(kind.copy())
    return dt.sql("bigquery").replace(" ", "").upper()


# the element types the query text shows that coerce to each element type of a typed array
# constructor (the conversion rules' "Coercion to"; a STRING literal coerces to the date and time
# types, an INT64 to the other numeric types, a NUMERIC to BIGNUMERIC and FLOAT64, a FLOAT64
# literal to NUMERIC)
_COERCES_TO: dict[str, frozenset[str]] = {
    "STRING": frozenset({"STRING", STRING_LITERAL}),
    "BOOL": frozenset({"BOOL"}),
    "INT64": frozenset({"INT64"}),
    "NUMERIC": frozenset({"INT64", "NUMERIC"}),
    "BIGNUMERIC": frozenset({"INT64", "NUMERIC", "BIGNUMERIC"}),
    "FLOAT64": NUMBERS,
}


def _check_typed_array_elements(cast: exp.Cast | exp.TryCast) -> None:
    """`ARRAY<STRING>[0, 1, 2]`: a typed array constructor's elements coerce to its element type
    (BigQuery refuses an INT64 for a STRING), where DuckDB cast each. sqlglot writes the
    constructor as a CAST of an array literal that has no `value_constructor` argument (a written
    `CAST([0] AS ARRAY<STRING>)` has one, and is left as it was); only the types the text shows
    are judged."""
    from .coltypes import KINDS
    from .googlesql import BigQueryError

    array, to = cast.this, cast.to
    if not isinstance(array, exp.Array) or "value_constructor" in array.args or isinstance(cast, exp.TryCast):
        return
    if to.this != exp.DataType.Type.ARRAY or len(to.expressions) != 1 or to.find(exp.DataTypeParam):
        return
    element = to.expressions[0]
    target = "BOOL" if element.this == exp.DataType.Type.BOOLEAN else KINDS.get(element.this)
    allowed = _COERCES_TO.get(target or "")
    if allowed is None:
        return
    for value in array.expressions:
        kind = value_type(value)
        if kind is None or kind == NULL or kind in allowed:
            continue
        literal = value.this if isinstance(value, exp.Neg) else value
        if kind == "FLOAT64" and target in ("NUMERIC", "BIGNUMERIC") and isinstance(literal, exp.Literal):
            continue  # a FLOAT64 literal coerces to NUMERIC (the conversion rules' literal coercion)
        shown = "STRING" if kind == STRING_LITERAL else kind
        raise BigQueryError(
            f"Array element type {shown} does not coerce to {target}",
            fix=f"CAST each element to {target}, or write the elements as {target} values",
        )


def _check_composite_to_scalar(cast: exp.Cast | exp.TryCast, column_type: str | None) -> None:
    """`CAST([NUMERIC '1.50'] AS STRING)`, `SAFE_CAST(STRUCT(1 AS a) AS STRING)`: an ARRAY or a
    STRUCT casts only to an ARRAY or a STRUCT (the reference's conversion rules), where DuckDB
    wrote its own text (`[1.500000000]`, `(1,)`). Judged where the text shows the operand's type
    (an array or STRUCT literal, a column whose type the table tells)."""
    from .formats import _static_type
    from .googlesql import BigQueryError

    operand = cast.this.unnest() if isinstance(cast.this, exp.Paren) else cast.this
    if column_type is not None:
        source: str | None = column_type
    elif isinstance(operand, exp.Array | exp.Struct):
        source = _static_type(operand)
    else:
        return
    if cast.to.this in (exp.DataType.Type.ARRAY, exp.DataType.Type.STRUCT) or cast.args.get("format"):
        return
    if source is None or not source.upper().startswith(("ARRAY<", "STRUCT<")):
        return
    target = cast.to.sql("bigquery")
    raise BigQueryError(
        f"Invalid cast from {source} to {target}", fix="cast the elements or fields, or use TO_JSON_STRING"
    )


def _check_civil_time_cast(cast: exp.Cast) -> None:
    """`SAFE_CAST(DATETIME('2023-01-01T00:00:00') AS FLOAT64)`: BigQuery's `Invalid cast from
    DATETIME to FLOAT64` where the text shows the operand's type (DuckDB's TRY_CAST: NULL)."""
    from .coltypes import KINDS
    from .googlesql import BigQueryError

    source = value_type(cast.this)
    allowed = _CASTS_FROM.get(source or "")
    to = cast.to.this
    target = None if cast.to.expressions else "BOOL" if to == exp.DataType.Type.BOOLEAN else KINDS.get(to)
    if allowed is None or target is None or target in allowed or not (target in _SCALARS or target in _CASTS_FROM):
        return
    raise BigQueryError(f"Invalid cast from {source} to {target}", fix="cast through STRING, or use UNIX_* / EXTRACT")


def _literal_or_parameter(node: exp.Expression) -> bool:
    """A literal (NULL, a cast of one) or a query parameter. An expression with a name in it is
    left to DuckDB: a script variable is the constant it takes, a column one it refuses."""
    while isinstance(node, exp.Paren | exp.Cast):
        node = node.this
    if isinstance(node, exp.Literal | exp.Null | exp.ByteString | exp.HexString | exp.Parameter | exp.Placeholder):
        return True
    return node.find(exp.Column) is not None


_STRING_COMPARED = "operandtypes:string_compared"
"""Meta key: on a column compared with a STRING literal, the operator and whether it is written first."""


def string_compared_columns(stmt: exp.Expression) -> list[exp.Expression]:
    """The columns compared with a STRING literal that reads as a number (`int_col = '5'`), whose
    type from the table decides whether GoogleSQL has a signature for the comparison
    (`check_string_comparisons`). Other text (`s = 'x'`) asks for no types: DuckDB fails to cast
    it to a number, so a numeric column compared with it is an error already."""
    out: list[exp.Expression] = []
    for comparison in find_all(stmt, *COMPARISONS):
        sides = (comparison.this, comparison.expression)
        for at, (column, other) in enumerate((sides, sides[::-1])):
            if isinstance(column, exp.Column) and _number_text(other):
                column.meta[_STRING_COMPARED] = (COMPARISONS[type(comparison)], at == 0)
                out.append(column)
    return out


def _number_text(node: exp.Expression | None) -> bool:
    if not isinstance(node, exp.Expression) or value_type(node) != STRING_LITERAL:
        return False
    try:
        float(node.name.strip())
    except ValueError:
        return False
    return True


def check_string_comparisons(stmt: exp.Expression) -> None:
    """Raise BigQuery's error for a column of a numeric type compared with a STRING literal
    ("String literals don't coerce to numeric types"; they coerce to DATE, DATETIME, TIME and
    TIMESTAMP only). A column whose type is not known (or not tracked: BOOL) is left as it was."""
    from .coltypes import known_type

    for column in find_all(stmt, exp.Column):
        mark = column.meta.get(_STRING_COMPARED) if column._meta else None
        if mark is None:
            continue
        kind = known_type(column)
        if kind in NUMBERS:
            operator, first = mark
            raise no_signature("operator", operator, [kind, "STRING"] if first else ["STRING", kind])


def _is_if_call(node: exp.If) -> bool:
    """An `IF(...)` call, not a CASE branch (sqlglot's If is both)."""
    return not isinstance(node.parent, exp.Case)
