"""GoogleSQL's RANGE<DATE | DATETIME | TIMESTAMP> on DuckDB.

A RANGE is a DuckDB `STRUCT("start" T, "end" T)`; inside the engine an unbounded start is T's
`-infinity` and an unbounded end its `infinity`, so that DuckDB's own struct ordering and equality
are GoogleSQL's (an unbounded start before every value, `[UNBOUNDED, x) = [UNBOUNDED, x)`); rows
leave the engine with NULL for those bounds and enter it the other way round
(`relation_with_null_bounds`, `infinite_bounds_sql`). A NULL bound met inside the engine (a table
written before) is unbounded too. The struct with exactly those two fields of one DATE, DATETIME or
TIMESTAMP type reads back as a RANGE (so a GoogleSQL `STRUCT<start DATE, `end` DATE>` does too). This module holds the type mapping, range
literals (`RANGE<DATE> '[2020-01-01, UNBOUNDED)'`), the range functions as rewrites to struct
expressions, the REST text of values (`[2020-01-01, UNBOUNDED)`, bounds as the element's REST
text) and the parsing of insertAll/load values and RANGE query parameters.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, cast

import sqlglot
from sqlglot import exp

from .census import find_all

ELEMENTS = {"DATE": "DATE", "DATETIME": "TIMESTAMP", "TIMESTAMP": "TIMESTAMPTZ"}
"""RANGE element type -> the DuckDB type of its bounds."""

_DUCKDB_ELEMENT = {"DATE": "DATE", "TIMESTAMP": "DATETIME", "TIMESTAMP WITH TIME ZONE": "TIMESTAMP"}
_TYPEOF = [f'STRUCT("start" {d}, "end" {d})' for d in _DUCKDB_ELEMENT]
"""DuckDB's typeof() of the three RANGE types."""

_ELEMENT = "bq_range_element"
_BOUND = "bq_range_bound"
"""Marks the rewrite of a RANGE_START / RANGE_END call: an element value."""
_OPEN = {"start": "-infinity", "end": "infinity"}
"""The engine's value of an unbounded bound: before (after) every value of the element type."""
_FIX = "write RANGE<DATE>, RANGE<DATETIME> or RANGE<TIMESTAMP>"
_LITERAL_FIX = "write it as '[lower_bound, upper_bound)', a bound UNBOUNDED or NULL when open"
_TEXT = re.compile(r"^\[\s*([^,\[\])]*?)\s*,\s*([^,\[\])]*?)\s*\)$")
# a text cast at run time: BigQuery's canonical form, the bounds apart by exactly ", "
# (`CAST('[2020-01-01,2020-01-02)' AS RANGE<DATE>)` is an error)
_CAST_TEXT = re.compile(r"^\[([^,\[\])]*), ([^,\[\])]*)\)$")
_FUNCTIONS = {
    "RANGE",
    "RANGE_START",
    "RANGE_END",
    "RANGE_CONTAINS",
    "RANGE_OVERLAPS",
    "RANGE_INTERSECT",
    "GENERATE_RANGE_ARRAY",
}


def _error(message: str, fix: str = _FIX) -> Exception:
    from .googlesql import BigQueryError

    return BigQueryError(message, fix=fix)


# ---------------------------------------------------------------------------------- types


def duckdb_type(element: str) -> str:
    """The DuckDB type of RANGE<element>."""
    d = ELEMENTS[element]
    return f'STRUCT("start" {d}, "end" {d})'


def check_element(element: Any, where: str = "RANGE") -> str:
    """`element` as a RANGE element type name, or a 400 naming the three allowed."""
    name = str(element or "").upper()
    if name not in ELEMENTS:
        raise _error(f"{where}<{name or '?'}> is not supported: a RANGE's element type is DATE, DATETIME or TIMESTAMP")
    return name


def field_extras(f: dict[str, Any]) -> dict[str, Any]:
    """The `rangeElementType` of a RANGE schema field, checked."""
    element = (f.get("rangeElementType") or {}).get("type") if isinstance(f.get("rangeElementType"), dict) else None
    if element is None:
        raise _error(
            f"RANGE field {f.get('name')!r} has no rangeElementType",
            fix='give it "rangeElementType": {"type": "DATE"} (or DATETIME, TIMESTAMP)',
        )
    return {"rangeElementType": {"type": check_element(element, f"RANGE field {f.get('name')!r}: RANGE")}}


