"""GEOGRAPHY and the ST_* functions, through the local warehouse and through the real BigQuery
client against the emulator (the `env` fixture runs each case both ways).

Expected values are the documented results of Google's geography functions reference, or
BigQuery's model (a sphere of radius 6371010 m, which the reference's ST_HAUSDORFFDISTANCE
example implies: 5802892.745488612 m) where the page shows no number.
"""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

pytest.importorskip("shapely")

R = 6371010.0
DEGREE = R * math.pi / 180  # one degree of a great circle, in meters

# (SQL, expected row)
CASES = [
    # constructors, parsers and WKT output
    ("SELECT ST_GEOGPOINT(-122.35, 47.62)", ("POINT(-122.35 47.62)",)),
    # longitudes outside [-180, 180] are taken modulo 360
    (
        "SELECT ST_ASTEXT(ST_GEOGPOINT(1000, 80)), ST_ASTEXT(ST_GEOGPOINT(-1000, -80))",
        ("POINT(-80 80)", "POINT(80 -80)"),
    ),
    ("SELECT ST_GEOGFROMTEXT('LINESTRING(1 2, 3 4)')", ("LINESTRING(1 2, 3 4)",)),
    (
        'SELECT ST_GEOGFROMGEOJSON(\'{"type": "Point", "coordinates": [-121, 41]}\'), ST_GEOGFROM(\'POINT(-121 41)\')',
        ("POINT(-121 41)", "POINT(-121 41)"),
    ),
    (
        # make_valid splits a bow tie into its two triangles
        "SELECT ST_NUMPOINTS(ST_GEOGFROMTEXT('POLYGON((0 0, 2 2, 2 0, 0 2, 0 0))', make_valid => TRUE)), "
        "ST_GEOGFROMTEXT('POINT(1 2)', oriented => FALSE, planar => TRUE), "
        "ST_GEOGFROMWKB(ST_ASBINARY(ST_GEOGPOINT(3, 4)))",
        (8, "POINT(1 2)", "POINT(3 4)"),
    ),
    (
        "SELECT ST_MAKELINE(ST_GEOGPOINT(1, 1), ST_GEOGPOINT(2, 2)), "
        "ST_MAKELINE([ST_GEOGPOINT(1, 1), ST_GEOGPOINT(2, 2), ST_GEOGPOINT(3, 3)])",
        ("LINESTRING(1 1, 2 2)", "LINESTRING(1 1, 2 2, 3 3)"),
    ),
    (
        "SELECT ST_MAKEPOLYGON(ST_GEOGFROMTEXT('LINESTRING(0 0, 2 0, 2 2, 0 2)'))",
        ("POLYGON((0 0, 2 0, 2 2, 0 2, 0 0))",),
    ),
    (
        "SELECT CAST(ST_GEOGPOINT(1, 2) AS STRING), ST_ASGEOJSON(ST_GEOGPOINT(1, 2))",
        ("POINT(1 2)", '{ "type": "Point", "coordinates": [1, 2] }'),
    ),
    ("SELECT TO_JSON_STRING(ST_GEOGPOINT(1, 2.5))", ('{"type":"Point","coordinates":[1,2.5]}',)),
    # accessors
    (
        "SELECT ST_X(ST_GEOGPOINT(1, 2)), ST_Y(ST_GEOGPOINT(1, 2)), "
        "ST_NUMPOINTS(ST_GEOGFROMTEXT('LINESTRING(1 1, 2 2, 3 3)'))",
        (1.0, 2.0, 3),
    ),
    (
        "SELECT ST_GEOMETRYTYPE(ST_GEOGPOINT(1, 2)), ST_GEOMETRYTYPE(ST_GEOGFROMTEXT('MULTIPOINT(1 1, 2 2)')), "
        "ST_ISEMPTY(ST_GEOGFROMTEXT('GEOMETRYCOLLECTION EMPTY')), ST_DIMENSION(ST_GEOGFROMTEXT('LINESTRING(1 1, 2 2)'))",
        ("ST_Point", "ST_MultiPoint", True, 1),
    ),
    (
        "SELECT ST_STARTPOINT(l), ST_ENDPOINT(l), ST_POINTN(l, 2), ST_POINTN(l, -1) "
        "FROM (SELECT ST_GEOGFROMTEXT('LINESTRING(1 1, 2 1, 3 2, 3 3)') AS l)",
        ("POINT(1 1)", "POINT(3 3)", "POINT(2 1)", "POINT(3 3)"),
    ),
    # measures on the sphere
    ("SELECT ST_DISTANCE(ST_GEOGPOINT(0, 0), ST_GEOGPOINT(1, 0))", (pytest.approx(DEGREE, rel=1e-9),)),
    (
        "SELECT ST_LENGTH(ST_GEOGFROMTEXT('LINESTRING(0 0, 0 1, 0 3)')), "
        "ST_LENGTH(ST_GEOGFROMTEXT('POLYGON((0 0, 1 0, 1 1, 0 0))'))",
        (pytest.approx(3 * DEGREE, rel=1e-9), 0.0),
    ),
    (
        # the spherical triangle of one octant: an eighth of the sphere
        "SELECT ST_AREA(ST_GEOGFROMTEXT('POLYGON((0 0, 90 0, 0 90, 0 0))')), "
        "ST_PERIMETER(ST_GEOGFROMTEXT('POLYGON((0 0, 90 0, 0 90, 0 0))'))",
        (pytest.approx(4 * math.pi * R**2 / 8, rel=1e-9), pytest.approx(3 * 90 * DEGREE, rel=1e-9)),
    ),
    (
        # a point 1 degree north of the middle of an equator segment: the distance to the edge
        "SELECT ST_DISTANCE(ST_GEOGPOINT(0, 1), ST_GEOGFROMTEXT('LINESTRING(-5 0, 5 0)')), "
        "ST_DWITHIN(ST_GEOGPOINT(0, 0), ST_GEOGPOINT(1, 0), 111200), "
        "ST_DWITHIN(ST_GEOGPOINT(0, 0), ST_GEOGPOINT(1, 0), 111100), "
        "ST_MAXDISTANCE(ST_GEOGFROMTEXT('MULTIPOINT(0 0, 1 0)'), ST_GEOGPOINT(2, 0))",
        (pytest.approx(DEGREE, rel=1e-9), True, False, pytest.approx(2 * DEGREE, rel=1e-9)),
    ),
    # predicates
    (
        "SELECT ST_CONTAINS(p, ST_GEOGPOINT(1, 1)), ST_WITHIN(ST_GEOGPOINT(1, 1), p), "
        "ST_INTERSECTS(p, ST_GEOGPOINT(5, 5)), ST_DISJOINT(p, ST_GEOGPOINT(5, 5)), "
        "ST_COVERS(p, ST_GEOGPOINT(0, 0)), ST_CONTAINS(p, ST_GEOGPOINT(0, 0)), "
        "ST_COVEREDBY(ST_GEOGPOINT(0, 0), p), ST_TOUCHES(p, ST_GEOGPOINT(0, 0)), "
        "ST_EQUALS(p, ST_GEOGFROMTEXT('POLYGON((2 0, 2 2, 0 2, 0 0, 2 0))')) "
        "FROM (SELECT ST_GEOGFROMTEXT('POLYGON((0 0, 2 0, 2 2, 0 2, 0 0))') AS p)",
        (True, True, False, True, True, False, True, True, True),
    ),
    # transformations
    (
        "SELECT ST_CENTROID(ST_GEOGFROMTEXT('MULTIPOINT(-1 0, 1 0)')), "
        "ST_CONVEXHULL(ST_GEOGFROMTEXT('MULTIPOINT(0 0, 2 0, 1 1, 1 3)')), "
        "ST_BOUNDINGBOX(ST_GEOGFROMTEXT('LINESTRING(1 2, 3 5)')).xmax",
        ("POINT(0 0)", "POLYGON((0 0, 2 0, 1 3, 0 0))", 3.0),
    ),
    (
        "SELECT ST_UNION_AGG(g), ST_EXTENT(g).ymin FROM UNNEST([ST_GEOGPOINT(1, 1), ST_GEOGPOINT(2, 2), NULL]) AS g",
        ("MULTIPOINT(1 1, 2 2)", 1.0),
    ),
    (
        "SELECT ST_INTERSECTION(a, b), ST_DIFFERENCE(ST_GEOGFROMTEXT('MULTIPOINT(0 0, 5 5)'), a), "
        "ST_UNION(ST_GEOGPOINT(9, 9), ST_GEOGPOINT(9, 9)) "
        "FROM (SELECT ST_GEOGFROMTEXT('POLYGON((0 0, 2 0, 2 2, 0 2, 0 0))') AS a, "
        "ST_GEOGFROMTEXT('LINESTRING(1 -1, 1 3)') AS b)",
        ("LINESTRING(1 0, 1 2)", "POINT(5 5)", "POINT(9 9)"),
    ),
    (
        "SELECT ST_SNAPTOGRID(ST_GEOGPOINT(1.2345, 2.3456), 0.01), "
        "ST_CLOSESTPOINT(ST_GEOGFROMTEXT('LINESTRING(0 0, 2 0)'), ST_GEOGPOINT(1, 1))",
        ("POINT(1.23 2.35)", "POINT(1 0)"),
    ),
    # geographies inside arrays and structs leave as WKT too
    (
        "SELECT [ST_GEOGPOINT(1, 2)], STRUCT(ST_GEOGPOINT(1, 2) AS p, 3 AS n), "
        "ARRAY_AGG(g ORDER BY ST_X(g)) FROM UNNEST([ST_GEOGPOINT(2, 0), ST_GEOGPOINT(1, 0)]) AS g",
        (["POINT(1 2)"], {"p": "POINT(1 2)", "n": 3}, ["POINT(1 0)", "POINT(2 0)"]),
    ),
    # NULL in, NULL out
    ("SELECT ST_DISTANCE(NULL, ST_GEOGPOINT(1, 0)), ST_GEOGPOINT(NULL, 1)", (None, None)),
]


