"""Writing rows through the emulator's BigQuery Storage Write API against `tabledata.insertAll`
(the REST streaming insert) and an in-process floor.

For N rows (id INT64, name STRING, score FLOAT64; default 200,000), in appends of `--batch` rows:

  floor    the engine's own `INSERT INTO t SELECT * FROM <arrow table>` in process: the least any
           write can cost
  arrow    AppendRows on the `_default` stream with Arrow record batches, through
           google-cloud-bigquery-storage (client serialization and gRPC included)
  proto    the same with proto rows (the writer's descriptor; what most loaders send)
  rest     `client.insert_rows_json` (tabledata.insertAll), 10,000 rows a request, on a tenth of N

Reported: rows/s for each, and ratios against the floor and against REST. Each timing is the
best of `--runs` (default 2), into a fresh table.

    python benchmarks/bench_bq_storage_write.py [--rows N] [--batch B] [--runs R] [--json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any


def row_class() -> tuple[Any, Any]:
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    field = descriptor_pb2.FieldDescriptorProto
    proto = descriptor_pb2.DescriptorProto(name="Row")
    for number, (name, kind) in enumerate(
        [("id", field.TYPE_INT64), ("name", field.TYPE_STRING), ("score", field.TYPE_DOUBLE)], start=1
    ):
        proto.field.add(name=name, number=number, type=kind, label=field.LABEL_OPTIONAL)
    file = descriptor_pb2.FileDescriptorProto(name="bench_row.proto", package="bench", syntax="proto2")
    file.message_type.add().CopyFrom(proto)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("bench.Row")), proto


def duck_name(con: Any, table: str) -> str:
    """The DuckDB name of a BigQuery table (`catalog.schema.table` as the engine stores it)."""
    name = table.rsplit(".", 1)[-1]
    found = con.execute(
        "SELECT table_catalog, table_schema FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchall()
    catalog, schema = found[0]
    return f'"{catalog}"."{schema}"."{name}"'


def measure(rows: int, batch: int, runs: int) -> dict[str, Any]:
    import pyarrow as pa
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery
    from google.cloud.bigquery_storage_v1 import types, writer

    from llmops.emulator.bigquery.api import BigQueryApi
    from llmops.emulator.bigquery_storage.api import BigQueryStorageApi
    from llmops.emulator.bigquery_storage.clients import write_client
    from llmops.testing import start_emulator

    warnings.simplefilter("ignore")
    ids = list(range(rows))
    data = pa.table({"id": ids, "name": [f"name-{i}" for i in ids], "score": [i / 7 for i in ids]})
    row, proto = row_class()
    messages = [row(id=i, name=f"name-{i}", score=i / 7).SerializeToString() for i in ids]
    with tempfile.TemporaryDirectory() as tmp:
        running = start_emulator(Path(tmp))
        try:
            emulator = running.server.app.state.emulator
            client = bigquery.Client(
                project="bench",
                credentials=AnonymousCredentials(),
                client_options=ClientOptions(api_endpoint=running.endpoint),
            )
            client.create_dataset("bench")
            engine = emulator.api(BigQueryApi).bigquery
            writes = write_client(emulator.api(BigQueryStorageApi).endpoint)
            made = 0

            def fresh() -> tuple[str, str]:
                nonlocal made
                made += 1
                name = f"t{made}"
                client.query(f"CREATE TABLE bench.{name} (id INT64, name STRING, score FLOAT64)").result()
                return f"bench.bench.{name}", f"projects/bench/datasets/bench/tables/{name}/streams/_default"

            def count(table: str) -> int:
                return next(iter(client.query(f"SELECT COUNT(*) FROM `{table}`").result()))[0]

            def timed(write: Any, expected: int) -> float:
                best = float("inf")
                for _ in range(runs):
                    table, stream_name = fresh()
                    start = time.perf_counter()
                    write(table, stream_name)
                    best = min(best, time.perf_counter() - start)
                    assert count(table) == expected, table
                return best

            def floor(table: str, _: str) -> None:
                # The same rows into the same table, in process, by the emulator's own engine.
                with engine.connection() as con:
                    con.register("bench_rows", data)
                    target = engine.query(f"SELECT * FROM `{table}` LIMIT 0")  # the table exists
                    assert target.table.num_rows == 0
                    con.execute(f"INSERT INTO {duck_name(con, table)} SELECT * FROM bench_rows")

            def append_all(stream_name: str, requests: list[Any]) -> None:
                stream = writer.AppendRowsStream(writes, types.AppendRowsRequest(write_stream=stream_name))
                try:
                    futures = [stream.send(r) for r in requests]
                    for f in futures:
                        assert not f.result(timeout=120).row_errors
                finally:
                    stream.close()

            def arrow(_: str, stream_name: str) -> None:
                schema = types.ArrowSchema(serialized_schema=data.schema.serialize().to_pybytes())
                requests = []
                for rb in data.to_batches(max_chunksize=batch):
                    payload = types.AppendRowsRequest.ArrowData(
                        writer_schema=schema,
                        rows=types.ArrowRecordBatch(serialized_record_batch=rb.serialize().to_pybytes()),
                    )
                    requests.append(types.AppendRowsRequest(arrow_rows=payload))
                append_all(stream_name, requests)

            def protos(_: str, stream_name: str) -> None:
                requests = []
                for start in range(0, rows, batch):
                    payload = types.AppendRowsRequest.ProtoData(
                        writer_schema=types.ProtoSchema(proto_descriptor=proto),
                        rows=types.ProtoRows(serialized_rows=messages[start : start + batch]),
                    )
                    requests.append(types.AppendRowsRequest(proto_rows=payload))
                append_all(stream_name, requests)

            rest_rows = max(1, rows // 10)
            json_rows = [{"id": i, "name": f"name-{i}", "score": i / 7} for i in range(rest_rows)]

            def rest(table: str, _: str) -> None:
                for start in range(0, rest_rows, 10_000):
                    assert not client.insert_rows_json(table, json_rows[start : start + 10_000])

            floor_s = timed(floor, rows)
            arrow_s = timed(arrow, rows)
            proto_s = timed(protos, rows)
            rest_s = timed(rest, rest_rows)
        finally:
            running.server.stop()
    rate = {"floor": rows / floor_s, "arrow": rows / arrow_s, "proto": rows / proto_s, "rest": rest_rows / rest_s}
    return {
        "rows": rows,
        "batch": batch,
        "rows_per_s": {k: round(v) for k, v in rate.items()},
        "arrow_over_floor_time": round(rate["floor"] / rate["arrow"], 2),
        "proto_over_floor_time": round(rate["floor"] / rate["proto"], 2),
        "arrow_vs_rest_rate": round(rate["arrow"] / rate["rest"], 1),
        "proto_vs_rest_rate": round(rate["proto"] / rate["rest"], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print only JSON")
    args = parser.parse_args()
    result = measure(args.rows, args.batch, args.runs)
    if args.json:
        print(json.dumps(result))
        return
    r = result["rows_per_s"]
    print(f"{result['rows']:,} rows in appends of {result['batch']:,}:")
    print(f"  floor (in-process INSERT)   {r['floor']:>12,} rows/s")
    print(
        f"  Write API, Arrow rows       {r['arrow']:>12,} rows/s  ({result['arrow_over_floor_time']}x the floor's time)"
    )
    print(
        f"  Write API, proto rows       {r['proto']:>12,} rows/s  ({result['proto_over_floor_time']}x the floor's time)"
    )
    print(f"  REST insertAll              {r['rest']:>12,} rows/s")
    print(f"  Write API vs REST: Arrow {result['arrow_vs_rest_rate']}x, proto {result['proto_vs_rest_rate']}x the rate")


if __name__ == "__main__":
    main()
