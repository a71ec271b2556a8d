"""BigQuery's REST encodings: result cells, schemas and query parameters.

Cells are `{"f": [{"v": ...}, ...]}` with every scalar a string: INT64 "1", FLOAT "1.5",
BOOL "true", TIMESTAMP integer microseconds "1700000000123456" (the clients ask for
`useInt64Timestamp`; without it, float seconds), DATETIME "2024-01-02T03:04:05", BYTES base64,
NULL `{"v": null}`, REPEATED `{"v": [{"v": ...}]}`, RECORD `{"v": {"f": [...]}}`.
Top-level scalar columns are converted with Arrow compute kernels, not value by value.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
from collections.abc import Callable, Mapping
from json.encoder import encode_basestring_ascii as _escape
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from . import bignumerics, picotimestamps, ranges
from .datetext import padded

LEGACY_TYPE = {"INT64": "INTEGER", "FLOAT64": "FLOAT", "BOOL": "BOOLEAN", "STRUCT": "RECORD"}
"""Standard type name -> the name BigQuery's REST API reports in schemas."""

STANDARD_TYPE = {
    "INTEGER": "INT64",
    "FLOAT": "FLOAT64",
    "BOOLEAN": "BOOL",
    "RECORD": "STRUCT",
    "DECIMAL": "NUMERIC",
    "BIGDECIMAL": "BIGNUMERIC",
}


# ---------------------------------------------------------------------------------- schemas


def bad_request(*args: Any, **kwargs: Any) -> Exception:
    """The emulator's 400 (imported when raised: `llmops sql`, on the base install without the
    `emulator` extra, formats values with this module)."""
    from ..server.errors import bad_request as made

    return made(*args, **kwargs)


