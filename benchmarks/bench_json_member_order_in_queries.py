"""Cost of sorting a JSON value's object members where a query turns it into text
(`jsonorder.SORTED_JSON_UDF`). TO_JSON_STRING(json), FORMAT('%t', json) and TO_JSON_STRING of a
STRUCT holding one, as the translator writes them, against DuckDB's unsorted text of the same
values on the same connection (`CAST(j AS VARCHAR)`, `to_json` of the struct); an export's JSON
column against an engine, built in the same process, whose UDF passes the text through
unsorted (median of 5 runs each). Rows are objects of four members, one nested; a column of JSON
scalars (no object to sort) shows what the check alone costs.

    python benchmarks/bench_json_member_order_in_queries.py [--rows N]
"""

from __future__ import annotations

import tempfile

from rewrite_costs import PROJECT, arguments, median_seconds, print_ratio, print_ratios

from llmops.emulator.bigquery import jsonorder, udfs
from llmops.emulator.bigquery.engine import BigQueryEngine

CASES = [
    ("TO_JSON_STRING objects", "SELECT TO_JSON_STRING(j) FROM b.t", "SELECT CAST(j AS VARCHAR) FROM b.t"),
    ("TO_JSON_STRING scalars", "SELECT TO_JSON_STRING(n) FROM b.t", "SELECT CAST(n AS VARCHAR) FROM b.t"),
    ("FORMAT %t objects", "SELECT FORMAT('%t', j) FROM b.t", "SELECT CAST(j AS VARCHAR) FROM b.t"),
    (
        "TO_JSON_STRING(STRUCT) objects",
        "SELECT TO_JSON_STRING(STRUCT(j AS x, n AS y)) FROM b.t",
        "SELECT CAST(to_json(struct_pack(x := j, y := n)) AS VARCHAR) FROM b.t",
    ),
]


def _engine(rows: int, root: str) -> BigQueryEngine:
    engine = BigQueryEngine(local_root=root)
    engine.create_dataset(PROJECT, "b")
    engine.query(
        "CREATE TABLE b.t AS SELECT TO_JSON(STRUCT(i AS z, 'x' AS m, STRUCT(i AS d, 1.5 AS c) AS b, [i, 2] AS a)) "
        f"AS j, TO_JSON(i) AS n FROM UNNEST(GENERATE_ARRAY(1, {rows})) AS i"
    )
    for _, sql, _ in CASES:  # registers the UDFs (the engine's and its export writer's) as they are now
        engine.query(sql + " LIMIT 1")
    engine.export("SELECT j FROM b.t LIMIT 1", "warm.jsonl")
    return engine


def main() -> None:
    args = arguments(__doc__, 100_000, only=False).parse_args()
    with tempfile.TemporaryDirectory() as sorted_root, tempfile.TemporaryDirectory() as plain_root:
        ours = _engine(args.rows, sorted_root)
        name = jsonorder.SORTED_JSON_UDF
        kept = udfs._BATCH_UDFS[name]
        udfs._BATCH_UDFS[name] = (lambda texts: texts, *kept[1:])
        try:
            plain = _engine(args.rows, plain_root)
        finally:
            udfs._BATCH_UDFS[name] = kept
        print(f"{args.rows:,} rows")
        with ours.connection() as con:
            print_ratios(ours, con, CASES, baseline="DuckDB s", rows_for_cost=args.rows)
        print(f"{'export':32} {'sorted s':>12} {'unsorted s':>10} {'ratio':>6}")
        export = "SELECT j FROM b.t"
        for fmt in ("jsonl", "csv"):
            print_ratio(
                f"export {fmt} objects",
                median_seconds(lambda fmt=fmt: ours.export(export, f"o.{fmt}", format=fmt)),
                median_seconds(lambda fmt=fmt: plain.export(export, f"o.{fmt}", format=fmt)),
            )


if __name__ == "__main__":
    main()
