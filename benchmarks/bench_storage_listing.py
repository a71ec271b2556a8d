"""Listing small objects in the emulated Cloud Storage against a plain directory listing.

For N = 1,000 and 10,000 one-byte objects in one bucket:

  baseline     a plain directory listing of the bucket's folder, done the way a file-backed
               emulator must: walk it, stat every file (size, mtime), sort the names
  store        `ObjectStore.list_objects` page by page (1,000 a page): the sorted name index
               and the metadata it returns -> ratio baseline/store (>= 1 means at least as fast)
  client       `list(storage_client.list_blobs(bucket))` through google-cloud-storage and the
               emulator's HTTP server (JSON encoding, HTTP and the client's parsing included)
               -> ratio baseline/client

Each timing is the best of several runs (warm caches on both sides).

    python benchmarks/bench_storage_listing.py [--quick] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any


def best_of(fn: Any, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def directory_listing(folder: Path) -> list[tuple[str, int, int]]:
    out = []
    root = str(folder)
    for dirpath, _, filenames in os.walk(root):
        for f in filenames:
            path = os.path.join(dirpath, f)
            st = os.stat(path)
            out.append((os.path.relpath(path, root), st.st_size, st.st_mtime_ns))
    out.sort()
    return out


def measure(n: int, runs: int) -> dict[str, Any]:
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    from llmops.testing import start_emulator

    with tempfile.TemporaryDirectory() as tmp:
        running = start_emulator(Path(tmp))
        try:
            from llmops.emulator.storage.api import StorageApi

            objects = running.server.app.state.emulator.api(StorageApi).store
            objects.create_bucket("bench-listing")
            for i in range(n):
                objects.put_bytes("bench-listing", f"data/part-{i:06d}.txt", b"x")
            folder = objects.root / "bench-listing"

            def store_listing() -> int:
                count, token = 0, None
                while True:
                    items, _, token = objects.list_objects("bench-listing", page_token=token, max_results=1000)
                    count += len(items)
                    if not token:
                        return count

            client = storage.Client(
                project="bench",
                credentials=AnonymousCredentials(),
                client_options=ClientOptions(api_endpoint=running.endpoint),
            )

            def client_listing() -> int:
                return sum(1 for _ in client.list_blobs("bench-listing"))

            assert len(directory_listing(folder)) == n and store_listing() == n and client_listing() == n
            baseline = best_of(lambda: directory_listing(folder), runs)
            in_store = best_of(store_listing, runs)
            through_client = best_of(client_listing, max(1, runs // 2))
            client.close()
        finally:
            running.server.stop()
    return {
        "objects": n,
        "directory_listing_s": round(baseline, 5),
        "store_s": round(in_store, 5),
        "client_s": round(through_client, 5),
        "store_ratio": round(baseline / in_store, 2),
        "client_ratio": round(baseline / through_client, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 objects only")
    parser.add_argument("--json", action="store_true", help="print only JSON")
    args = parser.parse_args()
    sizes = [1000] if args.quick else [1000, 10000]
    results = [measure(n, runs=5) for n in sizes]
    if args.json:
        print(json.dumps(results))
        return
    for r in results:
        print(
            f"{r['objects']:>6} objects: directory listing {r['directory_listing_s'] * 1000:8.1f} ms | "
            f"store {r['store_s'] * 1000:8.1f} ms (ratio {r['store_ratio']}) | "
            f"client over HTTP {r['client_s'] * 1000:8.1f} ms (ratio {r['client_ratio']})"
        )


if __name__ == "__main__":
    main()
