"""Added cost of type-aware translation per small query: translating a type-dependent call on a
column with the engine's column-type lookup (the tables' types are read from the catalog, then
the argument types are inferred: directly for a single-table SELECT, else by sqlglot's
optimizer) against translating the same text without it (the previous behaviour: a named
refusal), median of N interleaved runs. Reported for repeated text (translations cached; the
lookup still runs) and unique text (a comment makes every translation a cache miss).

    python benchmarks/bench_googlesql_types.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import time

from llmops.emulator.bigquery.engine import BigQueryEngine

CASES = [
    ("DATE_TRUNC(ts)", "SELECT DATE_TRUNC(ts, MONTH) AS x FROM b.t"),
    ("d1 - d2", "SELECT d1 - d2 AS x FROM b.t WHERE s <> ''"),
    ("LEFT(bytes)", "SELECT LEFT(bs, 2) AS x FROM b.t"),
    ("JSON_QUERY(string)", "SELECT JSON_QUERY(s, '$.a') AS x FROM b.t"),
    ("d1 - d2, joined", "SELECT a.d1 - b.d2 AS x FROM b.t AS a JOIN b.t AS b USING (s)"),
    ("no typed call", "SELECT s, d1 FROM b.t WHERE ts > TIMESTAMP '2020-01-01'"),
]


def _medians_ms(engine: BigQueryEngine, con, sql: str, runs: int, unique: bool) -> tuple[float, float]:
    """Median milliseconds with and without the lookup, interleaved (a shared machine's load
    hits both)."""
    with_types: list[float] = []
    without: list[float] = []
    for i in range(runs):
        for lookup, times in ((con, with_types), (None, without)):
            text = f"{sql} -- {i} {lookup is None}" if unique else sql
            start = time.perf_counter()
            engine._translate(text, default_project=None, default_dataset=None, con=lookup)
            times.append(time.perf_counter() - start)
    return statistics.median(with_types) * 1000, statistics.median(without) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    engine = BigQueryEngine(None, keep_open=True)
    engine.query("CREATE SCHEMA b")
    engine.query(
        "CREATE TABLE b.t AS SELECT TIMESTAMP_SECONDS(i * 86400) AS ts, "
        "DATE_ADD(DATE '2020-01-01', INTERVAL i DAY) AS d1, DATE '2020-01-01' AS d2, "
        "CAST(FORMAT('%d', i) AS BYTES) AS bs, FORMAT('{\"a\": %d}', i) AS s FROM UNNEST(GENERATE_ARRAY(1, 100)) AS i"
    )
    print(f"{'translation of':20} {'repeated text':>30} {'unique text':>30}")
    with engine.connection() as con:
        for name, sql in CASES:
            cells = []
            for unique in (False, True):
                _medians_ms(engine, con, sql, 5, unique)  # warm up
                t, p = _medians_ms(engine, con, sql, args.runs, unique)
                cells.append(f"{t:6.2f} vs {p:6.2f} ms (+{t - p:5.2f})")
            print(f"{name:20} {cells[0]:>30} {cells[1]:>30}")


if __name__ == "__main__":
    main()
