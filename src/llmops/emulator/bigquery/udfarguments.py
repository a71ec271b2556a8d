"""A SQL UDF's arguments, each evaluated once per call.

GoogleSQL evaluates a function's arguments before the call, so a body that reads its argument
twice sees one value (`CREATE TEMP FUNCTION f(a FLOAT64) AS (a = a); SELECT f(RAND())` is TRUE).
A DuckDB macro substitutes the argument's expression at each reference instead, so the body's
`a = a` became `random() = random()` (FALSE). The translated rewrites also read an operand more
than once (overflow and cast checks), so a body that names its argument once may still copy it.

Where a translated body reads an argument more than once, its arguments are bound once as the
fields of a STRUCT that a lambda receives: `list_extract(list_transform([struct_pack(p1 := a)],
lambda __udf_args: <body reading struct_extract(__udf_args, 'p1')>), 1)`. DuckDB refuses a
subquery inside a lambda, so a body with a subquery reads its arguments as the columns of a
one-row derived table instead: `(SELECT <body reading __udf_args.p1> FROM (SELECT a AS p1) AS
__udf_args)` (`CREATE TEMP FUNCTION f(x FLOAT64) AS ((SELECT x - x)); SELECT f(RAND())` was a
nonzero difference; a reference inside a subquery with a FROM ran once per row of it). A qualified
reference (`a.x`, a field of a STRUCT argument) would need its own spelling, so such bodies keep
the macro's substitution (see docs/googlesql.md).
"""

from __future__ import annotations

from contextvars import ContextVar

from sqlglot import exp

_ARGS = "__udf_args"

AGGREGATE_BODY: ContextVar[bool] = ContextVar("AGGREGATE_BODY", default=False)
"""True while a SQL aggregate function's body is translated: its aggregate arguments are a
group's rows, read inside the body's aggregate calls, so they keep the macro's substitution (a
lambda or derived table binding one value is outside those calls: "aggregate functions cannot
reference lambda parameters")."""

PLAIN_ARGUMENT = "plain_argument"
"""Marks the CAST of a STRING or INT64 argument in a function body: no other type coerces to
either, so the value has the type already and the CAST stays DuckDB's, not GoogleSQL's
conversion of a value of any type (which copies the value once per type it might have, and
grows with each rewrite that copies it)."""


def _argument_references(body: exp.Expression, params: list[str]) -> list[exp.Column] | None:
    """The body's references to its parameters, or None where they cannot be rebound (a
    subquery, a parameter read through a qualifier)."""
    names = {p.lower() for p in params}
    refs: list[exp.Column] = []
    for col in body.find_all(exp.Column):
        if col.table and col.table.lower() in names:
            return None
        if col.table or col.name.lower() not in names or _bound_by_lambda(col):
            continue
        refs.append(col)
    return refs


def _bound_by_lambda(col: exp.Column) -> bool:
    """Whether a lambda inside the body binds the column's name (the rewrites' own lambdas)."""
    node = col.parent
    while node is not None:
        if isinstance(node, exp.Lambda) and any(
            isinstance(p, exp.Identifier) and p.name.lower() == col.name.lower() for p in node.expressions
        ):
            return True
        node = node.parent
    return False


def bind_arguments_once(body: exp.Expression, params: list[str]) -> exp.Expression:
    """The body with each argument evaluated once, where it reads one more than once."""
    if AGGREGATE_BODY.get():
        return body
    refs = _argument_references(body, params)
    if not refs:
        return body
    position = {p.lower(): f"p{i + 1}" for i, p in enumerate(params)}
    if any(isinstance(node, exp.Query) for node in body.walk()):
        return _bound_by_derived_table(body, params, refs, position)
    if len(refs) == len({r.name.lower() for r in refs}):
        return body
    for col in refs:
        col.replace(
            exp.Anonymous(
                this="struct_extract",
                expressions=[exp.column(_ARGS), exp.Literal.string(position[col.name.lower()])],
            )
        )
    packed = exp.Anonymous(
        this="struct_pack",
        expressions=[
            exp.PropertyEQ(this=exp.to_identifier(position[p.lower()]), expression=exp.column(p, quoted=True))
            for p in params
        ],
    )
    each = exp.Lambda(this=body, expressions=[exp.to_identifier(_ARGS)])
    transformed = exp.Anonymous(this="list_transform", expressions=[exp.Array(expressions=[packed]), each])
    return exp.Anonymous(this="list_extract", expressions=[transformed, exp.Literal.number(1)])


def _bound_by_derived_table(
    body: exp.Expression, params: list[str], refs: list[exp.Column], position: dict[str, str]
) -> exp.Expression:
    """A body with a subquery, its arguments read from a one-row derived table (DuckDB has no
    subquery inside a lambda). A reference inside a subquery with a FROM runs once per row of it,
    so even one reference is bound."""
    for col in refs:
        col.replace(exp.column(position[col.name.lower()], table=_ARGS))
    row = exp.select(*(exp.alias_(exp.column(p, quoted=True), position[p.lower()]) for p in params))
    return exp.Subquery(
        this=exp.select(body).from_(exp.Subquery(this=row, alias=exp.TableAlias(this=exp.to_identifier(_ARGS))))
    )
