"""The Storage Write API refuses an AppendRowsRequest over BigQuery's 10 MB limit, writing nothing."""

from __future__ import annotations

import pytest
from google.api_core import exceptions
from google.cloud.bigquery_storage_v1 import types, writer
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto


def _row_class():
    proto = descriptor_pb2.DescriptorProto(name="Blob")
    proto.field.add(name="body", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    file = descriptor_pb2.FileDescriptorProto(name="blob.proto", package="test.limit", syntax="proto2")
    file.message_type.add().CopyFrom(proto)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("test.limit.Blob")), proto


def _request(rows, proto):
    data = types.AppendRowsRequest.ProtoData()
    data.writer_schema = types.ProtoSchema(proto_descriptor=proto)
    data.rows = types.ProtoRows(serialized_rows=[r.SerializeToString() for r in rows])
    return types.AppendRowsRequest(proto_rows=data)


def test_an_append_over_10_mb_is_invalid_argument_and_writes_nothing(bigquery_client, bigquery_write_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.blobs"
    bigquery_client.query(f"CREATE TABLE `{table_id}` (body STRING)").result()
    p, d, t = table_id.split(".")
    stream_name = f"projects/{p}/datasets/{d}/tables/{t}/streams/_default"
    blob, proto = _row_class()
    big = [blob(body="x" * (1024 * 1024)) for _ in range(11)]
    stream = writer.AppendRowsStream(bigquery_write_client, types.AppendRowsRequest(write_stream=stream_name))
    try:
        with pytest.raises(exceptions.InvalidArgument, match=r"AppendRows request too large: \d+ limit 10485760"):
            stream.send(_request(big, proto)).result(timeout=60)
    finally:
        stream.close()
    stream = writer.AppendRowsStream(bigquery_write_client, types.AppendRowsRequest(write_stream=stream_name))
    try:
        stream.send(_request(big[:2], proto)).result(timeout=60)
    finally:
        stream.close()
    rows = bigquery_client.query(f"SELECT count(*) AS n FROM `{table_id}`").result()
    assert [r.n for r in rows] == [2]
