"""Reading load-job data (newline-delimited JSON, CSV, Parquet, Avro, ORC) into Arrow tables that
match a BigQuery schema, with BigQuery's per-row errors and `maxBadRecords`, and schema
autodetection. Parquet, Avro and ORC files carry their own schema (see avro.py for Avro's)."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

# The engine's converter from BigQuery's JSON row representation to Python values, shared so
# that load jobs and insertAll accept exactly the same values. It is private to the engine;
# see the report: it should become public API there.
from . import bignumerics, decimaltargets, nullarrays
from .engine import RowError, convert_row
from .geography_sphere import shapely_module
from .googlesql import bq_field_to_arrow, normalize_field

SUPPORTED_FORMATS = ("NEWLINE_DELIMITED_JSON", "CSV", "PARQUET", "AVRO", "ORC")
SELF_DESCRIBING = ("PARQUET", "AVRO", "ORC")
"""Formats whose files carry their schema: a load needs no schema and no autodetect."""


class LoadError(Exception):
    """The load failed: `errors` are BigQuery error objects ({reason, message, location?})."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None, reason: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.errors = errors or [{"reason": reason, "message": message}]


@dataclass
class LoadData:
    """Rows ready for the engine, the schema they follow, and the rows skipped as bad."""

    table: pa.Table
    schema: list[dict[str, Any]]
    bad_records: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


def arrow_schema(fields: list[dict[str, Any]]) -> pa.Schema:
    return pa.schema([pa.field(f["name"], bignumerics.write_arrow_type(f, bq_field_to_arrow(f))) for f in fields])


def read_load_data(
    data: bytes,
    config: dict[str, Any],
    schema: list[dict[str, Any]] | None,
) -> LoadData:
    """Parse `data` per the load `config` (sourceFormat, CSV options, maxBadRecords, ...).

    `schema` is the target schema (given in the job or the existing table's); None means
    autodetect it from the data.
    """
    fmt = str(config.get("sourceFormat") or "CSV").upper()
    if fmt not in SUPPORTED_FORMATS:
        raise LoadError(
            f"sourceFormat {fmt} is not supported by the emulator; use NEWLINE_DELIMITED_JSON, CSV, PARQUET, AVRO or ORC"
        )
    fields = [normalize_field(f) for f in schema] if schema else None
    if fmt == "PARQUET":
        return _without_null_elements(_read_parquet(data, fields, config))
    if fmt == "ORC":
        return _without_null_elements(_read_orc(data, fields, config))
    if fmt == "AVRO":
        from .avro import read_avro

        try:
            table, own = read_avro(
                data,
                logical_types=bool(config.get("useAvroLogicalTypes")),
                decimal_targets=decimaltargets.targets(config, "AVRO") if fields is None else None,
            )
        except ValueError as exc:
            raise LoadError(f"Error while reading data, error message: the Avro data cannot be read: {exc}") from None
        return _without_null_elements(LoadData(table, own) if fields is None else _fit(table, fields, "Avro"))
    max_bad = int(config.get("maxBadRecords") or 0)
    ignore_unknown = bool(config.get("ignoreUnknownValues"))
    if fmt == "NEWLINE_DELIMITED_JSON":
        rows, errors = _json_rows(data)
    else:
        rows, errors, header = _csv_rows(data, config, fields)
        if fields is None:
            fields = _target_precisions(_infer_csv_schema(rows, header), rows, config)
        rows, more = _csv_to_dicts(rows, fields, config)
        errors += more
    if fields is None:
        fields = infer_json_schema([r for _, r in rows])
    good: list[dict[str, Any]] = []
    for line, row in rows:
        try:
            good.append(convert_row(row, fields, ignore_unknown=ignore_unknown))
        except RowError as exc:
            errors.append(
                {
                    "reason": "invalid",
                    "location": exc.location,
                    "message": f"Error while reading data, error message: {exc.message} Row {line}.",
                }
            )
    if len(errors) > max_bad:
        kind = "JSON" if fmt == "NEWLINE_DELIMITED_JSON" else "CSV"
        summary = (
            f"Error while reading data, error message: {kind} table encountered too many errors, giving up. "
            f"Rows: {len(rows)}; errors: {len(errors)}. Please look into the errors[] collection for more details."
        )
        raise LoadError(summary, [{"reason": "invalid", "message": summary}, *errors[:100]])
    table = bignumerics.table_from_rows(good, arrow_schema(fields))
    return LoadData(table, fields, bad_records=len(errors), errors=errors)


