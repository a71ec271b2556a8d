"""Checked expressions where DuckDB wants no volatile function: window keys, percentiles and
SELECT-list expressions that ORDER BY, HAVING or QUALIFY read by alias.

The translator guards arithmetic, division and casts with `CASE WHEN ... THEN ERROR(...)` so
they fail as BigQuery's do. DuckDB's ERROR is volatile; DuckDB refuses volatile window keys
("ORDER BY window expressions cannot be volatile": `SUM(x) OVER (ORDER BY x + 1)` failed) and
takes a quantile's fraction only as a constant expression (`PERCENTILE_CONT(x, 5 / 6)` failed).
There the ERROR calls become calls of a stable UDF that raises the same message; with constant
arguments DuckDB folds them, as it folds the arithmetic around them.

DuckDB also refuses a SELECT alias read inside an expression of ORDER BY, HAVING or QUALIFY when
the alias's expression has an ERROR ("Alias "a" referenced - but the expression has side
effects"): `SELECT x * 2 AS a ... ORDER BY a + b`, `... HAVING a > 2`, `ORDER BY -a` of a FLOAT64
(nanorder.py negates the key); BigQuery reads the alias there. Such an alias's expression takes
the stable UDF too, and so does the query's GROUP BY (which must still match it).

A DISTINCT aggregate's ORDER BY must be its argument, and DuckDB takes two expressions with a
volatile call as different ("In a DISTINCT aggregate, ORDER BY expressions must appear in the
argument list": `ARRAY_AGG(DISTINCT x + 1 ORDER BY x + 1)` failed), so a DISTINCT argument and
its ORDER BY keys take the stable UDF too.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from .census import find_all
from .udfs import RAISE_UDF

_QUANTILES = frozenset({"quantile_cont", "quantile_disc", "quantile"})


def stable_checks(stmt: exp.Expression) -> bool:
    """Replace ERROR(...) in window keys and percentile fractions; whether any was replaced."""
    replaced = False
    for place in list(_places(stmt)):
        for call in list(place.find_all(exp.Anonymous)):
            if call.name.upper() == "ERROR" and len(call.expressions) == 1:
                raised = exp.Anonymous(this=RAISE_UDF, expressions=[call.expressions[0]])
                # a CASE with only a NULL result takes its type from the CASE around it, as ERROR's does
                call.replace(exp.Case(ifs=[exp.If(this=raised, true=exp.null())]))
                replaced = True
    return replaced


def _places(stmt: exp.Expression) -> Iterator[exp.Expression]:
    """Every window's PARTITION BY and ORDER BY, every quantile call's fraction, every SELECT
    expression whose alias an expression of its query's ORDER BY, HAVING or QUALIFY reads, a
    grouped query's GROUP BY and SELECT list beside window keys, and the arguments and ORDER BY
    keys of each aggregate with DISTINCT and ORDER BY."""
    for select in find_all(stmt, exp.Select):
        yield from _aliases_read(select)
        yield from _grouped_beside_windows(select)
    for window in find_all(stmt, exp.Window):
        yield from window.args.get("partition_by") or []
        if window.args.get("order") is not None:
            yield window.args["order"]
    for fn in find_all(stmt, exp.PercentileCont, exp.PercentileDisc):
        if isinstance(fn.expression, exp.Expression):
            yield fn.expression
    for order in find_all(stmt, exp.Order):
        if isinstance(order.this, exp.Distinct):  # ARRAY_AGG / STRING_AGG(DISTINCT x ORDER BY x)
            yield from order.this.expressions
            yield from order.expressions
    for call in find_all(stmt, exp.Anonymous):
        if call.name.lower() in _QUANTILES and len(call.expressions) == 2:
            yield call.expressions[1]


def _grouped_beside_windows(select: exp.Select) -> Iterator[exp.Expression]:
    """A grouped SELECT's GROUP BY and SELECT list where one of its windows has a key: the key's
    checks become the stable UDF, and a key that is a grouped expression (`SUM(SUM(v)) OVER
    (ORDER BY DATE_TRUNC(d, MONTH)) ... GROUP BY DATE_TRUNC(d, MONTH)`) must stay the same
    expression as the GROUP BY's ("column d must appear in the GROUP BY clause")."""
    group = select.args.get("group")
    if group is None:
        return
    own = [w for w in select.find_all(exp.Window) if w.find_ancestor(exp.Select) is select]
    if any(w.args.get("partition_by") or w.args.get("order") is not None for w in own):
        yield group
        yield from select.expressions


def _aliases_read(select: exp.Select) -> Iterator[exp.Expression]:
    """The SELECT-list expressions of `select` whose alias a column inside an expression of its
    ORDER BY, HAVING or QUALIFY names (a bare ORDER BY alias DuckDB takes as it is)."""
    aliases = {p.alias.lower(): p.this for p in select.expressions if isinstance(p, exp.Alias) and p.alias}
    if not aliases:
        return
    read: set[str] = set()
    for clause in ("order", "having", "qualify"):
        node = select.args.get(clause)
        if node is None:
            continue
        for column in node.find_all(exp.Column):
            if column.table or isinstance(column.parent, exp.Ordered):
                continue
            if column.find_ancestor(exp.Select) is select:
                read.add(column.name.lower())
    chosen = [aliases[name] for name in sorted(read) if name in aliases]
    yield from chosen
    if chosen and select.args.get("group") is not None:
        # GROUP BY a / GROUP BY its expression must stay the same expression as the SELECT's
        yield select.args["group"]
