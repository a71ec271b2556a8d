"""Cost of functions, windows and FLOAT64 operands over a wide BIGNUMERIC column (widecolumns.py,
widearithmetic.py, widefunctions.py) against the same statements over the engine's DECIMAL(38, 18)
column, whose functions are DuckDB's own.

Two tables of N rows (median of 3 runs, one in-memory engine): `b.t`, whose BIGNUMERIC `n` holds
values within DECIMAL(38, 18), and `b.w`, the same values plus one row of 1e-38, which made its
column wide (`STRUCT(__bignumeric BIGNUM)`). Each case is summed or counted so that the result
conversion does not count: ABS and SIGN are BIGNUM's own with a check a row; ROUND, TRUNC,
FLOOR, DIV, MOD and SAFE_DIVIDE the Python UDF (`widearithmetic.ARITHMETIC_UDF`) over the scaled
integers' text; a FLOAT64 operand the value's text cast to DOUBLE; STDDEV the group's values'
text as a list to a Python UDF (`widefunctions.VARIANCE_UDF`) once a group; SUM/AVG OVER a
window DuckDB's window over the BIGNUM (AVG: the UDF once a row).

    python benchmarks/bench_bignumeric_wide_functions.py [--rows N]
"""

from __future__ import annotations

from decimal import Decimal

from rewrite_costs import PROJECT, arguments, engine_with_table, median_seconds, print_ratio

SELECT = (
    "SELECT CAST(x AS BIGNUMERIC) / 7 AS n, x AS i, MOD(x, 1000) AS k, CAST(x AS FLOAT64) / 3 AS f "
    "FROM UNNEST(GENERATE_ARRAY(1, {rows})) AS x"
)

CASES = [
    ("SUM(ABS(n))", "SELECT SUM(ABS(n)) FROM b.{t}"),
    ("SUM(SIGN(n))", "SELECT SUM(SIGN(n)) FROM b.{t}"),
    ("SUM(ROUND(n, 2)) (the UDF)", "SELECT SUM(ROUND(n, 2)) FROM b.{t}"),
    ("SUM(TRUNC(n)) (the UDF)", "SELECT SUM(TRUNC(n)) FROM b.{t}"),
    ("SUM(DIV(n, 3)) (the UDF)", "SELECT SUM(DIV(n, 3)) FROM b.{t}"),
    ("SUM(MOD(n, 3)) (the UDF)", "SELECT SUM(MOD(n, 3)) FROM b.{t}"),
    ("SUM(SAFE_DIVIDE(n, i)) (the UDF)", "SELECT SUM(SAFE_DIVIDE(n, i)) FROM b.{t}"),
    ("SUM(n + f) (FLOAT64)", "SELECT SUM(n + f) FROM b.{t}"),
    ("filter n > f (FLOAT64)", "SELECT COUNT(*) FROM b.{t} WHERE n > f"),
    ("STDDEV(n)", "SELECT STDDEV(n) FROM b.{t}"),
    ("VARIANCE(n), 1,000 groups", "SELECT k, VARIANCE(n) FROM b.{t} GROUP BY k"),
    ("SUM(n) OVER (PARTITION BY k)", "SELECT COUNT(s) FROM (SELECT SUM(n) OVER (PARTITION BY k) AS s FROM b.{t})"),
    ("AVG(n) OVER (PARTITION BY k)", "SELECT COUNT(s) FROM (SELECT AVG(n) OVER (PARTITION BY k) AS s FROM b.{t})"),
]


def main() -> None:
    args = arguments(__doc__, 200_000, only=False).parse_args()
    engine = engine_with_table(SELECT.format(rows=args.rows))
    engine.query("CREATE TABLE b.w AS SELECT * FROM b.t")
    engine.insert_rows(PROJECT, "b", "w", [{"n": str(Decimal("1e-38")), "i": 1, "k": 1, "f": 1.0}])  # goes wide

    def query(sql: str) -> None:
        engine.query(sql, default_project=PROJECT)

    print(f"{'case':36} {'wide s':>12} {'DECIMAL s':>10} {'ratio':>6}")
    for name, sql in CASES:
        wide = median_seconds(lambda sql=sql: query(sql.format(t="w")), runs=3)
        narrow = median_seconds(lambda sql=sql: query(sql.format(t="t")), runs=3)
        print_ratio(name, wide, narrow, 36)


if __name__ == "__main__":
    main()
