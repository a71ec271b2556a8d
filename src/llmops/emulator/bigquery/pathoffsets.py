"""An array path with WITH OFFSET as a FROM item: `FROM t.arr AS e WITH OFFSET`,
`... RIGHT JOIN sub.cb.b AS f WITH OFFSET USING (offset)`.

GoogleSQL reads a FROM path through a row's field as that array's UNNEST; sqlglot parses the path
(see arraypaths.py) but not a WITH OFFSET after it, a syntax error. Before parsing, such a path
is written as the UNNEST it means, named by its alias or, as GoogleSQL names it, its last part.
"""

from __future__ import annotations

import re

from sqlglot.tokens import Token, TokenType

_WITH_OFFSET = re.compile(r"\bWITH\s+OFFSET\b", re.IGNORECASE)
_NAMES = (TokenType.VAR, TokenType.IDENTIFIER)
_BEFORE_ITEM = (TokenType.FROM, TokenType.JOIN, TokenType.COMMA)


def unnest_offset_paths(sql: str) -> str:
    """`sql` with each `path [AS alias] WITH OFFSET` FROM item written `UNNEST(path) AS alias
    WITH OFFSET`."""
    if not _WITH_OFFSET.search(sql):
        return sql
    from sqlglot.dialects.bigquery import BigQuery
    from sqlglot.errors import TokenError

    try:
        tokens = BigQuery().tokenize(sql)
    except TokenError:
        return sql  # the parser reports the problem
    edits: list[tuple[int, int, str]] = []
    for i, token in enumerate(tokens):
        if token.token_type == TokenType.WITH and i + 1 < len(tokens) and tokens[i + 1].text.upper() == "OFFSET":
            found = _path_before(tokens, i)
            if found is not None:
                first, last, alias = found
                path = sql[tokens[first].start : tokens[last].end + 1]
                name = alias or _quoted(tokens[last])
                edits.append((tokens[first].start, tokens[i - 1].end + 1, f"UNNEST({path}) AS {name}"))
    for start, end, text in reversed(edits):
        sql = sql[:start] + text + sql[end:]
    return sql


def _path_before(tokens: list[Token], with_at: int) -> tuple[int, int, str] | None:
    """(first token of the path, its last, the alias's text or '') for the FROM item that ends
    just before `tokens[with_at]`, if that item is a dotted path."""
    end = with_at - 1
    alias = ""
    if end >= 1 and tokens[end].token_type in _NAMES and tokens[end - 1].token_type == TokenType.ALIAS:
        alias, end = _quoted(tokens[end]), end - 2
    elif end >= 1 and tokens[end].token_type in _NAMES and tokens[end - 1].token_type in _NAMES:
        alias, end = _quoted(tokens[end]), end - 1
    last = end
    parts = 0
    while end >= 0 and tokens[end].token_type in _NAMES:
        parts += 1
        if end >= 1 and tokens[end - 1].token_type == TokenType.DOT:
            end -= 2
        else:
            break
    if parts < 2 or end < 1 or tokens[end - 1].token_type not in _BEFORE_ITEM:
        return None
    return end, last, alias


def _quoted(token: Token) -> str:
    return f"`{token.text}`" if token.token_type == TokenType.IDENTIFIER else token.text
