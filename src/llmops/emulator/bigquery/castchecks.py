"""Casts BigQuery refuses that DuckDB answered with another value.

- `CAST('24:00:00' AS TIME)` is `Invalid time string "24:00:00"` (DuckDB: 00:00:00), and a DATETIME
  text with a time zone, `CAST('2006-01-02 01:02:03 UTC' AS DATETIME)`, is `Invalid datetime
  string` (DuckDB dropped the zone). Checked where the text is written in the query (also `TIME
  '...'` and `DATETIME '...'` literals); SAFE_CAST answers NULL.
- A BIGNUMERIC literal (`BIGNUMERIC '0.1234567890123456789012'`) with more digits than the local
  warehouse's DECIMAL(38, 18) holds, 18 after the point and 20 before it, is a wide value where it
  is an item of the top-level SELECT list (bignumerics.py) and refused by name anywhere else; it
  was rounded to 18 decimals or failed with DuckDB's conversion error.
- A STRING cast to DATE, DATETIME or TIME must be in the canonical form, whole (ZetaSQL's
  ConvertStringTo*: `YYYY-[M]M-[D]D`, then for a DATETIME optionally ` `/`T` and a time;
  `[H]H:[M]M:[S]S[.F]`), no surrounding whitespace: `'2009/02/13'`, `'998-02-13'`, `'2009-02-13 '`
  and `'12:34:56+08:00'` are errors (NULL under SAFE_CAST); DuckDB read them. Checked for a
  literal, for an operand known to be a STRING (a table column) and for the values of an UNNEST.
- A fraction of a second has at most six digits (microseconds) in a STRING cast to TIMESTAMP,
  DATETIME or TIME (the reference's canonical formats, `[.F]`: "up to six fractional digits"):
  `CAST('2023-01-07 13:20:05.561000231' AS DATETIME)` is `Invalid datetime string`, for TIMESTAMP
  `Invalid timestamp: '...'` (the words BigQuery answers, recorded by ibis's test suite), NULL under
  SAFE_CAST; DuckDB truncated to the microsecond and answered. Checked where the checks above are.
- JSON casts only to JSON (ZetaSQL's cast map; analyzer/testdata/casts.test): `CAST(JSON '"a"' AS
  STRING)`, `SAFE_CAST(PARSE_JSON('1') AS INT64)` and `CAST('1' AS JSON)` are `Invalid cast from
  JSON to STRING`, `... from STRING to JSON` (DuckDB answered `"a"`, 1 and the JSON). Judged where
  the text shows the operand's type: a JSON literal, PARSE_JSON, TO_JSON, JSON_OBJECT, JSON_ARRAY;
  a literal cast to JSON (NULL casts to any type).
- `CAST(x AS STRING(L))` and `CAST(x AS BYTES(L))`, also as an ARRAY's element or a STRUCT's field
  type, fail for a value longer than L (`STRING(5) has maximum length 5 but got a value with length
  6`); DuckDB ignores a VARCHAR's length (and refuses a BLOB's). `CAST(x AS BIGNUMERIC(P, S))`
  rounds to S decimals and fails beyond P digits, as NUMERIC(P, S) does; the engine's BIGNUMERIC
  dropped P and S and answered x unrounded.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from sqlglot import exp

from . import bignumerics
from .census import find_all
from .coltypes import known_type

_TIME = re.compile(r"^\s*(\d{1,2}):\d{1,2}(?::\d{1,2}(?:\.\d{1,9})?)?\s*$")
# a date, then optionally a time; what follows (a zone: UTC, Z, +05:00, America/Chicago) is the error
_DATETIME = re.compile(
    r"^\s*\d{1,4}-\d{1,2}-\d{1,2}(?:[ Tt]\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d{1,9})?)?)?\s*(?P<rest>.*?)\s*$"
)
_CANONICAL_DATE = "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
_CANONICAL_TIME = "[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\\.[0-9]{1,6})?"
# a TIMESTAMP text's seconds with a fraction of more than six digits (its zone may follow)
_FINER_THAN_MICROS = ":[0-9]{1,2}\\.[0-9]{7}"
_TIMESTAMP_ERROR = "Invalid timestamp: '{}'"
# a TIMESTAMP text whose year has five digits (GoogleSQL's TIMESTAMP ends with the year 9999)
_PAST_YEAR_9999 = "^\\s*[0-9]{5}"
# DuckDB type (BigQuery's name) -> the whole text's pattern and BigQuery's error for another text
_CANONICAL = {
    exp.DataType.Type.DATE: (_CANONICAL_DATE, "Invalid date: '{}'"),
    exp.DataType.Type.TIMESTAMP: (f"{_CANONICAL_DATE}([ Tt]{_CANONICAL_TIME})?", 'Invalid datetime string "{}"'),
    exp.DataType.Type.TIME: (_CANONICAL_TIME, 'Invalid time string "{}"'),
}
_EXACT = Context(prec=200)
_LENGTH_TYPES = {
    exp.DataType.Type.TEXT: "STRING",
    exp.DataType.Type.VARCHAR: "STRING",
    exp.DataType.Type.BINARY: "BYTES",
}


def check_casts(stmt: exp.Expression) -> None:
    """Raise BigQuery's error for a literal cast it refuses; bound the casts to STRING(L)/BYTES(L)."""
    for node in reversed(find_all(stmt, exp.Cast)):
        safe = isinstance(node, exp.TryCast) or bool(node.args.get("safe"))
        operand = node.this
        if isinstance(operand, exp.Literal) and operand.is_string:
            wide = _wide_bignumeric(operand.this, node.to)
            if wide is not None and bignumerics.is_top_level_item(node, stmt):
                node.replace(bignumerics.literal_node(wide))
                continue
            _refuse_wide_bignumeric(operand.this, node.to)
            problem = _literal_problem(operand.this, node.to)
            if problem is not None:
                if safe:
                    node.replace(exp.Cast(this=exp.Null(), to=node.to.copy()))
                    continue
                from .googlesql import BigQueryError

                raise BigQueryError(problem[0], fix=problem[1])
        elif (number := _number_text(operand)) is not None and node.to.this == exp.DataType.Type.BIGDECIMAL:
            wide = _wide_bignumeric(number, node.to)
            if wide is not None and bignumerics.is_top_level_item(node, stmt):
                node.replace(bignumerics.literal_node(wide))
                continue
            if wide is not None:
                _refuse_wide_bignumeric(number, node.to)
        elif node.to.this in _CANONICAL and (known_type(operand) == "STRING" or _unnest_value(operand, stmt)):
            _check_canonical_text(node, safe, known=known_type(operand) is not None)
        elif node.to.is_type(exp.DataType.Type.TIMESTAMPTZ) and (
            known_type(operand) == "STRING" or _unnest_value(operand, stmt)
        ):
            _check_timestamp_fraction(node, safe, known=known_type(operand) is not None)
        _bound_params(node, safe)
    for call in find_all(stmt, exp.Timestamp, exp.TsOrDsToDatetime):
        text = call.this
        if isinstance(text, exp.Literal) and text.is_string:
            to = exp.DataType.build("TIMESTAMPTZ" if isinstance(call, exp.Timestamp) else "TIMESTAMP")
            problem = _fraction_problem(text.this, to)
            if problem is not None:
                from .googlesql import BigQueryError

                raise BigQueryError(problem[0], fix=problem[1])


