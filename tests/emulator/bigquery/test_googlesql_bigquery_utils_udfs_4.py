"""GoogleSQL that GoogleCloudPlatform/bigquery-utils' UDFs write (their CI runs them on
BigQuery) and the local warehouse refused, fourth run (docs/googlesql.md, "Outside sweep:
bigquery-utils' UDFs", "Fourth run"):

- `CREATE [TEMP] AGGREGATE FUNCTION` in SQL (bigquery-utils' `scaled_sum`, `scaled_average`,
  the user-defined aggregates guide's examples) was refused by name; it is created and called as
  an aggregate (a group's rows, GROUP BY, NOT AGGREGATE parameters), and a body that reads an
  aggregate argument outside an aggregate call is ZetaSQL's error. JavaScript aggregates stay
  refused by name (their encodings differ from JavaScript UDFs': INT64 is a BigInt, DATE a Date).

- `ST_*` calls in a SQL function's body (bigquery-utils' `azimuth_to_geog_point`, TEMP or
  persistent) were refused ("function ST_GEOGPOINT is not supported by the local warehouse"):
  the body's geography calls were not rewritten as a query's are. With them, `CAST(g AS STRING)`
  and `TO_JSON_STRING(g)` of a function's GEOGRAPHY argument (and of `CAST(s AS GEOGRAPHY)` in a
  query) answered DuckDB's WKT, `POINT (1 2)`, silently; they are BigQuery's `POINT(1 2)` and
  GeoJSON.

Each case is our own SQL with the answer the reference gives, on the local warehouse and through
the real BigQuery client against the emulator.
"""

from __future__ import annotations

import pytest

SCALED_SUM = "(dividend FLOAT64, divisor FLOAT64 NOT AGGREGATE) RETURNS FLOAT64 AS (SUM(dividend) / divisor)"
SCALED_AVERAGE = "(dividend FLOAT64, divisor FLOAT64) RETURNS FLOAT64 AS (AVG(dividend / divisor))"


def test_a_persistent_aggregate_with_a_non_aggregate_parameter(env):
    # bigquery-utils' scaled_sum and its recorded case
    run, ds, _ = env
    run(f"CREATE AGGREGATE FUNCTION {ds}.scaled_sum{SCALED_SUM}")
    got = run(
        f"SELECT {ds}.scaled_sum(dividend, 4.0) FROM (SELECT 1 AS dividend UNION ALL SELECT 3 UNION ALL SELECT 5)"
    )
    assert got == [(2.25,)]


def test_a_persistent_aggregate_of_two_aggregate_arguments(env):
    # bigquery-utils' scaled_average and its recorded cases
    run, ds, _ = env
    run(f"CREATE OR REPLACE AGGREGATE FUNCTION {ds}.scaled_average{SCALED_AVERAGE}")
    got = run(f"SELECT {ds}.scaled_average(a, b) FROM UNNEST([STRUCT(1 AS a, 2 AS b), (3, 4), (5, 6)])")
    assert got == [(pytest.approx(0.6944444444444444, rel=1e-12),)]
    got = run(f"SELECT {ds}.scaled_average(a, b) FROM UNNEST([STRUCT(1 AS a, 2 AS b), (3, 4), (3, 4)])")
    assert got == [(pytest.approx(0.6666666666666666, rel=1e-12),)]


def test_an_aggregate_per_group_and_of_no_rows(env):
    run, ds, _ = env
    run(
        f"CREATE AGGREGATE FUNCTION {ds}.labelled(x INT64, label STRING NOT AGGREGATE) AS "
        "(CONCAT(label, ':', CAST(SUM(x) AS STRING), '/', CAST(COUNT(*) AS STRING)))"
    )
    got = run(
        f"SELECT k, {ds}.labelled(x, 'sum') FROM UNNEST([STRUCT(1 AS k, 1 AS x), (1, 2), (2, 5), (2, NULL)]) "
        "GROUP BY k ORDER BY k"
    )
    assert got == [(1, "sum:3/2"), (2, "sum:5/2")]
    assert run(f"SELECT {ds}.labelled(x, 'sum') FROM UNNEST([1, 2]) AS x WHERE FALSE") == [(None,)]


