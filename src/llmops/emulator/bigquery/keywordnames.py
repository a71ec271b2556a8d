"""Names that sqlglot reads as operators but GoogleSQL reads as plain identifiers."""

from __future__ import annotations

from sqlglot.tokens import TokenType

# MySQL's REGEXP operator: GoogleSQL has none, so `regexp` is an ordinary column name there
_OPERATOR_WORDS = frozenset({"REGEXP"})


def quote_operator_words(sql: str) -> str:
    """`sql` with each such word quoted as an identifier (`` `regexp` ``)."""
    if "regexp" not in sql.lower():
        return sql
    from sqlglot.dialects.bigquery import BigQuery
    from sqlglot.errors import TokenError

    try:
        tokens = BigQuery().tokenize(sql)
    except TokenError:
        return sql  # the parser reports the problem
    spans = [(t.start, t.end) for t in tokens if t.token_type == TokenType.RLIKE and t.text.upper() in _OPERATOR_WORDS]
    for start, end in reversed(spans):
        sql = f"{sql[:start]}`{sql[start : end + 1]}`{sql[end + 1 :]}"
    return sql