_JSON_VALUES = (exp.ParseJSON, exp.JSONObject, exp.JSONArray)


def refuse_json_casts(stmt: exp.Expression) -> None:
    """BigQuery's `Invalid cast from JSON to T` / `Invalid cast from T to JSON` for a cast the
    query writes (run before any rewrite adds casts of its own)."""
    from .googlesql import BigQueryError

    for cast in find_all(stmt, exp.Cast):
        operand, to_json = cast.this, cast.to.is_type(exp.DataType.Type.JSON)
        json_operand = isinstance(operand, _JSON_VALUES) or (
            isinstance(operand, exp.JSONFormat) and bool(operand.args.get("to_json"))
        )
        if json_operand and not to_json:
            source, target = "JSON", cast.to.sql("bigquery")
        elif to_json and isinstance(operand, exp.Literal):
            kind = "STRING" if operand.is_string else ("INT64" if operand.is_int else "FLOAT64")
            source, target = kind, "JSON"
        else:
            continue
        raise BigQueryError(
            f"Invalid cast from {source} to {target}",
            fix="convert JSON with STRING(json), INT64(json), ... or JSON_VALUE, and text with PARSE_JSON",
        )


def _unnest_value(operand: exp.Expression, stmt: exp.Expression) -> bool:
    """Whether `operand` is a bare name of an UNNEST's values (`UNNEST(texts) AS x`), whose type
    the annotation leaves unknown."""
    if known_type(operand) is not None or not isinstance(operand, exp.Column) or operand.table:
        return False
    for unnest in stmt.find_all(exp.Unnest):
        alias = unnest.args.get("alias")
        if alias is not None and operand.name in {alias.name, *(c.name for c in alias.columns)}:
            return True
    return False


