"""`MAX_BY(x, y)` / `MIN_BY(x, y)` answer the `x` of the row with the greatest / least `y` even where
that `x` is NULL: the reference makes them synonyms of `ANY_VALUE(x HAVING MAX y)` /
`ANY_VALUE(x HAVING MIN y)`. sqlglot writes them as DuckDB's `arg_max` / `arg_min`, which skip the
rows whose `x` is NULL (`MAX_BY(x, y)` over ('a', 1), (NULL, 2) answered 'a'); DuckDB's
`arg_max_null` / `arg_min_null` keep them (rows with a NULL `y` are skipped by both, as HAVING MAX
skips them). Also in a window (`MIN_BY(x, y) OVER ()`).
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all


def rewrite_max_by_nulls(stmt: exp.Expression) -> None:
    for node in reversed(find_all(stmt, exp.ArgMax, exp.ArgMin)):
        if node.args.get("count") is not None:
            continue  # a third argument is not GoogleSQL's; left to fail as before
        name = "ARG_MAX_NULL" if isinstance(node, exp.ArgMax) else "ARG_MIN_NULL"
        node.replace(exp.Anonymous(this=name, expressions=[node.this.copy(), node.expression.copy()]))
