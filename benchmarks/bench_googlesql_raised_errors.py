"""Cost of the checks that raise BigQuery's errors where DuckDB answers a value (docs/googlesql.md,
"Cost of the rewrites"): FLOAT64 overflow (also nested in function calls), SAFE_* overflow, REPEAT/LPAD/RPAD output size. Each as a
ratio to DuckDB's bare expression (same data, same connection, median of 5 runs).

    python benchmarks/bench_googlesql_raised_errors.py [--rows N] [--only NAME]
"""

from __future__ import annotations

from rewrite_costs import arguments, engine_with_table, print_ratios

NESTED3 = "f"
for _ in range(3):
    NESTED3 = f"SIN({NESTED3} * 2.0 + COS(f / 3.0)) / (1.0 + f)"

CASES = [
    # (name, GoogleSQL through the translator with the table's column types, DuckDB's bare expression)
    ("FLOAT64 f * 1.5 + f", "SELECT SUM(f * 1.5 + f) FROM b.t", "SELECT SUM(f * 1.5 + f) FROM b.t"),
    ("FLOAT64 (f - 1) * (f + 1)", "SELECT SUM((f - 1) * (f + 1)) FROM b.t", "SELECT SUM((f - 1) * (f + 1)) FROM b.t"),
    ("FLOAT64 f / i", "SELECT SUM(f / i) FROM b.t", "SELECT SUM(f / i) FROM b.t"),
    # a checked tree inside a function inside another tree: evaluated once through a lambda
    ("SIN(f * 2.0) * 2.0", "SELECT SUM(SIN(f * 2.0) * 2.0) FROM b.t", "SELECT SUM(SIN(f * 2.0) * 2.0) FROM b.t"),
    ("3 levels SIN(.. * 2.0 + COS(f / 3.0))", f"SELECT SUM({NESTED3}) FROM b.t", f"SELECT SUM({NESTED3}) FROM b.t"),
    ("INT64 i * 3 + g", "SELECT SUM(i * 3 + g) FROM b.t", "SELECT SUM(i * 3 + g) FROM b.t"),
    ("SAFE_MULTIPLY(f, f)", "SELECT SUM(SAFE_MULTIPLY(f, f)) FROM b.t", "SELECT SUM(TRY(f * f)) FROM b.t"),
    ("REPEAT(s, g % 5)", "SELECT MAX(REPEAT(s, g % 5)) FROM b.t", "SELECT MAX(repeat(s, g % 5)) FROM b.t"),
    ("LPAD(s, 20)", "SELECT MAX(LPAD(s, 20)) FROM b.t", "SELECT MAX(lpad(s, 20, ' ')) FROM b.t"),
]


def main() -> None:
    args = arguments(__doc__, 1_000_000).parse_args()
    engine = engine_with_table(
        "SELECT x AS i, x * 1.5 AS f, MOD(x, 1000) AS g, CAST(x AS STRING) AS s "
        f"FROM UNNEST(GENERATE_ARRAY(1, {args.rows})) AS x"
    )
    with engine.connection() as con:
        print_ratios(engine, con, CASES, only=args.only, width=28)


if __name__ == "__main__":
    main()
