"""The emulator through the real Google clients, against in-process floors measured in the same run:

  course query     the course's query (10,000-row limit) on a Stack Overflow-shaped dataset,
                   `client.query(sql).result().to_arrow()` vs the same SQL on the in-process
                   BigQuery engine (the `duckdb` warehouse's engine) -> ratio
  SELECT *         100,000 rows x 20 columns the same two ways -> ratio; and the same result
                   pages fetched as bytes without parsing the rows (the emulator's share; the
                   rest is the client's own JSON parsing and conversion)
  small queries    `query_and_wait("SELECT @x + 1")` from 8 concurrent clients: requests/s,
                   p50/p95 latency, vs the in-process engine's rate for the same query
  storage          upload and download MB/s of one file through google-cloud-storage vs a
                   plain file copy (shutil.copyfile) of the same file

The emulator runs as `llmops emulator start` in a subprocess, as users run it.

    python benchmarks/bench_emulator.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from llmops.core import data

PROJECT = "bench-project"
PUBLIC = "bigquery-public-data.stackoverflow"
COURSE_QUERY = data.COURSE_QUERY.replace(f"`{PUBLIC}.", f"`{PROJECT}.bench.")
"""The course's query on the benchmark's scaled-up copies of the public tables."""


def setup_sql(copies: int, big_copies: int) -> list[str]:
    """Statements that build the benchmark tables from the public sample (same on both sides)."""
    offset = "k * 10000000"
    return [
        f"CREATE OR REPLACE TABLE `{PROJECT}.bench.posts_questions` AS "
        f"SELECT q.* REPLACE (q.id + {offset} AS id, q.accepted_answer_id + {offset} AS accepted_answer_id) "
        f"FROM `{PUBLIC}.posts_questions` q, UNNEST(GENERATE_ARRAY(0, {copies - 1})) AS k",
        f"CREATE OR REPLACE TABLE `{PROJECT}.bench.posts_answers` AS "
        f"SELECT a.* REPLACE (a.id + {offset} AS id) "
        f"FROM `{PUBLIC}.posts_answers` a, UNNEST(GENERATE_ARRAY(0, {copies - 1})) AS k",
        f"CREATE OR REPLACE TABLE `{PROJECT}.bench.big` AS "
        f"SELECT q.* FROM `{PROJECT}.bench.posts_questions` q, UNNEST(GENERATE_ARRAY(1, {big_copies})) AS r",
    ]


def start_emulator(data: Path) -> tuple[subprocess.Popen, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMOPS_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "llmops", "--quiet", "emulator", "start", "--port", "0", "--data", str(data), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("}"):
            break
    return proc, json.loads("".join(lines))["endpoint"]


def clients(endpoint: str):
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery, storage

    bq = bigquery.Client(
        project=PROJECT, credentials=AnonymousCredentials(), client_options={"api_endpoint": endpoint}, location="US"
    )
    gcs = storage.Client(project=PROJECT, credentials=AnonymousCredentials(), client_options={"api_endpoint": endpoint})
    return bq, gcs


def best_of(n: int, fn) -> tuple[float, object]:
    times, out = [], None
    for _ in range(n):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def bench_queries(bq, endpoint: str, engine, repeats: int, limit_rows: int) -> dict:
    results = {}
    t_emu, table = best_of(repeats, lambda: bq.query(COURSE_QUERY).result().to_arrow(create_bqstorage_client=False))
    t_loc, local = best_of(repeats, lambda: engine.query(COURSE_QUERY).table)
    assert table.num_rows == local.num_rows == 10000, (table.num_rows, local.num_rows)
    results["course query (10,000 rows)"] = (t_emu, t_loc)
    sql = f"SELECT * FROM `{PROJECT}.bench.big` LIMIT {limit_rows}"
    t_emu, table = best_of(repeats, lambda: bq.query(sql).result().to_arrow(create_bqstorage_client=False))
    t_loc, local = best_of(repeats, lambda: engine.query(sql).table)
    assert table.num_rows == local.num_rows == limit_rows and table.num_columns == 20
    results[f"SELECT * ({limit_rows:,} rows x 20 columns)"] = (t_emu, t_loc)
    job = bq.query(sql)
    job.result()
    t_raw, n = best_of(repeats, lambda: fetch_raw_pages(endpoint, job))
    assert n == limit_rows, n
    results["  its result pages as bytes, unparsed"] = (t_raw, t_loc)
    return results


def fetch_raw_pages(endpoint: str, job) -> int:
    """Fetch every page of a finished query's results as the client does, without parsing the
    rows: the emulator's (and HTTP's) share of the client's time. Returns the row count."""
    import re

    import requests

    url = f"{endpoint}/bigquery/v2/projects/{job.project}/queries/{job.job_id}"
    params = {"location": job.location, "formatOptions.useInt64Timestamp": "true"}
    rows, token = 0, None
    with requests.Session() as session:
        while True:
            raw = session.get(url, params={**params, **({"pageToken": token} if token else {})}).content
            rows += raw.count(b'{"f":[')
            found = re.search(rb'"pageToken":"([^"]+)"', raw)
            if not found:
                return rows
            token = found.group(1).decode()


