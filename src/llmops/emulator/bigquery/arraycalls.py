"""GoogleSQL array functions DuckDB names differently or lacks: ARRAY_INCLUDES(_ANY/_ALL),
ARRAY_FIRST/ARRAY_LAST (an error on an empty array, as BigQuery), ARRAY_SLICE (0-based,
inclusive, negative offsets count from the end, a NULL offset gives NULL) and ARRAY_CONCAT (NULL if any argument is)."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from .census import find_all
from .functions import _t

_NAMED = {
    "ARRAY_INCLUDES": "list_contains(_A, _B)",
    "ARRAY_INCLUDES_ANY": "list_has_any(_A, _B)",
    "ARRAY_INCLUDES_ALL": "list_has_all(_A, _B)",
}


def _end(name: str, index: str) -> Any:
    return lambda n: _t(
        f"CASE WHEN len(_A) = 0 THEN error('{name} cannot get the {index} element of an empty array') "
        f"ELSE _A[{'1' if index == 'first' else '-1'}] END",
        exp.paren(n.this.copy(), copy=False),
    )


def _slice(node: exp.ArraySlice) -> exp.Expression:
    # DuckDB's 1-based bounds, clamped: an end before the first element is an empty slice (a
    # negative one would count from the end again), a bound past the end would overflow; a NULL
    # offset makes the slice NULL (DuckDB's list_slice reads it as "no bound")
    end = node.args.get("end")
    return _t(
        "CASE WHEN _B IS NULL OR _C IS NULL THEN NULL ELSE "
        "list_slice(_A, CASE WHEN _B < 0 THEN greatest(len(_A) + _B, 0) + 1 ELSE least(_B, len(_A)) + 1 END, "
        "CASE WHEN _C < 0 THEN greatest(len(_A) + _C + 1, 0) ELSE least(_C, len(_A)) + 1 END) END",
        exp.paren(node.this.copy(), copy=False),
        exp.paren(node.args["start"].copy(), copy=False),
        exp.paren(end.copy(), copy=False) if end is not None else exp.Literal.number(-1),
    )


def _concat(node: exp.ArrayConcat) -> exp.Expression | None:
    parts = [node.this, *node.expressions]
    if all(isinstance(p, exp.Array) for p in parts):
        return None
    any_null = exp.or_(*(exp.Is(this=p.copy(), expression=exp.Null()) for p in parts))
    return exp.Case(ifs=[exp.If(this=any_null, true=exp.Null())], default=node.copy())


def _is_float(node: exp.Expression | None) -> bool:
    if isinstance(node, exp.Neg):
        node = node.this
    if isinstance(node, exp.Literal):
        return not node.is_string and any(c in node.this for c in ".eE")
    return isinstance(node, exp.Cast) and node.to.this in (exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT)


def _float_series(node: exp.GenerateSeries) -> exp.Expression | None:
    """GENERATE_ARRAY of FLOAT64s: start + i * step up to end (DuckDB's range is integers only)."""
    start, end, step = (node.args.get(k) for k in ("start", "end", "step"))
    if not any(_is_float(a) for a in (start, end, step)):
        return None
    return _t(
        "CASE WHEN _A IS NULL OR _B IS NULL OR _C IS NULL THEN NULL "
        "WHEN _C = 0 THEN error('Sequence step cannot be 0.') "
        "WHEN (_B - _A) / _C < 0 THEN CAST([] AS DOUBLE[]) ELSE "
        "list_filter(list_transform(range(0, CAST(floor((_B - _A) / _C) AS BIGINT) + 2), lambda i: _A + i * _C), "
        "lambda v: CASE WHEN _C > 0 THEN v <= _B ELSE v >= _B END) END",
        *(
            exp.cast(exp.paren(a.copy(), copy=False), "DOUBLE") if a is not None else exp.Literal.number(1)
            for a in (start, end, step)
        ),
    )


_CALLS: dict[type, Any] = {
    exp.GenerateSeries: _float_series,
    exp.ArrayFirst: _end("ARRAY_FIRST", "first"),
    exp.ArrayLast: _end("ARRAY_LAST", "last"),
    exp.ArraySlice: _slice,
    exp.ArrayConcat: _concat,
}


def rewrite_array_calls(stmt: exp.Expression) -> None:
    """Rewrite the array calls of `stmt` that DuckDB lacks or answers differently."""
    node: Any
    for node in reversed(find_all(stmt, exp.Anonymous)):
        template = _NAMED.get(node.name.upper())
        if template is not None and len(node.expressions) == 2:
            node.replace(_t(template, *(exp.paren(a.copy(), copy=False) for a in node.expressions)))
    for node in reversed(find_all(stmt, *_CALLS)):
        new = _CALLS[type(node)](node)
        if new is not None:
            node.replace(new)
