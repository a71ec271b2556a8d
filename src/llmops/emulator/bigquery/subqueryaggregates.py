"""An aggregate in an expression subquery whose arguments name only the outer query's columns
belongs to the subquery, as BigQuery binds it: `SELECT (SELECT SUM(x) FROM UNNEST([1])) FROM
UNNEST([10, 20]) AS x` is two rows, 10 and 20 (ZetaSQL's resolver puts the aggregate in the
subquery's AggregateScan over a correlated column: analyzer/testdata/correlated_expr_subquery.test,
`ARRAY(select sum(key) from (select 1)) from KeyValue kv`). DuckDB follows the SQL standard, which
gives such an aggregate to the outer query (one row, 30).

The rewrite brings the outer values into the subquery's scope as the columns of a one-row lateral
derived table, `CROSS JOIN (SELECT x AS __oa0) AS __outer_args`, and points the aggregate at them
(`SUM(__outer_args.__oa0)`): one row more per row of the subquery's FROM changes nothing else.

Done only where every column the aggregate names is surely the outer query's: qualified by a
range variable of an enclosing query that the subquery does not define, or unqualified and
absent from the subquery's sources, all of whose names the text shows (UNNESTs of literal arrays
or with an alias, subqueries with a SELECT list without `*`). Where a source's columns are not
known (a table, a CTE), an unqualified name keeps DuckDB's binding.
"""

from __future__ import annotations

from sqlglot import exp

OUTER_ARGS = "__outer_args"


def bind_outer_aggregates(stmt: exp.Expression) -> None:
    """Rewrite every aggregate of an expression subquery that names only outer columns."""
    for sub in list(stmt.find_all(exp.Select)):
        if sub.args.get("from_") is None or not _in_expression(sub):
            continue
        names, aliases, known = _sources(sub)
        outer = _outer_aliases(sub)
        if not outer:
            continue
        picked: dict[str, exp.Column] = {}
        aggregates = []
        for agg in sub.find_all(exp.AggFunc):
            if _owner(agg) is not sub or isinstance(agg.parent, exp.Window) or agg.find(exp.Select):
                continue
            columns = [c for c in agg.find_all(exp.Column) if not isinstance(c.this, exp.Star)]
            if columns and all(_outer(c, names, aliases, known, outer) for c in columns):
                aggregates.append((agg, columns))
        if not aggregates:
            continue
        for _, columns in aggregates:
            for column in columns:
                picked.setdefault(column.sql(), column)
        index = {text: f"__oa{i}" for i, text in enumerate(picked)}
        select = exp.select(*(exp.alias_(c.copy(), index[text]) for text, c in picked.items()))
        for _, columns in aggregates:
            for column in columns:
                column.replace(exp.column(index[column.sql()], table=OUTER_ARGS))
        sub.join(
            exp.Subquery(this=select, alias=exp.TableAlias(this=exp.to_identifier(OUTER_ARGS))),
            join_type="CROSS",
            copy=False,
        )


def _in_expression(sub: exp.Select) -> bool:
    """Whether `sub` is an expression subquery of an enclosing SELECT (scalar, ARRAY, EXISTS,
    IN), not a FROM source, a CTE or a set operation's branch of the statement itself."""
    node: exp.Expr | None = sub.parent
    while node is not None and not isinstance(node, exp.Select):
        if isinstance(node, (exp.From, exp.Join, exp.CTE, exp.Lateral)):
            return False
        node = node.parent
    return node is not None


def _owner(node: exp.Expr) -> exp.Select | None:
    parent = node.parent
    while parent is not None and not isinstance(parent, exp.Select):
        parent = parent.parent
    return parent


def _sources(sub: exp.Select) -> tuple[set[str], set[str], bool]:
    """(column names, range variables, whether every source's names are known) of the
    subquery's FROM and joins."""
    names: set[str] = set()
    aliases: set[str] = set()
    known = True
    sources = [sub.args["from_"].this, *(j.this for j in sub.args.get("joins") or [])]
    for source in sources:
        alias = source.args.get("alias")
        if alias is not None and alias.name:
            aliases.add(alias.name.lower())
        if isinstance(source, exp.Unnest):
            columns = [c.name.lower() for c in alias.columns] if alias is not None else []
            names.update(columns)
            aliases.update(columns)
            offset = source.args.get("offset")
            if isinstance(offset, exp.Identifier):
                names.add(offset.name.lower())
            if not columns and not _scalar_literal_array(source):
                known = False
        elif isinstance(source, exp.Subquery) and isinstance(source.this, exp.Select):
            selects = source.this.expressions
            if any(isinstance(s, exp.Star) or (isinstance(s, exp.Column) and s.is_star) for s in selects):
                known = False
            names.update(s.alias_or_name.lower() for s in selects)
        else:
            if isinstance(source, exp.Table):
                aliases.add(source.alias_or_name.lower())
            known = False
    return names, aliases, known


def _scalar_literal_array(unnest: exp.Unnest) -> bool:
    """An UNNEST of an array literal of scalars, which exposes no names."""
    values = unnest.expressions
    return (
        len(values) == 1
        and isinstance(values[0], exp.Array)
        and all(isinstance(v, (exp.Literal, exp.Null, exp.Neg, exp.Boolean)) for v in values[0].expressions)
    )


def _outer_aliases(sub: exp.Select) -> set[str]:
    """The range variables (and UNNEST value names) of the queries enclosing `sub`."""
    out: set[str] = set()
    node = _owner(sub)
    while node is not None:
        if node.args.get("from_") is not None:
            out |= _sources(node)[1]
        node = _owner(node)
    return out


def _outer(column: exp.Column, names: set[str], aliases: set[str], known: bool, outer: set[str]) -> bool:
    qualifier = column.table.lower()
    if qualifier:
        return qualifier in outer and qualifier not in aliases and qualifier not in names and not column.args.get("db")
    name = column.name.lower()
    return known and name not in names and name not in aliases
