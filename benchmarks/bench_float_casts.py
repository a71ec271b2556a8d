"""Cost of converting a FLOAT64 to NUMERIC / BIGNUMERIC as BigQuery does (`floatcasts.py`: the
double's exact value rounded to the type's scale) on a table of 1,000,000 doubles with full
mantissas, against DuckDB's own CAST(f AS DECIMAL(...)) of the same column (which rounds the
double times 10^scale, same data, same connection, median of 5 runs). The BIGNUMERIC cases: a
multiple of 2^-18 converted exactly into DECIMAL(38, 18) inside SUM, and the wide value (a Python
UDF a row) as a selected value.

    python benchmarks/bench_float_casts.py [--rows N] [--only NAME]
"""

from __future__ import annotations

from rewrite_costs import arguments, engine_with_table, print_ratios

from llmops.emulator.bigquery.floatcasts import FLOAT_BIGNUMERIC_UDF


def main() -> None:
    args = arguments(__doc__, 1_000_000).parse_args()
    engine = engine_with_table(f"SELECT i / 7 AS f, i / 8 AS g FROM UNNEST(GENERATE_ARRAY(1, {args.rows})) AS i")
    cases = [
        (
            "SUM(CAST(f AS NUMERIC))",
            "SELECT SUM(CAST(f AS NUMERIC)) FROM b.t",
            "SELECT SUM(CAST(f AS DECIMAL(38, 9))) FROM b.t",
        ),
        (
            "SUM(CAST(g AS BIGNUMERIC)), 2^-18s",
            "SELECT SUM(CAST(g AS BIGNUMERIC)) FROM b.t",
            "SELECT SUM(CAST(g AS DECIMAL(38, 18))) FROM b.t",
        ),
        (
            "CAST(f AS BIGNUMERIC), selected",
            "SELECT CAST(f AS BIGNUMERIC) FROM b.t",
            "SELECT CAST(f AS DECIMAL(38, 18)) FROM b.t",
        ),
    ]
    with engine.connection() as con:
        engine.register_udfs(con, {FLOAT_BIGNUMERIC_UDF})
        print_ratios(engine, con, cases, only=args.only, baseline="DuckDB s", rows_for_cost=args.rows, width=36)


if __name__ == "__main__":
    main()
