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

from .census import find_all

_CALLS = (exp.EuclideanDistance, exp.CosineDistance)

_KEYS = "list_transform(_X, lambda e: struct_extract_at(e, 1))"
_VALUES = "list_transform(_X, lambda e: struct_extract_at(e, 2))"
_CHECKED = (
    "CASE WHEN list_count(_X) < len(_X) THEN error('NULL array element.') "
    "WHEN list_bool_or(list_transform(_X, lambda e: struct_extract_at(e, 1) IS NULL OR struct_extract_at(e, 2) IS NULL)) "
    "THEN error('NULL struct field.') "
    f"WHEN len(list_distinct({_KEYS})) < len(_X) THEN error('Duplicate index ' || "
    f"CAST(list_extract(list_filter({_KEYS}, lambda d, i: list_position({_KEYS}, d) < i), 1) AS VARCHAR) "
    "|| ' found in the input array.') ELSE _X END"
)
_NOT_ZERO = "CASE WHEN list_inner_product(_X, _X) = 0 THEN error('Cannot compute cosine distance against zero vector.') ELSE _X END"
# each value is computed once, bound to a lambda parameter (which DuckDB does not recompute, and
# where a subquery argument may stand: DuckDB refuses one inside a lambda's body)
_BIND = "list_extract(list_transform([_VALUE], lambda _NAME: _BODY), 1)"


def _is_sparse(node: exp.Expression) -> bool:
    from .coltypes import known_type

    if isinstance(node, exp.Array):
        return any(isinstance(e, (exp.Tuple, exp.Struct)) for e in node.expressions)
    return known_type(node) == "ARRAY<STRUCT>"


def distance_arguments(stmt: exp.Expression) -> list[exp.Expression]:
    """The arguments of the distance calls (ML.DISTANCE's too) whose text does not show whether
    they are sparse."""
    from .mlscalars import ml_distance_vectors

    calls = [(call.this, call.expression) for call in stmt.find_all(*_CALLS)] + ml_distance_vectors(stmt)
    return [a for pair in calls for a in pair if isinstance(a, exp.Expression) and not isinstance(a, exp.Array)]


def _fill(template: str, **parts: str) -> str:
    for name, text in parts.items():
        template = template.replace(name, text)
    return template


def _bind(name: str, value: str, body: str) -> str:
    return _fill(_BIND, _VALUE=value, _NAME=name, _BODY=body)


# a vector whose check failed is NULL only where SAFE. made the check's error() NULL
# (safecalls.py): the call is NULL then, not the distance of the other vector's dimensions
_CHECKS_HELD = (
    "CASE WHEN struct_extract(__llmops_checked, 'a') IS NULL OR struct_extract(__llmops_checked, 'b') IS NULL "
    "THEN NULL ELSE _BODY END"
)


def _sparse(result: str) -> str:
    """`result` (of the dense `_P` and `_Q`) for two sparse vectors `_A` and `_B`: each checked,
    then written as a dense list over the union of their dimensions."""
    split = ", ".join(
        f"'{k}{side}': {_fill(template, _X=f'struct_extract(__llmops_checked, {side!r})')}"
        for side in "ab"
        for k, template in (("k", _KEYS), ("v", _VALUES))
    )
    dense = {
        side: "list_transform(__llmops_dims, lambda k: coalesce(list_extract("
        f"struct_extract(__llmops_parts, 'v{side}'), list_position(struct_extract(__llmops_parts, 'k{side}'), k)), 0.0))"
        for side in "ab"
    }
    union = "list_distinct(list_concat(struct_extract(__llmops_parts, 'ka'), struct_extract(__llmops_parts, 'kb')))"
    checked = "{'a': " + _fill(_CHECKED, _X="_A") + ", 'b': " + _fill(_CHECKED, _X="_B") + "}"
    return _bind(
        "__llmops_checked",
        checked,
        _bind(
            "__llmops_parts",
            "{" + split + "}",
            _bind("__llmops_dims", union, _CHECKS_HELD.replace("_BODY", _fill(result, _P=dense["a"], _Q=dense["b"]))),
        ),
    )


_MANHATTAN = (
    "CAST(coalesce(list_sum(list_transform(list_zip(_P, _Q), "
    "lambda p: abs(struct_extract_at(p, 1) - struct_extract_at(p, 2)))), 0) AS DOUBLE)"
)
_SAME_LENGTH = (
    "CASE WHEN len(_A) <> len(_B) THEN error('Array length mismatch: ' || len(_A) || ' and ' || len(_B) || '.') "
    "WHEN list_count(_A) < len(_A) OR list_count(_B) < len(_B) THEN error('NULL array element.') ELSE _BODY END"
)


def _distance(call: exp.Expression) -> exp.Expression | None:
    sparse = _is_sparse(call.this) or _is_sparse(call.expression)
    if isinstance(call, exp.EuclideanDistance) and not sparse:
        return None
    kind = "EUCLIDEAN" if isinstance(call, exp.EuclideanDistance) else "COSINE"
    return _distance_of(kind, call.this, call.expression, sparse)


def manhattan_distance(a: exp.Expression, b: exp.Expression) -> exp.Expression:
    """The MANHATTAN distance of two vectors, dense or sparse (ML.DISTANCE's third kind)."""
    return _distance_of("MANHATTAN", a, b, _is_sparse(a) or _is_sparse(b))


def _distance_of(kind: str, a: exp.Expression, b: exp.Expression, sparse: bool) -> exp.Expression:
    from .functions import _t

    if kind == "EUCLIDEAN":
        result = "list_distance(_P, _Q)"
    elif kind == "MANHATTAN":
        result = _MANHATTAN if sparse else _fill(_SAME_LENGTH, _BODY=_MANHATTAN, _A="_P", _B="_Q")
    else:
        result = f"list_cosine_distance({_fill(_NOT_ZERO, _X='_P')}, {_fill(_NOT_ZERO, _X='_Q')})"
    if sparse:
        body = _sparse(result)
    elif a.find(exp.Subquery, exp.Select) is None and b.find(exp.Subquery, exp.Select) is None:
        return _t(f"CASE WHEN _A IS NULL OR _B IS NULL THEN NULL ELSE {_fill(result, _P='_A', _Q='_B')} END", a, b)
    else:
        body = _fill(result, _P="_A", _Q="_B")
    vectors = "struct_extract(__llmops_vectors, 'a')", "struct_extract(__llmops_vectors, 'b')"
    guarded = f"CASE WHEN _A IS NULL OR _B IS NULL THEN NULL ELSE {body} END"
    return _t(_bind("__llmops_vectors", "{'a': _A, 'b': _B}", _fill(guarded, _A=vectors[0], _B=vectors[1])), a, b)


def rewrite_vector_distances(stmt: exp.Expression) -> None:
    """Rewrite the EUCLIDEAN_DISTANCE / COSINE_DISTANCE calls of `stmt` (see the module docstring)."""
    node: Any
    for node in reversed(find_all(stmt, *_CALLS)):
        new = _distance(node)
        if new is not None:
            node.replace(new)
