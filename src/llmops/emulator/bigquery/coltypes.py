"""The types of the arguments of GoogleSQL calls whose answer depends on them.

Some GoogleSQL functions answer differently by argument type where DuckDB has one function
(`DATE_TRUNC` keeps a TIMESTAMP's type; `DATE - DATE` is an INTERVAL; `JSON_QUERY` of a STRING is
a STRING; `LEFT` of BYTES counts bytes). When the query text does not show an argument's type,
sqlglot's optimizer (`qualify` + `annotate_types`) infers it from the schemas of the tables the
statement reads (given by the engine, BigQuery types) and the types of query parameters. The
inferred type is kept on the argument node (`known_type`), and a rewrite that relies on it is
wrapped in a `typeof()` check (`checked`) that DuckDB folds when it binds the query: an inference
that were ever wrong is an error, never a different answer.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from sqlglot import exp

from . import datefamily, decimalliterals, floatcasts, ranges, setops, structs, structstars
from .bytestext import BYTES_TEXT_CALLS
from .census import find_all
from .nanorder import ordering_keys
from .percentiles import percentile_values
from .vectordistances import distance_arguments

TYPE_KEY = "bq_type"
COMPOSITE_KEY = "bq_composite_type"  # an ARRAY's or STRUCT's full type (`composite_type`)
_TAG = "bq_type_tag"

# DuckDB's typeof() of each BigQuery type a rewrite may rely on
DUCKDB_TYPEOF = {
    "TIMESTAMP": "TIMESTAMP WITH TIME ZONE",
    "DATETIME": "TIMESTAMP",
    "DATE": "DATE",
    "TIME": "TIME",
    "BYTES": "BLOB",
    "STRING": "VARCHAR",
    "JSON": "JSON",
    "INT64": "BIGINT",
    "FLOAT64": "DOUBLE",
    "NUMERIC": "DECIMAL(38,9)",
    "BIGNUMERIC": "DECIMAL(38,18)",
    "INTERVAL": "INTERVAL",
}

_T = exp.DataType.Type
KINDS = {
    _T.TIMESTAMPTZ: "TIMESTAMP",
    _T.TIMESTAMPLTZ: "TIMESTAMP",
    _T.TIMESTAMP: "DATETIME",
    _T.DATETIME: "DATETIME",
    _T.DATE: "DATE",
    _T.TIME: "TIME",
    _T.VARBINARY: "BYTES",
    _T.BINARY: "BYTES",
    _T.BLOB: "BYTES",
    _T.VARCHAR: "STRING",
    _T.TEXT: "STRING",
    _T.CHAR: "STRING",
    _T.NCHAR: "STRING",
    _T.NVARCHAR: "STRING",
    _T.JSON: "JSON",
    _T.BIGINT: "INT64",
    _T.INT: "INT64",
    _T.DOUBLE: "FLOAT64",
    _T.FLOAT: "FLOAT64",
    _T.DECIMAL: "NUMERIC",
    _T.BIGDECIMAL: "BIGNUMERIC",
    _T.INTERVAL: "INTERVAL",
}
"""GoogleSQL's name of each sqlglot type a declared or cast type can be."""

_BYTES_CALLS = (
    exp.Left,
    exp.Right,
    exp.Pad,
    exp.Reverse,
    exp.ToCodePoints,
    exp.StrPosition,
    exp.ByteLength,
    exp.BitwiseCount,
    exp.Split,
    exp.FarmFingerprint,
    exp.Levenshtein,
    *BYTES_TEXT_CALLS,
)
_JSON_CALLS = (exp.JSONExtract, exp.JSONExtractArray)
# NUMERIC in, NUMERIC out (DuckDB answers DOUBLE); INT64 in, FLOAT64 out (DuckDB keeps BIGINT)
_NUMERIC_CALLS = (exp.Avg, exp.Sum, exp.Div, exp.IntDiv, exp.SafeDivide, exp.Round, exp.Trunc, exp.Ceil, exp.Floor)
# NUMERIC in, NUMERIC out (DuckDB answers DOUBLE; decimalmath.py)
_DECIMAL_MATH_CALLS = (exp.Sqrt, exp.Ln, exp.Log, exp.Exp, exp.Pow)
# GoogleSQL functions sqlglot parses as unknown calls, by their (lower-case) name: their types
_BUILTIN_TYPES = {"ieee_divide": "FLOAT64"}


