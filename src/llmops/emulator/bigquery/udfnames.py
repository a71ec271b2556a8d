"""Calls of a temporary function named like a built-in one call the temporary function.

sqlglot parses a call by its name alone (`SPLIT(a, b, 1)` becomes its SPLIT node, dropping the
third argument), and the rewrites then translate the built-in. So the call's name token is given
a mark before parsing, which keeps it an anonymous call no rewrite knows, and the mark is taken
off when the DuckDB SQL is written: the temporary macro of that name answers it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import sqlglot
from sqlglot import exp
from sqlglot.tokens import Token, TokenType

from .arities import ARITIES

MARK = "__bq_udf__"


def mark_udf_calls(tokens: Sequence[Token], functions: Collection[str]) -> list[Token]:
    """`tokens` with each unqualified call of a temporary function (named in `functions` or
    created by the script) whose name is also a built-in's renamed with the mark."""
    names = {f.upper() for f in functions} | _created(tokens)
    names &= _builtin_names()
    if not names:
        return list(tokens)
    out = list(tokens)
    for i, tok in enumerate(tokens[:-1]):
        if tokens[i + 1].token_type != TokenType.L_PAREN or tok.text.upper() not in names:
            continue
        if i and tokens[i - 1].token_type in (TokenType.DOT, TokenType.FUNCTION):
            continue  # a qualified name, or the function's own definition
        out[i] = Token(TokenType.VAR, MARK + tok.text, tok.line, tok.col, tok.start, tok.end, tok.comments)
    return out


def unmark_udf_calls(tree: exp.Expression) -> None:
    """The marked calls in `tree` named as the user wrote them again."""
    for call in tree.find_all(exp.Anonymous):
        if isinstance(call.this, str) and call.this.startswith(MARK):
            call.set("this", call.this[len(MARK) :])


def _created(tokens: Sequence[Token]) -> set[str]:
    """The names of the temporary functions the script creates."""
    names = set()
    for i, tok in enumerate(tokens):
        if tok.token_type == TokenType.FUNCTION and i and tokens[i - 1].text.upper() in ("TEMP", "TEMPORARY"):
            at = i + 1
            if at + 2 < len(tokens) and tokens[at].text.upper() == "IF":
                at += 3  # IF NOT EXISTS
            if at < len(tokens):
                names.add(tokens[at].text.upper())
    return names


_builtins: frozenset[str] | None = None


def _builtin_names() -> frozenset[str]:
    """The names sqlglot parses as built-in calls, and those the arity check knows."""
    global _builtins
    if _builtins is None:
        parser = sqlglot.Dialect.get_or_raise("bigquery").parser()
        _builtins = frozenset(parser.FUNCTIONS) | frozenset(parser.FUNCTION_PARSERS) | frozenset(ARITIES)
    return _builtins