def bench_small_queries(endpoint: str, engine, seconds: float, workers: int = 8) -> dict:
    from google.cloud import bigquery

    config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("x", "INT64", 41)])
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker() -> None:
        bq, _ = clients(endpoint)
        list(bq.query_and_wait("SELECT @x + 1 AS y", job_config=config))  # warm the connection
        mine = []
        while time.perf_counter() < stop:
            start = time.perf_counter()
            rows = list(bq.query_and_wait("SELECT @x + 1 AS y", job_config=config))
            mine.append(time.perf_counter() - start)
            assert rows[0]["y"] == 42
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    n_local, start = 0, time.perf_counter()
    while time.perf_counter() - start < min(seconds, 2.0):
        engine.query("SELECT @x + 1 AS y", {"x": 41}, param_types={"x": "INT64"})
        n_local += 1
    local_rate = n_local / (time.perf_counter() - start)
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "local_rps": local_rate,
    }


def bench_storage(gcs, folder: Path, megabytes: int, repeats: int) -> dict:
    src = folder / "payload.bin"
    src.write_bytes(os.urandom(megabytes * 1024 * 1024))
    bucket = gcs.lookup_bucket("bench-bucket") or gcs.create_bucket("bench-bucket")
    t_copy, _ = best_of(repeats, lambda: shutil.copyfile(src, folder / "copy.bin"))
    t_up, _ = best_of(repeats, lambda: bucket.blob("payload.bin").upload_from_filename(str(src)))
    t_down, _ = best_of(repeats, lambda: bucket.blob("payload.bin").download_to_filename(str(folder / "down.bin")))
    assert (folder / "down.bin").read_bytes() == src.read_bytes()
    return {"MB": megabytes, "copy": megabytes / t_copy, "upload": megabytes / t_up, "download": megabytes / t_down}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller data, fewer repeats (for CI)")
    args = parser.parse_args()
    copies, limit_rows, repeats, seconds, megabytes = (25, 100_000, 3, 5.0, 64)
    if args.quick:
        copies, limit_rows, repeats, seconds, megabytes = (21, 20_000, 1, 2.0, 16)
    big_copies = -(-limit_rows // (600 * copies))

    from llmops.emulator.bigquery.engine import BigQueryEngine

    folder = Path(tempfile.mkdtemp(prefix="bench-emulator-"))
    proc, endpoint = start_emulator(folder / "emulator")
    try:
        bq, gcs = clients(endpoint)
        engine = BigQueryEngine(folder / "local.duckdb", default_project=PROJECT, keep_open=True)
        bq.create_dataset("bench", exists_ok=True)
        engine.create_dataset(PROJECT, "bench", exists_ok=True)
        for sql in setup_sql(copies, big_copies):
            bq.query_and_wait(sql)
            engine.query(sql)
        print(f"emulator at {endpoint}; {copies * 600:,} questions, {big_copies * copies * 600:,} rows in bench.big\n")
        print(f"{'query (real BigQuery client)':<40} {'emulator':>10} {'in-process':>11} {'ratio':>7}")
        for name, (t_emu, t_loc) in bench_queries(bq, endpoint, engine, repeats, limit_rows).items():
            print(f"{name:<40} {t_emu:>9.3f}s {t_loc:>10.3f}s {t_emu / t_loc:>6.1f}x")
        small = bench_small_queries(endpoint, engine, seconds)
        print(
            f"\nsmall queries, 8 concurrent clients: {small['rps']:.0f} requests/s "
            f"(p50 {small['p50_ms']:.1f} ms, p95 {small['p95_ms']:.1f} ms, {small['requests']} requests); "
            f"in-process engine {small['local_rps']:.0f}/s -> ratio {small['local_rps'] / small['rps']:.1f}x"
        )
        st = bench_storage(gcs, folder, megabytes, repeats)
        print(
            f"\nstorage, {st['MB']} MiB file: upload {st['upload']:.0f} MB/s, download {st['download']:.0f} MB/s, "
            f"file copy {st['copy']:.0f} MB/s -> upload {st['copy'] / st['upload']:.1f}x, "
            f"download {st['copy'] / st['download']:.1f}x slower than a copy"
        )
        engine.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
