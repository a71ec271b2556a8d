"""Avro load data (fastavro): the file's schema as BigQuery fields, its records as Arrow.

Types as BigQuery maps them: int/long INT64, float/double FLOAT64, boolean BOOL, string and enum
STRING, bytes and fixed BYTES, record RECORD, array REPEATED, a union with null NULLABLE. With
`useAvroLogicalTypes`, logical types become TIMESTAMP (timestamp-*), DATETIME (local-timestamp-*),
DATE, TIME, NUMERIC/BIGNUMERIC (decimal) and STRING (uuid); without it they load as their
underlying type (INT64), except decimal (NUMERIC) and uuid (STRING). Where the file's schema
makes the table's, a decimal's type is the one the load's decimalTargetTypes picks
(decimaltargets.py).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from . import decimaltargets
from .googlesql import bq_field_to_arrow

_PRIMITIVES = {
    "int": "INT64",
    "long": "INT64",
    "float": "FLOAT64",
    "double": "FLOAT64",
    "boolean": "BOOL",
    "string": "STRING",
    "bytes": "BYTES",
    "enum": "STRING",
    "fixed": "BYTES",
}
_LOGICAL = {
    "timestamp-millis": "TIMESTAMP",
    "timestamp-micros": "TIMESTAMP",
    "local-timestamp-millis": "DATETIME",
    "local-timestamp-micros": "DATETIME",
    "date": "DATE",
    "time-millis": "TIME",
    "time-micros": "TIME",
}
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_UNIT = {"millis": dt.timedelta(milliseconds=1), "micros": dt.timedelta(microseconds=1)}

Convert = Callable[[Any], Any]


def _raw(logical: str) -> Convert:
    """A converter from fastavro's Python value of a logical type back to its underlying int."""
    unit = _UNIT.get(logical.rsplit("-", 1)[-1], dt.timedelta(days=1))
    if logical.startswith("timestamp"):
        return lambda v: None if v is None else (v - _EPOCH) // unit
    if logical.startswith("local-timestamp"):
        return lambda v: None if v is None else (v - _EPOCH.replace(tzinfo=None)) // unit
    if logical == "date":
        return lambda v: None if v is None else (v - dt.date(1970, 1, 1)).days
    return lambda v: (
        None
        if v is None
        else dt.timedelta(hours=v.hour, minutes=v.minute, seconds=v.second, microseconds=v.microsecond) // unit
    )


def _identity(v: Any) -> Any:
    return v


def _field(
    name: str, avro: Any, logical_types: bool, mode: str = "NULLABLE", targets: list[str] | None = None
) -> tuple[dict[str, Any], Convert]:
    if isinstance(avro, list):
        members = [m for m in avro if m != "null"]
        if len(members) != 1:
            raise ValueError(f"field {name!r} is a union of several types, which BigQuery cannot load")
        return _field(name, members[0], logical_types, mode if "null" not in avro else "NULLABLE", targets)
    if isinstance(avro, str):
        avro = {"type": avro}
    kind = avro.get("type")
    if isinstance(kind, (dict, list)):
        return _field(name, kind, logical_types, mode, targets)
    logical = avro.get("logicalType")
    if kind == "record":
        subs = [_field(f["name"], f["type"], logical_types, "REQUIRED", targets) for f in avro["fields"]]
        fields = [s[0] for s in subs]
        converters = {f["name"]: c for f, (_, c) in zip(fields, subs, strict=True)}

        def record(v: Any) -> Any:
            return None if v is None else {k: converters[k](v.get(k)) for k in converters}

        return {"name": name, "type": "RECORD", "mode": mode, "fields": fields}, record
    if kind == "array":
        item, convert = _field(name, avro["items"], logical_types, "REQUIRED", targets)
        if item["mode"] == "REPEATED":
            raise ValueError(f"field {name!r} is an array of arrays, which BigQuery cannot load")
        return {**item, "mode": "REPEATED"}, lambda v: [convert(x) for x in v or []]
    if kind == "map":
        raise ValueError(f"field {name!r} is an Avro map, which the emulator does not load")
    if logical == "decimal":
        precision, scale = int(avro.get("precision", 38)), int(avro.get("scale", 0))
        if targets is None:  # loaded into a schema of the job's or the table's
            big = precision > 38 or scale > 9
            return {"name": name, "type": "BIGNUMERIC" if big else "NUMERIC", "mode": mode}, _identity
        t = decimaltargets.target_type(precision, scale, targets)
        return {"name": name, "type": t, "mode": mode}, decimaltargets.avro_converter(t, name)
    if logical == "uuid":
        return {"name": name, "type": "STRING", "mode": mode}, lambda v: None if v is None else str(v)
    if logical in _LOGICAL:
        if logical_types:
            return {"name": name, "type": _LOGICAL[logical], "mode": mode}, _identity
        return {"name": name, "type": "INT64", "mode": mode}, _raw(logical)
    if kind not in _PRIMITIVES:
        raise ValueError(f"field {name!r} has Avro type {kind!r}, which BigQuery cannot load")
    return {"name": name, "type": _PRIMITIVES[kind], "mode": mode}, _identity


