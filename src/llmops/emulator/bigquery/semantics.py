"""GoogleSQL value semantics that DuckDB answers differently, rewritten on the parsed query.

Each rewrite replaces a node whose DuckDB meaning would give a silently different answer (a
rounding mode, an offset base, a NULL where BigQuery errors, a type name) with DuckDB SQL that
gives BigQuery's answer or BigQuery's error. Where the right answer depends on the operand's
type, which the translator does not know, the generated SQL branches on DuckDB's `typeof()`,
which DuckDB folds to a constant when it binds the query.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from .arraycalls import rewrite_array_calls
from .arrayindexes import as_offset
from .boundvalues import bound_once, is_large
from .buckets import rewrite_bucket_calls
from .bytesbits import rewrite_bytes_bitwise
from .census import find_all
from .coltypes import TYPE_KEY, checked_among, known_type, typed_like
from .datecalls import rewrite_datetime_calls
from .floatoverflow import check_float_overflow, check_sum_overflow, holds_check
from .formats import float_text, numeric_text, rewrite_format_calls
from .functions import TO_JSON_STRING, rewrite_function_calls
from .int64literals import DUCKDB_INT32
from .intervals import canonical_text, rewrite_interval_calls
from .intshifts import rewrite_int64_shifts
from .jsonmutators import AS_TEXT, rewrite_json_mutators
from .jsonorder import SORTED_JSON_UDF
from .mathfuncs import rewrite_math_calls
from .maxbynulls import rewrite_max_by_nulls
from .offsetstars import HIDDEN_OFFSET, rewrite_offset_stars
from .trimwhitespace import rewrite_whitespace_trims
from .udfarguments import PLAIN_ARGUMENT
from .udfs import JSON_PRETTY_UDF, TO_JSON_STRING_UDF, TO_JSON_UDF
from .vectordistances import rewrite_vector_distances

_INT_TYPES = {
    exp.DataType.Type.INT,
    exp.DataType.Type.SMALLINT,
    exp.DataType.Type.TINYINT,
    exp.DataType.Type.BIGINT,
}
_INT64_STRING = r"^\s*[+-]?(0[xX][0-9a-fA-F]+|[0-9]+)\s*$"


def call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def lit(text: str) -> exp.Literal:
    return exp.Literal.string(text)


def fail(*parts: exp.Expression | str) -> exp.Expression:
    """DuckDB's error(message): a query error with BigQuery's wording."""
    pieces = [lit(p) if isinstance(p, str) else exp.cast(p.copy(), "VARCHAR") for p in parts]
    message: exp.Expression = pieces[0]
    for p in pieces[1:]:
        message = exp.DPipe(this=message, expression=p, safe=True)
    return call("error", message)


def type_is(value: exp.Expression, *names: str) -> exp.Expression:
    return exp.In(this=call("typeof", value.copy()), expressions=[lit(n) for n in names])


def case(*whens: tuple[Any, Any], default: Any = None) -> exp.Case:
    node = exp.Case(ifs=[exp.If(this=c, true=v) for c, v in whens])
    if default is not None:
        node.set("default", default)
    return node


def rewrite_semantics(stmt: exp.Expression) -> None:
    """Rewrite every node of `stmt` whose DuckDB answer differs from BigQuery's."""
    check_float_overflow(stmt)  # first: only the query's own arithmetic, not the rewrites'
    check_sum_overflow(stmt)
    rewrite_bucket_calls(stmt)  # reads the bucket width's INTERVAL literal as written
    _integer_types(stmt)
    rewrite_interval_calls(stmt)
    rewrite_format_calls(stmt)
    node: Any
    for node in reversed(find_all(stmt, exp.Cast, exp.TryCast)):
        if (
            isinstance(node.this, (exp.Parameter, exp.Placeholder))
            or (isinstance(node.this, exp.Literal) and not node.this.is_string and node.this.this.isdigit())
            or (node._meta and (node.meta.get(DUCKDB_INT32) or node.meta.get(PLAIN_ARGUMENT)))
        ):
            continue
        if node.to.this in _INT_TYPES:
            node.replace(_int64_cast(node.this, safe=isinstance(node, exp.TryCast) or bool(node.args.get("safe"))))
        elif node.to.this in (exp.DataType.Type.VARCHAR, exp.DataType.Type.TEXT) and (
            not isinstance(node, exp.TryCast) or node.args.get("safe")  # SAFE_CAST, not the rewrites' TRY_CASTs
        ):
            node.replace(string_cast(node, safe=isinstance(node, exp.TryCast)))
        elif node.to.this == exp.DataType.Type.BOOLEAN:
            node.replace(_bool_cast(node, safe=isinstance(node, exp.TryCast)))
    for node in reversed(find_all(stmt, exp.Like)):
        # GoogleSQL's LIKE escapes with a backslash ('a\_c' matches 'a_c'); DuckDB's has no escape
        if not isinstance(node.parent, exp.Escape):
            node.replace(exp.Escape(this=node.copy(), expression=lit("\\")))
    rewrite_bytes_bitwise(stmt)  # BYTES ~, &, |, ^, <<, >> as BIT strings (bytesbits.py)
    rewrite_int64_shifts(stmt)  # zero-filling 64-bit shifts (intshifts.py)
    rewrite_max_by_nulls(stmt)  # MAX_BY/MIN_BY keep a NULL x (maxbynulls.py)
    rewrite_whitespace_trims(stmt)  # TRIM(s) removes Unicode White_Space (trimwhitespace.py)
    for node in find_all(stmt, exp.BitwiseCount, exp.BitwiseLeftShift, exp.BitwiseRightShift):
        # an INT64 literal is DuckDB's 32-bit INTEGER (also as a field of a STRUCT literal, where
        # the inferred type says INT64): BIT_COUNT(-1) would be 32, 1 << 40 an error
        arg = node.this
        literal = isinstance(arg, exp.Literal | exp.Neg) and not (isinstance(arg, exp.Literal) and arg.is_string)
        if literal or known_type(arg) == "INT64":
            node.set("this", exp.cast(arg.copy(), "BIGINT"))
    for node in reversed(find_all(stmt, exp.Div)):
        if not node.args.get("safe"):
            can_fail = not _nonzero_number(node.expression)
            node.set("expression", _nonzero(node.expression))
            if can_fail:
                _null_for_null_dividend(node)
    for node in reversed(find_all(stmt, exp.Anonymous)):
        if node.name.upper() == "IEEE_DIVIDE" and len(node.expressions) == 2:
            # IEEE 754 division: x/0 is +/-inf and 0/0 is NaN (DuckDB's DOUBLE division)
            a, b = node.expressions
            quotient = exp.Div(this=exp.cast(a, "DOUBLE"), expression=exp.cast(b, "DOUBLE"))
            quotient.meta[TYPE_KEY] = "FLOAT64"  # a CONCAT of it writes `2`, not DuckDB's `2.0`
            node.replace(quotient)
    for node in reversed(find_all(stmt, exp.Bracket)):
        if as_offset(node) or (node.args.get("offset") is not None and len(node.expressions) == 1):
            node.replace(typed_like(_checked_subscript(node), node))
    for node in find_all(stmt, exp.Unnest):
        if node.args.get("offset"):  # sqlglot sets False for a plain UNNEST
            _zero_based_offset(node)
    for node in find_all(stmt, exp.Select):
        rewrite_offset_stars(node)
    for node in reversed(find_all(stmt, exp.JSONType)):
        node.replace(_json_type(node.this))
    rewrite_json_mutators(stmt)  # writes TO_JSON_STRINGs of its values for the loop below
    for node in reversed(find_all(stmt, exp.JSONFormat)):
        to_json = bool(node.args.get("to_json"))
        if to_json and node.args.get("options"):
            text = _stringified_wide_numbers(node.this, node.args["options"])
            node.replace(text if node.meta.get(AS_TEXT) else exp.cast(text, "JSON"))
        elif not node.args.get("options"):
            text = _to_json_string(node.this, wide_as_text=not to_json)
            if not to_json:
                text.meta[TO_JSON_STRING] = True
            node.replace(exp.cast(text, "JSON") if to_json and not node.meta.get(AS_TEXT) else text)
        elif not to_json:
            pretty = _pretty_printed(_to_json_string(node.this), node.args["options"])
            pretty.meta[TO_JSON_STRING] = True  # a STRING, as JSON_EXTRACT of it answers
            node.replace(pretty)
    for node in reversed(find_all(stmt, exp.CountIf)):
        # DuckDB's count_if is NULL over only NULLs; COUNT of a CASE is 0, like COUNTIF
        distinct = isinstance(node.this, exp.Distinct) and len(node.this.expressions) == 1
        condition = node.this.expressions[0] if distinct else node.this
        counted = case((condition.copy(), exp.Literal.number(1)))
        # COUNTIF(DISTINCT b) counts the distinct values of b that are TRUE: 0 or 1
        node.replace(exp.Count(this=exp.Distinct(expressions=[counted]) if distinct else counted))
    rewrite_function_calls(stmt)
    rewrite_math_calls(stmt)
    rewrite_datetime_calls(stmt)
    rewrite_array_calls(stmt)
    rewrite_vector_distances(stmt)
    for node in find_all(stmt, exp.Select):
        _star_column_order(node)


