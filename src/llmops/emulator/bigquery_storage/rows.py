"""Rows the Write API receives (proto messages described by `writer_schema.proto_descriptor`,
or Arrow record batches) as BigQuery JSON row values, with the Write API's type encodings:
TIMESTAMP as int64 microseconds, DATE as int32 days, DATETIME/TIME as packed civil time,
NUMERIC/BIGNUMERIC as little-endian scaled integers in bytes."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

import pyarrow as pa
from google.protobuf import descriptor_pb2, descriptor_pool, message, message_factory
from google.protobuf.descriptor import FieldDescriptor

from .errors import invalid

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
EPOCH_DATE = dt.date(1970, 1, 1)


def message_class(proto: descriptor_pb2.DescriptorProto) -> type[message.Message]:
    """The message class of a self-contained descriptor (nested types as nested_type)."""
    proto = _self_contained(proto)
    pool = descriptor_pool.DescriptorPool()
    file = descriptor_pb2.FileDescriptorProto(name=f"writer_{uuid.uuid4().hex}.proto", syntax="proto2")
    file.message_type.add().CopyFrom(proto)
    try:
        pool.Add(file)
        return message_factory.GetMessageClass(pool.FindMessageTypeByName(proto.name))
    except (TypeError, KeyError, ValueError) as exc:
        raise invalid(
            f"writer_schema.proto_descriptor cannot be used: {exc}; send a self-contained descriptor "
            "(nested messages as nested types, as google.cloud.bigquery_storage_v1's writer examples build it)"
        ) from None


def _self_contained(proto: descriptor_pb2.DescriptorProto) -> descriptor_pb2.DescriptorProto:
    """Rewrite type names that point at a nested type by its original package path
    (`.pkg.Row.Inner`) to the path it has in this standalone descriptor (`.Row.Inner`)."""
    proto = descriptor_pb2.DescriptorProto.FromString(proto.SerializeToString())
    if not proto.name:
        raise invalid("writer_schema.proto_descriptor has no message name; name the row message")
    nested: dict[str, str] = {}

    def collect(msg: descriptor_pb2.DescriptorProto, path: str) -> None:
        nested[path] = path
        for sub in msg.nested_type:
            collect(sub, f"{path}.{sub.name}")
        for enum in msg.enum_type:
            nested[f"{path}.{enum.name}"] = f"{path}.{enum.name}"

    collect(proto, proto.name)

    def fix(msg: descriptor_pb2.DescriptorProto) -> None:
        for f in msg.field:
            if f.type_name and f.type_name.lstrip(".") not in nested:
                f.type_name = "." + _resolve(f.type_name.lstrip("."), nested)
            if f.proto3_optional:
                f.proto3_optional = False
                f.ClearField("oneof_index")
        used = {f.oneof_index for f in msg.field if f.HasField("oneof_index")}
        if not used:
            del msg.oneof_decl[:]
        for sub in msg.nested_type:
            fix(sub)

    fix(proto)
    return proto


def _resolve(name: str, nested: dict[str, str]) -> str:
    parts = name.split(".")
    for i in range(len(parts)):
        if ".".join(parts[i:]) in nested:
            return ".".join(parts[i:])
    same_leaf = [p for p in nested if p.rsplit(".", 1)[-1] == parts[-1]]
    return same_leaf[0] if len(same_leaf) == 1 else name


def extra_fields(desc: Any, fields: list[dict], prefix: str = "") -> list[str]:
    """Descriptor fields with no table column (BigQuery's SCHEMA_MISMATCH_EXTRA_FIELDS)."""
    by_name = {f["name"].lower(): f for f in fields}
    out = []
    for fd in desc.fields:
        f = by_name.get(fd.name.lower())
        if f is None:
            out.append(prefix + fd.name)
        elif fd.type == FieldDescriptor.TYPE_MESSAGE and f["type"] == "RECORD":
            out += extra_fields(fd.message_type, f.get("fields", []), prefix + fd.name + ".")
    return out


def proto_row(msg: message.Message, fields: list[dict]) -> dict[str, Any]:
    """One decoded message as a BigQuery JSON row (unset fields left out, so NULL)."""
    by_name = {f["name"].lower(): f for f in fields}
    row: dict[str, Any] = {}
    for fd, value in msg.ListFields():
        f = by_name[fd.name.lower()]
        if _repeated(fd):
            row[f["name"]] = [_value(fd, v, f) for v in value]
        else:
            row[f["name"]] = _value(fd, value, f)
    return row


def _repeated(fd: Any) -> bool:
    flag = getattr(fd, "is_repeated", None)  # protobuf >= 6; `label` is deprecated there
    return bool(flag) if flag is not None else fd.label == FieldDescriptor.LABEL_REPEATED


def _value(fd: Any, value: Any, f: dict) -> Any:
    t = f["type"]
    if fd.type == FieldDescriptor.TYPE_MESSAGE:
        return proto_row(value, f.get("fields", [])) if t == "RECORD" else value
    if fd.type == FieldDescriptor.TYPE_ENUM and t == "STRING":
        return fd.enum_type.values_by_number[value].name if value in fd.enum_type.values_by_number else str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if t == "TIMESTAMP":
            return EPOCH + dt.timedelta(microseconds=value)
        if t == "DATE":
            return (EPOCH_DATE + dt.timedelta(days=value)).isoformat()
        if t == "DATETIME":
            return _packed_datetime(value)
        if t == "TIME":
            return _packed_time(value).isoformat()
    if isinstance(value, bytes) and t in ("NUMERIC", "BIGNUMERIC"):
        scale = 9 if t == "NUMERIC" else 38
        return str(decimal.Decimal(int.from_bytes(value, "little", signed=True)).scaleb(-scale))
    return value


def _packed_time(value: int) -> dt.time:
    micros, seconds = value & 0xFFFFF, value >> 20
    return dt.time((seconds >> 12) & 0x1F, (seconds >> 6) & 0x3F, seconds & 0x3F, micros)


def _packed_datetime(value: int) -> str:
    seconds = value >> 20
    year, month, day = (seconds >> 26) & 0x3FFF, (seconds >> 22) & 0xF, (seconds >> 17) & 0x1F
    try:
        return dt.datetime.combine(dt.date(year, month, day), _packed_time(value)).isoformat()
    except ValueError:
        return f"packed datetime {value}"  # converted and refused as a row error by the engine


def arrow_rows(schema_bytes: bytes, batch_bytes: bytes) -> list[dict[str, Any]]:
    """The rows of a serialized Arrow record batch under its serialized schema."""
    try:
        schema = pa.ipc.read_schema(pa.py_buffer(schema_bytes))
        batch = pa.ipc.read_record_batch(pa.py_buffer(batch_bytes), schema)
    except (pa.ArrowInvalid, OSError) as exc:
        raise invalid(f"arrow_rows cannot be read: {exc}; send pyarrow IPC schema and record batch bytes") from None
    return batch.to_pylist()