def element_of_field(f: dict[str, Any]) -> str:
    """The element type of a normalized RANGE schema field."""
    return str(f["rangeElementType"]["type"]).upper()


def field_of_struct(name: str, dtype: Any, nullable: bool) -> dict[str, Any] | None:
    """The RANGE schema field of a DuckDB struct type that holds a range, else None."""
    children = getattr(dtype, "children", None) or []
    if [n for n, _ in children] != ["start", "end"]:
        return None
    kinds = {_DUCKDB_ELEMENT.get(str(t).upper()) for _, t in children}
    if len(kinds) != 1 or None in kinds:
        return None
    return {
        "name": name,
        "type": "RANGE",
        "mode": "NULLABLE" if nullable else "REQUIRED",
        "rangeElementType": {"type": kinds.pop()},
    }


def arrow_type(f: dict[str, Any]) -> Any:
    """The Arrow type of a RANGE field's values: struct<start, end> as the Read API sends it."""
    import pyarrow as pa

    bound = {
        "DATE": pa.date32(),
        "DATETIME": pa.timestamp("us"),
        "TIMESTAMP": pa.timestamp("us", tz="UTC"),
    }[element_of_field(f)]
    return pa.struct([pa.field("start", bound), pa.field("end", bound)])


def type_sql(element: str) -> str:
    """RANGE<element> as GoogleSQL writes the type."""
    return f"RANGE<{check_element(element)}>"


def element_of_type(text: str) -> str | None:
    """DATE for the type text `RANGE<DATE>` (any case, spaces), None for another type."""
    m = re.fullmatch(r"\s*RANGE\s*<\s*(\w+)\s*>\s*", text, re.IGNORECASE)
    return check_element(m.group(1)) if m else None


# ---------------------------------------------------------------------------------- values


def _parse_bound(text: str, element: str) -> Any:
    """A bound's Python value (None when UNBOUNDED/NULL); ValueError when it is not one."""
    if text.upper() in ("UNBOUNDED", "NULL"):
        return None
    if element == "DATE":
        return dt.date.fromisoformat(text)
    if element == "DATETIME":
        return dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    body = re.sub(r"\s*(UTC|Z)$", "", text, flags=re.IGNORECASE).replace(" ", "T", 1)
    body = re.sub(r"([+-]\d\d)$", r"\1:00", body)
    value = dt.datetime.fromisoformat(body)
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def parse_text(text: str, element: str) -> dict[str, Any]:
    """`[2020-01-01, UNBOUNDED)` as {"start": ..., "end": ...}; ValueError naming what is wrong."""
    m = _TEXT.match(text.strip())
    if not m:
        raise ValueError(f"Invalid RANGE<{element}> literal {text!r}")
    try:
        start, end = (_parse_bound(b, element) for b in m.groups())
    except ValueError:
        raise ValueError(f"Invalid RANGE<{element}> literal {text!r}: a bound is not a valid {element}") from None
    if start is not None and end is not None and start >= end:
        raise ValueError(f"Invalid RANGE<{element}> literal {text!r}: the start must be before the end")
    return {"start": start, "end": end}


def parse_value(value: Any, element: str) -> dict[str, Any]:
    """An insertAll/load value (range text, or {"start", "end"} of element texts) as a struct value."""
    if isinstance(value, dict):
        if set(value) - {"start", "end"}:
            raise ValueError("a RANGE object has only start and end")
        bounds = ["UNBOUNDED" if value.get(k) is None else str(value[k]) for k in ("start", "end")]
        return parse_text(f"[{bounds[0]}, {bounds[1]})", element)
    if not isinstance(value, str):
        raise ValueError("a RANGE value is text")
    return parse_text(value, element)


