"""BIGNUMERIC values at BigQuery's full precision (76.76 digits, 38 after the point) where the
engine's DECIMAL(38, 18) cannot hold them.

The engine's BIGNUMERIC is DuckDB's DECIMAL(38, 18) (DuckDB's widest decimal has 38 digits). A
value beyond it that BigQuery's BIGNUMERIC holds (up to
±5.7896044618658097711785492504343953926634992332820282019728792003956564819967E+38, 38 decimals)
is carried "wide": a DuckDB `STRUCT(__bignumeric BIGNUM)` holding the value times 10^38 as an
arbitrary-precision integer. A struct compares, sorts, groups and DISTINCTs field by field, so
those are exact; and it is opaque: `+(STRUCT, INTEGER)` is DuckDB's binder error, so an operation
nobody wrote for it fails instead of answering a value off by 10^38 (a bare scaled BIGNUM would
mix with integers silently). The field's name is how a result column is known to be BIGNUMERIC
again (`field_of_struct`); results turn it into Arrow's `decimal256(76, 38)` (`decimal_column`).

Served wide so far: a BIGNUMERIC literal, a cast of a string literal to BIGNUMERIC and a named
BIGNUMERIC query parameter that is a bare item (or an aliased one) of the SELECT list of a
top-level SELECT statement; the value comes back exactly through every result path (REST rows,
tabledata.list and the Read API of the query's result, `llmops sql`). Anywhere else such a value
keeps the named refusal (see docs/googlesql.md, "BIGNUMERIC at full precision").
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlglot import exp

if TYPE_CHECKING:
    from .googlesql import BigQueryError

FIELD = "__bignumeric"
DUCKDB_TYPE = f"STRUCT({FIELD} BIGNUM)"
"""The engine's type of a wide BIGNUMERIC, as DuckDB writes it."""
PARAM_TYPE = "BIGNUMERIC(76, 38)"
"""The parameter type the engine gives a named BIGNUMERIC parameter whose value is wide."""
SCALE = 38
MAX = decimal.Decimal("578960446186580977117854925043439539266.34992332820282019728792003956564819967")
MIN = decimal.Decimal("-578960446186580977117854925043439539266.34992332820282019728792003956564819968")
_CONTEXT = decimal.Context(prec=100)
_ENGINE_LIMIT = decimal.Decimal(10) ** 20


class Wide:
    """A named parameter's BIGNUMERIC value beyond the engine's DECIMAL(38, 18), bound as its
    scaled integer's text (`bound`) for `CAST($p AS BIGNUM)`; never a Decimal, so no other path
    binds it by mistake."""

    __slots__ = ("value",)

    def __init__(self, value: decimal.Decimal):
        self.value = value

    def bound(self) -> str:
        return str(scaled(self.value))

    def __repr__(self) -> str:
        return f"Wide({self.value})"


def digits(value: decimal.Decimal) -> tuple[int, int]:
    """(integer digits, decimal digits) of a finite value, trailing zeros after the point dropped."""
    _, digit_tuple, exponent = value.as_tuple()  # not normalize(): it rounds to 28 digits
    assert isinstance(exponent, int)
    kept = list(digit_tuple)
    while exponent < 0 and len(kept) > 1 and kept[-1] == 0:
        kept.pop()
        exponent += 1
    return max(0, len(kept) + exponent), max(0, -exponent)


def fits_engine(value: decimal.Decimal) -> bool:
    """Whether the engine's DECIMAL(38, 18) holds a finite value exactly."""
    integers, decimals = digits(value)
    return decimals <= 18 and integers <= 20


def holds(value: decimal.Decimal) -> bool:
    """Whether BigQuery's BIGNUMERIC holds a value exactly (finite, 38 decimals at most, in range)."""
    if not value.is_finite():
        return False
    return digits(value)[1] <= SCALE and MIN <= value <= MAX


def is_wide(value: decimal.Decimal) -> bool:
    """A value BigQuery's BIGNUMERIC holds that the engine's DECIMAL(38, 18) does not."""
    return holds(value) and not fits_engine(value)


def scaled(value: decimal.Decimal) -> int:
    """The value times 10^38 (exact for a value `holds` accepts)."""
    return int(value.scaleb(SCALE, context=_CONTEXT))


def unscaled(number: int) -> decimal.Decimal:
    return decimal.Decimal(number).scaleb(-SCALE, context=_CONTEXT)


