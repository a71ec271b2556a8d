"""Cost of TIMESTAMP(12) (picotimestamps.py, picosql.py) and what it adds to the plain TIMESTAMP path.

Over a table of N rows with a TIMESTAMP and a TIMESTAMP(12) column (median of 5 runs, one
connection):
- `SELECT *` of each column through the engine (translation, the TIMESTAMP(12) probe, the run),
  as a ratio to DuckDB's own `SELECT` of the same column: the plain column's ratio is what this
  work must not raise;
- a result page of each column written as REST rows (INT64 and ISO8601_STRING), TIMESTAMP(12)
  against TIMESTAMP;
- a comparison with a literal (`WHERE ts > ...`) of each column;
- the probe for tables with a TIMESTAMP(12) column on a file database (the local warehouse, whose
  engine does not hold its database and so looks each query).

    python benchmarks/bench_picosecond_timestamps.py [--rows N]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from rewrite_costs import median_seconds

from llmops.emulator.bigquery.encoding import encode_rows_json
from llmops.emulator.bigquery.engine import BigQueryEngine

T = '"llmops-local.b"."t"'


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    n = ap.parse_args().rows
    engine = BigQueryEngine()
    engine.create_dataset("llmops-local", "b")
    engine.query(
        "CREATE TABLE b.t AS SELECT ts, CAST(ts AS TIMESTAMP(12)) AS pico FROM (SELECT "
        f"TIMESTAMP_ADD(TIMESTAMP '2024-01-01', INTERVAL x * 7919 MICROSECOND) AS ts FROM UNNEST(GENERATE_ARRAY(1, {n})) AS x)"
    )
    print(f"{n:,} rows")
    with engine.connection() as con:
        print(f"{'SELECT * of one column':34} {'engine s':>10} {'DuckDB s':>10} {'ratio':>6}")
        for column in ("ts", "pico"):
            ours = median_seconds(lambda c=column: engine.query(f"SELECT {c} FROM b.t").table)
            base = median_seconds(lambda c=column: con.execute(f"SELECT {c} FROM {T}").to_arrow_table())
            print(f"{column:34} {ours:10.4f} {base:10.4f} {ours / base:6.2f}")
        print(f"\n{'a REST page of the column':34} {'TS(12) s':>10} {'TS s':>10} {'ratio':>6}")
        plain = engine.query("SELECT ts FROM b.t")
        pico = engine.query("SELECT pico AS ts FROM b.t")
        for kind in ("INT64", "ISO8601_STRING", "FLOAT64"):
            ours = median_seconds(lambda k=kind: encode_rows_json(pico.table, pico.schema, timestamps=k), runs=3)
            base = median_seconds(lambda k=kind: encode_rows_json(plain.table, plain.schema, timestamps=k), runs=3)
            print(f"{kind:34} {ours:10.4f} {base:10.4f} {ours / base:6.2f}")
        print(f"\n{'WHERE col > literal (COUNT)':34} {'TS(12) s':>10} {'TS s':>10} {'ratio':>6}")
        ours = median_seconds(
            lambda: engine.query("SELECT COUNT(*) FROM b.t WHERE pico > '2024-01-01 00:00:01.5'").table
        )
        base = median_seconds(lambda: engine.query("SELECT COUNT(*) FROM b.t WHERE ts > '2024-01-01 00:00:01.5'").table)
        print(f"{'pico vs ts':34} {ours:10.4f} {base:10.4f} {ours / base:6.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        on_file = BigQueryEngine(Path(tmp) / "w.duckdb")
        on_file.create_dataset("llmops-local", "b")
        for i in range(50):
            on_file.query(f"CREATE TABLE b.t{i} (a INT64, b STRING, c TIMESTAMP)")
        with on_file.connection() as con:
            probe = median_seconds(lambda: on_file._pico_tables(con, {("llmops-local", "b", "t0")}), runs=21)
            query = median_seconds(lambda: on_file.query("SELECT a, b, c FROM b.t0").table, runs=21)
        print(
            f"\nfile database of 50 tables: the probe of one table {probe * 1000:.2f} ms; a query of it {query * 1000:.2f} ms"
        )


if __name__ == "__main__":
    main()
