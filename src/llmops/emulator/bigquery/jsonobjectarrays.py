"""JSON_OBJECT(keys, values), BigQuery's second signature, with its errors.

sqlglot's parser zips a key array and a value array written in the query into key-value pairs,
so keys and values of different counts lost the extra ones (`JSON_OBJECT(['a', 'b'], [1])` was
`{"a":1}`; BigQuery fails). Before parsing, such a key array is put in parentheses (`protect`),
which sqlglot leaves as one pair of arrays; `rewrite_json_object_arrays` answers BigQuery's errors
for it and for NULL arrays and NULL keys. The errors are run-time errors, so `SAFE.` answers NULL.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.tokens import TokenType

from .census import find_all

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
    for i, token in enumerate(tokens[:-3]):
        if token.text.upper() != "JSON_OBJECT" or tokens[i + 1].token_type != TokenType.L_PAREN:
            continue
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
    for start, end in reversed(edits):
        sql = f"{sql[:start]}({sql[start : end + 1]}){sql[end + 1 :]}"
    return sql


def _error(message: str) -> exp.Expression:
    from .functions import _t

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
    """Each JSON_OBJECT call of `stmt` that BigQuery fails, as that run-time error."""
    for node in find_all(stmt, exp.JSONObject):
        message = _problem(node)
        if message is not None:
            node.replace(_error(message))
