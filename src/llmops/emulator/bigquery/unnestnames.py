"""An UNNEST's element name that is also a column of another input of the same FROM.

`FROM t CROSS JOIN UNNEST(t.ms) AS ms WHERE ms <> ''`, where the CTE or subquery `t` has a column
`ms`: GoogleSQL reads `ms` as the range variable, the UNNEST's element (ZetaSQL looks a name up
among the FROM clause's range variables before the columns of its tables), so the query answers;
DuckDB failed with `Ambiguous reference to column name "ms"`. The UNNEST gets a table alias of
its own and each such bare reference in its SELECT is qualified with it. Only names the query
text shows to be columns of a CTE or subquery in the FROM are touched (a table's columns are not
known here, and elsewhere the name is not ambiguous).
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

_ALIAS = "__unnest_{}"


def _output_names(source: exp.Expression, ctes: dict[str, exp.Expression]) -> set[str]:
    """The column names a FROM input shows: a subquery's or a named CTE's SELECT list."""
    query: Any = None
    if isinstance(source, exp.Subquery):
        query = source.this
    elif isinstance(source, exp.Table) and not source.args.get("db"):
        query = ctes.get(source.name.lower())
    if isinstance(query, exp.Select):
        return {e.alias_or_name.lower() for e in query.expressions if e.alias_or_name}
    return set()


def qualify_unnest_elements(stmt: exp.Expression) -> None:
    """Qualify the bare references to an UNNEST element that shares its name with a column of
    another FROM input (see the module docstring)."""
    ctes = {cte.alias_or_name.lower(): cte.this for cte in stmt.find_all(exp.CTE)}
    count = 0
    for select in list(stmt.find_all(exp.Select)):
        from_ = select.args.get("from_")
        if from_ is None:
            continue
        sources = [from_.this, *(j.this for j in select.args.get("joins") or [])]
        shown = set().union(*(_output_names(s, ctes) for s in sources))
        for unnest in sources:
            alias = unnest.args.get("alias") if isinstance(unnest, exp.Unnest) else None
            if alias is None or alias.this or len(alias.columns) != 1:
                continue
            name = alias.columns[0].name.lower()
            if name not in shown:
                continue
            table = _ALIAS.format(count)
            count += 1
            alias.set("this", exp.to_identifier(table))
            for column in list(select.find_all(exp.Column)):
                if column.table or column.name.lower() != name or column.find_ancestor(exp.Select) is not select:
                    continue
                if column.find_ancestor(exp.Unnest) is unnest:
                    continue  # the UNNEST's own array (`t.ms`) is read from the other input
                column.set("table", exp.to_identifier(table))
