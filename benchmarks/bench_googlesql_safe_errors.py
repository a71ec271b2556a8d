"""Cost of the checks that keep SAFE. from going on past a failed element: CODE_POINTS_TO_STRING /
CODE_POINTS_TO_BYTES join their pieces only where none is NULL (a NULL there is an error SAFE.
made NULL, safecalls.py), bound once through a lambda. Each as a ratio to DuckDB's bare join of
the same pieces (same data, same connection, median of 5 runs).

    python benchmarks/bench_googlesql_safe_errors.py [--rows N] [--only NAME]
"""

from __future__ import annotations

from rewrite_costs import arguments, engine_with_table, print_ratios

CASES = [
    # (name, GoogleSQL through the translator with the table's column types, DuckDB's bare expression)
    (
        "CODE_POINTS_TO_STRING([65, g, 66])",
        "SELECT COUNT(CODE_POINTS_TO_STRING([65, g, 66])) FROM b.t",
        "SELECT COUNT(array_to_string(list_transform([65, g, 66], lambda c: chr(CAST(c AS INTEGER))), '')) FROM b.t",
    ),
    (
        "SAFE.CODE_POINTS_TO_STRING([65, g])",
        "SELECT COUNT(SAFE.CODE_POINTS_TO_STRING([65, g])) FROM b.t",
        "SELECT COUNT(array_to_string(list_transform([65, g], lambda c: chr(CAST(c AS INTEGER))), '')) FROM b.t",
    ),
    (
        "CODE_POINTS_TO_BYTES([65, g % 256])",
        "SELECT COUNT(CODE_POINTS_TO_BYTES([65, MOD(g, 256)])) FROM b.t",
        "SELECT COUNT(unhex(array_to_string(list_transform([65, g % 256], lambda c: lpad(hex(c), 2, '0')), ''))) FROM b.t",
    ),
]


def main() -> None:
    args = arguments(__doc__, 1_000_000).parse_args()
    engine = engine_with_table(f"SELECT 32 + MOD(x, 50000) AS g FROM UNNEST(GENERATE_ARRAY(1, {args.rows})) AS x")
    with engine.connection() as con:
        print_ratios(engine, con, CASES, only=args.only, width=40)


if __name__ == "__main__":
    main()
