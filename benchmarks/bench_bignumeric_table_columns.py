"""Cost of BIGNUMERIC table columns at full precision (bignumerics.py, "wide only when needed").

Two tables of N rows (median of 5 runs, one in-memory engine): `b.t`, whose BIGNUMERIC `n` holds
values within DECIMAL(38, 18) (the engine's column, as before), and `b.w`, the same values plus
one row of 1e-38, which made its column wide (`STRUCT(__bignumeric BIGNUM)`). Cases:
- a query over `b.t` (SUM, a filter) through `engine.query`, against the same query with the
  wide-column probe taken out (what the engine paid before: the ordinary path's only new cost);
- `SELECT *` of `b.w` through `engine.query` (the path of tabledata.list and the Read API, Arrow
  decimal256 made in Python) against `SELECT *` of `b.t`;
- the write that widens the column (ALTER TABLE of N values) against a plain `UPDATE` of `n`;
- a one-row `INSERT ... VALUES` into `b.t` (widecolumns.py plans DML into a table with a
  BIGNUMERIC column: a parse, and a second translation where a FLOAT64 literal is coerced from
  its digits) against the same INSERT with the planning taken out;
- SUM, AVG (widecolumns.AVG_UDF, Python, once a group, against DuckDB's AVG of the DECIMAL), MIN/MAX,
  a filter against a literal, ORDER BY, GROUP BY and CAST AS STRING over the wide `b.w` (served
  exactly through the struct and BIGNUM, widecolumns.py) against the same over `b.t`.

    python benchmarks/bench_bignumeric_table_columns.py [--rows N]
"""

from __future__ import annotations

from decimal import Decimal

from rewrite_costs import PROJECT, arguments, engine_with_table, median_seconds, print_ratio

from llmops.emulator.bigquery.engine import BigQueryEngine

SELECT = "SELECT CAST(x AS BIGNUMERIC) / 7 AS n, x AS i FROM UNNEST(GENERATE_ARRAY(1, {rows})) AS x"


def main() -> None:
    args = arguments(__doc__, 1_000_000, only=False).parse_args()
    engine = engine_with_table(SELECT.format(rows=args.rows))
    engine.query("CREATE TABLE b.w AS SELECT * FROM b.t")
    engine.insert_rows(PROJECT, "b", "w", [{"n": str(Decimal("1e-38")), "i": 0}])  # the column goes wide

    def query(sql: str) -> None:
        engine.query(sql, default_project=PROJECT)

    probe = BigQueryEngine._plan_wide
    print(f"{'case':36} {'ours s':>12} {'before s':>10} {'ratio':>6}")
    for name, sql in [
        ("SUM over the ordinary column", "SELECT SUM(n) FROM b.t"),
        ("filter over the ordinary column", "SELECT COUNT(*) FROM b.t WHERE n > 100"),
        ("INSERT of a FLOAT64 literal", "INSERT INTO b.t (n, i) VALUES (1.5, -1)"),
        ("INSERT of an INT64 literal", "INSERT INTO b.t (n, i) VALUES (2, -2)"),
    ]:
        ours = median_seconds(lambda sql=sql: query(sql), runs=21)
        BigQueryEngine._plan_wide = lambda self, *args: None  # type: ignore[method-assign]
        try:
            before = median_seconds(lambda sql=sql: query(sql), runs=21)
        finally:
            BigQueryEngine._plan_wide = probe  # type: ignore[method-assign]
        print_ratio(name, ours, before, 36)
    for name, sql in [
        ("SUM", "SELECT SUM(n) FROM b.{t}"),
        ("AVG (a Python UDF a group)", "SELECT AVG(n) FROM b.{t}"),
        ("AVG of 1,000 groups", "SELECT MOD(i, 1000) AS k, AVG(n) AS a FROM b.{t} GROUP BY k"),
        ("MIN and MAX", "SELECT MIN(n), MAX(n) FROM b.{t}"),
        ("filter against a literal", "SELECT COUNT(*) FROM b.{t} WHERE n > 100"),
        ("ORDER BY, LIMIT 10", "SELECT i FROM b.{t} ORDER BY n DESC LIMIT 10"),
        ("GROUP BY", "SELECT COUNT(*) FROM (SELECT n FROM b.{t} GROUP BY n)"),
        ("CAST AS STRING", "SELECT COUNT(*) FROM b.{t} WHERE CAST(n AS STRING) LIKE '%5%'"),
    ]:
        if "FROM (" in sql:  # a subquery over a wide table is refused: group in the top query
            sql = "SELECT n, COUNT(*) AS c FROM b.{t} GROUP BY n ORDER BY c DESC, n LIMIT 1"
        wide = median_seconds(lambda sql=sql: query(sql.format(t="w")), runs=3)
        narrow = median_seconds(lambda sql=sql: query(sql.format(t="t")), runs=3)
        print_ratio(f"{name} of the wide column", wide, narrow, 36)
    wide = median_seconds(lambda: query("SELECT * FROM b.w"), runs=3)
    narrow = median_seconds(lambda: query("SELECT * FROM b.t"), runs=3)
    print_ratio("SELECT * of the wide column", wide, narrow, 36)
    with engine.connection() as con:
        table = '"llmops-local.b"."t"'
        widen = "{'__bignumeric': CAST(replace(CAST(n AS VARCHAR), '.', '') || '00000000000000000000' AS BIGNUM)}"
        ours = median_seconds(
            lambda: con.execute(
                f"CREATE OR REPLACE TEMP TABLE x AS SELECT CASE WHEN n IS NULL THEN NULL ELSE {widen} END AS n FROM {table}"
            ),
            runs=3,
        )
        base = median_seconds(lambda: con.execute(f"CREATE OR REPLACE TEMP TABLE x AS SELECT n FROM {table}"), runs=3)
        print_ratio("widening the column (its values)", ours, base, 36)


if __name__ == "__main__":
    main()