def _plain_star(select: exp.Select) -> bool:
    star = select.expressions[0] if len(select.expressions) == 1 else None
    return isinstance(star, exp.Star) and not any(star.args.values())


def _star_column_order(select: exp.Select) -> None:
    """`SELECT *` lists BigQuery's column order: a JOIN's USING columns first, and UNPIVOT's value
    columns before its name column (DuckDB keeps the left table's order, and names first)."""
    if not _plain_star(select):
        return
    using: list[str] = []
    for join in select.args.get("joins") or []:
        using += [i.name for i in join.args.get("using") or [] if i.name.lower() not in map(str.lower, using)]
    if using:
        columns = [exp.column(n, quoted=True) for n in using]
        select.set("expressions", [*columns, exp.Star(except_=[c.copy() for c in columns])])
        return
    source = select.args.get("from_")
    pivots = source.this.args.get("pivots") if source is not None else None
    if pivots and not select.args.get("joins") and len(pivots) == 1 and pivots[0].args.get("unpivot"):
        names = [f.this.name for f in pivots[0].args.get("fields") or [] if isinstance(f, exp.In)]
        if len(names) == 1:
            name = exp.column(names[0], quoted=True)
            select.set("expressions", [exp.Star(except_=[name.copy()]), name])


def _integer_types(stmt: exp.Expression) -> None:
    # GoogleSQL's INT, INTEGER, SMALLINT, TINYINT, BYTEINT are all INT64
    for dt in find_all(stmt, exp.DataType):
        if dt.this in _INT_TYPES and dt.this != exp.DataType.Type.BIGINT:
            dt.set("this", exp.DataType.Type.BIGINT)


