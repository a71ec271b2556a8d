"""Rows in Avro as BigQuery writes them: for the Read API (DataFormat.AVRO) the session's Avro
schema and each response's rows as concatenated binary records (no container header); for extract
jobs and EXPORT DATA an Avro object container file.

Types as BigQuery's Read API maps them: BOOL boolean, INT64 long, FLOAT64 double, STRING string,
BYTES bytes, NUMERIC/BIGNUMERIC bytes with the decimal logical type (precision 38 scale 9 /
77 scale 38), DATE int `date`, TIME long `time-micros`, TIMESTAMP long `timestamp-micros`,
DATETIME (ISO 8601 text), GEOGRAPHY and JSON string (marked with `sqlType`), RECORD record, REPEATED array;
NULLABLE fields are unions with null. Exports without `useAvroLogicalTypes` write DATE, TIME
and DATETIME as their canonical text (TIMESTAMP stays `timestamp-micros`), as BigQuery does.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import fastavro
import pyarrow as pa

from . import ranges

_PRIMITIVE: dict[str, Any] = {
    "BOOL": "boolean",
    "BOOLEAN": "boolean",
    "INT64": "long",
    "INTEGER": "long",
    "FLOAT64": "double",
    "FLOAT": "double",
    "STRING": "string",
    "BYTES": "bytes",
    "NUMERIC": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 9},
    "BIGNUMERIC": {"type": "bytes", "logicalType": "decimal", "precision": 77, "scale": 38},
    "DATE": {"type": "int", "logicalType": "date"},
    "TIME": {"type": "long", "logicalType": "time-micros"},
    "TIMESTAMP": {"type": "long", "logicalType": "timestamp-micros"},
    "DATETIME": {"type": "string", "logicalType": "datetime", "sqlType": "DATETIME"},
    "GEOGRAPHY": {"type": "string", "sqlType": "GEOGRAPHY"},
    "JSON": {"type": "string", "sqlType": "JSON"},
}


_TEXT = {"DATE": "DATE", "TIME": "TIME", "DATETIME": "DATETIME"}
"""Types exported as text when logical types are off."""


def avro_schema(fields: list[dict], *, logical_types: bool = True) -> dict[str, Any]:
    """The Avro record schema of rows with these BigQuery fields."""
    return {
        "type": "record",
        "name": "__root__",
        "fields": [_field(f, "__root__", logical_types) for f in fields],
    }


def _field(f: dict, path: str, logical: bool) -> dict[str, Any]:
    kind = f["type"].upper()
    if kind in ("RECORD", "STRUCT"):
        name = f"{path}_{f['name']}"
        avro: Any = {"type": "record", "name": name, "fields": [_field(s, name, logical) for s in f.get("fields", [])]}
    elif not logical and kind in _TEXT:
        avro = {"type": "string", "sqlType": _TEXT[kind]}
    elif kind in _PRIMITIVE:
        avro = _PRIMITIVE[kind]
    else:
        avro = "string"  # RANGE, INTERVAL: their canonical text
    mode = (f.get("mode") or "NULLABLE").upper()
    if mode == "REPEATED":
        avro = {"type": "array", "items": avro}
    elif mode == "NULLABLE":
        avro = ["null", avro]
    return {"name": f["name"], "type": avro}


def _converter(f: dict, logical: bool = True) -> Callable[[Any], Any] | None:
    """What turns a value Arrow gives back into the one the Avro type holds (None: as is)."""
    kind = f["type"].upper()
    one: Callable[[Any], Any] | None
    if not logical and kind in ("DATE", "TIME"):

        def one(v: Any) -> Any:
            return v.isoformat()

    elif kind == "DATETIME":

        def one(v: Any) -> Any:
            return v.isoformat() if isinstance(v, dt.datetime) else v

    elif kind == "TIMESTAMP":

        def one(v: Any) -> Any:
            return v.replace(tzinfo=dt.UTC) if isinstance(v, dt.datetime) and v.tzinfo is None else v

    elif kind in ("JSON", "GEOGRAPHY"):

        def one(v: Any) -> Any:
            return v if isinstance(v, str) else json.dumps(v)

    elif kind == "RANGE":
        one = ranges.python_text

    elif kind in ("RECORD", "STRUCT"):
        subs = {s["name"]: c for s in f.get("fields", []) if (c := _converter(s, logical)) is not None}
        if not subs:
            one = None
        else:

            def one(v: Any) -> Any:
                return {k: (subs[k](x) if k in subs else x) for k, x in v.items()}

    else:
        one = None
    if (f.get("mode") or "").upper() == "REPEATED":
        # BigQuery has no NULL arrays: an engine NULL is written as an empty array
        inner = one
        if inner is None:
            return lambda v: [] if v is None else v
        return lambda v: [] if v is None else [inner(x) if x is not None else x for x in v]
    if one is None:
        return None
    scalar = one
    return lambda v: None if v is None else scalar(v)


class AvroEncoder:
    """Encodes Arrow batches of rows with the given BigQuery fields as Avro binary records."""

    def __init__(self, fields: list[dict], *, logical_types: bool = True):
        self.schema = avro_schema(fields, logical_types=logical_types)
        self.schema_json = json.dumps(self.schema)
        self.parsed = fastavro.parse_schema(self.schema)
        self._convert = {f["name"]: c for f in fields if (c := _converter(f, logical_types)) is not None}

    def records(self, batch: pa.RecordBatch) -> Iterator[dict[str, Any]]:
        """The batch's rows as the records the Avro schema describes."""
        convert = self._convert
        for row in batch.to_pylist():
            for name, fn in convert.items():
                row[name] = fn(row[name])
            yield row

    def encode(self, batch: pa.RecordBatch) -> bytes:
        """The batch's rows, one Avro record after another."""
        out = io.BytesIO()
        for row in self.records(batch):
            fastavro.schemaless_writer(out, self.parsed, row)
        return out.getvalue()


def write_file(
    path: Path, batches: pa.RecordBatchReader, fields: list[dict], *, logical_types: bool, codec: str
) -> int:
    """Write the batches as one Avro object container file; the number of rows written."""
    encoder = AvroEncoder(fields, logical_types=logical_types)
    count = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal count
        for batch in batches:
            count += batch.num_rows
            yield from encoder.records(batch)

    with path.open("wb") as out:
        fastavro.writer(out, encoder.parsed, rows(), codec=codec)
    return count
