"""Cost of the checks that raise BigQuery's errors where DuckDB answers a value (docs/googlesql.md,
"Cost of the rewrites"): FLOAT64 overflow, SAFE_* overflow, REPEAT/LPAD/RPAD output size. Each as a
ratio to DuckDB's bare expression (same data, same connection, median of 5 runs).

    python benchmarks/bench_googlesql_raised_errors.py [--rows N] [--only NAME]
"""

from __future__ import annotations

import argparse
import statistics
import time

from llmops.emulator.bigquery.engine import BigQueryEngine

CASES = [
    # (name, GoogleSQL through the translator with the table's column types, DuckDB's bare expression)
    ("FLOAT64 f * 1.5 + f", "SELECT SUM(f * 1.5 + f) FROM b.t", "SELECT SUM(f * 1.5 + f) FROM b.t"),
    ("FLOAT64 (f - 1) * (f + 1)", "SELECT SUM((f - 1) * (f + 1)) FROM b.t", "SELECT SUM((f - 1) * (f + 1)) FROM b.t"),
    ("FLOAT64 f / i", "SELECT SUM(f / i) FROM b.t", "SELECT SUM(f / i) FROM b.t"),
    ("INT64 i * 3 + g", "SELECT SUM(i * 3 + g) FROM b.t", "SELECT SUM(i * 3 + g) FROM b.t"),
    ("SAFE_MULTIPLY(f, f)", "SELECT SUM(SAFE_MULTIPLY(f, f)) FROM b.t", "SELECT SUM(TRY(f * f)) FROM b.t"),
    ("REPEAT(s, g % 5)", "SELECT MAX(REPEAT(s, g % 5)) FROM b.t", "SELECT MAX(repeat(s, g % 5)) FROM b.t"),
    ("LPAD(s, 20)", "SELECT MAX(LPAD(s, 20)) FROM b.t", "SELECT MAX(lpad(s, 20, ' ')) FROM b.t"),
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
        "CREATE TABLE b.t AS SELECT x AS i, x * 1.5 AS f, MOD(x, 1000) AS g, CAST(x AS STRING) AS s "
        f"FROM UNNEST(GENERATE_ARRAY(1, {args.rows})) AS x"
    )
    print(f"{'rewrite':28} {'GoogleSQL s':>12} {'native s':>10} {'ratio':>6}")
    with engine.connection() as con:
        for name, googlesql, native in CASES:
            if args.only not in name:
                continue
            script = engine._translate(googlesql, default_project="llmops-local", default_dataset=None, con=con)
            translated = script.statements[-1].sql
            native_sql = native.replace("b.t", '"llmops-local.b"."t"')
            ours = _median(lambda sql=translated: con.execute(sql).fetchall())
            base = _median(lambda sql=native_sql: con.execute(sql).fetchall())
            print(f"{name:28} {ours:12.4f} {base:10.4f} {ours / base:6.2f}")


if __name__ == "__main__":
    main()
