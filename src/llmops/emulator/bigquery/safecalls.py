"""GoogleSQL's SAFE. prefix: the call answers NULL where it would fail.

A scalar call becomes DuckDB's TRY(...), with the errors the rewrites raise through error()
(which TRY refuses, being volatile) as NULLs. A rewrite that collects values (a list of code
points, a sparse vector's dimensions) answers NULL where one of them is such a NULL, so that SAFE.
does not go on with the others. TRY refuses aggregates and subqueries, so an
aggregate or analytic call (`SAFE.SUM(x)`, `SAFE.SUM(x) OVER (...)`) and a call with a subquery
argument keep their own form, with those errors as NULLs and an INT64 sum past INT64's range as
NULL (DuckDB sums INT64 into a 128-bit integer); an error DuckDB itself raises there still fails.

SAFE. covers only the function's own errors: `SAFE.LN(1 / 0)` fails with division by zero. TRY
covers its arguments too, so where TRY answers NULL the arguments are evaluated again outside it
(`COALESCE(TRY(f(a)), CASE WHEN hash(a) IS NULL THEN NULL END)`), which raises their errors; a
row with a value costs nothing more. An argument that a later rewrite replaced (so that it is no
longer found) leaves the call as TRY alone, its arguments' errors NULL as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

from .census import find_all

_ARG = "llmops_safe_argument"
_ARGS = "llmops_safe_arguments"
# arguments that raise nothing, or that are no value to evaluate again (a unit, a lambda, a name)
_NEVER_FAILS = (
    exp.Literal,
    exp.DataType,
    exp.Column,
    exp.Var,
    exp.Lambda,
    exp.Identifier,
    exp.Null,
    exp.Boolean,
    exp.Kwarg,
    exp.PropertyEQ,
    exp.Star,
)


_PATH = "__BQ_SAFE_PATH"
_SAFE_NAMESPACES = ("NET",)
"""The function namespaces whose calls take SAFE. (`SAFE.NET.IP_FROM_STRING(x)`); sqlglot's
parser reads SAFE. before one name only."""


def wrap_safe_paths(tokens: Sequence[Token]) -> list[Token]:
    """`tokens` with each `SAFE.NET.f(...)` written `SAFE.__BQ_SAFE_PATH(NET.f(...))`, which
    sqlglot parses; `unwrap_safe_paths` makes it the SAFE. call of `NET.f(...)`."""
    out: list[Token] = []
    closes: list[int] = []  # the bracket depths at which a wrapped call ends
    depth = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if _is_safe_path(tokens, i):
            out += [tok, tokens[i + 1], _like(tok, TokenType.VAR, _PATH), _like(tok, TokenType.L_PAREN, "(")]
            closes.append(depth)
            i += 2  # on from the namespace, as written
            continue
        out.append(tok)
        i += 1
        if tok.token_type in (TokenType.L_PAREN, TokenType.L_BRACKET):
            depth += 1
        elif tok.token_type in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth -= 1
            if closes and closes[-1] == depth:
                closes.pop()
                out.append(_like(tok, TokenType.R_PAREN, ")"))
    return out


def _is_safe_path(tokens: Sequence[Token], i: int) -> bool:
    """Whether tokens[i] is the SAFE of `SAFE . <namespace> . name (`, not itself qualified."""
    if i + 5 >= len(tokens) or tokens[i].text.upper() != "SAFE" or i and tokens[i - 1].token_type == TokenType.DOT:
        return False
    dot, space, dot2, _, paren = tokens[i + 1 : i + 6]
    return (
        dot.token_type == TokenType.DOT
        and space.text.upper() in _SAFE_NAMESPACES
        and dot2.token_type == TokenType.DOT
        and paren.token_type == TokenType.L_PAREN
    )


def _like(tok: Token, kind: TokenType, text: str) -> Token:
    return Token(kind, text, tok.line, tok.col, tok.start, tok.end)


def unwrap_safe_paths(tree: exp.Expr) -> None:
    """Each SAFE. call that `wrap_safe_paths` wrapped as the SAFE. call of the namespace's function."""
    for node in list(tree.find_all(exp.SafeFunc)):
        inner = node.this
        if isinstance(inner, exp.Anonymous) and inner.name == _PATH and len(inner.expressions) == 1:
            node.set("this", inner.expressions[0])


def tag_safe_arguments(stmt: exp.Expression) -> None:
    """Mark the arguments of each scalar SAFE. call (as GoogleSQL wrote them) to find them after
    the rewrites."""
    for n, node in enumerate(stmt.find_all(exp.SafeFunc)):
        call = node.this.this if isinstance(node.this, exp.NetFunc) else node.this  # NET.f: f's arguments
        _check_takes_safe(call)
        if not isinstance(call, exp.Func) or isinstance(call, exp.AggFunc):
            continue
        # a named argument's value (`day => DIV(1, 0)`) raises its errors as a positional one's
        values = (a.expression if isinstance(a, exp.Kwarg | exp.PropertyEQ) else a for a in call.iter_expressions())
        args = [a for a in values if a is not None and not isinstance(a, _NEVER_FAILS)]
        for i, arg in enumerate(args):
            arg.meta[_ARG] = (n, i)
        node.meta[_ARGS] = (n, len(args))


# functions that raise no error of their own, for which BigQuery refuses the SAFE. prefix
_NO_SAFE_FORM: dict[type[exp.Expression], str] = {exp.SessionUser: "session_user"}