def literal_node(value: decimal.Decimal) -> exp.Expression:
    """The engine's wide value of a constant, `{'__bignumeric': CAST('<value * 10^38>' AS BIGNUM)}`."""
    return _struct(exp.Literal.string(str(scaled(value))))


def parameter_node(parameter: exp.Expression) -> exp.Expression:
    """The engine's wide value of a parameter bound as `Wide.bound()`."""
    return _struct(parameter)


def _struct(text: exp.Expression) -> exp.Expression:
    bignum = exp.DataType.build("BIGNUM", udt=True)
    return exp.Struct(
        expressions=[exp.PropertyEQ(this=exp.to_identifier(FIELD, quoted=True), expression=exp.cast(text, bignum))]
    )


def is_top_level_item(node: exp.Expression, stmt: exp.Expression) -> bool:
    """Whether `node` is an item of the SELECT list of the top-level SELECT statement `stmt`, bare
    or aliased: where a wide value is served."""
    parent = node.parent
    if isinstance(parent, exp.Alias) and node.arg_key == "this":
        node, parent = parent, parent.parent
    plain = isinstance(stmt, exp.Select) and not stmt.args.get("kind")  # not SELECT AS STRUCT / VALUE
    return plain and parent is stmt and node.arg_key == "expressions"


def unsupported(where: str) -> BigQueryError:
    """The named refusal of a wide BIGNUMERIC value used other than as a selected value."""
    from .googlesql import BigQueryError

    return BigQueryError(
        f"{where}: a BIGNUMERIC value beyond DECIMAL(38, 18) (more than 20 integer or 18 decimal digits) "
        "is supported by the local warehouse only as a value the top-level SELECT list returns; "
        "computing with it, comparing, storing or passing it on is not supported by the local warehouse",
        fix="keep BIGNUMERIC values within 20 integer and 18 decimal digits here, or run the query on BigQuery",
    )


def wide_parameters(
    params: Mapping[str, Any] | Any, param_types: Mapping[str, str] | None
) -> tuple[Any, Mapping[str, str] | None]:
    """Named Decimal parameters (of type BIGNUMERIC or untyped) that the engine's DECIMAL(38, 18)
    cannot hold and BigQuery's BIGNUMERIC does: typed `PARAM_TYPE`, the value a `Wide`."""
    if not isinstance(params, Mapping):
        if isinstance(params, list | tuple) and any(isinstance(v, decimal.Decimal) and is_wide(v) for v in params):
            raise unsupported("a positional query parameter")  # bound untyped, it would be a DOUBLE
        return params, param_types
    types = dict(param_types or {})
    out = dict(params)
    changed = False
    for name, value in params.items():
        if not isinstance(value, decimal.Decimal) or types.get(name, "BIGNUMERIC").upper() != "BIGNUMERIC":
            continue
        if is_wide(value):
            out[name], types[name], changed = Wide(value), PARAM_TYPE, True
    return (out, types) if changed else (params, param_types)


# ------------------------------------------------------------------------------ results


def field_of_struct(name: str, dtype: Any, nullable: bool) -> dict[str, Any] | None:
    """The BIGNUMERIC schema field of the engine's wide struct type, else None."""
    children = getattr(dtype, "children", None) or []
    if [n for n, _ in children] != [FIELD]:
        return None
    return {"name": name, "type": "BIGNUMERIC", "mode": "NULLABLE" if nullable else "REQUIRED"}


def arrow_type() -> Any:
    import pyarrow as pa

    return pa.decimal256(76, SCALE)


def is_wide_column(typ: Any) -> bool:
    """Whether an Arrow type is the engine's wide struct (as DuckDB exports it)."""
    import pyarrow as pa

    return pa.types.is_struct(typ) and typ.num_fields == 1 and typ.field(0).name == FIELD


def decimal_columns(table: Any) -> Any:
    """An Arrow table with each wide struct column as `decimal256(76, 38)` (nulls kept)."""
    import pyarrow as pa

    for i, field in enumerate(table.schema):
        if is_wide_column(field.type):
            table = table.set_column(
                i, pa.field(field.name, arrow_type(), field.nullable), decimal_column(table.column(i))
            )
    return table


