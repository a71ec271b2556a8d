"""DATE_BUCKET, DATETIME_BUCKET and TIMESTAMP_BUCKET as DuckDB arithmetic (ZetaSQL's
`date_time_util.cc` bucketizers): the lower bound of the bucket of `bucket_width` that holds the
value, the buckets counted both ways from the origin (default 1950-01-01 00:00:00).

The width is a single-part INTERVAL, `INTERVAL 2 DAY` or `INTERVAL n SECOND` of an INT64 expression
(whose sign is checked when the query runs), or a NULL literal (the result is NULL). Day and time widths are exact: the value minus its
non-negative remainder after the origin, in microseconds. Month widths (MONTH, QUARTER, YEAR) count whole months
from an origin on the first of a month at midnight, the default's case; another origin would
need ZetaSQL's end-of-month rules and is refused by name.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all

_DAYS = {"DAY": 1, "WEEK": 7}
_MONTHS = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}
_MICROS = {"HOUR": 3_600_000_000, "MINUTE": 60_000_000, "SECOND": 1_000_000, "MILLISECOND": 1000, "MICROSECOND": 1}
_DUCKDB_TYPES = {"DATE_BUCKET": "DATE", "DATETIME_BUCKET": "TIMESTAMP", "TIMESTAMP_BUCKET": "TIMESTAMPTZ"}
_DEFAULT_ORIGIN = {
    "DATE_BUCKET": "DATE '1950-01-01'",
    "DATETIME_BUCKET": "TIMESTAMP '1950-01-01 00:00:00'",
    "TIMESTAMP_BUCKET": "TIMESTAMPTZ '1950-01-01 00:00:00+00'",
}
# the value less its remainder after the origin, each counted in the width's unit
_FLOORED = "((((_V - _O) % _W) + _W) % _W)"
# (make_timestamp(micros) would be read as TIMESTAMP_MICROS, a TIMESTAMP, by the later rewrites)
_MICROS_FLOORED = _FLOORED.replace("_V", "epoch_us(_A)").replace("_O", "epoch_us(_B)")
_TEMPLATES = {
    "DATE_BUCKET": "CAST(CAST(_A AS TIMESTAMP) - to_microseconds(_R) AS DATE)".replace(
        "_R", _FLOORED.replace("_V", "epoch_us(CAST(_A AS TIMESTAMP))").replace("_O", "epoch_us(CAST(_B AS TIMESTAMP))")
    ),
    "DATETIME_BUCKET": f"CAST(_A AS TIMESTAMP) - to_microseconds({_MICROS_FLOORED})",
    "TIMESTAMP_BUCKET": f"_A - to_microseconds({_MICROS_FLOORED})",
}
_MONTH_INDEX = "(year(_X) * 12 + month(_X) - 1)"
_MONTHS_TEMPLATE = (
    "CASE WHEN date_trunc('month', _B) <> _B THEN error('{name} with a MONTH, QUARTER or YEAR width and an origin "
    "other than the first of a month at midnight is not supported by the local warehouse') "
    "ELSE CAST(date_trunc('month', _B) + to_months(CAST({index_a} - {floored} - {index_b} AS INTEGER)) AS {to}) END"
)


def _invalid(message: str) -> Exception:
    from .googlesql import BigQueryError

    return BigQueryError(message, fix="give the bucket width as a single-part INTERVAL literal, e.g. INTERVAL 2 DAY")


def _width(name: str, interval: exp.Expression) -> tuple[str, exp.Expression]:
    """The width's kind (days, months or micros) and its size in that unit, as ZetaSQL checks it
    (when the query runs for `INTERVAL n SECOND` of an INT64 expression `n`)."""
    if not isinstance(interval, exp.Interval) or not isinstance(interval.unit, exp.Var):
        from .functions import _unsupported

        raise _unsupported(f"{name} with a bucket width other than a single-part INTERVAL literal")
    if not isinstance(interval.this, exp.Literal):
        return _counted_width(name, interval.unit.name.upper(), interval.this)
    kind, size = _literal_width(name, interval)
    return kind, exp.Literal.number(size)


def _literal_width(name: str, interval: exp.Interval) -> tuple[str, int]:
    assert interval.unit is not None  # a Var: `_width` checked
    unit = interval.unit.name.upper()
    try:
        count = int(interval.this.name)
    except ValueError:
        micros = _fractional_seconds(interval.this.name) if unit == "SECOND" else None
        if micros is None:
            raise _invalid(f"Invalid INTERVAL value {interval.this.name!r}") from None
        unit, count = "MICROSECOND", micros
    if count < 0:
        raise _invalid("Negative bucket width INTERVAL is not allowed")
    if unit in _MONTHS:
        if name == "TIMESTAMP_BUCKET":
            raise _invalid("Bucket width INTERVAL with non-zero MONTH part is not allowed")
        kind, size = "months", count * _MONTHS[unit]
    elif unit in _DAYS:
        kind, size = "micros", count * _DAYS[unit] * 86_400_000_000
    elif unit in _MICROS:
        if name == "DATE_BUCKET":
            raise _invalid("Only MONTH and DAY parts are allowed in bucket width INTERVAL")
        kind, size = "micros", count * _MICROS[unit]
    else:
        raise _invalid(f"Invalid INTERVAL part {unit} in bucket width")
    if size == 0:
        zero = "Zero bucket width INTERVAL is not allowed"
        raise _invalid(
            zero if name == "TIMESTAMP_BUCKET" else "Exactly one non-zero INTERVAL part in bucket width is required"
        )
    return kind, size


def _counted_width(name: str, unit: str, count: exp.Expression) -> tuple[str, exp.Expression]:
    """`INTERVAL n unit` of an expression `n`: the part is checked now, the count's sign when the
    query runs, in ZetaSQL's words."""
    from .functions import _t

    zero = "Zero bucket width INTERVAL is not allowed"
    one_part = "Exactly one non-zero INTERVAL part in bucket width is required"
    if unit in _MONTHS:
        if name == "TIMESTAMP_BUCKET":
            raise _invalid("Bucket width INTERVAL with non-zero MONTH part is not allowed")
        kind, size = "months", _MONTHS[unit]
    elif unit in _DAYS:
        kind, size = "micros", _DAYS[unit] * 86_400_000_000
    elif unit in _MICROS:
        if name == "DATE_BUCKET":
            raise _invalid("Only MONTH and DAY parts are allowed in bucket width INTERVAL")
        kind, size = "micros", _MICROS[unit]
    else:
        raise _invalid(f"Invalid INTERVAL part {unit} in bucket width")
    checked = (
        "CASE WHEN _A < 0 THEN error('Negative bucket width INTERVAL is not allowed') "
        f"WHEN _A = 0 THEN error('{zero if name == 'TIMESTAMP_BUCKET' else one_part}') "
        f"ELSE CAST(_A AS BIGINT) * {size} END"
    )
    return kind, _t(checked, count)


