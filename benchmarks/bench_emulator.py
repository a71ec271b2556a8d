"""The emulator through the real Google clients, against in-process floors measured in the same run:

  course query     the course's query (10,000-row limit) on a Stack Overflow-shaped dataset,
                   `client.query(sql).result().to_arrow()` vs the same SQL on the in-process
                   BigQuery engine (the `duckdb` warehouse's engine) -> ratio; these run with
                   `use_query_cache=False`, so every repeat runs the query
  SELECT *         100,000 rows x 20 columns the same two ways -> ratio; where
                   google-cloud-bigquery-storage is installed, the same `to_arrow()` reading the
                   result through the Read API, as the client then does by default (the REST
                   rows above are forced with create_bqstorage_client=False), and of that the
                   time the client waits after its last page (its own 0.2 s poll); and the same result
                   pages fetched as bytes without parsing the rows (the emulator's share; the
                   rest is the client's own JSON parsing and conversion)
  small queries    `query_and_wait("SELECT @x + 1")` from 8 concurrent clients: requests/s,
                   p50/p95 latency and the server's CPU time per request, answered from
                   BigQuery's query cache (the client's default: the same query again) and run
                   every time (`use_query_cache=False`, the same emulator), against second and
                   third emulators on asyncio's own event loop (instead of uvloop) and on
                   uvicorn's pure-Python h11 parser (the baselines; rounds alternate between
                   them), against the client's floor (`canned_bigquery.py`: a server answering
                   one fixed response at once), and the in-process engine's rate; then the
                   same with each client in a process of its own (`small_query_processes.py`)
  engine           the in-process engine's fixed cost per small query (a constant SELECT, a
                   parameterized one, a WHERE on a 1,000-row table) against the same SQL on a bare
                   DuckDB cursor (`cur.sql(sql, params=...).to_arrow_table()`), alternating rounds
                   -> CPU microseconds each and the ratio
  http             the HTTP protocol alone (parse, trivial app, answer), in-process: CPU per
                   request on httptools vs h11
  storage          upload and download MB/s of one file through google-cloud-storage vs a
                   plain file copy (shutil.copyfile) of the same file

The emulator runs as `llmops emulator start` in a subprocess, as users run it.

    python benchmarks/bench_emulator.py [--quick] [--only queries,small,engine,http,storage] [--rows N] [--seconds S]
"""

from __future__ import annotations

import argparse
import contextlib
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


