"""IF and CASE do not evaluate a branch they do not take (the reference: "IF ... evaluates
true_result only if expr is TRUE"), so a GENERATE_ARRAY with a step of 0 in the branch not taken
is no error in BigQuery. DuckDB runs an uncorrelated subquery of a branch before choosing, and
the step's error escaped:

    IF(step > 0 AND a < b OR step < 0 AND a > b,
       ARRAY(SELECT x FROM UNNEST(GENERATE_ARRAY(a, b, step)) AS x WHERE x <> b), [])

(ibis's `ibis.range(a, b, step)`, whose step 0 BigQuery answers `[]`). The GENERATE_ARRAY,
GENERATE_DATE_ARRAY or GENERATE_TIMESTAMP_ARRAY of such a branch is guarded by the branch's own
condition, `IF(cond, GENERATE_ARRAY(...), NULL)`: where the branch is taken it is the same call;
where it is not, its value is never read. Only where the condition means the same in the call's
place: outside any subquery, or as the UNNEST of the first FROM item of a subquery directly in
the branch (nothing there can shadow a name the condition reads).
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all

_GENERATORS = (exp.GenerateSeries, exp.GenerateDateArray, exp.GenerateTimestampArray)


def _branches(stmt: exp.Expression) -> list[tuple[exp.Expression, exp.Expression]]:
    """(branch, the condition under which it is taken) of each IF call and CASE WHEN."""
    out: list[tuple[exp.Expression, exp.Expression]] = []
    for node in find_all(stmt, exp.If):
        cond, true, false = node.this, node.args.get("true"), node.args.get("false")
        if isinstance(true, exp.Expression):
            out.append((true, cond))
        if isinstance(false, exp.Expression) and not isinstance(node.parent, exp.Case):
            taken = exp.Not(this=exp.paren(exp.Coalesce(this=cond.copy(), expressions=[exp.false()]), copy=False))
            out.append((false, taken))
    return out


def guard_untaken_generators(stmt: exp.Expression) -> None:
    """Guard each array generator of an IF/CASE branch by the branch's condition."""
    for branch, cond in _branches(stmt):
        for call in list(branch.find_all(*_GENERATORS)):
            if _in_subquery_of(call, branch):
                if not _first_unnest_of_direct_subquery(call, branch):
                    continue
            guarded = exp.If(this=exp.paren(cond.copy(), copy=False), true=call.copy(), false=exp.Null())
            call.replace(guarded)


def _in_subquery_of(call: exp.Expr, branch: exp.Expression) -> bool:
    """Whether a query lies between `call` and `branch`, `branch` included."""
    node = call.parent
    while node is not None:
        if isinstance(node, exp.Query):
            return True
        if node is branch:
            return False
        node = node.parent
    return False


def _first_unnest_of_direct_subquery(call: exp.Expr, branch: exp.Expression) -> bool:
    """`call` is `UNNEST(call)`, the first FROM item of the only query between it and `branch`."""
    unnest = call.parent
    from_ = unnest.parent if isinstance(unnest, exp.Unnest) else None
    select = from_.parent if isinstance(from_, exp.From) else None
    if not isinstance(select, exp.Select) or from_ is not select.args.get("from_"):
        return False
    node = select.parent
    while node is not None and node is not branch:
        if isinstance(node, exp.Query):
            return False
        node = node.parent
    return node is branch
