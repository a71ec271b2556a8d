"""Anonymous STRUCT values as BigQuery builds them.

GoogleSQL's tuple syntax `(a, b)` is a STRUCT wherever a value is expected (a select item, an
array element, a function argument), and a STRUCT field without a name is reported as
`_field_1`, `_field_2`, ... (its 1-based position); stored into a STRUCT column (INSERT) it takes the
column's field names by position. sqlglot leaves a tuple as DuckDB's unnamed
row, which the result encoding cannot type, and names anonymous fields `_0`, `_1`.
Comparisons (`(a, b) = (1, 2)`, `IN`), `VALUES` rows and `GROUP BY` lists keep their tuples.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from sqlglot import exp

from .census import find_all


def _struct_cast_above(node: exp.Expression) -> bool:
    """Whether a CAST to a STRUCT type (or an array of them) encloses `node`: sqlglot builds that
    struct by position (`ROW(...)`), which needs the fields left unnamed."""
    cast = node.find_ancestor(exp.Cast)
    return cast is not None and any(t.is_type(exp.DataType.Type.STRUCT) for t in cast.to.find_all(exp.DataType))


def _value_position(node: exp.Tuple) -> bool:
    parent = node.parent
    if isinstance(parent, exp.Alias):
        return isinstance(parent.parent, exp.Select)
    return isinstance(parent, exp.Array | exp.Select | exp.Struct | exp.PropertyEQ) or (
        isinstance(parent, exp.Func) and not isinstance(parent, exp.Values)
    )


def _explode_unnest(parent: exp.Expr | None) -> None:
    # sqlglot's parser marks an UNNEST of an array of STRUCTs so that its fields become columns;
    # it sees a tuple's array as untyped
    if isinstance(parent, exp.Array) and isinstance(parent.parent, exp.Unnest):
        parent.parent.set("explode_array", True)


def _field_named(expr: exp.Expression) -> bool:
    # sqlglot takes a field's name from `x AS name` and from a column path (`t.col` is `col`)
    return isinstance(expr, exp.PropertyEQ) or isinstance(expr.this, exp.Identifier)


def _name_of(expr: exp.Expression) -> exp.Identifier:
    return expr.this if isinstance(expr, exp.PropertyEQ) else exp.to_identifier(expr.name)


def _inherit_field_names(array: exp.Array) -> None:
    """`[STRUCT(1 AS a), (2)]`: an array's element type is its first STRUCT's, names included."""
    first = array.expressions[0] if array.expressions else None
    if not isinstance(first, exp.Struct) or not all(_field_named(e) for e in first.expressions):
        return
    names = [_name_of(e) for e in first.expressions]
    for struct in array.expressions[1:]:
        if isinstance(struct, exp.Struct) and len(struct.expressions) == len(names):
            struct.set(
                "expressions",
                [
                    e if _field_named(e) else exp.PropertyEQ(this=names[i].copy(), expression=e.copy())
                    for i, e in enumerate(struct.expressions)
                ],
            )


def _value_query(select: exp.Select) -> bool:
    """Whether `select` (maybe one input of a set operation) gives a value inside an expression
    (`ARRAY(...)`, a scalar subquery), not the rows of a statement, FROM item or WITH clause."""
    node: exp.Expression = select
    while isinstance(node.parent, exp.SetOperation):
        node = node.parent
    parent = node.parent
    if isinstance(parent, exp.Subquery):
        parent = parent.parent
    return parent is not None and not isinstance(parent, exp.From | exp.Join | exp.CTE | exp.With)


def rewrite_anonymous_structs(stmt: exp.Expression) -> None:
    """Tuples in value positions become STRUCTs, and unnamed STRUCT fields get BigQuery's names."""
    while todo := [t for t in find_all(stmt, exp.Tuple) if _value_position(t) and not _struct_cast_above(t)]:
        # again until none is left: a tuple in a tuple, ((1, 2), 3), is in a value position once
        # the outer one is a STRUCT
        for node in reversed(todo):
            parent = node.parent
            node.replace(exp.Struct(expressions=[e.copy() for e in node.expressions]))
            _explode_unnest(parent)
    for select in find_all(stmt, exp.Select):
        if select.args.get("kind") == "STRUCT" and _value_query(select):
            # `ARRAY(SELECT AS STRUCT 1, 2)`: sqlglot would name the anonymous fields `_0`, `_1`
            select.set(
                "expressions",
                [
                    e
                    if isinstance(e, exp.Alias | exp.Star) or _field_named(e) or e.find(exp.Star)
                    else exp.alias_(e.copy(), f"_field_{i + 1}")
                    for i, e in enumerate(select.expressions)
                ],
            )
    # innermost first: naming a STRUCT's fields copies them, so an inner STRUCT is named before
    for array in reversed(find_all(stmt, exp.Array)):
        _inherit_field_names(array)
    for struct in reversed(find_all(stmt, exp.Struct)):
        if _struct_cast_above(struct) or all(_field_named(e) for e in struct.expressions):
            continue
        if _meets_another_value(struct) and not any(_field_named(e) for e in struct.expressions):
            # compared with, or one of the results beside, a value whose fields have names: an
            # unnamed ROW takes them by position, as BigQuery does, where a STRUCT of `_field_N`
            # names would meet the other by name (`CASE s WHEN STRUCT(1, 2)` never matched)
            struct.replace(exp.Anonymous(this="ROW", expressions=[e.copy() for e in struct.expressions]))
            continue
        if isinstance(stmt, exp.Insert) and not any(_field_named(e) for e in struct.expressions):
            # a value for a STRUCT column takes the column's field names by position: DuckDB's
            # unnamed ROW casts so, a STRUCT with other field names does not
            struct.replace(exp.Anonymous(this="ROW", expressions=[e.copy() for e in struct.expressions]))
            continue
        fields = [
            e if _field_named(e) else exp.PropertyEQ(this=exp.to_identifier(f"_field_{i + 1}"), expression=e.copy())
            for i, e in enumerate(struct.expressions)
        ]
        struct.set("expressions", fields)


