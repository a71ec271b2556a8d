"""Comparisons with a FLOAT64 NaN, as GoogleSQL answers them.

GoogleSQL: `=`, `<`, `<=`, `>`, `>=`, BETWEEN and IN with a NaN operand are FALSE, and `!=` is
TRUE (NULL still wins: `NaN < NULL` is NULL). DuckDB orders NaN above every number and equal to
itself, so `x > 0` kept a NaN row and `x = y` matched two NaNs.

The query's own comparisons are marked before any rewrite (`tag_comparisons`), and rewritten
last (`rewrite_nan_comparisons`). Whether an operand is a float is decided by DuckDB:
`typeof(x) IN ('DOUBLE', 'FLOAT')` is folded to a constant when the query is bound, so the guard
costs nothing on other types. Where the comparison filters (WHERE, ON, HAVING, QUALIFY) the guard
is a conjunct of its own, so joins keep their hash join and scans their pushed-down filter. On a
1,000,000-row DOUBLE column (`bench_googlesql_differences.py`): a WHERE filter 1.28x DuckDB's
plain one, a join 0.98x, a BETWEEN as a value 1.36x. Binding the guard costs DuckDB about 0.3 ms
a query, so it is left out where no NaN can change the answer: `=`, `!=` and IN where one side is
a literal or a parameter typed other than FLOAT64 (`WHERE id = @id`), `<` whose right side is one.

NaN's place in an order is nanorder.py's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from sqlglot import exp

from .census import find_all

_TAG = "llmops_nan_comparison"
_ORDERED = (exp.EQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
_COMPARISONS = (*_ORDERED, exp.NEQ, exp.Between, exp.In)
_FILTERS = (exp.Where, exp.Having, exp.Qualify)


_FLOATS = (exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT)


def _never_nan(node: exp.Expr | None, param_types: Mapping[str, str] | None = None) -> bool:
    """Whether the query text shows `node` cannot be a FLOAT64 NaN: a literal or constructor, a
    CAST to another type, or a query parameter typed other than FLOAT64."""
    if isinstance(node, (exp.Paren, exp.Neg)):
        return _never_nan(node.this, param_types)
    if isinstance(node, exp.Cast):
        return not node.to.is_type(*_FLOATS)
    if isinstance(node, exp.Parameter) and param_types is not None:
        declared = param_types.get(node.name)
        return declared is not None and declared.upper() not in ("FLOAT64", "FLOAT")
    return node is None or isinstance(
        node,
        (
            exp.Literal,
            exp.Boolean,
            exp.Null,
            exp.Struct,
            exp.Tuple,
            exp.Array,
            exp.Interval,
            exp.Subquery,
            exp.Predicate,
            exp.Connector,
            exp.Not,
        ),
    )


def _not_float(node: exp.Expr | None) -> bool:
    """Whether the query text shows `node` is not a number (so neither is what it is compared with)."""
    if isinstance(node, exp.Paren):
        return _not_float(node.this)
    return (isinstance(node, exp.Literal) and node.is_string) or isinstance(
        node,
        (exp.Boolean, exp.Struct, exp.Tuple, exp.Array, exp.Interval, exp.Predicate, exp.Connector, exp.Not),
    )


def tag_comparisons(stmt: exp.Expression, param_types: Mapping[str, str] | None = None) -> None:
    """Mark the comparisons the query writes in which DuckDB's answer for a NaN may differ.
    `param_types`: the query parameters' declared types (an INT64 parameter is never NaN)."""
    for node in stmt.find_all(*_COMPARISONS):
        if _may_compare_nan(node, param_types or {}):
            node.meta[_TAG] = True


