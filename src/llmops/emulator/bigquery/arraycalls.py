"""GoogleSQL array functions DuckDB names differently or lacks: ARRAY_INCLUDES(_ANY/_ALL),
ARRAY_FIRST/ARRAY_LAST (an error on an empty array, as BigQuery), ARRAY_SLICE (0-based,
inclusive, negative offsets count from the end, a NULL offset gives NULL) and ARRAY_CONCAT (NULL if any argument is)."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from .boundvalues import bound_together, is_large
from .census import find_all
from .coltypes import known_type
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


# BigQuery's largest GENERATE_ARRAY (SAFE.GENERATE_ARRAY(1.0, 1048577) and SAFE.GENERATE_ARRAY(NUMERIC
# '1', 1048577) are NULL, GENERATE_ARRAY(1.0, 1048576) has 1,048,576 elements)
MAX_SERIES = 1048576
_TOO_MANY = f"error('GENERATE_ARRAY would produce more than {MAX_SERIES} elements')"
# the count of steps, estimated in DOUBLE (a guard against building a list far too long)
_STEPS = "floor(CAST(_B - _A AS DOUBLE) / CAST(_C AS DOUBLE))"


def _series_type(args: tuple[exp.Expression | None, ...]) -> str | None:
    """FLOAT64, BIGNUMERIC, NUMERIC or INT64 where the query shows the arguments' type (a
    literal, a CAST, the inferred type), else None. A FLOAT64 literal takes a NUMERIC argument's
    type, as GoogleSQL coerces a literal (GENERATE_ARRAY(NUMERIC '1', 2, 0.25) is NUMERIC)."""
    kinds = set()
    float_literal = False
    for a in args:
        if a is None or isinstance(a, exp.Null):
            continue
        if _is_float(a) and not isinstance(a, exp.Cast):
            float_literal = True
        elif (isinstance(a, exp.Literal) and not a.is_string) or (
            isinstance(a, exp.Neg) and isinstance(a.this, exp.Literal)
        ):
            kinds.add("INT64")
        elif isinstance(a, exp.Cast) and a.to.this in (exp.DataType.Type.DECIMAL, exp.DataType.Type.BIGDECIMAL):
            kinds.add("BIGNUMERIC" if a.to.this == exp.DataType.Type.BIGDECIMAL else "NUMERIC")
        elif _is_float(a):
            kinds.add("FLOAT64")
        else:
            kinds.add(known_type(a) or "")
    for kind in ("FLOAT64", "BIGNUMERIC", "NUMERIC"):
        if kind in kinds:
            return kind
    if kinds <= {"INT64"}:
        return "FLOAT64" if float_literal else "INT64"
    # a FLOAT64 literal beside a value of unknown type: FLOAT64, as before (NUMERIC values with a
    # FLOAT64 literal step come out FLOAT64: docs/googlesql.md)
    return "FLOAT64" if float_literal else None


def _bounded(series: str) -> str:
    """`series`, or the error for more elements than BigQuery's largest array (the list is read once)."""
    return f"list_extract(list_transform([{series}], lambda l: CASE WHEN len(l) > {MAX_SERIES} THEN {_TOO_MANY} ELSE l END), 1)"


# the zero step's error as argchecks.py words it (a FLOAT64 literal series kept its own wording)
_ZERO_STEP = "error('GENERATE_ARRAY: the step must not be 0')"


def _float_text(empty: str, zero_step: str = _ZERO_STEP) -> str:
    """GENERATE_ARRAY of FLOAT64s: start + i * step up to end."""
    return (
        "CASE WHEN _A IS NULL OR _B IS NULL OR _C IS NULL THEN NULL "
        f"WHEN _C = 0 THEN {zero_step} "
        "WHEN isnan(_C) OR isinf(_C) THEN error('GENERATE_ARRAY: the step must be a finite number') "
        "WHEN _A = _B THEN [_A + 0 * _C] "
        f"WHEN (_B - _A) / _C < 0 THEN {empty} "
        f"WHEN {_STEPS} > {MAX_SERIES} THEN {_TOO_MANY} ELSE "
        + _bounded(
            f"list_filter(list_transform(range(0, CAST({_STEPS} AS BIGINT) + 2), lambda i: _A + i * _C), "
            "lambda v: CASE WHEN _C > 0 THEN v <= _B ELSE v >= _B END)"
        )
        + " END"
    )