def schema_to_api(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Engine schema fields -> REST `schema.fields` (legacy type names, as BigQuery answers)."""
    out = []
    for f in fields:
        item: dict[str, Any] = {
            "name": f["name"],
            "type": LEGACY_TYPE.get(f["type"], f["type"]),
            "mode": f.get("mode") or "NULLABLE",
        }
        if f.get("fields"):
            item["fields"] = schema_to_api(f["fields"])
        if f.get("rangeElementType"):
            item["rangeElementType"] = dict(f["rangeElementType"])
        if f.get("timestampPrecision"):
            item["timestampPrecision"] = str(f["timestampPrecision"])
        if f.get("description"):
            item["description"] = f["description"]
        out.append(item)
    return out


def schema_from_api(fields: Any, *, where: str = "schema.fields") -> list[dict[str, Any]]:
    """REST `schema.fields` -> engine fields (standard names), refusing malformed ones (400)."""
    if not isinstance(fields, list):
        raise bad_request(f"{where} must be a list of fields")
    out = []
    for i, f in enumerate(fields):
        if not isinstance(f, dict) or not f.get("name") or not f.get("type"):
            raise bad_request(f"{where}[{i}] needs a name and a type", "invalid")
        t = str(f["type"]).upper()
        item: dict[str, Any] = {
            "name": f["name"],
            "type": STANDARD_TYPE.get(t, t),
            "mode": (f.get("mode") or "NULLABLE").upper(),
        }
        if item["type"] == "STRUCT":
            item["type"] = "RECORD"
        if item["type"] == "RECORD":
            item["fields"] = schema_from_api(f.get("fields") or [], where=f"{where}[{i}].fields")
        if f.get("rangeElementType") is not None:
            item["rangeElementType"] = f["rangeElementType"]
        if f.get("description"):
            item["description"] = f["description"]
        try:
            precision = picotimestamps.check_precision(f, f"{where}[{i}]")
        except ValueError as exc:
            raise bad_request(str(exc), location=f"{where}[{i}].timestampPrecision") from None
        if precision == "12":
            item["timestampPrecision"] = precision
        out.append(item)
    return out


def timestamp_output(use_int64: bool, output_format: str | None) -> str:
    """How result pages write TIMESTAMPs, from `formatOptions.useInt64Timestamp` and
    `formatOptions.timestampOutputFormat`: INT64 (microseconds), FLOAT64 (seconds) or ISO8601_STRING
    (`YYYY-MM-DDTHH:MM:SS.FFFFFFZ`: a TIMESTAMP(6) column's six digits, a TIMESTAMP(12)'s twelve)."""
    kind = str(output_format or "TIMESTAMP_OUTPUT_FORMAT_UNSPECIFIED").upper()
    if kind == "TIMESTAMP_OUTPUT_FORMAT_UNSPECIFIED":
        return "INT64" if use_int64 else "FLOAT64"
    if kind in ("FLOAT64", "ISO8601_STRING") and use_int64:
        raise bad_request(
            "Cannot specify both use_int64_timestamp and timestamp_output_format.",
            location="formatOptions.timestampOutputFormat",
        )
    if kind in ("INT64", "FLOAT64", "ISO8601_STRING"):
        return kind
    raise bad_request(f"Invalid formatOptions.timestampOutputFormat {output_format!r}")


def _iso8601(value: dt.datetime) -> str:
    """A TIMESTAMP as the ISO8601_STRING output format writes it (UTC, microseconds)."""
    utc = value.astimezone(dt.UTC) if value.tzinfo else value
    return f"{utc.year:04d}" + utc.strftime("-%m-%dT%H:%M:%S.") + f"{utc.microsecond:06d}Z"


# ---------------------------------------------------------------------------------- cells


def _float_seconds(micros: int) -> str:
    """Seconds since the epoch as BigQuery's FLOAT64 timestamp output writes them: every digit of
    the microsecond kept, in E notation (`1.672574400123456E9`; `_float_seconds_column` alike)."""
    if micros == 0:
        return "0.0E0"
    digits = str(abs(micros))
    kept = digits.rstrip("0")
    return f"{'-' if micros < 0 else ''}{kept[0]}.{kept[1:] or '0'}E{len(digits) - 7}"


def _float_seconds_column(micros: pa.ChunkedArray) -> pa.ChunkedArray:
    """`_float_seconds` of an Arrow int64 column of microseconds (nulls kept)."""
    digits = pc.cast(pc.abs(micros), pa.string())
    kept = pc.utf8_rtrim(digits, characters="0")
    rest = pc.utf8_slice_codeunits(kept, 1)
    rest = pc.if_else(pc.equal(rest, ""), "0", rest)
    power = pc.cast(pc.subtract(pc.utf8_length(digits), 7), pa.string())
    sign = pc.if_else(pc.less(micros, 0), "-", "")
    text = pc.binary_join_element_wise(sign, pc.utf8_slice_codeunits(kept, 0, 1), ".", rest, "E", power, "")
    return pc.if_else(pc.equal(micros, 0), "0.0E0", text)


def _micros(value: dt.datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    delta = value - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _numeric(value: Any) -> str:
    d = value if isinstance(value, decimal.Decimal) else decimal.Decimal(str(value))
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def float_text(value: float) -> str:
    """A FLOAT64 as BigQuery's REST API writes it ("NaN", "Infinity", "-Infinity" included)."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)


def _datetime(value: Any) -> str:
    if isinstance(value, dt.datetime):
        text = value.replace(tzinfo=None).isoformat()
    else:
        text = str(value).replace(" ", "T", 1)
    return text


def _time(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.time) else str(value)


def interval_text(value: Any) -> str:
    """BigQuery's canonical INTERVAL text, `Y-M D H:M:S[.F]` with signs (what the client parses)."""
    months = getattr(value, "months", None)
    if months is None:
        return str(value)
    days, nanos = value.days, value.nanoseconds
    ysign = "-" if months < 0 else ""
    years, rest = divmod(abs(months), 12)
    tsign = "-" if nanos < 0 else ""
    micros = abs(nanos) // 1000
    seconds, frac = divmod(micros, 1_000_000)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = f"{ysign}{years}-{rest} {days} {tsign}{hours}:{minutes}:{seconds}"
    return text + (f".{frac:06d}".rstrip("0") if frac else "")


def _scalar_encoder(bq_type: str, timestamps: str) -> Callable[[Any], Any]:
    """Python value -> the string BigQuery sends for one non-null scalar of `bq_type`."""
    t = STANDARD_TYPE.get(bq_type, bq_type)
    if t == "INT64":
        return lambda v: str(int(v))
    if t == "FLOAT64":
        return lambda v: float_text(float(v))
    if t == "BOOL":
        return lambda v: "true" if v else "false"
    if t in ("NUMERIC", "BIGNUMERIC"):
        return _numeric
    if t == "TIMESTAMP":
        if timestamps == "INT64":
            return lambda v: str(_micros(v)) if isinstance(v, dt.datetime) else str(v)
        if timestamps == "ISO8601_STRING":
            return lambda v: _iso8601(v) if isinstance(v, dt.datetime) else str(v)
        return lambda v: _float_seconds(_micros(v)) if isinstance(v, dt.datetime) else str(v)
    if t == "DATETIME":
        return _datetime
    if t == "DATE":
        return lambda v: v.isoformat() if isinstance(v, dt.date) else str(v)
    if t == "TIME":
        return _time
    if t == "BYTES":
        return lambda v: base64.b64encode(bytes(v)).decode("ascii")
    if t == "JSON":
        return lambda v: v if isinstance(v, str) else json.dumps(v)
    if t == "INTERVAL":
        return interval_text
    return lambda v: v if isinstance(v, str) else str(v)


def _pico_encoder(timestamps: str) -> Callable[[Any], Any]:
    """A TIMESTAMP(12) value -> its text: twelve digits as ISO8601_STRING; INT64 and FLOAT64 give
    its microsecond, rounded down, as they do for a TIMESTAMP."""
    if timestamps == "ISO8601_STRING":
        return picotimestamps.iso_text
    micros = _scalar_encoder("TIMESTAMP", timestamps)
    return lambda v: micros(picotimestamps.micros_of(v))


def _value_encoder(field: dict[str, Any], timestamps: str) -> Callable[[Any], Any]:
    """Python value of a whole field (REPEATED / RECORD included) -> its `v`."""
    t = STANDARD_TYPE.get(field["type"], field["type"])
    if t in ("RECORD", "STRUCT"):
        subs = [(f["name"], _value_encoder(f, timestamps)) for f in field.get("fields", [])]

        def record(v: Any) -> Any:
            if v is None:
                return None
            return {"f": [{"v": enc(v.get(name))} for name, enc in subs]}

        single = record
    elif t == "RANGE":
        element = field["rangeElementType"]["type"]
        range_text = ranges.rest_encoder(_scalar_encoder(element, timestamps))

        def one_range(v: Any) -> Any:
            return None if v is None else range_text(v)

        single = one_range
    else:
        scalar = _pico_encoder(timestamps) if picotimestamps.is_pico(field) else _scalar_encoder(t, timestamps)

        def single(v: Any) -> Any:
            return None if v is None else scalar(v)

    if field.get("mode") == "REPEATED":
        return lambda v: [{"v": single(x)} for x in (v or [])]
    return single


SHORT_COLUMN = 32
"""INT64 and BOOL columns of up to this many values are written value by value (the same
texts): an Arrow cast costs a fixed ~8 µs and lets go of the GIL, which under concurrent
requests costs a wait to take it back; a value costs ~0.2 µs."""


def _fast_text(column: pa.ChunkedArray, field: dict[str, Any], timestamps: str) -> pa.ChunkedArray | None:
    """A top-level scalar column as Arrow strings (the `v` texts, nulls kept), or None to do it
    value by value."""
    if field.get("mode") == "REPEATED":
        return None
    t = STANDARD_TYPE.get(field["type"], field["type"])
    typ = column.type
    if t in ("INT64", "BOOL") and len(column) <= SHORT_COLUMN:
        return None
    try:
        if t == "STRING" and (pa.types.is_string(typ) or pa.types.is_large_string(typ)):
            return column
        if t == "INT64" and pa.types.is_integer(typ):
            return column.cast(pa.string())
        if t == "BOOL" and pa.types.is_boolean(typ):
            return column.cast(pa.string())
        if t == "DATE" and pa.types.is_date(typ):
            return column.cast(pa.string())
        if t == "TIMESTAMP" and pa.types.is_struct(typ) and picotimestamps.is_pico(field):
            if timestamps == "ISO8601_STRING":
                return picotimestamps.iso_column(column)
            column, typ = picotimestamps.micros_column(column), pa.timestamp("us", tz="UTC")
        if t == "TIMESTAMP" and pa.types.is_timestamp(typ):
            micros = column.cast(pa.timestamp("us", tz=typ.tz), safe=False)
            if timestamps == "ISO8601_STRING":
                # %S of a microsecond timestamp writes its six fraction digits
                return pc.binary_join_element_wise(pc.strftime(micros, format="%Y-%m-%dT%H:%M:%S", locale="C"), "Z", "")
            if timestamps == "FLOAT64":
                return _float_seconds_column(micros.cast(pa.int64()))
            return micros.cast(pa.int64()).cast(pa.string())
        if t == "DATETIME" and pa.types.is_timestamp(typ):
            text = column.cast(pa.timestamp("us"), safe=False).cast(pa.string())
            text = pc.replace_substring(text, " ", "T", max_replacements=1)
            return pc.replace_substring_regex(text, r"\.000000$", "")
        if t == "FLOAT64" and pa.types.is_floating(typ):
            if pc.any(pc.is_nan(column)).as_py() or pc.any(pc.is_inf(column)).as_py():
                return None
            return column.cast(pa.string())
        if t in ("NUMERIC", "BIGNUMERIC") and pa.types.is_decimal(typ):
            text = pc.replace_substring_regex(column.cast(pa.string()), r"(\.\d*?)0+$", r"\1")
            return pc.replace_substring_regex(text, r"\.$", "")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return None


def _fast_column(column: pa.ChunkedArray, field: dict[str, Any], timestamps: str) -> list[Any] | None:
    """A top-level scalar column converted with Arrow kernels, or None to do it value by value."""
    text = _fast_text(column, field, timestamps)
    return None if text is None else text.to_pylist()


def encode_rows(table: pa.Table, schema: list[dict[str, Any]], *, timestamps: str = "INT64") -> list[dict[str, Any]]:
    """Rows of `table` as BigQuery's `rows: [{"f": [{"v": ...}]}]` for the given schema."""
    if table.num_rows == 0:
        return []
    columns = []
    for i, field in enumerate(schema):
        column = table.column(i)
        values = _fast_column(column, field, timestamps)
        if values is None:
            enc = _value_encoder(field, timestamps)
            values = [enc(v) for v in column.to_pylist()]
        columns.append(values)
    return [{"f": [{"v": v} for v in row]} for row in zip(*columns)]


_dumps = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


_PLAIN_TEXT = {"INT64", "BOOL", "DATE", "TIMESTAMP", "DATETIME", "FLOAT64", "NUMERIC", "BIGNUMERIC"}
"""Types whose Arrow text (digits, signs, `.:-T`, `e`) needs no JSON escaping."""


def _json_strings(text: pa.ChunkedArray) -> pa.Array:
    """Arrow strings as JSON string literals, quotes included (nulls stay null), escaped by the
    json module's C encoder exactly as the rest of the response is."""
    return pa.array([None if v is None else _escape(v) for v in text.to_pylist()], pa.large_string())


def _cells(column: pa.ChunkedArray, field: dict[str, Any], timestamps: str) -> pa.Array:
    """One column as its JSON cells, `{"v":...}` per row."""
    text = _fast_text(column, field, timestamps)
    if text is None:
        enc = _value_encoder(field, timestamps)
        return pa.array([_dumps({"v": enc(v)}) for v in column.to_pylist()], pa.large_string())
    text = text.cast(pa.large_string()).combine_chunks()
    if STANDARD_TYPE.get(field["type"], field["type"]) in _PLAIN_TEXT:
        literal = pc.binary_join_element_wise(_text('"'), text, _text('"'), _text(""))
    else:
        literal = _json_strings(text)
    return pc.fill_null(
        pc.binary_join_element_wise(_text('{"v":'), literal, _text("}"), _text("")), _text('{"v":null}')
    )


def encode_rows_json(table: pa.Table, schema: list[dict[str, Any]], *, timestamps: str = "INT64") -> bytes:
    """encode_rows() as the bytes of its compact, ASCII-only JSON array, built column by column with Arrow
    kernels instead of a dict per cell (pages of results are megabytes)."""
    if table.num_rows == 0 or not schema:
        return _dumps(encode_rows(table, schema, timestamps=timestamps)).encode("ascii")
    cells = [_cells(table.column(i), field, timestamps) for i, field in enumerate(schema)]
    joined = pc.binary_join_element_wise(*cells, _text(","))
    rows = pc.binary_join_element_wise(_text('{"f":['), joined, _text("]},"), _text(""))
    offsets = pa.Array.from_buffers(pa.int64(), len(rows) + 1, [None, rows.buffers()[1]], offset=rows.offset)
    start, end = offsets[0].as_py(), offsets[len(rows)].as_py()
    data = rows.buffers()[2].slice(start, end - start - 1)  # without the last row's comma
    return b"".join((b"[", data.to_pybytes(), b"]"))


# ---------------------------------------------------------------------------------- parameters


def _type_sql(ptype: Mapping[str, Any], where: str) -> str:
    """A parameterType -> GoogleSQL type text (INT64, ARRAY<STRING>, STRUCT<a INT64>)."""
    if not isinstance(ptype, Mapping) or not ptype.get("type"):
        raise bad_request(f"{where}.parameterType.type is missing", "required")
    t = str(ptype["type"]).upper()
    t = STANDARD_TYPE.get(t, t)
    if t == "RANGE":
        return f"RANGE<{ranges.param_element(ptype, where)}>"
    if t not in {"INT64", "FLOAT64", "BOOL", "STRING", "BYTES", "NUMERIC", "BIGNUMERIC", "DATE", "DATETIME", "TIME", "TIMESTAMP", "JSON", "GEOGRAPHY", "INTERVAL", "ARRAY", "STRUCT"}:  # fmt: skip
        raise bad_request(f"{where}.parameterType.type {t[:40]!r} is not a BigQuery type", location=where)
    if t == "ARRAY":
        return f"ARRAY<{_type_sql(ptype.get('arrayType') or {}, where + '.arrayType')}>"
    if t in ("STRUCT", "RECORD"):
        members = ptype.get("structTypes") or []
        inner = ", ".join(
            f"{m.get('name') or f'_field_{j + 1}'} {_type_sql(m.get('type') or {}, where + '.structTypes')}"
            for j, m in enumerate(members)
        )
        return f"STRUCT<{inner}>"
    return t


def _scalar_param(t: str, raw: Any, where: str) -> Any:
    if raw is None:
        return None
    try:
        if t == "INT64":
            if isinstance(raw, bool):
                raise ValueError
            return int(str(raw))
        if t == "FLOAT64":
            return float(raw)
        if t == "BOOL":
            if isinstance(raw, bool):
                return raw
            text = str(raw).lower()
            if text not in ("true", "false"):
                raise ValueError
            return text == "true"
        if t in ("NUMERIC", "BIGNUMERIC"):
            return _decimal_param(t, decimal.Decimal(str(raw)), where)
        if t == "BYTES":
            return base64.b64decode(str(raw), validate=True)
        if t == "DATE":
            return dt.date.fromisoformat(padded(str(raw)))
        if t == "DATETIME":
            return dt.datetime.fromisoformat(padded(str(raw)).replace(" ", "T", 1))
        if t == "TIME":
            return dt.time.fromisoformat(padded(str(raw)))
        if t == "TIMESTAMP":
            text = padded(str(raw).strip())
            if text.upper().endswith(" UTC"):
                text = text[:-4]
            if text.endswith("Z"):
                text = text[:-1] + "+00:00"
            value = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
            if value.tzinfo is None:
                value = value.replace(tzinfo=dt.UTC)
            return value.astimezone(dt.UTC)
        if t == "GEOGRAPHY":
            from .geography import to_wkt

            return to_wkt(str(raw))
        if t == "INTERVAL":
            return _interval_param(str(raw))
        if t == "JSON":
            if isinstance(raw, str):
                json.loads(raw)
                return raw
            return json.dumps(raw)
        return str(raw)
    except (ValueError, TypeError, ArithmeticError):
        raise bad_request(
            f"Invalid value for query parameter {where}: {raw!r} is not a valid {t}", "invalidQuery"
        ) from None


def _interval_param(text: str) -> str:
    """An INTERVAL parameter's value, BigQuery's `Y-M D H:M:S` text (or a shorter form, or ISO 8601
    `P1Y2M3DT4H5M6S`), as the DuckDB interval text its cast reads."""
    from .intervaltext import interval_parts

    parts = interval_parts(text)
    if parts is None:
        raise ValueError
    months, days, micros = parts
    return f"{months} months {days} days {micros} microseconds"


def _wide_bignumeric(type_sql: str, pvalue: Any) -> decimal.Decimal | None:
    """A named BIGNUMERIC parameter's value beyond the engine's DECIMAL(38, 18) that BigQuery's
    BIGNUMERIC holds: the engine serves it wide where the query selects it (bignumerics.py)."""
    if type_sql != "BIGNUMERIC" or not isinstance(pvalue, Mapping) or not isinstance(pvalue.get("value"), str):
        return None
    try:
        value = decimal.Decimal(pvalue["value"].strip())
    except decimal.InvalidOperation:
        return None
    return value if bignumerics.is_wide(value) else None


_DECIMAL_DIGITS = {"NUMERIC": (29, 9), "BIGNUMERIC": (20, 18)}
"""Integer and fraction digits the engine's DECIMAL(38, 9) / DECIMAL(38, 18) hold."""


def _decimal_param(t: str, value: decimal.Decimal, where: str) -> decimal.Decimal:
    """A NUMERIC/BIGNUMERIC value the engine holds exactly; one it would round is refused."""
    if not value.is_finite():
        raise ValueError
    whole, fraction = _DECIMAL_DIGITS[t]
    exponent = int(value.as_tuple().exponent)
    digits = len(value.as_tuple().digits)
    if -exponent > fraction and value != value.quantize(decimal.Decimal(1).scaleb(-fraction)):
        raise bad_request(
            f"Invalid value for query parameter {where}: {value} has more than {fraction} decimal digits, "
            f"which the emulator's {t} cannot hold exactly",
            "invalidQuery",
        )
    if digits + exponent > whole:
        raise bad_request(
            f"Invalid value for query parameter {where}: {value} is out of the emulator's {t} range "
            f"(at most {whole} integer digits)",
            "invalidQuery",
        )
    return value


def _param_value(ptype: Mapping[str, Any], pvalue: Any, where: str) -> Any:
    t = str(ptype.get("type", "")).upper()
    t = STANDARD_TYPE.get(t, t)
    if pvalue is None:
        return None
    if not isinstance(pvalue, Mapping):
        raise bad_request(f"{where}.parameterValue must be an object")
    if t == "RANGE":
        return ranges.param_value(pvalue, ranges.param_element(ptype, where), where)
    if t == "ARRAY":
        values = pvalue.get("arrayValues")
        if values is None:
            return []  # BigQuery makes no difference between a NULL and an empty array
        if not isinstance(values, list):
            raise bad_request(f"{where}.parameterValue.arrayValues must be a list")
        element = ptype.get("arrayType") or {}
        return [_param_value(element, v, f"{where}[{j}]") for j, v in enumerate(values)]
    if t in ("STRUCT", "RECORD"):
        values = pvalue.get("structValues")
        if values is None:
            return None
        members = ptype.get("structTypes") or []
        return {
            (m.get("name") or f"_field_{j + 1}"): _param_value(
                m.get("type") or {}, values.get(m.get("name")), f"{where}.{m.get('name')}"
            )
            for j, m in enumerate(members)
        }
    return _scalar_param(t, pvalue.get("value"), where)


def decode_parameters(params: Any, mode: str | None = None) -> tuple[dict[str, Any] | list[Any] | None, dict[str, str]]:
    """`queryParameters` -> (values: dict for NAMED / list for POSITIONAL, {name: GoogleSQL type})."""
    if not params:
        return None, {}
    if not isinstance(params, list):
        raise bad_request("queryParameters must be a list")
    positional = (mode or "").upper() == "POSITIONAL" or all(isinstance(p, dict) and not p.get("name") for p in params)
    named: dict[str, Any] = {}
    ordered: list[Any] = []
    types: dict[str, str] = {}
    for i, p in enumerate(params):
        if not isinstance(p, dict):
            raise bad_request(f"queryParameters[{i}] must be an object")
        name = p.get("name")
        where = f"@{name}" if name else f"queryParameters[{i}]"
        ptype = p.get("parameterType")
        if not isinstance(ptype, dict):
            raise bad_request(f"{where}: parameterType must be an object such as {{'type': 'INT64'}}")
        type_sql = _type_sql(ptype, where)
        if positional and "INTERVAL" in type_sql:
            # positional values are bound untyped: an INTERVAL would come back a STRING
            raise bad_request(
                f"{where}: a positional (?) INTERVAL parameter is not supported here; "
                "name it (@name) in the query and in queryParameters",
                "invalidQuery",
            )
        wide = None if positional else _wide_bignumeric(type_sql, p.get("parameterValue"))
        value = wide if wide is not None else _param_value(ptype, p.get("parameterValue"), where)
        if positional:
            ordered.append(value)
        else:
            if not name:
                raise bad_request(
                    f"queryParameters[{i}] has no name but the query uses named parameters", "invalidQuery"
                )
            named[name] = value
            types[name] = type_sql
    return (ordered if positional else named), types
