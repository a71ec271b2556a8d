"""Monitoring benchmarks, each against its baseline in the same run:

1. append latency of one prediction: the segment store vs the old per-call DuckDB insert
   (`PredictionLog.write` on the warehouse), from a fresh process (first append) and from a
   long-lived one (p50/p99), and throughput with 8 concurrent writer processes;
2. `llmops monitor report` over N logged predictions (default 1,000,000): time and HTML size;
3. drift on 10,000 vs 10,000 texts (embedding + centroid and MMD permutation tests).

    python benchmarks/bench_monitoring.py [--rows 1000000] [--appends 2000] [--texts 10000]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from llmops.core import monitoring
from llmops.core.config import Settings
from llmops.core.session import Session
from llmops.monitoring import store
from llmops.monitoring.synthetic import rows

ROW = rows(1, datetime(2024, 5, 1, tzinfo=UTC))[0]


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def long_lived(ws: Path, n: int) -> dict[str, float]:
    with Session(Settings(workspace=ws)) as s:
        log = monitoring.log_for(s)
        log.write([ROW])  # migrations, once per workspace
        seg = []
        for _ in range(n):
            t = time.perf_counter()
            log.write([ROW])
            seg.append((time.perf_counter() - t) * 1000)
        old = monitoring.PredictionLog(s.warehouse, table="bench_old.predictions")
        old.write([ROW])
        duck = []
        for _ in range(max(20, n // 50)):
            t = time.perf_counter()
            old.write([ROW])
            duck.append((time.perf_counter() - t) * 1000)
    return {
        "segment_p50_ms": pct(seg, 0.5),
        "segment_p99_ms": pct(seg, 0.99),
        "duckdb_p50_ms": pct(duck, 0.5),
        "duckdb_p99_ms": pct(duck, 0.99),
        "ratio_p50": pct(duck, 0.5) / pct(seg, 0.5),
    }


FRESH = """
import sys, time
from llmops.core.config import Settings
from llmops.core.session import Session
from llmops.core import monitoring
row = {row}
s = Session(Settings(workspace=sys.argv[1]))
log = monitoring.PredictionLog(s.warehouse, table="bench_old.predictions") if sys.argv[2] == "duckdb" else monitoring.log_for(s)
t = time.perf_counter(); log.write([row]); print((time.perf_counter() - t) * 1000)
"""


def fresh(ws: Path, kind: str, n: int = 15) -> float:
    code = FRESH.format(row=repr(ROW))
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", code, str(ws), kind], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(n)
    ]
    return statistics.median(times)


def _writer(ws: str, n: int) -> None:
    for _ in range(n):
        store.append(ws, [ROW])


def _duck_writer(ws: str, n: int) -> None:
    with Session(Settings(workspace=ws)) as s:
        log = monitoring.PredictionLog(s.warehouse, table="bench_old.predictions")
        for _ in range(n):
            log.write([ROW])


def throughput(ws: Path, target, n: int, procs: int = 8) -> float:
    ctx = multiprocessing.get_context("fork")
    ps = [ctx.Process(target=target, args=(str(ws), n)) for _ in range(procs)]
    t = time.perf_counter()
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    return procs * n / (time.perf_counter() - t)


def report_bench(ws: Path, n: int) -> dict[str, float]:
    from llmops.monitoring.synthetic import log_day

    log_day(ws, n)
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "llmops", "-w", str(ws), "monitor", "compact"], check=True, capture_output=True
    )
    compact_s = time.perf_counter() - t
    out = ws / "report.html"
    t = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "llmops",
            "-w",
            str(ws),
            "monitor",
            "report",
            "--since",
            "2024-05-01T12:00",
            "--until",
            "2024-05-02",
            "--baseline",
            "previous",
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return {"rows": n, "compact_s": compact_s, "report_s": time.perf_counter() - t, "html_bytes": out.stat().st_size}


def drift_bench(n: int) -> dict[str, float]:
    from llmops.monitoring import drift
    from llmops.monitoring.synthetic import questions

    python, mixed = questions()
    a = [python[i % len(python)] + f" #{i}" for i in range(n)]
    b = [mixed[i % len(mixed)] + f" #{i}" for i in range(n)]
    t = time.perf_counter()
    results = drift.text_drift(a, b)
    return {"texts_per_side": n, "seconds": time.perf_counter() - t, "drift": all(r.drift for r in results)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--appends", type=int, default=2000)
    ap.add_argument("--texts", type=int, default=10_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        out: dict[str, object] = {"long_lived": long_lived(root / "a", args.appends)}
        out["fresh_process_first_append_ms"] = {
            "segment": fresh(root / "a", "segment"),
            "duckdb": fresh(root / "a", "duckdb"),
        }
        seg = throughput(root / "b", _writer, args.appends)
        duck = throughput(root / "b", _duck_writer, max(10, args.appends // 50))
        out["throughput_8_writers_per_s"] = {"segment": seg, "duckdb": duck, "ratio": seg / duck}
        out["report"] = report_bench(root / "c", args.rows)
        out["drift"] = drift_bench(args.texts)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    os.environ.setdefault("LLMOPS_LOG_FSYNC", "never")
    main()