def decimal_column(column: Any) -> Any:
    """A column of the engine's wide structs as `decimal256(76, 38)`. Its buffers are written
    directly: a value of 39 integer digits (BigQuery's BIGNUMERIC reaches 5.8e38) is past the
    type's 76 digits of precision, which `pa.array` would refuse though 256 bits hold it."""
    import pyarrow as pa

    out = []
    for chunk in column.chunks if hasattr(column, "chunks") else [column]:
        valid = chunk.is_valid().to_pylist()
        raws = _storage(chunk.field(0)).to_pylist()
        data = b"".join(
            (_bignum_int(raw) if ok and raw is not None else 0).to_bytes(32, "little", signed=True)
            for ok, raw in zip(valid, raws, strict=True)
        )
        nulls = None if all(valid) else pa.array(valid, pa.bool_()).buffers()[1]
        out.append(pa.Array.from_buffers(arrow_type(), len(valid), [nulls, pa.py_buffer(data)]))
    return pa.chunked_array(out, type=arrow_type())


def narrow_columns(table: Any) -> Any:
    """An Arrow table to store: each top-level `decimal256` column (a query's wide BIGNUMERIC, a
    load's) as the engine's DECIMAL(38, 18), `decimal128(38, 18)`, where every value fits it
    exactly; a value that does not is the named refusal (DuckDB reads no decimal256)."""
    import pyarrow as pa

    for i, field in enumerate(table.schema):
        if pa.types.is_decimal256(field.type):
            try:
                column = table.column(i).cast(pa.decimal128(38, 18))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise unsupported(f"storing column {field.name}") from None
            table = table.set_column(i, pa.field(field.name, column.type, field.nullable), column)
    return table


def _storage(array: Any) -> Any:
    return array.storage if hasattr(array, "storage") else array


def _bignum_int(raw: bytes) -> int:
    """DuckDB's BIGNUM bytes: a 3-byte header (bit 23 set for a positive value, then the number of
    data bytes), then the magnitude big-endian; a negative value has every byte inverted."""
    negative = not raw[0] & 0x80
    data = bytes(b ^ 0xFF for b in raw[3:]) if negative else raw[3:]
    magnitude = int.from_bytes(data, "big")
    return -magnitude if negative else magnitude


# ------------------------------------------------------------------------------ table columns
#
# A BIGNUMERIC table column stays the engine's DECIMAL(38, 18) until a write (insertAll, a
# JSON/CSV/Parquet/Avro/Arrow load) brings a value it cannot hold; then the column becomes wide
# (`DUCKDB_TYPE`, its values widened exactly) and every later write widens its values. A table
# with a wide column is read only as a top-level SELECT whose only uses of the wide column are
# bare items or `*` (tabledata.list, the Read API, `SELECT * FROM t`); any other statement over
# it is the named refusal (`check_reads`). See docs/googlesql.md, "BIGNUMERIC at full precision".

_QUANTUM = decimal.Decimal(1).scaleb(-SCALE)
_WIDEN_SQL = (
    "CASE WHEN {c} IS NULL THEN NULL ELSE {{'" + FIELD + "': "
    "CAST(replace(CAST({c} AS VARCHAR), '.', '') || '00000000000000000000' AS BIGNUM)}} END"
)
"""A DECIMAL(38, 18) column's values as the wide struct: DuckDB writes every one of the 18
decimals, so the digits with 20 zeros appended are the value times 10^38."""


def stored_value(value: decimal.Decimal, *, nested: bool) -> decimal.Decimal:
    """A BIGNUMERIC value a row writes (insertAll, JSON and CSV loads): rounded half away from zero
    to 38 decimals as BigQuery does; a ValueError where BigQuery's BIGNUMERIC does not hold it. The
    named refusal where the engine cannot store it: inside a RECORD or ARRAY. A value of 39 integer
    digits (to 5.8e38) is stored: `table_from_rows` writes its 256 bits past Arrow's 76 digits."""
    rounded = value.quantize(_QUANTUM, rounding=decimal.ROUND_HALF_UP, context=_CONTEXT)
    if not holds(rounded):
        raise ValueError(value)
    if fits_engine(rounded):
        return rounded.quantize(decimal.Decimal(1).scaleb(-18), context=_CONTEXT)
    if nested:
        raise unsupported("a value inside a RECORD or ARRAY column")
    return rounded


