"""Listing small objects in the emulated Cloud Storage against a plain directory listing and a peer.

For N = 1,000 and 10,000 one-byte objects in one bucket, each timing taken in interleaved rounds
(one of each per round, the order alternating) and reported as the median; ratios are the median
of the per-round ratios (>= 1 means ours is at least as fast):

  baseline     a plain directory listing of the bucket's folder, done the way a file-backed
               emulator must: walk it, stat every file (size, mtime), sort the names
  store        the emulator's whole share of a listing in process: `ObjectStore.list_live` page by
               page (1,000 a page) and each page's JSON body -> ratio baseline/store; and the
               same with each object in a folder of its own (`runs/000123/m.json`) against the
               directory listing of that tree -> ratio baseline/store ("one folder each")
  client       `list(storage_client.list_blobs(bucket))` through google-cloud-storage against
               `llmops emulator start` in a subprocess (HTTP, the client's parsing included)
               -> ratio baseline/client
  peer         with `--peer PATH` (gcp-storage-emulator's console script): the same client
               listing against `PATH start --in-memory` in a subprocess, in the same rounds
               -> ratio peer/client (ours is at least as fast when >= 1). Only up to
               `--peer-max` objects (default 1,000): that emulator rewrites its whole metadata
               file on every upload, so filling it grows quadratically (1,000 uploads took 38 s
               on a busy 2-core machine; 10,000 would take about an hour)

Both emulators are filled through the client (uploads from 8 threads) and listed once before
timing; timing starts once the bucket's folder is over 2 s old, since a folder changed more
recently is read again on every listing (see `index.py`).

    python benchmarks/bench_storage_listing.py [--quick] [--peer PATH [--peer-max N]] [--rounds N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

BUCKET = "bench-listing"


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


def interleaved(fns: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    """Seconds per call of each function, one call of each per round, the order alternating."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    names = list(fns)
    for r in range(rounds):
        for name in names if r % 2 == 0 else reversed(names):
            start = time.perf_counter()
            fns[name]()
            times[name].append(time.perf_counter() - start)
    return times


def median_ratio(slow: list[float], fast: list[float]) -> float:
    return round(statistics.median(s / f for s, f in zip(slow, fast, strict=True)), 2)


def ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 2)


def storage_client(endpoint: str) -> Any:
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    return storage.Client(
        project="bench", credentials=AnonymousCredentials(), client_options=ClientOptions(api_endpoint=endpoint)
    )


def fill(client: Any, n: int) -> None:
    bucket = client.create_bucket(BUCKET)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: bucket.blob(f"data/part-{i:06d}.txt").upload_from_string(b"x"), range(n)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[Any], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the emulator exited with status {proc.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout:.0f} s")


