"""Cost of sorting JSON values' object members as query results leave the engine
(`jsonorder.py`): `SELECT j FROM b.t` through the engine over a table of JSON objects, as a ratio
to the same query with the sorting switched off in the same process (median of 5 runs each), and
the same with the rows encoded as the REST API sends them (`encode_rows`, what `jobs.query` and
`tabledata.list` pay). Rows are small objects of four members, one nested; a table of scalars
(no object to sort) shows what the check alone costs.

    python benchmarks/bench_json_member_order.py [--rows N]
"""

from __future__ import annotations

from rewrite_costs import arguments, engine_with_table, median_seconds, print_ratio

from llmops.emulator.bigquery import jsonorder
from llmops.emulator.bigquery.encoding import encode_rows


def main() -> None:
    args = arguments(__doc__, 100_000, only=False).parse_args()
    engine = engine_with_table(
        "SELECT TO_JSON(STRUCT(i AS z, 'x' AS m, STRUCT(i AS d, 1.5 AS c) AS b, [i, 2] AS a)) AS j, "
        f"TO_JSON(i) AS n FROM UNNEST(GENERATE_ARRAY(1, {args.rows})) AS i"
    )
    sort = jsonorder.table_with_sorted_json
    print(f"{args.rows:,} rows")
    cases = [
        (f"{what}{rest}", sql, rest != "")
        for rest in ("", " + REST rows")
        for what, sql in [("objects", "SELECT j FROM b.t"), ("scalars", "SELECT n FROM b.t")]
    ]
    for name, sql, encoded in cases:

        def run(sorting, sql=sql, encoded=encoded):
            jsonorder.table_with_sorted_json = sort if sorting else (lambda table, types: table)
            result = engine.query(sql)
            if encoded:
                encode_rows(result.table, result.schema)

        ours, base = median_seconds(lambda: run(True)), median_seconds(lambda: run(False))
        jsonorder.table_with_sorted_json = sort
        print_ratio(name, ours, base)


if __name__ == "__main__":
    main()