# ---------------------------------------------------------------------------- JSON


def _json_rows(data: bytes) -> tuple[list[tuple[int, Any]], list[dict[str, Any]]]:
    rows: list[tuple[int, Any]] = []
    errors: list[dict[str, Any]] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(f"Error while reading data, error message: the data is not valid UTF-8 ({exc})") from None
    position = 0
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped:
            try:
                row = json.loads(stripped)
            except json.JSONDecodeError as exc:
                errors.append(
                    {
                        "reason": "invalid",
                        "message": (
                            f"Error while reading data, error message: JSON parsing error in row starting at position "
                            f"{position}: {exc.msg}. Row {number}."
                        ),
                    }
                )
            else:
                if isinstance(row, dict):
                    rows.append((number, row))
                else:
                    errors.append(
                        {
                            "reason": "invalid",
                            "message": (
                                f"Error while reading data, error message: JSON parsing error in row starting at position "
                                f"{position}: the row is not a JSON object. Row {number}."
                            ),
                        }
                    )
        position += len(line.encode("utf-8")) + 1
    return rows, errors


_TIMESTAMP_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,12})?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$", re.IGNORECASE
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_RE = re.compile(r"^\d{2}:\d{2}:\d{2}(\.\d{1,6})?$")


def _infer_value(value: Any) -> tuple[str, str, list[dict[str, Any]] | None]:
    """(type, mode, sub-fields) BigQuery's autodetect would pick for one JSON value."""
    if isinstance(value, list):
        inner = [v for v in value if v is not None]
        t, _, subs = _infer_value(inner[0]) if inner else ("STRING", "NULLABLE", None)
        for v in inner[1:]:
            t = _widen(t, _infer_value(v)[0])
        return t, "REPEATED", subs
    if isinstance(value, dict):
        return "RECORD", "NULLABLE", infer_json_schema([value])
    if isinstance(value, bool):
        return "BOOL", "NULLABLE", None
    if isinstance(value, int):
        return "INT64", "NULLABLE", None
    if isinstance(value, float):
        return "FLOAT64", "NULLABLE", None
    if isinstance(value, str):
        return _infer_string(value), "NULLABLE", None
    return "STRING", "NULLABLE", None


def _infer_string(text: str) -> str:
    s = text.strip()
    if _DATE_RE.match(s):
        return "DATE"
    if _TIMESTAMP_RE.match(s):
        return "TIMESTAMP"
    if _TIME_RE.match(s):
        return "TIME"
    return "STRING"


def _widen(a: str, b: str) -> str:
    if a == b:
        return a
    if {a, b} == {"INT64", "FLOAT64"}:
        return "FLOAT64"
    if {a, b} <= {"DATE", "TIMESTAMP"}:
        return "TIMESTAMP"
    return "STRING"


