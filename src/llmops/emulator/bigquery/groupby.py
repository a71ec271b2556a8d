"""GROUP BY forms DuckDB reads differently from GoogleSQL.

Ordinals inside GROUPING SETS, ROLLUP and CUBE: in GoogleSQL an integer literal in a grouping
set is a SELECT-list position wherever it stands: `GROUPING SETS(1, (1, 2))` groups by the first
column, then by the first two. DuckDB reads a bare ordinal so, but takes one inside a
parenthesised set, `(1, 2)`, as two constants: that set's rows came back as the grand total.
Each such ordinal becomes the SELECT expression it names (not under `SELECT *`, whose positions
only DuckDB knows).

An expression of grouped columns that is also a grouping key (`SELECT a, a+1 ... GROUP BY
ROLLUP(a, a+1)`): GoogleSQL computes it from the grouped columns, so it is `11` in the set that
groups `a` alone and NULL in a set that groups `a+1` without `a`; DuckDB, as PostgreSQL, answers the
key (NULL, then 11). Its columns are wrapped in a one-argument COALESCE, which DuckDB does not
match with the key. A key that names the SELECT item by its position (`GROUPING SETS((3))`) or
alias is that item, as in DuckDB: it keeps the key's value.

A GROUP BY name that is both a SELECT alias and a column of the FROM clause (`SELECT UPPER(name)
AS name ... GROUP BY name`): the alias wins in GoogleSQL ("those aliases override names in the
corresponding FROM clause"), the column in DuckDB. Each GROUP BY alias of a SELECT expression
becomes that expression.

GROUP BY ALL where no SELECT item is a grouping key (`SELECT 'a' FROM t GROUP BY ALL`): one
group of all rows in GoogleSQL, a row per input row in DuckDB; it becomes `GROUP BY ()`. With
QUALIFY, which DuckDB refuses next to GROUP BY ALL, the keys are written out.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all

_GROUPINGS = (exp.GroupingSets, exp.Rollup, exp.Cube)
_FROM_ORDINAL = "bq_group_ordinal"


def resolve_grouping_ordinals(stmt: exp.Expression) -> None:
    """Replace the SELECT-list positions in each grouping set by the expressions they name."""
    from .googlesql import BigQueryError

    for select in find_all(stmt, exp.Select):
        group = select.args.get("group")
        if group is None:
            continue
        columns = select.expressions
        if any(
            isinstance(c, exp.Star) or (isinstance(c, exp.Column) and isinstance(c.this, exp.Star)) for c in columns
        ):
            continue
        for grouping in group.find_all(*_GROUPINGS):
            if grouping.find_ancestor(exp.Select) is not select:
                continue  # one in a subquery of the GROUP BY: its own SELECT's turn
            for literal in _ordinals(grouping):
                position = int(literal.this)
                if not 1 <= position <= len(columns):
                    raise BigQueryError(
                        f"GROUP BY is out of SELECT column number range: {position}",
                        fix=f"use a position from 1 to {len(columns)}, or name the column",
                    )
                named = columns[position - 1]
                named = named.this if isinstance(named, exp.Alias) else named
                if _is_integer(named):
                    continue  # DuckDB would read a constant there as an ordinal again
                copy = named.copy()
                copy.meta[_FROM_ORDINAL] = True
                literal.replace(copy)


def compute_keys_from_grouped_columns(stmt: exp.Expression) -> None:
    """An expression (in SELECT, HAVING, QUALIFY or ORDER BY) that is a grouping key of a
    ROLLUP/CUBE/GROUPING SETS and reads only grouped columns is computed from those columns."""
    for select in find_all(stmt, exp.Select):
        group = select.args.get("group")
        if group is None or not any(g.find_ancestor(exp.Select) is select for g in group.find_all(*_GROUPINGS)):
            continue
        keys = _keys(group.expressions)
        columns = {k.sql() for k in keys if isinstance(k, exp.Column)}
        named = {k.sql() for k in keys if k.meta.get(_FROM_ORDINAL)}  # the SELECT item is the key itself
        compound = {
            k.sql()
            for k in keys
            if not isinstance(k, exp.Column)
            and k.sql() not in named
            and (used := list(k.find_all(exp.Column)))
            and all(c.sql() in columns for c in used)
            and not k.find(exp.Subquery, exp.AggFunc, exp.Window)
        }
        if not compound:
            continue
        places = [*select.expressions, *(select.args.get(a) for a in ("having", "qualify", "order"))]
        for place in places:
            if place is None:
                continue
            for node in list(place.walk()):
                if node.sql() in compound and not _under_aggregate(node, place):
                    for column in list(node.find_all(exp.Column)):
                        column.replace(exp.Coalesce(this=column.copy()))


def _keys(items: list[exp.Expression]) -> list[exp.Expression]:
    found: list[exp.Expression] = []
    for item in items:
        if isinstance(item, _GROUPINGS):
            found += _keys(item.expressions)
        elif isinstance(item, exp.Tuple):
            found += _keys(item.expressions)
        elif isinstance(item, exp.Paren):
            found += _keys([item.this])
        else:
            found.append(item)
    return found


def _under_aggregate(node: exp.Expression, top: exp.Expression) -> bool:
    return any(isinstance(a, (exp.AggFunc, exp.Window, exp.Grouping, exp.Subquery)) for a in _ancestors(node, top))


def resolve_group_by_aliases(stmt: exp.Expression) -> None:
    """Replace each unqualified GROUP BY name that is the alias of a SELECT expression (not of
    the same-named column) by that expression, also inside grouping sets."""
    for select in find_all(stmt, exp.Select):
        group = select.args.get("group")
        if group is None:
            continue
        aliased: dict[str, exp.Expression] = {}
        for item in select.expressions:
            if not isinstance(item, exp.Alias) or item.this.find(exp.AggFunc, exp.Window, exp.Subquery, exp.Star):
                continue
            if isinstance(item.this, exp.Column) and item.this.name.lower() == item.alias.lower():
                continue
            aliased.setdefault(item.alias.lower(), item.this)
        if not aliased:
            continue
        # GROUPING(alias) names the key too, wherever the query calls it
        calls = [c for c in select.find_all(exp.Grouping) if c.find_ancestor(exp.Select) is select]
        for column in [*group.find_all(exp.Column), *(x for c in calls for x in c.find_all(exp.Column))]:
            if column.table or column.name.lower() not in aliased or column.find_ancestor(exp.Select) is not select:
                continue
            parent = column.parent
            if not isinstance(parent, (exp.Group, exp.Tuple, exp.Paren, exp.Grouping, *_GROUPINGS)):
                continue  # a name inside an expression of the GROUP BY reads the FROM clause
            copy = aliased[column.name.lower()].copy()
            copy.meta[_FROM_ORDINAL] = True
            column.replace(copy)


def _ordinals(grouping: exp.Expression) -> list[exp.Literal]:
    found = []
    for item in grouping.expressions:
        if _is_integer(item):
            found.append(item)
        elif isinstance(item, (exp.Tuple, exp.Paren)):
            members = item.expressions if isinstance(item, exp.Tuple) else [item.this]
            found.extend(x for x in members if _is_integer(x))
        elif isinstance(item, _GROUPINGS):
            found.extend(_ordinals(item))
    return found


def _is_integer(node: exp.Expression) -> bool:
    return isinstance(node, exp.Literal) and not node.is_string and str(node.this).isdigit()


def group_by_all_without_keys(stmt: exp.Expression) -> None:
    """`GROUP BY ALL` whose SELECT list has no grouping key: `GROUP BY ()`; with QUALIFY, which
    DuckDB does not combine with GROUP BY ALL: its keys written out."""
    for select in find_all(stmt, exp.Select):
        group = select.args.get("group")
        if group is None or not group.args.get("all"):
            continue
        keys = [item for item in select.expressions if _is_key(item)]
        if not keys:
            select.set("group", exp.Group(expressions=[exp.Tuple()]))
        elif select.args.get("qualify") and not any(item.find(exp.Star) for item in keys):
            select.set("group", exp.Group(expressions=[item.unalias().copy() for item in keys]))


def _is_key(item: exp.Expression) -> bool:
    """Whether GROUP BY ALL groups by this SELECT item: it reads a column outside any aggregate
    or window function."""
    if isinstance(item, exp.Star) or any(
        not any(isinstance(a, (exp.AggFunc, exp.Window)) for a in _ancestors(star, item))
        for star in item.find_all(exp.Star)
    ):
        return True  # `*`, `t.*`: not COUNT(*)
    for column in item.find_all(exp.Column):
        if not any(isinstance(a, (exp.AggFunc, exp.Window)) for a in _ancestors(column, item)):
            return True
    return False


def _ancestors(node: exp.Expr, top: exp.Expr) -> list[exp.Expr]:
    found: list[exp.Expr] = []
    parent = node.parent
    while parent is not None and parent is not top.parent:
        found.append(parent)
        parent = parent.parent
    return found
