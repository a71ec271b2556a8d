"""The Storage Write API through google-cloud-bigquery-storage: appends with proto rows (the
writer's descriptor) and Arrow rows; default, committed and pending streams."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from google.api_core import exceptions
from google.cloud.bigquery_storage_v1 import types, writer
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto


def row_class(name: str, fields: list[tuple[str, int]]):
    """A proto message class built at run time, as loaders do for a table schema."""
    proto = descriptor_pb2.DescriptorProto(name=name)
    for number, (field, kind) in enumerate(fields, start=1):
        proto.field.add(name=field, number=number, type=kind, label=F.LABEL_OPTIONAL)
    file = descriptor_pb2.FileDescriptorProto(name=f"{name}.proto", package="test.rows", syntax="proto2")
    file.message_type.add().CopyFrom(proto)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(f"test.rows.{name}")), proto


ROW, ROW_PROTO = row_class("Row", [("id", F.TYPE_INT64), ("name", F.TYPE_STRING), ("at", F.TYPE_INT64)])


def proto_request(rows, *, stream: str | None = None, proto=ROW_PROTO, offset: int | None = None):
    data = types.AppendRowsRequest.ProtoData()
    data.writer_schema = types.ProtoSchema(proto_descriptor=proto)
    data.rows = types.ProtoRows(serialized_rows=[r.SerializeToString() for r in rows])
    request = types.AppendRowsRequest(proto_rows=data)
    if stream:
        request.write_stream = stream
    if offset is not None:
        request.offset = offset
    return request


@pytest.fixture
def table(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.events"
    bigquery_client.query(f"CREATE TABLE `{table_id}` (id INT64 NOT NULL, name STRING, at TIMESTAMP)").result()
    project, ds, name = table_id.split(".")
    return table_id, f"projects/{project}/datasets/{ds}/tables/{name}"


def append(write_client, stream_name: str, request) -> types.AppendRowsResponse:
    template = types.AppendRowsRequest(write_stream=stream_name)
    stream = writer.AppendRowsStream(write_client, template)
    try:
        return stream.send(request).result(timeout=30)
    finally:
        stream.close()


def test_default_stream_append_then_query_sees_the_rows(bigquery_client, bigquery_write_client, table):
    table_id, path = table
    micros = int(dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC).timestamp() * 1_000_000)
    rows = [ROW(id=1, name="a", at=micros), ROW(id=2, name="b"), ROW(id=3)]
    response = append(bigquery_write_client, f"{path}/streams/_default", proto_request(rows))
    assert not response.row_errors and response.write_stream.endswith("/_default")
    got = bigquery_client.query(f"SELECT id, name, at FROM `{table_id}` ORDER BY id").result()
    assert [tuple(r.values()) for r in got] == [
        (1, "a", dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)),
        (2, "b", None),
        (3, None, None),
    ]


def test_rows_not_matching_the_schema_get_row_errors_and_nothing_is_written(
    bigquery_client, bigquery_write_client, table
):
    table_id, path = table
    rows = [ROW(id=1, name="ok"), ROW(name="no id")]  # id is REQUIRED
    with pytest.raises(exceptions.InvalidArgument, match="row_errors") as caught:
        append(bigquery_write_client, f"{path}/streams/_default", proto_request(rows))
    errors = caught.value.response.row_errors
    assert [(e.index, e.code) for e in errors] == [(1, types.RowError.RowErrorCode.FIELDS_ERROR)]
    assert "id" in errors[0].message
    assert bigquery_client.get_table(table_id).num_rows == 0


def test_a_writer_schema_with_fields_the_table_lacks_is_invalid(bigquery_write_client, table):
    _, path = table
    extra, proto = row_class("Extra", [("id", F.TYPE_INT64), ("colour", F.TYPE_STRING)])
    with pytest.raises(exceptions.InvalidArgument, match="extra fields: 'colour'"):
        append(bigquery_write_client, f"{path}/streams/_default", proto_request([extra(id=1)], proto=proto))


def test_pending_stream_rows_appear_only_after_batch_commit(bigquery_client, bigquery_write_client, table):
    table_id, path = table
    stream = bigquery_write_client.create_write_stream(
        parent=path, write_stream=types.WriteStream(type_=types.WriteStream.Type.PENDING)
    )
    assert [f.name for f in stream.table_schema.fields] == ["id", "name", "at"]
    first = append(bigquery_write_client, stream.name, proto_request([ROW(id=1), ROW(id=2)], offset=0))
    assert first.append_result.offset == 0
    with pytest.raises(exceptions.AlreadyExists):
        append(bigquery_write_client, stream.name, proto_request([ROW(id=9)], offset=1))
    with pytest.raises(exceptions.OutOfRange):
        append(bigquery_write_client, stream.name, proto_request([ROW(id=9)], offset=5))
    assert append(bigquery_write_client, stream.name, proto_request([ROW(id=3)], offset=2)).append_result.offset == 2
    assert bigquery_client.get_table(table_id).num_rows == 0

    early = bigquery_write_client.batch_commit_write_streams(request={"parent": path, "write_streams": [stream.name]})
    assert [e.code for e in early.stream_errors] == [types.StorageError.StorageErrorCode.INVALID_STREAM_STATE]
    assert bigquery_write_client.finalize_write_stream(name=stream.name).row_count == 3
    done = bigquery_write_client.batch_commit_write_streams(request={"parent": path, "write_streams": [stream.name]})
    assert not done.stream_errors and done.commit_time
    assert sorted(r.id for r in bigquery_client.list_rows(table_id)) == [1, 2, 3]
    assert bigquery_write_client.get_write_stream(name=stream.name).commit_time


def test_committed_stream_and_arrow_rows(bigquery_client, bigquery_write_client, table):
    table_id, path = table
    stream = bigquery_write_client.create_write_stream(
        parent=path, write_stream=types.WriteStream(type_=types.WriteStream.Type.COMMITTED)
    )
    batch = pa.record_batch({"id": [7, 8], "name": ["x", None]})
    data = types.AppendRowsRequest.ArrowData(
        writer_schema=types.ArrowSchema(serialized_schema=batch.schema.serialize().to_pybytes()),
        rows=types.ArrowRecordBatch(serialized_record_batch=batch.serialize().to_pybytes()),
    )
    append(bigquery_write_client, stream.name, types.AppendRowsRequest(arrow_rows=data))
    assert sorted((r.id, r.name) for r in bigquery_client.list_rows(table_id)) == [(7, "x"), (8, None)]


def test_unknown_streams_and_tables_are_not_found(bigquery_write_client, table):
    _, path = table
    with pytest.raises(exceptions.NotFound):
        bigquery_write_client.get_write_stream(name=f"{path}/streams/nope")
    with pytest.raises(exceptions.NotFound):
        bigquery_write_client.finalize_write_stream(name=f"{path}/streams/nope")
    with pytest.raises(exceptions.NotFound):
        bigquery_write_client.create_write_stream(
            parent=path + "_missing", write_stream=types.WriteStream(type_=types.WriteStream.Type.PENDING)
        )
    with pytest.raises(exceptions.NotFound):
        append(bigquery_write_client, f"{path}_missing/streams/_default", proto_request([ROW(id=1)]))
    with pytest.raises(exceptions.InvalidArgument, match="COMMITTED, PENDING or BUFFERED"):
        bigquery_write_client.create_write_stream(
            parent=path, write_stream=types.WriteStream(type_=types.WriteStream.Type.TYPE_UNSPECIFIED)
        )


def test_buffered_stream_rows_appear_as_they_are_flushed(bigquery_client, bigquery_write_client, table):
    table_id, path = table
    stream = bigquery_write_client.create_write_stream(
        parent=path, write_stream=types.WriteStream(type_=types.WriteStream.Type.BUFFERED)
    )
    append(bigquery_write_client, stream.name, proto_request([ROW(id=i) for i in range(4)], offset=0))
    assert bigquery_client.get_table(table_id).num_rows == 0

    def ids() -> list[int]:
        return [r.id for r in bigquery_client.query(f"SELECT id FROM `{table_id}` ORDER BY id").result()]

    # FlushRows' offset is inclusive: rows 0..1 become visible
    assert bigquery_write_client.flush_rows(request={"write_stream": stream.name, "offset": 1}).offset == 1
    assert ids() == [0, 1]
    assert bigquery_write_client.flush_rows(request={"write_stream": stream.name, "offset": 0}).offset == 0
    assert ids() == [0, 1]
    with pytest.raises(exceptions.OutOfRange, match="beyond the 4 rows"):
        bigquery_write_client.flush_rows(request={"write_stream": stream.name, "offset": 4})
    bigquery_write_client.flush_rows(request={"write_stream": stream.name, "offset": 3})
    assert ids() == [0, 1, 2, 3]
    with pytest.raises(exceptions.InvalidArgument, match="FlushRows applies to BUFFERED streams"):
        bigquery_write_client.flush_rows(request={"write_stream": f"{path}/streams/_default", "offset": 0})


def test_missing_value_interpretations_are_refused_in_the_response(bigquery_client, bigquery_write_client, table):
    table_id, path = table
    request = proto_request([ROW(id=1)])
    request.default_missing_value_interpretation = types.AppendRowsRequest.MissingValueInterpretation.DEFAULT_VALUE
    with pytest.raises(exceptions.InvalidArgument, match="missing_value_interpretations are not emulated"):
        append(bigquery_write_client, f"{path}/streams/_default", request)
    assert bigquery_client.get_table(table_id).num_rows == 0
