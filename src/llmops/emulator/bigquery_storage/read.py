"""BigQueryRead: read sessions over a snapshot of a table, streams of row ranges, Arrow batches or Avro rows.

A session runs its (selected fields, row restriction) read once, when it is created, so every
stream reads the same snapshot, as on BigQuery. Streams are contiguous row ranges; a split gives
two new streams covering the original's range back to back.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import pyarrow as pa
from google.cloud.bigquery_storage_v1 import types
from google.protobuf import timestamp_pb2

from .errors import RpcError, invalid, not_found
from .tables import Tables, parse_table

SESSION_TTL = dt.timedelta(hours=6)
MAX_SESSIONS = 64
DEFAULT_STREAMS = 8
MIN_ROWS_PER_STREAM = 100_000
BATCH_BYTES = 4 * 1024 * 1024

ReadSession = types.ReadSession.pb()
ReadStream = types.ReadStream.pb()
ReadRowsResponse = types.ReadRowsResponse.pb()
SplitReadStreamResponse = types.SplitReadStreamResponse.pb()


@dataclass
class Session:
    """One read session: its snapshot, its streams by name and when it expires."""

    name: str
    table_path: str
    rows: pa.Table
    schema_bytes: bytes
    expires: dt.datetime
    streams: dict[str, tuple[int, int]] = field(default_factory=dict)
    avro: Any = None
    """The session's `avro_rows.AvroEncoder` when it reads AVRO; None for ARROW."""


@dataclass
class ReadCounters:
    """What the Read API served (reported by the emulator's /emulator/v1/bigquerystorage route)."""

    sessions: int = 0
    read_rows_calls: int = 0
    rows: int = 0
    bytes: int = 0
    tables: dict[str, int] = field(default_factory=dict)
    """Sessions created per table resource name."""


