"""A large subexpression evaluated once where a rewrite needs its value several times.

A rewrite that tests a value and then returns it (`CASE WHEN typeof(v) ... THEN ... ELSE v END`)
writes the value several times. Nested, the copies multiply at every level: a checked FLOAT64
product inside `SIN()` inside another product grew the SQL fivefold per level (six levels took
DuckDB's binder and the translator minutes). A value larger than a few nodes is therefore bound
once, as the element of a one-element list that `list_transform` hands to a lambda, and the
rewrite's body reads the lambda's parameter: the SQL grows by a constant per level.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlglot import exp

from .coltypes import COMPOSITE_KEY, TYPE_KEY

COPIED_NODES_LIMIT = 8
"""A value of more nodes than this is bound rather than copied."""

BOUND_NAME = "__bound_value"


def size(value: exp.Expression) -> int:
    """The nodes of `value`, counted up to one past `COPIED_NODES_LIMIT`."""
    return sum(1 for _ in zip(value.walk(), range(COPIED_NODES_LIMIT + 1), strict=False))


def is_large(value: exp.Expression) -> bool:
    return size(value) > COPIED_NODES_LIMIT


def _typed_like(ref: exp.Expression, value: exp.Expression) -> exp.Expression:
    """`ref` carrying the type the translator inferred for `value` (later rewrites read it)."""
    if value._meta:
        for key in (TYPE_KEY, COMPOSITE_KEY):
            if key in value.meta:
                ref.meta[key] = value.meta[key]
    return ref


def _call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def bound_once(value: exp.Expression, body: Callable[[exp.Expression], exp.Expression]) -> exp.Expression:
    """`body(v)` with v standing for `value`, which is evaluated once."""
    ref = _typed_like(exp.column(BOUND_NAME), value)
    fn = exp.Lambda(this=body(ref), expressions=[exp.to_identifier(BOUND_NAME)])
    listed = _call("list_transform", exp.Array(expressions=[value.copy()]), fn)
    return _call("list_extract", listed, exp.Literal.number(1))


def bound_together(
    values: Sequence[exp.Expression], body: Callable[[list[exp.Expression]], exp.Expression]
) -> exp.Expression:
    """`body(refs)` with `refs[i]` standing for `values[i]`, each evaluated once (one value is
    bound bare; several as the fields of a STRUCT, which keeps each one's type)."""
    if len(values) == 1:
        return bound_once(values[0], lambda ref: body([ref]))
    names = [f"v{i}" for i in range(len(values))]
    packed = exp.Struct(
        expressions=[exp.PropertyEQ(this=exp.to_identifier(n), expression=v.copy()) for n, v in zip(names, values)]
    )
    refs = [_typed_like(exp.column(n, table=BOUND_NAME), v) for n, v in zip(names, values)]
    fn = exp.Lambda(this=body(refs), expressions=[exp.to_identifier(BOUND_NAME)])
    listed = _call("list_transform", exp.Array(expressions=[packed]), fn)
    return _call("list_extract", listed, exp.Literal.number(1))
