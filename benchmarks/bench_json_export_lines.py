"""What writing newline-delimited JSON as BigQuery does costs an export (jsonexport.py): NULL
fields left out at every level, `<`, `>`, `&` escaped, each line built by DuckDB and copied as
bare text, against DuckDB's own COPY ... (FORMAT json) of the same rows (which writes `null`s).

A table of `--rows` rows: an INT64, two STRINGs (one NULL every third row, one holding `&`), a
FLOAT64 and a STRUCT with a NULL field; a second case adds a STRUCT holding a JSON value, written
field by field so that the JSON is a value (with the members sorted), against the same COPY, which
writes that JSON as a value without sorting it. Each case COPYs the whole table to a file in a
temporary folder (median of 5 runs, the process's CPU seconds: all DuckDB threads, steadier than
wall time on a shared machine); the ratio is against the baseline.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import duckdb
from rewrite_costs import arguments, print_ratio

from llmops.emulator.bigquery import jsonexport, udfs


def _median(run) -> float:
    times = []
    for _ in range(5):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    args = arguments(__doc__, 1_000_000, only=False).parse_args()
    con = duckdb.connect()
    udfs.register(con)  # the JSON values' members sorted (jsonorder.SORTED_JSON_UDF)
    con.execute(
        f"CREATE TABLE t AS SELECT i AS id, CASE WHEN i % 3 = 0 THEN NULL ELSE 'name ' || i END AS name, "
        f"'profit&loss ' || i AS s, i / 7.0 AS f, {{'a': NULL::BIGINT, 'b': i}} AS rec FROM range({args.rows}) r(i)"
    )
    con.execute("CREATE TABLE tj AS SELECT *, {'j': json_object('b', id, 'a', name), 'k': id} AS sj FROM t")
    print(f"{'case':32} {'ours s':>12} {'COPY json s':>10} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "rows.json")
        for table, name in (("t", "5 columns"), ("tj", "+ STRUCT with JSON")):
            described = con.execute(f"DESCRIBE {table}").fetchall()
            columns, types = [r[0] for r in described], [r[1] for r in described]
            base = _median(lambda: con.execute(f"COPY {table} TO '{out}' (FORMAT json)"))  # noqa: B023
            line = jsonexport.line_sql(columns, types)
            ours = _median(
                lambda: con.execute(
                    f"COPY (SELECT {line} AS line FROM {table}) TO '{out}' ({jsonexport.LINE_OPTIONS})"  # noqa: B023
                )
            )
            print_ratio(f"{args.rows:,} rows, {name}", ours, base)


if __name__ == "__main__":
    main()
