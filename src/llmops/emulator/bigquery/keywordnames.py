"""Names that sqlglot reads as operators or keywords but GoogleSQL reads as plain identifiers.

A reserved keyword after a dot is a name (the reference's "Path expressions": "If a subsequent
part of a path expressions starts with a reserved keyword, it may be quoted or unquoted"):
`s.array[0]` of a STRUCT field or a JSON member named `array`, `j.select`, `s.from`. sqlglot read
`s.array[0]` as the literal `ARRAY[0]` and answered `[0]` (silently), and `s.from`/`j.select` were
syntax errors. Such a word is quoted (`` s.`array` ``) unless a `(` follows it (`SAFE.LEFT(...)`).

sqlglot also reads a subscript of any name `array` or `list` as an array literal, quoted or not,
a column or a field (`list[0]` of a column `list` was `[0]`; GoogleSQL has no LIST[...] and
`ARRAY[...]` only as the bare keyword): before parsing such a name takes a placeholder name, and
gets its own back in the parsed tree.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

# MySQL's REGEXP operator: GoogleSQL has none, so `regexp` is an ordinary column name there
_OPERATOR_WORDS = frozenset({"REGEXP"})


def quote_operator_words(sql: str) -> str:
    """`sql` with each such word quoted as an identifier (`` `regexp` ``), and `ilike` where it
    is not between two expressions (`SELECT ilike FROM t`: GoogleSQL's reserved keywords do not
    list it, and sqlglot's ILIKE operator made it a syntax error; as an operator it stays
    foreignsyntax.py's refusal)."""
    lowered = sql.lower()
    if "regexp" not in lowered and "ilike" not in lowered:
        return sql
    from .foreignsyntax import ilike_operator

    def pick(tokens: list[Token], i: int) -> bool:
        kind = tokens[i].token_type
        if kind == TokenType.ILIKE:
            return not ilike_operator(tokens, i)
        return kind == TokenType.RLIKE and tokens[i].text.upper() in _OPERATOR_WORDS

    return _quoted(sql, pick)


def _quoted(sql: str, pick: Callable[[list[Token], int], bool]) -> str:
    """`sql` with each token that `pick(tokens, i)` picks quoted as an identifier."""
    from sqlglot.dialects.bigquery import BigQuery
    from sqlglot.errors import TokenError

    try:
        tokens = BigQuery().tokenize(sql)
    except TokenError:
        return sql  # the parser reports the problem
    spans = [(t.start, t.end) for i, t in enumerate(tokens) if pick(tokens, i)]
    for start, end in reversed(spans):
        sql = f"{sql[:start]}`{sql[start : end + 1]}`{sql[end + 1 :]}"
    return sql


RESERVED_KEYWORDS = frozenset(
    """
ALL AND ANY ARRAY AS ASC ASSERT_ROWS_MODIFIED AT BETWEEN BY CASE CAST COLLATE CONTAINS CREATE CROSS
CUBE CURRENT DEFAULT DEFINE DESC DISTINCT ELSE END ENUM ESCAPE EXCEPT EXCLUDE EXISTS EXTRACT FALSE
FETCH FOLLOWING FOR FROM FULL GROUP GROUPING GROUPS HASH HAVING IF IGNORE IN INNER INTERSECT
INTERVAL INTO IS JOIN LATERAL LEFT LIKE LIMIT LOOKUP MERGE NATURAL NEW NO NOT NULL NULLS OF ON OR
ORDER OUTER OVER PARTITION PRECEDING PROTO QUALIFY RANGE RECURSIVE RESPECT RIGHT ROLLUP ROWS SELECT
SET SOME STRUCT TABLESAMPLE THEN TO TREAT TRUE UNBOUNDED UNION UNNEST USING WHEN WHERE WINDOW WITH
WITHIN
""".split()
)
"""GoogleSQL's reserved keywords (lexical.md, "Reserved keywords")."""

_AFTER_DOT = re.compile(r"\.\s*(" + "|".join(sorted(RESERVED_KEYWORDS)) + r")\b", re.IGNORECASE)


def quote_keywords_after_dots(sql: str) -> str:
    """`sql` with each reserved keyword that follows a dot and is not called quoted as a name."""
    if not _AFTER_DOT.search(sql):
        return sql
    return _quoted(sql, _keyword_after_dot)


def _keyword_after_dot(tokens: list[Token], i: int) -> bool:
    """Whether tokens[i] is a reserved keyword after a dot that is not called (`SAFE.LEFT(`)."""
    token = tokens[i]
    return (
        i > 0
        and tokens[i - 1].token_type == TokenType.DOT
        and token.token_type not in (TokenType.IDENTIFIER, TokenType.STAR)
        and token.text.upper() in RESERVED_KEYWORDS
        and not (i + 1 < len(tokens) and tokens[i + 1].token_type == TokenType.L_PAREN)
    )


_SUBSCRIPTED = "__llmops_subscripted__"
"""The prefix of a placeholder name: `mark_subscripted_names` adds it, `restore_subscripted_names`
takes it away."""


def mark_subscripted_names(tokens: list[Token]) -> list[Token]:
    """`tokens` with each name `array`/`list` that is subscripted (`x[...]`) as a placeholder name:
    a quoted name, a field after a dot, or `list` (not the bare keyword ARRAY, a literal)."""
    out = list(tokens)
    for i, token in enumerate(tokens[:-1]):
        name = token.text.upper()
        if name not in ("ARRAY", "LIST") or tokens[i + 1].token_type != TokenType.L_BRACKET:
            continue
        quoted = token.token_type == TokenType.IDENTIFIER
        after_dot = i > 0 and tokens[i - 1].token_type == TokenType.DOT
        if quoted or after_dot or (name == "LIST" and token.token_type != TokenType.STRING):
            kind = TokenType.IDENTIFIER if quoted else TokenType.VAR
            out[i] = Token(kind, _SUBSCRIPTED + token.text, token.line, token.col, token.start, token.end)
    return out


def restore_subscripted_names(tree: exp.Expr) -> None:
    """Each placeholder name of `mark_subscripted_names` as written in the query."""
    for ident in tree.find_all(exp.Identifier):
        if isinstance(ident.this, str) and ident.this.startswith(_SUBSCRIPTED):
            ident.set("this", ident.this[len(_SUBSCRIPTED) :])