def _int64_cast(value: exp.Expression, *, safe: bool) -> exp.Expression:
    """CAST(x AS INT64): floats round half away from zero; strings must be integer literals."""
    if is_large(value):
        # the branches below write the value some fifteen times: nested casts grew that much per
        # level (bigquery-utils' cw_from_base did not translate in 30 s); the outer CAST keeps the
        # integer type sqlglot's subscript shift looks for
        return exp.cast(bound_once(value, lambda v: _int64_cast(v, safe=safe)), "BIGINT")
    to = exp.DataType.build("BIGINT")
    as_double = exp.cast(value.copy(), "DOUBLE")
    as_text = exp.cast(value.copy(), "VARCHAR")
    is_int_text = call("regexp_full_match", as_text, lit(_INT64_STRING))
    if safe:
        from_float: exp.Expression = exp.TryCast(this=call("round", as_double), to=to)
        from_text: exp.Expression = case((is_int_text, _int_text(as_text, safe=True)))
        other: exp.Expression = exp.TryCast(this=value.copy(), to=to)
    else:
        from_float = exp.cast(call("round", as_double), to)
        # the outer CAST keeps the branch's type visible: sqlglot shifts a 0-based subscript
        # (`arr[CAST(s AS INT64)]`) only where it sees an integer
        from_text = exp.cast(
            case((is_int_text, _int_text(as_text, safe=False)), default=fail("Bad int64 value: ", as_text.copy())),
            to,
        )
        other = exp.cast(value.copy(), to)
    return case(
        (type_is(value, "DOUBLE", "FLOAT"), from_float),
        (type_is(value, "VARCHAR"), from_text),
        (type_is(value, *_NOT_TO_INT64), _invalid_int64_cast(value)),
        default=other,
    )


# DuckDB types GoogleSQL does not cast to INT64 (its conversion rules: only BOOL, the numbers and
# STRING), with their BigQuery names; DuckDB's TRY_CAST answered NULL (ibis's
# `SAFE_CAST(DATETIME(...) AS INT64)`), BigQuery: "Invalid cast from DATETIME to INT64", SAFE or not
_NOT_TO_INT64 = {
    "DATE": "DATE",
    "TIMESTAMP": "DATETIME",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMP",
    "TIME": "TIME",
    "INTERVAL": "INTERVAL",
}


def _invalid_int64_cast(value: exp.Expression) -> exp.Expression:
    """BigQuery's error for a cast to INT64 from a type it cannot be cast from (typeof is a
    constant of the bound query, so only the matching branch stays)."""
    name = case(*((type_is(value, duck), lit(bq)) for duck, bq in _NOT_TO_INT64.items()))
    # typed BIGINT as the other branches are: sqlglot shifts a list subscript by one only when it
    # can type the index as an integer (`[10, 20][CAST(s AS INT64)]` read the wrong element)
    return exp.cast(fail("Invalid cast from ", name, " to INT64"), "BIGINT")


