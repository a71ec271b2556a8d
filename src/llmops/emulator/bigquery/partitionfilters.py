"""`require_partition_filter`: BigQuery refuses a query over such a table unless it filters on the
partitioning column, with "Cannot query over table 'p.d.t' without a filter over column(s) 'c'
that can be used for partition elimination".

BigQuery's rule: some WHERE predicate must reference only the partitioning column (`d =
'2024-01-01'`, or that AND anything else; `d = '...' OR f = 1` does not count). Here a statement
qualifies when any of its WHERE clauses (its own, a subquery's, an UPDATE's or DELETE's) has a
top-level conjunct whose columns all carry that name. That is a little more lenient than BigQuery,
which also asks that the predicate can reach the table's scan; it never refuses a query BigQuery
runs. MERGE (whose filter may sit in ON or WHEN) and ingestion-time partitioned tables (whose
`_PARTITIONTIME` the local warehouse cannot read) are not checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlglot import exp

from .googlesql import BigQueryInvalid, Statement

CHECKED = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "CREATE_TABLE_AS_SELECT", "EXPORT_DATA"})
"""Statement types that read tables and so must filter the ones that require it."""
WRITERS = frozenset({"INSERT", "CREATE_TABLE_AS_SELECT"})
"""Of those, the ones whose target is written, not read."""


def filtered_columns(stmt: exp.Expr) -> frozenset[str]:
    """Lower-cased names of the columns that some WHERE of `stmt` filters on alone."""
    out: set[str] = set()
    for where in stmt.find_all(exp.Where):
        for conjunct in _conjuncts(where.this):
            names = {c.name.lower() for c in _own_columns(conjunct)}
            if len(names) == 1:
                out |= names
    return frozenset(out)


def _conjuncts(node: exp.Expr) -> list[exp.Expr]:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.And):
        return [*_conjuncts(node.left), *_conjuncts(node.right)]
    return [node]


def _own_columns(node: exp.Expr) -> list[exp.Column]:
    """The columns of `node` outside any subquery it holds."""
    out = []
    for column in node.find_all(exp.Column):
        up = column.parent if column is not node else node
        while up is not None and up is not node and not isinstance(up, exp.Select):
            up = up.parent
        if up is node:
            out.append(column)
    return out


def requires_filter(fields: dict[str, Any]) -> bool:
    """Whether a table's REST fields set require_partition_filter (also the deprecated nested form)."""
    return bool(
        fields.get("requirePartitionFilter") or (fields.get("timePartitioning") or {}).get("requirePartitionFilter")
    )


def rule_column(fields: dict[str, Any]) -> str | None:
    """The column a table's queries must filter on, from its REST fields; None when it has no such
    rule (or is partitioned by ingestion time)."""
    if not requires_filter(fields):
        return None
    for key in ("timePartitioning", "rangePartitioning"):
        column = (fields.get(key) or {}).get("field")
        if column:
            return str(column)
    return None


def refuse_unfiltered(stmt: Statement, column_of: Callable[[tuple[str, str, str]], str | None]) -> None:
    """BigQueryInvalid when `stmt` reads a table whose rule (`column_of`) its WHEREs do not meet."""
    if stmt.statement_type not in CHECKED:
        return
    for ref in dict.fromkeys(stmt.tables):
        if stmt.statement_type in WRITERS and ref == stmt.target:
            continue
        column = column_of(ref)
        if column is not None and column.lower() not in stmt.filtered:
            raise BigQueryInvalid(
                f"Cannot query over table '{'.'.join(ref)}' without a filter over column(s) '{column}' that can "
                "be used for partition elimination",
                fix=f"add a WHERE condition on {column} alone (e.g. {column} >= ...), or set the table's "
                "require_partition_filter option to false",
            )
