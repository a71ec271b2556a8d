"""Cost of the second reference sweep's per-row rewrites (docs/googlesql.md, "Reference sweep"),
each as a ratio to the DuckDB expression the translation used before (same data, same
connection, median of 5 runs).

    python benchmarks/bench_googlesql_reference_sweep_2.py [--rows N] [--only NAME]
"""

from __future__ import annotations

import argparse
import statistics
import time

from llmops.emulator.bigquery import udfs
from llmops.emulator.bigquery.engine import BigQueryEngine

CASES = [
    # (name, GoogleSQL through the translator, the DuckDB expression it replaced)
    (
        "UNIX_SECONDS rounded down",
        "SELECT MAX(UNIX_SECONDS(ts)) FROM b.t",
        "SELECT MAX(CAST(epoch(ts) AS BIGINT)) FROM b.t",
    ),
    ("UNIX_MILLIS rounded down", "SELECT MAX(UNIX_MILLIS(ts)) FROM b.t", "SELECT MAX(epoch_ms(ts)) FROM b.t"),
    (
        "ARRAY_SLICE NULL offset check",
        "SELECT SUM(ARRAY_LENGTH(ARRAY_SLICE(a, 1, g))) FROM b.t",
        "SELECT SUM(len(list_slice(a, 2, least(g, len(a)) + 1))) FROM b.t",
    ),
    ("DIV zero-divisor check", "SELECT SUM(DIV(i, g + 1)) FROM b.t", "SELECT SUM(i // (g + 1)) FROM b.t"),
    ("MOD zero-divisor check", "SELECT SUM(MOD(i, g + 1)) FROM b.t", "SELECT SUM(i % (g + 1)) FROM b.t"),
    (
        "BAG_OF_WORDS",
        "SELECT SUM(ARRAY_LENGTH(BAG_OF_WORDS(SPLIT(s, '')))) FROM b.t",
        "SELECT SUM(len(map_keys(list_aggregate(string_split(s, ''), 'histogram')))) FROM b.t",
    ),
    (
        "PARSE_NUMERIC with commas",
        "SELECT SUM(PARSE_NUMERIC(s)) FROM b.t",
        "SELECT SUM(CAST(s AS DECIMAL(38, 9))) FROM b.t",
    ),
    (
        "PARSE_JSON narrow numbers",
        "SELECT COUNT(PARSE_JSON(j)) FROM b.t",
        "SELECT count(json(j)) FROM b.t",
    ),
    (
        "PARSE_JSON wide numbers (UDF)",
        "SELECT COUNT(PARSE_JSON(w, wide_number_mode => 'round')) FROM b.t",
        "SELECT count(json(w)) FROM b.t",
    ),
    (
        "CAST(STRING AS INTERVAL) (UDF)",
        "SELECT COUNT(CAST(h AS INTERVAL)) FROM b.t",
        "SELECT count(CAST(h AS INTERVAL)) FROM b.t",
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
    ap.add_argument("--only", default="", help="run only the cases whose name contains this text")
    args = ap.parse_args()
    engine = BigQueryEngine()
    engine.create_dataset("llmops-local", "b")
    engine.query(
        "CREATE TABLE b.t AS SELECT x AS i, MOD(x, 5) AS g, TIMESTAMP_MICROS(x * 1234567) AS ts, "
        "[x, x + 1, x + 2, x + 3] AS a, CAST(x AS STRING) || '.25' AS s, "
        "CONCAT('{\"id\": ', CAST(x AS STRING), ', \"v\": [1, 2.5]}') AS j, "
        "CONCAT('[', CAST(x AS STRING), '12345678901234567890]') AS w, "
        "CONCAT(CAST(MOD(x, 24) AS STRING), ':', CAST(MOD(x, 60) AS STRING), ':05') AS h "
        f"FROM UNNEST(GENERATE_ARRAY(1, {args.rows})) AS x"
    )
    print(f"{'rewrite':32} {'GoogleSQL s':>12} {'before s':>10} {'ratio':>6}")
    with engine.connection() as con:
        udfs.register(con)
        for name, googlesql, native in CASES:
            if args.only not in name:
                continue
            script = engine._translate(googlesql, default_project="llmops-local", default_dataset=None, con=con)
            translated = script.statements[-1].sql
            native_sql = native.replace("b.t", '"llmops-local.b"."t"')
            ours = _median(lambda sql=translated: con.execute(sql).fetchall())
            base = _median(lambda sql=native_sql: con.execute(sql).fetchall())
            print(f"{name:32} {ours:12.4f} {base:10.4f} {ours / base:6.2f}")


if __name__ == "__main__":
    main()