def _int_text(text: exp.Expression, *, safe: bool) -> exp.Expression:
    """An integer text's INT64. DuckDB reads `0x1F` but not a hexadecimal with a sign or spaces
    around it (`-0x1F`, BigQuery's -31): those go through HUGEINT, so that -0x8000000000000000
    (INT64's least) fits."""
    from .functions import _t

    cast = "TRY_CAST" if safe else "CAST"
    # the plain cast first: the HUGEINT path runs only for the rows it cannot read
    return exp.cast(
        _t(
            f"coalesce(TRY_CAST(_A AS BIGINT), CASE WHEN starts_with(trim(_A), '-') "
            f"THEN {cast}(-{cast}(ltrim(trim(_A), '-') AS HUGEINT) AS BIGINT) "
            f"ELSE {cast}({cast}(ltrim(trim(_A), '+') AS HUGEINT) AS BIGINT) END)",
            text,
        ),
        "BIGINT",
    )


def _decimal(value: exp.Expression) -> exp.Expression:
    """Whether the value is a NUMERIC / BIGNUMERIC (`DECIMAL(38,9)`), not a list of them
    (`DECIMAL(38,18)[]`, which TO_JSON_STRING wrote as one quoted number)."""
    return exp.And(
        this=exp.Like(this=call("typeof", value.copy()), expression=lit("DECIMAL%")),
        expression=exp.Not(this=exp.Like(this=call("typeof", value.copy()), expression=lit("%]"))),
    )


def _bool_cast(node: exp.Cast, *, safe: bool) -> exp.Expression:
    """CAST(STRING AS BOOL) reads only 'true' and 'false' (any case); DuckDB also 'yes', 't', '1'."""
    value = node.this
    text = call("lower", exp.cast(value.copy(), "VARCHAR"))
    bad = exp.Null() if safe else fail("Bad bool value: ", exp.cast(value.copy(), "VARCHAR"))
    from_text = case(
        (exp.EQ(this=text.copy(), expression=lit("true")), exp.true()),
        (exp.EQ(this=text, expression=lit("false")), exp.false()),
        (exp.Is(this=value.copy(), expression=exp.Null()), exp.Null()),
        default=bad,
    )
    return case((type_is(value, "VARCHAR"), from_text), default=node.copy())


# BigQuery types whose CAST AS STRING text is DuckDB's CAST AS VARCHAR of these typeof()s
_PLAIN_TEXT_TYPEOFS = {
    "INT64": ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"),
    "STRING": ("VARCHAR",),
    "DATE": ("DATE",),
    "DATETIME": ("TIMESTAMP",),
    "TIME": ("TIME",),
    "TIMESTAMP": ("TIMESTAMP WITH TIME ZONE",),
}


def string_cast(node: exp.Cast, *, safe: bool = False) -> exp.Expression:
    """CAST(FLOAT64 AS STRING) writes 1.0 as "1" and 1e20 as "1e+20", a NUMERIC without trailing
    zeros, an INTERVAL as `0-0 1 2:3:4`, BYTES as their UTF-8 text (DuckDB writes escapes), as
    BigQuery does."""
    from . import ranges

    value = node.this
    plain = node.copy()
    kind = known_type(value)
    if kind in ("TIME", "DATETIME", "TIMESTAMP"):
        # DuckDB's text but for the fraction, which BigQuery writes as 3 or 6 digits
        return time_text(checked_among(plain, value, _PLAIN_TEXT_TYPEOFS[kind]))
    if kind in _PLAIN_TEXT_TYPEOFS:
        return checked_among(plain, value, _PLAIN_TEXT_TYPEOFS[kind])  # DuckDB's text is BigQuery's
    # a value of a type known only to DuckDB is written once per type it may have (about ten
    # copies): a larger one is bound once, so nested casts (bigframes' row hashes) do not grow
    if is_large(value):
        bound = bound_once(value, lambda v: string_cast(exp.Cast(this=v, to=node.to.copy()), safe=safe))
        if node._meta:
            bound.meta.update(node.meta)  # the cast's marks (a SAFE. call's argument tag) stay with it
        return bound
    # the BYTES text is DuckDB's escaped form read back as bytes, so this binds for any type
    utf8: exp.Expression = call("decode", exp.cast(exp.cast(value.copy(), "VARCHAR"), "BLOB"))
    if safe:
        utf8 = call("TRY", utf8)
    return case(
        (type_is(value, "BLOB"), utf8),
        (type_is(value, "DOUBLE", "FLOAT"), float_text(value)),
        (_decimal(value), numeric_text(value)),
        (
            type_is(value, "INTERVAL"),
            canonical_text(exp.TryCast(this=exp.cast(value.copy(), "VARCHAR"), to=exp.DataType.build("INTERVAL"))),
        ),
        (type_is(value, *ranges.typeof_names()), ranges.text_of(value)),
        (type_is(value, *TIME_TEXT_TYPEOFS), time_text(plain.copy())),
        default=plain,
    )


