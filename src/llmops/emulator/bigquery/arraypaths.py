"""A FROM item that is a path through an outer query's row (`EXISTS(SELECT * FROM t.arr)`,
`(SELECT SUM(e) FROM t.arr AS e)`) is a correlated UNNEST of that array, as in GoogleSQL.

sqlglot makes `FROM t, t.arr` an UNNEST where `t` is named in the same FROM; a subquery's path
whose first name is a range variable of an enclosing query stayed a table, and read as the
dataset `t`, and so did a path through an earlier UNNEST's element in the same FROM
(`FROM UNNEST(rows) AS a LEFT JOIN a.items AS item`, the reference's correlated join).
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all


def _range_variables(select: exp.Select) -> set[str]:
    """The names a SELECT's FROM and JOINs give their rows (aliases, or tables' own names)."""
    items: list[exp.Expression] = []
    from_ = select.args.get("from_")
    if from_ is not None:
        items.append(from_.this)
    items += [join.this for join in select.args.get("joins") or []]
    return {item.alias_or_name.lower() for item in items if item.alias_or_name}


def _unnest_elements(select: exp.Select) -> set[str]:
    """The names a SELECT's FROM and JOINs give the elements of the arrays they UNNEST."""
    from_ = select.args.get("from_")
    items = ([from_.this] if from_ is not None else []) + [join.this for join in select.args.get("joins") or []]
    names = set()
    for item in items:
        alias = item.args.get("alias") if isinstance(item, exp.Unnest) else None
        if isinstance(alias, exp.TableAlias) and alias.columns:
            names.add(alias.columns[0].name.lower())
    return names


def _outer_range_variables(table: exp.Table) -> set[str]:
    names: set[str] = set()
    own = table.find_ancestor(exp.Select)
    if own is not None and isinstance(table.parent, exp.Join):
        names |= _unnest_elements(own)
    node = own.parent if own is not None else None
    while node is not None:
        if isinstance(node, exp.Select):
            names |= _range_variables(node)
        node = node.parent
    return names


def _as_unnest(table: exp.Table) -> exp.Unnest:
    path = table.copy()
    alias = path.args.get("alias")
    path.set("alias", None)
    column = path.to_column(copy=False)
    if isinstance(column, exp.Alias):
        column = column.this
    name = alias.this if isinstance(alias, exp.TableAlias) and alias.this else exp.to_identifier(table.name)
    return exp.Unnest(
        expressions=[column], offset=table.args.get("offset"), alias=exp.TableAlias(columns=[name.copy()])
    )


def correlated_array_paths(stmt: exp.Expression) -> None:
    """Turn each FROM path that starts at an enclosing query's range variable into an UNNEST."""
    for table in find_all(stmt, exp.Table):
        parts = table.parts
        if len(parts) < 2 or not isinstance(table.parent, exp.From | exp.Join):
            continue
        if parts[0].name.lower() in _outer_range_variables(table):
            table.replace(_as_unnest(table))
