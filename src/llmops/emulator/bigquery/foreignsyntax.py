"""SQL that other dialects write and GoogleSQL refuses, checked on a statement's tokens.

DuckDB and sqlglot accept PostgreSQL's and other dialects' spellings that BigQuery answers with
an error: `x::INT64`, type names GoogleSQL does not have (`CAST(x AS VARCHAR)`, `FLOAT`, `TEXT`,
`DOUBLE`, in CASTs, DECLAREs and CREATE TABLE column lists), aggregate `FILTER (WHERE ...)`
clauses and `ILIKE`. Code that ran here would fail on BigQuery, so each fails here first, in
BigQuery's words. The type names GoogleSQL takes are its data types page's, aliases included
(INT, SMALLINT, INTEGER, BIGINT, TINYINT, BYTEINT; DECIMAL, BIGDECIMAL; BOOLEAN).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

from .googlesql import BigQueryError
from .script_parser import _line_col

TYPE_NAMES = frozenset(
    {
        "INT64", "INT", "SMALLINT", "INTEGER", "BIGINT", "TINYINT", "BYTEINT", "NUMERIC", "DECIMAL",
        "BIGNUMERIC", "BIGDECIMAL", "FLOAT64", "BOOL", "BOOLEAN", "STRING", "BYTES", "DATE", "DATETIME",
        "TIME", "TIMESTAMP", "INTERVAL", "GEOGRAPHY", "JSON",
    }
)  # fmt: skip
"""GoogleSQL's scalar type names and their aliases; ARRAY, STRUCT and RANGE take parameters."""

_EXPRESSION_END = {
    TokenType.VAR,
    TokenType.IDENTIFIER,
    TokenType.STRING,
    TokenType.NUMBER,
    TokenType.R_PAREN,
    TokenType.R_BRACKET,
}
_EXPRESSION_START = {TokenType.VAR, TokenType.IDENTIFIER, TokenType.STRING, TokenType.L_PAREN, TokenType.PARAMETER}


def check_foreign_syntax(tokens: Sequence[Token], sql: str) -> None:
    """Raise BigQuery's error for the first spelling in `tokens` that GoogleSQL does not have."""
    parents = _parents(tokens)
    for i in range(len(tokens)):
        unexpected = _unexpected(tokens, i) or _string_table_name(tokens, parents, i)
        if unexpected is not None:
            raise _error(*unexpected, sql)
        start = _type_position(tokens, parents, i)
        if start is not None:
            bad = _unknown_type(tokens, start)
            if bad is not None:
                raise _type_error(bad, sql, bad.start)


def _unexpected(tokens: Sequence[Token], i: int) -> tuple[str, Token, str] | None:
    """(BigQuery's syntax error, where, the fix) for `x::type`, `FILTER (WHERE ...)`, ILIKE, `%`, MySQL's `LIMIT offset, count`, `FETCH
    FIRST n ROWS`, `SELECT * EXCLUDE (...)` and `DISTINCT ON (...)` at token `i`."""
    tok = tokens[i]
    kind = tok.token_type
    if kind == TokenType.DCOLON:
        return "CAST operators are not supported", tok, "write CAST(x AS type) (or SAFE_CAST) instead of x::type"
    if (
        kind == TokenType.FILTER
        and i
        and tokens[i - 1].token_type == TokenType.R_PAREN
        and _kind(tokens, i + 1) == TokenType.L_PAREN
        and _kind(tokens, i + 2) == TokenType.WHERE
    ):
        return (
            'Syntax error: Expected end of input but got "("',
            tokens[i + 1],
            "GoogleSQL has no FILTER clause: use COUNTIF(condition) or an aggregate of IF(condition, x, NULL)",
        )
    if kind == TokenType.ILIKE and ilike_operator(tokens, i):
        return (
            f'Syntax error: Expected end of input but got identifier "{tok.text}"',
            tok,
            "GoogleSQL has no ILIKE: compare LOWER(x) LIKE LOWER(pattern)",
        )
    if kind == TokenType.MOD:
        return 'Syntax error: Unexpected "%"', tok, "GoogleSQL has no % operator: use MOD(a, b)"
    if kind == TokenType.LIMIT:
        j = i + 1 + (_kind(tokens, i + 1) == TokenType.PARAMETER)
        if _kind(tokens, j) in (TokenType.NUMBER, TokenType.VAR) and _kind(tokens, j + 1) == TokenType.COMMA:
            return (
                'Syntax error: Expected end of input but got ","',
                tokens[j + 1],
                "write LIMIT count OFFSET skipped (GoogleSQL has no LIMIT skipped, count)",
            )
    if (
        kind == TokenType.FETCH
        and i
        and tokens[i - 1].token_type in _EXPRESSION_END
        and _kind(tokens, i + 1) in (TokenType.FIRST, TokenType.VAR)
        and tokens[i + 1].text.upper() in ("FIRST", "NEXT")
    ):
        return (
            "Syntax error: Expected end of input but got keyword FETCH",
            tok,
            "write LIMIT n instead of FETCH FIRST n ROWS ONLY",
        )
    if (
        kind == TokenType.VAR
        and tok.text.upper() == "EXCLUDE"
        and i
        and tokens[i - 1].token_type == TokenType.STAR
        and _kind(tokens, i + 1) == TokenType.L_PAREN
    ):
        return (
            f'Syntax error: Expected end of input but got identifier "{tok.text}"',
            tok,
            "write SELECT * EXCEPT (columns)",
        )
    if (
        kind == TokenType.DISTINCT
        and _kind(tokens, i + 1) == TokenType.ON
        and _kind(tokens, i + 2) == TokenType.L_PAREN
    ):
        return (
            "Syntax error: Unexpected keyword ON",
            tokens[i + 1],
            "GoogleSQL has no DISTINCT ON: keep one row per key with QUALIFY ROW_NUMBER() OVER (PARTITION BY key ...) = 1",
        )
    return None


