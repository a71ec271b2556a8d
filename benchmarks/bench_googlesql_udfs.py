"""Cost of the GoogleSQL semantic rewrites on a 1,000,000-row table, as a ratio to the DuckDB
native expression they replace (same data, same connection, median of 5 runs).

    python benchmarks/bench_googlesql_udfs.py [--rows N]
"""

from __future__ import annotations

import argparse
import statistics
import time

from llmops.emulator.bigquery.engine import BigQueryEngine

CASES = [
    # (name, GoogleSQL through the translator, DuckDB native baseline)
    ("CAST(FLOAT64 AS INT64)", "SELECT SUM(CAST(f AS INT64)) FROM b.t", "SELECT SUM(CAST(f AS BIGINT)) FROM b.t"),
    ("CAST(STRING AS INT64)", "SELECT SUM(CAST(s AS INT64)) FROM b.t", "SELECT SUM(CAST(s AS BIGINT)) FROM b.t"),
    ("a / b (zero check)", "SELECT SUM(f / (i + 1)) FROM b.t", "SELECT SUM(f / (i + 1)) FROM b.t"),
    ("COUNTIF", "SELECT COUNTIF(i > 10) FROM b.t", "SELECT COUNT_IF(i > 10) FROM b.t"),
    ("arr[OFFSET(1)]", "SELECT SUM(a[OFFSET(1)]) FROM b.t", "SELECT SUM(a[2]) FROM b.t"),
    (
        "FORMAT_TIMESTAMP %E3S",
        "SELECT MAX(FORMAT_TIMESTAMP('%H:%M:%E3S', ts)) FROM b.t",
        "SELECT MAX(strftime(ts, '%H:%M:%S.%g')) FROM b.t",
    ),
    (
        "TO_JSON_STRING(TIMESTAMP)",
        "SELECT MAX(TO_JSON_STRING(ts)) FROM b.t",
        "SELECT MAX(CAST(to_json(ts) AS VARCHAR)) FROM b.t",
    ),
]


def _median(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    n = ap.parse_args().rows
    engine = BigQueryEngine()
    engine.create_dataset("llmops-local", "b")
    engine.query(
        f"CREATE TABLE b.t AS SELECT x AS i, x * 1.5 AS f, CAST(x AS STRING) AS s, [x, x + 1] AS a, "
        f"TIMESTAMP_ADD(TIMESTAMP '2024-01-01', INTERVAL x MILLISECOND) AS ts "
        f"FROM UNNEST(GENERATE_ARRAY(1, {n})) AS x"
    )
    with engine.connection() as con:
        print(f"{'rewrite':28} {'GoogleSQL s':>12} {'native s':>10} {'ratio':>6}")
        for name, googlesql, native in CASES:
            translated = engine.translate(googlesql, default_project="llmops-local")
            native_sql = native.replace("b.t", '"llmops-local.b"."t"')
            ours = _median(lambda sql=translated: con.execute(sql).fetchall())
            base = _median(lambda sql=native_sql: con.execute(sql).fetchall())
            print(f"{name:28} {ours:12.4f} {base:10.4f} {ours / base:6.2f}")


if __name__ == "__main__":
    main()