def _numeric_arguments(node: exp.Expression) -> list[exp.Expression]:
    if isinstance(node, exp.Div | exp.IntDiv | exp.SafeDivide | exp.Log | exp.Pow):
        return [node.this, node.expression]
    arg = node.this
    if isinstance(node, exp.Avg | exp.Sum) and isinstance(arg, exp.Distinct) and arg.expressions:
        arg = arg.expressions[0]
    return [arg]


def _candidates(stmt: exp.Expression) -> list[exp.Expression]:
    """Arguments whose type would choose a rewrite and that are not literals."""
    out: list[exp.Expression] = []
    calls: tuple[type[exp.Expression], ...] = (
        exp.DateTrunc,
        exp.Sub,
        exp.Add,
        exp.Mul,
        *_BYTES_CALLS,
        *_JSON_CALLS,
        *_NUMERIC_CALLS,
        *_DECIMAL_MATH_CALLS,
    )
    for node in stmt.find_all(*calls):
        args: list[Any]
        if isinstance(node, exp.Add):
            # DATE + INT64: DuckDB adds only a 32-bit INTEGER to a DATE
            shown = [a for a in (node.this, node.expression) if _shows_date(a)]
            args = [a for a in (node.this, node.expression) if a not in shown] if len(shown) == 1 else []
            args = [a for a in args if not isinstance(a, exp.Interval)]
        elif isinstance(node, _NUMERIC_CALLS + _DECIMAL_MATH_CALLS):
            args = list(_numeric_arguments(node))
        elif isinstance(node, exp.Mul):
            # NUMERIC * NUMERIC: DuckDB's product has 18 decimals (numericproducts.py)
            if any(isinstance(a, exp.Literal) for a in (node.this, node.expression)):
                continue
            args = [node.this, node.expression]
        elif isinstance(node, exp.Sub):
            if any(isinstance(a, (exp.Literal, exp.Interval)) for a in (node.this, node.expression)):
                continue  # a number or an interval: the subtraction's meaning is plain
            args = [node.this, node.expression]
        elif isinstance(node, exp.FarmFingerprint):
            args = node.expressions[:1]
        elif isinstance(node, exp.Levenshtein):
            args = [node.this, node.expression]
        else:
            args = [node.this]
        if isinstance(node, exp.StrPosition):
            args.append(node.args.get("substr"))
        out += [a for a in args if isinstance(a, exp.Expression) and not isinstance(a, exp.Literal)]
    return (
        out
        + _lone_concat_arguments(stmt)
        + [
            n.this
            for n in stmt.find_all(exp.Stddev, exp.StddevSamp, exp.StddevPop, exp.Variance, exp.VariancePop)
            if isinstance(n.this, exp.Column)  # of NUMERIC: computed exactly (statsaggregates.py)
        ]
        + _subscript_bases(stmt)
        + _like_operands(stmt)
        + distance_arguments(stmt)
        + _string_cast_operands(stmt)
        + floatcasts.cast_operands(stmt)
        + _formatted_cast_operands(stmt)
        + _array_cast_operands(stmt)
        + ranges.typed_arguments(stmt)
        + setops.later_input_columns(stmt)
        + structs.unnest_arguments(stmt)
        + structs.compared_columns(stmt)
        + structstars.star_bases(stmt)
        + decimalliterals.sibling_values(stmt)
        + decimalliterals.operand_siblings(stmt)
        + ordering_keys(stmt)
        + percentile_values(stmt)
        + datefamily.typed_arguments(stmt)
        + _string_parameter_comparisons(stmt)
        + _string_compared_columns(stmt)
    )


def _string_parameter_comparisons(stmt: exp.Expression) -> list[exp.Expression]:
    """The values STRING query parameters are compared with: a DATE, ... one makes the parameter
    that type (stringparams.py)."""
    from .stringparams import compared_values

    return compared_values(stmt)


def _string_compared_columns(stmt: exp.Expression) -> list[exp.Expression]:
    from .operandtypes import string_compared_columns  # it reads this module's KINDS

    return string_compared_columns(stmt)


_TEXT = (exp.DataType.Type.VARCHAR, exp.DataType.Type.TEXT)