def positional_struct_values(stmt: exp.Expression) -> None:
    """STRUCTs that meet another STRUCT type by position, as in GoogleSQL, where DuckDB matches
    named fields by name: the later elements of an array literal (`[(x, b), (y, NOT b)]` took
    the union of both elements' names), the value of a typed constructor (`STRUCT<a INT64, b
    STRING>(1, NULL)`) and the value a CAST to a STRUCT type converts (`CAST(STRUCT(1 AS b) AS
    STRUCT<a INT64>)` was an error). SAFE_CAST to a STRUCT type is NULL where a field fails to
    convert (`_whole_or_null`)."""
    from .setops import unname

    for dt in stmt.find_all(exp.DataType):
        _name_anonymous_fields(dt)
    for array in stmt.find_all(exp.Array):
        # after the first value that brings names (a NULL brings none)
        values = [e for e in array.expressions if not isinstance(e, exp.Null)]
        for element in values[1:]:
            unname(element)
    for cast in reversed(find_all(stmt, exp.Cast, exp.TryCast)):  # inner casts first
        value = cast.this
        if isinstance(value, exp.Struct | exp.Array):
            unname(value)
        types = _field_types(cast.to)
        _text_fields(cast.this, types, type(cast))
        tried = isinstance(cast, exp.TryCast) and isinstance(value, exp.Struct | exp.Tuple)
        if tried and types and value.find(exp.Query) is None:  # (DuckDB takes no subquery in a lambda)
            cast.replace(_whole_or_null(value, cast.copy(), len(types)))
        elif _whole_value(value) and _field_types(cast.to) is not None:
            cast.replace(_once(value, partial(_positional_cast, to=cast.to, kind=type(cast))))
        elif _whole_value(value) and _struct_elements(cast.to) is not None:
            cast.replace(_once(value, partial(_positional_elements, to=cast.to, kind=type(cast))))


def _whole_value(value: exp.Expression) -> bool:
    """A STRUCT (or ARRAY) value that no constructor in the query spells out: a column, a field, a
    query parameter or script variable, a function's result, another cast's."""
    if isinstance(value, exp.Struct | exp.Tuple | exp.Array | exp.Null | exp.Literal):
        return False
    return not (isinstance(value, exp.Anonymous) and str(value.this).upper() == "ROW")


def _once(value: exp.Expression, body: Callable[[exp.Expression], exp.Expression]) -> exp.Expression:
    """`body(value)`, a computed value bound once (it is read once per field), where DuckDB
    allows (no subquery in a lambda)."""
    if isinstance(value, exp.Column | exp.Dot | exp.Parameter | exp.Placeholder) or value.find(exp.Query):
        return body(value)
    from .boundvalues import bound_once

    return bound_once(value, body)


def _name_anonymous_fields(dt: exp.DataType) -> None:
    """`STRUCT<INT64, STRING>`: fields without a name are `_field_1`, `_field_2`, ... (DuckDB's
    STRUCT type needs names; a value meets the type by position, so the names are BigQuery's)."""
    if dt.is_type(exp.DataType.Type.STRUCT) and any(isinstance(f, exp.DataType) for f in dt.expressions):
        dt.set(
            "expressions",
            [
                exp.ColumnDef(this=exp.to_identifier(f"_field_{i + 1}"), kind=f.copy())
                if isinstance(f, exp.DataType)
                else f
                for i, f in enumerate(dt.expressions)
            ],
        )


def _positional_cast(value: exp.Expression, to: exp.DataType, kind: type[exp.Cast | exp.TryCast]) -> exp.Expression:
    """`CAST(value AS to)` of a STRUCT value (no constructor) to a STRUCT type, field by position."""
    types = _field_types(to) or []
    fields: list[exp.Expression] = []
    for i, t in enumerate(types):
        field: exp.Expression = exp.Anonymous(
            this="struct_extract_at", expressions=[value.copy(), exp.Literal.number(i + 1)]
        )
        if _field_types(t) is not None:
            field = _positional_cast(field, t, kind)
        elif _is_text(t):
            field = _as_text(field, t, kind)
        fields.append(field)
    row: exp.Expression = kind(this=exp.Anonymous(this="ROW", expressions=fields), to=to.copy())
    null = exp.Is(this=value.copy(), expression=exp.Null())
    if kind is exp.TryCast:
        row = _whole_or_null(value, row, len(types))
    return exp.Case(ifs=[exp.If(this=null, true=kind(this=exp.Null(), to=to.copy()))], default=row)


