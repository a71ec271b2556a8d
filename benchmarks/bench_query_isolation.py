"""Does a long BigQuery query delay other requests? Latency of a small `SELECT 1` through the
real BigQuery client against the emulator, on an idle server (baseline) and while a long query
runs; prints both and their ratio (target: the delay under load within 50 ms of the baseline).
The long query is cancelled with jobs.cancel at the end.

    python benchmarks/bench_query_isolation.py [--samples 20] [--long-seconds 10]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
import uuid

LONG_QUERY = (
    "SELECT COUNT(*) AS n FROM UNNEST(GENERATE_ARRAY(1, 1000000)) AS a "
    "CROSS JOIN UNNEST(GENERATE_ARRAY(1, 1000000)) AS b WHERE MOD(a * b, 7) = 3"
)


def _client(endpoint: str):
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    return bigquery.Client(
        project="bench",
        credentials=AnonymousCredentials(),
        client_options=ClientOptions(api_endpoint=endpoint),
        location="US",
    )


def _small_latencies(client, samples: int, until: float | None = None) -> list[float]:
    out = []
    for _ in range(samples):
        if until is not None and time.monotonic() > until:
            break
        t = time.perf_counter()
        list(client.query("SELECT 1 AS one").result())
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--long-seconds", type=float, default=10.0, help="how long the long query is left running")
    args = ap.parse_args()

    from llmops.testing import start_emulator

    emulator = start_emulator(tempfile.mkdtemp(prefix="bench-isolation-"), query_timeout_s=args.long_seconds + 60)
    client = _client(emulator.endpoint)
    try:
        _small_latencies(client, 3)  # warm the engine and the connection pool
        idle = _small_latencies(client, args.samples)

        job_id = f"long_{uuid.uuid4().hex}"
        long_client = _client(emulator.endpoint)
        done = threading.Event()

        def run_long() -> None:
            try:
                long_client.query(LONG_QUERY, job_id=job_id, job_retry=None).result()
            except Exception:  # cancelled at the end, as intended
                pass
            done.set()

        started = time.monotonic()
        threading.Thread(target=run_long, daemon=True).start()
        while True:  # until the job is running
            try:
                if client.get_job(job_id).state == "RUNNING":
                    break
            except Exception:
                time.sleep(0.02)
        loaded = _small_latencies(client, args.samples * 100, until=started + args.long_seconds)
        still_running = not done.is_set()
        client.cancel_job(job_id)
        done.wait(30)
    finally:
        client.close()
        emulator.server.stop()

    base, busy = statistics.median(idle), statistics.median(loaded)
    print(f"small query, idle server:        median {base * 1000:7.1f} ms  (n={len(idle)})")
    print(f"small query, long query running: median {busy * 1000:7.1f} ms  (n={len(loaded)})")
    print(f"  p95 under load {sorted(loaded)[int(0.95 * (len(loaded) - 1))] * 1000:.1f} ms")
    print(
        f"ratio loaded/idle = {busy / base:.2f}x; added delay {max(0.0, busy - base) * 1000:.1f} ms (target <= 50 ms)"
    )
    print(f"long query still running when the samples ended: {still_running}")


if __name__ == "__main__":
    main()