def _lone_concat_arguments(stmt: exp.Expression) -> list[exp.Expression]:
    """The arguments of CONCAT: one of a type other than STRING or BYTES is written as its STRING
    (CAST's text: `1` for the FLOAT64 1.0, not DuckDB's `1.0`); and the values of STRING_AGG,
    which is BYTES for BYTES."""
    out = [a for c in stmt.find_all(exp.Concat) for a in c.expressions if not isinstance(a, exp.Literal)]
    for agg in stmt.find_all(exp.GroupConcat):
        value = agg.this
        while isinstance(value, (exp.Limit, exp.Order)):
            value = value.this
        if isinstance(value, exp.Distinct) and len(value.expressions) == 1:
            value = value.expressions[0]
        if isinstance(value, exp.Column):
            out.append(value)
    return out


def _like_operands(stmt: exp.Expression) -> list[exp.Expression]:
    """The operands of `x LIKE y` where neither is a literal: BYTES ones are read as text
    (bytestext.py); a literal pattern or value shows the other's type (BigQuery compares like types)."""
    return [
        a
        for like in stmt.find_all(exp.Like)
        if not any(isinstance(o, (exp.Literal, exp.ByteString, exp.Null)) for o in (like.this, like.expression))
        for a in (like.this, like.expression)
    ]


def _string_cast_operands(stmt: exp.Expression) -> list[exp.Expression]:
    """The columns cast to STRING: of a known plain type the cast needs no per-type CASE
    (semantics.py), which is several kilobytes of SQL that every later rewrite pass walks."""
    return [
        c.this
        for c in stmt.find_all(exp.Cast, exp.TryCast)
        if c.to.this in _TEXT and isinstance(c.this, exp.Column) and not c.args.get("format")
    ]


def _array_cast_operands(stmt: exp.Expression) -> list[exp.Expression]:
    """The columns cast to an ARRAY type: of another ARRAY type the cast is refused
    (operandtypes.check_array_casts)."""
    return [
        c.this for c in stmt.find_all(exp.Cast, exp.TryCast) if c.to.this == _T.ARRAY and isinstance(c.this, exp.Column)
    ]


def _formatted_cast_operands(stmt: exp.Expression) -> list[exp.Expression]:
    """The columns cast with a FORMAT read only when the query runs: a BYTES one is converted by
    the format (castformat.py), another type's CAST refused."""
    return [
        c.this
        for c in stmt.find_all(exp.Cast, exp.TryCast)
        if isinstance(c.this, exp.Column) and isinstance(c.args.get("format"), exp.Column)
    ]


def _shows_date(node: exp.Expression) -> bool:
    """Whether the text shows `node` is a DATE (a literal, a CAST, CURRENT_DATE)."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Cast | exp.TryCast):
        return node.to.this == _T.DATE
    return isinstance(node, exp.CurrentDate)


def _subscript_bases(stmt: exp.Expression) -> list[exp.Expression]:
    """The bases of bare subscripts (`x[0]`): on JSON they count from 0 (see jsonaccess.py)."""
    return [
        b.this
        for b in stmt.find_all(exp.Bracket)
        if b.args.get("offset") is None and isinstance(b.this, (exp.Column, exp.Dot))
    ]


def sum_operands(stmt: exp.Expression) -> list[exp.Expression]:
    """The operands of sums whose text shows neither operand's type (`d + n`): a DATE plus an
    INT64 needs the INT64 as DuckDB's INTEGER. A sum alone does not ask for the tables' types
    (`googlesql._infer_types` uses those at hand)."""
    out: list[exp.Expression] = []
    for node in stmt.find_all(exp.Add):
        operands = (node.this, node.expression)
        if not any(isinstance(a, (exp.Literal, exp.Interval)) or _shows_date(a) for a in operands):
            out += operands
    return out


def needs_types(stmt: exp.Expression) -> bool:
    """Whether `stmt` calls a function whose rewrite depends on a non-literal argument's type."""
    return bool(_candidates(stmt))


def known_type(node: exp.Expression | None) -> str | None:
    """The BigQuery type `annotate` inferred for `node` (TIMESTAMP, DATE, BYTES, ...), or None."""
    return node.meta.get(TYPE_KEY) if isinstance(node, exp.Expression) and node._meta else None


