"""GoogleSQL's RANGE type (issue 17): literals, range functions, casts, tables, parameters.

Each case runs on the local warehouse and through the real BigQuery client against the emulator
(the `env` fixture); expected values are those of Google's range-functions and data-types pages,
as the client returns them (a RANGE as {"start": ..., "end": ...}, None when unbounded).
"""

from __future__ import annotations

import datetime as dt

import pytest

D = dt.date
UTC = dt.UTC


def rng(start, end):
    return {"start": start, "end": end}


# (SQL, expected row)
CASES = [
    ("SELECT RANGE<DATE> '[2020-01-01, 2020-12-31)'", (rng(D(2020, 1, 1), D(2020, 12, 31)),)),
    ("SELECT RANGE<DATE> '[UNBOUNDED, 2020-12-31)'", (rng(None, D(2020, 12, 31)),)),
    ("SELECT RANGE<DATE> '[2020-01-01, NULL)'", (rng(D(2020, 1, 1), None),)),
    (
        "SELECT RANGE<DATETIME> '[2020-01-01 12:00:00, 2020-12-31 12:00:00)'",
        (rng(dt.datetime(2020, 1, 1, 12), dt.datetime(2020, 12, 31, 12)),),
    ),
    (
        "SELECT RANGE<TIMESTAMP> '[2020-10-01 12:00:00+08, 2020-12-31 12:00:00+08)'",
        (rng(dt.datetime(2020, 10, 1, 4, tzinfo=UTC), dt.datetime(2020, 12, 31, 4, tzinfo=UTC)),),
    ),
    (
        "SELECT RANGE(DATE '2022-12-01', DATE '2022-12-31'), RANGE(DATE '2022-10-01', NULL)",
        (rng(D(2022, 12, 1), D(2022, 12, 31)), rng(D(2022, 10, 1), None)),
    ),
    (
        "SELECT RANGE_START(RANGE<DATE> '[2022-12-01, 2022-12-31)'), RANGE_END(RANGE<DATE> '[2022-12-01, UNBOUNDED)')",
        (D(2022, 12, 1), None),
    ),
    (
        "SELECT RANGE_CONTAINS(RANGE<DATE> '[2022-01-01, 2023-01-01)', RANGE<DATE> '[2022-04-01, 2022-07-01)'), "
        "RANGE_CONTAINS(RANGE<DATE> '[2022-01-01, 2023-01-01)', RANGE<DATE> '[2022-04-01, UNBOUNDED)'), "
        "RANGE_CONTAINS(RANGE<DATE> '[2022-01-01, 2023-01-01)', DATE '2022-04-01'), "
        "RANGE_CONTAINS(RANGE<DATE> '[2022-01-01, 2023-01-01)', DATE '2023-01-01')",
        (True, False, True, False),
    ),
    (
        "SELECT RANGE_OVERLAPS(RANGE<DATE> '[2022-02-01, 2022-09-01)', RANGE<DATE> '[2021-06-15, 2022-04-15)'), "
        "RANGE_OVERLAPS(RANGE<DATE> '[2020-01-01, 2022-02-01)', RANGE<DATE> '[2022-02-01, 2023-01-01)'), "
        "RANGE_OVERLAPS(RANGE<DATE> '[UNBOUNDED, 2022-02-01)', RANGE<DATE> '[2021-06-15, UNBOUNDED)')",
        (True, False, True),
    ),
    (
        "SELECT RANGE_INTERSECT(RANGE<DATE> '[2022-02-01, 2022-09-01)', RANGE<DATE> '[2021-06-15, 2022-04-15)'), "
        "RANGE_INTERSECT(RANGE<DATE> '[UNBOUNDED, 2022-09-01)', RANGE<DATE> '[2021-06-15, UNBOUNDED)')",
        (rng(D(2022, 2, 1), D(2022, 4, 15)), rng(D(2021, 6, 15), D(2022, 9, 1))),
    ),
    (
        "SELECT GENERATE_RANGE_ARRAY(RANGE<DATE> '[2020-01-01, 2020-01-06)', INTERVAL 2 DAY), "
        "GENERATE_RANGE_ARRAY(RANGE<DATE> '[2020-01-01, 2020-01-06)', INTERVAL 2 DAY, FALSE)",
        (
            [rng(D(2020, 1, 1), D(2020, 1, 3)), rng(D(2020, 1, 3), D(2020, 1, 5)), rng(D(2020, 1, 5), D(2020, 1, 6))],
            [rng(D(2020, 1, 1), D(2020, 1, 3)), rng(D(2020, 1, 3), D(2020, 1, 5))],
        ),
    ),
    (
        "SELECT CAST(RANGE<DATE> '[2020-01-01, UNBOUNDED)' AS STRING), "
        "CAST('[2020-01-01, 2020-02-01)' AS RANGE<DATE>) = RANGE(DATE '2020-01-01', DATE '2020-02-01'), "
        "SAFE_CAST('[2020-02-01, 2020-01-01)' AS RANGE<DATE>)",
        ("[2020-01-01, UNBOUNDED)", True, None),
    ),
    (
        # an unbounded bound is null in JSON (the engine holds it as -infinity / infinity)
        "SELECT TO_JSON_STRING(RANGE<DATE> '[UNBOUNDED, 2020-01-01)'), "
        "TO_JSON_STRING(STRUCT(RANGE<DATE> '[2020-01-01, UNBOUNDED)' AS r, 'x' AS s))",
        ('{"start":null,"end":"2020-01-01"}', '{"r":{"start":"2020-01-01","end":null},"s":"x"}'),
    ),
    (
        "SELECT JSON_TYPE(JSON_QUERY(JSON_OBJECT('r', RANGE<DATE> '[UNBOUNDED, 2020-01-01)'), '$.r.start')), "
        "JSON_TYPE(JSON_QUERY(JSON_ARRAY(RANGE(DATE '2020-01-01', NULL)), '$[0].end'))",
        ("null", "null"),
    ),
    (
        "SELECT COUNT(*) FROM UNNEST(GENERATE_RANGE_ARRAY(RANGE<DATETIME> '[2020-01-01 00:00:00, 2020-01-02 00:00:00)', "
        "INTERVAL 1 HOUR)) AS r WHERE RANGE_CONTAINS(r, DATETIME '2020-01-01 05:30:00')",
        (1,),
    ),
]