def param_value(pvalue: Mapping[str, Any], element: str, where: str) -> dict[str, Any] | None:
    """A RANGE query parameter's `parameterValue` ({"rangeValue": {"start": {"value"}, ...}}) as
    the engine binds it: each bound's text."""
    from ..server.errors import bad_request

    rv = pvalue.get("rangeValue")
    if rv is None:
        return None
    if not isinstance(rv, dict):
        raise bad_request(f"{where}.parameterValue.rangeValue must be an object")
    bounds = []
    for key in ("start", "end"):
        bound = rv.get(key)
        v = bound.get("value") if isinstance(bound, dict) else None
        bounds.append("UNBOUNDED" if v is None else str(v))
    try:
        value = parse_text(f"[{bounds[0]}, {bounds[1]})", element)
    except ValueError as exc:
        raise bad_request(f"Invalid value for query parameter {where}: {exc}", "invalidQuery") from None
    # bound as text, which the parameter's CAST to the range struct reads (infinity included)
    return {k: _OPEN[k] if v is None else v.isoformat() for k, v in value.items()}


def rest_encoder(bound: Callable[[Any], Any]) -> Callable[[Any], str]:
    """A range value -> its REST text, each bound written by `bound` (the element's encoder)."""

    def encode(v: Any) -> str:
        start, end = (v.get(k) for k in ("start", "end"))
        return f"[{'UNBOUNDED' if start is None else bound(start)}, {'UNBOUNDED' if end is None else bound(end)})"

    return encode


def _is_range_type(dtype: Any) -> bool:
    return getattr(dtype, "id", "") == "struct" and field_of_struct("", dtype, True) is not None


def _bounds_sql(sql: str, dtype: Any, depth: int, *, to_null: bool) -> str | None:
    """`sql` (of DuckDB type `dtype`) with each range inside it having its unbounded bounds as
    NULL (`to_null`) or as the engine's infinities; None when no range is inside."""
    from .googlesql import quote_ident

    if _is_range_type(dtype):
        if to_null:
            start, end = (_bound_or_null(sql, k) for k in ("start", "end"))
        else:
            start, end = (f"coalesce(struct_extract({sql}, '{k}'), '{_OPEN[k]}')" for k in ("start", "end"))
        return f'CASE WHEN {sql} IS NULL THEN NULL ELSE struct_pack("start" := {start}, "end" := {end}) END'
    kind = getattr(dtype, "id", "")
    if kind not in ("list", "array", "struct"):
        return None
    children = dtype.children
    if kind in ("list", "array"):
        var = f"__r{depth}"
        inner = _bounds_sql(var, children[0][1], depth + 1, to_null=to_null)
        return None if inner is None else f"list_transform({sql}, lambda {var}: {inner})"
    if kind == "struct":
        fields = [
            (n, _bounds_sql(f"struct_extract({sql}, {_lit(n)})", t, depth + 1, to_null=to_null)) for n, t in children
        ]
        if all(inner is None for _, inner in fields):
            return None
        packed = ", ".join(f"{quote_ident(n)} := {inner or f'struct_extract({sql}, {_lit(n)})'}" for n, inner in fields)
        return f"CASE WHEN {sql} IS NULL THEN NULL ELSE struct_pack({packed}) END"
    return None


def relation_with_null_bounds(rel: Any) -> Any:
    """`rel` with each unbounded range bound, also inside arrays and structs, as NULL: the form
    rows leave the engine in (the REST API, the Read API and exports write NULL as UNBOUNDED)."""
    if "STRUCT" not in str(rel.types):
        return rel
    from .googlesql import quote_ident

    cols = []
    changed = False
    for i, (name, t) in enumerate(zip(rel.columns, rel.types, strict=True), start=1):
        # by position: a query may answer two columns of one name (`t1.id, t2.id`)
        inner = _bounds_sql(f"#{i}", t, 0, to_null=True)
        changed = changed or inner is not None
        cols.append(f"{inner or f'#{i}'} AS {quote_ident(name)}")
    return rel.project(", ".join(cols)) if changed else rel