def start_emulator(data: Path, http: str = "httptools", loop: str = "auto") -> tuple[subprocess.Popen, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMOPS_")}
    env["LLMOPS_EMULATOR_HTTP"] = http
    env["LLMOPS_EMULATOR_LOOP"] = loop
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
    endpoint = json.loads("".join(lines))["endpoint"]
    _PIDS[endpoint] = proc.pid
    return proc, endpoint


def start_canned() -> tuple[subprocess.Popen, str]:
    """The client's floor: `canned_bigquery.py`, which answers every request with one fixed response."""
    script = Path(__file__).with_name("canned_bigquery.py")
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    endpoint = json.loads(proc.stdout.readline())["endpoint"]
    _PIDS[endpoint] = proc.pid
    return proc, endpoint


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
    from google.cloud import bigquery

    run = bigquery.QueryJobConfig(use_query_cache=False)  # every repeat runs: the engine's work is measured

    results = {}
    t_emu, table = best_of(
        repeats, lambda: bq.query(COURSE_QUERY, job_config=run).result().to_arrow(create_bqstorage_client=False)
    )
    t_loc, local = best_of(repeats, lambda: engine.query(COURSE_QUERY).table)
    assert table.num_rows == local.num_rows == 10000, (table.num_rows, local.num_rows)
    results["course query (10,000 rows)"] = (t_emu, t_loc)
    sql = f"SELECT * FROM `{PROJECT}.bench.big` LIMIT {limit_rows}"
    t_emu, table = best_of(
        repeats, lambda: bq.query(sql, job_config=run).result().to_arrow(create_bqstorage_client=False)
    )
    t_loc, local = best_of(repeats, lambda: engine.query(sql).table)
    assert table.num_rows == local.num_rows == limit_rows and table.num_columns == 20
    results[f"SELECT * ({limit_rows:,} rows x 20 columns)"] = (t_emu, t_loc)
    try:
        import google.cloud.bigquery_storage  # noqa: F401
    except ImportError:
        pass
    else:
        # What the client does by default where google-cloud-bigquery-storage is installed: read
        # the result table through the Read API (the emulator's gRPC port) instead of REST pages.
        from llmops.offline import bigquery_storage_on_emulator

        bigquery_storage_on_emulator()
        with client_wait_after_last_page() as waits:
            t_read, table = best_of(repeats, lambda: bq.query(sql, job_config=run).result().to_arrow())
        assert table.num_rows == limit_rows and table.num_columns == 20
        results["  the same through the Read API"] = (t_read, t_loc)
        if waits:
            results["    of which the client's last poll"] = (statistics.median(waits), t_loc)
    job = bq.query(sql)
    job.result()
    t_raw, n = best_of(repeats, lambda: fetch_raw_pages(endpoint, job))
    assert n == limit_rows, n
    results["  its result pages as bytes, unparsed"] = (t_raw, t_loc)
    return results


@contextlib.contextmanager
def client_wait_after_last_page():
    """Seconds google-cloud-bigquery's Read API download spends after it has handed over its last
    page, one per `to_arrow()`: its main thread waits for pages in `queue.get(timeout=0.2)`
    (`_PROGRESS_INTERVAL`) and, once it has seen its download threads done, still waits once more
    on the empty queue before leaving its loop: a whole interval. The client's own fixed cost, whatever the server; an empty list where the
    client's (private) downloader is not found."""
    waits: list[float] = []
    try:
        from google.cloud.bigquery import _pandas_helpers as helpers

        download = helpers._download_table_bqstorage
    except (ImportError, AttributeError):
        yield waits
        return

    def timed(*args, **kwargs):
        last = None
        for item in download(*args, **kwargs):
            yield item
            last = time.perf_counter()
        if last is not None:
            waits.append(time.perf_counter() - last)

    helpers._download_table_bqstorage = timed
    try:
        yield waits
    finally:
        helpers._download_table_bqstorage = download


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


def bench_small_queries(
    endpoints: dict[str, tuple[str, bool]], engine, seconds: float, workers: int = 8, rounds: int = 3
) -> dict:
    """`query_and_wait("SELECT @x + 1")` from `workers` concurrent clients against each emulator
    in `endpoints` (name -> (url, whether the query cache may answer)), in alternating rounds (so a
    change in the machine's load hits every one alike): requests/s, p50/p95 latency and the
    server's CPU time per request, per endpoint."""
    from google.cloud import bigquery

    param = bigquery.ScalarQueryParameter("x", "INT64", 41)
    configs = {
        name: bigquery.QueryJobConfig(query_parameters=[param], use_query_cache=cached)
        for name, (_, cached) in endpoints.items()
    }
    pool = {name: [clients(url)[0] for _ in range(workers)] for name, (url, _) in endpoints.items()}
    for name, bqs in pool.items():
        for bq in bqs:
            list(bq.query_and_wait("SELECT @x + 1 AS y", job_config=configs[name]))  # warm the connection
    latencies: dict[str, list[float]] = {name: [] for name in endpoints}
    elapsed = dict.fromkeys(endpoints, 0.0)
    cpu = dict.fromkeys(endpoints, 0.0)
    lock = threading.Lock()

    def worker(bq, name: str, stop: float) -> None:
        mine = []
        config = configs[name]
        while time.perf_counter() < stop:
            start = time.perf_counter()
            rows = list(bq.query_and_wait("SELECT @x + 1 AS y", job_config=config))
            mine.append(time.perf_counter() - start)
            assert rows[0]["y"] == 42
        with lock:
            latencies[name].extend(mine)

    for _ in range(rounds):
        for name, bqs in pool.items():
            stop = time.perf_counter() + seconds / rounds
            threads = [threading.Thread(target=worker, args=(bq, name, stop)) for bq in bqs]
            began, cpu_before = time.perf_counter(), _server_cpu(endpoints[name][0])
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed[name] += time.perf_counter() - began
            cpu[name] += _server_cpu(endpoints[name][0]) - cpu_before
    n_local, start = 0, time.perf_counter()
    while time.perf_counter() - start < min(seconds, 2.0):
        engine.query("SELECT @x + 1 AS y", {"x": 41}, param_types={"x": "INT64"})
        n_local += 1
    local_rate = n_local / (time.perf_counter() - start)
    from small_query_processes import summary

    return {name: {**r, "local_rps": local_rate} for name, r in summary(latencies, elapsed, cpu).items()}


ENGINE_QUERIES = (
    ("constant", "SELECT 41 + 1 AS y", None, None, "SELECT 41 + 1 AS y", None),
    ("parameterized", "SELECT @x + 1 AS y", {"x": 41}, {"x": "INT64"}, "SELECT $1 + 1 AS y", [41]),
    (
        "table, WHERE",
        f"SELECT id, name FROM `{PROJECT}.small.t` WHERE id = @x",
        {"x": 41},
        {"x": "INT64"},
        "SELECT id, name FROM t WHERE id = $1",
        [41],
    ),
)


def bench_engine_overhead(folder: Path, n: int = 300, rounds: int = 5) -> dict[str, tuple[float, float]]:
    """CPU seconds per query (this process, all its threads: steadier than wall time on a busy
    machine) of `ENGINE_QUERIES` on the in-process engine and on a bare DuckDB cursor of a plain
    database holding the same table, best of `rounds` alternating rounds of `n`."""
    import duckdb

    from llmops.emulator.bigquery.engine import BigQueryEngine

    make = "SELECT x AS id, CAST(x AS STRING) AS name FROM UNNEST(GENERATE_ARRAY(1, 1000)) AS x"
    engine = BigQueryEngine(folder / "overhead.duckdb", default_project=PROJECT, keep_open=True)
    engine.create_dataset(PROJECT, "small", exists_ok=True)
    engine.query(f"CREATE OR REPLACE TABLE `{PROJECT}.small.t` AS {make}")
    bare = duckdb.connect(str(folder / "bare.duckdb"))
    bare.execute("CREATE OR REPLACE TABLE t AS SELECT range AS id, CAST(range AS VARCHAR) AS name FROM range(1, 1001)")

    def on_engine(sql, params, types):
        return engine.query(sql, params, param_types=types).table

    def on_bare(sql, params):
        cur = bare.cursor()
        try:
            return (cur.sql(sql, params=params) if params else cur.sql(sql)).to_arrow_table()
        finally:
            cur.close()

    best: dict[str, list[float]] = {}
    try:
        for name, sql, params, types, bare_sql, bare_params in ENGINE_QUERIES:
            assert on_engine(sql, params, types).to_pylist() == on_bare(bare_sql, bare_params).to_pylist()
            best[name] = [float("inf"), float("inf")]
        for _ in range(rounds):
            for name, sql, params, types, bare_sql, bare_params in ENGINE_QUERIES:
                calls = ((on_engine, (sql, params, types)), (on_bare, (bare_sql, bare_params)))
                for side, (run, args) in enumerate(calls):
                    start = time.process_time()
                    for _ in range(n):
                        run(*args)
                    best[name][side] = min(best[name][side], (time.process_time() - start) / n)
    finally:
        engine.close()
        bare.close()
    return {name: (t[0], t[1]) for name, t in best.items()}


def bench_http_parsers(requests: int = 3000, repeats: int = 3) -> dict[str, float]:
    """CPU microseconds per request of the emulator's HTTP protocol alone (parse a jobs.query
    request as google-cloud-bigquery sends it, run a trivial ASGI app, write its answer), on
    httptools and on h11, in this process; best of `repeats`."""
    import asyncio

    import uvicorn
    from uvicorn.server import ServerState

    from llmops.emulator.server.sniff import protocol_class

    body = json.dumps({"query": "SELECT @x + 1 AS y", "useLegacySql": False, "location": "US"}).encode()
    request = (
        b"POST /bigquery/v2/projects/p/queries?prettyPrint=false HTTP/1.1\r\nHost: 127.0.0.1:9050\r\n"
        b"User-Agent: gcloud-python/3.47.0\r\nAccept-Encoding: gzip, deflate\r\nAccept: */*\r\n"
        b"Connection: keep-alive\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
    ) % (len(body), body)
    answer = b'{"kind":"bigquery#queryResponse","jobComplete":true,"totalRows":"1","rows":[{"f":[{"v":"42"}]}]}'

    async def app(scope, receive, send):
        if scope["type"] == "http":
            await receive()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(answer)).encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": answer})

    class Transport(asyncio.Transport):
        answered = 0

        def write(self, data):
            self.answered += data.startswith(b"HTTP/1.1 200")

        def get_extra_info(self, name, default=None):
            return ("127.0.0.1", 9050) if name in ("sockname", "peername") else default

        def is_closing(self):
            return False

    async def run(parser: str) -> float:
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
        config.load()
        protocol = protocol_class(parser)(config=config, server_state=ServerState(), app_state={})
        transport = Transport()
        protocol.connection_made(transport)
        start = time.process_time()
        for _ in range(requests):
            protocol.data_received(request)
            await asyncio.sleep(0)  # the request's task runs the app
            await asyncio.sleep(0)
        spent = time.process_time() - start
        assert transport.answered == requests, (parser, transport.answered)
        return 1e6 * spent / requests

    async def best() -> dict[str, float]:
        times: dict[str, list[float]] = {"httptools": [], "h11": []}
        for _ in range(repeats):
            for parser in times:
                times[parser].append(await run(parser))
        return {parser: min(t) for parser, t in times.items()}

    return asyncio.run(best())