def table_from_rows(rows: list[dict[str, Any]], schema: Any) -> Any:
    """`pa.Table.from_pylist(rows, schema=schema)` for rows a write built (insertAll, JSON and CSV
    loads), where a top-level BIGNUMERIC column (`decimal256(76, 38)`) may hold a value of 39
    integer digits (BigQuery's BIGNUMERIC reaches 5.8e38): `pa.array` refuses its 77 digits though
    256 bits hold it, so such a column's buffers are written directly, as `decimal_column` does."""
    import pyarrow as pa

    try:
        return pa.Table.from_pylist(rows, schema=schema)
    except pa.ArrowInvalid:
        wide = [i for i, f in enumerate(schema) if f.type == arrow_type()]
        if not wide:
            raise
    columns = []
    for i, field in enumerate(schema):
        values = [row.get(field.name) for row in rows]
        if i not in wide:
            columns.append(pa.array(values, field.type))
            continue
        data = b"".join((0 if v is None else scaled(v)).to_bytes(32, "little", signed=True) for v in values)
        nulls = pa.array([v is not None for v in values], pa.bool_()).buffers()[1]
        columns.append(pa.Array.from_buffers(arrow_type(), len(values), [nulls, pa.py_buffer(data)]))
    return pa.Table.from_arrays(columns, schema=schema)


def write_arrow_type(field: dict[str, Any], base: Any) -> Any:
    """The Arrow type of a row-built column to write: a top-level BIGNUMERIC carries 38 decimals."""
    return arrow_type() if field.get("type") == "BIGNUMERIC" and field.get("mode") != "REPEATED" else base


def fit_to_table(con: Any, target: str, dataset: str, table_name: str, data: Any) -> Any:
    """Arrow data to insert into the DuckDB table `target` (an engine-quoted name), `table_name` of
    `dataset`: a
    `decimal256` column that fits DECIMAL(38, 18) narrowed; one that does not, written into a
    BIGNUMERIC column, makes that column wide (ALTER TABLE, each value widened exactly); every
    decimal column written into a wide column becomes the struct of its scaled integer's text
    (DuckDB casts it to BIGNUM on the INSERT)."""
    import duckdb
    import pyarrow as pa

    decimals = [i for i, f in enumerate(data.schema) if pa.types.is_decimal(f.type)]
    if not decimals:
        return data
    rel = con.table(target)
    types = {n.lower(): str(t) for n, t in zip(rel.columns, rel.types, strict=True)}
    for i in decimals:
        field = data.schema.field(i)
        column = data.column(i)
        kind = types.get(field.name.lower())
        if kind == "DECIMAL(38,18)" and field.type != pa.decimal128(38, 18):
            try:
                narrowed = column.cast(pa.decimal128(38, 18))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                check_no_readers(con, dataset, table_name, field.name)
                name = next(n for n in rel.columns if n.lower() == field.name.lower())
                try:
                    con.execute(widen_column_sql(target, name))
                except duckdb.Error:  # a parameterized BIGNUMERIC(P, S): DuckDB keeps its CHECK on the column
                    con.execute(rebuild_sql(con, target, name))
                kind = DUCKDB_TYPE
            else:
                data = data.set_column(i, pa.field(field.name, narrowed.type, field.nullable), narrowed)
                continue
        if kind == DUCKDB_TYPE:
            texts = pa.array(
                [None if v is None else {FIELD: str(scaled(v))} for v in column.to_pylist()],
                pa.struct([(FIELD, pa.string())]),
            )
            data = data.set_column(i, pa.field(field.name, texts.type, field.nullable), texts)
    return narrow_columns(data)


def widen_column_sql(target: str, column: str) -> str:
    """The ALTER that makes column `column` of the DuckDB table `target` (an engine-quoted name)
    wide, each DECIMAL(38, 18) value widened exactly."""
    quoted = '"' + column.replace('"', '""') + '"'
    return f"ALTER TABLE {target} ALTER COLUMN {quoted} SET DATA TYPE {DUCKDB_TYPE} USING {_WIDEN_SQL.format(c=quoted)}"


REBUILD = "-- widen by rebuilding\t"
"""A `Statement.widen` entry for a column with a CHECK: the table and column, its SQL written
when it runs (`rebuild_sql`), after any other column of the statement was widened."""
_REBUILT = "__bnw_rebuild"
_PARAMETERS = re.compile(r"for BIGNUMERIC\((\d+)(?:, (\d+))?\)")
_MESSAGE = re.compile(r"\"?error\"?\('((?:[^']|'')*)'\)")


def rebuild_entry(target: str, column: str) -> str:
    return f"{REBUILD}{target}\t{column}"