def _is_text(t: exp.DataType) -> bool:
    return t.is_type(exp.DataType.Type.VARCHAR, exp.DataType.Type.TEXT)


def _as_text(field: exp.Expression, t: exp.DataType, kind: type[exp.Cast | exp.TryCast]) -> exp.Expression:
    """A NUMERIC, BIGNUMERIC or FLOAT64 field cast to a STRING field as CAST(x AS STRING) writes it
    (1.50 as "1.5", 1.0 as "1"; DuckDB's STRUCT cast kept its own text, "1.500000000"). A field of
    another type keeps DuckDB's text (CAST AS STRING's full dispatch by type, copied into every
    field, made a TO_JSON_STRING of the cast eight times longer)."""
    from .formats import float_text, numeric_text
    from .semantics import case, type_is

    decimal = exp.Like(
        this=exp.Anonymous(this="typeof", expressions=[field.copy()]), expression=exp.Literal.string("DECIMAL%")
    )
    return case(
        (decimal, numeric_text(field)),
        (type_is(field, "DOUBLE", "FLOAT"), float_text(field)),
        default=kind(this=field.copy(), to=t.copy()),
    )


def _text_fields(value: exp.Expression, types: list[exp.DataType] | None, kind: type[exp.Cast | exp.TryCast]) -> None:
    """The fields of a ROW that a cast converts to STRING fields, converted as CAST(x AS STRING)."""
    is_row = isinstance(value, exp.Anonymous) and str(value.this).upper() == "ROW"
    if not is_row or types is None or len(value.expressions) != len(types):
        return
    from .semantics import string_cast

    for member, t in zip(list(value.expressions), types, strict=True):
        if _is_text(t) and not (isinstance(member, exp.Literal) and member.is_string):
            member.replace(string_cast(exp.Cast(this=member.copy(), to=t.copy()), safe=kind is exp.TryCast))


def _whole_or_null(value: exp.Expression, tried: exp.Expression, count: int) -> exp.Expression:
    """SAFE_CAST of a STRUCT is NULL when a field fails to convert (DuckDB's TRY_CAST made that
    field NULL and kept the others): `tried` bound once, NULL where a field that had a value
    has none."""
    lost = [
        f"(struct_extract_at(_V, {i}) IS NOT NULL AND struct_extract_at(__llmops_tried, {i}) IS NULL)"
        for i in range(1, count + 1)
    ]
    body = f"CASE WHEN {' OR '.join(lost)} THEN NULL ELSE __llmops_tried END" if lost else "__llmops_tried"
    sql = f"list_extract(list_transform([_T], lambda __llmops_tried: {body}), 1)"
    template: exp.Expression = exp.maybe_parse(sql, dialect="duckdb")
    for name, part in (("_V", value), ("_T", tried)):
        for col in list(template.find_all(exp.Column)):
            if col.name == name and not col.table:
                col.replace(part.copy())
    return template


def _struct_elements(to: exp.DataType) -> exp.DataType | None:
    """The element type of an ARRAY of STRUCTs type, or None for any other type."""
    if not to.is_type(exp.DataType.Type.ARRAY) or len(to.expressions) != 1:
        return None
    element = to.expressions[0]
    return element if isinstance(element, exp.DataType) and _field_types(element) is not None else None


def _positional_elements(value: exp.Expression, to: exp.DataType, kind: type[exp.Cast | exp.TryCast]) -> exp.Expression:
    """`CAST(value AS ARRAY<STRUCT<...>>)` of an array value: each element cast by position (an
    ARRAY<STRUCT<X FLOAT64, Y FLOAT64>> argument passed `[(5.1, 2.5), (5.0, 2.0)]`)."""
    element = _struct_elements(to)
    assert element is not None
    each = exp.Lambda(
        this=_positional_cast(exp.column(_ELEMENT), element, kind), expressions=[exp.to_identifier(_ELEMENT)]
    )
    return kind(this=exp.Anonymous(this="list_transform", expressions=[value.copy(), each]), to=to.copy())


_ELEMENT = "__struct_element"


def _unnamed(node: exp.Expression | None) -> bool:
    """A NULL, or a STRUCT constructor without field names: a value that brings no names."""
    if node is None or isinstance(node, exp.Null | exp.Tuple):
        return True
    return isinstance(node, exp.Struct) and not any(_field_named(e) for e in node.expressions)


def _meets_another_value(struct: exp.Struct) -> bool:
    """Whether `struct` is the operand a CASE compares with its subject (`CASE s WHEN STRUCT(1, 2)`),
    an argument of NULLIF, or one of the results of a CASE, IF or COALESCE whose other results
    include a value with field names (a column, a named STRUCT)."""
    parent = struct.parent
    if isinstance(parent, exp.Nullif):
        return True
    if isinstance(parent, exp.If) and isinstance(parent.parent, exp.Case):
        case = parent.parent
        if struct is parent.this:
            return case.this is not None
        others = [i.args.get("true") for i in case.args.get("ifs") or []] + [case.args.get("default")]
    elif isinstance(parent, exp.Case) and struct is parent.args.get("default"):
        others = [i.args.get("true") for i in parent.args.get("ifs") or []]
    elif isinstance(parent, exp.If):
        others = [parent.args.get("true"), parent.args.get("false")]
    elif isinstance(parent, exp.Coalesce):
        others = [parent.this, *parent.expressions]
    else:
        return False
    return any(not _unnamed(o) for o in others if o is not struct)


