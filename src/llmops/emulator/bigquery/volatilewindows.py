"""Window keys with RAND() or GENERATE_UUID() (`ROW_NUMBER() OVER (ORDER BY RAND())`), which
GoogleSQL evaluates per row and DuckDB refuses ("ORDER BY window expressions cannot be volatile").

Each such key of a SELECT over one FROM item is computed as a column of that item (a subquery
under the item's own name, so the query's other references to it still resolve) and the window
orders or partitions by that column, which DuckDB accepts. BigQuery DataFrames orders every table
it reads this way (a hash of the row, then RAND() to break ties between equal rows).
"""

from __future__ import annotations

from sqlglot import exp

_VOLATILE = (exp.Rand, exp.Uuid)
# columns a table has that `SELECT *` does not pass on
_PSEUDO_COLUMNS = frozenset({"_PARTITIONTIME", "_PARTITIONDATE", "_TABLE_SUFFIX", "_FILE_NAME"})
_COLUMN = "__volatile_key_{}"


def hoist_volatile_window_keys(stmt: exp.Expression) -> None:
    """Move the volatile window keys of each SELECT of `stmt` into its FROM item."""
    for select in reversed(list(stmt.find_all(exp.Select))):
        keys = [key for window in _own_windows(select) for key in _keys(window) if key.find(*_VOLATILE)]
        if keys and _single_source(select):
            _hoist(select, keys)


def _own_windows(select: exp.Select) -> list[exp.Window]:
    return [w for w in select.find_all(exp.Window) if w.parent_select is select]


def _keys(window: exp.Window) -> list[exp.Expression]:
    order = window.args.get("order")
    ordered = [o.this for o in order.expressions] if order is not None else []
    return [*(window.args.get("partition_by") or []), *ordered]


def _single_source(select: exp.Select) -> bool:
    """A FROM of one table or subquery, no joins, and keys that read only its columns."""
    source = select.args.get("from_")
    return (
        source is not None
        and isinstance(source.this, exp.Table | exp.Subquery)
        and not select.args.get("joins")
        and not select.args.get("laterals")
    )


def _has_star(select: exp.Select) -> bool:
    return any(
        isinstance(e, exp.Star) or (isinstance(e, exp.Column) and isinstance(e.this, exp.Star))
        for e in select.expressions
    )


def _hoist(select: exp.Select, keys: list[exp.Expression]) -> None:
    if any(k.find(exp.AggFunc, exp.Window, exp.Select) for k in keys) or _has_star(select):
        return  # a `*` of the select would list the hoisted key too: DuckDB's refusal stays
    item = select.args["from_"].this
    name = item.alias_or_name
    columns = list(select.find_all(exp.Column))
    if not name or any(c.args.get("db") or c.name.upper() in _PSEUDO_COLUMNS for c in columns):
        return  # `dataset.table.column` would not see the subquery's name, nor its `*` a pseudo-column
    inner = exp.select(exp.Star() if not item.alias else exp.Column(this=exp.Star(), table=exp.to_identifier(name)))
    inner.from_(item.copy(), copy=False)
    for i, key in enumerate(keys):
        column = _COLUMN.format(i)
        inner.select(exp.alias_(key.copy(), column), copy=False)
        key.replace(exp.column(column, table=name))
    item.replace(exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier(name))))
