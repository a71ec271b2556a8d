"""Read API rows in Avro (DataFormat.AVRO): the session's Avro schema and each response's rows
as concatenated Avro binary records (no container header), the way BigQuery serves them.

Types as BigQuery's Read API maps them: BOOL boolean, INT64 long, FLOAT64 double, STRING string,
BYTES bytes, NUMERIC/BIGNUMERIC bytes with the decimal logical type (precision 38 scale 9 /
77 scale 38), DATE int `date`, TIME long `time-micros`, TIMESTAMP long `timestamp-micros`,
DATETIME (ISO 8601 text), GEOGRAPHY and JSON string (marked with `sqlType`), RECORD record, REPEATED array;
NULLABLE fields are unions with null.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

import fastavro
import pyarrow as pa

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


def avro_schema(fields: list[dict]) -> dict[str, Any]:
    """The Avro record schema of rows with these BigQuery fields."""
    return {"type": "record", "name": "__root__", "fields": [_field(f, "__root__") for f in fields]}


def _field(f: dict, path: str) -> dict[str, Any]:
    kind = f["type"].upper()
    if kind in ("RECORD", "STRUCT"):
        name = f"{path}_{f['name']}"
        avro: Any = {"type": "record", "name": name, "fields": [_field(s, name) for s in f.get("fields", [])]}
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


def _converter(f: dict) -> Callable[[Any], Any] | None:
    """What turns a value Arrow gives back into the one the Avro type holds (None: as is)."""
    kind = f["type"].upper()
    one: Callable[[Any], Any] | None
    if kind == "DATETIME":

        def one(v: Any) -> Any:
            return v.isoformat() if isinstance(v, dt.datetime) else v

    elif kind == "TIMESTAMP":

        def one(v: Any) -> Any:
            return v.replace(tzinfo=dt.UTC) if isinstance(v, dt.datetime) and v.tzinfo is None else v

    elif kind in ("JSON", "GEOGRAPHY"):

        def one(v: Any) -> Any:
            return v if isinstance(v, str) else json.dumps(v)

    elif kind in ("RECORD", "STRUCT"):
        subs = {s["name"]: c for s in f.get("fields", []) if (c := _converter(s)) is not None}
        if not subs:
            return None

        def one(v: Any) -> Any:
            return {k: (subs[k](x) if k in subs and x is not None else x) for k, x in v.items()}

    else:
        return None
    if (f.get("mode") or "").upper() == "REPEATED":
        inner = one
        return lambda v: [inner(x) if x is not None else x for x in v]
    return one


class AvroEncoder:
    """Encodes Arrow batches of rows with the given BigQuery fields as Avro binary records."""

    def __init__(self, fields: list[dict]):
        self.schema = avro_schema(fields)
        self.schema_json = json.dumps(self.schema)
        self._parsed = fastavro.parse_schema(self.schema)
        self._convert = {f["name"]: c for f in fields if (c := _converter(f)) is not None}

    def encode(self, batch: pa.RecordBatch) -> bytes:
        """The batch's rows, one Avro record after another."""
        out = io.BytesIO()
        convert = self._convert
        for row in batch.to_pylist():
            for name, fn in convert.items():
                if row.get(name) is not None:
                    row[name] = fn(row[name])
            fastavro.schemaless_writer(out, self._parsed, row)
        return out.getvalue()
