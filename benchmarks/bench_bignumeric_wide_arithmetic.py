"""Cost of arithmetic, HAVING and CTE reads over a wide BIGNUMERIC column (widecolumns.py,
widearithmetic.py) against the same statements over the engine's DECIMAL(38, 18) column.

Two tables of N rows (median of 3 runs, one in-memory engine): `b.t`, whose BIGNUMERIC `n` holds
values within DECIMAL(38, 18), and `b.w`, the same values plus one row of 1e-38, which made its
column wide (`STRUCT(__bignumeric BIGNUM)`). Each case is summed or counted so that the result
conversion does not count: `+` and `-` are DuckDB's BIGNUM with a range check a row, `*` and `/`
a Python UDF (`widearithmetic.ARITHMETIC_UDF`) over the scaled integers' text, a CTE read a
second scope of the same plan. Last, the one-time widening by a write of 42e30: into a
parameterized `BIGNUMERIC(37)` column (its table rebuilt, `bignumerics.rebuild_sql`) against
into a plain BIGNUMERIC column (`ALTER ... SET DATA TYPE`), N rows each, a fresh copy a run.

    python benchmarks/bench_bignumeric_wide_arithmetic.py [--rows N]
"""

from __future__ import annotations

from decimal import Decimal

from rewrite_costs import PROJECT, arguments, engine_with_table, median_seconds, print_ratio

SELECT = "SELECT CAST(x AS BIGNUMERIC) / 7 AS n, x AS i FROM UNNEST(GENERATE_ARRAY(1, {rows})) AS x"

CASES = [
    ("SUM(n + 1)", "SELECT SUM(n + 1) FROM b.{t}"),
    ("SUM(n - i) (an INT64 column)", "SELECT SUM(n - i) FROM b.{t}"),
    ("SUM(-n)", "SELECT SUM(-n) FROM b.{t}"),
    ("SUM(n * 2) (the UDF)", "SELECT SUM(n * 2) FROM b.{t}"),
    ("SUM(n / 7) (the UDF)", "SELECT SUM(n / 7) FROM b.{t}"),
    ("filter n * 3 > 100", "SELECT COUNT(*) FROM b.{t} WHERE n * 3 > 100"),
    ("filter n + 1 > 100", "SELECT COUNT(*) FROM b.{t} WHERE n + 1 > 100"),
    ("HAVING SUM(n) > 0, 1,000 groups", "SELECT MOD(i, 1000) AS k FROM b.{t} GROUP BY k HAVING SUM(n) > 0"),
    ("SUM through a CTE", "WITH c AS (SELECT i, n FROM b.{t}) SELECT SUM(n) FROM c"),
]


def main() -> None:
    args = arguments(__doc__, 200_000, only=False).parse_args()
    engine = engine_with_table(SELECT.format(rows=args.rows))
    engine.query("CREATE TABLE b.w AS SELECT * FROM b.t")
    engine.insert_rows(PROJECT, "b", "w", [{"n": str(Decimal("1e-38")), "i": 0}])  # the column goes wide

    def query(sql: str) -> None:
        engine.query(sql, default_project=PROJECT)

    print(f"{'case':36} {'wide s':>12} {'DECIMAL s':>10} {'ratio':>6}")
    for name, sql in CASES:
        wide = median_seconds(lambda sql=sql: query(sql.format(t="w")), runs=3)
        narrow = median_seconds(lambda sql=sql: query(sql.format(t="t")), runs=3)
        print_ratio(name, wide, narrow, 36)
    times: dict[str, list[float]] = {"p": [], "q": []}
    for run in range(3):
        for name, kind in (("p", "BIGNUMERIC(37)"), ("q", "BIGNUMERIC")):
            table = f"b.{name}{run}"
            query(f"CREATE TABLE {table} (n {kind}, i INT64)")
            query(f"INSERT INTO {table} SELECT ROUND(n), i FROM b.t")
            times[name].append(
                median_seconds(lambda t=table: query(f"INSERT INTO {t} (n, i) VALUES (42e30, 0)"), runs=1)
            )
    print_ratio("widening write: BIGNUMERIC(37) rebuild", sorted(times["p"])[1], sorted(times["q"])[1], 36)


if __name__ == "__main__":
    main()