def rebuild_sql(con: Any, target: str, column: str) -> str:
    """The statements that make a parameterized `BIGNUMERIC(P, S)` column of the DuckDB table
    `target` (an engine-quoted name) wide. DuckDB cannot change the type of a column a CHECK
    names, so the table is rebuilt: renamed, created again from its own DDL with the column's
    type the struct and its range CHECK rewritten for the struct (BigQuery's error past 10^(P-S);
    a value with more than S decimals, which BigQuery rounds, the named refusal), filled with its
    rows (the column widened exactly), the old one dropped. The named refusal where the DDL is
    not as the engine writes it."""
    schema_name, table_name = _schema_and_table(target)
    schema = _quoted(schema_name)
    info = con.execute(
        "SELECT sql FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ? "
        "AND table_name = ?",
        [schema_name, table_name],
    ).fetchall()
    if len(info) != 1:
        raise constrained(column, table_name)
    ddl = info[0][0]
    checks = _checks(con, schema_name, table_name)
    own = [text for text, names in checks if names and all(n.lower() == column.lower() for n in names)]
    parameters = [m for m in (_PARAMETERS.search(t) for t in own) if m]
    messages = [m for m in (_MESSAGE.search(t) for t in own) if m]
    quoted = _quoted(column)
    definitions = [f"{name} DECIMAL(38,18)" for name in ({column, quoted} if column.isidentifier() else {quoted})]
    found = [d for d in definitions if ddl.count(f"({d},") + ddl.count(f", {d},") + ddl.count(f", {d})") == 1]
    if len(own) != 1 or len(parameters) != 1 or len(messages) != 1 or len(found) != 1 or f", {own[0]}" not in ddl:
        raise constrained(column, table_name)
    precision, scale = int(parameters[0].group(1)), int(parameters[0].group(2) or 0)
    limit = 10 ** (precision - scale + SCALE)
    value = f"{quoted}.{FIELD}"
    decimals = SCALE - scale
    rounding = (
        f"WHEN {value} <> 0 AND NOT regexp_matches(CAST({value} AS VARCHAR), '0{{{decimals}}}$') THEN "
        f"error('Field {column.replace(chr(39), chr(39) * 2)}: a value of more than {scale} decimals, which BigQuery "
        f"rounds to BIGNUMERIC({precision}, {scale}), is not supported by the local warehouse in a column "
        "holding a BIGNUMERIC value beyond DECIMAL(38, 18)') "
        if decimals
        else ""
    )
    check = (
        f"CHECK(CASE WHEN {quoted} IS NULL THEN true WHEN {value} >= CAST('{limit}' AS BIGNUM) OR "
        f"{value} <= CAST('-{limit}' AS BIGNUM) THEN error('{messages[0].group(1)}') {rounding}ELSE true END)"
    )
    created = ddl.replace(found[0], f"{found[0].rsplit(' ', 1)[0]} {DUCKDB_TYPE}", 1).replace(f", {own[0]}", "", 1)
    created = created.rstrip().rstrip(";").rstrip()
    assert created.endswith(")")
    created = f"{created[:-1]}, {check})"
    rel = con.table(target)
    items = ", ".join(
        _WIDEN_SQL.format(c=q) if n.lower() == column.lower() else q
        for n in rel.columns
        for q in ['"' + n.replace('"', '""') + '"']
    )
    old = f"{schema}.{_REBUILT}"
    return (
        f"ALTER TABLE {target} RENAME TO {_REBUILT}; {created}; "
        f"INSERT INTO {target} SELECT {items} FROM {old}; DROP TABLE {old}"
    )


def has_check(con: Any, schema: str, table: str, column: str) -> bool:
    """Whether a CHECK names only column `column` of DuckDB table `schema`.`table` (a
    parameterized type's, typeparams.py)."""
    return any(names and all(n.lower() == column.lower() for n in names) for _, names in _checks(con, schema, table))


def _checks(con: Any, schema: str, table: str) -> list[tuple[str, list[str]]]:
    return con.execute(
        "SELECT constraint_text, constraint_column_names FROM duckdb_constraints() WHERE database_name = "
        "current_database() AND schema_name = ? AND table_name = ? AND constraint_type = 'CHECK'",
        [schema, table],
    ).fetchall()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _schema_and_table(target: str) -> tuple[str, str]:
    """The schema and table names of an engine-quoted `"schema"."table"`."""
    m = re.fullmatch(r'"((?:[^"]|"")*)"\."((?:[^"]|"")*)"', target)
    if m is None:
        raise unsupported(f"widening a column of {target}")
    return m.group(1).replace('""', '"'), m.group(2).replace('""', '"')