def _nonzero(divisor: exp.Expression) -> exp.Expression:
    """The divisor, or BigQuery's error when it is zero (DuckDB answers inf)."""
    if holds_check(divisor):  # nested checked arithmetic would double it at every level
        return exp.paren(bound_once(divisor, _nonzero), copy=False)
    zero = exp.EQ(this=divisor.copy(), expression=exp.Literal.number(0))
    return exp.paren(case((zero, fail("division by zero")), default=divisor.copy()), copy=False)


def _nonzero_number(node: exp.Expression) -> bool:
    """Whether `node` is a number literal other than 0 (a division by it cannot fail)."""
    while isinstance(node, exp.Paren | exp.Neg):
        node = node.this
    try:
        return isinstance(node, exp.Literal) and not node.is_string and float(node.this) != 0
    except ValueError:
        return False


def _null_for_null_dividend(division: exp.Div | exp.IntDiv | exp.Mod) -> None:
    """`division` evaluated only for a dividend that is not NULL, as NULL / 0 is NULL, not the
    divisor's error. The test wraps the division (the later rewrites copy the divisor many times).
    A dividend with a subquery is not run twice for it, nor one with a division (or DIV, MOD) of its
    own (each level would double the copies: `n / x / y / z` ran 3x slower); their NULL / 0 stays
    the error. DIV and MOD take the same test (divisions.py)."""
    dividend = division.this
    if isinstance(dividend, exp.Literal) or dividend.find(exp.Subquery, exp.Select, exp.Div, exp.IntDiv, exp.Mod):
        return
    test = exp.Is(this=exp.paren(dividend.copy(), copy=False), expression=exp.Null())
    guarded = exp.Case(ifs=[exp.If(this=test, true=exp.Null())])
    division.replace(exp.paren(guarded, copy=False))
    guarded.set("default", division)


def _checked_subscript(node: exp.Bracket) -> exp.Expression:
    """arr[OFFSET(i)] / arr[ORDINAL(i)]: an error past the end; SAFE_ forms NULL."""
    array = node.this
    index = node.expressions[0]
    base = int(node.args.get("offset") or 0)  # 0 for OFFSET, 1 for ORDINAL
    zero_based = index.copy() if base == 0 else exp.Sub(this=index.copy(), expression=exp.Literal.number(1))
    zero_based = exp.paren(zero_based, copy=False)
    inside = exp.and_(
        exp.GTE(this=zero_based.copy(), expression=exp.Literal.number(0)),
        exp.LT(this=zero_based.copy(), expression=call("len", array.copy())),
    )
    element = call("list_extract", array.copy(), exp.Add(this=zero_based.copy(), expression=exp.Literal.number(1)))
    if node.args.get("safe"):
        return case((inside, element))
    is_null = exp.or_(
        exp.Is(this=array.copy(), expression=exp.Null()), exp.Is(this=index.copy(), expression=exp.Null())
    )
    word = "OFFSET" if base == 0 else "ORDINAL"
    return case(
        (inside, element),
        (is_null, exp.Null()),
        default=fail("Array index ", index.copy(), f" is out of bounds ({word})"),
    )


def _zero_based_offset(unnest: exp.Unnest) -> None:
    """UNNEST ... WITH OFFSET counts from 0; DuckDB's WITH ORDINALITY counts from 1.

    The ordinality column gets a hidden name and every reference to the offset alias in the
    enclosing SELECT reads it minus one."""
    offset = unnest.args["offset"]
    name = offset.name if isinstance(offset, exp.Identifier) and offset.name else "offset"
    hidden = f"{HIDDEN_OFFSET}{name}"
    unnest.set("offset", exp.to_identifier(hidden))
    alias = unnest.args.get("alias")
    values = unnest.expressions
    if alias is None and len(values) == 1 and not (isinstance(values[0], exp.Array) and values[0].find(exp.Struct)):
        # without a column alias DuckDB names the ordinality "ordinality"; BigQuery names an
        # unaliased UNNEST's values f0_ (`$col1`, see googlesql.output_names)
        names = [exp.to_identifier("$col1", quoted=True), exp.to_identifier(hidden)]
        unnest.set("alias", exp.TableAlias(this=exp.to_identifier("__bq_unnest"), columns=names))
    scope = unnest.find_ancestor(exp.Select)
    if scope is None:
        return
    for col in list(scope.find_all(exp.Column)):
        if col.name.lower() == name.lower() and not col.table:
            if col.find_ancestor(exp.Select) is not scope:
                continue
            minus = exp.paren(exp.Sub(this=exp.column(hidden), expression=exp.Literal.number(1)), copy=False)
            if isinstance(col.parent, exp.Select) and col.arg_key == "expressions":
                col.replace(exp.alias_(minus, name))
            else:
                col.replace(minus)
    for join in scope.args.get("joins") or []:
        # `a WITH OFFSET JOIN b WITH OFFSET USING (offset)`: both ordinalities have the hidden name
        using = join.args.get("using") or []
        for i, key in enumerate(using):
            if isinstance(key, (exp.Identifier, exp.Column)) and key.name.lower() == name.lower():
                using[i] = exp.to_identifier(hidden)