_TABLE_KEYWORDS = {TokenType.FROM, TokenType.JOIN, TokenType.INTO, TokenType.UPDATE, TokenType.TABLE, TokenType.MERGE}
"""The keywords a table name follows."""
_PATH_PARTS = {TokenType.VAR, TokenType.IDENTIFIER, TokenType.STRING, TokenType.DOT}


def _string_table_name(tokens: Sequence[Token], parents: list[int | None], i: int) -> tuple[str, Token, str] | None:
    """A string literal in a table name (`FROM "dataset"."table"`, `INSERT INTO 'ds'.t`): sqlglot
    reads it as a quoted name, GoogleSQL's parser as a misplaced literal."""
    if tokens[i].token_type != TokenType.STRING:
        return None
    start = i
    while start and tokens[start - 1].token_type in _PATH_PARTS:
        start -= 1
    if not start or tokens[start - 1].token_type not in _TABLE_KEYWORDS:
        return None
    keyword = start - 1
    if tokens[keyword].token_type == TokenType.FROM:
        paren = parents[keyword]
        if keyword and tokens[keyword - 1].token_type == TokenType.DISTINCT:
            return None  # x IS [NOT] DISTINCT FROM 'literal'
        if paren is not None and paren > 0 and tokens[paren - 1].text.upper() == "EXTRACT":
            return None  # EXTRACT(part FROM 'literal')
    return (
        f'Syntax error: Unexpected string literal "{tokens[i].text}"',
        tokens[i],
        "quote a table name with backticks, `dataset.table` or `dataset`.`table`: in GoogleSQL '...' and "
        '"..." are string literals',
    )


def type_not_found(text: str, sql: str, offset: int) -> None:
    """Raise "Type not found" for a type name GoogleSQL lacks in `text`, a type written at
    `offset` of `sql` (a procedural DECLARE's)."""
    import sqlglot

    try:
        tokens = sqlglot.Dialect.get_or_raise("bigquery").tokenize(text)
    except sqlglot.errors.TokenError:
        return
    bad = _unknown_type(tokens, 0)
    if bad is not None:
        raise _type_error(bad, sql, offset + bad.start)


def _type_error(bad: Token, sql: str, offset: int) -> BigQueryError:
    return BigQueryError(
        f"Type not found: {bad.text} at [{_line_col(sql, offset)}]",
        fix="use a GoogleSQL type: STRING, INT64, FLOAT64, NUMERIC, BOOL, BYTES, DATE, DATETIME, TIME, TIMESTAMP, ...",
    )


def ilike_operator(tokens: Sequence[Token], i: int) -> bool:
    """Whether the ILIKE token `tokens[i]` stands between two expressions (the operator
    GoogleSQL has not); elsewhere `ilike` is a name (keywordnames.py)."""
    return bool(i) and tokens[i - 1].token_type in _EXPRESSION_END and _kind(tokens, i + 1) in _EXPRESSION_START


def _kind(tokens: Sequence[Token], i: int) -> TokenType | None:
    return tokens[i].token_type if i < len(tokens) else None


def _error(message: str, at: Token, fix: str, sql: str) -> BigQueryError:
    return BigQueryError(f"{message} at [{_line_col(sql, at.start)}]", fix=fix)


