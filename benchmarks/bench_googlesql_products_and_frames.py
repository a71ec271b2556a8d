"""Cost of the tenth ZetaSQL compliance sweep's rewrites (docs/googlesql.md, "Cost of the
rewrites"): NUMERIC * NUMERIC rounded to a NUMERIC (numericproducts.py) and a RANGE frame over a
FLOAT64 key whose offset may overflow (floatframes.py). Each as a ratio to DuckDB's bare expression
(same data, same connection, median of 5 runs).

    python benchmarks/bench_googlesql_products_and_frames.py [--rows N] [--only NAME]
"""

from __future__ import annotations

from rewrite_costs import arguments, engine_with_table, print_ratios

from llmops.emulator.bigquery import udfs

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


def main() -> None:
    args = arguments(__doc__, 1_000_000).parse_args()
    engine = engine_with_table(
        "SELECT x AS i, x * 1.5 AS f, CAST(x AS NUMERIC) / 7 AS a, NUMERIC '1.000000001' AS b, "
        f"CAST(x AS NUMERIC) * 100000 AS w FROM UNNEST(GENERATE_ARRAY(1, {args.rows})) AS x"
    )
    with engine.connection() as con:
        udfs.register(con)  # the exact UDF of the products past 10^19, as the engine registers it
        print_ratios(engine, con, CASES, only=args.only, width=28)


if __name__ == "__main__":
    main()
