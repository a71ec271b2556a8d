"""Parenthesized joins that start with UNNEST: `FROM (UNNEST(arr) AS a JOIN t ON ...)`.

GoogleSQL takes `( from_item join_operation )` as a from_item; sqlglot parses that form unless
its first item is an UNNEST. As the first item of FROM the parentheses change nothing (joins
group from the left), so they are dropped before parsing; elsewhere the form is refused.
"""

from __future__ import annotations

import re

from sqlglot.tokens import Token, TokenType

from .googlesql import BigQueryError

_PAREN_UNNEST = re.compile(r"\(\s*UNNEST\s*\(", re.IGNORECASE)
"""The text that may open such a join (a comment between the two would hide one: not worth a tokenizer pass)."""
_OPEN = (TokenType.L_PAREN, TokenType.L_BRACKET)
_CLOSE = (TokenType.R_PAREN, TokenType.R_BRACKET)


def unwrap_leading_unnest_joins(sql: str) -> str:
    """`sql` with the parentheses of each such join that opens a FROM clause blanked out (so
    positions in a syntax error stay the user's); a BigQueryError for one anywhere else."""
    if not _PAREN_UNNEST.search(sql):
        return sql
    from sqlglot.dialects.bigquery import BigQuery
    from sqlglot.errors import TokenError

    try:
        tokens = BigQuery().tokenize(sql)
    except TokenError:
        return sql  # the parser reports the problem
    blanks: list[int] = []
    for i in range(1, len(tokens) - 1):
        if tokens[i].token_type != TokenType.L_PAREN or tokens[i + 1].token_type != TokenType.UNNEST:
            continue
        close = _closing_if_joined(tokens, i)
        if close is None:
            continue
        if tokens[i - 1].token_type != TokenType.FROM:
            raise BigQueryError(
                "A parenthesized join that starts with UNNEST after another FROM item is not supported by "
                "the local warehouse",
                fix="start the FROM clause with it, or read the UNNEST in a subquery: (SELECT ... FROM UNNEST(...))",
            )
        blanks += [tokens[i].start, tokens[close].start]
    for pos in blanks:
        sql = f"{sql[:pos]} {sql[pos + 1 :]}"
    return sql


def _closing_if_joined(tokens: list[Token], open_at: int) -> int | None:
    """The index of the parenthesis closing `tokens[open_at]` when a JOIN or a comma stands
    directly inside it (a join), else None."""
    depth, joined = 0, False
    for j in range(open_at, len(tokens)):
        kind = tokens[j].token_type
        if kind in _OPEN:
            depth += 1
        elif kind in _CLOSE:
            depth -= 1
            if depth == 0:
                return j if joined else None
        elif depth == 1 and kind in (TokenType.JOIN, TokenType.COMMA):
            joined = True
    return None
