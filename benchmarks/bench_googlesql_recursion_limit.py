"""Cost of bounding recursive CTEs to BigQuery's 500 iterations (recursionlimit.py): each query as
the translator writes it, against the same translation without the bound (same connection,
median of 5 runs). The graph table `b.t` is a chain of `--rows` edges whose last node links back
to the first (a cycle), so the UNION DISTINCT walk ends only by its de-duplication.

    python benchmarks/bench_googlesql_recursion_limit.py [--rows N]
"""

from __future__ import annotations

from rewrite_costs import arguments, engine_with_table, median_seconds, print_ratio, translated

from llmops.emulator.bigquery import recursionlimit

CASES = [
    (
        "UNION ALL, 400 iterations x 1 row",
        "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 400) SELECT SUM(n) FROM r",
    ),
    (
        "UNION ALL, 300 iterations x 1000 rows",
        "WITH RECURSIVE r AS (SELECT x AS n, 0 AS d FROM UNNEST(GENERATE_ARRAY(1, 1000)) AS x "
        "UNION ALL SELECT n, d + 1 FROM r WHERE d < 300) SELECT SUM(n), MAX(d) FROM r",
    ),
    (
        "UNION DISTINCT walk over a cycle",
        "WITH RECURSIVE r AS (SELECT 0 AS node UNION DISTINCT SELECT t.b FROM r JOIN b.t AS t ON r.node = t.a) "
        "SELECT COUNT(*), MAX(node) FROM r",
    ),
]


def main() -> None:
    n = arguments(__doc__, 400, only=False).parse_args().rows
    engine = engine_with_table(
        f"SELECT x AS a, IF(x = {n - 1}, 0, x + 1) AS b FROM UNNEST(GENERATE_ARRAY(0, {n - 1})) AS x"
    )
    bound = recursionlimit.limit_recursive_ctes
    print(f"{'rewrite':38} {'GoogleSQL s':>12} {'unbounded s':>10} {'ratio':>6}")
    with engine.connection() as con:
        for name, googlesql in CASES:
            ours_sql = translated(engine, con, googlesql)
            recursionlimit.limit_recursive_ctes = lambda stmt: None
            try:
                base_sql = translated(engine, con, googlesql)
            finally:
                recursionlimit.limit_recursive_ctes = bound
            assert con.execute(ours_sql).fetchall() == con.execute(base_sql).fetchall(), name
            ours = median_seconds(lambda sql=ours_sql: con.execute(sql).fetchall())
            base = median_seconds(lambda sql=base_sql: con.execute(sql).fetchall())
            print_ratio(name, ours, base, width=38)


if __name__ == "__main__":
    main()
