"""Reading a large table through the emulator's BigQuery Storage Read API against the REST path
and the in-process floor.

For a table of N rows (id INT64, name STRING, score FLOAT64, at TIMESTAMP; default 1,000,000):

  floor   the engine's own `SELECT *` to an Arrow table, in process (no serialization, no
          network): the least any read can cost
  grpc    `list_rows(table).to_arrow(bqstorage_client=...)` through google-cloud-bigquery and
          google-cloud-bigquery-storage: a read session, Arrow record batches over gRPC
  rest    `list_rows(table).to_arrow(create_bqstorage_client=False)`: tabledata.list pages of
          JSON rows, as without google-cloud-bigquery-storage

Ratios: rest/grpc (> 1 means the Read API is faster than REST) and grpc/floor (the Read API's
overhead over the floor). Each timing is the best of `--runs` (default 2; REST once at 1,000,000
rows, where one read takes tens of seconds).

    python benchmarks/bench_bq_storage_read.py [--rows N] [--runs R] [--json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any


def best_of(fn: Any, runs: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def measure(rows: int, runs: int, rest_runs: int) -> dict[str, Any]:
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    from llmops.emulator.bigquery.api import BigQueryApi
    from llmops.emulator.bigquery_storage.api import BigQueryStorageApi
    from llmops.emulator.bigquery_storage.clients import read_client
    from llmops.testing import start_emulator

    warnings.simplefilter("ignore")
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
            client.query(
                "CREATE TABLE bench.big AS SELECT x AS id, CONCAT('name-', CAST(x AS STRING)) AS name, "
                "x / 7 AS score, TIMESTAMP_ADD(TIMESTAMP '2024-01-01 00:00:00+00', INTERVAL x SECOND) AS at "
                f"FROM UNNEST(GENERATE_ARRAY(1, {rows})) AS x"
            ).result()
            engine = emulator.api(BigQueryApi).bigquery
            reader = read_client(emulator.api(BigQueryStorageApi).endpoint)

            floor, table = best_of(lambda: engine.query("SELECT * FROM `bench.bench.big`").table, runs)
            assert table.num_rows == rows
            grpc_s, table = best_of(lambda: client.list_rows("bench.bench.big").to_arrow(bqstorage_client=reader), runs)
            assert table.num_rows == rows
            rest_s, table = best_of(
                lambda: client.list_rows("bench.bench.big").to_arrow(create_bqstorage_client=False), rest_runs
            )
            assert table.num_rows == rows
        finally:
            running.server.stop()
    return {
        "rows": rows,
        "floor_s": round(floor, 3),
        "grpc_s": round(grpc_s, 3),
        "rest_s": round(rest_s, 3),
        "rest_over_grpc": round(rest_s / grpc_s, 2),
        "grpc_over_floor": round(grpc_s / floor, 2),
        "grpc_rows_per_s": round(rows / grpc_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print only JSON")
    args = parser.parse_args()
    result = measure(args.rows, args.runs, 1 if args.rows >= 500_000 else args.runs)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['rows']:,} rows")
    print(f"  floor (engine, in process)  {result['floor_s']:8.3f} s")
    print(f"  Read API (gRPC, Arrow)      {result['grpc_s']:8.3f} s  {result['grpc_rows_per_s']:,} rows/s")
    print(f"  REST (tabledata.list JSON)  {result['rest_s']:8.3f} s")
    print(f"  REST / Read API  {result['rest_over_grpc']:.2f}x   Read API / floor  {result['grpc_over_floor']:.2f}x")


if __name__ == "__main__":
    main()
