"""Cost of the date part checks (`datefamily.py`) on a 1,000,000-row table: EXTRACT, DATE_TRUNC
and DATE_DIFF of a column whose type the translation does not know, which DuckDB guards with
`CASE WHEN typeof(column) = 'DATE' THEN error(...)`, as a ratio to DuckDB's own date_part,
date_trunc and date_diff of the same column (same data, same connection, median of 5 runs).
DuckDB decides typeof() when it plans the query, so the guard should cost nothing per row.

    python benchmarks/bench_googlesql_date_parts.py [--rows N] [--only NAME]
"""

from __future__ import annotations

from rewrite_costs import arguments, engine_with_table, print_ratios


def main() -> None:
    args = arguments(__doc__, 1_000_000).parse_args()
    engine = engine_with_table(
        "SELECT TIMESTAMP_ADD(TIMESTAMP '2024-01-01 00:00:00+00', INTERVAL i SECOND) AS ts, "
        f"DATE_ADD(DATE '2024-01-01', INTERVAL MOD(i, 3000) DAY) AS d FROM UNNEST(GENERATE_ARRAY(1, {args.rows})) AS i"
    )
    cases = [
        (
            "EXTRACT(HOUR FROM ts)",
            "SELECT SUM(EXTRACT(HOUR FROM ts)) FROM b.t",
            "SELECT SUM(date_part('hour', ts)) FROM b.t",
        ),
        (
            "EXTRACT(YEAR FROM d)",
            "SELECT SUM(EXTRACT(YEAR FROM d)) FROM b.t",
            "SELECT SUM(date_part('year', d)) FROM b.t",
        ),
        (
            "DATE_DIFF(d, d, MONTH)",
            "SELECT SUM(DATE_DIFF(d, DATE '2020-01-01', MONTH)) FROM b.t",
            "SELECT SUM(date_diff('month', DATE '2020-01-01', d)) FROM b.t",
        ),
    ]
    with engine.connection() as con:
        print_ratios(engine, con, cases, only=args.only, baseline="DuckDB s", rows_for_cost=args.rows)


if __name__ == "__main__":
    main()