_PIDS: dict[str, int] = {}
"""Emulator process ids by endpoint (for their CPU time)."""


def _server_cpu(endpoint: str) -> float:
    """CPU seconds (user + system) the emulator serving `endpoint` has used so far (NaN where
    there is no /proc)."""
    try:
        with open(f"/proc/{_PIDS[endpoint]}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_storage(gcs, folder: Path, megabytes: int, repeats: int) -> dict:
    src = folder / "payload.bin"
    src.write_bytes(os.urandom(megabytes * 1024 * 1024))
    bucket = gcs.lookup_bucket("bench-bucket") or gcs.create_bucket("bench-bucket")
    t_copy, _ = best_of(repeats, lambda: shutil.copyfile(src, folder / "copy.bin"))
    t_up, _ = best_of(repeats, lambda: bucket.blob("payload.bin").upload_from_filename(str(src)))
    t_down, _ = best_of(repeats, lambda: bucket.blob("payload.bin").download_to_filename(str(folder / "down.bin")))
    assert (folder / "down.bin").read_bytes() == src.read_bytes()
    return {"MB": megabytes, "copy": megabytes / t_copy, "upload": megabytes / t_up, "download": megabytes / t_down}


def _print_rows(small: dict) -> None:
    for name, r in small.items():
        print(
            f"  {name:<15} {r['rps']:>5.0f} requests/s  p50 {r['p50_ms']:5.1f} ms  p95 {r['p95_ms']:5.1f} ms  "
            f"server CPU {r['server_cpu_ms']:.2f} ms/request  ({r['requests']} requests)"
        )


def _print_goal(small: dict) -> None:
    floor = small["client floor"]
    for label, r in (("answered from the query cache", small["emulator"]), ("run every time", small["no query cache"])):
        print(
            f"  {label}: the emulator adds {r['p50_ms'] - floor['p50_ms']:.1f} ms to the client floor's p50 "
            f"{floor['p50_ms']:.1f} ms (a canned answer, no work): {r['p50_ms'] / floor['p50_ms']:.2f}x the "
            f"floor; the goal p50 < 10 ms is {'met' if r['p50_ms'] < 10 else 'NOT met'}"
        )


SECTIONS = ("queries", "small", "engine", "http", "storage")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller data, fewer repeats (for CI)")
    parser.add_argument(
        "--only", default=",".join(SECTIONS), help=f"comma-separated sections to run (default: all of {SECTIONS})"
    )
    parser.add_argument("--rows", type=int, help="rows of the SELECT * query (default 100,000; 20,000 with --quick)")
    parser.add_argument(
        "--seconds", type=float, help="seconds of small queries per emulator (default 6; 3 with --quick)"
    )
    args = parser.parse_args()
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    if only - set(SECTIONS):
        parser.error(f"--only takes {', '.join(SECTIONS)}")
    copies, limit_rows, repeats, seconds, megabytes = (25, 100_000, 3, 6.0, 64)
    if args.quick:
        copies, limit_rows, repeats, seconds, megabytes = (21, 20_000, 1, 3.0, 16)
    limit_rows = args.rows or limit_rows
    seconds = args.seconds or seconds
    big_copies = -(-limit_rows // (600 * copies))

    from llmops.emulator.bigquery.engine import BigQueryEngine

    folder = Path(tempfile.mkdtemp(prefix="bench-emulator-"))
    procs = []
    try:
        proc, endpoint = start_emulator(folder / "emulator")
        procs.append(proc)
        bq, gcs = clients(endpoint)
        engine = BigQueryEngine(folder / "local.duckdb", default_project=PROJECT, keep_open=True)
        print(f"emulator at {endpoint}; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        if "queries" in only:
            bq.create_dataset("bench", exists_ok=True)
            engine.create_dataset(PROJECT, "bench", exists_ok=True)
            for sql in setup_sql(copies, big_copies):
                bq.query_and_wait(sql)
                engine.query(sql)
            print(f"{copies * 600:,} questions, {big_copies * copies * 600:,} rows in bench.big\n")
            print(f"{'query (real BigQuery client)':<40} {'emulator':>10} {'in-process':>11} {'ratio':>7}")
            for name, (t_emu, t_loc) in bench_queries(bq, endpoint, engine, repeats, limit_rows).items():
                print(f"{name:<40} {t_emu:>9.3f}s {t_loc:>10.3f}s {t_emu / t_loc:>6.1f}x")
        if "small" in only:
            # The baselines: the same emulator on asyncio's own event loop, and on uvicorn's
            # pure-Python h11 parser.
            on_asyncio, asyncio_endpoint = start_emulator(folder / "emulator-asyncio", loop="asyncio")
            procs.append(on_asyncio)
            baseline, baseline_endpoint = start_emulator(folder / "emulator-h11", http="h11", loop="asyncio")
            procs.append(baseline)
            canned, canned_endpoint = start_canned()
            procs.append(canned)
            small = bench_small_queries(
                {
                    "emulator": (endpoint, True),
                    "no query cache": (endpoint, False),
                    "asyncio loop": (asyncio_endpoint, True),
                    "h11 (baseline)": (baseline_endpoint, True),
                    "client floor": (canned_endpoint, True),
                },
                engine,
                seconds,
            )
            print("\nsmall queries (query_and_wait), 8 concurrent clients, alternating rounds:")
            _print_rows(small)
            new, on_asyncio, old = small["emulator"], small["asyncio loop"], small["h11 (baseline)"]
            print(
                f"  uvloop vs asyncio's loop: p50 {on_asyncio['p50_ms'] / new['p50_ms']:.2f}x lower, "
                f"server CPU {on_asyncio['server_cpu_ms'] / new['server_cpu_ms']:.2f}x lower\n"
                f"  httptools vs h11 (both on asyncio's loop): p50 {old['p50_ms'] / on_asyncio['p50_ms']:.2f}x lower, "
                f"server CPU {old['server_cpu_ms'] / on_asyncio['server_cpu_ms']:.2f}x lower; "
                f"in-process engine {new['local_rps']:.0f}/s -> ratio {new['local_rps'] / new['rps']:.1f}x"
            )
            _print_goal(small)
            import small_query_processes

            apart = small_query_processes.bench(
                {
                    "emulator": (endpoint, True),
                    "no query cache": (endpoint, False),
                    "client floor": (canned_endpoint, True),
                },
                seconds,
                _server_cpu,
            )
            print("\nthe same with each of the 8 clients in a process of its own (no shared GIL):")
            _print_rows(apart)
            _print_goal(apart)
        if "engine" in only:
            print("\nengine CPU per small query, in process, vs a bare DuckDB cursor (best of alternating rounds):")
            for name, (t_eng, t_bare) in bench_engine_overhead(folder, n=100 if args.quick else 300).items():
                print(
                    f"  {name:<15} engine {1e6 * t_eng:6.0f} us  bare DuckDB {1e6 * t_bare:6.0f} us  -> {t_eng / t_bare:.2f}x"
                )
        if "http" in only:
            parsers = bench_http_parsers()
            print(
                f"\nHTTP protocol alone (parse a jobs.query request, trivial app, write the answer): "
                f"httptools {parsers['httptools']:.0f} us, h11 {parsers['h11']:.0f} us CPU per request "
                f"-> {parsers['h11'] / parsers['httptools']:.1f}x"
            )
        if "storage" in only:
            st = bench_storage(gcs, folder, megabytes, repeats)
            print(
                f"\nstorage, {st['MB']} MiB file: upload {st['upload']:.0f} MB/s, download {st['download']:.0f} MB/s, "
                f"file copy {st['copy']:.0f} MB/s -> upload {st['copy'] / st['upload']:.1f}x, "
                f"download {st['copy'] / st['download']:.1f}x slower than a copy"
            )
        engine.close()
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
