"""BigQueryWrite: the default stream (rows visible at once), COMMITTED streams (offsets checked),
PENDING streams (rows held until FinalizeWriteStream and BatchCommitWriteStreams) and BUFFERED
streams (rows held until FlushRows publishes them up to and including an offset).

An append is all or nothing, as on BigQuery: one row that does not fit the table schema answers
the request with `row_errors` (FIELDS_ERROR, the row's index) and writes none of its rows.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.cloud.bigquery_storage_v1 import types
from google.protobuf import message as pb_message
from google.protobuf import timestamp_pb2

from ..bigquery.engine import RowError, convert_row
from .errors import RpcError, invalid, not_found
from .rows import arrow_rows, extra_fields, message_class, proto_row
from .tables import TableRef, Tables, parse_table

DEFAULT = "_default"
MAX_APPEND_BYTES = 10 * 1024 * 1024
"""BigQuery's limit on one AppendRowsRequest (its quotas page: 10 MB)."""
STREAM_RE = re.compile(r"^(projects/[^/]+/datasets/[^/]+/tables/[^/]+)/(?:streams/([^/]+)|(_default))$")
"""A stream name; the default stream is also `.../tables/T/_default` (without `streams/`), as
Google's clients accept it (the Java client's default-stream pattern) and write it (ADK's and
LangChain's BigQuery loggers)."""
ROWS_ERROR = (
    "Errors found while processing rows. Please refer to the row_errors field for details. "
    "The list may not be complete because of the size limitations. Entity: {}"
)

WriteStream = types.WriteStream.pb()
AppendRowsResponse = types.AppendRowsResponse.pb()
FinalizeWriteStreamResponse = types.FinalizeWriteStreamResponse.pb()
BatchCommitWriteStreamsResponse = types.BatchCommitWriteStreamsResponse.pb()
FlushRowsResponse = types.FlushRowsResponse.pb()
TableFieldSchema = types.TableFieldSchema
StreamType = types.WriteStream.Type
StorageCode = types.StorageError.StorageErrorCode


@dataclass
class Stream:
    """A created write stream: its table, type, rows held (PENDING, BUFFERED) and lifecycle times."""

    name: str
    ref: TableRef
    type: int
    created: dt.datetime
    rows: list[dict] = field(default_factory=list)
    row_count: int = 0
    finalized: dt.datetime | None = None
    committed: dt.datetime | None = None
    flushed: int = 0
    """BUFFERED: rows before this offset are in the table; `rows` holds those from it on."""


@dataclass
class WriteCounters:
    """What the Write API served."""

    appends: int = 0
    rows: int = 0
    row_errors: int = 0
    commits: int = 0