def _check_canonical_text(node: exp.Cast, safe: bool, known: bool) -> None:
    """The cast's STRING operand checked for the canonical form first, failing (NULL if `safe`)
    for another text; an operand of unknown type (an UNNEST alias) checked only where DuckDB's
    `typeof` says VARCHAR. The node stays the cast (other rewrites read its target type)."""
    from .functions import _t

    pattern, message = _CANONICAL[node.to.this]
    before, after = (part.replace("'", "''") for part in message.split("{}"))
    value = "CAST(_A AS VARCHAR)"
    fail = "NULL" if safe else f"error('{before}' || {value} || '{after}')"
    text = "_A" if known else value
    other = "" if known else "typeof(_A) <> 'VARCHAR' OR "
    check = f"CASE WHEN {other}_A IS NULL OR regexp_full_match({text}, '{pattern}') THEN _A ELSE {fail} END"
    node.set("this", _t(check, node.this))


def _check_timestamp_fraction(node: exp.Cast, safe: bool, known: bool) -> None:
    """A STRING operand cast to TIMESTAMP fails (NULL if `safe`) where its seconds have more than
    six fractional digits or its year five digits (DuckDB reads the year 10000; BigQuery's
    TIMESTAMP ends with 9999); one of unknown type (an UNNEST alias) checked where it is a VARCHAR."""
    from .functions import _t

    before, after = (part.replace("'", "''") for part in _TIMESTAMP_ERROR.split("{}"))
    value = "CAST(_A AS VARCHAR)"
    fail = "NULL" if safe else f"error('{before}' || {value} || '{after}')"
    finer = f"(regexp_matches({value}, '{_FINER_THAN_MICROS}') OR regexp_matches({value}, '{_PAST_YEAR_9999}'))"
    if not known:
        finer = f"typeof(_A) = 'VARCHAR' AND {finer}"
    node.set("this", _t(f"CASE WHEN {finer} THEN {fail} ELSE _A END", node.this))


def _number_text(node: exp.Expression) -> str | None:
    """The digits of a number written in the query (`1e-20`, `-0.5`), which BigQuery converts
    to a BIGNUMERIC as written (rounded at 38 decimals), not through the FLOAT64; else None."""
    sign = ""
    while isinstance(node, (exp.Neg, exp.Paren)):
        sign = ("-" if not sign else "") if isinstance(node, exp.Neg) else sign
        node = node.this
    if isinstance(node, exp.Literal) and not node.is_string:
        return sign + node.this
    return None


def _wide_bignumeric(text: str, to: exp.DataType) -> Decimal | None:
    """The value of a BIGNUMERIC literal that BigQuery holds and the engine's DECIMAL(38, 18) does
    not (served wide as a selected value, bignumerics.py), else None; more than 38 decimals are
    rounded half away from zero, as BigQuery reads the text."""
    if not to.is_type(exp.DataType.Type.BIGDECIMAL) or to.expressions:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    if value.is_finite() and bignumerics.digits(value)[1] > bignumerics.SCALE:
        value = value.quantize(Decimal(1).scaleb(-bignumerics.SCALE), rounding=ROUND_HALF_UP, context=_EXACT)
    return value if bignumerics.is_wide(value) else None


def _refuse_wide_bignumeric(text: str, to: exp.DataType) -> None:
    if not to.is_type(exp.DataType.Type.BIGDECIMAL):
        return
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return  # not a number: BigQuery's error (NULL under SAFE_CAST) comes from the cast itself
    if not value.is_finite():
        return
    integers, decimals = bignumerics.digits(value)
    if decimals > 18 or integers > 20:
        from .googlesql import BigQueryError

        raise BigQueryError(
            f"BIGNUMERIC '{text.strip()}' is not supported by the local warehouse: it has {decimals} decimal and "
            f"{integers} integer digits, and the local BIGNUMERIC keeps 18 and 20",
            fix="keep BIGNUMERIC values within 20 integer and 18 decimal digits here, or run the query on BigQuery",
        )


