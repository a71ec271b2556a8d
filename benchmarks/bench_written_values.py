"""What storing written values as BigQuery stores them costs a DML write (writtenvalues.py): a
NULL ARRAY made `[]`, a NUMERIC(P, S) value rounded to S and range-checked.

Tables of `--rows` rows: `plain (id INT64, v INT64)`, `arrays (id INT64, v ARRAY<INT64>)` and
`params (id INT64, v NUMERIC(9, 2))`. Each case runs one statement on the engine's connection
(median of 15; the rows written stay, a few against the table's): the baseline writes into `plain`; "before" is
the older way for arrays (the statement, then one UPDATE of the table's NULL ARRAYs: a scan of
the whole table); "now" looks the target up and runs the rewritten statement (its text kept per
statement, as a repeated statement finds it); for `plain` they only look the table up. The ratio is against the baseline. Times are the
process's CPU seconds (all DuckDB threads), steadier than wall time on a shared machine.
"""

from __future__ import annotations

import statistics
import time

from rewrite_costs import PROJECT, arguments

from llmops.emulator.bigquery import storedarrays, writtenvalues
from llmops.emulator.bigquery.engine import BigQueryEngine


def _median(engine: BigQueryEngine, run) -> float:
    times = []
    with engine.connection() as con:
        for _ in range(15):
            start = time.process_time()
            run(con)
            times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    args = arguments(__doc__, 1_000_000, only=False).parse_args()
    n = args.rows
    engine = BigQueryEngine()
    engine.create_dataset(PROJECT, "b")
    rows = f"FROM UNNEST(GENERATE_ARRAY(1, {n})) AS i"
    engine.query(f"CREATE TABLE b.plain AS SELECT i AS id, i AS v {rows}")
    engine.query(f"CREATE TABLE b.arrays AS SELECT i AS id, [i] AS v {rows}")
    engine.query("CREATE TABLE b.params (id INT64, v NUMERIC(9, 2))")
    engine.query(f"INSERT b.params (id, v) SELECT i, i / 100 {rows}")

    def statement(sql: str):
        with engine.connection() as con:
            return engine._translate(sql, default_project=PROJECT, default_dataset=None, con=con).statements[-1]

    cases = [
        ("INSERT one row", "INSERT b.{t} (id, v) VALUES (-1, {v})"),
        ("INSERT 1,000 rows", "INSERT b.{t} (id, v) SELECT -i, {v} FROM UNNEST(GENERATE_ARRAY(1, 1000)) AS i"),
    ]
    print(f"{n:,} rows; median of 15 runs")
    print(f"{'case':<34} {'plain (cpu s)':>10} {'before':>11} {'now':>9} {'before':>7} {'now':>6}")
    for name, template in cases:
        plain = statement(template.format(t="plain", v="1"))
        arrays = statement(template.format(t="arrays", v="NULL"))
        params = statement(template.format(t="params", v="1.125"))
        base = _median(engine, lambda con, stmt=plain: con.execute(stmt.sql))

        def before(con, stmt=arrays):
            con.execute(stmt.sql)
            storedarrays.empty_null_arrays(con, *stmt.target)

        def now(con, stmt):
            done, _ = writtenvalues.prepare(con, stmt)
            con.execute(done.sql)

        def plain_before(con, stmt=plain):
            con.execute(stmt.sql)
            storedarrays.empty_null_arrays(con, *stmt.target)  # finds no ARRAY column

        plain_old = _median(engine, plain_before)
        plain_new = _median(engine, lambda con, stmt=plain: now(con, stmt))
        print(
            f"{name + ', no ARRAY column':<34} {base:>10.4f} {plain_old:>11.4f} {plain_new:>9.4f} "
            f"{plain_old / base:>7.2f} {plain_new / base:>6.2f}"
        )
        old = _median(engine, before)
        new = _median(engine, lambda con, stmt=arrays: now(con, stmt))
        print(
            f"{name + ', NULL ARRAY':<34} {base:>10.4f} {old:>11.4f} {new:>9.4f} {old / base:>7.2f} {new / base:>6.2f}"
        )
        rounded = _median(engine, lambda con, stmt=params: now(con, stmt))
        print(
            f"{name + ', NUMERIC(9, 2) rounded':<34} {base:>10.4f} {'':>11} {rounded:>9.4f} {'':>7} {rounded / base:>6.2f}"
        )


if __name__ == "__main__":
    main()
