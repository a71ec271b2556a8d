"""Cost of the GEOGRAPHY functions (shapely UDFs over Arrow batches, geography.py) on a
200,000-row table, as a ratio to the closest DuckDB native expression on the same data
(same connection, median of 5 runs). Needs the `geo` extra.

    python benchmarks/bench_geography.py [--rows N] [--only NAME]
"""

from __future__ import annotations

from rewrite_costs import arguments, engine_with_table, print_ratios

HAVERSINE = (
    "2 * 6371010.0 * asin(sqrt(pow(sin(radians(lat - 47.6) / 2), 2) + "
    "cos(radians(lat)) * cos(radians(47.6)) * pow(sin(radians(lng + 122.3) / 2), 2)))"
)
CASES = [
    # (name, GoogleSQL through the translator, DuckDB native baseline)
    (
        "ST_GEOGPOINT (vectorised)",
        "SELECT COUNT(ST_GEOGPOINT(lng, lat)) FROM b.t",
        "SELECT COUNT(CAST(concat('POINT(', lng, ' ', lat, ')') AS GEOMETRY)) FROM b.t",
    ),
    ("ST_X (vectorised)", "SELECT SUM(ST_X(p)) FROM b.t", "SELECT SUM(lng) FROM b.t"),
    (
        "ST_DISTANCE points (vectorised)",
        "SELECT SUM(ST_DISTANCE(p, ST_GEOGPOINT(-122.3, 47.6))) FROM b.t",
        f"SELECT SUM({HAVERSINE}) FROM b.t",
    ),
    (
        "ST_DWITHIN points (vectorised)",
        "SELECT COUNTIF(ST_DWITHIN(p, ST_GEOGPOINT(-122.3, 47.6), 5000)) FROM b.t",
        f"SELECT COUNT_IF({HAVERSINE} <= 5000) FROM b.t",
    ),
    (
        "ST_CONTAINS (vectorised)",
        "SELECT COUNTIF(ST_CONTAINS(ST_GEOGFROMTEXT('POLYGON((-123 47, -122 47, -122 48, -123 48, -123 47))'), p)) "
        "FROM b.t",
        "SELECT COUNT_IF(lng > -123 AND lng < -122 AND lat > 47 AND lat < 48) FROM b.t",
    ),
    (
        "ST_GEOGFROMTEXT (per row, simplest form)",
        "SELECT COUNT(ST_GEOGFROMTEXT(CONCAT('MULTIPOINT(', CAST(lng AS STRING), ' ', CAST(lat AS STRING), ')'))) "
        "FROM b.t",
        "SELECT COUNT(CAST(concat('MULTIPOINT(', lng, ' ', lat, ')') AS GEOMETRY)) FROM b.t",
    ),
    ("ST_ASTEXT (native)", "SELECT MAX(ST_ASTEXT(p)) FROM b.t", "SELECT MAX(CAST(p AS VARCHAR)) FROM b.t"),
    ("ST_ASGEOJSON (per row)", "SELECT MAX(ST_ASGEOJSON(p)) FROM b.t", "SELECT MAX(st_asgeojson(p)) FROM b.t"),
    (
        "ST_MAKELINE (per row) + ST_LENGTH",
        "SELECT SUM(ST_LENGTH(ST_MAKELINE(p, ST_GEOGPOINT(-122.3, 47.6)))) FROM b.t",
        f"SELECT SUM({HAVERSINE}) FROM b.t",
    ),
]


def main() -> None:
    args = arguments(__doc__, 200_000).parse_args()
    engine = engine_with_table(
        "SELECT lng, lat, ST_GEOGPOINT(lng, lat) AS p FROM ("
        "SELECT -123 + MOD(x, 1000) / 500 AS lng, 47 + MOD(x * 7, 1000) / 500 AS lat "
        f"FROM UNNEST(GENERATE_ARRAY(1, {args.rows})) AS x)"
    )
    with engine.connection() as con:
        # the CREATE TABLE above registered the geography UDFs on the engine's database
        print_ratios(engine, con, CASES, only=args.only, label="function", width=34, rows_for_cost=args.rows)


if __name__ == "__main__":
    main()