def _exact_text(empty: str, bounded: bool = True) -> str:
    """GENERATE_ARRAY of NUMERIC / BIGNUMERIC (or INT64): start + i * step for each i whose element
    does not pass the end, exactly: each candidate i is kept where the distance left after i - 1
    steps still holds a step, so no element past the end is computed (a start near the type's
    largest value does not overflow)."""
    fits = "i = 0 OR CASE WHEN _C > 0 THEN (_B - _A) - (i - 1) * _C >= _C ELSE (_B - _A) - (i - 1) * _C <= _C END"
    return (
        "CASE WHEN _A IS NULL OR _B IS NULL OR _C IS NULL THEN NULL "
        f"WHEN _C = 0 THEN {_ZERO_STEP} "
        f"WHEN CASE WHEN _C > 0 THEN _B < _A ELSE _B > _A END THEN {empty} "
        + (f"WHEN {_STEPS} > {MAX_SERIES} THEN {_TOO_MANY} " if bounded else "")
        + "ELSE "
        + (_bounded if bounded else str)(
            f"list_transform(list_filter(range(0, CAST({_STEPS} AS BIGINT) + 2), lambda i: {fits}), "
            "lambda i: _A + i * _C)"
        )
        + " END"
    )


def _float_series(node: exp.GenerateSeries) -> exp.Expression | None:
    """GENERATE_ARRAY of FLOAT64s or NUMERICs (DuckDB's range takes integers only); of INT64s it
    stays DuckDB's generate_series. Where an argument's type is not known, the type of the three
    decides when DuckDB binds them (a DOUBLE: FLOAT64's form, else the exact one)."""
    if node.args.get("is_end_exclusive"):
        return None  # DuckDB's range(), which the rewrites write: not GoogleSQL's GENERATE_ARRAY
    start, end, step = (node.args.get(k) for k in ("start", "end", "step"))
    kind = _series_type((start, end, step))
    if kind == "INT64":
        return None
    if kind in ("NUMERIC", "BIGNUMERIC"):
        decimal = "DECIMAL(38, 18)" if kind == "BIGNUMERIC" else "DECIMAL(38, 9)"
        return _series(_exact_text(f"CAST([] AS {decimal}[])"), _args((start, end, step), decimal))
    if kind == "FLOAT64":
        zero_step = "error('Sequence step cannot be 0.')"
        return _series(_float_text("CAST([] AS DOUBLE[])", zero_step), _args((start, end, step), "DOUBLE"))
    # each form binds for every numeric type, its elements of the arguments' own type; INT64s
    # keep generate_series's answer (no limit on the count: BigQuery's is recorded for FLOAT64
    # and NUMERIC arrays)
    empty = "list_filter([_A + 0 * _C], lambda v: false)"
    kind = "typeof([_A, _B, _C])"
    template = (
        f"CASE WHEN {kind} = 'DOUBLE[]' THEN {_float_text(empty)} "
        f"WHEN {kind} LIKE 'DECIMAL%' THEN {_exact_text(empty)} ELSE {_exact_text(empty, bounded=False)} END"
    )
    return _series(template, _args((start, end, step), None))


def _series(template: str, args: list[exp.Expression]) -> exp.Expression:
    """The series' template over `args`. The template reads them inside lambdas, where DuckDB
    takes no subquery ("subqueries in lambda expressions are not supported"): arguments with one
    (ibis's `GENERATE_ARRAY(0, ARRAY_LENGTH(ARRAY(SELECT ...)) - 1)`) are evaluated once, outside,
    and the template reads their bound values. So are large ones: the template copies each
    argument a dozen times (bigquery-utils' cw_to_base, `GENERATE_ARRAY(1, CAST(FLOOR(LOG(ABS(n))
    / LOG(b)) AS INT64) + 1)`, was 190 KB of SQL)."""
    if any(a.find(exp.Select) is not None or is_large(a) for a in args):
        return bound_together(args, lambda refs: _t(template, *refs))
    return _t(template, *args)


def _args(args: tuple[exp.Expression | None, ...], cast: str | None) -> list[exp.Expression]:
    out: list[exp.Expression] = []
    for a in args:
        value = exp.paren(a.copy(), copy=False) if a is not None else exp.Literal.number(1)
        out.append(exp.cast(value, cast) if cast else value)
    return out


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