@pytest.mark.parametrize("sql, expected", CASES)
def test_documented_results(env, sql, expected):
    run, _, _ = env
    assert run(sql) == [expected]


def test_table_round_trip(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.places (name STRING, g GEOGRAPHY)")
    run(f"INSERT INTO {ds}.places VALUES ('a', ST_GEOGPOINT(0, 0)), ('b', ST_GEOGFROMTEXT('POINT(3 0)')), ('c', NULL)")
    rows = run(f"SELECT name, g, ST_DISTANCE(g, ST_GEOGPOINT(1, 0)) < 111200 FROM {ds}.places ORDER BY name")
    assert rows == [("a", "POINT(0 0)", True), ("b", "POINT(3 0)", False), ("c", None, None)]
    texts = run(f"SELECT CAST(g AS STRING), CAST(name AS STRING) FROM {ds}.places WHERE name = 'b'")
    assert texts == [("POINT(3 0)", "b")]


def test_two_columns_of_one_name_keep_their_own_values(warehouse, bigquery_client):
    """`a.g, b.g` are two columns named g: each keeps its side's value (both were a's)."""
    sql = (
        "SELECT a.g, a.id, b.g, b.id FROM (SELECT ST_GEOGPOINT(1, 2) AS g, 1 AS id) AS a, "
        "(SELECT ST_GEOGPOINT(3, 4) AS g, 2 AS id) AS b"
    )
    want = ("POINT(1 2)", 1, "POINT(3 4)", 2)
    local = warehouse.query_result(sql).table
    assert tuple(c[0].as_py() for c in local.columns) == want
    assert [tuple(r.values()) for r in bigquery_client.query_and_wait(sql)] == [want]


def test_bad_latitude_is_an_error(env):
    run, _, error = env
    with pytest.raises(error, match="latitude"):
        run("SELECT ST_GEOGPOINT(0, 100)")


def test_unserved_function_is_refused_by_name(env):
    run, _, error = env
    with pytest.raises(error, match="ST_BUFFER"):
        run("SELECT ST_BUFFER(ST_GEOGPOINT(0, 0), 10)")
    with pytest.raises(error, match="ST_GEOHASH is not supported"):
        run("SELECT ST_GEOHASH(ST_GEOGPOINT(0, 0))")


def test_client_schema_insert_all_and_parameters(bigquery_client, dataset):
    from google.cloud import bigquery

    table = bigquery.Table(
        f"{dataset.project}.{dataset.dataset_id}.geo",
        schema=[bigquery.SchemaField("id", "INT64"), bigquery.SchemaField("g", "GEOGRAPHY")],
    )
    table = bigquery_client.create_table(table)
    assert [f.field_type for f in bigquery_client.get_table(table).schema] == ["INTEGER", "GEOGRAPHY"]

    errors = bigquery_client.insert_rows_json(
        table,
        [
            {"id": 1, "g": "POINT(1 2)"},
            {"id": 2, "g": '{"type": "LineString", "coordinates": [[0, 0], [1, 1]]}'},
        ],
    )
    assert errors == []
    bad = bigquery_client.insert_rows_json(table, [{"id": 3, "g": "POINT(1"}])
    assert bad and bad[0]["errors"][0]["reason"] == "invalid"

    config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("p", "GEOGRAPHY", "POINT(1 2)")])
    result = bigquery_client.query_and_wait(
        f"SELECT id, g, ST_EQUALS(g, @p) AS same FROM `{table.dataset_id}.geo` ORDER BY id", job_config=config
    )
    assert [f.field_type for f in result.schema] == ["INTEGER", "GEOGRAPHY", "BOOLEAN"]
    assert [tuple(r.values()) for r in result] == [(1, "POINT(1 2)", True), (2, "LINESTRING(0 0, 1 1)", False)]