def constrained(column: str, table: str) -> BigQueryError:
    """The refusal of widening a parameterized BIGNUMERIC(P, S) column (DuckDB keeps its CHECK)."""
    return unsupported(f"storing column {column} of table {table} (a column with a constraint)")


def check_no_readers(con: Any, dataset: str, table: str, column: str) -> None:
    """Refuse by name to widen a column of `table` that a view or a table function reads (found
    in their text): their statements were translated for a DECIMAL(38, 18) and would meet the
    struct (a cast to STRING would be its text)."""
    texts = con.execute(
        "SELECT sql FROM duckdb_views() WHERE NOT internal UNION ALL SELECT CAST(macro_definition AS VARCHAR) "
        "FROM duckdb_functions() WHERE NOT internal AND function_type IN ('macro', 'table_macro')"
    ).fetchall()
    # DuckDB's text of a view names its tables "project.dataset".table
    named = re.compile(re.escape(dataset) + r'"?\s*\.\s*"?' + re.escape(table) + r"(?![\w$-])", re.IGNORECASE)
    found = any(text and named.search(text) for (text,) in texts)
    if found:
        raise unsupported(f"storing column {column} of table {table} (a view or table function reads it)")


_BODIES = re.compile(r"\b(?:FUNCTION|PROCEDURE)\b", re.IGNORECASE)


def check_bodies(con: Any, sql: str, dataset: str | None) -> None:
    """Refuse by name a statement that defines a function, table function or procedure whose text
    names a table with a wide column: its body's reads are not among the statement's tables, and
    it would meet the struct when called (a cast to STRING would be its text). `dataset`: the
    statement's default dataset."""
    if _BODIES.search(sql):
        check_names(con, sql, "a function or procedure", dataset)


def check_names(con: Any, text: str, what: str, dataset: str | None) -> None:
    """Refuse by name `what` (a routine's body, `text`) that names a table with a wide column: its
    name and its dataset's (or the table's name alone in the default `dataset`)."""
    from .googlesql import split_schema

    rows = con.execute(
        "SELECT DISTINCT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = current_database() AND data_type = ?",
        [DUCKDB_TYPE],
    ).fetchall()
    for schema, table, column in rows:
        parts = split_schema(schema)
        if parts is None or not _named(table, text):
            continue
        if parts[1] == dataset or _named(parts[1], text):
            raise unsupported(f"{what} over column {table}.{column}, which holds one,")


def _named(name: str, text: str) -> bool:
    return re.search(r"(?<![\w$-])" + re.escape(name) + r"(?![\w$-])", text, re.IGNORECASE) is not None


def check_reads(sql: str, wide: Mapping[str, set[str]]) -> None:
    """Refuse by name a statement over a table with a wide column (`wide`: lower-case table name ->
    its wide columns, lower case) unless it is one top-level SELECT that reads such tables in its
    own FROM and uses their wide columns only as bare (or aliased) items of its SELECT list or
    through `*`: DuckDB's struct would meet anything else (`CAST(b AS STRING)` would be its text)."""
    import sqlglot
    from sqlglot.errors import SqlglotError

    def refuse() -> BigQueryError:
        held = ", ".join(f"{t}.{c}" for t in sorted(wide) for c in sorted(wide[t]))
        return unsupported(f"column {held} holds one")

    try:
        statements = [s for s in sqlglot.parse(sql, read="bigquery") if s is not None]
    except SqlglotError:
        raise refuse() from None
    if len(statements) != 1:
        raise refuse()
    stmt = statements[0]
    if isinstance(stmt, exp.Drop | exp.TruncateTable) or (isinstance(stmt, exp.Create) and not stmt.expression):
        return  # reads no value
    if not isinstance(stmt, exp.Select) or stmt.args.get("kind") or stmt.args.get("with_"):
        raise refuse()
    columns = set().union(*wide.values())
    names = set(wide)
    for table in stmt.find_all(exp.Table):
        names.add(table.name.lower())
        if table.alias:
            names.add(table.alias.lower())
        if table.name.lower() not in wide:
            continue
        parent = table.parent
        if not (isinstance(parent, exp.From | exp.Join) and parent.parent is stmt):
            raise refuse()
    for column in stmt.find_all(exp.Column):
        name = column.name.lower()
        if name in names and not column.table:
            raise refuse()  # the table's row as a value (`SELECT t FROM t`, `TO_JSON_STRING(t)`)
        if name in columns and not is_top_level_item(column, stmt):
            raise refuse()
