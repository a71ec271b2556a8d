"""Cost of the rounding check on text made BIGNUMERIC as a query runs (`bignumerictext.py`) on a
1,000,000-row table of decimal strings: `CAST(s AS BIGNUMERIC)` and `PARSE_BIGNUMERIC(s)` as the
translator writes them, against DuckDB's own CAST(s AS DECIMAL(38, 18)) of the same column (same
data, same connection, median of 5 runs).

    python benchmarks/bench_bignumeric_text_casts.py [--rows N] [--only NAME]
"""

from __future__ import annotations

from rewrite_costs import arguments, engine_with_table, print_ratios


def main() -> None:
    args = arguments(__doc__, 1_000_000).parse_args()
    engine = engine_with_table(
        f"SELECT CONCAT(CAST(i AS STRING), '.', CAST(MOD(i, 997) AS STRING)) AS s FROM UNNEST(GENERATE_ARRAY(1, {args.rows})) AS i"
    )
    cases = [
        (
            "CAST(s AS BIGNUMERIC)",
            "SELECT SUM(CAST(s AS BIGNUMERIC)) FROM b.t",
            "SELECT SUM(CAST(s AS DECIMAL(38, 18))) FROM b.t",
        ),
        (
            "PARSE_BIGNUMERIC(s)",
            "SELECT SUM(PARSE_BIGNUMERIC(s)) FROM b.t",
            "SELECT SUM(CAST(s AS DECIMAL(38, 18))) FROM b.t",
        ),
    ]
    with engine.connection() as con:
        print_ratios(engine, con, cases, only=args.only, baseline="DuckDB s", rows_for_cost=args.rows)


if __name__ == "__main__":
    main()