class ReadService:
    """The BigQueryRead RPCs over raw protobuf messages."""

    def __init__(self, tables: Tables, location: str):
        self.tables = tables
        self.location = location.lower()
        self.counters = ReadCounters()
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ sessions

    def create_read_session(self, request, context: grpc.ServicerContext):
        parent = request.parent
        if not parent.startswith("projects/") or "/" in parent[len("projects/") :] or parent == "projects/":
            raise invalid(f"parent {parent!r} is not a project; use projects/PROJECT")
        asked = request.read_session
        ref = parse_table(asked.table, "read_session.table")
        if asked.data_format not in (
            types.DataFormat.ARROW,
            types.DataFormat.AVRO,
            types.DataFormat.DATA_FORMAT_UNSPECIFIED,
        ):
            raise invalid(
                f"read_session.data_format {types.DataFormat(asked.data_format).name} is not served by the "
                "emulator; use ARROW or AVRO"
            )
        if asked.HasField("table_modifiers") and asked.table_modifiers.HasField("snapshot_time"):
            raise invalid("read_session.table_modifiers.snapshot_time is not emulated; read the current table")
        if request.max_stream_count < 0:
            raise invalid(f"max_stream_count {request.max_stream_count} is negative; use 0 (server's choice) or more")
        opts = asked.read_options
        serialization = (
            opts.avro_serialization_options
            if asked.data_format == types.DataFormat.AVRO
            else opts.arrow_serialization_options
        )
        picos = int(serialization.picos_timestamp_precision)
        if asked.data_format == types.DataFormat.AVRO and picos == 2:
            picos = 1  # the emulator's Avro timestamps are timestamp-micros
        fields, rows = self.tables.read(ref, list(opts.selected_fields), opts.row_restriction, picos)
        session_id = uuid.uuid4().hex
        name = f"projects/{ref.project}/locations/{self.location}/sessions/{session_id}"
        now = dt.datetime.now(dt.UTC)
        session = Session(name, ref.path, rows, rows.schema.serialize().to_pybytes(), now + SESSION_TTL)
        if asked.data_format == types.DataFormat.AVRO:
            from ..bigquery.avro_out import AvroEncoder

            session.avro = AvroEncoder(fields)
        wanted = request.max_stream_count or DEFAULT_STREAMS
        n = 0 if rows.num_rows == 0 else max(1, min(wanted, math.ceil(rows.num_rows / MIN_ROWS_PER_STREAM)))
        bounds = [round(i * rows.num_rows / n) for i in range(n + 1)] if n else []
        for i in range(n):
            session.streams[f"{name}/streams/{i}"] = (bounds[i], bounds[i + 1])
        with self._lock:
            self._sessions[session_id] = session
            self._expire(now)
            self.counters.sessions += 1
            self.counters.tables[ref.path] = self.counters.tables.get(ref.path, 0) + 1
        out = ReadSession()
        out.CopyFrom(asked)
        out.name = name
        out.expire_time.CopyFrom(_timestamp(session.expires))
        if session.avro is not None:
            out.data_format = types.DataFormat.AVRO
            out.avro_schema.schema = session.avro.schema_json
        else:
            out.data_format = types.DataFormat.ARROW
            out.arrow_schema.serialized_schema = session.schema_bytes
        out.estimated_row_count = rows.num_rows
        out.estimated_total_bytes_scanned = rows.nbytes
        for stream_name in session.streams:
            out.streams.add(name=stream_name)
        return out

    def _expire(self, now: dt.datetime) -> None:
        for key in [k for k, s in self._sessions.items() if s.expires <= now]:
            del self._sessions[key]
        while len(self._sessions) > MAX_SESSIONS:
            self._sessions.popitem(last=False)

    def _stream(self, name: str) -> tuple[Session, tuple[int, int]]:
        prefix, sep, _ = name.rpartition("/streams/")
        session_id = prefix.rpartition("/sessions/")[2] if sep else ""
        with self._lock:
            session = self._sessions.get(session_id)
            span = session.streams.get(name) if session else None
        if session is None or span is None:
            raise not_found(
                f"read stream {name!r} not found (unknown or expired session); create a read session and read "
                "its streams"
            )
        return session, span

    # ------------------------------------------------------------------ rows

    def read_rows(self, request, context: grpc.ServicerContext) -> Iterator:
        session, (start, end) = self._stream(request.read_stream)
        if request.offset < 0 or request.offset > end - start:
            raise RpcError(
                grpc.StatusCode.OUT_OF_RANGE,
                f"offset {request.offset} is beyond the {end - start} rows of stream {request.read_stream}; "
                "resume at an offset you have read up to",
            )
        with self._lock:
            self.counters.read_rows_calls += 1
        rows = session.rows.slice(start + request.offset, end - start - request.offset)
        total = end - start
        done = request.offset
        per_row = max(1, rows.nbytes // rows.num_rows) if rows.num_rows else 1
        chunk = max(1, BATCH_BYTES // per_row)
        first = True
        for batch in rows.to_batches(max_chunksize=chunk):
            if not context.is_active():
                return
            out = ReadRowsResponse(row_count=batch.num_rows)
            out.stats.progress.at_response_start = done / total if total else 1.0
            done += batch.num_rows
            out.stats.progress.at_response_end = done / total if total else 1.0
            message: Any
            if session.avro is not None:
                payload = session.avro.encode(batch)
                out.avro_rows.serialized_binary_rows = payload
                message, size = out, len(payload)
            else:
                if first:
                    out.arrow_schema.serialized_schema = session.schema_bytes
                serialized = batch.serialize()
                message, size = _with_arrow_batch(out, serialized, batch.num_rows), serialized.size
            first = False
            with self._lock:
                self.counters.rows += batch.num_rows
                self.counters.bytes += size
            yield message

    def split_read_stream(self, request, context: grpc.ServicerContext):
        session, (start, end) = self._stream(request.name)
        fraction = request.fraction or 0.5
        if not 0.0 < fraction < 1.0:
            raise invalid(f"fraction {request.fraction} is outside (0, 1); give the share the primary stream keeps")
        out = SplitReadStreamResponse()
        cut = start + int((end - start) * fraction)
        if cut <= start or cut >= end:
            return out  # too small to split: BigQuery answers with neither stream
        with self._lock:
            base = len(session.streams)
            primary = f"{session.name}/streams/{base}"
            remainder = f"{session.name}/streams/{base + 1}"
            session.streams[primary] = (start, cut)
            session.streams[remainder] = (cut, end)
        out.primary_stream.name = primary
        out.remainder_stream.name = remainder
        return out


def _varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


_ARROW_RECORD_BATCH = 4  # ReadRowsResponse.arrow_record_batch
_SERIALIZED_RECORD_BATCH, _ROW_COUNT = 1, 2  # ArrowRecordBatch's fields


def _with_arrow_batch(head: Any, batch: pa.Buffer, rows: int) -> bytes:
    """`head` (a ReadRowsResponse) serialized, with `arrow_record_batch` holding `batch` appended
    in protobuf's wire format (a field may follow the others). The batch is copied once, into
    the result, where setting it on the message and serializing copied it three times: the
    copies were most of a large read's server time."""
    inner: list[bytes | memoryview] = [
        bytes([_SERIALIZED_RECORD_BATCH << 3 | 2]) + _varint(batch.size),
        memoryview(batch),
        bytes([_ROW_COUNT << 3]) + _varint(rows),
    ]
    length = sum(len(part) for part in inner)
    tag = bytes([_ARROW_RECORD_BATCH << 3 | 2])
    return b"".join([head.SerializeToString(), tag, _varint(length), *inner])


def _timestamp(when: dt.datetime) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(when)
    return ts
