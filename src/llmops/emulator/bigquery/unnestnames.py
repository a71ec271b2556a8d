"""A bare name that is both an UNNEST's alias and a column of another FROM item names the UNNEST's
element, as in BigQuery: a range variable takes precedence over a column of the same name
(ZetaSQL's name scoping, `name_scope.h`).

ibis unnests a column into a column of the same name:

    SELECT IF(pos = pos_2, `x`, NULL) AS `x`
    FROM t AS t0
    CROSS JOIN UNNEST(GENERATE_ARRAY(0, ARRAY_LENGTH(t0.x) - 1)) AS pos
    CROSS JOIN UNNEST(t0.x) AS `x` WITH OFFSET AS pos_2

BigQuery answers the elements; DuckDB, which has the UNNEST as `_t0(x)` beside `t0`'s `x`,
refused it ("Ambiguous reference to column name"). The UNNEST gets a table alias of its own and
the bare names in the SELECT list, WHERE and the joins' ON conditions of the same query are
qualified with it (GROUP BY, HAVING and ORDER BY may name a SELECT-list alias: left as written).
A name that a join's USING lists stays bare: it is the join's one column (`SELECT * FROM t FULL
JOIN UNNEST([1, 3]) AS id USING (id)` has one `id`, both sides' value coalesced), not the UNNEST's.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from .census import find_all


def _own_columns(node: exp.Expression) -> Iterator[exp.Column]:
    """The columns of `node` outside any subquery in it."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, exp.Column):
            yield current
            continue
        for child in current.iter_expressions():
            if not isinstance(child, exp.Query):
                stack.append(child)


def qualify_unnest_names(stmt: exp.Expression) -> None:
    """Qualify with its UNNEST each bare name of an UNNEST's alias, where the query has other FROM
    items whose columns DuckDB would also look the name up in."""
    count = 0
    for select in find_all(stmt, exp.Select):
        from_ = select.args.get("from_")
        joins = select.args.get("joins") or []
        sources = ([from_.this] if isinstance(from_, exp.From) else []) + [j.this for j in joins]
        if len(sources) < 2:
            continue
        scopes: list[exp.Expression] = [*select.expressions]
        if select.args.get("where") is not None:
            scopes.append(select.args["where"])
        scopes += [j.args["on"] for j in joins if j.args.get("on") is not None]
        # a USING column is one column of the join (COALESCE of both sides in a FULL JOIN), which
        # DuckDB reads unambiguously by its bare name; qualified it was one side's
        using = {u.name.lower() for j in joins for u in j.args.get("using") or []}
        for source in sources:
            alias = source.args.get("alias") if isinstance(source, exp.Unnest) else None
            if not isinstance(alias, exp.TableAlias) or alias.this or len(alias.columns) != 1:
                continue
            if source.args.get("explode_array"):
                continue  # an array of STRUCTs whose fields are columns: its name is a table alias (structs.py)
            name = alias.columns[0].name.lower()
            if name in using:
                continue
            bare = [c for s in scopes for c in _own_columns(s) if not c.table and c.name.lower() == name]
            if not bare:
                continue
            count += 1
            table = f"_unnest_{count}"
            alias.set("this", exp.to_identifier(table))
            for column in bare:
                column.set("table", exp.to_identifier(table))