def infer_json_schema(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A schema for JSON rows, the way BigQuery's autodetect reads them (fields in first-seen order)."""
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        for key, value in row.items():
            if value is None or value == []:
                found.setdefault(key, {"name": key, "type": None, "mode": "REPEATED" if value == [] else "NULLABLE"})
                continue
            t, mode, subs = _infer_value(value)
            f = found.get(key)
            if f is None or f["type"] is None:
                found[key] = {"name": key, "type": t, "mode": mode, **({"fields": subs} if subs else {})}
            elif f["type"] == "RECORD" and t == "RECORD":
                merged = {s["name"]: s for s in f["fields"]}
                for s in subs or []:
                    merged.setdefault(s["name"], s)
                f["fields"] = list(merged.values())
            else:
                f["type"] = _widen(f["type"], t)
    out = []
    for f in found.values():
        if f["type"] is None:
            f["type"] = "STRING"
        out.append(f)
    if not out:
        raise LoadError("Cannot detect a schema: the data has no fields", reason="invalid")
    return out


# ---------------------------------------------------------------------------- CSV


def _csv_rows(
    data: bytes, config: dict[str, Any], fields: list[dict[str, Any]] | None
) -> tuple[list[tuple[int, list[str]]], list[dict[str, Any]], list[str] | None]:
    encoding = str(config.get("encoding") or "UTF-8").lower().replace("iso-8859-1", "latin-1")
    try:
        text = data.decode("utf-8-sig" if encoding in ("utf-8", "utf8") else encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise LoadError(f"Error while reading data, error message: cannot decode the CSV data ({exc})") from None
    delimiter = str(config.get("fieldDelimiter") or ",")
    if delimiter in ("\\t", "tab"):
        delimiter = "\t"
    quote = config.get("quote", '"')
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter[0],
        quotechar=quote[0] if quote else None,
        quoting=csv.QUOTE_MINIMAL if quote else csv.QUOTE_NONE,
        strict=False,
    )
    skip = config.get("skipLeadingRows")
    rows = []
    try:
        for number, row in enumerate(reader, start=1):
            if row == []:
                if fields is not None and len(fields) == 1:
                    rows.append((number, [""]))  # a one-column table: an empty line is an empty (NULL) field
                continue
            rows.append((number, row))
    except csv.Error as exc:
        raise LoadError(f"Error while reading data, error message: CSV parsing failed: {exc}") from None
    header: list[str] | None = None
    if skip is not None:
        skip = int(skip)
        # BigQuery: autodetect skips N-1 rows and reads row N as the header only if it looks like one
        if fields is None and 1 <= skip <= len(rows) and _looks_like_header(rows[skip - 1 :]):
            header = rows[skip - 1][1]
        rows = rows[skip:]
    elif fields is None and rows and _looks_like_header(rows):
        header = rows[0][1]
        rows = rows[1:]
    return rows, [], header


def _looks_like_header(rows: list[tuple[int, list[str]]]) -> bool:
    first = rows[0][1]
    if len(rows) == 1:
        return all(_infer_csv_value(v) == "STRING" for v in first)
    second = rows[1][1]
    return all(_infer_csv_value(v) == "STRING" for v in first) and any(_infer_csv_value(v) != "STRING" for v in second)


def _infer_csv_value(value: str) -> str | None:
    s = value.strip()
    if s == "":
        return None
    if re.fullmatch(r"[+-]?\d+", s):
        return "INT64"
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?", s):
        return "FLOAT64"
    if s.lower() in ("true", "false"):
        return "BOOL"
    return _infer_string(s)


def _infer_csv_schema(rows: list[tuple[int, list[str]]], header: list[str] | None) -> list[dict[str, Any]]:
    width = max((len(r) for _, r in rows), default=len(header or []))
    names = []
    for i in range(width):
        raw = header[i] if header and i < len(header) else ""
        name = re.sub(r"[^A-Za-z0-9_]", "_", raw.strip()) or f"string_field_{i}"
        if name[0].isdigit():
            name = "_" + name
        names.append(name)
    fields = []
    for i, name in enumerate(names):
        t: str | None = None
        for _, row in rows:
            if i < len(row):
                v = _infer_csv_value(row[i])
                if v is not None:
                    t = v if t is None else _widen(t, v)
        fields.append({"name": name, "type": t or "STRING", "mode": "NULLABLE"})
    if not fields:
        raise LoadError("Cannot detect a schema: the CSV data is empty")
    return fields


_BEYOND_MICROS = re.compile(r"\.\d{7}")


def _target_precisions(
    fields: list[dict[str, Any]], rows: list[tuple[int, list[str]]], config: dict[str, Any]
) -> list[dict[str, Any]]:
    """Autodetected TIMESTAMP columns as `timestampTargetPrecision` asks: with [12] each is a
    TIMESTAMP(12); with [6, 12] those with more than six fraction digits in some row."""
    try:
        targets = {int(p) for p in config.get("timestampTargetPrecision") or []}
    except (TypeError, ValueError):
        raise LoadError("timestampTargetPrecision must be a list of precisions, 6 or 12") from None
    if targets - {6, 12}:
        raise LoadError(f"Invalid timestampTargetPrecision {sorted(targets)}: the precisions are 6 and 12")
    if 12 not in targets:
        return fields
    out = []
    for i, f in enumerate(fields):
        if f["type"] == "TIMESTAMP" and (
            6 not in targets or any(i < len(row) and _BEYOND_MICROS.search(row[i]) for _, row in rows)
        ):
            f = {**f, "timestampPrecision": "12"}
        out.append(f)
    return out


def _csv_to_dicts(
    rows: list[tuple[int, list[str]]], fields: list[dict[str, Any]], config: dict[str, Any]
) -> tuple[list[tuple[int, dict[str, Any]]], list[dict[str, Any]]]:
    null_marker = config.get("nullMarker", "")
    jagged = bool(config.get("allowJaggedRows"))
    out: list[tuple[int, dict[str, Any]]] = []
    errors: list[dict[str, Any]] = []
    for number, row in rows:
        if len(row) > len(fields) or (len(row) < len(fields) and not jagged):
            errors.append(
                {
                    "reason": "invalid",
                    "message": (
                        f"Error while reading data, error message: CSV table references column position {len(fields)}, "
                        f"but line {number} has {len(row)} columns (expected {len(fields)})."
                    ),
                }
            )
            continue
        record: dict[str, Any] = {}
        for f, value in zip(fields, row):
            if value == null_marker or (value == "" and f["type"] not in ("STRING", "BYTES")):
                record[f["name"]] = None
            else:
                record[f["name"]] = value
        out.append((number, record))
    return out, errors


# ---------------------------------------------------------------------------- Parquet


def _read_parquet(data: bytes, fields: list[dict[str, Any]] | None, config: dict[str, Any]) -> LoadData:
    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowInvalid, OSError) as exc:
        raise LoadError(f"Error while reading data, error message: the Parquet data cannot be read: {exc}") from None
    table = table.select([c for c in table.column_names if not c.startswith("__index_level_")])
    if fields is None:  # the engine creates the table from the Parquet types
        return LoadData(decimaltargets.apply(table, decimaltargets.targets(config, "PARQUET"), "Parquet"), [])
    return _fit(table, fields, "Parquet")


