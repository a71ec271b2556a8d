"""Cost of GAP_FILL (gapfill.py) on a table of irregular time series, as a ratio to the same fill
written by hand in DuckDB SQL (bucket grid per series, ASOF joins for the values before and after
each bucket) on the same connection, median of 5 runs. The GAP_FILL time is the statement as it
runs: written out for the input's types (one DESCRIBE of the input) and executed.

    python benchmarks/bench_googlesql_gap_fill.py [--rows N]
"""

from __future__ import annotations

from rewrite_costs import PROJECT, arguments, engine_with_table, median_seconds, print_ratio
from rewrite_costs import TABLE as T

from llmops.emulator.bigquery import gapfill

SERIES = 100

_GRID = f"""WITH span AS (SELECT g, min(t) AS lo, max(t) AS hi FROM {T} GROUP BY g),
grid AS (
  SELECT g, unnest(generate_series(
    time_bucket(INTERVAL 1 MINUTE, lo) + CASE WHEN time_bucket(INTERVAL 1 MINUTE, lo) < lo
      THEN INTERVAL 1 MINUTE ELSE INTERVAL 0 MINUTE END,
    hi, INTERVAL 1 MINUTE)) AS b
  FROM span)
"""
CASES = [
    # (name, GoogleSQL, hand-written DuckDB)
    (
        "null (value_columns omitted)",
        "SELECT COUNT(*), SUM(v) FROM GAP_FILL(TABLE b.t, 't', INTERVAL 1 MINUTE, ['g'])",
        _GRID + f"SELECT COUNT(*), SUM(d.v) FROM grid LEFT JOIN {T} AS d ON d.g = grid.g AND d.t = grid.b",
    ),
    (
        "locf",
        "SELECT COUNT(*), SUM(v) FROM GAP_FILL(TABLE b.t, 't', INTERVAL 1 MINUTE, ['g'], [('v', 'locf')])",
        _GRID + f"SELECT COUNT(*), SUM(p.v) FROM grid ASOF LEFT JOIN {T} AS p ON p.g = grid.g AND p.t <= grid.b",
    ),
    (
        "linear",
        "SELECT COUNT(*), SUM(v) FROM GAP_FILL(TABLE b.t, 't', INTERVAL 1 MINUTE, ['g'], [('v', 'linear')])",
        _GRID + "SELECT COUNT(*), SUM(CASE WHEN p.t = grid.b THEN p.v ELSE CAST(round(p.v + (n.v - p.v) * "
        "CAST(epoch_us(grid.b) - epoch_us(p.t) AS DOUBLE) / CAST(epoch_us(n.t) - epoch_us(p.t) AS DOUBLE)) AS BIGINT)"
        f" END) FROM grid ASOF LEFT JOIN {T} AS p ON p.g = grid.g AND p.t <= grid.b"
        f" ASOF LEFT JOIN {T} AS n ON n.g = grid.g AND n.t >= grid.b",
    ),
]


def main() -> None:
    n = arguments(__doc__, 1_000_000, only=False).parse_args().rows
    # SERIES series of n / SERIES points each, 37 s apart and offset by the series' number of
    # seconds: every minute has a point in some series, few on the minute itself
    engine = engine_with_table(
        f"SELECT MOD(x, {SERIES}) AS g, TIMESTAMP_ADD(TIMESTAMP '2020-01-01', INTERVAL DIV(x, {SERIES}) * 37 + MOD(x, {SERIES}) SECOND) AS t,"
        f" MOD(x * 7919, 1000) AS v FROM UNNEST(GENERATE_ARRAY(0, {n - 1})) AS x"
    )
    print(f"{'GAP_FILL':32} {'GoogleSQL s':>12} {'native s':>10} {'ratio':>6}")
    with engine.connection() as con:
        for name, googlesql, native in CASES:
            stmt = engine._translate(googlesql, default_project=PROJECT, default_dataset=None, con=con).statements[-1]

            def ours(stmt=stmt) -> object:
                return con.execute(gapfill.expand(con, stmt.sql, stmt.gap_fills)).fetchall()

            got, want = ours(), con.execute(native).fetchall()
            assert got == want, (name, got, want)  # the same rows, or the ratio means nothing
            print_ratio(name, median_seconds(ours), median_seconds(lambda sql=native: con.execute(sql).fetchall()))


if __name__ == "__main__":
    main()