def _in_from(unnest: exp.Unnest) -> bool:
    return isinstance(unnest.parent, exp.From | exp.Join) and bool(unnest.expressions)


def unnest_arguments(stmt: exp.Expression) -> list[exp.Expression]:
    """The columns and `ARRAY(subquery)`s UNNESTed in FROM: whether each is an array of STRUCTs
    decides the columns."""
    return [
        u.expressions[0]
        for u in stmt.find_all(exp.Unnest)
        if _in_from(u) and (isinstance(u.expressions[0], exp.Column) or _array_of_query(u.expressions[0]))
    ]


def _array_of_query(node: exp.Expression) -> bool:
    return (
        isinstance(node, exp.Array)
        and len(node.expressions) == 1
        and isinstance(node.expressions[0].unnest(), exp.Query)
    )


def _array_of_struct_query(node: exp.Expression) -> bool:
    """`ARRAY(SELECT AS STRUCT ...)` (by now, maybe, its one projection a STRUCT constructor): an
    array of STRUCTs whatever its columns' types."""
    if not _array_of_query(node):
        return False
    query = node.expressions[0].unnest()
    if not isinstance(query, exp.Select):
        return False
    if str(query.args.get("kind") or "").upper() == "STRUCT":
        return True
    if len(query.expressions) != 1:
        return False
    value = query.expressions[0].unalias()
    return isinstance(value, exp.Struct) or (isinstance(value, exp.Anonymous) and value.name.upper() == "STRUCT_PACK")


_COMPARISONS = (exp.EQ, exp.NEQ, exp.NullSafeEQ, exp.NullSafeNEQ)


def compared_columns(stmt: exp.Expression) -> list[exp.Expression]:
    """The columns compared with `=`, `!=`, IS [NOT] DISTINCT FROM or IN (a list): two STRUCT
    columns compare by position (`_fieldwise_equal`), which needs their types."""
    out: list[exp.Expression] = []
    for node in stmt.find_all(*_COMPARISONS, exp.In):
        if isinstance(node, exp.In):
            operands = [node.this, *node.expressions] if node.expressions else []
        else:
            operands = [node.this, node.expression]
        if len(operands) > 1 and all(isinstance(o, exp.Column) for o in operands):
            out += operands
    return out


def _struct_width(node: exp.Expression) -> int | None:
    """The number of fields of a STRUCT column whose type coltypes.py inferred, else None."""
    from .coltypes import known_type

    kind = known_type(node)
    if not kind or not kind.startswith("STRUCT<"):
        return None
    try:
        return len(exp.DataType.build(kind, dialect="bigquery").expressions) or None
    except Exception:  # a type sqlglot cannot read back: compared as DuckDB does
        return None


def _struct_array(node: exp.Expression) -> bool:
    from .coltypes import known_type

    if known_type(node) == "ARRAY<STRUCT>":
        return True
    # a query parameter, cast to its DuckDB type by then
    to = node.to if isinstance(node, exp.Cast) else None
    return (
        to is not None
        and to.is_type(exp.DataType.Type.ARRAY)
        and bool(to.expressions)
        and to.expressions[0].is_type(exp.DataType.Type.STRUCT)
    )


def _struct_literals(node: exp.Expression) -> bool:
    """An array literal of STRUCT constructors (`[STRUCT(ST_GEOGPOINT(1, 2) AS g)]`): sqlglot's
    parser explodes it only where it can type every field."""
    return isinstance(node, exp.Array) and any(isinstance(e, exp.Struct) for e in node.expressions)


def explode_struct_unnests(stmt: exp.Expression) -> None:
    """`FROM t, UNNEST(t.structs) AS e [WITH OFFSET AS o]`: the STRUCTs' fields are columns (`a`,
    `e.a`, `SELECT *`; `e` the whole value), as sqlglot already does for an array literal whose
    type it sees. Where the SELECT reads the whole `e` beside a bare field, or an outer join
    selects it, the STRUCT stays one column (a NULL element is NULL there, not a row of NULLs)."""
    for unnest in find_all(stmt, exp.Unnest):
        if not _in_from(unnest):
            continue
        structs = bool(unnest.args.get("explode_array")) or (
            _struct_array(unnest.expressions[0])
            or _struct_literals(unnest.expressions[0])
            or _array_of_struct_query(unnest.expressions[0])
        )
        whole = _whole_value_beside_fields(unnest)
        if whole or _whole_value_of_outer_join(stmt, unnest):
            unnest.set("explode_array", False)
            if unnest.args.get("offset") or whole:
                _qualify_offset_fields(unnest)
        elif structs and unnest.args.get("offset"):
            _explode_with_offset(unnest)
        elif structs:
            unnest.set("explode_array", True)


