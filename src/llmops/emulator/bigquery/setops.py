"""Set operations as BigQuery runs them: columns matched by name (`CORRESPONDING`, `BY NAME`),
and the `ALL` forms of INTERSECT and EXCEPT refused, as BigQuery refuses them.

BigQuery's modes of matching by name (sqlglot reads them all as `by_name`):

| query | sqlglot | result columns |
|---|---|---|
| `UNION ALL CORRESPONDING` | kind INNER | the names both sides have, in the left side's order |
| `UNION ALL STRICT CORRESPONDING`, `UNION ALL BY NAME` | neither | the same names on both sides (an error otherwise), the left's order |
| `FULL [OUTER] UNION ALL CORRESPONDING` / `BY NAME` | side FULL | the left's names, then the right's others; NULL where a side has none |
| `LEFT [OUTER] UNION ALL CORRESPONDING` / `BY NAME` | side LEFT | the left's names; NULL where the right has none |
| `... CORRESPONDING BY (a, b)`, `... BY NAME ON (a, b)` | `on` | those names, in that order |

Each side becomes `SELECT <those names> FROM (side)` (a NULL for a name the side lacks), and
the operation a positional one DuckDB runs as it is. The names of a side are read from its
SELECT list, so a side with `*` (whose names only its tables know) is refused by name.

STRUCT values meet by position: the result has the first input's field names, whatever the names
of the others (`SELECT STRUCT(1 AS a) UNION ALL SELECT STRUCT(2 AS x)` is `{a: 1}`, `{a: 2}`).
DuckDB unifies two named structs by name (`{a, x}`, half NULL), but an unnamed one, `ROW(2)`,
takes the other's names by position: the STRUCT literals and anonymous tuples `(a, b)` the later
inputs select (also inside an array literal or another STRUCT literal) lose their names.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all


def rewrite_set_operations(stmt: exp.Expression) -> None:
    """Refuse INTERSECT ALL / EXCEPT ALL; turn every by-name set operation into a positional one."""
    from .googlesql import BigQueryError

    operations = find_all(stmt, exp.SetOperation)
    for op in operations:
        if isinstance(op, exp.Intersect | exp.Except) and not op.args.get("distinct"):
            word = "INTERSECT" if isinstance(op, exp.Intersect) else "EXCEPT"
            raise BigQueryError(f"{word} ALL is not supported", fix=f"use {word} DISTINCT")
    for op in reversed(operations):  # inner operations first: an outer one reads their names
        if op.args.get("by_name"):
            _positional(op)


def positional_struct_fields(stmt: exp.Expression) -> None:
    """The STRUCT literals that the second and later inputs of a set operation select, as
    unnamed ROWs (see the module's docstring)."""
    for op in _outermost(stmt):  # an inner operation's inputs are among the outermost one's
        for select in set_inputs(op)[1:]:
            if select.args.get("kind") == "STRUCT":
                # `... UNION ALL SELECT AS STRUCT 1, 3`: its row as one unnamed ROW
                values = [i.this if isinstance(i, exp.Alias) else i for i in select.expressions]
                select.set("expressions", [exp.Anonymous(this="ROW", expressions=[v.copy() for v in values])])
                select.set("kind", None)
            for item in select.expressions:
                unname(item.this if isinstance(item, exp.Alias) else item)


def later_input_columns(stmt: exp.Expression) -> list[exp.Expression]:
    """The columns the second and later inputs of set operations select: of a STRUCT type they
    are matched by position too (`positional_struct_columns`), which needs their types."""
    out: list[exp.Expression] = []
    for op in _outermost(stmt):
        for select in set_inputs(op)[1:]:
            for item in select.expressions:
                value = item.this if isinstance(item, exp.Alias) else item
                if isinstance(value, exp.Column):
                    out.append(value)
    return out


def positional_struct_columns(stmt: exp.Expression) -> None:
    """A STRUCT column that a second or later input selects, its type known (a table's column),
    as an unnamed ROW of its fields, so that it takes the first input's names by position."""
    from .coltypes import known_type

    for value in later_input_columns(stmt):
        kind = known_type(value)
        if not kind or not kind.upper().startswith("STRUCT<"):
            continue
        try:
            width = len(exp.DataType.build(kind, dialect="bigquery").expressions)
        except Exception:  # a type text sqlglot cannot read: the column stays as it is
            continue
        if not width:
            continue
        fields = [
            exp.Anonymous(this="struct_extract_at", expressions=[value.copy(), exp.Literal.number(i + 1)])
            for i in range(width)
        ]
        row = exp.Anonymous(this="ROW", expressions=fields)
        null = exp.Is(this=value.copy(), expression=exp.Null())
        value.replace(exp.Case(ifs=[exp.If(this=null, true=exp.Null())], default=row))


def _outermost(stmt: exp.Expression) -> list[exp.SetOperation]:
    return [
        op
        for op in stmt.find_all(exp.SetOperation)
        if not isinstance(op.parent, exp.SetOperation)
        and not (isinstance(op.parent, exp.Subquery) and isinstance(op.parent.parent, exp.SetOperation))
    ]


def set_inputs(node: exp.Expression) -> list[exp.Select]:
    """The SELECTs whose rows a set operation combines (those of nested set operations too)."""
    if isinstance(node, exp.SetOperation):
        return set_inputs(node.this) + set_inputs(node.expression)
    if isinstance(node, exp.Subquery):
        return set_inputs(node.this)
    return [node] if isinstance(node, exp.Select) else []


def unname(value: exp.Expression) -> None:
    """STRUCT literals in `value` (itself, in an array literal, in another STRUCT literal) as
    unnamed ROWs, which DuckDB matches with another STRUCT type by position."""
    if isinstance(value, exp.Array):
        for element in value.expressions:
            unname(element)
    elif isinstance(value, exp.Tuple) and value.expressions:
        # `(DATE '2016-01-01', 'comment1')`, an anonymous STRUCT (DuckDB's struct_pack would name
        # its fields _field_1, _field_2 and union them by name with the first input's)
        for m in value.expressions:
            unname(m)
        value.replace(exp.Anonymous(this="ROW", expressions=[m.copy() for m in value.expressions]))
    elif isinstance(value, exp.Struct):
        for m in _members(value):
            unname(m)
        members = _members(value)  # the unnamed ones, where the loop replaced some
        if members:
            value.replace(exp.Anonymous(this="ROW", expressions=[m.copy() for m in members]))


def _members(struct: exp.Struct) -> list[exp.Expression]:
    values = [m.expression if isinstance(m, exp.PropertyEQ) else m for m in struct.expressions]
    return [m.this if isinstance(m, exp.Alias) else m for m in values]


def _positional(op: exp.SetOperation) -> None:
    from .googlesql import BigQueryError

    wanted = [c.name for c in op.args.get("on") or []]
    # with a column list, an anonymous column is one the list cannot name: it is left out
    left, right = _names(op.left, anonymous=bool(wanted)), _names(op.right, anonymous=bool(wanted))
    side, kind = str(op.args.get("side") or "").upper(), str(op.args.get("kind") or "").upper()
    right_by_key = {n.lower(): n for n in right}
    left_keys = {n.lower() for n in left}
    what = _describe(op)
    if wanted:
        names = wanted
        if side not in ("FULL", "LEFT"):
            missing = [n for n in wanted if n.lower() not in left_keys or n.lower() not in right_by_key]
            if missing:
                raise BigQueryError(
                    f"Column {missing[0]} in the {what} column list is not in both inputs",
                    fix="list only columns both queries return, or use FULL or LEFT OUTER to fill NULLs",
                )
    elif side == "FULL":
        names = left + [n for n in right if n.lower() not in left_keys]
    elif side == "LEFT":
        names = list(left)
    elif kind == "INNER":
        names = [n for n in left if n.lower() in right_by_key]
        if not names:
            raise BigQueryError(
                f"The inputs of {what} have no column names in common", fix="alias the columns to match by name"
            )
    else:  # STRICT CORRESPONDING, BY NAME
        if left_keys != set(right_by_key):
            odd = [n for n in left if n.lower() not in right_by_key] or [n for n in right if n.lower() not in left_keys]
            raise BigQueryError(
                f"Column {odd[0]} is not in both inputs of {what}, which needs the same column names on both sides",
                fix="use CORRESPONDING to keep only the common columns, or FULL OUTER to fill NULLs",
            )
        names = list(left)
    op.set("this", _project(op.left, names, left))
    op.set("expression", _project(op.right, names, right))
    for arg in ("by_name", "side", "kind", "on"):
        op.set(arg, None)


def _describe(op: exp.SetOperation) -> str:
    word = {exp.Union: "UNION", exp.Intersect: "INTERSECT", exp.Except: "EXCEPT"}.get(type(op), "the set operation")
    return f"{word} {'DISTINCT' if op.args.get('distinct') else 'ALL'} matching columns by name"


def _names(query: exp.Expr, *, anonymous: bool = False) -> list[str]:
    """The output column names of a query, read from its SELECT list ('' for an anonymous
    column where `anonymous` allows one)."""
    from .googlesql import BigQueryError

    while isinstance(query, exp.Subquery | exp.Paren):
        query = query.this
    if isinstance(query, exp.SetOperation):  # a positional one: the left side names the columns
        return _names(query.left, anonymous=anonymous)
    if not isinstance(query, exp.Select):
        raise BigQueryError(
            "a set operation matching columns by name needs SELECTs on both sides locally",
            fix="write each side as a SELECT that names its columns",
        )
    names: list[str] = []
    for i, item in enumerate(query.expressions, 1):
        if isinstance(item, exp.Star) and (source := _star_source(query)) is not None:
            # `SELECT * FROM (query)` or a WITH query's name (how pipe syntax writes its steps)
            dropped = {c.name.lower() for c in item.args.get("except_") or []}
            names.extend(n for n in _names(source, anonymous=anonymous) if n.lower() not in dropped)
            continue
        if isinstance(item, exp.Star) or (isinstance(item, exp.Column) and isinstance(item.this, exp.Star)):
            raise BigQueryError(
                "CORRESPONDING and BY NAME over SELECT * are not supported by the local warehouse",
                fix="list the columns in the SELECT instead of *",
            )
        # an alias, a column, or a field (`s.f`) names a column; another expression leaves it anonymous
        name = (
            item.alias if isinstance(item, exp.Alias) else item.name if isinstance(item, exp.Column | exp.Dot) else ""
        )
        if not name and not anonymous:
            raise BigQueryError(
                f"column {i} of a set operation that matches columns by name has no name",
                fix="give every column an alias",
            )
        names.append(name)
    return names


def _star_source(select: exp.Select) -> exp.Expr | None:
    """The query a `*` of `select` reads when its one source is a subquery or a WITH query of an
    enclosing scope; None otherwise (a table: its columns are not known here)."""
    from_ = select.args.get("from_")
    if from_ is None or select.args.get("joins") or from_.this.args.get("pivots"):
        return None
    with_ = select.find_ancestor(exp.With)
    while with_ is not None:
        if with_.args.get("recursive"):
            return None  # sqlglot's pipe steps inside a recursive WITH query do not run locally
        with_ = with_.find_ancestor(exp.With)
    source = from_.this
    if isinstance(source, exp.Subquery):
        return source.this
    if not isinstance(source, exp.Table) or source.args.get("db"):
        return None
    node: exp.Expr | None = select
    while node is not None:
        ctes = node.args.get("with_") if isinstance(node, exp.Query) else None
        for cte in ctes.expressions if ctes else []:
            if cte.alias.lower() == source.name.lower() and not any(n is select for n in cte.this.walk()):
                return cte.this  # (not the WITH query a recursive one reads from its own body)
        node = node.parent
    return None


def _project(query: exp.Expr, names: list[str], have: list[str]) -> exp.Expr:
    """`SELECT names FROM (query)`, a NULL for a name `query` lacks; `query` itself when it
    already returns those names in that order."""
    keys = {n.lower(): n for n in have}
    if [n.lower() for n in names] == [n.lower() for n in have]:
        return query
    items = [
        exp.column(keys[n.lower()], quoted=True).as_(n, quoted=True)
        if n.lower() in keys
        else exp.Null().as_(n, quoted=True)
        for n in names
    ]
    inner = query.this if isinstance(query, exp.Subquery) else query
    return exp.select(*items).from_(
        exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("_llmops_side")))
    )
