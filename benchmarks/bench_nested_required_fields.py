"""What enforcing REQUIRED fields inside RECORDs costs DML statements and loads (nestedrequired.py).

Two tables of the same schema, `id INT64, rec RECORD<a INT64, b STRING>, reps RECORD REPEATED
<x INT64>`, one with `rec.a` and `reps.x` REQUIRED (the check runs after each write, in the
write's transaction, over the whole table), one without (one look at its field options). Each
case writes `--rows` rows into an emptied table (the emptying untimed): `INSERT ... SELECT` and
an Arrow load (`load_table`, as a load job ends). Median of 5 runs; the ratio is with/without.
"""

from __future__ import annotations

import time

import pyarrow as pa
from rewrite_costs import PROJECT, arguments

from llmops.emulator.bigquery import fieldopts
from llmops.emulator.bigquery.engine import BigQueryEngine


def _fields(required: str) -> list[dict]:
    return [
        {"name": "id", "type": "INT64", "mode": "NULLABLE"},
        {
            "name": "rec",
            "type": "RECORD",
            "mode": "NULLABLE",
            "fields": [
                {"name": "a", "type": "INT64", "mode": required},
                {"name": "b", "type": "STRING", "mode": "NULLABLE"},
            ],
        },
        {
            "name": "reps",
            "type": "RECORD",
            "mode": "REPEATED",
            "fields": [{"name": "x", "type": "INT64", "mode": required}],
        },
    ]


def _timed(engine: BigQueryEngine, table: str, write) -> float:
    times = []
    for _ in range(5):
        engine.query(f"DELETE FROM b.{table} WHERE true")
        start = time.perf_counter()
        write(table)
        times.append(time.perf_counter() - start)
    return sorted(times)[2]


def main() -> None:
    args = arguments(__doc__, 100_000, only=False).parse_args()
    engine = BigQueryEngine()
    engine.create_dataset(PROJECT, "b")
    for table, mode in (("plain", "NULLABLE"), ("required", "REQUIRED")):
        fields = _fields(mode)
        engine.create_table(PROJECT, "b", table, fields)
        fieldopts.record(engine, PROJECT, "b", table, fields)
    n = args.rows
    insert = (
        "INSERT INTO b.{t} (id, rec, reps) SELECT i, STRUCT(i AS a, CAST(i AS STRING) AS b), "
        f"[STRUCT(i AS x), STRUCT(i + 1 AS x)] FROM UNNEST(GENERATE_ARRAY(1, {n})) AS i"
    )
    rows = [{"id": i, "rec": {"a": i, "b": str(i)}, "reps": [{"x": i}, {"x": i + 1}]} for i in range(n)]
    data = pa.Table.from_pylist(rows)
    cases = {
        "INSERT ... SELECT": lambda t: engine.query(insert.format(t=t)),
        "load (Arrow)": lambda t: engine.load_table(PROJECT, "b", t, data),
    }
    print(f"{n:,} rows; median of 5 runs")
    print(f"{'case':<20} {'without (s)':>12} {'with (s)':>10} {'ratio':>7}")
    for name, write in cases.items():
        without = _timed(engine, "plain", write)
        with_check = _timed(engine, "required", write)
        print(f"{name:<20} {without:>12.4f} {with_check:>10.4f} {with_check / without:>7.2f}")


if __name__ == "__main__":
    main()