def _explode_with_offset(unnest: exp.Unnest) -> None:
    """`UNNEST(structs) [AS e] WITH OFFSET`: DuckDB has no ordinality beside the fields' expansion
    (`UNNEST(x, max_depth => 2)`), so the offset comes from a second UNNEST of the positions in
    the same SELECT, which DuckDB zips with the first: `(SELECT UNNEST(x, max_depth => 2),
    UNNEST(range(1, len(x) + 1)) AS <hidden offset>) AS e`."""
    import sqlglot

    hidden = unnest.args["offset"].name
    alias = unnest.args.get("alias")
    names = [c.name for c in alias.columns] if isinstance(alias, exp.TableAlias) else []
    value = names[0] if names and names[0] != "$col1" and names[0] != hidden else ""
    query = sqlglot.parse_one(
        f"SELECT UNNEST(__bq_array, max_depth => 2), UNNEST(range(1, len(__bq_array) + 1)) AS {hidden}",
        read="duckdb",
    )
    for placeholder in list(query.find_all(exp.Column)):
        if placeholder.name == "__bq_array":
            placeholder.replace(unnest.expressions[0].copy())
    unnest.replace(exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier(value)) if value else None))


def _struct_field_names(node: exp.Expression) -> list[str]:
    """The field names of an array of STRUCTs as the query writes its type or its literals."""
    to = node.to if isinstance(node, exp.Cast) else None
    if to is not None and to.is_type(exp.DataType.Type.ARRAY) and to.expressions:
        element = to.expressions[0]
        if element.is_type(exp.DataType.Type.STRUCT):
            return [f.name for f in element.expressions if isinstance(f, exp.ColumnDef)]
    if isinstance(node, exp.Array) and node.expressions and isinstance(node.expressions[0], exp.Struct):
        return [f.this.name for f in node.expressions[0].expressions if isinstance(f, exp.PropertyEQ)]
    return []


def _qualify_offset_fields(unnest: exp.Unnest) -> None:
    """`SELECT a FROM UNNEST(structs) AS e WITH OFFSET`: the STRUCT stays one column `e` there (see
    `explode_struct_unnests`), so a bare field name is read as `e.a`, as BigQuery reads it. Only
    where every FROM item of the SELECT is an UNNEST (no table's columns can share the name) and
    the name is not an alias of the FROM items or of the SELECT list."""
    alias = unnest.args.get("alias")
    value = alias.columns[0].name if alias is not None and alias.columns else None
    select = unnest.find_ancestor(exp.Select)
    fields = {f.lower(): f for f in _struct_field_names(unnest.expressions[0])}
    if not value or select is None or not fields:
        return
    sources = [select.args.get("from_") or select.args.get("from")] + list(select.args.get("joins") or [])
    items = [src.this for src in sources if isinstance(src, exp.From | exp.Join)]
    if not all(isinstance(item, exp.Unnest) for item in items):
        return
    taken = {e.alias.lower() for e in select.expressions if isinstance(e, exp.Alias)}
    for item in items:
        names = item.args.get("alias")
        taken |= {c.name.lower() for c in (names.columns if names is not None else [])}
        taken |= {names.name.lower()} if names is not None and names.name else set()
        offset = item.args.get("offset")
        if isinstance(offset, exp.Expression):
            taken.add(offset.name.lower() or "offset")
    for column in list(select.find_all(exp.Column)):
        name = column.name.lower()
        if column.table or name not in fields or name in taken or column.find_ancestor(exp.Select) is not select:
            continue
        column.replace(exp.Dot(this=exp.column(value), expression=exp.to_identifier(fields[name])))


def _whole_value_beside_fields(unnest: exp.Unnest) -> bool:
    """`SELECT e FROM UNNEST(structs) AS e`: the expanded form's `e` is DuckDB's row of the fields,
    a STRUCT of NULLs for a NULL element (`e IS NULL` was false), so an UNNEST whose SELECT reads
    the whole value keeps its STRUCT as one column, as WITH OFFSET does. Only where no other bare
    name could need the expansion: every bare column of the SELECT is the value, an alias, or a
    field name `_qualify_offset_fields` reads as `e.a`, and there is no `*`."""
    alias = unnest.args.get("alias")
    value = alias.columns[0].name if alias is not None and alias.columns else None
    select = unnest.find_ancestor(exp.Select)
    if not value or select is None or any(isinstance(e, exp.Star) for e in select.expressions):
        return False
    own = [c for c in select.find_all(exp.Column) if c.find_ancestor(exp.Select) is select and not c.table]
    if any(isinstance(c.this, exp.Star) for c in select.find_all(exp.Column)):
        return False
    if not any(c.name.lower() == value.lower() for c in own):
        return False
    sources = [select.args.get("from_") or select.args.get("from")] + list(select.args.get("joins") or [])
    items = [src.this for src in sources if isinstance(src, exp.From | exp.Join)]
    known = {e.alias.lower() for e in select.expressions if isinstance(e, exp.Alias)}
    for item in items:
        names = item.args.get("alias")
        known |= {c.name.lower() for c in (names.columns if names is not None else [])}
        offset = item.args.get("offset")
        if isinstance(offset, exp.Expression):
            known.add(offset.name.lower() or "offset")
    if all(isinstance(item, exp.Unnest) for item in items):
        known |= {f.lower() for f in _struct_field_names(unnest.expressions[0])}
    return all(c.name.lower() in known for c in own)