def typed_like(new: exp.Expression, old: exp.Expression) -> exp.Expression:
    """`new`, a rewrite of `old`, with the type inferred for `old` (an AVG or a division of it
    still knows a NUMERIC: `AVG(TRUNC(n))`)."""
    kind = known_type(old)
    if kind is not None:
        new.meta[TYPE_KEY] = kind
    return new


def composite_type(node: exp.Expression | None) -> str | None:
    """The ARRAY or STRUCT type `annotate` inferred for `node` (`ARRAY<FLOAT64>`), or None."""
    return node.meta.get(COMPOSITE_KEY) if isinstance(node, exp.Expression) and node._meta else None


def annotate(stmt: exp.Expression, schemas: Mapping[str, Mapping[str, Mapping[str, str]]]) -> None:
    """Record on the candidate arguments of `stmt` the types sqlglot infers for them.

    `schemas`: DuckDB schema name ("project.dataset") -> table -> column -> BigQuery type. A
    statement the optimizer cannot follow leaves every type unknown."""
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.annotate_types import annotate_types
    from sqlglot.optimizer.qualify import qualify
    from sqlglot.schema import MappingSchema

    originals = _candidates(stmt) + sum_operands(stmt)
    if _columns_of_one_table(stmt, originals, schemas):
        return
    for i, node in enumerate(originals):
        node.meta[_TAG] = i
    try:
        schema = MappingSchema(dict(schemas), dialect="bigquery", udf_mapping=dict(_BUILTIN_TYPES))
        copy = qualify(
            stmt.copy(),
            schema=schema,
            dialect="bigquery",
            validate_qualify_columns=False,
            quote_identifiers=False,
            identify=False,
        )
        _struct_set_operations_as_values(copy)
        _coerced_float_literals(copy)
        for call in copy.find_all(exp.Anonymous):
            if call.name.lower() in _BUILTIN_TYPES:
                call.set("this", call.name.lower())  # sqlglot looks a function's type up by its exact name
        annotate_types(copy, schema=schema, expression_metadata=googlesql_typing(), dialect="bigquery")
        _annotate_unreached_scopes(copy, schema)
    except (SqlglotError, KeyError, ValueError, TypeError, AttributeError, IndexError, AssertionError):
        return  # the types stay unknown: the rewrites keep their named refusals
    finally:
        for node in originals:
            node.meta.pop(_TAG, None)
    for typed in copy.walk():
        tag = typed.meta.get(_TAG) if typed._meta else None
        if tag is None:
            continue
        kind = _kind_or_none(typed)
        if kind is not None:
            originals[tag].meta[TYPE_KEY] = kind
        if typed.type is not None and typed.type.this in (_T.ARRAY, _T.STRUCT):
            originals[tag].meta[COMPOSITE_KEY] = typed.type.sql("bigquery")


def _struct_set_operations_as_values(copy: exp.Expression) -> None:
    """`ARRAY(SELECT AS STRUCT a, b UNION ALL SELECT AS STRUCT ...)` written as the equivalent
    `ARRAY(SELECT STRUCT(a, b) UNION ALL ...)` in the optimizer's copy: sqlglot types a set
    operation of `SELECT AS STRUCT`s by its first column (`ARRAY<INT64>`), so an UNNEST of it
    would not make the STRUCT's fields columns."""
    for array in copy.find_all(exp.Array):
        query = array.expressions[0].unnest() if len(array.expressions) == 1 else None
        if not isinstance(query, exp.SetOperation):
            continue
        for select in query.find_all(exp.Select):
            if select.args.get("kind") == "STRUCT" and select.find_ancestor(exp.Array) is array:
                select.set("kind", None)
                select.set("expressions", [exp.Struct(expressions=list(select.expressions))])


def _coerced_float_literals(copy: exp.Expression) -> None:
    """The FLOAT64 literals that GoogleSQL coerces to NUMERIC or BIGNUMERIC beside such a value
    (decimalliterals.py) typed so in the optimizer's copy: sqlglot took `SELECT CAST(NULL AS
    NUMERIC) AS v UNION ALL SELECT 1.5` for a FLOAT64 column, so `AVG(v)` over it was DuckDB's
    FLOAT64 average, not the exact NUMERIC one."""
    from .decimalliterals import decimal_literal_types

    coerced = decimal_literal_types(copy)
    for literal in find_all(copy, exp.Literal):
        kind = coerced.get(id(literal))
        if kind is not None:
            to = _T.BIGDECIMAL if kind == "BIGNUMERIC" else _T.DECIMAL
            literal.replace(exp.Cast(this=literal.copy(), to=exp.DataType(this=to)))


