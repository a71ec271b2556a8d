"""GoogleSQL over TIMESTAMP(12), BigQuery's picosecond timestamps (held as picotimestamps.py says).

Answered exactly: `TIMESTAMP(12)` in DDL column lists and CAST/SAFE_CAST targets (from a STRING,
a TIMESTAMP or a TIMESTAMP(12)); a TIMESTAMP(12) value selected, compared (=, <>, <, <=, >, >=,
BETWEEN, IN, IS NULL; with another TIMESTAMP(12), a TIMESTAMP or a string literal), sorted,
grouped, counted, MIN/MAX/ANY_VALUE/ARRAY_AGG'd, COALESCE/GREATEST/LEAST/IF of TIMESTAMP(12) values,
partitioned by, and cast
to STRING (`2023-01-01 12:00:00.123456789123+00`, fraction digits in groups of three as for a
TIMESTAMP), to TIMESTAMP (its microsecond, rounded down) or to TIMESTAMP(12). Anything else done
to a TIMESTAMP(12) value is refused by name: DuckDB would see the engine's struct.

The types come from sqlglot's optimizer over the statement's tables (as coltypes.py's), asked for
only where the statement names TIMESTAMP(12) or reads a table that has such a column.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from . import picotimestamps as pico
from .googlesql import BigQueryError

_T = exp.DataType.Type
_TAG = "bq_pico_tag"
_KIND = "bq_pico_kind"  # kept on the node (and its copies): TIMESTAMP(12), TIMESTAMP or STRING
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ, exp.Between, exp.In)
_KEEPS_VALUE = (exp.Max, exp.Min, exp.AnyValue, exp.ArrayAgg, exp.Count, exp.Ordered, exp.Group, exp.Distinct)


def unsupported(what: str) -> BigQueryError:
    """The named refusal of something done to a TIMESTAMP(12) value."""
    return BigQueryError(
        f"{what} of a TIMESTAMP(12) value is not supported by the local warehouse",
        fix="cast it to TIMESTAMP (microseconds) or STRING first, or run the query on BigQuery (profile gcp)",
    )


def is_pico_type(dtype: exp.DataType | None) -> bool:
    """Whether a sqlglot type is TIMESTAMP(12)."""
    if dtype is None or dtype.this not in (_T.TIMESTAMPTZ, _T.TIMESTAMP) or not dtype.expressions:
        return False
    return dtype.expressions[0].sql() == "12"


def named(stmt: exp.Expression) -> bool:
    """Whether the statement's text names TIMESTAMP(12); a TIMESTAMP(p) with p other than 6 or 12
    is refused as BigQuery refuses it."""
    found = False
    for dtype in stmt.find_all(exp.DataType):
        if dtype.this in (_T.TIMESTAMPTZ, _T.TIMESTAMP) and dtype.expressions:
            precision = dtype.expressions[0].sql()
            if precision not in pico.PRECISIONS:
                raise BigQueryError(
                    f"TIMESTAMP({precision}): a TIMESTAMP's precision is 6 (microseconds) or 12 (picoseconds)",
                    fix="write TIMESTAMP, TIMESTAMP(6) or TIMESTAMP(12)",
                )
            found = found or precision == "12"
    return found


def rewrite(stmt: exp.Expression, schemas: Mapping[str, Mapping[str, Mapping[str, str]]]) -> None:
    """Write the statement's TIMESTAMP(12) types, casts and comparisons for the engine; refuse
    what else it does to a TIMESTAMP(12) value (see the module's docstring)."""
    _infer(stmt, schemas)
    if isinstance(stmt, exp.Update | exp.Delete | exp.Merge):
        _mark_dml_columns(stmt, schemas)
    for node in list(stmt.walk()):
        if _kind(node) == "TIMESTAMP(12)" and not isinstance(node, exp.DataType | exp.Query):
            _check_use(node)
    for cast in _deepest_first(stmt):
        if _is_pico(cast.this) and not is_pico_type(cast.to):
            _cast_from_pico(cast)
    for cast in _deepest_first(stmt):
        if is_pico_type(cast.to):
            _cast_to_pico(cast)
    if isinstance(stmt, exp.Insert):
        _insert_values(stmt, schemas)
    if isinstance(stmt, exp.Update):
        _update_values(stmt, schemas)
    for dtype in list(stmt.find_all(exp.DataType)):
        if is_pico_type(dtype):
            if not isinstance(dtype.parent, exp.ColumnDef):
                raise BigQueryError(
                    "ARRAY and STRUCT types of TIMESTAMP(12) are not supported by the local warehouse",
                    fix="declare the column TIMESTAMP(12) at the top level, or run the query on BigQuery (profile gcp)",
                )
            dtype.replace(exp.DataType.build(pico.DUCKDB_TYPE, dialect="duckdb"))


def _deepest_first(stmt: exp.Expression) -> list[exp.Cast]:
    casts = list(stmt.find_all(exp.Cast, exp.TryCast))
    return sorted(casts, key=lambda c: -c.depth)


def _infer(stmt: exp.Expression, schemas: Mapping[str, Mapping[str, Mapping[str, str]]]) -> None:
    """Mark the nodes of `stmt` that sqlglot's optimizer types TIMESTAMP(12), TIMESTAMP or STRING."""
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.annotate_types import annotate_types
    from sqlglot.optimizer.qualify import qualify
    from sqlglot.schema import MappingSchema

    originals = list(stmt.walk())
    for i, node in enumerate(originals):
        node.meta[_TAG] = i
    try:
        schema = MappingSchema(dict(schemas), dialect="bigquery")
        copy = qualify(
            stmt.copy(), schema=schema, dialect="bigquery", validate_qualify_columns=False, quote_identifiers=False
        )
        annotate_types(copy, schema=schema, dialect="bigquery")
    except (SqlglotError, KeyError, ValueError, TypeError, AttributeError, IndexError, AssertionError):
        raise BigQueryError(
            "this query over TIMESTAMP(12) values is not supported by the local warehouse (its types could not be "
            "followed)",
            fix="select the TIMESTAMP(12) columns plainly, or run the query on BigQuery (profile gcp)",
        ) from None
    finally:
        for node in originals:
            node.meta.pop(_TAG, None)
    for typed in copy.walk():
        tag = typed.meta.get(_TAG) if typed._meta else None
        if tag is not None and typed.type is not None:
            kind = _kind_of_type(typed.type)
            if kind is not None:
                originals[tag].meta[_KIND] = kind


def _mark_dml_columns(stmt: exp.Expression, schemas: Mapping[str, Mapping[str, Mapping[str, str]]]) -> None:
    """UPDATE, DELETE and MERGE, whose columns sqlglot's optimizer leaves untyped: a column named
    as a TIMESTAMP(12) column of a table the statement reads is taken for one (a same-named
    column of another type is then refused, never answered wrongly)."""
    names = {
        column.lower()
        for tables in schemas.values()
        for columns in tables.values()
        for column, type_text in columns.items()
        if type_text.upper() == "TIMESTAMP(12)"
    }
    for column in stmt.find_all(exp.Column):
        if column.name.lower() in names and _kind(column) is None:
            column.meta[_KIND] = "TIMESTAMP(12)"


def _kind_of_type(dtype: exp.DataType) -> str | None:
    if is_pico_type(dtype):
        return "TIMESTAMP(12)"
    if dtype.this == _T.TIMESTAMPTZ:
        return "TIMESTAMP"
    if dtype.this in (_T.VARCHAR, _T.TEXT):
        return "STRING"
    return None


def _typed(node: exp.Expression, kind: str) -> exp.Expression:
    node.meta[_KIND] = kind
    return node


def _kind(node: exp.Expr) -> str | None:
    """TIMESTAMP(12), TIMESTAMP, STRING, NULL or None (another or an unknown type)."""
    if isinstance(node, exp.Paren):
        return _kind(node.this)
    if isinstance(node, exp.Null):
        return "NULL"
    kind = node.meta.get(_KIND) if node._meta else None
    if kind is None and isinstance(node, exp.Literal) and node.is_string:
        return "STRING"
    return kind


def _is_pico(node: exp.Expr | None) -> bool:
    return isinstance(node, exp.Expr) and _kind(node) == "TIMESTAMP(12)"


# ---------------------------------------------------------------------------------- casts


def _call(name: str, *args: exp.Expr) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def _field(value: exp.Expression, name: str) -> exp.Expression:
    return _call("struct_extract", value.copy(), exp.Literal.string(name))


def _pack(micros: exp.Expression, picos: exp.Expression) -> exp.Expression:
    return _call(
        "struct_pack",
        exp.PropertyEQ(this=exp.to_identifier(pico.MICROS), expression=micros),
        exp.PropertyEQ(this=exp.to_identifier(pico.PICOS), expression=exp.cast(picos, "BIGINT")),
    )


def _literal(text: str, *, safe: bool) -> exp.Expression:
    """A string literal as a TIMESTAMP(12) value, or the error BigQuery gives for bad text."""
    try:
        value = pico.parse(text)
    except (ValueError, OverflowError):
        if safe:
            return exp.cast(exp.null(), exp.DataType.build(pico.DUCKDB_TYPE, dialect="duckdb"))
        raise BigQueryError(
            f"Could not cast literal {text!r} to type TIMESTAMP(12)",
            fix="write a timestamp as YYYY-MM-DD HH:MM:SS with at most twelve fraction digits",
        ) from None
    micros = value[pico.MICROS].strftime("%Y-%m-%d %H:%M:%S.%f+00")
    return _pack(exp.cast(exp.Literal.string(micros), "TIMESTAMPTZ"), exp.Literal.number(value[pico.PICOS]))


def _from_text(text: exp.Expression, *, safe: bool) -> exp.Expression:
    """A STRING expression as a TIMESTAMP(12): its first six fraction digits read as a TIMESTAMP
    (GoogleSQL's own cast of the text), the next six as picoseconds; a seventh to twelfth digit
    past them fails the cast (NULL for SAFE_CAST)."""
    caster = exp.TryCast if safe else exp.Cast
    micros_text = _call(
        "regexp_replace", text.copy(), exp.Literal.string(r"(\.\d{6})\d{1,6}"), exp.Literal.string(r"\1")
    )
    digits = _call(
        "rpad",
        exp.func(
            "coalesce",
            _call("regexp_extract", text.copy(), exp.Literal.string(r"\.\d{6}(\d{1,6})"), exp.Literal.number(1)),
            exp.Literal.string(""),
        ),
        exp.Literal.number(6),
        exp.Literal.string("0"),
    )
    too_long = _call("regexp_matches", text.copy(), exp.Literal.string(r"\.\d{13}"))
    packed = _pack(
        caster(this=micros_text, to=exp.DataType.build("TIMESTAMP", dialect="bigquery")),
        exp.cast(exp.func("nullif", digits, exp.Literal.string("")), "BIGINT"),
    )
    bad: exp.Expression = exp.cast(exp.null(), exp.DataType.build(pico.DUCKDB_TYPE, dialect="duckdb"))
    if not safe:
        bad = _call(
            "error", exp.Literal.string("Invalid timestamp: more than twelve fraction digits for TIMESTAMP(12)")
        )
    return exp.Case(ifs=[exp.If(this=too_long, true=bad)], default=packed)


def _cast_to_pico(node: exp.Cast) -> None:
    safe = isinstance(node, exp.TryCast) or bool(node.args.get("safe"))
    operand = node.this
    kind = _kind(operand)
    if isinstance(operand, exp.Literal) and operand.is_string:
        new = _literal(operand.this, safe=safe)
    elif kind == "NULL":
        new = exp.cast(exp.null(), exp.DataType.build(pico.DUCKDB_TYPE, dialect="duckdb"))
    elif kind == "TIMESTAMP(12)":
        new = operand.copy()
    elif kind == "TIMESTAMP":
        new = _pack(operand.copy(), exp.Literal.number(0))
    elif kind == "STRING":
        new = _from_text(operand, safe=safe)
    else:
        raise BigQueryError(
            "CAST to TIMESTAMP(12) is supported by the local warehouse from a STRING, a TIMESTAMP or a TIMESTAMP(12) "
            "only",
            fix="cast the value to STRING or TIMESTAMP first",
        )
    node.replace(_typed(new, "TIMESTAMP(12)"))


def _cast_from_pico(node: exp.Cast) -> None:
    target = node.to
    value = node.this
    if target.this == _T.TIMESTAMPTZ:
        new, kind = _field(value, pico.MICROS), "TIMESTAMP"
    elif target.this in (_T.VARCHAR, _T.TEXT) and not node.args.get("format"):
        new, kind = _text(value), "STRING"
    else:
        raise unsupported(f"CAST to {target.sql('bigquery')}")
    node.replace(_typed(new, kind))


def _text(value: exp.Expression) -> exp.Expression:
    """CAST(TIMESTAMP(12) AS STRING): `YYYY-MM-DD HH:MM:SS[.fraction]+00`, the fraction's twelve
    digits cut after their last group of three that is not 000."""
    micros = _field(value, pico.MICROS)
    digits = exp.DPipe(
        this=_call("strftime", micros.copy(), exp.Literal.string("%f")),
        expression=_call(
            "lpad", exp.cast(_field(value, pico.PICOS), "VARCHAR"), exp.Literal.number(6), exp.Literal.string("0")
        ),
    )
    cut = _call("regexp_replace", digits, exp.Literal.string("(000)+$"), exp.Literal.string(""))
    fraction = exp.Case(
        ifs=[exp.If(this=exp.EQ(this=cut.copy(), expression=exp.Literal.string("")), true=exp.Literal.string(""))],
        default=exp.DPipe(this=exp.Literal.string("."), expression=cut),
    )
    whole = _call("strftime", micros, exp.Literal.string("%Y-%m-%d %H:%M:%S"))
    return exp.DPipe(this=exp.DPipe(this=whole, expression=fraction), expression=exp.Literal.string("+00"))


# ----------------------------------------------------------------------------------- uses


def _check_use(node: exp.Expr) -> None:
    """Allow, adapt (the other side of a comparison) or refuse what the parent does with a
    TIMESTAMP(12) value `node`."""
    parent = node.parent
    while isinstance(parent, exp.Paren):
        parent = parent.parent
    if parent is None or isinstance(parent, exp.Cast | exp.TryCast):
        return  # a cast's own rewrite decides
    if isinstance(parent, exp.Alias | exp.Select | exp.Subquery | exp.Window | exp.ColumnDef):
        return
    if isinstance(parent, _KEEPS_VALUE) or isinstance(parent, exp.Is):
        return
    if isinstance(parent, exp.Tuple | exp.Values):
        return
    if isinstance(parent, exp.From | exp.Join | exp.SetOperation | exp.CTE | exp.Lateral):
        return  # a query's rows (its columns are checked where they are used)
    if isinstance(parent, exp.Order) and isinstance(parent.parent, exp.ArrayAgg) and parent.this is node:
        return  # ARRAY_AGG(x ORDER BY ...)
    if isinstance(parent, exp.Array) and all(_is_pico(a) or _kind(a) == "NULL" for a in parent.expressions):
        return
    if isinstance(parent, exp.Coalesce | exp.Greatest | exp.Least) and all(
        _is_pico(a) or _kind(a) == "NULL" for a in [parent.this, *parent.expressions]
    ):
        return
    if isinstance(parent, exp.If) and node is not parent.this:
        if all(_is_pico(a) or _kind(a) == "NULL" for a in (parent.args.get("true"), parent.args.get("false")) if a):
            return
    if isinstance(parent, _COMPARISONS):
        _align_comparison(parent)
        return
    raise unsupported(_describe(parent))


def _align_comparison(node: exp.Expression) -> None:
    """The operands of a comparison with a TIMESTAMP(12), each made a TIMESTAMP(12) value."""
    operands = [node.this]
    if isinstance(node, exp.Between):
        operands += [node.args.get("low"), node.args.get("high")]
    elif isinstance(node, exp.In):
        if node.args.get("query") or node.args.get("unnest"):
            raise unsupported("IN with a subquery or UNNEST")
        operands += list(node.expressions)
    else:
        operands.append(node.expression)
    for operand in operands:
        if operand is None:
            continue
        kind = _kind(operand)
        if kind in ("TIMESTAMP(12)", "NULL"):
            continue
        if kind == "STRING" and isinstance(operand, exp.Literal):
            new = _literal(operand.this, safe=False)
        elif kind == "TIMESTAMP":
            new = _pack(operand.copy(), exp.Literal.number(0))
        else:
            raise unsupported(f"A comparison with {operand.sql('bigquery')[:60]}")
        operand.replace(_typed(new, "TIMESTAMP(12)"))


def _insert_values(stmt: exp.Insert, schemas: Mapping[str, Mapping[str, Mapping[str, str]]]) -> None:
    """`INSERT ... VALUES`: a string literal or a TIMESTAMP for a TIMESTAMP(12) column made one."""
    target, values = stmt.this, stmt.expression
    table = target.this if isinstance(target, exp.Schema) else target
    if not isinstance(values, exp.Values) or not isinstance(table, exp.Table):
        return
    columns = schemas.get(table.db, {}).get(table.name) or {}
    named = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else list(columns)
    picos = {i for i, name in enumerate(named) if (columns.get(name) or "").upper() == "TIMESTAMP(12)"}
    for row in values.expressions:
        cells = row.expressions if isinstance(row, exp.Tuple) else [row]
        for i in picos & set(range(len(cells))):
            _set_cell(cells[i])


def _update_values(stmt: exp.Update, schemas: Mapping[str, Mapping[str, Mapping[str, str]]]) -> None:
    """`UPDATE ... SET col = ...`: a string literal or a TIMESTAMP for a TIMESTAMP(12) column made one."""
    table = stmt.this
    if not isinstance(table, exp.Table):
        return
    columns = {c.lower(): t for c, t in (schemas.get(table.db, {}).get(table.name) or {}).items()}
    for assignment in stmt.expressions:
        if not isinstance(assignment, exp.EQ) or not isinstance(assignment.this, exp.Column):
            continue
        if (columns.get(assignment.this.name.lower()) or "").upper() == "TIMESTAMP(12)":
            _set_cell(assignment.expression)


def _set_cell(cell: exp.Expression) -> None:
    """A value written to a TIMESTAMP(12) column: a string literal or a TIMESTAMP made one."""
    if isinstance(cell, exp.Literal) and cell.is_string:
        cell.replace(_typed(_literal(cell.this, safe=False), "TIMESTAMP(12)"))
    elif _kind(cell) == "TIMESTAMP":
        cell.replace(_typed(_pack(cell.copy(), exp.Literal.number(0)), "TIMESTAMP(12)"))


def _describe(node: exp.Expr) -> str:
    """A refused use's name: the function's, else the operation's."""
    if isinstance(node, exp.Array):
        return "ARRAY"
    if isinstance(node, exp.Func):
        return node.sql("bigquery").split("(")[0].strip().upper() or node.sql_name()
    return type(node).__name__.upper()