@pytest.mark.parametrize("sql, expected", CASES, ids=[c[0][7:50] for c in CASES])
def test_range_conformance(env, sql, expected):
    run, _, _ = env
    assert run(sql) == [expected]


BAD = [
    ("SELECT RANGE<DATE> '[2020-01-01 2020-12-31)'", "Invalid RANGE<DATE> literal"),
    ("SELECT RANGE<DATE> '[2020-12-31, 2020-01-01)'", "the start must be before the end"),
    ("SELECT RANGE<DATE> '[2020-13-01, UNBOUNDED)'", "a bound is not a valid DATE"),
    ("SELECT RANGE<INT64> '[1, 2)'", "RANGE<INT64> is not supported"),
    ("SELECT RANGE(DATE '2021-01-01', DATE '2020-01-01')", "Range start element must be less than range end element"),
    ("SELECT CAST(s AS RANGE<DATE>) FROM UNNEST(['2020-01-01']) AS s", "Invalid RANGE<DATE> literal"),
    (
        "SELECT RANGE_INTERSECT(RANGE<DATE> '[2020-01-01, 2020-02-01)', RANGE<DATE> '[2021-01-01, 2021-02-01)')",
        "do not overlap",
    ),
    ("SELECT GENERATE_RANGE_ARRAY(RANGE<DATE> '[2020-01-01, UNBOUNDED)', INTERVAL 1 DAY)", "unbounded"),
    (
        "SELECT * FROM RANGE_SESSIONIZE((SELECT 1 AS k, RANGE<DATE> '[2020-01-01, 2020-02-01)' AS r), 'r', ['k'], 'TOUCH')",
        "must be MEETS or OVERLAPS",
    ),
]


@pytest.mark.parametrize("sql, fragment", BAD, ids=[b[1][:30] for b in BAD])
def test_range_bad_input(env, sql, fragment):
    run, _, error = env
    with pytest.raises(error) as info:
        run(sql)
    assert fragment in str(info.value)
    if getattr(info.value, "code", None) is not None:
        assert info.value.code == 400