_JSON_TYPE_NAMES = {
    "OBJECT": "object",
    "ARRAY": "array",
    "VARCHAR": "string",
    "BIGINT": "number",
    "UBIGINT": "number",
    "HUGEINT": "number",
    "DOUBLE": "number",
    "BOOLEAN": "boolean",
    "NULL": "null",
}


def _json_type(value: exp.Expression) -> exp.Expression:
    """JSON_TYPE answers object, array, string, number, boolean or null."""
    duck = call("json_type", value.copy())
    return case(*((exp.EQ(this=duck.copy(), expression=lit(k)), lit(v)) for k, v in _JSON_TYPE_NAMES.items()))


_TS_WITH_ZONE = r'"(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)\+00"'
_TS_NAIVE = r'"(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)"'


def time_text(text: exp.Expression) -> exp.Expression:
    """DuckDB's text of a TIME, DATETIME or TIMESTAMP with its fraction of seconds as BigQuery
    writes it: 3 or 6 digits (`01:02:03.120`, `... 01:02:03.123450+00`)."""
    return _padded_fraction(text, tail=_ZONE_TAIL)


def _padded_fraction(text: exp.Expression, tail: str = 'Z?"') -> exp.Expression:
    """A time's fraction of seconds padded to 3 or 6 digits, as in a STRUCT (jsonout.py's
    `_fraction`): DuckDB writes `.1` and `.1234`, BigQuery `.100` and `.123400`. `tail`: what
    follows the fraction at the end of the text (a pattern)."""
    for digits, zeros in ((1, "00"), (2, "0"), (4, "00"), (5, "0")):
        text = call("regexp_replace", text, lit(rf"(\.\d{{{digits}}})({tail})$"), lit(rf"\1{zeros}\2"))
    return text