def test_an_aggregate_of_any_type(env):
    run, ds, _ = env
    run(f"CREATE AGGREGATE FUNCTION {ds}.distinct_count(x ANY TYPE) AS (COUNT(DISTINCT x))")
    assert run(f"SELECT {ds}.distinct_count(x) FROM UNNEST(['a', 'b', 'a', NULL]) AS x") == [(2,)]


def test_a_temporary_aggregate(env):
    # the user-defined aggregates guide's ScaledSum
    run, _, _ = env
    sql = (
        f"CREATE TEMP AGGREGATE FUNCTION ScaledSum{SCALED_SUM};\n"
        "SELECT ScaledSum(x, 2) FROM UNNEST([1.0, 3.0, 5.0]) AS x"
    )
    assert run(sql) == [(4.5,)]


@pytest.mark.parametrize(
    "ddl",
    [
        "CREATE AGGREGATE FUNCTION {ds}.bad(x INT64) AS (x + 1)",
        "CREATE AGGREGATE FUNCTION {ds}.bad(x INT64, y INT64) AS (SUM(x) + y)",
        "CREATE TEMP AGGREGATE FUNCTION bad(x INT64) AS (x * 2); SELECT bad(1)",
    ],
    ids=["persistent", "second-argument", "temporary"],
)
def test_an_aggregate_argument_outside_an_aggregate_call_is_an_error(env, ddl):
    # the macro would have read each row's value: `bad(x)` answered one row per input row
    run, ds, error = env
    with pytest.raises(error) as info:
        run(ddl.format(ds=ds))
    assert "cannot be referenced outside aggregate function calls unless marked as NOT AGGREGATE" in str(info.value)


def test_information_schema_names_an_aggregate_function(env):
    run, ds, _ = env
    run(f"CREATE AGGREGATE FUNCTION {ds}.scaled_sum{SCALED_SUM}")
    got = run(f"SELECT routine_type, ddl FROM {ds}.INFORMATION_SCHEMA.ROUTINES WHERE routine_name = 'scaled_sum'")
    assert got[0][0] == "AGGREGATE FUNCTION"
    assert got[0][1].startswith("CREATE AGGREGATE FUNCTION")
    assert "divisor FLOAT64 NOT AGGREGATE" in got[0][1]


def test_the_routine_resource_is_an_aggregate_function(bigquery_client):
    import uuid

    ds = f"ds_{uuid.uuid4().hex[:8]}"
    bigquery_client.create_dataset(ds)
    try:
        bigquery_client.query_and_wait(f"CREATE AGGREGATE FUNCTION {ds}.scaled_sum{SCALED_SUM}")
        routine = bigquery_client.get_routine(f"{bigquery_client.project}.{ds}.scaled_sum")
        assert routine.type_ == "AGGREGATE_FUNCTION"
        assert [a._properties.get("isAggregate") for a in routine.arguments] == [None, False]
    finally:
        bigquery_client.delete_dataset(ds, delete_contents=True, not_found_ok=True)


JS_AGGREGATE = (
    "(x FLOAT64) RETURNS FLOAT64 LANGUAGE js AS r'''\n"
    "export function initialState() { return {sum: 0} }\n"
    "export function aggregate(state, x) { if (x > 0) { state.sum += x; } }\n"
    "export function merge(state, partialState) { state.sum += partialState.sum; }\n"
    "export function finalize(state) { return state.sum; }'''"
)


@pytest.mark.parametrize(
    "ddl", ["CREATE AGGREGATE FUNCTION {ds}.SumPositive", "CREATE TEMP AGGREGATE FUNCTION SumPositive"]
)
def test_a_javascript_aggregate_is_refused_by_name(env, ddl):
    run, ds, error = env
    with pytest.raises(error) as info:
        run(ddl.format(ds=ds) + JS_AGGREGATE)
    assert "JavaScript aggregate functions (CREATE AGGREGATE FUNCTION ... LANGUAGE js) are not supported" in str(
        info.value
    )


