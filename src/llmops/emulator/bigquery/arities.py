"""How many arguments GoogleSQL's built-in functions take, checked on a statement's tokens.

sqlglot's parser drops or folds some extra arguments (`LENGTH('abc', 1)` answered 3,
`SPLIT('a,b', ',', 3)` split on the comma) and words others as Python or syntax errors, so each
call is counted as written, before parsing, and a wrong count fails with BigQuery's error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlglot.tokens import Token, TokenType

from .googlesql import BigQueryError
from .script_parser import _line_col

_ANY = None
"""No documented most (variadic) or one not checked."""

ARITIES: dict[str, tuple[int, int | None]] = {
    # string functions
    "ASCII": (1, 1),
    "BYTE_LENGTH": (1, 1),
    "CHAR_LENGTH": (1, 1),
    "CHARACTER_LENGTH": (1, 1),
    "CHR": (1, 1),
    "CODE_POINTS_TO_BYTES": (1, 1),
    "CODE_POINTS_TO_STRING": (1, 1),
    "COLLATE": (2, 2),
    "CONCAT": (1, _ANY),
    "CONTAINS_SUBSTR": (2, _ANY),
    "EDIT_DISTANCE": (2, _ANY),
    "ENDS_WITH": (2, 2),
    "FORMAT": (1, _ANY),
    "FROM_BASE32": (1, 1),
    "FROM_BASE64": (1, 1),
    "FROM_HEX": (1, 1),
    "INITCAP": (1, 2),
    "INSTR": (2, 4),
    "LEFT": (2, 2),
    "LENGTH": (1, 1),
    "LOWER": (1, 1),
    "LPAD": (2, 3),
    "LTRIM": (1, 2),
    "NORMALIZE": (1, 2),
    "NORMALIZE_AND_CASEFOLD": (1, 2),
    "OCTET_LENGTH": (1, 1),
    "REGEXP_CONTAINS": (2, 2),
    "REGEXP_EXTRACT": (2, 4),
    "REGEXP_EXTRACT_ALL": (2, 2),
    "REGEXP_INSTR": (2, 5),
    "REGEXP_REPLACE": (3, 3),
    "REGEXP_SUBSTR": (2, 4),
    "REPEAT": (2, 2),
    "REPLACE": (3, 3),
    "REVERSE": (1, 1),
    "RIGHT": (2, 2),
    "RPAD": (2, 3),
    "RTRIM": (1, 2),
    "SAFE_CONVERT_BYTES_TO_STRING": (1, 1),
    "SOUNDEX": (1, 1),
    "SPLIT": (1, 2),
    "STARTS_WITH": (2, 2),
    "STRPOS": (2, 2),
    "SUBSTR": (2, 3),
    "SUBSTRING": (2, 3),
    "TO_BASE32": (1, 1),
    "TO_BASE64": (1, 1),
    "TO_CODE_POINTS": (1, 1),
    "TO_HEX": (1, 1),
    "TRANSLATE": (3, 3),
    "TRIM": (1, 2),
    "UNICODE": (1, 1),
    "UPPER": (1, 1),
    # mathematical functions
    "ABS": (1, 1),
    "ACOS": (1, 1),
    "ACOSH": (1, 1),
    "ASIN": (1, 1),
    "ASINH": (1, 1),
    "ATAN": (1, 1),
    "ATAN2": (2, 2),
    "ATANH": (1, 1),
    "CBRT": (1, 1),
    "CEIL": (1, 1),
    "CEILING": (1, 1),
    "COS": (1, 1),
    "COSH": (1, 1),
    "COSINE_DISTANCE": (2, 2),
    "COT": (1, 1),
    "COTH": (1, 1),
    "CSC": (1, 1),
    "CSCH": (1, 1),
    "DIV": (2, 2),
    "EUCLIDEAN_DISTANCE": (2, 2),
    "EXP": (1, 1),
    "FLOOR": (1, 1),
    "GREATEST": (1, _ANY),
    "IEEE_DIVIDE": (2, 2),
    "IS_INF": (1, 1),
    "IS_NAN": (1, 1),
    "LEAST": (1, _ANY),
    "LN": (1, 1),
    "LOG": (1, 2),
    "LOG10": (1, 1),
    "MOD": (2, 2),
    "POW": (2, 2),
    "POWER": (2, 2),
    "RAND": (0, 0),
    "RANGE_BUCKET": (2, 2),
    "ROUND": (1, _ANY),
    "SAFE_ADD": (2, 2),
    "SAFE_DIVIDE": (2, 2),
    "SAFE_MULTIPLY": (2, 2),
    "SAFE_NEGATE": (1, 1),
    "SAFE_SUBTRACT": (2, 2),
    "SEC": (1, 1),
    "SECH": (1, 1),
    "SIGN": (1, 1),
    "SIN": (1, 1),
    "SINH": (1, 1),
    "SQRT": (1, 1),
    "TAN": (1, 1),
    "TANH": (1, 1),
    "TRUNC": (1, 2),
    # conversion functions (CAST and SAFE_CAST have their own syntax)
    "PARSE_BIGNUMERIC": (1, 1),
    "PARSE_NUMERIC": (1, 1),
    # date functions
    "CURRENT_DATE": (0, 1),
    "DATE": (1, 3),
    "DATE_ADD": (2, 2),
    "DATE_DIFF": (3, 3),
    "DATE_FROM_UNIX_DATE": (1, 1),
    "DATE_SUB": (2, 2),
    "DATE_TRUNC": (2, _ANY),
    "FORMAT_DATE": (2, 2),
    "LAST_DAY": (1, 2),
    "PARSE_DATE": (2, 2),
    "UNIX_DATE": (1, 1),
    "GENERATE_DATE_ARRAY": (2, 3),
    # datetime functions
    "CURRENT_DATETIME": (0, 1),
    "DATETIME": (1, 6),
    "DATETIME_ADD": (2, 2),
    "DATETIME_DIFF": (3, 3),
    "DATETIME_SUB": (2, 2),
    "DATETIME_TRUNC": (2, _ANY),
    "FORMAT_DATETIME": (2, 2),
    "PARSE_DATETIME": (2, 2),
    # time functions
    "CURRENT_TIME": (0, 1),
    "TIME": (1, 3),
    "TIME_ADD": (2, 2),
    "TIME_DIFF": (3, 3),
    "TIME_SUB": (2, 2),
    "TIME_TRUNC": (2, 2),
    "FORMAT_TIME": (2, 2),
    "PARSE_TIME": (2, 2),
    # timestamp functions
    "CURRENT_TIMESTAMP": (0, 0),
    "FORMAT_TIMESTAMP": (2, 3),
    "PARSE_TIMESTAMP": (2, 3),
    "STRING": (1, 2),
    "TIMESTAMP": (1, 2),
    "TIMESTAMP_ADD": (2, 2),
    "TIMESTAMP_DIFF": (3, 3),
    "TIMESTAMP_MICROS": (1, 1),
    "TIMESTAMP_MILLIS": (1, 1),
    "TIMESTAMP_SECONDS": (1, 1),
    "TIMESTAMP_SUB": (2, 2),
    "TIMESTAMP_TRUNC": (2, 3),
    "UNIX_MICROS": (1, 1),
    "UNIX_MILLIS": (1, 1),
    "UNIX_SECONDS": (1, 1),
    "GENERATE_TIMESTAMP_ARRAY": (3, 3),
    # interval functions
    "JUSTIFY_DAYS": (1, 1),
    "JUSTIFY_HOURS": (1, 1),
    "JUSTIFY_INTERVAL": (1, 1),
    # array functions (ARRAY(subquery) has its own syntax)
    "ARRAY_CONCAT": (1, _ANY),
    "ARRAY_FIRST": (1, 1),
    "ARRAY_LAST": (1, 1),
    "ARRAY_LENGTH": (1, 1),
    "ARRAY_REVERSE": (1, 1),
    "ARRAY_SLICE": (3, 3),
    "ARRAY_TO_STRING": (2, 3),
    "GENERATE_ARRAY": (2, 3),
    # JSON functions
    "BOOL": (1, 1),
    "INT64": (1, 1),
    "FLOAT64": (1, 2),
    "JSON_ARRAY_APPEND": (3, _ANY),
    "JSON_ARRAY_INSERT": (3, _ANY),
    "JSON_EXTRACT": (2, 2),
    "JSON_EXTRACT_ARRAY": (1, 2),
    "JSON_EXTRACT_SCALAR": (1, 2),
    "JSON_EXTRACT_STRING_ARRAY": (1, 2),
    "JSON_QUERY": (2, 2),
    "JSON_QUERY_ARRAY": (1, 2),
    "JSON_REMOVE": (2, _ANY),
    "JSON_SET": (3, _ANY),
    "JSON_TYPE": (1, 1),
    "JSON_VALUE": (1, 2),
    "JSON_VALUE_ARRAY": (1, 2),
    "LAX_BOOL": (1, 1),
    "LAX_FLOAT64": (1, 1),
    "LAX_INT64": (1, 1),
    "LAX_STRING": (1, 1),
    "PARSE_JSON": (1, 2),
    "TO_JSON": (1, 2),
    "TO_JSON_STRING": (1, 2),
    # aggregate functions
    "ANY_VALUE": (1, 1),
    "ARRAY_AGG": (1, 1),
    "ARRAY_CONCAT_AGG": (1, 1),
    "AVG": (1, 1),
    "BIT_AND": (1, 1),
    "BIT_OR": (1, 1),
    "BIT_XOR": (1, 1),
    "COUNT": (1, 1),
    "COUNTIF": (1, 1),
    "GROUPING": (1, 1),
    "LOGICAL_AND": (1, 1),
    "LOGICAL_OR": (1, 1),
    "MAX": (1, 1),
    "MIN": (1, 1),
    "STRING_AGG": (1, 2),
    "SUM": (1, 1),
    # approximate and statistical aggregate functions
    "APPROX_COUNT_DISTINCT": (1, 1),
    "APPROX_QUANTILES": (2, 2),
    "APPROX_TOP_COUNT": (2, 2),
    "APPROX_TOP_SUM": (3, 3),
    "CORR": (2, 2),
    "COVAR_POP": (2, 2),
    "COVAR_SAMP": (2, 2),
    "STDDEV": (1, 1),
    "STDDEV_POP": (1, 1),
    "STDDEV_SAMP": (1, 1),
    "VAR_POP": (1, 1),
    "VAR_SAMP": (1, 1),
    "VARIANCE": (1, 1),
    # window (navigation and numbering) functions
    "CUME_DIST": (0, 0),
    "DENSE_RANK": (0, 0),
    "FIRST_VALUE": (1, 1),
    "LAG": (1, 3),
    "LAST_VALUE": (1, 1),
    "LEAD": (1, 3),
    "NTH_VALUE": (2, 2),
    "NTILE": (1, 1),
    "PERCENT_RANK": (0, 0),
    "PERCENTILE_CONT": (2, 2),
    "PERCENTILE_DISC": (2, 2),
    "RANK": (0, 0),
    "ROW_NUMBER": (0, 0),
    # hash and bit functions
    "BIT_COUNT": (1, 1),
    "FARM_FINGERPRINT": (1, 1),
    "MD5": (1, 1),
    "SHA1": (1, 1),
    "SHA256": (1, 1),
    "SHA512": (1, 1),
    # conditional expressions (CASE has its own syntax)
    "COALESCE": (1, _ANY),
    "IF": (3, 3),
    "IFNULL": (2, 2),
    "NULLIF": (2, 2),
    # utility functions
    "GENERATE_UUID": (0, 0),
    "SESSION_USER": (0, 0),
    # net functions
    "NET.HOST": (1, 1),
    "NET.IP_FROM_STRING": (1, 1),
    "NET.IP_NET_MASK": (2, 2),
    "NET.IP_TO_STRING": (1, 1),
    "NET.IP_TRUNC": (2, 2),
    "NET.IPV4_FROM_INT64": (1, 1),
    "NET.IPV4_TO_INT64": (1, 1),
    "NET.PUBLIC_SUFFIX": (1, 1),
    "NET.REG_DOMAIN": (1, 1),
    "NET.SAFE_IP_FROM_STRING": (1, 1),
    # range functions
    "GENERATE_RANGE_ARRAY": (2, 3),
    "RANGE": (2, 2),
    "RANGE_CONTAINS": (2, 2),
    "RANGE_END": (1, 1),
    "RANGE_INTERSECT": (2, 2),
    "RANGE_OVERLAPS": (2, 2),
    "RANGE_START": (1, 1),
    # geography functions
    "ST_AREA": (1, 2),
    "ST_ASBINARY": (1, 1),
    "ST_ASGEOJSON": (1, 1),
    "ST_ASTEXT": (1, 1),
    "ST_BOUNDARY": (1, 1),
    "ST_CENTROID": (1, 1),
    "ST_CENTROID_AGG": (1, 1),
    "ST_CONTAINS": (2, 2),
    "ST_CONVEXHULL": (1, 1),
    "ST_COVEREDBY": (2, 2),
    "ST_COVERS": (2, 2),
    "ST_DIFFERENCE": (2, 2),
    "ST_DIMENSION": (1, 1),
    "ST_DISJOINT": (2, 2),
    "ST_DISTANCE": (2, 3),
    "ST_DWITHIN": (3, 4),
    "ST_ENDPOINT": (1, 1),
    "ST_EQUALS": (2, 2),
    "ST_GEOGFROMGEOJSON": (1, _ANY),
    "ST_GEOGFROMTEXT": (1, _ANY),
    "ST_GEOGPOINT": (2, 2),
    "ST_INTERSECTION": (2, 2),
    "ST_INTERSECTS": (2, 2),
    "ST_ISEMPTY": (1, 1),
    "ST_LENGTH": (1, 2),
    "ST_NPOINTS": (1, 1),
    "ST_NUMPOINTS": (1, 1),
    "ST_PERIMETER": (1, 2),
    "ST_POINTN": (2, 2),
    "ST_STARTPOINT": (1, 1),
    "ST_TOUCHES": (2, 2),
    "ST_UNION_AGG": (1, 1),
    "ST_WITHIN": (2, 2),
    "ST_X": (1, 1),
    "ST_Y": (1, 1),
}
"""Function name -> (fewest, most) arguments of its documented signatures (GoogleSQL for
BigQuery's function reference); a name written `NS.NAME` is called with that prefix."""

_NAMESPACES = frozenset(name.split(".")[0] for name in ARITIES if "." in name)

_NOT_A_CALL_AFTER = frozenset({"AS", "CALL", "EXISTS", "FUNCTION", "INSERT", "INTO", "PROCEDURE", "TABLE", "VIEW"})
"""Words before `name (` where the name is not a call of the built-in: a routine or table being
defined or written (`CREATE TABLE upper (...)`), or a type's parameters (`AS STRING(10)`)."""

_NAME_TOKENS_NOT = frozenset(
    {
        TokenType.IDENTIFIER,
        TokenType.STRING,
        TokenType.RAW_STRING,
        TokenType.BYTE_STRING,
        TokenType.NUMBER,
    }
)
"""Tokens that are never a built-in's name (a backquoted name may be a routine's)."""

_TYPE_OPENERS = frozenset({TokenType.ARRAY, TokenType.STRUCT, TokenType.RANGE})
"""Types whose parameters are in angle brackets, where commas separate fields, not arguments."""

_CLOSERS = {TokenType.R_PAREN: "(", TokenType.R_BRACKET: "["}


def check_arities(tokens: Sequence[Token], sql: str, exempt: frozenset[str] = frozenset()) -> None:
    """Raise BigQuery's error for the first call of a built-in function in `tokens` with a
    number of arguments none of its signatures takes. Names in `exempt` (upper case: temporary
    functions of the script) and routines the text defines are not checked; nor is text whose
    brackets do not balance (the parser reports it)."""
    frames: list[list[Any]] = []  # per open bracket: [kind, call name or None, commas, any token, ORDER seen, token]
    found: list[tuple[str, int, Token]] = []
    defined: set[str] = set()
    for i, tok in enumerate(tokens):
        kind = tok.token_type
        if kind in _CLOSERS or (kind == TokenType.GT and frames and frames[-1][0] == "<"):
            if not frames or frames[-1][0] != _CLOSERS.get(kind, "<"):
                return
            _, name, commas, any_token, _, at = frames.pop()
            if name is not None:
                found.append((name, commas + 1 if any_token else 0, at))
            continue
        if frames:
            frame = frames[-1]
            if not frame[3]:
                frame[3] = True
                if kind in (TokenType.SELECT, TokenType.WITH):
                    frame[1] = None  # a subquery in parentheses
            if kind == TokenType.COMMA:
                frame[2] += not frame[4]
                continue
            if kind == TokenType.ORDER_BY:
                frame[4] = True  # an aggregate's ORDER BY keys follow
                continue
        if kind == TokenType.L_PAREN:
            frames.append(["(", _called(tokens, i), 0, False, False, tokens[i - 1] if i else tok])
        elif kind == TokenType.L_BRACKET:
            frames.append(["[", None, 0, False, False, tok])
        elif kind == TokenType.LT and i and tokens[i - 1].token_type in _TYPE_OPENERS:
            frames.append(["<", None, 0, False, False, tok])
        elif kind == TokenType.FUNCTION:
            defined.add(_defined_name(tokens, i))
    if frames:
        return
    for name, count, at in found:
        low, high = ARITIES[name]
        if (count < low or (high is not None and count > high)) and name not in exempt and name not in defined:
            raise BigQueryError(
                f"No matching signature for function {name}: it takes {_expected(low, high)}, got {count}"
                f" at [{_line_col(sql, at.start)}]",
                fix=f"see {name} in the GoogleSQL function reference for its arguments",
            )


def _called(tokens: Sequence[Token], paren: int) -> str | None:
    """The built-in function that the `(` at `paren` calls, or None."""
    if paren == 0:
        return None
    tok = tokens[paren - 1]
    if tok.token_type in _NAME_TOKENS_NOT:
        return None
    name = tok.text.upper()
    before = tokens[paren - 2] if paren >= 2 else None
    if before is not None and before.token_type == TokenType.DOT:
        qualifier = tokens[paren - 3] if paren >= 3 else None
        if qualifier is None or qualifier.token_type in _NAME_TOKENS_NOT:
            return None
        prefix = qualifier.text.upper()
        if prefix in _NAMESPACES and f"{prefix}.{name}" in ARITIES and _unqualified_or_safe(tokens, paren - 3):
            return f"{prefix}.{name}"
        if prefix == "SAFE" and name in ARITIES and "." not in name and _unqualified(tokens, paren - 3):
            return name
        return None
    if name not in ARITIES or "." in name:
        return None
    if before is None:
        return name
    if before.token_type in (TokenType.STAR, TokenType.R_PAREN):
        return None  # `* REPLACE (...)`, `* EXCEPT (a) REPLACE (...)`
    word = before.text.upper() if before.token_type not in _NAME_TOKENS_NOT else ""
    return None if word in _NOT_A_CALL_AFTER else name


def _unqualified(tokens: Sequence[Token], at: int) -> bool:
    return at == 0 or tokens[at - 1].token_type != TokenType.DOT


def _unqualified_or_safe(tokens: Sequence[Token], at: int) -> bool:
    if _unqualified(tokens, at):
        return True
    return at >= 2 and tokens[at - 2].text.upper() == "SAFE" and _unqualified(tokens, at - 2)


def _defined_name(tokens: Sequence[Token], function: int) -> str:
    """The name after `FUNCTION [IF NOT EXISTS]` (its last part when qualified)."""
    i = function + 1
    if i + 2 < len(tokens) and tokens[i].text.upper() == "IF":
        i += 3
    while i + 2 < len(tokens) and tokens[i + 1].token_type == TokenType.DOT:
        i += 2
    return tokens[i].text.upper() if i < len(tokens) else ""


def _expected(low: int, high: int | None) -> str:
    def count(n: int) -> str:
        return f"{n} argument" if n == 1 else f"{n} arguments"

    if high is None:
        return f"at least {count(low)}"
    if low == high:
        return "no arguments" if low == 0 else count(low)
    if low == 0:
        return f"at most {count(high)}"
    return f"{low} to {count(high)}" if high > low + 1 else f"{low} or {count(high)}"
