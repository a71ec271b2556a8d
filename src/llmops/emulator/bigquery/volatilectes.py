"""A non-recursive CTE that calls RAND() or GENERATE_UUID() is evaluated once per reference, as in
GoogleSQL.

The reference (WITH clause): "GoogleSQL only materializes the results of recursive CTEs ... If a
non-recursive CTE is referenced in multiple places in a query, then the CTE is executed once for
each reference." DuckDB materializes a CTE read more than once, so both reads saw the same random
values: ibis's `memtable(...).mutate(key=ibis.uuid())` joined with a filter of itself matched
every key (BigQuery: none, each read draws new UUIDs). Such a CTE is written `AS NOT MATERIALIZED`;
a CTE without a volatile call reads the same either way and keeps DuckDB's choice.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all

_VOLATILE = (exp.Rand, exp.Uuid)


def _reads_itself(cte: exp.CTE) -> bool:
    name = cte.alias_or_name.lower()
    return any(t.name.lower() == name and not t.args.get("db") for t in cte.this.find_all(exp.Table))


def evaluate_volatile_ctes_per_reference(stmt: exp.Expression) -> None:
    """Mark each non-recursive CTE whose body draws random values NOT MATERIALIZED."""
    for cte in find_all(stmt, exp.CTE):
        if cte.this.find(*_VOLATILE) is None:
            continue
        recursive = isinstance(cte.parent, exp.With) and cte.parent.args.get("recursive")
        if recursive and _reads_itself(cte):
            continue  # a recursive CTE is materialized in GoogleSQL too
        cte.set("materialized", False)