def test_range_table_rest_roundtrip(bigquery_client):
    """A RANGE column through tables.insert, insertAll, a query's schema and rows, and a parameter."""
    from google.cloud import bigquery

    client = bigquery_client
    ds = client.create_dataset(f"range_rt_{dt.datetime.now().strftime('%H%M%S%f')}")
    try:
        schema = [
            bigquery.SchemaField("id", "INT64"),
            bigquery.SchemaField("r", "RANGE", range_element_type="DATE"),
            bigquery.SchemaField("t", "RANGE", range_element_type="TIMESTAMP"),
        ]
        table = client.create_table(bigquery.Table(f"{client.project}.{ds.dataset_id}.events", schema=schema))
        got = client.get_table(table)
        assert [(f.field_type, f.range_element_type and f.range_element_type.element_type) for f in got.schema] == [
            ("INTEGER", None),
            ("RANGE", "DATE"),
            ("RANGE", "TIMESTAMP"),
        ]
        errors = client.insert_rows_json(
            table,
            [
                {"id": 1, "r": "[2020-01-01, 2020-12-31)", "t": "[2020-01-01 00:00:00 UTC, UNBOUNDED)"},
                {"id": 2, "r": {"start": "2021-01-01", "end": None}, "t": None},
            ],
        )
        assert errors == []
        bad = client.insert_rows_json(table, [{"id": 3, "r": "[2020-12-31, 2020-01-01)"}])
        assert bad and "Cannot convert value to range" in bad[0]["errors"][0]["message"]

        job = client.query(
            f"SELECT id, r, t, RANGE_CONTAINS(r, @d) AS hit FROM `{ds.dataset_id}.events` "
            "WHERE RANGE_OVERLAPS(r, @window) ORDER BY id",
            job_config=bigquery.QueryJobConfig(
                query_parameters=[
                    bigquery.ScalarQueryParameter("d", "DATE", "2020-06-01"),
                    bigquery.RangeQueryParameter("DATE", start="2020-06-01", end=None, name="window"),
                ]
            ),
        )
        rows = [tuple(r.values()) for r in job.result()]
        assert rows == [
            (1, rng(D(2020, 1, 1), D(2020, 12, 31)), rng(dt.datetime(2020, 1, 1, tzinfo=UTC), None), True),
            (2, rng(D(2021, 1, 1), None), None, False),
        ]
        fields = {f.name: f for f in job.result().schema}
        assert fields["r"].field_type == "RANGE" and fields["r"].range_element_type.element_type == "DATE"

        import io

        csv = b'4,"[2022-01-01, 2022-02-01)",\n'
        load = bigquery.LoadJobConfig(source_format="CSV", schema=schema)
        client.load_table_from_file(io.BytesIO(csv), table, job_config=load).result()
        client.load_table_from_json([{"id": 5, "r": "[UNBOUNDED, 2023-01-01)"}], table).result()
        loaded = client.query_and_wait(f"SELECT r FROM `{ds.dataset_id}.events` WHERE id > 3 ORDER BY id")
        assert [r["r"] for r in loaded] == [rng(D(2022, 1, 1), D(2022, 2, 1)), rng(None, D(2023, 1, 1))]

        client.query_and_wait(
            f"CREATE TABLE `{ds.dataset_id}.ddl` (r RANGE<DATETIME>) AS "
            "SELECT RANGE<DATETIME> '[2020-01-01 10:00:00, UNBOUNDED)'"
        )
        ddl = client.get_table(f"{ds.dataset_id}.ddl")
        assert ddl.schema[0].field_type == "RANGE" and ddl.schema[0].range_element_type.element_type == "DATETIME"
        assert [tuple(r.values()) for r in client.list_rows(ddl)] == [(rng(dt.datetime(2020, 1, 1, 10), None),)]
    finally:
        client.delete_dataset(ds, delete_contents=True, not_found_ok=True)


def test_range_parameter_and_schema_bad_input(bigquery_client):
    from google.api_core.exceptions import BadRequest
    from google.cloud import bigquery

    client = bigquery_client
    with pytest.raises(BadRequest) as info:
        client.query_and_wait(
            "SELECT @w",
            job_config=bigquery.QueryJobConfig(
                query_parameters=[bigquery.RangeQueryParameter("DATE", start="2020-02-01", end="2020-01-01", name="w")]
            ),
        )
    assert "the start must be before the end" in str(info.value)
    ds = client.create_dataset(f"range_bad_{dt.datetime.now().strftime('%H%M%S%f')}")
    try:
        with pytest.raises(BadRequest) as info:
            client.create_table(
                bigquery.Table(f"{client.project}.{ds.dataset_id}.t", schema=[bigquery.SchemaField("r", "RANGE")])
            )
        assert "rangeElementType" in str(info.value)
    finally:
        client.delete_dataset(ds, delete_contents=True, not_found_ok=True)