def test_without_the_extra_columns_work_and_functions_name_it(tmp_path):
    code = (
        "import sys; sys.modules['shapely'] = None\n"
        "from llmops.backends.local.warehouse import DuckDBWarehouse\n"
        "from llmops.core.config import Settings\n"
        "from llmops.core.errors import QueryError\n"
        f"wh = DuckDBWarehouse(Settings(workspace=r'{tmp_path}'))\n"
        "wh.query_result('CREATE SCHEMA d')\n"
        "wh.query_result(\"CREATE TABLE d.t AS SELECT CAST('POINT(1 2)' AS GEOGRAPHY) AS g\")\n"
        "r = wh.query_result('SELECT g FROM d.t')\n"
        "print(r.schema[0]['type'], r.table.to_pylist())\n"
        "try:\n"
        "    wh.query_result('SELECT ST_GEOGPOINT(1, 2)')\n"
        "except QueryError as e:\n"
        "    print(e, '|', e.fix)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert lines[0] == "GEOGRAPHY [{'g': 'POINT(1 2)'}]"
    assert "shapely" in lines[1] and "pip install 'llmops[geo]'" in lines[1]


def test_bad_text_is_an_error(env):
    run, _, error = env
    with pytest.raises(error, match="invalid WKT"):
        run("SELECT ST_GEOGFROMTEXT('POINT(1')")
    with pytest.raises(error, match="invalid polygon"):
        run("SELECT ST_GEOGFROMTEXT('POLYGON((0 0, 2 2, 2 0, 0 2, 0 0))')")
    with pytest.raises(error, match="GeoJSON geometry objects"):
        run("""SELECT ST_GEOGFROMGEOJSON('{"type": "Feature", "geometry": null}')""")


def test_load_jobs_take_wkt_and_geojson_and_reject_bad_text(bigquery_client, dataset):
    from google.cloud import bigquery

    schema = [bigquery.SchemaField("id", "INT64"), bigquery.SchemaField("g", "GEOGRAPHY")]
    dest = f"{dataset.project}.{dataset.dataset_id}.loaded"
    config = bigquery.LoadJobConfig(schema=schema)
    rows = [{"id": 1, "g": "POINT(1 2)"}, {"id": 2, "g": '{"type": "Point", "coordinates": [3, 4]}'}]
    bigquery_client.load_table_from_json(rows, dest, job_config=config).result()
    got = bigquery_client.query_and_wait(f"SELECT id, g FROM `{dataset.dataset_id}.loaded` ORDER BY id")
    assert [tuple(r.values()) for r in got] == [(1, "POINT(1 2)"), (2, "POINT(3 4)")]

    job = bigquery_client.load_table_from_json([{"id": 3, "g": "POINT(1"}], dest, job_config=config)
    with pytest.raises(Exception, match="POINT"):
        job.result()
    assert bigquery_client.get_table(dest).num_rows == 2


def test_storage_read_api_gives_wkt(bigquery_client, bigquery_read_client, dataset):
    bigquery_client.query_and_wait(
        f"CREATE TABLE `{dataset.dataset_id}.pts` AS SELECT 1 AS id, ST_GEOGPOINT(5, 6) AS g"
    )
    table = bigquery_client.get_table(f"{dataset.project}.{dataset.dataset_id}.pts")
    assert [f.field_type for f in table.schema] == ["INTEGER", "GEOGRAPHY"]
    rows = list(bigquery_client.list_rows(table))
    assert [tuple(r.values()) for r in rows] == [(1, "POINT(5 6)")]
    frame = bigquery_client.list_rows(table).to_arrow(bqstorage_client=bigquery_read_client)
    assert frame.column("g").to_pylist() == ["POINT(5 6)"]