def infinite_bounds_sql(columns: list[str], types: list[Any]) -> str:
    """The select list that writes rows arriving with NULL unbounded bounds (insertAll, loads)
    in the engine's form."""
    from .googlesql import quote_ident

    cols = []
    for name, t in zip(columns, types, strict=True):
        inner = _bounds_sql(quote_ident(name), t, 0, to_null=False)
        cols.append(f"{inner} AS {quote_ident(name)}" if inner else quote_ident(name))
    return ", ".join(cols)


# ---------------------------------------------------------------------------------- SQL


_FIELD = re.compile(r'\b(_[A-Z])\."?(start|end)"?')


@lru_cache(maxsize=64)
def _parsed(template: str) -> exp.Expression:
    return cast(exp.Expression, sqlglot.parse_one(template, read="duckdb"))


def _t(template: str, *args: exp.Expression) -> exp.Expression:
    names = {f"_{chr(ord('A') + i)}": a for i, a in enumerate(args)}

    def put(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table and node.name in names:
            return names[node.name].copy()
        return node

    return exp.paren(_parsed(_FIELD.sub(r"struct_extract(\1, '\2')", template)).copy().transform(put), copy=False)


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_START_BEFORE_END = "Range start element must be less than range end element"


def _make(start: exp.Expression, end: exp.Expression, element: str | None) -> exp.Expression:
    """A range of two bound expressions (NULL: unbounded), an error when start >= end."""
    if element is not None:
        start, end = (exp.cast(b, ELEMENTS[element]) for b in (start, end))
    start, end = (
        exp.Coalesce(this=b, expressions=[_open_bound(key, element)]) for key, b in (("start", start), ("end", end))
    )
    if _cheap(start) and _cheap(end):
        # repeating a column or a literal costs less than binding it once in a lambda (18x)
        return _t(
            f"CASE WHEN _A >= _B THEN error({_lit(_START_BEFORE_END)}) ELSE {{'start': _A, 'end': _B}} END", start, end
        )
    return _t(
        "list_extract(list_transform([{'start': _A, 'end': _B}], r -> CASE WHEN r.start >= r.\"end\" "
        f"THEN error({_lit(_START_BEFORE_END)}) ELSE r END), 1)",
        start,
        end,
    )


def _open_bound(key: str, element: str | None) -> exp.Expression:
    """The engine's value of an unbounded start or end (text when the element type is unknown:
    DuckDB casts it to the other argument of the coalesce)."""
    text = exp.Literal.string(_OPEN[key])
    return text if element is None else exp.cast(text, ELEMENTS[element])


def _bound_or_null(sql: str, key: str) -> str:
    """RANGE_START/RANGE_END of the range `sql`: NULL when unbounded."""
    return f"nullif(struct_extract({sql}, '{key}'), '{_OPEN[key]}')"


def _cheap(node: exp.Expression) -> bool:
    """Whether repeating `node` in the SQL costs about nothing (a column, literal, parameter)."""
    if isinstance(node, (exp.Paren, exp.Cast)) and not isinstance(node, exp.TryCast):
        return _cheap(node.this)
    if isinstance(node, exp.Struct):
        return all(_cheap(e.expression if isinstance(e, exp.PropertyEQ) else e) for e in node.expressions)
    if isinstance(node, exp.Coalesce):
        return all(_cheap(e) for e in (node.this, *node.expressions))
    return isinstance(node, (exp.Column, exp.Literal, exp.Null, exp.Parameter, exp.Placeholder, exp.Boolean))


def _literal(text: str, element: str) -> exp.Expression:
    try:
        value = parse_text(text, element)
    except ValueError as exc:
        raise _error(str(exc), _LITERAL_FIX) from None
    bounds = []
    for key, v in (("start", value["start"]), ("end", value["end"])):
        if v is None:
            bounds.append(exp.cast(exp.Literal.string(_OPEN[key]), ELEMENTS[element]))
        else:
            iso = v.isoformat() if element != "TIMESTAMP" else v.isoformat().replace("+00:00", "+00")
            bounds.append(exp.cast(exp.Literal.string(iso), ELEMENTS[element]))
    return _t("{'start': _A, 'end': _B}", *bounds)


def _from_text(value: exp.Expression, element: str, safe: bool) -> exp.Expression:
    """CAST(text AS RANGE<element>) of a text known only when the query runs."""
    d = ELEMENTS[element]
    bad = "NULL" if safe else f"error('Invalid RANGE<{element}> literal: ' || _A)"
    caster = "TRY_CAST" if safe else "CAST"
    bound = (
        f"CASE WHEN upper(m.{{k}}) IN ('UNBOUNDED', 'NULL') THEN CAST('{{o}}' AS {d}) ELSE {caster}(m.{{k}} AS {d}) END"
    )
    check = "NULL" if safe else f"error({_lit(_START_BEFORE_END)})"
    pattern = _lit(_CAST_TEXT.pattern)
    return _t(
        f"list_extract(list_transform([regexp_extract(TRY_CAST(_A AS VARCHAR), {pattern}, ['s', 'e'])], m -> "
        f"CASE WHEN m IS NULL THEN NULL WHEN m.s = '' OR m.e = '' THEN {bad} ELSE "
        f"list_extract(list_transform([{{'start': {bound.format(k='s', o=_OPEN['start'])}, "
        f"'end': {bound.format(k='e', o=_OPEN['end'])}}}], "
        f'r -> CASE WHEN r.start >= r."end" THEN {check} ELSE r END), 1) END), 1)',
        value,
    )


def _element_of(node: exp.Expression | None) -> str | None:
    """The element type of a range expression, when the query text (or the inferred column
    types) shows it."""
    from .coltypes import known_type

    if node is None:
        return None
    if node._meta and node.meta.get(_ELEMENT):
        return node.meta[_ELEMENT]
    if isinstance(node, exp.Paren):
        return _element_of(node.this)
    if isinstance(node, (exp.Cast, exp.TryCast)):
        return element_of_datatype(node.to)
    if isinstance(node, exp.Anonymous) and str(node.this).upper() in ("RANGE", "RANGE_INTERSECT"):
        for arg in node.expressions:
            found = _scalar_kind(arg) if str(node.this).upper() == "RANGE" else _element_of(arg)
            if found:
                return found
        return None
    kind = known_type(node)
    return element_of_type(kind) if kind and kind.startswith("RANGE") else None


def element_of_datatype(dtype: exp.DataType) -> str | None:
    """DATE for RANGE<DATE> or its DuckDB struct; None for another type."""
    if dtype.this == exp.DataType.Type.RANGE and dtype.expressions:
        return check_element(dtype.expressions[0].sql("bigquery"))
    if dtype.this == exp.DataType.Type.STRUCT:
        text = dtype.sql("duckdb").upper().replace(" ", "")
        for element, d in ELEMENTS.items():
            if text == f'STRUCT("START"{d},"END"{d})'.replace(" ", "") or text == f'STRUCT(START{d},"END"{d})':
                return element
    return None


def _scalar_kind(node: exp.Expression) -> str | None:
    """DATE, DATETIME or TIMESTAMP for a bound whose type the text or inference shows."""
    from .coltypes import known_type

    if isinstance(node, (exp.Cast, exp.TryCast)):
        kind = node.to.this
        return {
            exp.DataType.Type.DATE: "DATE",
            exp.DataType.Type.DATETIME: "DATETIME",
            exp.DataType.Type.TIMESTAMP: "DATETIME",
            exp.DataType.Type.TIMESTAMPTZ: "TIMESTAMP",
        }.get(kind)
    if isinstance(node, exp.CurrentDate):
        return "DATE"
    if isinstance(node, exp.CurrentTimestamp):
        return "TIMESTAMP"
    if isinstance(node, exp.CurrentDatetime):
        return "DATETIME"
    kind = known_type(node)
    return kind if kind in ELEMENTS else None


def _is_range(node: exp.Expression) -> bool | None:
    """Whether RANGE_CONTAINS' second argument is a range (True), a value (False), or unknown."""
    from .coltypes import known_type

    if _element_of(node) is not None:
        return True
    if isinstance(node, exp.Null) or (node._meta and node.meta.get(_BOUND)):
        return False
    if _scalar_kind(node) is not None:
        return False
    kind = known_type(node)
    if kind is not None:
        return kind.startswith("RANGE")
    return None


def typed_arguments(stmt: exp.Expression) -> list[exp.Expression]:
    """Arguments of range calls whose type chooses the rewrite, and the columns JSON_OBJECT and
    JSON_ARRAY write, which may be ranges (for coltypes' inference)."""
    out: list[exp.Expression] = []
    for node in find_all(stmt, exp.Anonymous):
        name = str(node.this).upper()
        if name in _FUNCTIONS:
            out += [a for a in node.expressions if isinstance(a, (exp.Column, exp.Dot))]
    return out + _json_values(stmt)


def _json_values(stmt: exp.Expression) -> list[exp.Expression]:
    values = [kv.expression for kv in find_all(stmt, exp.JSONKeyValue)]
    values += [e for a in find_all(stmt, exp.JSONArray) for e in a.expressions]
    return [v for v in values if isinstance(v, exp.Column)]


def _call(node: exp.Anonymous) -> exp.Expression:
    name = str(node.this).upper()
    args = list(node.expressions)
    arity = {"RANGE": (2,), "RANGE_START": (1,), "RANGE_END": (1,), "GENERATE_RANGE_ARRAY": (2, 3)}.get(name, (2,))
    if len(args) not in arity:
        raise _error(
            f"No matching signature for function {name} with {len(args)} arguments",
            fix="see the GoogleSQL range functions reference for its arguments",
        )
    if name == "RANGE":
        element = next((k for k in map(_scalar_kind, args) if k), None)
        if element is None and all(isinstance(a, exp.Null) for a in args):
            raise _error("RANGE(NULL, NULL) has no element type", fix="cast a bound: RANGE(CAST(NULL AS DATE), NULL)")
        return _make(args[0], args[1], element)
    if name in ("RANGE_START", "RANGE_END"):
        return _t(_bound_or_null("_A", name[6:].lower()), args[0])
    a, b = args[0], args[1]
    if name == "RANGE_OVERLAPS":
        return _t(
            'CASE WHEN _A IS NULL OR _B IS NULL THEN NULL ELSE coalesce(_A.start < _B."end", TRUE) '
            'AND coalesce(_B.start < _A."end", TRUE) END',
            a,
            b,
        )
    if name == "RANGE_INTERSECT":
        if _cheap(a) and _cheap(b):
            return _t(
                "CASE WHEN _A IS NULL OR _B IS NULL THEN NULL "
                'WHEN NOT (coalesce(_A.start < _B."end", TRUE) AND coalesce(_B.start < _A."end", TRUE)) '
                "THEN error('RANGE_INTERSECT: the ranges do not overlap') "
                "ELSE {'start': greatest(_A.start, _B.start), 'end': least(_A.\"end\", _B.\"end\")} END",
                a,
                b,
            )
        return _t(
            "list_extract(list_transform([{'a': _A, 'b': _B}], p -> CASE WHEN p.a IS NULL OR p.b IS NULL THEN NULL "
            'WHEN NOT (coalesce(p.a.start < p.b."end", TRUE) AND coalesce(p.b.start < p.a."end", TRUE)) '
            "THEN error('RANGE_INTERSECT: the ranges do not overlap') "
            "ELSE {'start': greatest(p.a.start, p.b.start), 'end': least(p.a.\"end\", p.b.\"end\")} END), 1)",
            a,
            b,
        )
    if name == "RANGE_CONTAINS":
        is_range = _is_range(b)
        if is_range is None:
            raise _error(
                "RANGE_CONTAINS: the local warehouse cannot tell whether the second argument is a range or a value",
                fix="cast it: CAST(x AS RANGE<DATE>) or CAST(x AS DATE)",
            )
        if is_range:
            return _t(
                "CASE WHEN _A IS NULL OR _B IS NULL THEN NULL ELSE "
                "(_A.start IS NULL OR (_B.start IS NOT NULL AND _A.start <= _B.start)) AND "
                '(_A."end" IS NULL OR (_B."end" IS NOT NULL AND _B."end" <= _A."end")) END',
                a,
                b,
            )
        return _t(
            "CASE WHEN _A IS NULL OR _B IS NULL THEN NULL ELSE coalesce(_A.start <= _B, TRUE) "
            'AND coalesce(_B < _A."end", TRUE) END',
            a,
            b,
        )
    return _generate_array(a, b, args[2] if len(args) == 3 else exp.true())


def _generate_array(r: exp.Expression, step: exp.Expression, last: exp.Expression) -> exp.Expression:
    element = _element_of(r)
    if element is None:
        raise _error(
            "GENERATE_RANGE_ARRAY: the local warehouse cannot tell the range's element type",
            fix="cast the range: CAST(r AS RANGE<DATE>)",
        )
    d = ELEMENTS[element]
    base = "TIMESTAMPTZ" if element == "TIMESTAMP" else "TIMESTAMP"
    return _t(
        f"list_extract(list_transform([{{'r': _A, 'i': _B, 'l': _C}}], p -> CASE "
        "WHEN p.r IS NULL OR p.i IS NULL OR p.l IS NULL THEN NULL "
        'WHEN p.r.start IS NULL OR p.r."end" IS NULL OR isinf(p.r.start) OR isinf(p.r."end") THEN '
        "error('GENERATE_RANGE_ARRAY does not support unbounded ranges') "
        f"WHEN CAST(p.r.start AS {base}) + p.i <= CAST(p.r.start AS {base}) THEN "
        "error('GENERATE_RANGE_ARRAY: the step interval must be positive') "
        f'ELSE list_transform(list_filter(range(CAST(p.r.start AS {base}), CAST(p.r."end" AS {base}), p.i), '
        f'x -> p.l OR x + p.i <= p.r."end"), '
        f"x -> {{'start': CAST(x AS {d}), 'end': CAST(least(x + p.i, CAST(p.r.\"end\" AS {base})) AS {d})}}) END), 1)",
        r,
        step,
        last,
    )


def text_of(value: exp.Expression) -> exp.Expression:
    """CAST(range AS STRING): `[2020-01-01, UNBOUNDED)`. Written over DuckDB's text of the struct
    so that it binds for a value of any type (it sits in a CASE over typeof())."""
    text = _t(
        "regexp_replace(regexp_replace(regexp_replace(TRY_CAST(_A AS VARCHAR), "
        "'^\\{''start'': ''?(.*?)''?, ''end'': ''?(.*?)''?\\}$', '[\\1, \\2)'), '^\\[(NULL|-infinity), ', "
        "'[UNBOUNDED, '), ', (NULL|infinity)\\)$', ', UNBOUNDED)')",
        value,
    )
    for try_cast in text.find_all(exp.TryCast):
        # a rewrite's TRY_CAST, not a SAFE_CAST for semantics.py to make BigQuery's (a TRY() around
        # the value, which DuckDB refuses over an aggregate or error())
        try_cast.set("safe", None)
    return text


def typeof_names() -> list[str]:
    """DuckDB's typeof() texts of the three RANGE types."""
    return list(_TYPEOF)


def typeof_elements() -> dict[str, str]:
    """DuckDB's typeof() text of each RANGE type -> the BigQuery type of its elements."""
    return {f'STRUCT("start" {d}, "end" {d})': element for d, element in _DUCKDB_ELEMENT.items()}


def rewrite(stmt: exp.Expression) -> None:
    """Rewrite RANGE types, literals, casts and functions of `stmt` into DuckDB struct expressions."""
    from .coltypes import known_type

    node: Any
    for node in find_all(stmt, exp.Anonymous):
        if str(node.this).upper() == "RANGE_SESSIONIZE":
            raise _unsupported_sessionize()
    for node in reversed(find_all(stmt, exp.Cast, exp.TryCast, exp.Anonymous)):
        if isinstance(node, exp.Anonymous):
            if str(node.this).upper() in _FUNCTIONS:
                new = _call(node)
                if str(node.this).upper() in ("RANGE_START", "RANGE_END"):
                    new.meta[_BOUND] = True  # a value, not a range (RANGE_CONTAINS' second argument)
                _replace(node, new, _element_of(node))
            continue
        if node.to.this != exp.DataType.Type.RANGE:
            continue
        element = element_of_datatype(node.to)
        assert element is not None
        _replace(node, _cast(node, element), element)
    for node in _json_values(stmt):
        kind = known_type(node)
        if kind and kind.startswith("RANGE"):
            _replace(node, node.copy(), element_of_type(kind))
    for node in find_all(stmt, exp.DataType):
        if node.this == exp.DataType.Type.RANGE:
            element = check_element(node.expressions[0].sql("bigquery") if node.expressions else "")
            node.replace(exp.DataType.build(duckdb_type(element), dialect="duckdb"))


def _replace(node: exp.Expression, new: exp.Expression, element: str | None) -> None:
    if element is not None:
        new.meta[_ELEMENT] = element
    if isinstance(node.parent, (exp.JSONKeyValue, exp.JSONArray)):
        # a value of JSON_OBJECT / JSON_ARRAY: its unbounded bounds are JSON null, not "-infinity"
        start, end = (_bound_or_null("_A", k) for k in ("start", "end"))
        new = _t(f"CASE WHEN _A IS NULL THEN NULL ELSE {{'start': {start}, 'end': {end}}} END", new)
    node.replace(new)


def _cast(node: exp.Cast, element: str) -> exp.Expression:
    safe = isinstance(node, exp.TryCast) or bool(node.args.get("safe"))
    value = node.this
    if isinstance(value, exp.Literal) and value.is_string:
        if safe:
            try:
                parse_text(value.this, element)
            except ValueError:
                return exp.cast(exp.Null(), duckdb_type(element))
        return _literal(value.this, element)
    if isinstance(value, exp.Null):
        return exp.cast(exp.Null(), duckdb_type(element))
    if _element_of(value) == element:
        return value.copy()
    # a value of unknown type: text is parsed, a struct (a range) is cast; both bind
    to_struct = exp.TryCast if safe else exp.Cast
    return _t(
        "CASE WHEN typeof(_A) = 'VARCHAR' THEN _B ELSE _C END",
        value,
        _from_text(value, element, safe),
        to_struct(this=value.copy(), to=exp.DataType.build(duckdb_type(element), dialect="duckdb")),
    )


def _unsupported_sessionize() -> Exception:
    from .googlesql import BigQueryError

    return BigQueryError(
        "RANGE_SESSIONIZE is a table function: it is called in FROM with a table or a query, its range "
        "column's name and an array of key column names",
        fix="write FROM RANGE_SESSIONIZE(TABLE t, 'range_column', ['key']) or FROM RANGE_SESSIONIZE((SELECT ...), ...)",
    )


_SESSIONIZE = re.compile(r"\bRANGE_SESSIONIZE\s*\(", re.IGNORECASE)


def check_sessionize(sql: str) -> None:
    """Refuse RANGE_SESSIONIZE by name (its `TABLE t` argument does not parse)."""
    if _SESSIONIZE.search(sql):
        raise _unsupported_sessionize()


def param_element(ptype: Any, where: str) -> str:
    """The element type of a RANGE `parameterType`, a 400 when malformed."""
    from ..server.errors import bad_request

    inner = ptype.get("rangeElementType") if isinstance(ptype, Mapping) else None
    element = str(inner.get("type") or "").upper() if isinstance(inner, Mapping) else ""
    if element not in ELEMENTS:
        raise bad_request(
            f"{where}: a RANGE parameter's rangeElementType.type is DATE, DATETIME or TIMESTAMP, not {element or 'missing'}",
            "invalidQuery",
        )
    return element


def _bound_text(v: Any) -> str:
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.astimezone(dt.UTC).isoformat(sep=" ").replace("+00:00", "+00")
    return v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v.isoformat()


def python_text(value: Any) -> str:
    """A range value ({"start", "end"}) as GoogleSQL's CAST(range AS STRING) writes it."""
    start, end = (value.get(k) for k in ("start", "end"))
    return (
        f"[{'UNBOUNDED' if start is None else _bound_text(start)}, {'UNBOUNDED' if end is None else _bound_text(end)})"
    )
