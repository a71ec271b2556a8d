"""BigQuery's iteration limit of recursive CTEs: 500 iterations, then the query fails.

BigQuery's "Work with recursive CTEs" guide: "the iteration limit is 500 iterations. Once a
recursive CTE reaches the maximum number of iterations, the CTE execution is aborted with an
error." DuckDB has no such limit: `WITH RECURSIVE r AS (SELECT 1 n UNION ALL SELECT n + 1 FROM r)`
ran until memory ran out. Each recursive CTE gets a hidden iteration column, `$iteration` (0 in
the base term, as the guide's debugging script counts; one more per iteration of the recursive
term), and the recursive term's rows of iteration 501 raise the error. Readers see the CTE
through a CTE of its name that leaves that column out, so `SELECT *` is unchanged.

UNION DISTINCT: a row is new when no earlier iteration gave it (a graph walk over a cycle ends
so); the iteration column would make every row new. There the CTE is DuckDB's `USING KEY` on
the query's own columns (rows of one key are one row, whatever their iteration), and the
recursive term keeps only the rows that `recurring.<cte>` (every row so far) lacks, by
`IS NOT DISTINCT FROM`, before the limit is checked: the set of rows is what UNION DISTINCT's is.

Left as they were (no limit, as before): a recursive term that is not one SELECT reading the
CTE in its own FROM (a set operation, the CTE inside a subquery), and a UNION DISTINCT CTE whose
base term's columns are not all named.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all

LIMIT = 500
COLUMN = "$iteration"


def limit_recursive_ctes(stmt: exp.Expression) -> None:
    """Bound every recursive CTE of the statement to BigQuery's 500 iterations."""
    for with_ in find_all(stmt, exp.With):
        if not with_.args.get("recursive"):
            continue
        for cte in list(with_.expressions):
            _bound(with_, cte)


def _ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def _self_reference(term: exp.Select, name: str) -> exp.Table | None:
    """The table of the term's own FROM / JOINs that names the CTE (None: none, or elsewhere too)."""
    refs = [t for t in term.find_all(exp.Table) if not t.args.get("db") and t.name.lower() == name.lower()]
    if len(refs) != 1:
        return None
    ref = refs[0]
    holder = ref.parent
    if not isinstance(holder, exp.From | exp.Join) or holder.parent is not term:
        return None
    return ref


def _column_names(cte: exp.CTE, base: exp.Expression) -> list[str] | None:
    alias = cte.args.get("alias")
    columns = alias.columns if isinstance(alias, exp.TableAlias) else []
    if columns:
        return [c.name for c in columns]
    if not isinstance(base, exp.Select):
        return None
    names = []
    for item in base.expressions:
        if isinstance(item, exp.Star) or (isinstance(item, exp.Column) and isinstance(item.this, exp.Star)):
            return None
        if not item.alias_or_name or not isinstance(item, exp.Alias | exp.Column):
            return None
        names.append(item.alias_or_name)
    return names


def _error(name: str) -> exp.Expression:
    text = f"Recursive CTE {name} reached the maximum number of iterations: {LIMIT}"
    return exp.Anonymous(this="ERROR", expressions=[exp.Literal.string(text)])


def _checked(iteration: exp.Expression, name: str) -> exp.Expression:
    """The iteration, or the limit's error where it is past the limit."""
    past = exp.GT(this=iteration.copy(), expression=exp.Literal.number(LIMIT))
    return exp.Case(ifs=[exp.If(this=past, true=_error(name))], default=iteration)


def _bound(with_: exp.With, cte: exp.CTE) -> None:
    name = cte.alias_or_name
    body = cte.this
    alias = cte.args.get("alias")
    if not isinstance(body, exp.Union) or not name or not isinstance(alias, exp.TableAlias):
        return
    term = body.expression
    if not isinstance(term, exp.Select):
        return
    ref = _self_reference(term, name)
    if ref is None:
        return
    base = body.this
    distinct = bool(body.args.get("distinct"))
    keys = _column_names(cte, base) if distinct else None
    if distinct and not keys:
        return
    hidden = f"{name}$iterated"
    reader = exp.column(COLUMN, table=ref.alias_or_name, quoted=True)
    next_iteration = exp.Add(this=reader, expression=exp.Literal.number(1))
    if not ref.alias:
        ref.set("alias", exp.TableAlias(this=_ident(ref.name)))
    ref.set("this", _ident(hidden))
    if isinstance(base, exp.Select):
        base.append("expressions", exp.alias_(exp.Literal.number(0), _ident(COLUMN)))
    else:
        base = exp.select(exp.Star(), exp.alias_(exp.Literal.number(0), _ident(COLUMN))).from_(
            exp.Subquery(this=base.copy(), alias=exp.TableAlias(this=_ident("$base")))
        )
        body.set("this", base)
    if not distinct:
        term.append("expressions", exp.alias_(_checked(next_iteration, name), _ident(COLUMN)))
    else:
        assert keys is not None
        term.append("expressions", exp.alias_(next_iteration, _ident(COLUMN)))
        new, seen = _ident("$new"), _ident("$seen")
        same = [
            exp.NullSafeEQ(this=exp.column(_ident(k), table=seen), expression=exp.column(_ident(k), table=new))
            for k in keys
        ]
        earlier = (
            exp.select(exp.Literal.number(1))
            .from_(exp.Table(this=_ident(hidden), db=exp.to_identifier("recurring"), alias=exp.TableAlias(this=seen)))
            .where(exp.and_(*same))
        )
        checked = _checked(exp.column(_ident(COLUMN), table=new), name)
        wrapped = (
            exp.select(*[exp.column(_ident(k), table=new) for k in keys], exp.alias_(checked, _ident(COLUMN)))
            .from_(
                exp.Subquery(
                    this=term.copy(),
                    alias=exp.TableAlias(this=new, columns=[_ident(k) for k in keys] + [_ident(COLUMN)]),
                )
            )
            .where(exp.Not(this=exp.Exists(this=earlier)))
        )
        body.set("expression", wrapped)
        cte.set("key_expressions", [_ident(k) for k in keys])
    if alias.columns:
        alias.append("columns", _ident(COLUMN))
    elif distinct:
        assert keys is not None
        alias.set("columns", [_ident(k) for k in keys] + [_ident(COLUMN)])
    alias.set("this", _ident(hidden))
    readers = exp.CTE(
        this=exp.select(exp.Star(except_=[exp.column(_ident(COLUMN))])).from_(exp.Table(this=_ident(hidden))),
        alias=exp.TableAlias(this=_ident(name)),
    )
    with_.set("expressions", _after(with_.expressions, cte, readers))


def _after(ctes: list[exp.Expression], cte: exp.CTE, added: exp.CTE) -> list[exp.Expression]:
    out: list[exp.Expression] = []
    for c in ctes:
        out.append(c)
        if c is cte:
            out.append(added)
    return out