def test_a_geography_function_in_a_temporary_function(env):
    run, _, _ = env
    sql = (
        "CREATE TEMP FUNCTION p(a FLOAT64) RETURNS GEOGRAPHY AS (ST_GEOGPOINT(a, a)); "
        "SELECT ST_X(p(3)), ST_ASTEXT(p(1.5)), p(NULL) IS NULL"
    )
    assert run(sql) == [(3.0, "POINT(1.5 1.5)", True)]


def test_a_geography_argument_of_a_temporary_function(env):
    run, _, _ = env
    sql = (
        "CREATE TEMP FUNCTION lat(g GEOGRAPHY) AS (ST_Y(g) + 0.5); "
        "SELECT lat(ST_GEOGPOINT(10, 20)), lat(ST_GEOGFROMTEXT('POINT(1 -2)'))"
    )
    assert run(sql) == [(20.5, -1.5)]


AZIMUTH = """(input_lat FLOAT64, input_lon FLOAT64, azimuth FLOAT64, distance FLOAT64) RETURNS GEOGRAPHY AS ((
  with variables as (
    select acos(-1) as pi, 180/acos(-1) as rad2deg, acos(-1)/180 as deg2rag, 6378.1 as earth_radius_km,
      1.61 as miles_in_km
  )
  select ST_GeogPOINT(
    rad2deg*(input_lon * deg2rag + (atan2(sin(azimuth * deg2rag) * sin(distance * miles_in_km/earth_radius_km)
      * cos(input_lat * deg2rag), cos(distance * miles_in_km/earth_radius_km) - sin(input_lat * deg2rag)
      * sin(rad2deg * (asin(sin(input_lat * deg2rag) * cos(distance * miles_in_km/earth_radius_km)
      + cos(input_lat * deg2rag) * sin(distance * miles_in_km/earth_radius_km) * cos(azimuth * deg2rag))))))),
    rad2deg*(asin(sin(input_lat * deg2rag) * cos(distance * miles_in_km/earth_radius_km)
      + cos(input_lat * deg2rag) * sin(distance * miles_in_km/earth_radius_km) * cos(azimuth * deg2rag)))
  )
  from variables
))"""


def test_azimuth_to_geog_point(env):
    # bigquery-utils' azimuth_to_geog_point and its recorded cases
    run, ds, _ = env
    run(f"CREATE FUNCTION {ds}.azimuth_to_geog_point{AZIMUTH}")
    got = run(
        f"SELECT ST_X(g), ST_Y(g), ST_ASTEXT({ds}.azimuth_to_geog_point(0.0, 0.0, 0.0, 0.0)), "
        f"{ds}.azimuth_to_geog_point(30.2672, 97.7431, 312.9, NULL) IS NULL "
        f"FROM (SELECT {ds}.azimuth_to_geog_point(30.2672, 97.7431, 312.9, 1066.6) AS g)"
    )
    assert got == [
        (pytest.approx(81.4424537666577, rel=1e-12), pytest.approx(39.9606895127128, rel=1e-12), "POINT(0 0)", True)
    ]


GEOGRAPHY_TEXTS = [
    ("CREATE TEMP FUNCTION f(g GEOGRAPHY) AS (CAST(g AS STRING)); SELECT f(ST_GEOGPOINT(1, 2))", "POINT(1 2)"),
    (
        "CREATE TEMP FUNCTION f(g GEOGRAPHY) AS (TO_JSON_STRING(g)); SELECT f(ST_GEOGPOINT(1, 2))",
        '{"type":"Point","coordinates":[1,2]}',
    ),
    (
        "CREATE TEMP FUNCTION f(g GEOGRAPHY) AS (CONCAT('<', CAST(g AS STRING), '>')); SELECT f(ST_GEOGPOINT(1, 2))",
        "<POINT(1 2)>",
    ),
    ("SELECT CAST(CAST('POINT(1 2)' AS GEOGRAPHY) AS STRING)", "POINT(1 2)"),
]


@pytest.mark.parametrize("sql, want", GEOGRAPHY_TEXTS, ids=[f"text-{i}" for i in range(len(GEOGRAPHY_TEXTS))])
def test_the_text_of_a_geography_argument_is_bigquerys_wkt(env, sql, want):
    # each was DuckDB's `POINT (1 2)` (or its JSON string), silently
    run, _, _ = env
    assert run(sql) == [(want,)]