def _whole_value_of_outer_join(stmt: exp.Expression, unnest: exp.Unnest) -> bool:
    """`LEFT JOIN UNNEST(a) AS e ... SELECT e`: the expanded form's `e` is a STRUCT of NULLs
    where BigQuery's is NULL, so such an UNNEST keeps its STRUCT as one column."""
    join = unnest.parent
    if not isinstance(join, exp.Join) or not join.side:
        return False
    alias = unnest.args.get("alias")
    names = [alias.name] if alias is not None and alias.name else []
    names += [c.name for c in alias.columns] if alias is not None else []
    wanted = {n.lower() for n in names}
    return any(c.name.lower() in wanted and not c.table for c in stmt.find_all(exp.Column))


def top_level_value_table(stmt: exp.Expression) -> None:
    """A query's own `SELECT AS STRUCT x AS a, ...`, or `SELECT AS VALUE STRUCT(x AS a, ...)`, is
    a value table of STRUCTs, whose result BigQuery writes as the fields' columns (DuckDB would
    answer one STRUCT column named after its expression). So is one read in a FROM clause or
    defined by a WITH clause, whose rows' fields are its columns there (`SELECT *` lists them,
    its alias is the whole STRUCT), and a query's `SELECT AS VALUE v` of such a FROM item's (or a
    table's) alias `v`. Others (in ARRAY(...), a scalar subquery) stay STRUCT values."""
    rows = _row_aliases(stmt) if isinstance(stmt, exp.Select) and stmt.args.get("kind") == "VALUE" else set()
    for sub in stmt.find_all(exp.Subquery):
        if isinstance(sub.parent, exp.From | exp.Join):
            _struct_rows_as_columns(sub.this)
            _values_named_by_alias(sub)
    for cte in stmt.find_all(exp.CTE):
        _struct_rows_as_columns(cte.this)
    if isinstance(stmt, exp.SetOperation):
        _struct_rows_as_columns(stmt)
        return
    if not isinstance(stmt, exp.Select):
        return
    kind = stmt.args.get("kind")
    if kind == "STRUCT":
        stmt.set("kind", None)
        return
    if kind != "VALUE" or len(stmt.expressions) != 1:
        return
    value = stmt.expressions[0]
    fields = _value_struct_columns(stmt)
    if fields is not None:
        stmt.set("expressions", fields)
        stmt.set("kind", None)
    elif isinstance(value, exp.Column) and not value.table and value.name.lower() in rows:
        # the whole row of a FROM item: its columns
        stmt.set("expressions", [exp.Column(this=exp.Star(), table=value.this.copy())])
        stmt.set("kind", None)


def _value_struct_columns(select: exp.Select) -> list[exp.Expr] | None:
    """`SELECT AS VALUE STRUCT(x AS a, ...)`'s fields as columns `x AS a`, or None."""
    if select.args.get("kind") != "VALUE" or len(select.expressions) != 1:
        return None
    value = select.expressions[0]
    struct = value.this if isinstance(value, exp.Alias) else value
    if isinstance(struct, exp.Struct) and all(isinstance(f, exp.PropertyEQ) for f in struct.expressions):
        return [exp.alias_(f.expression, f.this.name, quoted=True) for f in struct.expressions]
    return None


def _row_aliases(select: exp.Select) -> set[str]:
    """The lower-case aliases of `select`'s FROM items whose rows are STRUCTs of their columns:
    tables, and subqueries of `SELECT AS STRUCT` or `SELECT AS VALUE STRUCT(...)` rows."""
    from .setops import set_inputs

    out: set[str] = set()
    sources = [select.args.get("from_") or select.args.get("from")] + list(select.args.get("joins") or [])
    for source in sources:
        item = source.this if isinstance(source, exp.From | exp.Join) else None
        if isinstance(item, exp.Table) and item.alias_or_name:
            out.add(item.alias_or_name.lower())
        elif isinstance(item, exp.Subquery) and item.alias:
            inputs = set_inputs(item.this)
            if inputs and all(i.args.get("kind") == "STRUCT" or _value_struct_columns(i) is not None for i in inputs):
                out.add(item.alias.lower())
    return out


def _values_named_by_alias(sub: exp.Subquery) -> None:
    """A FROM subquery of `SELECT AS VALUE <non-STRUCT>` inputs is a value table: its alias names
    the value itself (`SELECT x FROM (SELECT AS VALUE 1) x` is 1, not a row {1}), so the value's
    column takes the alias's name, which DuckDB reads before the row."""
    from .setops import set_inputs

    alias = sub.alias
    inputs = set_inputs(sub.this) if isinstance(sub.this, exp.SetOperation | exp.Select) else []
    if not alias or not inputs:
        return
    for i in inputs:
        if i.args.get("kind") != "VALUE" or len(i.expressions) != 1:
            return
        value = i.expressions[0]
        if isinstance(value.this if isinstance(value, exp.Alias) else value, exp.Struct):
            return
    for i in inputs:
        value = i.expressions[0]
        value = value.this if isinstance(value, exp.Alias) else value
        i.set("expressions", [exp.alias_(value, alias, quoted=True)])


