"""Cost of translating GoogleSQL to DuckDB SQL (`googlesql.translate`) by the size of the query:
a 1-column SELECT, SELECTs of 10, 100 and 1,000 `c{i} * n` columns of a table whose column types
the translator is given (FLOAT64 columns times an INT64 one: each product gets its overflow
check), SELECTs of 100 `c{i} - 0.5` and `m - 0.5` columns (FLOAT64 and NUMERIC operands beside a
FLOAT64 literal: the literal coercion's type lookup), a 40-expression analytic query, and a `CREATE TABLE AS SELECT` of literal columns (as
python-bigquery's `test_create_table_with_many_columns` sends, 9,999 of them). Each time is the
median of N translations of new text (a comment makes each a cache miss), next to sqlglot's own
parse and generate of the same text (`read="bigquery", write="duckdb"`: the floor), with the cost
per column, the ratio to the floor, and the ratio of 1,000 columns to 100 (10 when linear).

    python benchmarks/bench_googlesql_translate.py [--runs N] [--only NAME] [--ctas-columns N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import sqlglot

from llmops.emulator.bigquery.googlesql import translate

PROJECT, DATASET, TABLE = "p", "d", "t"
WIDTH = 1_000


def _column_types(tables: tuple[tuple[str, str, str], ...]):
    """The schema of `d.t`: FLOAT64 columns c0..c999, INT64 n, NUMERIC m, STRING s, DATE dt,
    TIMESTAMP ts."""
    columns = tuple((f"c{i}", "FLOAT64") for i in range(WIDTH)) + (
        ("n", "INT64"),
        ("m", "NUMERIC"),
        ("s", "STRING"),
        ("dt", "DATE"),
        ("ts", "TIMESTAMP"),
    )
    return tuple((p, d, t, columns) for p, d, t in tables if (d, t) == (DATASET, TABLE))


def products(count: int) -> str:
    return "SELECT " + ", ".join(f"c{i} * n AS x{i}" for i in range(count)) + " FROM d.t"


def literal_operands(count: int, column: str | None = None) -> str:
    """`c{i} - 0.5` (or `{column} - 0.5`) columns: a FLOAT64 literal beside a column."""
    return "SELECT " + ", ".join(f"{column or f'c{i}'} - 0.5 AS x{i}" for i in range(count)) + " FROM d.t"


ANALYTIC = """
SELECT
  s,
  dt,
  n,
  c0 * n AS revenue,
  SAFE_DIVIDE(c1, n) AS ratio,
  SUM(c0) OVER (PARTITION BY s ORDER BY dt) AS running,
  AVG(c1) OVER (PARTITION BY s ORDER BY dt ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS moving,
  ROW_NUMBER() OVER (PARTITION BY s ORDER BY c2 DESC) AS rn,
  RANK() OVER (ORDER BY c3) AS rk,
  DENSE_RANK() OVER (PARTITION BY DATE_TRUNC(dt, MONTH) ORDER BY c4) AS drk,
  LAG(c5) OVER (PARTITION BY s ORDER BY dt) AS prev,
  LEAD(c5, 2) OVER (PARTITION BY s ORDER BY dt) AS next2,
  FIRST_VALUE(c6) OVER (PARTITION BY s ORDER BY dt) AS first,
  LAST_VALUE(c6) OVER (PARTITION BY s ORDER BY dt ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last,
  NTILE(4) OVER (ORDER BY c7) AS quartile,
  PERCENT_RANK() OVER (ORDER BY c8) AS pr,
  CASE WHEN c9 > 100 THEN 'high' WHEN c9 > 10 THEN 'mid' ELSE 'low' END AS band,
  CASE s WHEN 'a' THEN 1 WHEN 'b' THEN 2 ELSE 0 END AS code,
  IF(n > 0, c10 / n, NULL) AS per_unit,
  FORMAT('%s-%d', s, n) AS label,
  FORMAT('%.2f', c11) AS shown,
  DATE_TRUNC(dt, MONTH) AS month,
  DATE_TRUNC(dt, WEEK) AS week,
  EXTRACT(YEAR FROM dt) AS year,
  EXTRACT(DAYOFWEEK FROM dt) AS dow,
  DATE_DIFF(dt, DATE '2020-01-01', DAY) AS age,
  DATE_ADD(dt, INTERVAL 7 DAY) AS next_week,
  TIMESTAMP_TRUNC(ts, HOUR) AS hour,
  FORMAT_TIMESTAMP('%Y-%m-%d', ts) AS day,
  COALESCE(c12, 0) + c13 AS filled,
  ROUND(c14, 2) AS rounded,
  ABS(c15 - c16) AS spread,
  LOWER(CONCAT(s, '-', CAST(n AS STRING))) AS key,
  LENGTH(s) AS len,
  SUBSTR(s, 1, 3) AS prefix,
  REGEXP_CONTAINS(s, r'^a') AS starts_a,
  CAST(c17 AS INT64) AS whole,
  SAFE_CAST(s AS INT64) AS parsed,
  GREATEST(c18, c19) AS top,
  COUNT(*) OVER (PARTITION BY s) AS group_size
FROM d.t
WHERE dt >= DATE '2020-01-01' AND s IS NOT NULL
"""


def ctas(count: int) -> str:
    return "CREATE TABLE d.t2 AS SELECT " + ", ".join(f"{i} AS c{i}" for i in range(count))


def _median_s(fn: Callable[[str], object], sql: str, runs: int) -> float:
    """Median seconds of `fn` over `runs` texts that differ only by a trailing comment."""
    times = []
    for i in range(runs):
        text = f"{sql}\n-- run {i} {time.perf_counter_ns()}"
        start = time.process_time()
        fn(text)
        times.append(time.process_time() - start)
    return statistics.median(times)


def _translate(sql: str) -> object:
    return translate(sql, default_project=PROJECT, default_dataset=DATASET, column_types=_column_types)


def _floor(sql: str) -> object:
    return sqlglot.transpile(sql, read="bigquery", write="duckdb")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="run only the cases whose name contains this text")
    parser.add_argument("--ctas-columns", type=int, default=9_999, help="columns of the literal CTAS")
    args = parser.parse_args()
    cases = [
        ("SELECT 1 product", products(1), 1),
        ("SELECT 10 products", products(10), 10),
        ("SELECT 100 products", products(100), 100),
        ("SELECT 1000 products", products(1_000), 1_000),
        ("100 FLOAT64 - 0.5", literal_operands(100), 100),
        ("100 NUMERIC - 0.5", literal_operands(100, "m"), 100),
        ("analytic, 40 expressions", ANALYTIC, 40),
        (f"CTAS {args.ctas_columns} literals", ctas(args.ctas_columns), args.ctas_columns),
    ]
    _translate(products(3))  # imports and first-use caches
    print(f"{'translation of':26} {'ms':>10} {'ms/column':>10} {'sqlglot ms':>11} {'ms/column':>10} {'ratio':>6}")
    per_column: dict[str, float] = {}
    for name, sql, columns in cases:
        if args.only not in name:
            continue
        runs = args.runs if columns < 1_000 else max(1, min(args.runs, 3))
        ours = _median_s(_translate, sql, runs)
        floor = _median_s(_floor, sql, runs)
        per_column[name] = ours / columns
        print(
            f"{name:26} {ours * 1e3:10.1f} {ours * 1e3 / columns:10.3f} {floor * 1e3:11.1f} "
            f"{floor * 1e3 / columns:10.3f} {ours / floor:6.1f}"
        )
    if "SELECT 100 products" in per_column and "SELECT 1000 products" in per_column:
        linear = per_column["SELECT 1000 products"] * 1_000 / (per_column["SELECT 100 products"] * 100)
        print(f"1,000 columns / 100 columns: {linear:.1f}x the time (10x when linear)")


if __name__ == "__main__":
    main()
