"""What keeping time-travel history costs the BigQuery engine: an UPDATE of every row of an
N-row table (id INT64, name STRING, score FLOAT64; default 100,000), on a warehouse file.

  plain      the same UPDATE run directly on a DuckDB file of the same table (no history):
             the floor
  engine     `engine.query("UPDATE ...")`, which first copies the table into its history
             (copy-on-write, kept 7 days) so FOR SYSTEM_TIME AS OF can read it
  travel     `SELECT COUNT(*) ... FOR SYSTEM_TIME AS OF` a time before the UPDATE
  bytes      the warehouse file's growth per UPDATE (the kept copy)
  drop       `engine.delete_table` (which keeps the table's last content so a copy from
             `table@<time>` can restore it) against DROP TABLE on the plain DuckDB file

Ratio engine/plain: the cost of history on a DML statement (and on a drop). Each timing is the best of `--runs`.

    python benchmarks/bench_bq_time_travel.py [--rows N] [--runs R] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

from llmops.emulator.bigquery.engine import BigQueryEngine

MAKE = "CREATE OR REPLACE TABLE {t} AS SELECT x AS id, CONCAT('row-', CAST(x AS STRING)) AS name, x / 3 AS score FROM UNNEST(GENERATE_ARRAY(1, {n})) AS x"
UPDATE = "UPDATE {t} SET score = score + 1 WHERE TRUE"


def measure(rows: int, runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        plain_path = Path(tmp) / "plain.duckdb"
        plain_best = plain_drop = float("inf")
        for _ in range(runs):
            con = duckdb.connect(str(plain_path))
            con.execute(
                f"CREATE OR REPLACE TABLE t AS SELECT i AS id, 'row-' || i AS name, i / 3 AS score FROM range(1, {rows + 1}) r(i)"
            )
            start = time.perf_counter()
            con.execute("UPDATE t SET score = score + 1")
            plain_best = min(plain_best, time.perf_counter() - start)
            start = time.perf_counter()
            con.execute("DROP TABLE t")
            plain_drop = min(plain_drop, time.perf_counter() - start)
            con.close()

        engine = BigQueryEngine(Path(tmp) / "warehouse.duckdb", keep_open=True)
        engine.create_dataset("llmops-local", "d")
        engine_best, travel_best, drop_best, growth = float("inf"), float("inf"), float("inf"), []
        for _ in range(runs):
            engine.query(MAKE.format(t="d.t", n=rows))
            engine.query("SELECT 1")
            before = dt.datetime.now(dt.UTC)
            time.sleep(0.01)
            size = (Path(tmp) / "warehouse.duckdb").stat().st_size
            start = time.perf_counter()
            engine.query(UPDATE.format(t="d.t"))
            engine_best = min(engine_best, time.perf_counter() - start)
            growth.append((Path(tmp) / "warehouse.duckdb").stat().st_size - size)
            start = time.perf_counter()
            n = (
                engine.query(f"SELECT COUNT(*) AS n FROM d.t FOR SYSTEM_TIME AS OF TIMESTAMP '{before.isoformat()}'")
                .table.column(0)[0]
                .as_py()
            )
            travel_best = min(travel_best, time.perf_counter() - start)
            assert n == rows
            start = time.perf_counter()
            engine.delete_table("llmops-local", "d", "t")
            drop_best = min(drop_best, time.perf_counter() - start)
        engine.close()
    return {
        "rows": rows,
        "plain_s": round(plain_best, 4),
        "engine_s": round(engine_best, 4),
        "travel_s": round(travel_best, 4),
        "engine_over_plain": round(engine_best / plain_best, 2),
        "file_growth_bytes": max(growth),
        "plain_drop_s": round(plain_drop, 4),
        "engine_drop_s": round(drop_best, 4),
        "drop_over_plain": round(drop_best / plain_drop, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    out = measure(args.rows, args.runs)
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:>20}  {v}")


if __name__ == "__main__":
    main()