def _struct_rows_as_columns(query: exp.Expression) -> None:
    """`SELECT AS STRUCT ...` or `SELECT AS VALUE STRUCT(x AS a, ...)`, or a set operation of only
    such inputs (`SELECT AS STRUCT 1 AS a, 2 AS b UNION DISTINCT SELECT AS STRUCT 1, 3`), as a query
    of the fields' columns; a set operation matches those by position."""
    from .setops import set_inputs

    inputs = set_inputs(query) if isinstance(query, exp.SetOperation | exp.Select) else []
    if not inputs or not all(i.args.get("kind") == "STRUCT" or _value_struct_columns(i) is not None for i in inputs):
        return
    for i in inputs:
        fields = _value_struct_columns(i)
        if fields is not None:
            i.set("expressions", fields)
        i.set("kind", None)


def _field_types(to: exp.DataType) -> list[exp.DataType] | None:
    """The field types of a STRUCT type, or None when it is not one (or a field has no type)."""
    if not to.is_type(exp.DataType.Type.STRUCT) or not to.expressions:
        return None
    types = [f.args.get("kind") for f in to.expressions]
    return (
        [t for t in types if isinstance(t, exp.DataType)] if all(isinstance(t, exp.DataType) for t in types) else None
    )


def _constructor_fields(node: exp.Expression) -> list[exp.Expression] | None:
    """The field values of a STRUCT(...), (a, b) or STRUCT<...>(...) written in the query, or None."""
    node = node.unnest()  # type: ignore[assignment]
    if isinstance(node, exp.Cast):
        # a typed constructor: its values cast to the field types, the names left out
        types = _field_types(node.to)
        inner = _constructor_fields(node.this) if types else None
        if inner is None or types is None or len(inner) != len(types):
            return None
        return [exp.Cast(this=f.copy(), to=t.copy()) for f, t in zip(inner, types, strict=True)]
    if isinstance(node, exp.Struct):
        return [
            e.this if isinstance(e, exp.Alias) else e.expression if isinstance(e, exp.PropertyEQ) else e
            for e in node.expressions
        ]
    if isinstance(node, exp.Tuple) or (isinstance(node, exp.Anonymous) and str(node.this).upper() == "ROW"):
        return list(node.expressions)
    return None


def _fieldwise_equal(
    left: exp.Expression, right: exp.Expression, same: type[exp.EQ | exp.NullSafeEQ] = exp.EQ
) -> exp.Expression | None:
    """`left = right` of two STRUCTs, one of them written in the query, as BigQuery compares them:
    field by field, by position (the names do not matter), FALSE if any field differs, else NULL
    if any field is NULL. With `same` NullSafeEQ, `left IS NOT DISTINCT FROM right`: fields
    compared so, and a NULL STRUCT distinct from any written one. None when neither side is a
    constructor or their widths differ."""
    lf, rf = _constructor_fields(left), _constructor_fields(right)
    if lf is None and rf is None:
        # two STRUCT columns of known types (a table's): compared by position as well
        widths = {_struct_width(left), _struct_width(right)}
        if len(widths) != 1 or None in widths:
            return None
    width = len(lf) if lf is not None else len(rf) if rf is not None else _struct_width(left) or 0
    if width == 0 or (lf is not None and rf is not None and len(lf) != len(rf)):
        return None

    def field(side: exp.Expression, fields: list[exp.Expression] | None, i: int) -> exp.Expression:
        if fields is not None:
            return fields[i].copy()
        return exp.Anonymous(this="struct_extract_at", expressions=[side.copy(), exp.Literal.number(i + 1)])

    parts: list[exp.Expression] = []
    if same is exp.NullSafeEQ:
        parts += [
            exp.Not(this=exp.Is(this=s.copy(), expression=exp.Null()))
            for s, f in ((left, lf), (right, rf))
            if f is None
        ]
    for i in range(width):
        a, b = field(left, lf, i), field(right, rf, i)
        parts.append(_fieldwise_equal(a, b, same) or same(this=a, expression=b))
    return exp.paren(exp.and_(*parts, copy=False), copy=False)


def _in_list(node: exp.In) -> exp.Expression | None:
    """`s IN (t, u)` with STRUCTs written in the query: `s = t OR s = u`, each compared fieldwise."""
    values = node.expressions
    written = _constructor_fields(node.this) is not None or any(_constructor_fields(v) is not None for v in values)
    if not values or not (written or _struct_width(node.this) is not None):
        return None
    tests = [_fieldwise_equal(node.this, v) or exp.EQ(this=node.this.copy(), expression=v.copy()) for v in values]
    return exp.paren(exp.or_(*tests, copy=False), copy=False)