@functools.cache
def googlesql_typing() -> dict[Any, Any]:
    """sqlglot's BigQuery typing, with TRUNC typed as ROUND is (INT64 in, FLOAT64 out; NUMERIC
    in, NUMERIC out): sqlglot leaves TRUNC unknown, so `CONCAT(TRUNC(-2.7), '!')` wrote DuckDB's
    `-2.0!` (BigQuery: `-2!`)."""
    from sqlglot.dialects.bigquery import BigQuery
    from sqlglot.typing import annotate_int_as_double

    return {**BigQuery.EXPRESSION_METADATA, exp.Trunc: {"annotator": annotate_int_as_double}}


def _annotate_unreached_scopes(copy: exp.Expression, schema: Any) -> None:
    """Type the SELECTs that sqlglot's annotate_types does not enter as scopes of their own (a
    subquery inside `UNNEST(ARRAY(SELECT ...))`), where a candidate argument is left untyped."""
    from sqlglot.optimizer.annotate_types import annotate_types

    done: set[int] = set()
    for typed in copy.walk():
        if not typed._meta or typed.meta.get(_TAG) is None or _kind_or_none(typed) is not None:
            continue
        inner = typed.find_ancestor(exp.Select)
        if inner is None or inner is copy or id(inner) in done:
            continue
        done.add(id(inner))
        annotate_types(inner, schema=schema, expression_metadata=googlesql_typing(), dialect="bigquery")


def _kind_or_none(node: exp.Expr) -> str | None:
    return _kind(node.type) if node.type is not None else None


def _columns_of_one_table(
    stmt: exp.Expression, args: list[exp.Expression], schemas: Mapping[str, Mapping[str, Mapping[str, str]]]
) -> bool:
    """The common case without the optimizer (which copies and scopes the whole statement): a
    single SELECT over one table whose candidate arguments are all its columns. True when done."""
    if not isinstance(stmt, exp.Select) or not all(isinstance(a, exp.Column) for a in args):
        return False
    tables = find_all(stmt, exp.Table)
    if len(tables) != 1 or any(True for _ in stmt.find_all(exp.Subquery, exp.Unnest, exp.Join, exp.Lateral)):
        return False
    if sum(1 for _ in stmt.find_all(exp.Select)) != 1:
        return False
    table = tables[0]
    columns = {c.lower(): t for c, t in (schemas.get(table.db, {}).get(table.name) or {}).items()}
    names = {table.name.lower(), table.alias_or_name.lower()}
    found = []
    for arg in args:
        assert isinstance(arg, exp.Column)
        t = columns.get(arg.name.lower())
        if t is None or (arg.table and arg.table.lower() not in names):
            return False
        found.append(t)
    for arg, t in zip(args, found, strict=True):
        kind = _kind_of(t)
        if kind is not None:
            arg.meta[TYPE_KEY] = kind
        if t.upper().startswith(("ARRAY<", "STRUCT<")):
            arg.meta[COMPOSITE_KEY] = t
    return True


def _kind(dtype: exp.DataType) -> str | None:
    if dtype.this == _T.RANGE and dtype.expressions:
        return f"RANGE<{dtype.expressions[0].sql('bigquery').upper()}>"
    if dtype.this == _T.ARRAY and dtype.expressions and dtype.expressions[0].this == _T.STRUCT:
        return "ARRAY<STRUCT>"  # an UNNEST whose fields become columns (structs.py)
    if dtype.this == _T.STRUCT and dtype.expressions:
        return dtype.sql("bigquery")  # its fields' positions (setops.positional_struct_columns)
    return KINDS.get(dtype.this)


def _kind_of(type_text: str) -> str | None:
    from sqlglot.errors import SqlglotError

    try:
        return _kind(exp.DataType.build(type_text, dialect="bigquery"))
    except (SqlglotError, ValueError):
        return None


