"""Date part arguments that are no date part name, checked on a statement's tokens.

`DATE_TRUNC(d, 'month')`, `DATE_TRUNC(d, foo)`, `EXTRACT(FORTNIGHT FROM d)`, `INTERVAL 1
FORTNIGHT` and the PostgreSQL order `DATE_TRUNC('month', d)` fail on BigQuery with "A valid date part name is required but
found ...". sqlglot's parser turns a part written as a string or any name into the same string
literal, so the check runs on the text as written, before parsing: `DATE_TRUNC(d, 'month')` was
answered as if MONTH had been written, and the others failed with DuckDB's words. Whether a valid
part suits the argument's type is datefamily.py's concern.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

from .arities import _called
from .googlesql import BigQueryError
from .script_parser import _line_col

PARTS = frozenset(
    {
        "MICROSECOND", "MILLISECOND", "SECOND", "MINUTE", "HOUR", "DAY", "DAYOFWEEK", "DAYOFYEAR",
        "WEEK", "ISOWEEK", "MONTH", "QUARTER", "YEAR", "ISOYEAR", "DATE", "DATETIME", "TIME", "NANOSECOND",
    }
)  # fmt: skip
"""ZetaSQL's date part names (which of them a function takes depends on the function)."""

WEEKDAYS = frozenset({"SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"})

PART_ARGUMENT = {
    "DATE_TRUNC": 1,
    "DATETIME_TRUNC": 1,
    "TIMESTAMP_TRUNC": 1,
    "TIME_TRUNC": 1,
    "LAST_DAY": 1,
    "DATE_DIFF": 2,
    "DATETIME_DIFF": 2,
    "TIMESTAMP_DIFF": 2,
    "TIME_DIFF": 2,
}
"""The position of each function's date part argument."""

_OPEN = {TokenType.L_PAREN, TokenType.L_BRACKET}
_CLOSE = {TokenType.R_PAREN, TokenType.R_BRACKET}


def check_date_parts(tokens: Sequence[Token], sql: str, exempt: frozenset[str] = frozenset()) -> None:
    """Raise BigQuery's error for the first date part argument in `tokens` that is not a date
    part name. Functions named in `exempt` (the script's temporary functions) are not checked."""
    for i, tok in enumerate(tokens):
        if tok.token_type == TokenType.INTERVAL:
            if _names_the_type(tokens, i):
                continue
            unit = _interval_unit(tokens, i + 1)
            if unit is not None and unit.token_type == TokenType.VAR and unit.text.upper() not in PARTS:
                raise _invalid([unit], sql)
            continue
        if tok.token_type != TokenType.L_PAREN or i == 0:
            continue
        name = tokens[i - 1].text.upper()
        if name == "EXTRACT" and (i < 2 or tokens[i - 2].token_type != TokenType.DOT):
            part = _until_from(tokens, i + 1)
        elif name in PART_ARGUMENT and name not in exempt and _called(tokens, i) == name:
            part = _argument(tokens, i + 1, PART_ARGUMENT[name])
        else:
            continue
        if part and not _is_part(part):
            raise _invalid(part, sql)


# tokens after which INTERVAL is a type name (`CAST(x AS INTERVAL)`, `ARRAY<INTERVAL>`), and
# tokens that end a type name where no INTERVAL operand can start (`f(i INTERVAL) RETURNS ...`)
_BEFORE_TYPE = {TokenType.ALIAS, TokenType.LT}
_AFTER_TYPE = {
    TokenType.R_PAREN,
    TokenType.COMMA,
    TokenType.GT,
    TokenType.SEMICOLON,
    TokenType.R_BRACKET,
    TokenType.NOT,
    TokenType.DEFAULT,
    TokenType.COLLATE,
}


def _names_the_type(tokens: Sequence[Token], i: int) -> bool:
    """Whether the INTERVAL at `i` is the type's name, not an interval literal or expression."""
    if i and tokens[i - 1].token_type in _BEFORE_TYPE:
        return True
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    return after is None or after.token_type in _AFTER_TYPE or after.text.upper() in ("RETURNS", "OPTIONS")


def _argument(tokens: Sequence[Token], start: int, position: int) -> list[Token]:
    """The tokens of the call's argument at `position` (0-based) from the call's first token."""
    depth, index = 0, 0
    out: list[Token] = []
    for tok in tokens[start:]:
        if tok.token_type in _CLOSE:
            if depth == 0:
                break
            depth -= 1
        elif tok.token_type in _OPEN:
            depth += 1
        elif tok.token_type == TokenType.COMMA and depth == 0:
            index += 1
            if index > position:
                break
            continue
        if index == position:
            out.append(tok)
    return out


def _interval_unit(tokens: Sequence[Token], start: int) -> Token | None:
    """The token after `INTERVAL <operand>`: a sign, a literal, a (dotted) name, a query parameter
    or system variable, a call or a parenthesized expression; None where the operand runs to the end."""
    i = start + (start < len(tokens) and tokens[start].token_type in (TokenType.DASH, TokenType.PLUS))
    while i < len(tokens) and tokens[i].token_type == TokenType.PARAMETER:
        i += 1  # `@n` / `@@var` is two / three tokens: the name after the @s is the operand
    if i >= len(tokens):
        return None
    if tokens[i].token_type != TokenType.L_PAREN:
        while i + 2 < len(tokens) and tokens[i + 1].token_type == TokenType.DOT:
            i += 2
        i += 1
    if i < len(tokens) and tokens[i].token_type == TokenType.L_PAREN:  # a call's or an expression's
        depth = 0
        for j in range(i, len(tokens)):
            depth += tokens[j].token_type in _OPEN
            depth -= tokens[j].token_type in _CLOSE
            if depth == 0:
                i = j + 1
                break
        else:
            return None
    return tokens[i] if i < len(tokens) else None


def _until_from(tokens: Sequence[Token], start: int) -> list[Token]:
    """EXTRACT's part: the tokens before its FROM (none where there is no FROM at this level)."""
    depth = 0
    out: list[Token] = []
    for tok in tokens[start:]:
        if tok.token_type in _CLOSE:
            if depth == 0:
                return []
            depth -= 1
        elif tok.token_type in _OPEN:
            depth += 1
        elif tok.token_type == TokenType.FROM and depth == 0:
            return out
        out.append(tok)
    return []


def _is_name(tok: Token) -> bool:
    return tok.token_type not in (TokenType.STRING, TokenType.NUMBER, TokenType.PARAMETER) and tok.text.isidentifier()


def _is_part(part: list[Token]) -> bool:
    if len(part) == 1:
        return _is_name(part[0]) and part[0].text.upper() in PARTS
    return (
        len(part) == 4
        and part[0].text.upper() == "WEEK"
        and part[1].token_type == TokenType.L_PAREN
        and part[2].text.upper() in WEEKDAYS
        and part[3].token_type == TokenType.R_PAREN
    )


def _invalid(part: list[Token], sql: str) -> BigQueryError:
    found = ""
    if all(_is_name(t) or t.token_type == TokenType.DOT for t in part):
        found = " but found " + "".join(t.text for t in part)
    return BigQueryError(
        f"A valid date part name is required{found} at [{_line_col(sql, part[0].start)}]",
        fix="write a date part name without quotes (DAY, MONTH, WEEK(MONDAY), ...) where the function "
        "takes it: DATE_TRUNC(date, MONTH), INTERVAL 3 DAY",
    )
