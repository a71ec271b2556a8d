"""Operators and functions of operands whose types GoogleSQL does not take, where DuckDB coerces:
the query fails with BigQuery's message instead of answering.

| query | DuckDB answered | BigQuery |
|---|---|---|
| `IF(1, 2, 3)` | 2 | `No matching signature for function IF for argument types: INT64, INT64, INT64` |
| `NOT 1`, `1 AND TRUE` | FALSE, TRUE | `No matching signature for operator NOT for argument types: INT64` |
| `1 = '1'`, `1 < '2'` | TRUE | `No matching signature for operator = for argument types: INT64, STRING` |
| `[1, 2] = [1, 2]` | TRUE | `Equality is not defined for arguments of type ARRAY<INT64>` |
| `MOD(5.5, 2)` | 1.5 | `No matching signature for function MOD for argument types: FLOAT64, INT64` |
| `LENGTH(123)` | 3 | `No matching signature for function LENGTH for argument types: INT64` |
| `SELECT 1e400` | inf | `Invalid floating point literal: 1e400` |

Only the types the query text shows are judged (`setoptypes.value_type`: literals, typed
literals, CASTs, array literals of them); an operand whose type the text does not show (a
column, a parameter, a call) leaves the expression as it was, so a valid query never starts
failing. The coercions GoogleSQL makes stay: the numeric types meet, a STRING literal compares
with a DATE, DATETIME, TIME or TIMESTAMP (`DATE '2020-01-01' = '2020-01-01'`), NULL meets any type.
"""

from __future__ import annotations

import math

from sqlglot import exp

from .census import find_all
from .setoptypes import NULL, NUMBERS, STRING_LITERAL, supertype, value_type

_COMPARISONS: dict[type[exp.Expression], str] = {
    exp.EQ: "=",
    exp.NEQ: "!=",
    exp.LT: "<",
    exp.LTE: "<=",
    exp.GT: ">",
    exp.GTE: ">=",
}


def _shown(kind: str) -> str:
    return kind.replace(STRING_LITERAL, "STRING").replace(NULL, "INT64")


def _no_signature(kind: str, name: str, kinds: list[str]) -> Exception:
    from .googlesql import BigQueryError

    return BigQueryError(f"No matching signature for {kind} {name} for argument types: {', '.join(map(_shown, kinds))}")


def _types(*nodes: exp.Expression | None) -> list[str] | None:
    """The shown types of `nodes`, or None where the text does not show one of them."""
    kinds = [value_type(n) if isinstance(n, exp.Expression) else None for n in nodes]
    return None if any(k is None for k in kinds) else [k for k in kinds if k is not None]


def _bool_or_null(kind: str) -> bool:
    return kind in ("BOOL", NULL)


def check_operand_types(stmt: exp.Expression) -> None:
    """Raise BigQuery's error for an operator or function call whose shown operand types it has
    no signature for."""
    from .googlesql import BigQueryError

    for literal in find_all(stmt, exp.Literal):
        if not literal.is_string and value_type(literal) == "FLOAT64" and math.isinf(float(literal.this)):
            raise BigQueryError(f"Invalid floating point literal: {literal.this}")
    for call in find_all(stmt, exp.If):
        kinds = _types(call.this, call.args.get("true"), call.args.get("false") or exp.Null())
        if kinds and not _bool_or_null(kinds[0]) and _is_if_call(call):
            raise _no_signature("function", "IF", kinds)
    for negation in find_all(stmt, exp.Not):
        kinds = _types(negation.this)
        if kinds and not _bool_or_null(kinds[0]):
            raise _no_signature("operator", "NOT", kinds)
    for junction in find_all(stmt, exp.And, exp.Or):
        kinds = _types(junction.this, junction.expression)
        if kinds and not all(_bool_or_null(k) for k in kinds):
            raise _no_signature("operator", "AND" if isinstance(junction, exp.And) else "OR", kinds)
    for comparison in find_all(stmt, *_COMPARISONS):
        kinds = _types(comparison.this, comparison.expression)
        if not kinds:
            continue
        arrays = [k for k in kinds if k.startswith("ARRAY<")]
        if arrays and isinstance(comparison, exp.EQ | exp.NEQ):
            word = "Equality" if isinstance(comparison, exp.EQ) else "Inequality"
            raise BigQueryError(f"{word} is not defined for arguments of type {_shown(arrays[0])}")
        if supertype(kinds) is False:
            raise _no_signature("operator", _COMPARISONS[type(comparison)], kinds)
    for mod in find_all(stmt, exp.Mod):
        kinds = _types(mod.this, mod.expression)
        if kinds and any(k in ("FLOAT64", "STRING", STRING_LITERAL, "BOOL", "DATE") for k in kinds):
            raise _no_signature("function", "MOD", kinds)
    for length in find_all(stmt, exp.Length):
        kinds = _types(length.this)
        if kinds and (kinds[0] in NUMBERS or kinds[0] in ("BOOL", "DATE", "DATETIME", "TIME", "TIMESTAMP")):
            raise _no_signature("function", "LENGTH", kinds)


def _is_if_call(node: exp.If) -> bool:
    """An `IF(...)` call, not a CASE branch (sqlglot's If is both)."""
    return not isinstance(node.parent, exp.Case)