def _in_unnest(node: exp.In) -> exp.Expression | None:
    """`(a, b) IN UNNEST(array)`: TRUE if an element equals the STRUCT field by field, else NULL if
    one compares NULL, else FALSE (so also for an empty or NULL array)."""
    unnest = node.args.get("unnest")
    if not isinstance(unnest, exp.Unnest) or len(unnest.expressions) != 1:
        return None
    element = exp.column("__llmops_element")
    equal = _fieldwise_equal(node.this, element)
    if equal is None:
        return None
    array = unnest.expressions[0]
    tests = exp.Anonymous(
        this="list_transform",
        expressions=[array.copy(), exp.Lambda(this=equal, expressions=[exp.to_identifier("__llmops_element")])],
    )
    size = exp.Anonymous(this="len", expressions=[array.copy()])
    empty = exp.or_(
        exp.Is(this=array.copy(), expression=exp.Null()), exp.EQ(this=size, expression=exp.Literal.number(0))
    )
    hit = exp.Anonymous(this="list_contains", expressions=[tests, exp.true()])
    unknown = exp.LT(
        this=exp.Anonymous(this="list_count", expressions=[tests.copy()]),
        expression=exp.Anonymous(this="len", expressions=[tests.copy()]),
    )
    return exp.Case(
        ifs=[
            exp.If(this=empty, true=exp.false()),
            exp.If(this=hit, true=exp.true()),
            exp.If(this=unknown, true=exp.null()),
        ],
        default=exp.false(),
    )


def _in_subquery(node: exp.In) -> exp.Expression | None:
    """`STRUCT(...) IN (SELECT s ...)` with both sides' fields renamed by position, so DuckDB's
    IN (a hash join) matches them as BigQuery does: by position, not name (`STRUCT(1 AS a) IN
    (SELECT STRUCT(1 AS c))` was FALSE). A NULL field still compares as DuckDB's value."""
    fields = _constructor_fields(node.this)
    query = node.args["query"]
    body = query.this if isinstance(query, exp.Subquery) else query
    if fields is None or not isinstance(body, exp.Query) or len(body.selects) != 1:
        return None
    names = [f"_f{i}" for i in range(len(fields))]

    def positional(values: Sequence[exp.Expression]) -> exp.Struct:
        pairs = [exp.PropertyEQ(this=exp.to_identifier(n), expression=v) for n, v in zip(names, values, strict=True)]
        return exp.Struct(expressions=pairs)

    element = exp.column("__llmops_v", table="__llmops_in")
    at = [
        exp.Anonymous(this="struct_extract_at", expressions=[element.copy(), exp.Literal.number(i + 1)])
        for i in range(len(names))
    ]
    source = exp.Subquery(
        this=body.copy(),
        alias=exp.TableAlias(this=exp.to_identifier("__llmops_in"), columns=[exp.to_identifier("__llmops_v")]),
    )
    renamed = exp.select(positional(at)).from_(source)
    return exp.In(this=positional([f.copy() for f in fields]), query=exp.Subquery(this=renamed))


def fieldwise_struct_comparisons(stmt: exp.Expression) -> None:
    """`s = STRUCT(...)`, `(a, b) != (1, NULL)`, also as `CASE s WHEN STRUCT(...)`,
    `NULLIF(s, STRUCT(...))`, `IS [NOT] DISTINCT FROM`, `IN (...)` and `IN UNNEST(...)`:
    BigQuery's field-by-field comparison. DuckDB compared STRUCTs by field name
    (`STRUCT(3 AS a) = STRUCT(3 AS c)` was FALSE) and took a NULL field for a value
    (`STRUCT(1, NULL) = STRUCT(1, 2)` was FALSE, BigQuery answers NULL)."""
    node: Any
    for case in find_all(stmt, exp.Case):
        subject = case.this
        whens = case.args.get("ifs") or []
        if subject is not None and any(_constructor_fields(w.this) is not None for w in whens):
            # `CASE s WHEN STRUCT(1, 2) THEN ...` compares as `s = STRUCT(1, 2)` does
            for w in whens:
                w.set("this", exp.EQ(this=subject.copy(), expression=w.this.copy()))
            case.set("this", None)
    for nullif in find_all(stmt, exp.Nullif):
        if _constructor_fields(nullif.this) is not None or _constructor_fields(nullif.expression) is not None:
            same = exp.EQ(this=nullif.this.copy(), expression=nullif.expression.copy())
            nullif.replace(exp.Case(ifs=[exp.If(this=same, true=exp.null())], default=nullif.this.copy()))
    for node in reversed(find_all(stmt, exp.In)):
        if node.args.get("field") is not None:
            continue
        if node.args.get("query") is not None:
            fieldwise = _in_subquery(node)
        else:
            fieldwise = _in_unnest(node) if node.args.get("unnest") is not None else _in_list(node)
        if fieldwise is not None:
            node.replace(fieldwise)
    for node in reversed(find_all(stmt, exp.NullSafeEQ, exp.NullSafeNEQ)):
        alike = _fieldwise_equal(node.this, node.expression, exp.NullSafeEQ)
        if alike is not None:
            node.replace(alike if isinstance(node, exp.NullSafeEQ) else exp.Not(this=alike))
    for node in reversed(find_all(stmt, exp.EQ, exp.NEQ)):
        if isinstance(node.parent, exp.Update) and node.arg_key == "expressions":
            continue  # UPDATE's (or MERGE's) `SET rec = STRUCT(...)`: an assignment, no comparison
        equal = _fieldwise_equal(node.this, node.expression)
        if equal is not None:
            node.replace(equal if isinstance(node, exp.EQ) else exp.Not(this=equal))