def _check_takes_safe(call: exp.Expression) -> None:
    name = _NO_SAFE_FORM.get(type(call))
    if name is not None:
        from .googlesql import BigQueryError

        raise BigQueryError(f"SAFE with function {name} is not supported.", fix=f"call {name.upper()}() without SAFE.")


def _arguments(node: exp.SafeFunc) -> list[exp.Expression] | None:
    """The marked arguments of a SAFE. call as rewritten, or None where one is no longer found."""
    if not node._meta or _ARGS not in node.meta:
        return None
    n, count = node.meta[_ARGS]
    found: dict[int, exp.Expression] = {}
    for child in node.this.walk():
        tag = child.meta.get(_ARG) if child._meta else None
        if tag is not None and tag[0] == n and tag[1] not in found:
            found[tag[1]] = child
    if len(found) != count or any(a.find_ancestor(exp.Lambda) for a in found.values()):
        return None  # replaced, or moved into a lambda whose names it may use
    return [found[i] for i in range(count)]


def _try_raising_arguments(node: exp.SafeFunc) -> exp.Expression:
    """TRY of the call, or where it answers NULL the arguments again outside TRY (see above)."""
    tried = exp.Anonymous(this="TRY", expressions=[_without_errors(node.this.copy())])
    args = _arguments(node)
    if not args:
        return tried
    evaluated = exp.Is(this=exp.Anonymous(this="hash", expressions=[a.copy() for a in args]), expression=exp.Null())
    again = exp.Case(ifs=[exp.If(this=evaluated, true=exp.Null())])
    return exp.Coalesce(this=tried, expressions=[again])


def _without_errors(node: exp.Expression) -> exp.Expression:
    return node.transform(lambda n: exp.Null() if isinstance(n, exp.Anonymous) and n.name.lower() == "error" else n)


def _has_aggregate(node: exp.Expression) -> bool:
    """Whether `node` calls an aggregate of its own query (not one of a subquery's)."""
    for agg in node.find_all(exp.AggFunc):
        parent = agg.parent
        while parent is not None and parent is not node and not isinstance(parent, exp.Query):
            parent = parent.parent
        if parent is node:
            return True
    return isinstance(node, exp.AggFunc)


def safe_window_calls(stmt: exp.Expression) -> None:
    """`SAFE.f(x) OVER (...)`, which sqlglot reads as a window over the path SAFE.f, as the
    SAFE call of the window."""
    for window in find_all(stmt, exp.Window):
        call = window.this
        if (
            isinstance(call, exp.Dot)
            and isinstance(call.this, exp.Identifier)
            and call.this.name.upper() == "SAFE"
            and isinstance(call.expression, exp.Anonymous)
        ):
            named = exp.func(call.expression.name, *call.expression.expressions, dialect="bigquery")
            window.set("this", named)
            window.replace(exp.SafeFunc(this=window.copy()))


# analytic functions whose errors SAFE. leaves alone (ZetaSQL: SAFE.NTILE(-1) OVER () fails)
_ANALYTIC_ONLY = (
    exp.Ntile,
    exp.Lag,
    exp.Lead,
    exp.Rank,
    exp.DenseRank,
    exp.RowNumber,
    exp.FirstValue,
    exp.LastValue,
    exp.NthValue,
    exp.PercentRank,
    exp.CumeDist,
)


def _own_errors_as_null(node: exp.SafeFunc) -> exp.Expression:
    """The call with its own errors (not those of an aggregate's argument or of a subquery) as
    NULL."""
    if any(isinstance(w.this, _ANALYTIC_ONLY) for w in node.find_all(exp.Window)):
        return node.this
    for error in list(node.find_all(exp.Anonymous)):
        if error.name.lower() != "error":
            continue
        parent = error.parent
        while parent is not None and parent is not node and not isinstance(parent, exp.AggFunc | exp.Query):
            parent = parent.parent
        if parent is node:
            error.replace(exp.Null())
    return node.this


def rewrite_safe_calls(stmt: exp.Expression) -> None:
    """Each SAFE. call as DuckDB SQL answering NULL where the call fails."""
    for node in reversed(find_all(stmt, exp.SafeFunc)):  # a SAFE. call in another's arguments first
        if not _has_aggregate(node) and node.find(exp.Query) is None:
            tried = _try_raising_arguments(node)
            if node._meta and _ARG in node.meta:  # an argument of an outer SAFE. call, evaluated again
                tried.meta[_ARG] = node.meta[_ARG]
            node.replace(tried)
            continue
        inner = _own_errors_as_null(node)
        is_huge = exp.EQ(
            this=exp.Anonymous(this="typeof", expressions=[inner.copy()]), expression=exp.Literal.string("HUGEINT")
        )
        narrowed = exp.TryCast(this=inner.copy(), to=exp.DataType.build("BIGINT"))
        node.replace(exp.Case(ifs=[exp.If(this=is_huge, true=narrowed)], default=inner.copy()))


def later_errors_as_null(stmt: exp.Expression) -> None:
    """The errors that a rewrite running after `rewrite_safe_calls` (the range functions') put
    inside a SAFE. call's TRY as NULL, as `_without_errors` makes the others (TRY refuses error())."""
    for tried in find_all(stmt, exp.Anonymous):
        if tried.name.upper() == "TRY" and tried.expressions:
            tried.set("expressions", [_without_errors(e) for e in tried.expressions])
