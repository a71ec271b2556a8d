"""Cost of the tenth ZetaSQL compliance sweep's rewrites (docs/googlesql.md, "Cost of the
rewrites"): NUMERIC * NUMERIC rounded to a NUMERIC (numericproducts.py) and a RANGE frame over a
FLOAT64 key whose offset may overflow (floatframes.py). Each as a ratio to DuckDB's bare expression
(same data, same connection, median of 5 runs).

    python benchmarks/bench_googlesql_products_and_frames.py [--rows N] [--only NAME]
"""

from __future__ import annotations

import argparse
import statistics
import time

from llmops.emulator.bigquery import udfs
from llmops.emulator.bigquery.engine import BigQueryEngine

_FRAME = "RANGE BETWEEN CURRENT ROW AND {} FOLLOWING"
CASES = [
    # (name, GoogleSQL through the translator with the table's column types, DuckDB's bare expression)
    ("NUMERIC a * b (small)", "SELECT SUM(a * b) FROM b.t", "SELECT SUM(a * b) FROM b.t"),
    ("NUMERIC w * w (past 10^19)", "SELECT SUM(w * w) FROM b.t", "SELECT SUM(CAST(w AS DOUBLE) * w) FROM b.t"),
    (
        "FLOAT64 RANGE offset @o",
        f"SELECT SUM(i) OVER (ORDER BY f {_FRAME.format('1e300')}) FROM b.t",
        f"SELECT SUM(i) OVER (ORDER BY f {_FRAME.format('1e300')}) FROM b.t",
    ),
    (
        "FLOAT64 RANGE offset 10",
        f"SELECT SUM(i) OVER (ORDER BY f {_FRAME.format('10')}) FROM b.t",
        f"SELECT SUM(i) OVER (ORDER BY f {_FRAME.format('10')}) FROM b.t",
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
        "CREATE TABLE b.t AS SELECT x AS i, x * 1.5 AS f, CAST(x AS NUMERIC) / 7 AS a, NUMERIC '1.000000001' AS b, "
        f"CAST(x AS NUMERIC) * 100000 AS w FROM UNNEST(GENERATE_ARRAY(1, {args.rows})) AS x"
    )
    print(f"{'rewrite':28} {'GoogleSQL s':>12} {'native s':>10} {'ratio':>6}")
    with engine.connection() as con:
        udfs.register(con)  # the exact UDF of the products past 10^19, as the engine registers it
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
