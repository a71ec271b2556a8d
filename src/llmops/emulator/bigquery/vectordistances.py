"""EUCLIDEAN_DISTANCE and COSINE_DISTANCE of sparse vectors, and COSINE_DISTANCE's zero vector.

BigQuery takes a vector as an ARRAY<FLOAT64> or as a sparse ARRAY<STRUCT<dimension, magnitude>>
(an INT64 or STRING dimension, a FLOAT64 magnitude; a dimension left out has magnitude 0).
DuckDB's `list_distance` / `list_cosine_distance` take dense lists only, so two sparse vectors
are written as dense lists over the union of their dimensions. A sparse vector is recognised
where the query shows it (an array literal of STRUCTs or tuples) or the tables' schemas tell it
(`coltypes.py`). Errors as BigQuery's (ZetaSQL's messages): a NULL element, a NULL dimension or
magnitude, a repeated dimension, and a zero vector for COSINE_DISTANCE (DuckDB answered NaN).
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

_CALLS = (exp.EuclideanDistance, exp.CosineDistance)

_KEYS = "list_transform(_X, lambda e: struct_extract_at(e, 1))"
_VALUES = "list_transform(_X, lambda e: struct_extract_at(e, 2))"
# the magnitude of each dimension in `_K`, 0 where the vector leaves it out
_DENSE = f"list_transform(_K, lambda k: coalesce(list_extract({_VALUES}, list_position({_KEYS}, k)), 0.0))"
_CHECKED = (
    "CASE WHEN list_count(_X) < len(_X) THEN error('NULL array element.') "
    "WHEN list_bool_or(list_transform(_X, lambda e: struct_extract_at(e, 1) IS NULL OR struct_extract_at(e, 2) IS NULL)) "
    "THEN error('NULL struct field.') "
    f"WHEN len(list_distinct({_KEYS})) < len(_X) THEN error('Duplicate index ' || "
    f"CAST(list_extract(list_filter({_KEYS}, lambda d, i: list_position({_KEYS}, d) < i), 1) AS VARCHAR) "
    "|| ' found in the input array.') ELSE _X END"
)
_ZERO = "len(list_filter(_X, lambda m: m <> 0)) = 0"
_NOT_ZERO = f"CASE WHEN {_ZERO} THEN error('Cannot compute cosine distance against zero vector.') ELSE _X END"


def _is_sparse(node: exp.Expression) -> bool:
    from .coltypes import known_type

    if isinstance(node, exp.Array):
        return any(isinstance(e, (exp.Tuple, exp.Struct)) for e in node.expressions)
    return known_type(node) == "ARRAY<STRUCT>"


def distance_arguments(stmt: exp.Expression) -> list[exp.Expression]:
    """The arguments of the distance calls whose text does not show whether they are sparse."""
    return [
        a
        for call in stmt.find_all(*_CALLS)
        for a in (call.this, call.expression)
        if isinstance(a, exp.Expression) and not isinstance(a, exp.Array)
    ]


def _fill(template: str, **parts: str) -> str:
    for name, text in parts.items():
        template = template.replace(name, text)
    return template


# the two vectors, bound once (a subquery argument may not appear inside a lambda)
_BOUND = "list_extract(list_transform([{'a': _A, 'b': _B}], lambda __llmops_vectors: _BODY), 1)"
_SIDES = {"_P": "struct_extract(__llmops_vectors, 'a')", "_Q": "struct_extract(__llmops_vectors, 'b')"}


def _dense_pair() -> tuple[str, str]:
    """The two bound sparse vectors (`_P`, `_Q`) as dense lists over the union of their
    dimensions, each checked first."""
    checked = {side: _fill(_CHECKED, _X=side) for side in ("_P", "_Q")}
    union = f"list_distinct(list_concat({_fill(_KEYS, _X=checked['_P'])}, {_fill(_KEYS, _X=checked['_Q'])}))"
    return _fill(_DENSE, _K=union, _X="_P"), _fill(_DENSE, _K=union, _X="_Q")


def _distance(call: exp.Expression) -> exp.Expression | None:
    from .functions import _t

    sparse = _is_sparse(call.this) or _is_sparse(call.expression)
    if isinstance(call, exp.EuclideanDistance) and not sparse:
        return None
    a, b = _dense_pair() if sparse else ("_P", "_Q")
    if isinstance(call, exp.EuclideanDistance):
        result = f"list_distance({a}, {b})"
    else:
        result = f"list_cosine_distance({_fill(_NOT_ZERO, _X=a)}, {_fill(_NOT_ZERO, _X=b)})"
    body = _fill(f"CASE WHEN _P IS NULL OR _Q IS NULL THEN NULL ELSE {result} END", **_SIDES)
    return _t(_BOUND.replace("_BODY", body), call.this, call.expression)


def rewrite_vector_distances(stmt: exp.Expression) -> None:
    """Rewrite the EUCLIDEAN_DISTANCE / COSINE_DISTANCE calls of `stmt` (see the module docstring)."""
    node: Any
    for node in reversed(list(stmt.find_all(*_CALLS))):
        new = _distance(node)
        if new is not None:
            node.replace(new)
