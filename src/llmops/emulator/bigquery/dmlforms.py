"""DML forms DuckDB lacks: MERGE's `INSERT ROW`, UPDATE (and MERGE's UPDATE) of STRUCT
fields, `SET s.a = 1, s.b.c = 2`, a SET target qualified by the table (`SET T.quantity = ...`), and
`SET x = DEFAULT` (sqlglot reads that DEFAULT as a column named DEFAULT). And the WHERE clause
BigQuery requires of UPDATE and DELETE (DuckDB changes every row without one).

`INSERT ROW` inserts the source row's columns by position (DuckDB's `INSERT BY POSITION *`).
DuckDB sets only whole columns, so the assignments to fields of one column become one assignment
`s = struct_update(s, a := 1, b := struct_update(s.b, c := 2))`. As in GoogleSQL, setting a field
of a NULL STRUCT is an error ("Cannot set field of NULL STRUCT")."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from .googlesql import BigQueryError


def require_where(stmt: exp.Expression) -> None:
    """UPDATE and DELETE without WHERE: BigQuery's "UPDATE must have a WHERE clause"."""
    if isinstance(stmt, (exp.Update, exp.Delete)) and stmt.args.get("where") is None:
        verb = "UPDATE" if isinstance(stmt, exp.Update) else "DELETE"
        raise BigQueryError(
            f"{verb} must have a WHERE clause",
            fix="add WHERE TRUE to change every row" + (" (or TRUNCATE TABLE)" if verb == "DELETE" else ""),
        )


def rewrite_field_assignments(stmt: exp.Expression) -> None:
    """Rewrite the field assignments of an UPDATE, or of each UPDATE action of a MERGE."""
    if isinstance(stmt, exp.Update):
        _defaults(stmt)
        _rewrite(stmt, "expressions", _names(stmt.this))
    elif isinstance(stmt, exp.Merge):
        names = _names(stmt.this)
        for action in stmt.find_all(exp.Update):
            _defaults(action)
            _rewrite(action, "expressions", names)


def _defaults(update: exp.Expression) -> None:
    """`SET x = DEFAULT`: the column's default value (DuckDB's own `DEFAULT`), not a column."""
    for item in update.args.get("expressions") or []:
        value = item.expression if isinstance(item, exp.EQ) else None
        if (
            isinstance(value, exp.Column)
            and not value.table
            and not value.this.quoted
            and value.name.upper() == "DEFAULT"
        ):
            value.replace(exp.Var(this="DEFAULT"))


def merge_insert_row(stmt: exp.Expression) -> None:
    """`WHEN NOT MATCHED THEN INSERT ROW` -> DuckDB's `INSERT BY POSITION *`; the STRUCT literals
    of `INSERT (...) VALUES (...)` meet their columns' STRUCT types by position, as GoogleSQL's
    coercion does (DuckDB matched `STRUCT(NULL, 'n')`'s `_field_1` by name and refused it)."""
    from .setops import unname

    if not isinstance(stmt, exp.Merge):
        return
    for when in stmt.find_all(exp.When):
        action = when.args.get("then")
        if isinstance(action, exp.Insert) and isinstance(action.this, exp.Var) and action.this.name.upper() == "ROW":
            action.set("this", exp.Var(this="BY POSITION *"))
        elif isinstance(action, exp.Insert) and isinstance(action.expression, exp.Tuple):
            for value in list(action.expression.expressions):
                unname(value)


def _names(table: Any) -> set[str]:
    """The names a SET target may be qualified with: the table's alias, else its name."""
    if not isinstance(table, exp.Table):
        return set()
    alias = table.alias
    return {alias.lower()} if alias else {table.name.lower()}


def _rewrite(node: exp.Expression, key: str, qualifiers: set[str]) -> None:
    assignments = node.args.get(key) or []
    tree: dict[str, Any] = {}
    order: list[exp.Expression | str] = []
    for item in assignments:
        target = item.this if isinstance(item, exp.EQ) else None
        if not isinstance(target, exp.Column):
            order.append(item)
            continue
        path = [p.name for p in target.parts]
        qualified = len(path) > 1 and path[0].lower() in qualifiers
        if qualified:
            path = path[1:]
        if len(path) == 1:
            # DuckDB sets bare column names only (`SET T.quantity = ...` was its "Qualified column
            # names in UPDATE .. SET not supported")
            order.append(exp.EQ(this=exp.column(path[0]), expression=item.expression) if qualified else item)
            continue
        column = path[0]
        if column not in tree:
            tree[column] = {}
            order.append(column)
        branch = tree[column]
        for field in path[1:-1]:
            branch = branch.setdefault(field.lower(), {})
            if not isinstance(branch, dict):
                raise _twice(".".join(path))
        leaf = path[-1].lower()
        if leaf in branch:
            raise _twice(".".join(path))
        branch[leaf] = item.expression
    if not tree and not any(isinstance(e, exp.EQ) and e not in assignments for e in order):
        return
    rewritten: list[exp.Expression] = []
    for entry in order:
        if isinstance(entry, str):
            target = exp.column(entry)
            rewritten.append(exp.EQ(this=target.copy(), expression=_updated(target, tree[entry], entry)))
        else:
            rewritten.append(entry)
    node.set(key, rewritten)


def _updated(value: exp.Expression, fields: dict[str, Any], path: str) -> exp.Expression:
    """`value` with `fields` set (nested dicts for nested STRUCTs); an error where it is NULL."""
    args: list[exp.Expression] = [value]
    for name, new in fields.items():
        if isinstance(new, dict):
            inner = exp.Dot(this=value.copy(), expression=exp.to_identifier(name))
            new = _updated(inner, new, f"{path}.{name}")
        args.append(exp.PropertyEQ(this=exp.to_identifier(name), expression=new))
    failed = exp.Anonymous(
        this="error", expressions=[exp.Literal.string(f"Cannot set field of NULL STRUCT (the value of {path} is NULL)")]
    )
    return exp.Case(
        ifs=[exp.If(this=exp.Is(this=value.copy(), expression=exp.Null()), true=failed)],
        default=exp.Anonymous(this="struct_update", expressions=args),
    )


def _twice(path: str) -> BigQueryError:
    return BigQueryError(
        f"Update item {path} overlaps with another update item in the same statement",
        fix="set each field once (a field, or the STRUCT holding it, not both)",
    )


def not_a_struct(duckdb_message: str) -> BigQueryError | None:
    """BigQuery's error for `SET x.a = ...` where `x` is not a STRUCT (DuckDB's struct_update
    refuses it in its own words), or None for another message."""
    if "first argument to struct_update must be a STRUCT" not in duckdb_message:
        return None
    return BigQueryError(
        "Cannot set a field of a value that is not a STRUCT (UPDATE ... SET column.field = ...)",
        fix="set the column itself, or a field of a STRUCT column",
    )