def _fraction_problem(text: str, to: exp.DataType) -> tuple[str, str] | None:
    """BigQuery's error for a TIMESTAMP or DATETIME text whose seconds have more than six
    fractional digits, else None."""
    if not re.search(_FINER_THAN_MICROS, text):
        return None
    fix = "keep at most six fractional digits: BigQuery's times have microseconds"
    if to.is_type(exp.DataType.Type.TIMESTAMPTZ):
        return _TIMESTAMP_ERROR.format(text), fix
    if to.is_type(exp.DataType.Type.TIMESTAMP):
        return f'Invalid datetime string "{text}"', fix
    return None


def _literal_problem(text: str, to: exp.DataType) -> tuple[str, str] | None:
    """(BigQuery's error, the fix) for a text that cannot be cast to `to`, else None."""
    canonical = _CANONICAL.get(to.this)
    if canonical is not None and re.fullmatch(canonical[0], text) is None:
        return canonical[1].format(text), (
            "write it in the canonical form: YYYY-[M]M-[D]D and/or [H]H:[M]M:[S]S[.F], with up to six digits in F"
        )
    fraction = _fraction_problem(text, to)
    if fraction is not None:
        return fraction
    if to.is_type(exp.DataType.Type.TIMESTAMPTZ) and re.search(_PAST_YEAR_9999, text):
        return _TIMESTAMP_ERROR.format(text), "a TIMESTAMP runs from 0001-01-01 to 9999-12-31 23:59:59.999999 UTC"
    if to.is_type(exp.DataType.Type.TIME):
        m = _TIME.match(text)
        if m is not None and int(m.group(1)) > 23:
            return f'Invalid time string "{text}"', "a TIME runs from 00:00:00 to 23:59:59.999999"
    elif to.is_type(exp.DataType.Type.TIMESTAMP):  # BigQuery's DATETIME
        m = _DATETIME.match(text)
        if m is not None and m.group("rest"):
            return f'Invalid datetime string "{text}"', "a DATETIME has no time zone: drop it, or cast to TIMESTAMP"
    return None


def _length_param(to: exp.DataType) -> tuple[str, int] | None:
    name = _LENGTH_TYPES.get(to.this)
    params = to.expressions
    if name is None or len(params) != 1 or not isinstance(params[0], exp.DataTypeParam):
        return None
    value = params[0].this
    if not (isinstance(value, exp.Literal) and value.is_int):
        return None
    return name, int(value.this)


def _bound_params(node: exp.Cast, safe: bool) -> None:
    """The cast to a type with parameters anywhere in it (a STRUCT's field, an ARRAY's element):
    each STRING(L)/BYTES(L) value checked for its length, each BIGNUMERIC(P, S) value rounded to S
    decimals and bounded by P, as NUMERIC(P, S) is by DuckDB's own DECIMAL(P, S)."""
    from .functions import _t

    to = node.to
    if not any(_length_param(t) or _bignumeric_param(t) for t in to.find_all(exp.DataType)):
        return
    value = node.copy()
    value.set("to", _plain(to, exact=True))
    if any(_bignumeric_param(t) for t in to.find_all(exp.DataType)):
        # rounded and bounded by a DECIMAL(P, S), then the engine's BIGNUMERIC again
        value = exp.Cast(this=value, to=_plain(to, exact=False))
    if safe:  # SAFE_CAST: NULL for the whole value when any part of it is too long
        too_long = _too_long(to, "_A", 0)
        check = None if too_long is None else f"CASE WHEN {too_long} THEN NULL ELSE _A END"
    else:
        check = _length_check(to, "_A", 0)
    node.replace(value if check is None else _t(check, value))


def _bignumeric_param(to: exp.DataType) -> tuple[int, int] | None:
    """(P, S) of a BIGNUMERIC(P[, S])."""
    params = to.expressions
    if not to.is_type(exp.DataType.Type.BIGDECIMAL) or not params:
        return None
    values = [p.this for p in params if isinstance(p, exp.DataTypeParam)]
    if len(values) != len(params) or not all(isinstance(v, exp.Literal) and v.is_int for v in values):
        return None
    return int(values[0].this), int(values[1].this) if len(values) > 1 else 0


