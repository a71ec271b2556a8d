"""Column references qualified by a FROM table's whole path, or by an alias with a dot.

BigQuery resolves `` `dataset.table`.col `` (and `project.dataset.table.col`) against a table
named by that path without an alias, as by its implicit alias, the last identifier, and
`` `dataset.t_1`.col `` against a FROM item aliased `` `dataset.t_1` ``; sqlalchemy-bigquery
qualifies every column that way. sqlglot splits such a backticked qualifier at its dots.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all

_PARTS = ("catalog", "db", "table")


def _table_path(table: exp.Table) -> tuple[str, ...] | None:
    if table.args.get("alias") is not None or not isinstance(table.this, exp.Identifier):
        return None
    names: list[str] = []
    for key in (*_PARTS, "this"):
        node = table.args.get(key)
        if node is None:
            continue
        parts = node.flatten() if isinstance(node, exp.Dot) else [node]
        names.extend(p.name for p in parts)
    return tuple(names) if len(names) >= 2 and all(names) else None


def _column_parts(column: exp.Column) -> list[exp.Identifier] | None:
    parts = [node for key in _PARTS if (node := column.args.get(key)) is not None]
    this = column.this
    parts.extend(this.flatten() if isinstance(this, exp.Dot) else [this])
    identifiers = [p for p in parts if isinstance(p, exp.Identifier)]
    return identifiers if len(identifiers) == len(parts) else None


def _rebuilt(parts: list[exp.Identifier]) -> exp.Column:
    """A column of `parts` in the shape sqlglot's BigQuery parser gives `a.b.c...`."""
    if len(parts) <= 4:
        this: exp.Expression = parts[-1]
        qualifiers = parts[:-1]
    else:
        this = exp.Dot.build(parts[3:])
        qualifiers = parts[:3]
    column = exp.Column(this=this)
    for key, part in zip(("table", "db", "catalog"), reversed(qualifiers), strict=False):
        column.set(key, part)
    return column


def resolve_table_path_qualifiers(stmt: exp.Expression) -> None:
    """Rewrites `dataset.table.col` to `table.col` where `dataset.table` is an unaliased FROM
    table, and `` `d.t_1`.col `` (parsed as `d.t_1.col`) to `` `d.t_1`.col `` where `d.t_1` is an alias."""
    paths = {p for t in find_all(stmt, exp.Table) if (p := _table_path(t)) is not None}
    dotted = {a.name for a in find_all(stmt, exp.TableAlias) if "." in a.name}
    paths |= {tuple(name.split(".")) for name in dotted}
    if not paths:
        return
    longest = max(len(p) for p in paths)
    for column in list(find_all(stmt, exp.Column)):
        if column.args.get("db") is None:
            continue  # at most one qualifier: an alias, not a path
        parts = _column_parts(column)
        if parts is None:
            continue
        names = tuple(p.name for p in parts)
        for size in range(min(longest, len(names) - 1), 1, -1):
            if names[:size] in paths:
                joined = ".".join(names[:size])
                head = exp.to_identifier(joined, quoted=True) if joined in dotted else parts[size - 1].copy()
                column.replace(_rebuilt([head, *(p.copy() for p in parts[size:])]))
                break
