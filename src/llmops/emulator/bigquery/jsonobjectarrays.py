"""JSON_OBJECT(keys, values), BigQuery's second signature, with its errors.

sqlglot's parser zips a key array and a value array written in the query into key-value pairs,
so keys and values of different counts lost the extra ones (`JSON_OBJECT(['a', 'b'], [1])` was
`{"a":1}`; BigQuery fails). Before parsing, such a key array is put in parentheses (`protect`),
which sqlglot leaves as one pair of arrays; `rewrite_json_object_arrays` answers BigQuery's errors
for it and for NULL arrays and NULL keys. The errors are run-time errors, so `SAFE.` answers NULL.
`protect` also backquotes an argument that is a bare column named `key` or `value`: sqlglot read
them as the SQL standard's `KEY ... VALUE` words, so `JSON_OBJECT(key, value)` was `{}`.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.tokens import TokenType

from .census import find_all
from .functions import _t

_INVALID = "Invalid input to JSON_OBJECT: "


def _array_end(tokens: list, start: int) -> tuple[int, int] | None:
    """The index of the `]` closing the `[` at `start`, and the count of the array's elements."""
    depth, commas = 0, 0
    for i in range(start, len(tokens)):
        kind = tokens[i].token_type
        if kind in (TokenType.L_BRACKET, TokenType.L_PAREN, TokenType.L_BRACE):
            depth += 1
        elif kind in (TokenType.R_BRACKET, TokenType.R_PAREN, TokenType.R_BRACE):
            depth -= 1
            if depth == 0:
                return i, (commas + 1 if i > start + 1 else 0)
        elif kind == TokenType.COMMA and depth == 1:
            commas += 1
    return None


def protect(sql: str) -> str:
    """`sql` with the key array of each `JSON_OBJECT([...], [...])` whose arrays differ in length in
    parentheses, so that the parser keeps the two arrays."""
    if "JSON_OBJECT" not in sql.upper():
        return sql
    from sqlglot.dialects.bigquery import BigQuery
    from sqlglot.errors import TokenError

    try:
        tokens = BigQuery().tokenize(sql)
    except TokenError:
        return sql  # the parser reports the problem
    edits: list[tuple[int, int]] = []
    names: list[tuple[int, int]] = []
    for i, token in enumerate(tokens[:-3]):
        if token.text.upper() != "JSON_OBJECT" or tokens[i + 1].token_type != TokenType.L_PAREN:
            continue
        names.extend(_bare_key_value_names(tokens, i + 1))
        if tokens[i + 2].token_type != TokenType.L_BRACKET:
            continue
        keys = _array_end(tokens, i + 2)
        if keys is None or keys[0] + 2 >= len(tokens) or tokens[keys[0] + 1].token_type != TokenType.COMMA:
            continue
        if tokens[keys[0] + 2].token_type != TokenType.L_BRACKET:
            continue
        values = _array_end(tokens, keys[0] + 2)
        if values is not None and values[1] != keys[1]:
            edits.append((tokens[i + 2].start, tokens[keys[0]].end))
    changes = [(start, end, f"({sql[start : end + 1]})") for start, end in edits]
    changes += [(start, end, f"`{sql[start : end + 1]}`") for start, end in names]
    for start, end, text in sorted(changes, reverse=True):
        sql = f"{sql[:start]}{text}{sql[end + 1 :]}"
    return sql


def _bare_key_value_names(tokens: list, open_paren: int) -> list[tuple[int, int]]:
    """The spans of the call's arguments that are a bare `key` or `value` name (not a field)."""
    spans, depth = [], 0
    for j in range(open_paren, len(tokens) - 1):
        kind = tokens[j].token_type
        if kind in (TokenType.L_BRACKET, TokenType.L_PAREN, TokenType.L_BRACE):
            depth += 1
        elif kind in (TokenType.R_BRACKET, TokenType.R_PAREN, TokenType.R_BRACE):
            depth -= 1
            if depth == 0:
                break
        elif (
            depth == 1
            and kind == TokenType.VAR
            and tokens[j].text.upper() in ("KEY", "VALUE")
            and tokens[j - 1].token_type in (TokenType.L_PAREN, TokenType.COMMA)
            and tokens[j + 1].token_type in (TokenType.COMMA, TokenType.R_PAREN, TokenType.DOT)
        ):
            spans.append((tokens[j].start, tokens[j].end))
    return spans


def _error(message: str) -> exp.Expression:
    return _t(f"CAST(error('{_INVALID}{message}') AS JSON)")


def _is_null_array(node: exp.Expression) -> bool:
    return isinstance(node, exp.Cast) and isinstance(node.this, exp.Null) and node.to.is_type(exp.DataType.Type.ARRAY)


def _problem(node: exp.JSONObject) -> str | None:
    """BigQuery's error for the JSON_OBJECT call, if the query shows one."""
    pairs = node.expressions
    if len(pairs) == 1 and isinstance(pairs[0], exp.JSONKeyValue):
        keys, values = pairs[0].this, pairs[0].expression
        if _is_null_array(keys):
            return "The keys array cannot be NULL"
        if isinstance(keys, exp.Paren) or _is_null_array(values):
            if _is_null_array(values):
                return "The values array cannot be NULL"
            return "The number of keys and values must match"  # (protect's parentheses)
    if any(isinstance(p, exp.JSONKeyValue) and isinstance(p.this, exp.Null) for p in pairs):
        return "A key cannot be NULL"
    return None


def rewrite_json_object_arrays(stmt: exp.Expression) -> None:
    """Each JSON_OBJECT call of `stmt` that BigQuery fails, as that run-time error; one whose key
    and value arrays are computed (`JSON_OBJECT(ARRAY_AGG(k), ARRAY_AGG(v))`), which DuckDB's
    json_object took for one key, as the object of those pairs."""
    for node in find_all(stmt, exp.JSONObject):
        message = _problem(node)
        if message is not None:
            node.replace(_error(message))
        elif _computed_arrays(node):
            pair = node.expressions[0]
            node.replace(_t(_ZIPPED, exp.paren(pair.this.copy()), exp.paren(pair.expression.copy())))


# the pairs of a key array _A and a value array _B as a JSON object, the first of a repeated key kept
_ZIPPED = (
    f"CASE WHEN _A IS NULL THEN error('{_INVALID}The keys array cannot be NULL') "
    f"WHEN _B IS NULL THEN error('{_INVALID}The values array cannot be NULL') "
    f"WHEN array_length(_A) <> array_length(_B) THEN error('{_INVALID}The number of keys and values must match') "
    f"WHEN list_contains(list_transform(_A, k -> k IS NULL), true) THEN error('{_INVALID}A key cannot be NULL') "
    "ELSE json('{' || array_to_string(list_transform(list_filter(range(array_length(_A)), i -> list_position(_A, _A[i + 1]) = i + 1), "
    "i -> CAST(to_json(_A[i + 1]) AS VARCHAR) || ':' || coalesce(CAST(to_json(_B[i + 1]) AS VARCHAR), 'null')), ',') || '}') END"
)


def _computed_arrays(node: exp.JSONObject) -> bool:
    """Whether the call's one pair is a key array and a value array that the query computes."""
    from .coltypes import known_type

    if len(node.expressions) != 1 or not isinstance(node.expressions[0], exp.JSONKeyValue):
        return False
    keys = node.expressions[0].this
    if isinstance(keys, exp.ArrayAgg | exp.Array):
        return True
    if isinstance(keys, exp.Cast | exp.TryCast):
        return keys.to.is_type(exp.DataType.Type.ARRAY)
    return str(known_type(keys) or "").startswith("ARRAY")