def _parents(tokens: Sequence[Token]) -> list[int | None]:
    """For each token, the index of the innermost `(` or `[` enclosing it (-1: a `[`), or None."""
    out: list[int | None] = []
    stack: list[int] = []
    for j, tok in enumerate(tokens):
        if tok.token_type in (TokenType.R_PAREN, TokenType.R_BRACKET) and stack:
            stack.pop()
        out.append(stack[-1] if stack else None)
        if tok.token_type == TokenType.L_PAREN:
            stack.append(j)
        elif tok.token_type == TokenType.L_BRACKET:
            stack.append(-1)
    return out


def _type_position(tokens: Sequence[Token], parents: list[int | None], i: int) -> int | None:
    """Where a type starts when token `i` is the `AS` of a CAST or SAFE_CAST or a column's name in
    a CREATE TABLE column list; None otherwise (a procedural DECLARE's type is script_parser.py's,
    through `type_not_found`)."""
    tok = tokens[i]
    paren = parents[i]
    if tok.token_type == TokenType.ALIAS:
        cast = paren is not None and paren > 0 and tokens[paren - 1].text.upper() in ("CAST", "SAFE_CAST")
        return i + 1 if cast else None
    if tok.token_type == TokenType.L_PAREN:
        paren = i
    elif tok.token_type != TokenType.COMMA:
        return None
    if (
        paren is not None
        and paren >= 0
        and _kind(tokens, i + 1) in (TokenType.VAR, TokenType.IDENTIFIER)
        and tokens[i + 1].text.upper() not in _CONSTRAINT_WORDS
        and _creates_table(tokens, paren)
    ):
        return i + 2
    return None


_CONSTRAINT_WORDS = frozenset({"PRIMARY", "FOREIGN", "CONSTRAINT"})


def _creates_table(tokens: Sequence[Token], paren: int) -> bool:
    """Whether the `(` at `paren` opens a CREATE [OR REPLACE] [TEMP] TABLE's column list."""
    j = paren - 1
    while j > 0 and tokens[j].token_type in (TokenType.VAR, TokenType.IDENTIFIER, TokenType.DOT):
        j -= 1  # the table's (dotted) name
    if j >= 3 and [t.text.upper() for t in tokens[j - 2 : j + 1]] == ["IF", "NOT", "EXISTS"]:
        j -= 3
    if j < 1 or tokens[j].text.upper() != "TABLE":
        return False
    k = j - 1
    if tokens[k].text.upper() in ("TEMP", "TEMPORARY"):
        k -= 1
    if k >= 2 and tokens[k].text.upper() == "REPLACE" and tokens[k - 1].text.upper() == "OR":
        k -= 2
    return k >= 0 and tokens[k].text.upper() == "CREATE"


def _unknown_type(tokens: Sequence[Token], i: int) -> Token | None:
    """The first type name GoogleSQL does not have in the type written from token `i`; None
    where every name is GoogleSQL's or the text is not a type this reads."""
    found, _ = _read_type(tokens, i)
    return found


def _read_type(tokens: Sequence[Token], i: int) -> tuple[Token | None, int | None]:
    """(an unknown name, None) or (None, the index after the type); (None, None): not read."""
    if i >= len(tokens) or tokens[i].token_type in (TokenType.STRING, TokenType.NUMBER):
        return None, None
    tok = tokens[i]
    name = tok.text.upper()
    if not tok.text.isidentifier() or name == "ANY":  # punctuation; a table function's ANY TYPE
        return None, None
    if name in ("ARRAY", "RANGE") and _kind(tokens, i + 1) == TokenType.LT:
        found, end = _read_type(tokens, i + 2)
        if found is not None or end is None or _kind(tokens, end) != TokenType.GT:
            return found, None
        return None, end + 1
    if name == "STRUCT" and _kind(tokens, i + 1) == TokenType.LT:
        j = i + 2
        while True:
            if _kind(tokens, j + 1) not in (TokenType.COMMA, TokenType.GT, TokenType.LT, TokenType.L_PAREN):
                j += 1  # the field's name
            found, end = _read_type(tokens, j)
            if found is not None or end is None:
                return found, None
            if _kind(tokens, end) == TokenType.GT:
                return None, end + 1
            if _kind(tokens, end) != TokenType.COMMA:
                return None, None
            j = end + 1
    if tok.token_type == TokenType.IDENTIFIER:
        return None, None  # a backquoted name: not a spelling this judges
    if name not in TYPE_NAMES:
        return tok, None
    end = i + 1
    if _kind(tokens, end) == TokenType.L_PAREN:  # STRING(10), NUMERIC(10, 2)
        while end < len(tokens) and tokens[end].token_type != TokenType.R_PAREN:
            end += 1
        end += 1
    return None, end