def _plain(to: exp.DataType, exact: bool) -> exp.DataType:
    """`to` without its STRING/BYTES lengths; each BIGNUMERIC(P, S) in it the DECIMAL that rounds
    and bounds a value as it does (`exact`; the engine's BIGNUMERIC keeps 20 integer and 18 decimal
    digits, so a wider P or S bounds nothing more here) or a plain BIGNUMERIC."""
    out = to.copy()
    for t in list(out.find_all(exp.DataType)):
        bignumeric = _bignumeric_param(t)
        if _length_param(t):
            t.set("expressions", [])
        elif bignumeric is not None:
            precision, scale = bignumeric
            if not exact:
                t.set("expressions", [])
                continue
            scale_here = min(scale, 18)
            # past the engine's 20 integer digits the engine's own cast refuses a value by name
            digits = precision - scale + scale_here if precision - scale <= 20 else 38
            t.set("this", exp.DataType.Type.DECIMAL)
            t.set("expressions", [exp.DataTypeParam(this=exp.Literal.number(n)) for n in (digits, scale_here)])
    return out


def _length_check(to: exp.DataType, value: str, depth: int) -> str | None:
    """DuckDB SQL that is `value` (of type `to`) with every STRING(L)/BYTES(L) in it checked for
    its length; None when `to` has none."""
    bound = _length_param(to)
    if bound is not None:
        name, limit = bound
        measure = f"length(CAST({value} AS VARCHAR))" if name == "STRING" else f"octet_length(CAST({value} AS BLOB))"
        fail = f"error('{name}({limit}) has maximum length {limit} but got a value with length ' || {measure})"
        return f"CASE WHEN {measure} > {limit} THEN {fail} ELSE {value} END"
    if to.is_type(exp.DataType.Type.ARRAY) and to.expressions:
        element = f"__llmops_element{depth or ''}"
        body = _length_check(to.expressions[0], element, depth + 1)
        return None if body is None else f"list_transform({value}, lambda {element}: {body})"
    if to.is_type(exp.DataType.Type.STRUCT):
        fields = _struct_fields(to)
        if fields is None:
            return None
        reads = {name: f"struct_extract({value}, '{name}')" for name, _ in fields}
        checks = {name: _length_check(kind, reads[name], depth) for name, kind in fields}
        if all(c is None for c in checks.values()):
            return None
        packed = ", ".join(f"'{name}': {checks[name] or reads[name]}" for name in reads)
        return f"CASE WHEN {value} IS NULL THEN NULL ELSE {{{packed}}} END"
    return None


def _too_long(to: exp.DataType, value: str, depth: int) -> str | None:
    """DuckDB SQL, true when a STRING(L)/BYTES(L) somewhere in `value` (of type `to`) is longer
    than L; None when `to` has none."""
    bound = _length_param(to)
    if bound is not None:
        name, limit = bound
        measure = f"length(CAST({value} AS VARCHAR))" if name == "STRING" else f"octet_length(CAST({value} AS BLOB))"
        return f"coalesce({measure} > {limit}, false)"
    if to.is_type(exp.DataType.Type.ARRAY) and to.expressions:
        element = f"__llmops_element{depth or ''}"
        body = _too_long(to.expressions[0], element, depth + 1)
        return (
            None
            if body is None
            else f"coalesce(list_bool_or(list_transform({value}, lambda {element}: {body})), false)"
        )
    if to.is_type(exp.DataType.Type.STRUCT):
        fields = _struct_fields(to)
        if fields is None:
            return None
        parts = [_too_long(kind, f"struct_extract({value}, '{name}')", depth) for name, kind in fields]
        parts = [p for p in parts if p is not None]
        return " OR ".join(f"({p})" for p in parts) if parts else None
    return None


def _struct_fields(to: exp.DataType) -> list[tuple[str, exp.DataType]] | None:
    """A STRUCT type's (name, type) fields, an anonymous field named as structs.py names it."""
    fields = [
        (f.name, f.args.get("kind")) if isinstance(f, exp.ColumnDef) else (f"_field_{i + 1}", f)
        for i, f in enumerate(to.expressions)
    ]
    if not all(isinstance(kind, exp.DataType) for _, kind in fields):
        return None
    return fields  # type: ignore[return-value]
