"""Cost of the RANGE rewrites (ranges.py) on a table with a RANGE<DATE> column, as a ratio to the
same work written as plain DuckDB struct expressions without BigQuery's checks (same data, same
connection, median of 5 runs). Then the cost of writing unbounded bounds as NULL on the way out
(`ranges.relation_with_null_bounds`): a query's rows as Arrow with it, against the same query with
it switched off.

    python benchmarks/bench_googlesql_ranges.py [--rows N]
"""

from __future__ import annotations

from rewrite_costs import TABLE as T
from rewrite_costs import arguments, engine_with_table, median_seconds, print_ratio, print_ratios

CASES = [
    # (name, GoogleSQL through the translator, DuckDB native baseline)
    (
        "RANGE(a, b) (start < end check)",
        "SELECT MAX(RANGE(d, DATE_ADD(d, INTERVAL 3 DAY))) FROM b.t",
        f"SELECT MAX({{'start': d, 'end': CAST(d + INTERVAL 3 DAY AS DATE)}}) FROM {T}",
    ),
    (
        "RANGE_CONTAINS(r, date)",
        "SELECT COUNTIF(RANGE_CONTAINS(r, DATE '2021-01-01')) FROM b.t",
        f"SELECT COUNT(*) FILTER (r.start <= DATE '2021-01-01' AND DATE '2021-01-01' < r.\"end\") FROM {T}",
    ),
    (
        "RANGE_OVERLAPS(r, literal)",
        "SELECT COUNTIF(RANGE_OVERLAPS(r, RANGE<DATE> '[2021-01-01, 2021-02-01)')) FROM b.t",
        f"SELECT COUNT(*) FILTER (r.start < DATE '2021-02-01' AND DATE '2021-01-01' < r.\"end\") FROM {T}",
    ),
    (
        "RANGE_INTERSECT(r, r)",
        "SELECT MAX(RANGE_INTERSECT(r, r)) FROM b.t",
        f"SELECT MAX({{'start': greatest(r.start, r.start), 'end': least(r.\"end\", r.\"end\")}}) FROM {T}",
    ),
    (
        "CAST(r AS STRING)",
        "SELECT MAX(CAST(r AS STRING)) FROM b.t",
        f"SELECT MAX('[' || r.start || ', ' || r.\"end\" || ')') FROM {T}",
    ),
    (
        "CAST(text AS RANGE<DATE>)",
        "SELECT MAX(CAST(s AS RANGE<DATE>)) FROM b.t",
        f"SELECT MAX({{'start': CAST(s[2:11] AS DATE), 'end': CAST(s[14:23] AS DATE)}}) FROM {T}",
    ),
]


def main() -> None:
    n = arguments(__doc__, 300_000, only=False).parse_args().rows
    engine = engine_with_table(
        "SELECT d, RANGE(d, DATE_ADD(d, INTERVAL 30 DAY)) AS r, "
        "CAST(RANGE(d, DATE_ADD(d, INTERVAL 30 DAY)) AS STRING) AS s FROM "
        f"(SELECT DATE_ADD(DATE '2020-01-01', INTERVAL MOD(x, 3000) DAY) AS d FROM UNNEST(GENERATE_ARRAY(1, {n})) AS x)"
    )
    with engine.connection() as con:
        print_ratios(engine, con, CASES, width=34)
    from llmops.emulator.bigquery import ranges

    read = "SELECT d, r FROM b.t"
    ours = median_seconds(lambda: engine.query(read))
    kept = ranges.relation_with_null_bounds
    ranges.relation_with_null_bounds = lambda rel: rel
    try:
        base = median_seconds(lambda: engine.query(read))
    finally:
        ranges.relation_with_null_bounds = kept
    print_ratio("rows out, open bounds as NULL", ours, base, width=34)


if __name__ == "__main__":
    main()
