"""BigQuery ML's scalar functions, written as DuckDB list and struct expressions.

Served: ML.DISTANCE (EUCLIDEAN / COSINE become EUCLIDEAN_DISTANCE / COSINE_DISTANCE, whose
rewrite in `vectordistances.py` also takes sparse vectors; MANHATTAN is written there too),
ML.LP_NORM, ML.NORMALIZER, ML.NGRAMS, ML.BUCKETIZE (bucket names), ML.HASH_BUCKETIZE (FARM_FINGERPRINT read as
an unsigned 64-bit number, modulo the bucket count), ML.POLYNOMIAL_EXPAND and ML.FEATURE_CROSS
(of a STRUCT written out in the query, whose field names make the output's), and the analytic
ML.MIN_MAX_SCALER, ML.STANDARD_SCALER and ML.MAX_ABS_SCALER (OVER () or OVER (PARTITION BY ...),
as window aggregates). Every other ML.* function stays refused by name in `googlesql.py`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

from sqlglot import exp

from .census import find_all

DISTANCE_TYPES = ("EUCLIDEAN", "MANHATTAN", "COSINE")

_NO_NULLS = "CASE WHEN list_count(_A) < len(_A) THEN error('NULL array element.') ELSE _A END"

_NORMS = {
    0.0: "CAST(len(list_filter(_V, lambda x: x <> 0)) AS DOUBLE)",
    1.0: "coalesce(list_sum(list_transform(_V, lambda x: abs(CAST(x AS DOUBLE)))), 0.0)",
    2.0: "sqrt(coalesce(list_inner_product(CAST(_V AS DOUBLE[]), CAST(_V AS DOUBLE[])), 0.0))",
    math.inf: "coalesce(greatest(abs(CAST(list_max(_V) AS DOUBLE)), abs(CAST(list_min(_V) AS DOUBLE))), 0.0)",
}
_P_NORM = "power(coalesce(list_sum(list_transform(_V, lambda x: power(abs(CAST(x AS DOUBLE)), _B))), 0.0), 1.0 / _B)"
_BAD_DEGREE = "error('ML.LP_NORM''s degree must be 0.0, at least 1.0, or +inf, not ' || _B)"

_NGRAMS = (
    "CASE WHEN _A IS NULL THEN NULL "
    "WHEN list_count(_A) < len(_A) THEN error('ML.NGRAMS of an array with NULL elements is not supported by the local warehouse') "
    "ELSE flatten(list_transform(range(1, len(_A) + 1), lambda i: list_transform("
    "list_filter(range(_LOW, _HIGH + 1), lambda k: i + k - 1 <= len(_A)), "
    "lambda k: array_to_string(list_slice(_A, i, i + k - 1), _B)))) END"
)

_SPLITS = "CASE WHEN _C THEN list_slice(_B, 2, len(_B) - 1) ELSE _B END"
_BUCKETIZE = (
    "CASE WHEN _A IS NULL OR _B IS NULL OR _C IS NULL THEN NULL "
    "WHEN list_count(_B) < len(_B) OR list_bool_or(list_transform(_B, lambda s: isinf(CAST(s AS DOUBLE)) OR isnan(CAST(s AS DOUBLE)))) "
    "THEN error('ML.BUCKETIZE''s split points must be finite numbers, not NULL, inf or NaN') "
    "WHEN list_sort(_B) <> _B THEN error('ML.BUCKETIZE''s split points must be in ascending order') "
    "WHEN isnan(CAST(_A AS DOUBLE)) THEN error('ML.BUCKETIZE of NaN is not supported by the local warehouse') "
    f"ELSE 'bin_' || CAST(1 + len(list_filter({_SPLITS}, lambda s: s <= _A)) AS VARCHAR) END"
)

# FARM_FINGERPRINT's INT64 read as unsigned (2^64 added to a negative one), as BigQuery ML hashes
_HASH_BUCKETIZE = (
    "CASE WHEN _B < 0 THEN error('ML.HASH_BUCKETIZE''s hash_bucket_size must be at least 0, not ' || _B) "
    "WHEN _B = 0 THEN error('ML.HASH_BUCKETIZE with hash_bucket_size 0 is not supported by the local warehouse') "
    "ELSE list_extract(list_transform([_C], lambda h: CAST((CAST(h AS HUGEINT) + CASE WHEN h < 0 "
    "THEN CAST(9223372036854775807 AS HUGEINT) * 2 + 2 ELSE 0 END) % _B AS BIGINT)), 1) END"
)


def supported(name: str) -> bool:
    """Whether ML.<name> is a scalar or scaler function the local warehouse answers."""
    return name.upper() in _HANDLERS or name.upper() in _SCALERS


def ml_distance_vectors(stmt: exp.Expression) -> list[tuple[exp.Expression, exp.Expression]]:
    """The two vectors of each ML.DISTANCE call in `stmt` (for `coltypes` to type them)."""
    return [(fn.expressions[0], fn.expressions[1]) for fn in _ml_calls(stmt, "DISTANCE") if len(fn.expressions) >= 2]


def rewrite_ml_scalars(stmt: exp.Expression) -> None:
    """Rewrite the served ML.* scalar and scaler calls of `stmt` (see the module docstring)."""
    for window in reversed(find_all(stmt, exp.Window)):
        call = window.this
        if isinstance(call, exp.Dot) and _is_ml(call) and isinstance(call.expression, exp.Anonymous):
            name = call.expression.name.upper()
            if name in _SCALERS:
                window.replace(_scaler(name, list(call.expression.expressions), window))
    for node in reversed(find_all(stmt, exp.Dot)):
        fn = node.expression
        if not (_is_ml(node) and isinstance(fn, exp.Anonymous) and supported(fn.name)):
            continue
        if fn.name.upper() in _SCALERS:
            raise _invalid(f"ML.{fn.name.upper()} is an analytic function: call it with OVER()")
        node.replace(_HANDLERS[fn.name.upper()](list(fn.expressions)))


def _scaler(name: str, args: list[exp.Expression], window: exp.Window) -> exp.Expression:
    from .functions import _t

    _arity(name, args, 1, 1, "(numerical_expression) OVER()")
    if window.args.get("order") or window.args.get("spec"):
        raise _unsupported(f"ML.{name} over a window with ORDER BY or a frame")
    partition = [p.copy() for p in window.args.get("partition_by") or []]

    def over(aggregate: str) -> exp.Expression:
        return exp.Window(this=_t(aggregate, args[0]).unnest(), partition_by=[p.copy() for p in partition], over="OVER")

    template, aggregates = _SCALERS[name]
    return _t(template, args[0], *(over(a) for a in aggregates))


def _is_ml(node: exp.Dot) -> bool:
    return isinstance(node.this, exp.Identifier) and node.this.name.upper() == "ML"


def _ml_calls(stmt: exp.Expression, name: str) -> list[exp.Anonymous]:
    return [
        node.expression
        for node in stmt.find_all(exp.Dot)
        if _is_ml(node) and isinstance(node.expression, exp.Anonymous) and node.expression.name.upper() == name
    ]


def _arity(name: str, args: list[exp.Expression], low: int, high: int, usage: str) -> None:
    if not low <= len(args) <= high:
        raise _invalid(f"No matching signature for function ML.{name}; it takes {usage}")


def _distance(args: list[exp.Expression]) -> exp.Expression:
    from .vectordistances import manhattan_distance

    _arity("DISTANCE", args, 2, 3, "(vector1, vector2 [, type])")
    kind = "EUCLIDEAN"
    if len(args) == 3:
        given = args[2]
        if not (isinstance(given, exp.Literal) and given.is_string):
            raise _unsupported("ML.DISTANCE with a distance type that is not a string literal")
        kind = given.name
        if kind not in DISTANCE_TYPES:
            raise _invalid(f"ML.DISTANCE's type must be one of {', '.join(DISTANCE_TYPES)}, not '{kind}'")
    a, b = args[0], args[1]
    if kind == "EUCLIDEAN":
        return exp.EuclideanDistance(this=a, expression=b)  # rewritten by vectordistances
    if kind == "COSINE":
        return exp.CosineDistance(this=a, expression=b)
    return manhattan_distance(a, b)


def _lp_norm(args: list[exp.Expression]) -> exp.Expression:
    _arity("LP_NORM", args, 2, 2, "(vector, degree)")
    degree = _float_literal(args[1])
    if degree is None:
        branches = " ".join(
            f"WHEN {'isinf(_B) AND _B > 0' if p == math.inf else f'_B = {p}'} THEN {norm}" for p, norm in _NORMS.items()
        )
        norm = f"CASE {branches} WHEN _B > 1 THEN {_P_NORM} ELSE {_BAD_DEGREE} END"
    elif degree in _NORMS:
        norm = _NORMS[degree]
    elif degree > 1:
        norm = _P_NORM
    else:
        raise _invalid(f"ML.LP_NORM's degree must be 0.0, at least 1.0, or +inf, not {degree}")
    checked = "CASE WHEN list_count(_A) < len(_A) THEN error('NULL array element.') ELSE _A END"
    template = f"CASE WHEN _A IS NULL OR _B IS NULL THEN NULL ELSE {norm.replace('_V', checked)} END"
    return _native(template, args[0], args[1])


def _normalizer(args: list[exp.Expression]) -> exp.Expression:
    from .functions import _t

    _arity("NORMALIZER", args, 1, 2, "(array_expression [, p])")
    degree = args[1] if len(args) == 2 else exp.Literal.number(2)
    return _t(
        "list_extract(list_transform([_C], lambda n: CASE WHEN n = 0 THEN error('ML.NORMALIZER of a zero vector "
        "is not supported by the local warehouse') ELSE list_transform(_A, lambda x: CAST(x AS DOUBLE) / n) END), 1)",
        args[0],
        degree,
        _lp_norm([args[0], degree]),
    )


def _float_literal(node: exp.Expression) -> float | None:
    """The value of a numeric literal, or of CAST('inf' AS FLOAT64) and its like."""
    negative = isinstance(node, exp.Neg)
    inner = node.this if negative else node
    if isinstance(inner, exp.Cast) and isinstance(inner.this, exp.Literal) and inner.this.is_string:
        try:
            value = float(inner.this.name)
        except ValueError:
            return None
    elif isinstance(inner, exp.Literal) and not inner.is_string:
        value = float(inner.name)
    else:
        return None
    return -value if negative else value


def _native(template: str, *args: exp.Expression) -> exp.Expression:
    """`_t`, with the template's own SQRT and POWER left as DuckDB's: their arguments cannot be
    out of domain, and the GoogleSQL checks would repeat them."""
    from .functions import _t
    from .mathfuncs import _as_duckdb_calls

    names = {f"_{chr(ord('A') + i)}": a for i, a in enumerate(args)}

    def put(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table and node.name in names:
            return names[node.name].copy()
        return node

    return _as_duckdb_calls(_t(template)).transform(put)


def _int_literal(node: exp.Expression) -> int | None:
    negative = isinstance(node, exp.Neg)
    inner = node.this if negative else node
    if isinstance(inner, exp.Literal) and inner.is_int:
        return -int(inner.this) if negative else int(inner.this)
    return None


def _ngrams(args: list[exp.Expression]) -> exp.Expression:
    from .functions import _t

    _arity("NGRAMS", args, 2, 3, "(array_input, range [, separator])")
    given = args[1]
    bounds = [_int_literal(e) for e in given.expressions] if isinstance(given, exp.Array) else [_int_literal(given)]
    if any(b is None for b in bounds) or len(bounds) not in (1, 2):
        raise _unsupported("ML.NGRAMS with a range that is not an INT64 literal or an array of two")
    low, high = bounds[0], bounds[-1]
    assert low is not None and high is not None
    if low < 1 or high < low:
        raise _invalid(f"ML.NGRAMS's range must be n-gram sizes from at least 1, lower to higher, not [{low}, {high}]")
    template = _NGRAMS.replace("_LOW", str(low)).replace("_HIGH", str(high))
    return _t(template, args[0], args[2] if len(args) == 3 else exp.Literal.string(" "))


def _bucketize(args: list[exp.Expression]) -> exp.Expression:
    from .functions import _t

    _arity(
        "BUCKETIZE", args, 2, 4, "(numerical_expression, array_split_points [, exclude_boundaries] [, output_format])"
    )
    if len(args) == 4:
        form = args[3]
        if not (isinstance(form, exp.Literal) and form.is_string and form.name == "bucket_names"):
            raise _unsupported("ML.BUCKETIZE's output_format other than 'bucket_names'")
    exclude = args[2] if len(args) >= 3 else exp.false()
    return _t(_BUCKETIZE, args[0], args[1], exclude)


def _hash_bucketize(args: list[exp.Expression]) -> exp.Expression:
    from .functions import _t

    _arity("HASH_BUCKETIZE", args, 2, 2, "(string_expression, hash_bucket_size)")
    hashed = exp.FarmFingerprint(expressions=[args[0].copy()])
    return _t(_HASH_BUCKETIZE, args[0], args[1], hashed)


def _features(name: str, struct: exp.Expression) -> list[tuple[str, exp.Expression]]:
    """The named fields of a STRUCT written out in the query."""
    if not isinstance(struct, exp.Struct):
        raise _unsupported(f"ML.{name} of a STRUCT that is not written out as STRUCT(...) in the query")
    fields: list[tuple[str, exp.Expression]] = []
    for field in struct.expressions:
        if isinstance(field, exp.PropertyEQ | exp.Alias):
            label, value = (
                (field.this.name, field.expression) if isinstance(field, exp.PropertyEQ) else (field.alias, field.this)
            )
        elif isinstance(field, exp.Column):
            label, value = field.name, field
        else:
            raise _invalid(f"ML.{name} takes named features; {field.sql('bigquery')} has no name")
        if label.lower() in (f.lower() for f, _ in fields):
            raise _invalid(f"ML.{name} got the feature {label} twice")
        fields.append((label, value))
    if not 1 <= len(fields) <= 10:
        raise _invalid(f"ML.{name} takes 1 to 10 features, not {len(fields)}")
    return fields


def _degree(name: str, args: list[exp.Expression], low: int) -> int:
    if len(args) < 2:
        return 2
    degree = _int_literal(args[1])
    if degree is None:
        raise _unsupported(f"ML.{name} with a degree that is not an INT64 literal")
    if not low <= degree <= 4:
        raise _invalid(f"ML.{name}'s degree must be in the range [{low}, 4], not {degree}")
    return degree


def _struct_of(fields: list[tuple[str, str]], values: list[exp.Expression]) -> exp.Expression:
    from .functions import _t

    text = "{" + ", ".join("'" + label.replace("'", "''") + "': " + value for label, value in fields) + "}"
    return _t(text, *values)


def _polynomial_expand(args: list[exp.Expression]) -> exp.Expression:
    _arity("POLYNOMIAL_EXPAND", args, 1, 2, "(struct_numerical_features [, degree])")
    features = _features("POLYNOMIAL_EXPAND", args[0])
    degree = _degree("POLYNOMIAL_EXPAND", args, 1)
    names = [f"_{chr(ord('A') + i)}" for i in range(len(features))]
    combos = sorted(
        c for size in range(1, degree + 1) for c in itertools.combinations_with_replacement(range(len(features)), size)
    )
    fields = [
        ("_".join(features[i][0] for i in c), " * ".join(f"CAST({names[i]} AS DOUBLE)" for i in c)) for c in combos
    ]
    return _struct_of(fields, [value for _, value in features])


def _feature_cross(args: list[exp.Expression]) -> exp.Expression:
    _arity("FEATURE_CROSS", args, 1, 2, "(struct_categorical_features [, degree])")
    features = _features("FEATURE_CROSS", args[0])
    for label, value in features:
        if isinstance(value, exp.Literal) and not value.is_string:
            raise _invalid(f"ML.FEATURE_CROSS takes STRING features; {label} is not a STRING")
    degree = _degree("FEATURE_CROSS", args, 2)
    names = [f"_{chr(ord('A') + i)}" for i in range(len(features))]
    combos = sorted(c for size in range(2, degree + 1) for c in itertools.combinations(range(len(features)), size))
    fields = [("_".join(features[i][0] for i in c), " || '_' || ".join(names[i] for i in c)) for c in combos]
    return _struct_of(fields, [value for _, value in features])


def _invalid(message: str) -> Exception:
    from .functions import _invalid as invalid

    return invalid(message)


def _unsupported(what: str) -> Exception:
    from .functions import _unsupported as unsupported

    return unsupported(what)


_CONSTANT = "error('ML._NAME of a constant column is not supported by the local warehouse')"
# (template over the value _A and the window aggregates _B, _C, ..., those aggregates of _A)
_SCALERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "MIN_MAX_SCALER": (
        f"CASE WHEN _A IS NULL THEN NULL WHEN _B = _C THEN {_CONSTANT.replace('_NAME', 'MIN_MAX_SCALER')} "
        "ELSE greatest(0.0, least(1.0, (CAST(_A AS DOUBLE) - _C) / (_B - _C))) END",
        ("max(CAST(_A AS DOUBLE))", "min(CAST(_A AS DOUBLE))"),
    ),
    "STANDARD_SCALER": (
        f"CASE WHEN _A IS NULL THEN NULL WHEN _C IS NULL OR _C = 0 THEN {_CONSTANT.replace('_NAME', 'STANDARD_SCALER')} "
        "ELSE (CAST(_A AS DOUBLE) - _B) / _C END",
        ("avg(CAST(_A AS DOUBLE))", "stddev_samp(CAST(_A AS DOUBLE))"),
    ),
    "MAX_ABS_SCALER": (
        f"CASE WHEN _A IS NULL THEN NULL WHEN _B = 0 THEN {_CONSTANT.replace('_NAME', 'MAX_ABS_SCALER')} "
        "ELSE CAST(_A AS DOUBLE) / _B END",
        ("max(abs(CAST(_A AS DOUBLE)))",),
    ),
}

_HANDLERS: dict[str, Callable[[list[exp.Expression]], exp.Expression]] = {
    "DISTANCE": _distance,
    "LP_NORM": _lp_norm,
    "NORMALIZER": _normalizer,
    "NGRAMS": _ngrams,
    "BUCKETIZE": _bucketize,
    "HASH_BUCKETIZE": _hash_bucketize,
    "POLYNOMIAL_EXPAND": _polynomial_expand,
    "FEATURE_CROSS": _feature_cross,
}