def _fractional_seconds(text: str) -> int | None:
    """`'0.1'` of `INTERVAL '0.1' SECOND` in microseconds; None unless whole microseconds."""
    import decimal

    try:
        micros = decimal.Decimal(text.strip()) * 1_000_000
    except decimal.InvalidOperation:
        return None
    return int(micros) if micros.is_finite() and micros == micros.to_integral_value() else None


def _bucket(node: exp.Anonymous) -> exp.Expression:
    from .functions import _t

    name = node.name.upper()
    args = node.expressions
    if len(args) not in (2, 3):
        raise _invalid(f"No matching signature for function {name}: it takes (value, bucket_width[, origin])")
    given = args[1].this if isinstance(args[1], exp.Cast) else args[1]
    if isinstance(given, exp.Null):  # a NULL width (`DATE_BUCKET(d, NULL)`): NULL, as any NULL input
        return exp.cast(exp.null(), _DUCKDB_TYPES[name])
    kind, width = _width(name, args[1])
    origin = args[2] if len(args) == 3 else exp.maybe_parse(_DEFAULT_ORIGIN[name], dialect="duckdb")
    if kind == "months":
        floored = _FLOORED.replace("_V", _MONTH_INDEX.replace("_X", "_A")).replace(
            "_O", _MONTH_INDEX.replace("_X", "_B")
        )
        to = "DATE" if name == "DATE_BUCKET" else "TIMESTAMP"
        template = _MONTHS_TEMPLATE.format(
            name=name,
            index_a=_MONTH_INDEX.replace("_X", "_A"),
            index_b=_MONTH_INDEX.replace("_X", "_B"),
            floored=floored,
            to=to,
        )
    else:
        template = _TEMPLATES[name]
    to = _DUCKDB_TYPES[name]  # a NULL literal has no type of its own in DuckDB
    return _t(template.replace("_W", "_C"), exp.cast(args[0].copy(), to), exp.cast(origin.copy(), to), width)


def rewrite_bucket_calls(stmt: exp.Expression) -> None:
    """Rewrite each DATE_BUCKET, DATETIME_BUCKET and TIMESTAMP_BUCKET call in `stmt`."""
    for node in reversed(find_all(stmt, exp.Anonymous)):
        if node.name.upper() in _DEFAULT_ORIGIN:
            node.replace(_bucket(node))
