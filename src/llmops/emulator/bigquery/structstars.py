"""Stars that stand for a STRUCT value's fields, as GoogleSQL expands them.

- `SELECT AS STRUCT *` (also `e.*`, `* EXCEPT (...)`, `* REPLACE (...)`, beside named items) in
  ARRAY(...) or a scalar subquery is one STRUCT of the FROM clause's columns, named and ordered
  as the star lists them. sqlglot wrote `{'_0': *}`, which DuckDB refuses.
- `expr.*` of any STRUCT-valued expression (`t.loc.*`, `arr[OFFSET(0)].*`,
  `ARRAY_AGG(t ...)[OFFSET(0)].*`, `(SELECT AS STRUCT 1 a, 2 b).*`) is the value's fields as
  columns, in the STRUCT's order. DuckDB's star follows one column name only.
  With `EXCEPT`/`REPLACE` (or a subquery, which DuckDB cannot expand in place) the fields are
  listed one by one, their names read from the query text or from the expression's inferred type
  (coltypes.py); where neither tells them the query is refused by name.
- A query's own `SELECT AS VALUE expr` of a STRUCT is its fields as columns, as `expr.*`
  (`structs.top_level_value_table` does STRUCT constructors and range variables).
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all

_PLACEHOLDER = "__llmops_fields_"
_STAR_KEY = "bq_struct_star"
_MARKED = "bq_struct_stars_marked"  # on the statement: whether any placeholder was made


def pack_struct_rows(stmt: exp.Expression) -> None:
    """`SELECT AS STRUCT *, x AS z FROM ...` left as a STRUCT value (in ARRAY(...), a scalar
    subquery): DuckDB's `struct_pack(*COLUMNS(*))` of its columns. Stars alone are packed where
    they are, so WHERE, ORDER BY and LIMIT stay as written; with other items or REPLACE (whose
    values DuckDB does not take beside `*COLUMNS`) the query's columns are packed from a
    subquery, whose order a row number carries out."""
    for select in reversed(find_all(stmt, exp.Select)):
        items = select.expressions
        # a field star (`e.f.*`) among them is left as it was
        if select.args.get("kind") != "STRUCT" or not any(_row_star(e) for e in items):
            continue
        if any(field_star(e) is not None for e in items):
            continue
        if all(_row_star(e) and not _star_of(e).args.get("replace") for e in items) and not _has_offset(select):
            select.set("expressions", [_struct_of_columns(*items)])
            select.set("kind", None)
        else:
            select.replace(_packed_from_subquery(select))


def _has_offset(select: exp.Select) -> bool:
    """Whether an UNNEST ... WITH OFFSET is among the FROM items: its offset column is named and
    placed by the star's own rewrite (offsetstars.py), which a subquery's plain `*` gets."""
    source = select.args.get("from_")
    items = [source.this] if source is not None else []
    items += [join.this for join in select.args.get("joins") or []]
    return any(isinstance(item, exp.Unnest) and item.args.get("offset") for item in items)


def _star_of(item: exp.Expression) -> exp.Star:
    star = item if isinstance(item, exp.Star) else item.this
    assert isinstance(star, exp.Star)
    return star


def _struct_of_columns(*stars: exp.Expression) -> exp.Expression:
    unpacked = [
        exp.Anonymous(this="UNPACK", expressions=[exp.Anonymous(this="COLUMNS", expressions=[s.copy()])]) for s in stars
    ]
    return exp.Anonymous(this="struct_pack", expressions=unpacked)


_ORDER = "__llmops_order"


def _packed_from_subquery(select: exp.Select) -> exp.Select:
    """`SELECT struct_pack(*COLUMNS(*)) FROM (<the query's own SELECT>)`, ordered as it was."""
    from .googlesql import BigQueryError

    inner = select.copy()
    inner.set("kind", None)
    order = select.args.get("order")
    limit = select.args.get("limit")
    single = isinstance(limit, exp.Limit) and limit.expression == exp.Literal.number(1)
    if order is None or single:
        return exp.select(_struct_of_columns(exp.Star())).from_(inner.subquery("__llmops_row"))
    aliases = {e.alias.lower() for e in select.expressions if isinstance(e, exp.Alias)}
    if any(c.name.lower() in aliases and not c.table for c in order.find_all(exp.Column)):
        raise BigQueryError(
            "ORDER BY a select item's alias in an ordered `SELECT AS STRUCT` with stars beside other "
            "items is not supported by the local warehouse",
            fix="order by the expression itself, or select the STRUCT's fields one by one",
        )
    number = exp.Window(this=exp.RowNumber(), order=order.copy())
    inner.set("expressions", [*inner.expressions, exp.alias_(number, _ORDER)])
    packed = _struct_of_columns(exp.Star(except_=[exp.column(_ORDER)]))
    return exp.select(packed).from_(inner.subquery("__llmops_row")).order_by(exp.column(_ORDER))


def _row_star(item: exp.Expression) -> bool:
    """`*` or `alias.*` (with EXCEPT/REPLACE or not): the columns of the FROM clause or of one item."""
    return isinstance(item, exp.Star) or (
        isinstance(item, exp.Column) and isinstance(item.this, exp.Star) and not item.args.get("db")
    )


def field_star(item: exp.Expression) -> tuple[exp.Expression, exp.Star] | None:
    """The STRUCT expression and the star of a select item `expr.*` (`t.loc.*`, `a[OFFSET(0)].*`),
    or None for any other item (a plain `*` or `alias.*`)."""
    if isinstance(item, exp.Dot) and isinstance(item.expression, exp.Star):
        return item.this, item.expression
    if isinstance(item, exp.Column) and isinstance(item.this, exp.Star) and item.args.get("db"):
        # `a.b.*`: sqlglot reads the path before the star as table, db (and catalog)
        parts = [item.args.get(k) for k in ("catalog", "db", "table")]
        names = [p for p in parts if isinstance(p, exp.Identifier)]
        path: exp.Expression = exp.column(
            names[-1].copy(), table=names[-2].copy(), db=names[-3].copy() if len(names) > 2 else None
        )
        return path, item.this
    return None


def mark_field_stars(stmt: exp.Expression) -> None:
    """`expr.*` select items: `UNNEST(expr)` (DuckDB writes a STRUCT's fields as columns) where
    the fields need no names; else a placeholder whose type `expand_field_stars` reads."""
    for select in find_all(stmt, exp.Select):
        if select.args.get("kind") == "STRUCT":
            continue
        items: list[exp.Expression] = []
        changed = False
        for item in select.expressions:
            found = field_star(item)
            if found is None:
                items.append(item)
                continue
            changed = True
            base, star = found
            if not _edits(star) and not isinstance(_bare(base), exp.Subquery):
                items.append(exp.Anonymous(this="UNNEST", expressions=[_struct_only(base)]))
                continue
            # an Alias node even around a subquery (which `exp.alias_` would name itself)
            placeholder = exp.Alias(this=base.copy(), alias=exp.to_identifier(f"{_PLACEHOLDER}{len(items)}"))
            placeholder.meta[_STAR_KEY] = (star.copy(), base.sql("bigquery"), None)
            items.append(placeholder)
            stmt.meta[_MARKED] = True
        if changed:
            select.set("expressions", items)


def mark_value_row(stmt: exp.Expression) -> None:
    """A query's own `SELECT AS VALUE expr` that `structs.top_level_value_table` left (not a
    STRUCT constructor, not a range variable), as the dedupe idiom `SELECT AS VALUE
    ARRAY_AGG(t ORDER BY ts DESC LIMIT 1)[OFFSET(0)] ... GROUP BY id`: a placeholder that
    `expand_field_stars` lists as the fields' columns where `expr` is a STRUCT of known type, as
    BigQuery writes a value table of STRUCTs; else `expr` stays the one column."""
    if not isinstance(stmt, exp.Select) or stmt.args.get("kind") != "VALUE" or len(stmt.expressions) != 1:
        return
    item = stmt.expressions[0]
    value = item.this if isinstance(item, exp.Alias) else item
    placeholder = exp.Alias(this=value.copy(), alias=exp.to_identifier(f"{_PLACEHOLDER}0"))
    placeholder.meta[_STAR_KEY] = (exp.Star(), value.sql("bigquery"), item.alias or "")
    stmt.set("expressions", [placeholder])
    stmt.meta[_MARKED] = True


def _struct_only(value: exp.Expression) -> exp.Expression:
    """`value`, or BigQuery's error where it is not a STRUCT (DuckDB's UNNEST of an ARRAY would
    repeat the row for each element); the test is of the type, which DuckDB folds."""
    message = f"Dot-star is not supported for {value.sql('bigquery')}, which is not a STRUCT"
    return exp.Case(
        ifs=[exp.If(this=_is_struct(value), true=value.copy())],
        default=exp.Anonymous(this="error", expressions=[exp.Literal.string(message)]),
    )


def _never_struct(value: exp.Expression, written: str) -> exp.Expression:
    """`value`, or a refusal where it is a STRUCT whose fields could not be listed as columns."""
    message = (
        f"`SELECT AS VALUE {written}` of a STRUCT whose fields the local warehouse cannot infer is not "
        "supported by the local warehouse; select its fields by name"
    )
    return exp.Case(
        ifs=[
            exp.If(this=_is_struct(value), true=exp.Anonymous(this="error", expressions=[exp.Literal.string(message)]))
        ],
        default=value.copy(),
    )


def _is_struct(value: exp.Expression) -> exp.Condition:
    kind = exp.Anonymous(this="typeof", expressions=[value.copy()])
    # `STRUCT(a BIGINT)`, not `STRUCT(a BIGINT)[]`
    return exp.and_(
        exp.Anonymous(this="starts_with", expressions=[kind, exp.Literal.string("STRUCT(")]),
        exp.Anonymous(this="ends_with", expressions=[kind.copy(), exp.Literal.string(")")]),
    )


def _known_not_struct(node: exp.Expression) -> bool:
    from .coltypes import composite_type, known_type

    kind = known_type(node) or composite_type(node)
    return bool(kind) and not str(kind).upper().startswith("STRUCT")


def _bare(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _edits(star: exp.Star) -> bool:
    return bool(star.args.get("except_") or star.args.get("replace"))


def _placeholders(stmt: exp.Expression) -> list[exp.Alias]:
    if not (stmt._meta and stmt.meta.get(_MARKED)):
        return []  # the common case, without walking the statement
    return [a for a in stmt.find_all(exp.Alias) if a._meta and _STAR_KEY in a.meta]


def star_bases(stmt: exp.Expression) -> list[exp.Expression]:
    """The STRUCT expressions whose fields `expand_field_stars` lists: their types are wanted
    unless the query text names the fields (a `SELECT AS STRUCT` subquery)."""
    return [a.this for a in _placeholders(stmt) if _written_fields(a.this) is None]


def _written_fields(base: exp.Expression) -> list[str] | None:
    """The field names of `(SELECT AS STRUCT x AS a, y AS b ...)`, as its text gives them."""
    base = _bare(base)
    query = base.this if isinstance(base, exp.Subquery) else None
    if not isinstance(query, exp.Select) or query.args.get("kind") != "STRUCT":
        return None
    names = [e.alias_or_name for e in query.expressions]
    if not all(names) or any(field_star(e) is not None or _row_star(e) for e in query.expressions):
        return None
    return names


def _typed_fields(base: exp.Expression) -> list[str] | None:
    from .coltypes import composite_type, known_type

    kind = composite_type(base) or known_type(base)
    if not kind or not kind.upper().startswith("STRUCT<"):
        return None
    try:
        dt = exp.DataType.build(kind, dialect="bigquery")
    except Exception:  # a type sqlglot cannot read back: no names
        return None
    names = [f.name for f in dt.expressions]
    return names if names and all(names) else None


def expand_field_stars(stmt: exp.Expression) -> None:
    """Each placeholder `mark_field_stars` left: the STRUCT's fields one by one
    (`struct_extract(expr, 'a') AS a`), less the EXCEPT list, the REPLACE values in their place."""
    from .googlesql import BigQueryError

    for placeholder in _placeholders(stmt):
        base = placeholder.this
        star, written, value_alias = placeholder.meta[_STAR_KEY]
        names = _written_fields(base) or _typed_fields(base)
        if value_alias is not None:
            # a query's `SELECT AS VALUE expr`: one column unless a STRUCT of known fields
            if names is None:
                value = base if _known_not_struct(base) else _never_struct(base, written)
                placeholder.replace(exp.alias_(value, value_alias) if value_alias else value)
                continue
            select = placeholder.parent
            assert isinstance(select, exp.Select)
            select.set("kind", None)
        elif names is None:
            raise BigQueryError(
                f"`{written}.*` of a STRUCT whose fields the local warehouse cannot infer "
                "is not supported by the local warehouse",
                fix="list the fields (`expr.a, expr.b`), or select the STRUCT into a subquery first",
            )
        if len(names) > 1 and isinstance(_bare(base), exp.Subquery) and base.find(exp.Rand):
            raise BigQueryError(
                "`(subquery).*` of a subquery that calls RAND is not supported by the local warehouse",
                fix="select the subquery's STRUCT in a FROM subquery and expand it there",
            )
        items = _fields(base, names, star)
        select = placeholder.parent
        assert isinstance(select, exp.Select)
        at = select.expressions.index(placeholder)
        select.set("expressions", [*select.expressions[:at], *items, *select.expressions[at + 1 :]])


def _fields(base: exp.Expression, names: list[str], star: exp.Star) -> list[exp.Expr]:
    from .googlesql import BigQueryError

    lower = [n.lower() for n in names]
    dropped = {e.name.lower() for e in star.args.get("except_") or []}
    for name in dropped - set(lower):
        raise BigQueryError(
            f"Column {name} in SELECT * EXCEPT list does not exist", fix="name only fields of the STRUCT"
        )
    replaced = {r.alias.lower(): r.this for r in star.args.get("replace") or []}
    for name in set(replaced) - set(lower):
        raise BigQueryError(
            f"Column {name} in SELECT * REPLACE list does not exist", fix="name only fields of the STRUCT"
        )
    if len(dropped) == len(names):
        raise BigQueryError("SELECT * EXCEPT excludes every field", fix="keep at least one field")
    out: list[exp.Expr] = []
    for name in names:
        if name.lower() in dropped:
            continue
        value = replaced.get(name.lower())
        if value is None:
            value = exp.Anonymous(this="struct_extract", expressions=[base.copy(), exp.Literal.string(name)])
        out.append(exp.alias_(value.copy(), name, quoted=True))
    return out