def _read_snappy_without_cramjam() -> None:
    """Lets fastavro read snappy blocks (BigQuery's usual Avro codec, Google's sample data.avro)
    with pyarrow's snappy where the library fastavro wants for it (cramjam) is not installed."""
    import fastavro.read

    if getattr(fastavro.read.BLOCK_READERS.get("snappy"), "__name__", "") == "missing":
        fastavro.read.BLOCK_READERS["snappy"] = _snappy_block


def _snappy_block(source: Any) -> io.BytesIO:
    """One snappy block: its length (an Avro long), the compressed bytes, a CRC32 of the result.
    fastavro's compiled reader passes the file, its pure-Python one a decoder."""
    read = source.read_fixed if hasattr(source, "read_fixed") else source.read
    shift = length = 0
    while True:
        byte = read(1)
        if not byte:
            raise EOFError("truncated snappy block")
        length |= (byte[0] & 0x7F) << shift
        shift += 7
        if not byte[0] & 0x80:
            break
    length = (length >> 1) ^ -(length & 1)
    data = read(length - 4)
    read(4)
    codec = pa.Codec("snappy")
    size = _snappy_length(data)
    return io.BytesIO(codec.decompress(data, decompressed_size=size).to_pybytes())


def _snappy_length(data: bytes) -> int:
    """The uncompressed length a raw snappy block starts with (a little-endian base-128 varint)."""
    size = shift = 0
    for byte in data[:5]:
        size |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return size
    raise ValueError("corrupt snappy block")


def read_avro(
    data: bytes, *, logical_types: bool, decimal_targets: list[str] | None = None
) -> tuple[pa.Table, list[dict[str, Any]]]:
    """The rows of an Avro object container file and its BigQuery schema; ValueError if unreadable.
    `decimal_targets`: the load's decimalTargetTypes where the file's schema makes the table's."""
    import fastavro

    _read_snappy_without_cramjam()
    try:
        reader = fastavro.reader(io.BytesIO(data))
        schema = reader.writer_schema
        if not isinstance(schema, dict) or schema.get("type") != "record":
            raise ValueError("the file's top-level schema is not a record")
        subs = [_field(f["name"], f["type"], logical_types, "REQUIRED", decimal_targets) for f in schema["fields"]]
        records = [r for r in reader if isinstance(r, dict)]
    except (fastavro.read.SchemaResolutionError, EOFError, KeyError, TypeError) as exc:
        raise ValueError(str(exc) or type(exc).__name__) from None
    except ValueError:
        raise
    except Exception as exc:  # fastavro raises plain Exceptions for bad magic bytes and codecs
        raise ValueError(str(exc) or type(exc).__name__) from None
    fields = [f for f, _ in subs]
    converters = [(f["name"], c) for f, c in subs]
    rows = [{n: c(r.get(n)) for n, c in converters} for r in records]
    arrow = pa.schema([pa.field(f["name"], bq_field_to_arrow(f)) for f in fields])
    return pa.Table.from_pylist(rows, schema=arrow), fields
