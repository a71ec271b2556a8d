"""FLOAT64 arithmetic overflow: BigQuery's error (or SAFE_*'s NULL) where DuckDB answers inf.

GoogleSQL's +, -, * and / of finite FLOAT64 values whose result is not finite fail with
"double overflow"; an operand that is already inf or NaN propagates as in IEEE 754 (ZetaSQL's
`CheckFloatOverflow`). SAFE_ADD, SAFE_SUBTRACT, SAFE_MULTIPLY and SAFE_DIVIDE answer NULL there.

The check sits at the root of each tree of arithmetic operators, not at every operator: the result
is tested once, and only a non-finite one (the rare path) looks at the tree's leaves. An overflow
inside the tree stays non-finite up to its root (inf + x, inf * 0, inf - inf are inf or NaN), except
under a divisor (x / inf is 0), so a divisor that is itself arithmetic is checked as its own tree.
The test is guarded by DuckDB's `typeof(result) = 'DOUBLE'`, folded when the query is bound, so
integer, NUMERIC and date arithmetic run unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlglot import exp

from .boundvalues import bound_together, is_large
from .census import find_all
from .coltypes import COMPOSITE_KEY, TYPE_KEY, known_type

_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div)
_SYMBOLS: dict[type, str] = {exp.Add: " + ", exp.Sub: " - ", exp.Mul: " * ", exp.Div: " / "}


def _call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def _unparen(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _in_tree(node: Any) -> bool:
    """Whether `node` is an operand of an enclosing arithmetic tree (not a tree's root)."""
    child, parent = node, node.parent
    while isinstance(parent, exp.Paren):
        child, parent = parent, parent.parent
    if not isinstance(parent, _ARITHMETIC) or parent.args.get("safe"):
        return False
    return not (isinstance(parent, exp.Div) and parent.args.get("expression") is child)


def _leaves(node: exp.Expression) -> list[exp.Expression]:
    """The operands of the tree rooted at `node` that are not operators of the same tree."""
    inner = _unparen(node)
    if not isinstance(inner, _ARITHMETIC) or inner.args.get("safe"):
        return [node]
    left = _leaves(inner.this)
    if isinstance(inner, exp.Div):
        return [*left, inner.expression]
    return [*left, *_leaves(inner.expression)]


_INTEGERS = frozenset(
    {
        exp.DataType.Type.BIGINT,
        exp.DataType.Type.INT,
        exp.DataType.Type.SMALLINT,
        exp.DataType.Type.TINYINT,
        exp.DataType.Type.INT128,
    }
)


def _integer_text(node: exp.Expression) -> bool:
    """An integer literal, or a value cast to an integer type (a typed INT64 query parameter is
    `CAST($x AS BIGINT)`): an operand that cannot be a FLOAT64."""
    node = _unparen(node)
    if isinstance(node, exp.Neg):
        node = _unparen(node.this)
    if isinstance(node, exp.Cast | exp.TryCast):
        return node.to.this in _INTEGERS
    return isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit()


_BUILT = {name: exp.DataType.build(name) for name in ("DOUBLE", "VARCHAR")}


def _type(name: str) -> exp.DataType:
    """`exp.DataType.build(name)`, copied from one built once: building parses the name, seven
    times for each checked product."""
    return _BUILT[name].copy()


def _finite(value: exp.Expression) -> exp.Expression:
    # TRY_CAST binds for every type (an INTERVAL or STRUCT operand is NULL, never an error)
    return _call("isfinite", exp.TryCast(this=value.copy(), to=_type("DOUBLE")))


def _overflowed(result: exp.Expression, operands: list[exp.Expression]) -> exp.Expression:
    """Whether `result` is a non-finite FLOAT64 computed from finite `operands`."""
    is_double = exp.EQ(this=_call("typeof", result.copy()), expression=exp.Literal.string("DOUBLE"))
    parts = [is_double, exp.Not(this=_finite(result)), *(_finite(o) for o in operands if not _integer_text(o))]
    condition: Any = exp.and_(*parts)
    return condition


def _checked(root: exp.Expression) -> exp.Expression:
    """The tree at `root` with BigQuery's overflow error. Its large operands (a checked tree
    inside a function call, which the check would copy some five times at every level of
    nesting) are evaluated once and read through a lambda's parameter (boundvalues.py)."""
    large = [leaf for leaf in _leaves(root) if holds_check(leaf)]
    if not large:
        case = exp.Case(
            ifs=[exp.If(this=_overflowed(root, _leaves(root)), true=_overflow_error(root))], default=root.copy()
        )
        return _marked(exp.paren(case, copy=False), root)
    return _with_bound(root, large, _checked)


def _with_bound(
    node: exp.Expression, large: list[exp.Expression], check: Callable[[exp.Expression], exp.Expression]
) -> exp.Expression:
    """`check(node)` with the `large` operands of `node` evaluated once (boundvalues.py)."""
    values = [operand.copy() for operand in large]

    def over(refs: list[exp.Expression]) -> exp.Expression:
        for operand, ref in zip(large, refs):
            operand.replace(ref)
        return check(node)

    typed = node.copy()  # before `over` puts the references in
    return _marked(exp.paren(bound_together(values, over), copy=False), typed)


_CHECKED = "float_overflow_checked"


def _marked(node: exp.Expression, like: exp.Expression) -> exp.Expression:
    """`node`, the checked form of `like`, marked so and carrying `like`'s inferred type."""
    node.meta[_CHECKED] = True
    if like._meta:
        for key in (TYPE_KEY, COMPOSITE_KEY):
            if key in like.meta:
                node.meta[key] = like.meta[key]
    return node


def holds_check(node: exp.Expression) -> bool:
    """Whether `node` is large and holds an overflow-checked tree (which copying would double)."""
    return is_large(node) and any(n._meta and n.meta.get(_CHECKED) for n in node.walk())


def _text(value: exp.Expression) -> exp.Expression:
    as_double = exp.TryCast(this=value.copy(), to=_type("DOUBLE"))
    return exp.TryCast(this=as_double, to=_type("VARCHAR"))


def _overflow_error(root: exp.Expression) -> exp.Expression:
    """ZetaSQL's message, with the operands of the tree's last operator."""
    op = _unparen(root)
    parts = [exp.Literal.string("double overflow: "), _text(op.this), exp.Literal.string(_SYMBOLS[type(op)])]
    return _call("error", _call("concat", *parts, _text(op.expression)))


def check_float_overflow(stmt: exp.Expression) -> None:
    """Make FLOAT64 +, -, *, / of finite values with a non-finite result BigQuery's error, and
    SAFE_ADD / SAFE_SUBTRACT / SAFE_MULTIPLY / SAFE_DIVIDE's NULL."""
    roots: list[Any] = [n for n in stmt.find_all(*_ARITHMETIC) if not n.args.get("safe") and not _in_tree(n)]
    if any(not _integer_text(leaf) for root in roots for leaf in _leaves(root)):
        qualified = _qualify_aliases(stmt)
        for root in reversed(roots):  # innermost first: an outer tree copies the checked inner ones
            # a positional `?` copied would ask for more parameter values than the query has
            if all(_integer_text(leaf) for leaf in _leaves(root)) or root.find(exp.Placeholder):
                continue
            root.replace(_checked(root))
        for column, value in qualified:
            column.replace(exp.paren(value, copy=False))
    node: Any
    for node in reversed(find_all(stmt, exp.SafeAdd, exp.SafeSubtract, exp.SafeMultiply, exp.SafeDivide)):
        operands = [node.this, node.expression]
        if all(_integer_text(o) for o in operands) or node.find(exp.Placeholder):
            continue
        node.replace(_checked_safe(node))


def _checked_safe(node: exp.Expression) -> exp.Expression:
    """SAFE_ADD(a, b) and the like: NULL where the result overflowed (large operands bound once)."""
    operands = [node.this, node.expression]
    large = [o for o in operands if holds_check(o)]
    if not large:
        case = exp.Case(ifs=[exp.If(this=_overflowed(node, operands), true=exp.Null())], default=node.copy())
        return _marked(exp.paren(case, copy=False), node)
    return _with_bound(node, large, _checked_safe)


def _qualify_aliases(stmt: exp.Expression) -> list[tuple[exp.Column, exp.Expression]]:
    """The references in a QUALIFY clause to a SELECT-list alias of arithmetic, each with a copy
    of the alias's expression as written. DuckDB refuses a reference to an alias whose expression
    can raise an error ("Alias referenced - but the expression has side effects"), which the
    overflow check makes of any arithmetic not known to be integer; the reference becomes the
    unchecked expression, whose overflow the SELECT list's checked copy still raises for each row
    that QUALIFY keeps. An alias that shadows a column its own SELECT list reads is left alone
    (DuckDB reads that name as the column there)."""
    out: list[tuple[exp.Column, exp.Expression]] = []
    for select in stmt.find_all(exp.Select):
        qualify = select.args.get("qualify")
        if qualify is None:
            continue
        aliases = {
            e.alias.lower(): e.this
            for e in select.expressions
            if isinstance(e, exp.Alias) and e.this.find(*_ARITHMETIC) is not None
        }
        read = {c.name.lower() for e in select.expressions for c in e.find_all(exp.Column)}
        for column in qualify.find_all(exp.Column):
            name = column.name.lower()
            if column.table or name not in aliases or name in read:
                continue
            if any(isinstance(p, exp.Subquery | exp.Select) for p in _parents_until(column, qualify)):
                continue
            out.append((column, aliases[name].copy()))
    return out


def _parents_until(node: exp.Expression, top: exp.Expression) -> list[Any]:
    out: list[Any] = []
    parent = node.parent
    while parent is not None and parent is not top:
        out.append(parent)
        parent = parent.parent
    return out


def check_sum_overflow(stmt: exp.Expression) -> None:
    """SUM of finite FLOAT64 values (an aggregate or a window) whose total is not finite:
    BigQuery's "double overflow" where DuckDB answered ±inf. The largest magnitude among the
    values tells an overflow from a sum that has an infinite or NaN value in it (IEEE 754's
    answer stands there). Left out where the value's type is known and not FLOAT64; the test is
    folded away for any other SUM that is not a FLOAT64, but its extra aggregate is not."""
    from .statsaggregates import same_window

    for node in find_all(stmt, exp.Sum):
        value = node.this
        if isinstance(value, exp.Distinct):
            value = value.expressions[0] if value.expressions else None
        if value is None or _integer_text(value) or known_type(value) not in (None, "FLOAT64"):
            continue  # a column known not to be FLOAT64 skips the extra aggregate
        window = node.parent if isinstance(node.parent, exp.Window) else None
        target: Any = window if window is not None else node
        largest = same_window(exp.Max(this=exp.Abs(this=value.copy())), window)
        total = target.copy()
        overflowed = exp.and_(
            exp.EQ(this=_call("typeof", total.copy()), expression=exp.Literal.string("DOUBLE")),
            exp.Not(this=_finite(total)),
            exp.Not(this=_call("isnan", exp.TryCast(this=total.copy(), to=_type("DOUBLE")))),
            _finite(largest),
        )
        error = _call("error", exp.Literal.string("double overflow in SUM of FLOAT64 values"))
        target.replace(exp.paren(exp.Case(ifs=[exp.If(this=overflowed, true=error)], default=total), copy=False))