def checked(new: exp.Expression, *operands: tuple[exp.Expression, str]) -> exp.Expression:
    """`new`, guarded by DuckDB checking that each operand has the inferred BigQuery type."""
    return _guarded(
        new,
        [exp.EQ(this=_typeof(value), expression=exp.Literal.string(DUCKDB_TYPEOF[kind])) for value, kind in operands],
    )


def checked_among(new: exp.Expression, value: exp.Expression, typeofs: Iterable[str]) -> exp.Expression:
    """`new`, guarded by DuckDB checking that `value`'s typeof() is one of `typeofs` (or DuckDB's
    NULL type, of an untyped NULL such as the elements of `[NULL]`, which suits every type)."""
    names = [exp.Literal.string(t) for t in (*typeofs, '"NULL"')]
    return _guarded(new, [exp.In(this=_typeof(value), expressions=names)])


def _typeof(value: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this="typeof", expressions=[value.copy()])


def _guarded(new: exp.Expression, conds: list[exp.Expression]) -> exp.Expression:
    message = exp.Literal.string("the local warehouse inferred a wrong argument type; please report this query")
    return exp.Case(
        ifs=[exp.If(this=exp.and_(*conds), true=new)],
        default=exp.Anonymous(this="error", expressions=[message]),
    )


def field_type(field: Mapping[str, Any]) -> str:
    """A BigQuery schema field's type as GoogleSQL writes it (`ARRAY<STRUCT<a INT64>>`)."""
    if field["type"] == "RECORD":
        inner = ", ".join(f"`{f['name']}` {field_type(f)}" for f in field["fields"])
        base = f"STRUCT<{inner}>"
    elif field["type"] == "RANGE":
        base = f"RANGE<{field['rangeElementType']['type']}>"
    elif str(field.get("timestampPrecision") or "") == "12":
        base = "TIMESTAMP(12)"
    else:
        base = field["type"]
    return f"ARRAY<{base}>" if field.get("mode") == "REPEATED" else base


TableTypes = tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...]
"""((project, dataset, table, ((column, BigQuery type), ...)), ...): hashable, for the cache."""


def column_types(con: Any, tables: Iterable[tuple[str, str, str]]) -> TableTypes:
    """The BigQuery column types of `tables` (those that exist) in DuckDB connection `con`."""
    import duckdb

    from .googlesql import duckdb_table, duckdb_type_to_field

    out: list[tuple[str, str, str, tuple[tuple[str, str], ...]]] = []
    for project, dataset, table in dict.fromkeys(tables):
        if table.endswith("*"):
            out += _wildcard_types(con, project, dataset, table)
            continue
        if not table:
            continue
        try:
            # binding the relation reads only the catalog (10x cheaper than duckdb_columns())
            rel = con.table(duckdb_table(project, dataset, table))
            cols = tuple(
                (c, field_type(duckdb_type_to_field(c, t))) for c, t in zip(rel.columns, rel.types, strict=True)
            )
        except (duckdb.Error, KeyError, ValueError):
            continue  # a missing table: the statement's own error comes when it runs
        out.append((project, dataset, table, cols))
    return tuple(out)


def _wildcard_types(con: Any, project: str, dataset: str, pattern: str) -> TableTypes:
    """A wildcard table's column types: those its matching tables agree on (a column whose type
    differs between them stays unknown), and `_TABLE_SUFFIX` (STRING)."""
    import duckdb

    from .googlesql import duckdb_schema

    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? AND starts_with(table_name, ?)",
                [duckdb_schema(project, dataset), pattern[:-1]],
            ).fetchall()
        ]
    except duckdb.Error:
        return ()
    found = column_types(con, [(project, dataset, n) for n in names])
    merged: dict[str, str | None] = {}
    for *_, cols in found:
        for c, t in cols:
            merged[c] = t if merged.get(c, t) == t else None
    cols = tuple((c, t) for c, t in merged.items() if t is not None) + (("_TABLE_SUFFIX", "STRING"),)
    return ((project, dataset, pattern, cols),) if found else ()


def schema_mapping(types: TableTypes) -> dict[str, dict[str, dict[str, str]]]:
    """`column_types`' answer as `annotate`'s schema mapping (keyed by DuckDB schema name)."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for project, dataset, table, cols in types:
        out.setdefault(f"{project}.{dataset}", {})[table] = dict(cols)
    return out
