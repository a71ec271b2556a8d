"""The CTEs of a WITH RECURSIVE clause may name a CTE written after them, as in GoogleSQL.

The reference ("CTE visibility"): with the RECURSIVE keyword, "references between CTEs in the
`WITH` clause can go backwards and forwards. Cycles aren't allowed." DuckDB resolves a CTE only
after the ones before it: `WITH RECURSIVE A AS (SELECT * FROM B), B AS (SELECT 1 AS n) SELECT *
FROM A` was `Table with name B does not exist!`. The CTEs are put in an order where each comes
after the ones it reads (otherwise as written); a cycle between CTEs is BigQuery's error
(`Unsupported WITH entry dependency cycle: A => B => A`, ZetaSQL's words). A CTE reading itself
is its own recursion and no dependency. Without RECURSIVE, a forward reference stays an error.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all


def order_recursive_ctes(stmt: exp.Expression) -> None:
    """Reorder each WITH RECURSIVE clause's CTEs so that each follows those it reads."""
    for with_ in find_all(stmt, exp.With):
        if with_.args.get("recursive") and len(with_.expressions) > 1:
            ordered = _ordered(with_.expressions)
            if ordered != list(with_.expressions):
                with_.set("expressions", ordered)


def _ordered(ctes: list[exp.CTE]) -> list[exp.CTE]:
    from .googlesql import BigQueryError

    by_name = {cte.alias.lower(): cte for cte in ctes}
    reads = {name: _names_read(cte, by_name) - {name} for name, cte in by_name.items()}
    out: list[exp.CTE] = []
    done: set[str] = set()

    def visit(name: str, chain: list[str]) -> None:
        if name in done:
            return
        if name in chain:
            cycle = chain[chain.index(name) :] + [name]
            raise BigQueryError(
                "Unsupported WITH entry dependency cycle: " + " => ".join(by_name[n].alias for n in cycle),
                fix="break the cycle: a CTE may read itself, or other CTEs that do not read it",
            )
        for other in sorted(reads[name], key=list(by_name).index):
            visit(other, [*chain, name])
        done.add(name)
        out.append(by_name[name])

    for name in by_name:
        visit(name, [])
    return out


def _names_read(cte: exp.CTE, by_name: dict[str, exp.CTE]) -> set[str]:
    """The CTE names of the clause that `cte`'s query reads as tables."""
    return {
        table.name.lower()
        for table in cte.this.find_all(exp.Table)
        if not table.args.get("db") and table.name.lower() in by_name
    }