class WriteService:
    """The BigQueryWrite RPCs over raw protobuf messages."""

    def __init__(self, tables: Tables, location: str):
        self.tables = tables
        self.location = location.lower()
        self.counters = WriteCounters()
        self._streams: dict[str, Stream] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ streams

    def _stream(self, name: str) -> Stream:
        m = STREAM_RE.match(name or "")
        if not m:
            raise invalid(
                f"write stream {name!r} is not a stream name; use "
                "projects/P/datasets/D/tables/T/streams/_default or a name CreateWriteStream returned"
            )
        ref = parse_table(m.group(1), "write stream table")
        if DEFAULT in (m.group(2), m.group(3)):
            self.tables.info(ref)  # NOT_FOUND for a missing table
            return Stream(name, ref, StreamType.COMMITTED, dt.datetime.now(dt.UTC))
        with self._lock:
            stream = self._streams.get(name)
        if stream is None:
            raise not_found(f"write stream {name!r} not found; create it with CreateWriteStream or use _default")
        return stream

    def _resource(self, stream: Stream) -> Any:
        out = WriteStream(name=stream.name, type_=stream.type, location=self.location)
        out.write_mode = types.WriteStream.WriteMode.INSERT
        out.create_time.CopyFrom(_timestamp(stream.created))
        if stream.committed:
            out.commit_time.CopyFrom(_timestamp(stream.committed))
        for f in self.tables.info(stream.ref)["schema"]:
            out.table_schema.fields.append(_field_schema(f))
        return out

    def create_write_stream(self, request: Any, context: grpc.ServicerContext) -> Any:
        ref = parse_table(request.parent, "parent")
        self.tables.info(ref)
        kind = request.write_stream.type_
        if kind not in (StreamType.COMMITTED, StreamType.PENDING, StreamType.BUFFERED):
            raise invalid(
                f"write_stream.type {StreamType(kind).name} is not a stream type to create; use COMMITTED, "
                "PENDING or BUFFERED (or append to the _default stream)"
            )
        stream = Stream(f"{ref.path}/streams/{uuid.uuid4().hex}", ref, kind, dt.datetime.now(dt.UTC))
        with self._lock:
            self._streams[stream.name] = stream
        return self._resource(stream)

    def get_write_stream(self, request: Any, context: grpc.ServicerContext) -> Any:
        return self._resource(self._stream(request.name))

    def finalize_write_stream(self, request: Any, context: grpc.ServicerContext) -> Any:
        stream = self._stream(request.name)
        if stream.name.endswith("/" + DEFAULT):
            raise invalid("the _default stream cannot be finalized; finalize a stream made by CreateWriteStream")
        with self._lock:
            if stream.finalized is None:
                stream.finalized = dt.datetime.now(dt.UTC)
            return FinalizeWriteStreamResponse(row_count=stream.row_count)

    def batch_commit_write_streams(self, request: Any, context: grpc.ServicerContext) -> Any:
        ref = parse_table(request.parent, "parent")
        if not request.write_streams:
            raise invalid("write_streams is empty; name the finalized PENDING streams to commit")
        out = BatchCommitWriteStreamsResponse()
        with self._lock:
            found: list[Stream] = []
            for name in request.write_streams:
                stream = self._streams.get(name)
                problem = None
                if stream is None or stream.ref != ref:
                    problem = (StorageCode.STREAM_NOT_FOUND, f"stream {name} not found in table {ref.path}")
                elif stream.type != StreamType.PENDING:
                    problem = (StorageCode.INVALID_STREAM_TYPE, f"stream {name} is not a PENDING stream")
                elif stream.committed is not None:
                    problem = (StorageCode.STREAM_ALREADY_COMMITTED, f"stream {name} is already committed")
                elif stream.finalized is None:
                    problem = (StorageCode.INVALID_STREAM_STATE, f"stream {name} is not finalized; finalize it first")
                if problem:
                    out.stream_errors.add(code=problem[0], entity=name, error_message=problem[1])
                else:
                    assert stream is not None
                    found.append(stream)
            if out.stream_errors:
                return out
            rows = [row for stream in found for row in stream.rows]
            if rows:
                errors = self.tables.insert(ref, rows)
                if errors:
                    raise invalid(f"committing the streams failed: {errors[0]['errors'][0]['message']}")
            now = dt.datetime.now(dt.UTC)
            for stream in found:
                stream.committed, stream.rows = now, []
            self.counters.commits += 1
        out.commit_time.CopyFrom(_timestamp(now))
        return out

    def flush_rows(self, request: Any, context: grpc.ServicerContext) -> Any:
        stream = self._stream(request.write_stream)
        if stream.type != StreamType.BUFFERED or stream.name.endswith("/" + DEFAULT):
            raise invalid(f"FlushRows applies to BUFFERED streams; {stream.name} is {StreamType(stream.type).name}")
        offset = request.offset.value if request.HasField("offset") else None
        with self._lock:
            if offset is None:
                offset = stream.row_count - 1
            if offset < 0 or offset >= stream.row_count:
                raise RpcError(
                    grpc.StatusCode.OUT_OF_RANGE,
                    f"offset {offset} is beyond the {stream.row_count} rows appended to {stream.name}; "
                    "flush up to an offset already appended",
                )
            if offset >= stream.flushed:
                publish = stream.rows[: offset + 1 - stream.flushed]
                errors = self.tables.insert(stream.ref, publish) if publish else []
                if errors:
                    raise invalid(f"flushing the rows failed: {errors[0]['errors'][0]['message']}")
                del stream.rows[: len(publish)]
                stream.flushed = offset + 1
        return FlushRowsResponse(offset=offset)

    # ------------------------------------------------------------------ appends

    def append_rows(self, requests: Iterator[Any], context: grpc.ServicerContext) -> Iterator[Any]:
        stream: Stream | None = None
        fields: list[dict] = []
        row_class: Any = None
        schema_error: str | None = None
        arrow_schema = b""
        for request in requests:
            if request.write_stream and (stream is None or request.write_stream != stream.name):
                try:
                    stream = self._stream(request.write_stream)
                    fields = self.tables.info(stream.ref)["schema"]
                except RpcError as exc:  # answered in-band, so the writer's future carries it
                    stream = None
                    yield _error(request.write_stream, exc.code, exc.message)
                    continue
            if stream is None:
                raise invalid("the first AppendRowsRequest must name write_stream")
            size = request.ByteSize()
            if size > MAX_APPEND_BYTES:
                yield _error(
                    stream,
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"AppendRows request too large: {size} limit {MAX_APPEND_BYTES} Entity: {stream.name}",
                )
                continue
            if request.missing_value_interpretations or request.default_missing_value_interpretation:
                yield _error(
                    stream,
                    grpc.StatusCode.INVALID_ARGUMENT,
                    "missing_value_interpretations are not emulated; send every column's value (NULL for none)",
                )
                continue
            which = request.WhichOneof("rows")
            rows: list[Any] = []
            bad: dict[int, str] = {}
            if which == "proto_rows":
                data = request.proto_rows
                if data.HasField("writer_schema"):
                    row_class = message_class(data.writer_schema.proto_descriptor)
                    extra = extra_fields(row_class.DESCRIPTOR, fields)
                    schema_error = (
                        "Input schema has more fields than BigQuery schema, extra fields: "
                        + ", ".join(f"'{e}'" for e in extra)
                        + f" Entity: {stream.name}"
                        if extra
                        else None
                    )
                if row_class is None:
                    raise invalid("the first proto_rows of a connection need writer_schema.proto_descriptor")
                if schema_error is None:
                    for i, raw in enumerate(data.rows.serialized_rows):
                        try:
                            rows.append(proto_row(row_class.FromString(raw), fields))
                        except pb_message.DecodeError as exc:
                            rows.append(None)
                            bad[i] = f"cannot decode the row with the writer schema: {exc}"
            elif which == "arrow_rows":
                if request.arrow_rows.HasField("writer_schema"):
                    arrow_schema = request.arrow_rows.writer_schema.serialized_schema
                if not arrow_schema:
                    raise invalid("the first arrow_rows of a connection need writer_schema.serialized_schema")
                rows = arrow_rows(arrow_schema, request.arrow_rows.rows.serialized_record_batch)
            else:
                raise invalid("AppendRowsRequest holds no rows; set proto_rows or arrow_rows")
            if schema_error:
                yield _error(stream, grpc.StatusCode.INVALID_ARGUMENT, schema_error)
                continue
            yield self._append(stream, request, rows, bad, fields)

    def _append(self, stream: Stream, request: Any, rows: list[Any], bad: dict[int, str], fields: list[dict]) -> Any:
        default = stream.name.endswith("/" + DEFAULT)
        for i, row in enumerate(rows):
            if i not in bad:
                try:
                    convert_row(row, fields, ignore_unknown=False)
                except RowError as exc:
                    bad[i] = exc.message
        with self._lock:
            if stream.finalized is not None:
                return _error(stream, grpc.StatusCode.INVALID_ARGUMENT, f"Stream is finalized. Entity: {stream.name}")
            start = stream.row_count
            if request.HasField("offset"):
                if default:
                    return _error(
                        stream, grpc.StatusCode.INVALID_ARGUMENT, "offset is not allowed on the _default stream"
                    )
                if request.offset.value < start:
                    return _error(
                        stream,
                        grpc.StatusCode.ALREADY_EXISTS,
                        f"offset {request.offset.value} already has rows; next is {start}",
                    )
                if request.offset.value > start:
                    return _error(
                        stream, grpc.StatusCode.OUT_OF_RANGE, f"offset {request.offset.value} is beyond the end {start}"
                    )
            self.counters.appends += 1
            if bad:
                self.counters.row_errors += len(bad)
                out = _error(stream, grpc.StatusCode.INVALID_ARGUMENT, ROWS_ERROR.format(stream.name))
                for i in sorted(bad):
                    out.row_errors.add(index=i, code=types.RowError.RowErrorCode.FIELDS_ERROR, message=bad[i])
                return out
            if stream.type in (StreamType.PENDING, StreamType.BUFFERED):
                stream.rows.extend(rows)
            elif rows:
                errors = self.tables.insert(stream.ref, rows)
                if errors:
                    return _error(stream, grpc.StatusCode.INVALID_ARGUMENT, errors[0]["errors"][0]["message"])
            stream.row_count += len(rows)
            self.counters.rows += len(rows)
        out = AppendRowsResponse(write_stream=stream.name)
        out.append_result.SetInParent()
        if not default:
            out.append_result.offset.value = start
        return out


def _error(stream: Stream | str, code: grpc.StatusCode, message: str) -> Any:
    out = AppendRowsResponse(write_stream=stream if isinstance(stream, str) else stream.name)
    out.error.code = code.value[0]
    out.error.message = message
    return out


def _field_schema(f: dict) -> Any:
    kind = {"FLOAT64": "DOUBLE", "RECORD": "STRUCT"}.get(f["type"], f["type"])
    type_enum: Any = TableFieldSchema.Type
    mode_enum: Any = TableFieldSchema.Mode
    out = TableFieldSchema.pb()(name=f["name"], type_=type_enum[kind], mode=mode_enum[f["mode"]])
    for sub in f.get("fields", []):
        out.fields.append(_field_schema(sub))
    return out


def _timestamp(when: dt.datetime) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(when)
    return ts