def start_ours(data: Path) -> tuple[subprocess.Popen[Any], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMOPS_")}
    cmd = [sys.executable, "-m", "llmops", "--quiet", "emulator", "start", "--port", str(port), "--data", str(data)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wait_for_port(port, proc)
    return proc, f"http://127.0.0.1:{port}"


def start_peer(path: str) -> tuple[subprocess.Popen[Any], str]:
    port = free_port()
    proc = subprocess.Popen(
        [path, "start", "--port", str(port), "--in-memory", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, proc)
    return proc, f"http://127.0.0.1:{port}"


def stop(proc: subprocess.Popen[Any]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def settle(folder: Path) -> None:
    """Wait until the newest folder under `folder` is over 2 s old (index.py's racy window)."""
    newest = max(os.stat(d).st_mtime for d, _, _ in os.walk(folder))
    time.sleep(max(0.0, newest + 2.1 - time.time()))


def measure_store(n: int, rounds: int) -> dict[str, Any]:
    from llmops.emulator.storage.store import ObjectStore
    from llmops.emulator.storage.wire import objects_page

    with tempfile.TemporaryDirectory() as tmp:
        store = ObjectStore(tmp)
        flat, deep = BUCKET, f"{BUCKET}-folders"
        for bucket, name in ((flat, "data/part-{:06d}.txt"), (deep, "runs/{:06d}/m.json")):
            store.create_bucket(bucket)
            for i in range(n):
                store.put_bytes(bucket, name.format(i), b"x")

        def store_listing(bucket: str) -> int:
            count, token = 0, None
            while True:
                items, prefixes, token = store.list_live(bucket, page_token=token, max_results=1000)
                objects_page(items, prefixes, token, "http://127.0.0.1:9050")
                count += len(items)
                if not token:
                    return count

        for bucket in (flat, deep):
            assert store_listing(bucket) == n == len(directory_listing(store.root / bucket))
            settle(store.root / bucket)
        t = interleaved(
            {
                "baseline": lambda: directory_listing(store.root / flat),
                "store": lambda: store_listing(flat),
                "folders_baseline": lambda: directory_listing(store.root / deep),
                "folders_store": lambda: store_listing(deep),
            },
            rounds,
        )
        store.close()
    return {
        "directory_listing_ms": ms(t["baseline"]),
        "store_ms": ms(t["store"]),
        "store_ratio": median_ratio(t["baseline"], t["store"]),
        "folders_directory_listing_ms": ms(t["folders_baseline"]),
        "folders_store_ms": ms(t["folders_store"]),
        "folders_store_ratio": median_ratio(t["folders_baseline"], t["folders_store"]),
    }


def measure_clients(n: int, rounds: int, peer: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        proc, endpoint = start_ours(Path(tmp))
        peer_proc = None
        try:
            ours = storage_client(endpoint)
            fill(ours, n)
            folder = Path(tmp) / "storage" / BUCKET
            fns: dict[str, Callable[[], Any]] = {
                "baseline": lambda: directory_listing(folder),
                "client": lambda: sum(1 for _ in ours.list_blobs(BUCKET)),
            }
            if peer:
                try:
                    peer_proc, peer_endpoint = start_peer(peer)
                    theirs = storage_client(peer_endpoint)
                    fill(theirs, n)
                    fns["peer"] = lambda: sum(1 for _ in theirs.list_blobs(BUCKET))
                except Exception as exc:  # the peer is someone else's program: report, go on
                    out["peer_error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
            counts = {k: f() for k, f in fns.items()}
            assert counts["client"] == n and len(counts["baseline"]) == n, counts
            if "peer" in fns and counts["peer"] != n:
                out["peer_error"] = f"the peer listed {counts['peer']} of {n} objects"
                del fns["peer"]
            settle(folder)
            try:
                t = interleaved(fns, rounds)
            except Exception as exc:
                if "peer" not in fns:
                    raise
                out["peer_error"] = f"{type(exc).__name__} while listing: {str(exc)[:200]}"
                del fns["peer"]
                t = interleaved(fns, rounds)
        finally:
            stop(proc)
            if peer_proc is not None:
                stop(peer_proc)
    out.update(client_ms=ms(t["client"]), client_ratio=median_ratio(t["baseline"], t["client"]))
    if "peer" in t:
        out.update(peer_ms=ms(t["peer"]), peer_ratio=median_ratio(t["peer"], t["client"]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 objects only")
    parser.add_argument("--peer", metavar="PATH", help="gcp-storage-emulator's console script, to compare with")
    parser.add_argument("--peer-max", type=int, default=1000, help="compare with the peer up to N objects")
    parser.add_argument("--rounds", type=int, default=11, help="interleaved rounds per size (default 11)")
    parser.add_argument("--json", action="store_true", help="print only JSON")
    args = parser.parse_args()
    if args.peer and not os.access(args.peer, os.X_OK):
        parser.error(f"--peer {args.peer!r} is not an executable file; pass the path of gcp-storage-emulator")
    results = []
    for n in [1000] if args.quick else [1000, 10000]:
        rounds = args.rounds if n <= 1000 else max(3, args.rounds // 2)
        results.append(
            {
                "objects": n,
                **measure_store(n, rounds),
                **measure_clients(n, rounds, args.peer if n <= args.peer_max else None),
            }
        )
    if args.json:
        print(json.dumps(results))
        return
    for r in results:
        line = (
            f"{r['objects']:>6} objects: directory listing {r['directory_listing_ms']:7.1f} ms | "
            f"store {r['store_ms']:6.1f} ms (ratio {r['store_ratio']}) | "
            f"client {r['client_ms']:6.1f} ms (ratio {r['client_ratio']})"
        )
        line += (
            f" | one folder each: directory listing {r['folders_directory_listing_ms']:7.1f} ms, "
            f"store {r['folders_store_ms']:6.1f} ms (ratio {r['folders_store_ratio']})"
        )
        if "peer_ms" in r:
            line += f" | peer {r['peer_ms']:6.1f} ms (peer/ours {r['peer_ratio']})"
        elif "peer_error" in r:
            line += f" | peer failed: {r['peer_error']}"
        print(line)


if __name__ == "__main__":
    main()
