"""`bench_emulator.py`'s small queries with each client in a process of its own: eight
`query_and_wait("SELECT @x + 1")` loops that do not share one GIL, as eight programs calling an
emulator do. Run by bench_emulator.py; `python small_query_processes.py ENDPOINT CACHED` is one
client: it warms its connection, prints `ready`, then for each line `run SECONDS` on stdin runs
queries for that long and prints their latencies as a JSON list."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable


def _client(endpoint: str, cached: bool) -> None:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    bq = bigquery.Client(
        project="bench-project",
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": endpoint},
        location="US",
    )
    config = bigquery.QueryJobConfig(
        query_parameters=[bigquery.ScalarQueryParameter("x", "INT64", 41)], use_query_cache=cached
    )
    for _ in range(5):
        list(bq.query_and_wait("SELECT @x + 1 AS y", job_config=config))
    print("ready", flush=True)
    for line in sys.stdin:
        if not line.startswith("run "):
            return
        stop = time.perf_counter() + float(line.split()[1])
        latencies = []
        while time.perf_counter() < stop:
            start = time.perf_counter()
            rows = list(bq.query_and_wait("SELECT @x + 1 AS y", job_config=config))
            latencies.append(time.perf_counter() - start)
            assert rows[0]["y"] == 42
        print(json.dumps(latencies), flush=True)


def bench(
    endpoints: dict[str, tuple[str, bool]],
    seconds: float,
    server_cpu: Callable[[str], float],
    workers: int = 8,
    rounds: int = 3,
) -> dict[str, dict[str, float]]:
    """Per endpoint (name -> (url, whether the query cache may answer)): requests/s, p50/p95
    latency and the server's CPU per request, with `workers` client processes, rounds alternating
    between the endpoints."""
    pools = {
        name: [
            subprocess.Popen(
                [sys.executable, __file__, url, "1" if cached else "0"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(workers)
        ]
        for name, (url, cached) in endpoints.items()
    }
    try:
        for procs in pools.values():
            for p in procs:
                assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        latencies: dict[str, list[float]] = {name: [] for name in endpoints}
        elapsed = dict.fromkeys(endpoints, 0.0)
        cpu = dict.fromkeys(endpoints, 0.0)
        for _ in range(rounds):
            for name, procs in pools.items():
                url = endpoints[name][0]
                began, cpu_before = time.perf_counter(), server_cpu(url)
                for p in procs:
                    assert p.stdin is not None
                    p.stdin.write(f"run {seconds / rounds}\n")
                    p.stdin.flush()
                for p in procs:
                    assert p.stdout is not None
                    latencies[name].extend(json.loads(p.stdout.readline()))
                elapsed[name] += time.perf_counter() - began
                cpu[name] += server_cpu(url) - cpu_before
    finally:
        for procs in pools.values():
            for p in procs:
                p.kill()
    return summary(latencies, elapsed, cpu)


def summary(
    latencies: dict[str, list[float]], elapsed: dict[str, float], cpu: dict[str, float]
) -> dict[str, dict[str, float]]:
    """Per endpoint: requests, requests/s, p50/p95 latency (ms), the server's CPU per request (ms)."""
    out = {}
    for name, lat in latencies.items():
        lat.sort()
        out[name] = {
            "requests": len(lat),
            "rps": len(lat) / elapsed[name],
            "p50_ms": 1000 * statistics.median(lat),
            "p95_ms": 1000 * lat[int(0.95 * (len(lat) - 1))],
            "server_cpu_ms": 1000 * cpu[name] / len(lat),
        }
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[2] not in ("0", "1"):
        sys.exit("usage: small_query_processes.py ENDPOINT 1|0 (one client, run by bench_emulator.py --only small)")
    _client(sys.argv[1], sys.argv[2] == "1")
