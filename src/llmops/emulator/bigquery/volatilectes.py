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
    return _reads(cte, {cte.alias_or_name.lower()})


def _reads(cte: exp.CTE, names: set[str]) -> bool:
    return any(t.name.lower() in names and not t.args.get("db") for t in cte.this.find_all(exp.Table))


def evaluate_volatile_ctes_per_reference(stmt: exp.Expression) -> None:
    """Mark each non-recursive CTE whose body draws random values, or reads a CTE that does,
    NOT MATERIALIZED."""
    ctes: list[exp.CTE] = find_all(stmt, exp.CTE)
    volatile = [c for c in ctes if c.this.find(*_VOLATILE) is not None]
    names = {c.alias_or_name.lower() for c in volatile}
    while True:  # a CTE reading a volatile one runs it again at each of its own references
        more = [c for c in ctes if c not in volatile and _reads(c, names)]
        if not more:
            break
        volatile += more
        names |= {c.alias_or_name.lower() for c in more}
    for cte in volatile:
        recursive = isinstance(cte.parent, exp.With) and cte.parent.args.get("recursive")
        if recursive and _reads_itself(cte):
            continue  # a recursive CTE is materialized in GoogleSQL too
        cte.set("materialized", False)