def test_range_column_through_the_read_api(bigquery_client, bigquery_read_client, dataset):
    """The Read API sends a RANGE column as Arrow struct<start, end>, as the REST rows read."""
    import pyarrow as pa

    table_id = f"{dataset.project}.{dataset.dataset_id}.spans"
    bigquery_client.query_and_wait(
        f"CREATE TABLE `{table_id}` AS SELECT x AS id, "
        "RANGE(DATE_ADD(DATE '2024-01-01', INTERVAL x DAY), IF(x = 2, NULL, DATE_ADD(DATE '2024-01-01', INTERVAL x + 7 DAY))) AS r "
        "FROM UNNEST([1, 2]) AS x"
    )
    through_grpc = bigquery_client.list_rows(table_id).to_arrow(bqstorage_client=bigquery_read_client)
    assert through_grpc.schema.field("r").type == pa.struct([("start", pa.date32()), ("end", pa.date32())])
    rows = sorted(through_grpc.to_pylist(), key=lambda r: r["id"])
    assert rows == [
        {"id": 1, "r": rng(D(2024, 1, 2), D(2024, 1, 9))},
        {"id": 2, "r": rng(D(2024, 1, 3), None)},
    ]
    rest = sorted((tuple(r.values()) for r in bigquery_client.list_rows(table_id)), key=lambda r: r[0])
    assert rest == [(row["id"], row["r"]) for row in rows]

    from google.cloud.bigquery_storage_v1 import types

    path = f"projects/{dataset.project}/datasets/{dataset.dataset_id}/tables/spans"
    asked = types.ReadSession(table=path, data_format=types.DataFormat.AVRO)
    s = bigquery_read_client.create_read_session(parent="projects/p", read_session=asked, max_stream_count=1)
    avro = sorted(
        (r for st in s.streams for r in bigquery_read_client.read_rows(st.name).rows(s)), key=lambda r: r["id"]
    )
    assert [r["r"] for r in avro] == ["[2024-01-02, 2024-01-09)", "[2024-01-03, UNBOUNDED)"]


