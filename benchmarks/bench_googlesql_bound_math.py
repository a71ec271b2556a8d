"""Cost of evaluating a large argument of a checked math function once (mathfuncs._t,
boundvalues.py: a lambda over a one-element list) instead of copying it into each branch of the
check: SQRT, LN, POW and FLOOR of arithmetic (whose overflow check makes the argument large). Each
as a ratio to DuckDB's bare expression (same data, same connection, median of 5 runs); run it
with the sources before the change for the old ratios.

    python benchmarks/bench_googlesql_bound_math.py [--rows N] [--only NAME]
"""

from __future__ import annotations

from rewrite_costs import arguments, engine_with_table, print_ratios

CASES = [
    # (name, GoogleSQL through the translator with the table's column types, DuckDB's bare expression)
    ("SQRT(f * g + 1)", "SELECT SUM(SQRT(f * g + 1)) FROM b.t", "SELECT sum(sqrt(f * g + 1)) FROM b.t"),
    ("LN(f / 3 + 1)", "SELECT SUM(LN(f / 3 + 1)) FROM b.t", "SELECT sum(ln(f / 3 + 1)) FROM b.t"),
    ("POW(f / g, 2)", "SELECT SUM(POW(f / g, 2)) FROM b.t", "SELECT sum(pow(f / g, 2)) FROM b.t"),
    (
        "FLOOR(LOG(f) / LOG(g))",
        "SELECT SUM(FLOOR(LOG(f) / LOG(g))) FROM b.t",
        "SELECT sum(floor(ln(f) / ln(g))) FROM b.t",
    ),
    ("SQRT(f) (small argument)", "SELECT SUM(SQRT(f)) FROM b.t", "SELECT sum(sqrt(f)) FROM b.t"),
]


def main() -> None:
    args = arguments(__doc__, 1_000_000).parse_args()
    engine = engine_with_table(
        f"SELECT x * 1.5 AS f, MOD(x, 7) + 2.0 AS g FROM UNNEST(GENERATE_ARRAY(1, {args.rows})) AS x"
    )
    with engine.connection() as con:
        print_ratios(engine, con, CASES, only=args.only)


if __name__ == "__main__":
    main()