def _read_orc(data: bytes, fields: list[dict[str, Any]] | None, config: dict[str, Any]) -> LoadData:
    import pyarrow.orc as orc

    try:
        table = orc.ORCFile(io.BytesIO(data)).read()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
        raise LoadError(f"Error while reading data, error message: the ORC data cannot be read: {exc}") from None
    if fields is None:  # the engine creates the table from the ORC types
        return LoadData(decimaltargets.apply(table, decimaltargets.targets(config, "ORC"), "ORC"), [])
    return _fit(table, fields, "ORC")


def _fit(table: pa.Table, fields: list[dict[str, Any]], kind: str) -> LoadData:
    """A self-describing file's columns cast to the target schema, matched by name."""
    by_name = {c.lower(): c for c in table.column_names}
    columns = []
    for f in fields:
        target = bignumerics.write_arrow_type(f, bq_field_to_arrow(f))
        name = by_name.get(f["name"].lower())
        if name is None:
            if f["mode"] == "REQUIRED":
                raise LoadError(
                    f"Error while reading data, error message: required field {f['name']} is missing from the {kind} data"
                )
            columns.append(pa.nulls(table.num_rows, type=target))
            continue
        column = table.column(name)
        if f["type"] == "GEOGRAPHY" and f["mode"] != "REPEATED" and _is_binary(column.type):
            column = _wkb_as_wkt(column, name, kind)  # BigQuery loads WKB bytes into GEOGRAPHY
        try:
            columns.append(column.cast(target) if column.type != target else column)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise LoadError(
                f"Error while reading data, error message: {kind} column {name!r} of type {column.type} "
                f"cannot be loaded as {f['type']}: {exc}"
            ) from None
    return LoadData(pa.Table.from_arrays(columns, schema=arrow_schema(fields)), fields)


def _without_null_elements(loaded: LoadData) -> LoadData:
    """A self-describing file's lists may hold NULL elements; a BigQuery table's ARRAY cannot (a
    REPEATED field's values are never NULL), so the load fails, as a JSON row's `[1, null]` does,
    rather than store what no query could then return."""
    path = nullarrays.first_null_element(loaded.table)
    if path is not None:
        raise LoadError(
            f"Error while reading data, error message: Array cannot have a null element; error in writing field {path}"
        )
    return loaded


def _is_binary(t: pa.DataType) -> bool:
    return pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t)


def _wkb_as_wkt(column: pa.ChunkedArray, name: str, kind: str) -> pa.Array:
    """A column of well-known binary geometries as the WKT text a GEOGRAPHY column is loaded from."""
    shp = shapely_module()
    try:
        geoms = shp.from_wkb(column.to_pylist())
    except shp.errors.GEOSException as exc:
        raise LoadError(
            f"Error while reading data, error message: {kind} column {name!r} holds a value that is not "
            f"well-known binary (WKB) for GEOGRAPHY: {exc}"
        ) from None
    geoms = shp.orient_polygons(geoms, exterior_cw=False)
    return pa.array(shp.to_wkt(geoms, rounding_precision=-1, trim=True).tolist(), pa.string())