def _may_compare_nan(node: exp.Expr, param_types: Mapping[str, str]) -> bool:
    def never(o: exp.Expr | None) -> bool:
        return _never_nan(o, param_types)

    if isinstance(node.parent, (exp.Update, exp.SetItem)):
        return False  # `SET x = 1`: an assignment
    if isinstance(node, exp.In):
        # DuckDB differs only where the value and an element are both NaN
        return (
            not isinstance(node.parent, exp.Pivot)  # PIVOT's and UNPIVOT's `FOR x IN (...)`
            and not node.args.get("query")
            and not node.args.get("unnest")
            and not node.args.get("field")
            and bool(node.expressions)
            and not never(node.this)
            and not any(_not_float(e) for e in node.expressions)
            and not all(never(e) for e in node.expressions)
        )
    if isinstance(node, exp.Between):
        operands = [node.this, node.args.get("low"), node.args.get("high")]
        return not any(isinstance(o, exp.Subquery) or _not_float(o) for o in operands) and not (
            never(node.this) and never(node.args.get("high"))
        )
    if _not_float(node.this) or _not_float(node.expression):
        return False
    if isinstance(node, (exp.EQ, exp.NEQ)):
        # DuckDB differs only where both sides are NaN (NaN = NaN; NaN != 1 is TRUE for both)
        return not never(node.this) and not never(node.expression)
    return not never(_guarded(node))


def _guarded(node: exp.Expr) -> exp.Expr:
    """The operand whose NaN DuckDB gets wrong: `a` of `a = b`, `a != b`, `a > b` and `a >= b`
    (DuckDB orders NaN above every number), `b` of `a < b` and `a <= b`."""
    return node.expression if isinstance(node, (exp.LT, exp.LTE)) else node.this


def is_nan(value: exp.Expr) -> exp.Expr:
    """Whether `value` is a FLOAT64 NaN; FALSE for any other type (DuckDB folds the test)."""
    from .functions import _t

    return _t(
        "CASE WHEN typeof(_A) IN ('DOUBLE', 'FLOAT') THEN isnan(TRY_CAST(_A AS DOUBLE)) ELSE FALSE END",
        cast(exp.Expression, value),
    )


def _filters(node: exp.Expr) -> bool:
    """Whether only TRUE matters of `node`'s answer (a conjunct of WHERE, ON, HAVING, QUALIFY)."""
    child, parent = node, node.parent
    while isinstance(parent, (exp.And, exp.Paren)):
        child, parent = parent, parent.parent
    if isinstance(parent, _FILTERS):
        return True
    return isinstance(parent, (exp.Join, exp.Merge)) and parent.args.get("on") is child


def rewrite_nan_comparisons(stmt: exp.Expression) -> None:
    """Each marked comparison with GoogleSQL's answer for a NaN operand."""
    for node in reversed(find_all(stmt, *_COMPARISONS)):
        if not (node._meta and node.meta.pop(_TAG, None)):
            continue
        node.replace(_answer(node))


def _answer(node: exp.Expr) -> exp.Expr:
    filtering = _filters(node)
    if isinstance(node, exp.Between):
        value, low, high = node.this, node.args["low"], node.args["high"]
        if filtering:
            guards = [exp.not_(is_nan(o)) for o in (value, high) if not _never_nan(o)]
            return exp.paren(exp.and_(node.copy(), *guards), copy=False)
        return exp.paren(
            exp.and_(
                _answer(exp.GTE(this=value.copy(), expression=low.copy())),
                _answer(exp.LTE(this=value.copy(), expression=high.copy())),
            ),
            copy=False,
        )
    plain: exp.Expr = node.copy()
    if isinstance(node, exp.In):
        nan = is_nan(node.this)
        if filtering:
            return exp.and_(plain, exp.not_(nan))
        any_null = exp.or_(*(exp.Is(this=e.copy(), expression=exp.Null()) for e in node.expressions))
        when_nan = exp.Case(ifs=[exp.If(this=any_null, true=exp.Null())], default=exp.false())
        return exp.Case(ifs=[exp.If(this=nan, true=when_nan)], default=plain)
    guarded = _guarded(node)
    other = node.expression if guarded is node.this else node.this
    if isinstance(node, exp.NEQ):
        # NaN != x is TRUE unless x is NULL
        known = exp.Not(this=exp.Is(this=other.copy(), expression=exp.Null()))
        return exp.paren(exp.or_(plain, exp.and_(is_nan(guarded), known)), copy=False)
    if filtering:
        return exp.paren(exp.and_(plain, exp.not_(is_nan(guarded))), copy=False)
    known = exp.Not(this=exp.Is(this=other.copy(), expression=exp.Null()))
    return exp.Case(ifs=[exp.If(this=exp.and_(is_nan(guarded), known), true=exp.false())], default=plain)