def test_range_column_ddl_and_information_schema(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.spans (id INT64, r RANGE<TIMESTAMP>)")
    run(f"INSERT INTO {ds}.spans VALUES (1, RANGE<TIMESTAMP> '[2024-01-01 00:00:00+00, UNBOUNDED)')")
    assert run(f"SELECT data_type FROM {ds}.INFORMATION_SCHEMA.COLUMNS WHERE column_name = 'r'") == [
        ("RANGE<TIMESTAMP>",)
    ]
    assert run(f"SELECT RANGE_START(r), CAST(r AS STRING) FROM {ds}.spans") == [
        (dt.datetime(2024, 1, 1, tzinfo=UTC), "[2024-01-01 00:00:00+00, UNBOUNDED)")
    ]


_FIVE = (
    "UNNEST([RANGE<DATE> '[2020-01-01, 2020-01-02)', RANGE<DATE> '[UNBOUNDED, 2020-01-02)', "
    "RANGE<DATE> '[2020-01-01, UNBOUNDED)', RANGE<DATE> '[UNBOUNDED, UNBOUNDED)', NULL]) AS r"
)
_JAN1, _JAN2 = D(2020, 1, 1), D(2020, 1, 2)


def test_unbounded_ranges_sort_and_compare_as_googlesql_does(env):
    """An unbounded start is before every value, an unbounded end after every value, and two
    unbounded bounds are equal (ZetaSQL's is_distinct_range_* and orderby compliance cases)."""
    run, _, _ = env
    assert run(f"SELECT r FROM {_FIVE} ORDER BY r") == [
        (None,),
        (rng(None, _JAN2),),
        (rng(None, None),),
        (rng(_JAN1, _JAN2),),
        (rng(_JAN1, None),),
    ]
    assert run(f"SELECT r FROM {_FIVE} ORDER BY r DESC LIMIT 2") == [(rng(_JAN1, None),), (rng(_JAN1, _JAN2),)]
    assert run(f"SELECT MIN(r), MAX(r), COUNT(DISTINCT r) FROM {_FIVE}") == [(rng(None, _JAN2), rng(_JAN1, None), 4)]
    open_start = "RANGE<DATE> '[UNBOUNDED, 2020-01-02)'"
    assert run(
        f"SELECT {open_start} = RANGE(CAST(NULL AS DATE), DATE '2020-01-02'), "
        f"{open_start} = CAST('[UNBOUNDED, 2020-01-02)' AS RANGE<DATE>), "
        f"{open_start} != RANGE<DATE> '[UNBOUNDED, UNBOUNDED)', "
        f"{open_start} IS DISTINCT FROM RANGE<DATE> '[NULL, 2020-01-02)', "
        f"{open_start} < RANGE<DATE> '[0001-01-01, 2020-01-02)'"
    ) == [(True, True, True, False, True)]
    assert run(
        f"SELECT RANGE_START(r), RANGE_END(r), CAST(r AS STRING) FROM {_FIVE} "
        "WHERE r = RANGE<DATE> '[UNBOUNDED, UNBOUNDED)'"
    ) == [(None, None, "[UNBOUNDED, UNBOUNDED)")]
    grouped = run(
        f"SELECT r, COUNT(*) FROM (SELECT r FROM {_FIVE} UNION ALL SELECT r FROM {_FIVE}) GROUP BY r ORDER BY r"
    )
    assert [n for _, n in grouped] == [2] * 5


def test_a_join_using_an_unbounded_range_keeps_each_sides_columns(warehouse, bigquery_client):
    """ZetaSQL's date_range_inner_join: two columns named r and two named id, each its side's."""
    sql = (
        "SELECT t1.r, t1.id, t2.r, t2.id FROM (SELECT RANGE<DATE> '[UNBOUNDED, 2020-01-01)' AS r, 1 AS id) AS t1 "
        "JOIN (SELECT RANGE<DATE> '[UNBOUNDED, 2020-01-01)' AS r, 2 AS id) AS t2 USING (r)"
    )
    want = (rng(None, _JAN1), 1, rng(None, _JAN1), 2)
    local = warehouse.query_result(sql).table
    assert tuple(c[0].as_py() for c in local.columns) == want
    assert [tuple(r.values()) for r in bigquery_client.query_and_wait(sql)] == [want]


def test_unbounded_ranges_written_by_the_client_sort_as_the_ones_a_query_writes(bigquery_client, dataset):
    """Ranges arriving from insertAll, a load, a parameter and DML all sort the same way."""
    import io

    from google.cloud import bigquery

    client = bigquery_client
    table = f"{dataset.project}.{dataset.dataset_id}.open_spans"
    schema = [bigquery.SchemaField("id", "INT64"), bigquery.SchemaField("r", "RANGE", range_element_type="DATETIME")]
    client.create_table(bigquery.Table(table, schema=schema))
    assert client.insert_rows_json(table, [{"id": 1, "r": "[2020-01-01 00:00:00, UNBOUNDED)"}]) == []
    load = bigquery.LoadJobConfig(source_format="CSV", schema=schema)
    client.load_table_from_file(io.BytesIO(b'2,"[UNBOUNDED, 2019-01-01 00:00:00)"\n'), table, job_config=load).result()
    client.query_and_wait(
        f"INSERT INTO `{table}` VALUES (3, @r), (4, RANGE<DATETIME> '[2019-06-01 00:00:00, UNBOUNDED)')",
        job_config=bigquery.QueryJobConfig(
            query_parameters=[bigquery.RangeQueryParameter("DATETIME", start=None, end=None, name="r")]
        ),
    )
    ordered = client.query_and_wait(f"SELECT id, r FROM `{table}` ORDER BY r")
    assert [row["id"] for row in ordered] == [2, 3, 4, 1]
    found = client.query_and_wait(
        f"SELECT id FROM `{table}` WHERE r = @r",
        job_config=bigquery.QueryJobConfig(
            query_parameters=[bigquery.RangeQueryParameter("DATETIME", start=None, end="2019-01-01T00:00:00", name="r")]
        ),
    )
    assert [row["id"] for row in found] == [2]
    rest = sorted((row["id"], row["r"]) for row in client.list_rows(table))
    assert rest[2] == (3, rng(None, None))