TIME_TEXT_TYPEOFS = ("TIME", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE")
_ZONE_TAIL = r"[+-]\d\d(?::\d\d)?|"  # a TIMESTAMP's offset; none after a TIME or DATETIME


def _stringified_wide_numbers(value: exp.Expression, option: exp.Expression) -> exp.Expression:
    """TO_JSON(value, stringify_wide_numbers => flag): where the flag is TRUE, INT64 and NUMERIC
    values a FLOAT64 cannot hold (beyond 2^53, or with a fraction) as JSON strings, as
    TO_JSON_STRING writes them, also inside a STRUCT or ARRAY."""
    from .googlesql import BigQueryError

    if not isinstance(option, exp.Kwarg) or option.this.name.lower() != "stringify_wide_numbers":
        raise BigQueryError(
            "No matching signature for function TO_JSON: its only other argument is stringify_wide_numbers",
            fix="write TO_JSON(value, stringify_wide_numbers => TRUE)",
        )
    flag = option.expression
    if isinstance(flag, exp.Boolean):
        return _to_json_string(value, wide_as_text=flag.this)
    if isinstance(flag, exp.Literal) or known_type(flag) not in (None, "BOOL"):
        raise BigQueryError(
            "No matching signature for function TO_JSON: stringify_wide_numbers must be a BOOL",
            fix="write TO_JSON(value, stringify_wide_numbers => TRUE)",
        )
    wide = _to_json_string(value, wide_as_text=True)
    return case((exp.cast(flag.copy(), "BOOLEAN"), wide), default=_to_json_string(value, wide_as_text=False))


def _pretty_printed(text: exp.Expression, option: exp.Expression) -> exp.Expression:
    """TO_JSON_STRING(value, pretty_print): the JSON text re-indented where the flag is TRUE."""
    from .googlesql import BigQueryError

    flag = option
    if isinstance(option, exp.Kwarg):
        if option.this.name.lower() != "pretty_print":
            raise BigQueryError(
                f"TO_JSON_STRING has no argument named {option.this.name}",
                fix="write TO_JSON_STRING(value, pretty_print => TRUE)",
            )
        flag = option.expression
    if isinstance(flag, exp.Literal) or known_type(flag) not in (None, "BOOL"):
        raise BigQueryError(
            "No matching signature for function TO_JSON_STRING: pretty_print must be a BOOL",
            fix="write TO_JSON_STRING(value, TRUE)",
        )
    pretty = call(JSON_PRETTY_UDF, text.copy())
    return case((exp.cast(flag.copy(), "BOOLEAN"), pretty), (exp.Not(this=exp.cast(flag.copy(), "BOOLEAN")), text))


_OPEN_START = r'\{"start":"-infinity","end":("[^"]*"|null)\}'
_OPEN_END = r'\{"start":("[^"]*"|null),"end":"infinity"\}'
_RANGE_TYPEOF = r'STRUCT\("start" (DATE|TIMESTAMP|TIMESTAMP WITH TIME ZONE), "end"'


# a \u escape of a control character whose backslash is not itself escaped, and the text before it
_UPPER_ESCAPE = r"((?:^|[^\\])(?:\\\\)*)\\u00([01])([A-F])"


def _lowercase_escapes(text: exp.Expression) -> exp.Expression:
    """JSON text with BigQuery's lower-case hex in `\u001a` (DuckDB writes `\u001a`)."""
    lowered: exp.Expression = exp.column("t")
    for _ in range(2):  # a second pass for an escape right after another (the first consumed its lead)
        for letter in "ABCDEF":
            pattern, replacement = _UPPER_ESCAPE.replace("[A-F]", letter), rf"\1\\u00\2{letter.lower()}"
            lowered = call("regexp_replace", lowered, lit(pattern), lit(replacement), lit("g"))
    body = case((call("contains", exp.column("t"), lit("\\u00")), lowered), default=exp.column("t"))
    # the text is evaluated once, as a lambda's argument
    each = exp.Lambda(this=body, expressions=[exp.to_identifier("t")])
    return call(
        "list_extract", call("list_transform", exp.Array(expressions=[text.copy()]), each), exp.Literal.number(1)
    )


def _json_valued(value: exp.Expression) -> bool:
    """Whether the expression is a JSON value by its form: TO_JSON, PARSE_JSON, a JSON literal, a
    CAST to JSON, or DuckDB's json() around a JSON mutator's result (JSON_SET, JSON_ARRAY_APPEND,
    ...: their rewrites were copied into each branch of the type dispatch, ~100 times, 918 KB of
    SQL and 15-35 s for one TO_JSON_STRING(JSON_ARRAY_APPEND(...)))."""
    if isinstance(value, exp.Cast | exp.TryCast):
        return value.to.is_type(exp.DataType.Type.JSON)
    if isinstance(value, exp.Anonymous) and value.name.lower() == "json":
        return True
    return isinstance(value, exp.ParseJSON) or (isinstance(value, exp.JSONFormat) and bool(value.args.get("to_json")))


def _to_json_string(value: exp.Expression, wide_as_text: bool = True) -> exp.Expression:
    """TO_JSON_STRING writes TIMESTAMP as RFC 3339 with Z and DATETIME with a T; INT64 beyond
    2^53 and NUMERIC with a fraction as strings, which TO_JSON (`wide_as_text` off) writes as
    numbers."""
    if _json_valued(value):
        # its text, not the branches below (they would copy the JSON's own rewrite dozens of times),
        # members sorted by key and the first of a repeated key kept, as BigQuery keeps them (jsonorder.py)
        text_of_json = call(SORTED_JSON_UDF, exp.cast(value.copy(), "VARCHAR"))
        return call("coalesce", _lowercase_escapes(text_of_json), lit("null"))
    text: exp.Expression = exp.cast(call("to_json", value.copy()), "VARCHAR")
    # a RANGE's unbounded bounds are -infinity / infinity inside the engine (ranges.py): null in
    # JSON, as the REST API writes them; the test of the type folds away when DuckDB binds
    open_bounds = call("regexp_replace", text.copy(), lit(_OPEN_START), lit(r'{"start":null,"end":\1}'), lit("g"))
    open_bounds = call("regexp_replace", open_bounds, lit(_OPEN_END), lit(r'{"start":\1,"end":null}'), lit("g"))
    holds_range = call("regexp_matches", call("typeof", value.copy()), lit(_RANGE_TYPEOF))
    text = case((holds_range, open_bounds), default=text)
    zoned = call("regexp_replace", text.copy(), lit(_TS_WITH_ZONE), lit(r'"\1T\2Z"'), lit("g"))
    naive = call("regexp_replace", text.copy(), lit(_TS_NAIVE), lit(r'"\1T\2"'), lit("g"))
    typ = call("typeof", value.copy())
    zoned = call("regexp_replace", zoned, lit(_TS_NAIVE), lit(r'"\1T\2"'), lit("g"))
    zoned, naive = _padded_fraction(zoned), _padded_fraction(naive)
    # every branch reads the JSON text (a VARCHAR), so the CASE binds for any argument type
    as_double = exp.TryCast(this=text.copy(), to=exp.DataType.build("DOUBLE"))
    double = case(
        (exp.EQ(this=text.copy(), expression=lit("NaN")), lit('"NaN"')),
        (exp.EQ(this=text.copy(), expression=lit("Infinity")), lit('"Infinity"')),
        (exp.EQ(this=text.copy(), expression=lit("-Infinity")), lit('"-Infinity"')),
        # a negative zero is 0 in JSON (float_text keeps its sign: "-0", as CAST AS STRING writes it)
        (exp.EQ(this=as_double.copy(), expression=exp.Literal.number(0)), lit("0")),
        default=float_text(as_double),
    )
    # exact: 2^53 + 1 is 2^53 as a DOUBLE
    as_decimal = exp.TryCast(this=text.copy(), to=exp.DataType.build("DECIMAL(38, 9)"))
    wide = exp.GT(this=call("abs", as_decimal), expression=exp.Literal.number(2**53))
    as_int = exp.TryCast(this=text.copy(), to=exp.DataType.build("HUGEINT"))
    wide_int = exp.GT(this=call("abs", as_int), expression=exp.Literal.number(2**53))
    quoted_text = exp.DPipe(
        this=exp.DPipe(this=lit('"'), expression=text.copy(), safe=True), expression=lit('"'), safe=True
    )
    decimal = numeric_text(text)
    decimal = case(
        (
            exp.Or(this=wide.copy(), expression=call("contains", decimal.copy(), lit("."))),
            exp.DPipe(
                this=exp.DPipe(this=lit('"'), expression=decimal.copy(), safe=True), expression=lit('"'), safe=True
            ),
        ),
        default=decimal,
    )
    raw = exp.TryCast(this=call("json_extract_string", text.copy(), lit("$")), to=exp.DataType.build("BLOB"))
    blob = exp.DPipe(
        this=exp.DPipe(this=lit('"'), expression=call("to_base64", raw), safe=True), expression=lit('"'), safe=True
    )
    nested = call("regexp_matches", typ.copy(), lit(r"\[\]|STRUCT|MAP"))
    ints = case((wide_int, quoted_text), default=text.copy()) if wide_as_text else text.copy()
    decimals = decimal if wide_as_text else numeric_text(text)
    return case(
        (exp.Is(this=text.copy(), expression=exp.Null()), lit("null")),
        (type_is(value, "DOUBLE", "FLOAT"), double),
        (type_is(value, "BIGINT", "HUGEINT", "UBIGINT"), ints),
        (_decimal(value), decimals),
        (type_is(value, "BLOB"), blob),
        (type_is(value, "JSON"), _lowercase_escapes(_line_separators_escaped(call(SORTED_JSON_UDF, text.copy())))),
        # a STRUCT or ARRAY: re-encoded from DuckDB's JSON with its type (jsonout.py, a Python UDF)
        # (only where DuckDB's text differs: other fields and INT64s below 2^53 are written alike)
        (
            exp.And(
                this=nested,
                expression=exp.Or(
                    this=call("regexp_matches", typ.copy(), lit(_REENCODED_NESTED_TYPES)),
                    expression=call("regexp_matches", text.copy(), lit("[0-9]{16}")),
                ),
            ),
            call(TO_JSON_STRING_UDF if wide_as_text else TO_JSON_UDF, text.copy(), typ.copy()),
        ),
        (call("contains", typ.copy(), lit("TIME ZONE")), zoned),
        (call("contains", typ, lit("TIMESTAMP")), naive),
        default=_lowercase_escapes(_line_separators_escaped(text)),
    )


# nested types whose JSON DuckDB writes otherwise than BigQuery: re-encoded by jsonout.py; an
# anonymous field (`_field_N`, structs.py) is `""` in BigQuery's; a JSON's members are sorted
_REENCODED_NESTED_TYPES = r"DOUBLE|FLOAT|DECIMAL|BLOB|TIME|HUGEINT|INTERVAL|MAP|\bJSON\b|\b_field_[0-9]"


def _line_separators_escaped(text: exp.Expression) -> exp.Expression:
    """JSON text with U+2028 and U+2029 escaped (`\\u2028`), as ZetaSQL's JsonEscapeString writes
    a STRING (DuckDB's to_json leaves them as they are)."""
    for char in ("\u2028", "\u2029"):
        text = call("replace", text, lit(char), lit(f"\\u{ord(char):04x}"))
    return text
