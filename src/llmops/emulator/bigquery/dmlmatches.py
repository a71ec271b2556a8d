"""A target row that UPDATE ... FROM or MERGE's WHEN MATCHED joins with more than one source row:
BigQuery's runtime error "UPDATE/MERGE must match at most one source row for each target row".

DuckDB picks one of the source rows and answers without an error, a silently different table. The
check is SQL of the statement itself: a correlated count of the source rows the target row joins
(the FROM items, or MERGE's source, copied under their own names, so that the copied WHERE / ON
reads the copy's rows and the outer target row), raising DuckDB's `error()` where it is over one:
an extra first `WHEN MATCHED AND <check> THEN DELETE` clause of a MERGE (the check is FALSE or
fails, so the clause never acts), an extra `AND <check>` of UPDATE's WHERE."""

from __future__ import annotations

from sqlglot import exp

ERROR = "UPDATE/MERGE must match at most one source row for each target row"


def check_single_source_rows(stmt: exp.Expression) -> None:
    """Add the check to an UPDATE with a FROM clause and to a MERGE with a WHEN MATCHED clause."""
    if isinstance(stmt, exp.Update):
        source = stmt.args.get("from_")
        where = stmt.args.get("where")
        if not isinstance(source, exp.From) or not isinstance(where, exp.Where):
            return
        joined = _joined_count(source.this, where.this)
        check = _failing_above_one(joined, otherwise=exp.true())
        where.set("this", exp.and_(exp.paren(where.this.copy(), copy=False), check))
    elif isinstance(stmt, exp.Merge):
        whens = stmt.args.get("whens")
        using, on = stmt.args.get("using"), stmt.args.get("on")
        if not isinstance(whens, exp.Whens) or using is None or on is None:
            return
        if not any(w.args.get("matched") for w in whens.expressions):
            return
        source = using.copy()
        if isinstance(source, exp.Subquery) and not source.alias:
            source.set("alias", exp.TableAlias(this=exp.to_identifier("__bq_source")))
        check = _failing_above_one(_joined_count(source, on), otherwise=exp.false())
        first = exp.When(matched=True, source=False, condition=check, then=exp.Var(this="DELETE"))
        whens.set("expressions", [first, *whens.expressions])


def _joined_count(source: exp.Expression, condition: exp.Expression) -> exp.Expression:
    """`(SELECT COUNT(*) FROM <source> WHERE <condition>)`, correlated with the outer target."""
    query = exp.select(exp.Count(this=exp.Star())).from_(source.copy()).where(condition.copy())
    return exp.Subquery(this=query)


def _failing_above_one(count: exp.Expression, *, otherwise: exp.Expression) -> exp.Expression:
    failed = exp.Anonymous(this="error", expressions=[exp.Literal.string(ERROR)])
    return exp.Case(
        ifs=[exp.If(this=exp.GT(this=count, expression=exp.Literal.number(1)), true=failed)], default=otherwise
    )
