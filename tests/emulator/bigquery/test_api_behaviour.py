"""BigQuery API behaviour as google-cloud-bigquery sees it: default datasets and projects,
hyphenated project names, query parameter types, wildcard tables, result shapes, dry runs,
maximumBytesBilled and job labels (issue 15, item 9)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import pyarrow as pa
import pytest
from google.api_core import exceptions as gexc
from google.cloud import bigquery

PUBLIC_QUESTIONS = "bigquery-public-data.stackoverflow.posts_questions"
P = bigquery.ScalarQueryParameter
A = bigquery.ArrayQueryParameter
S = bigquery.StructQueryParameter


def rows(client, sql, **config):
    return [dict(r) for r in client.query(sql, job_config=bigquery.QueryJobConfig(**config)).result()]


@pytest.fixture
def table(bigquery_client, dataset):
    """`dataset.t` with two rows: w STRING, n INT64."""
    bigquery_client.query_and_wait(
        f"CREATE TABLE {dataset.dataset_id}.t AS SELECT 'ab' AS w, 1 AS n UNION ALL SELECT 'cde', 2"
    )
    return f"{dataset.project}.{dataset.dataset_id}.t"


# ------------------------------------------------------------------ default dataset and project


def test_bare_table_names_use_the_jobs_default_dataset(bigquery_client, dataset):
    config = {"default_dataset": dataset.reference}
    rows(bigquery_client, "CREATE TABLE t (a INT64)", **config)
    rows(bigquery_client, "INSERT INTO t VALUES (1), (2)", **config)
    assert rows(bigquery_client, "SELECT SUM(a) AS s FROM t", **config) == [{"s": 3}]
    assert bigquery_client.get_table(f"{dataset.dataset_id}.t").num_rows == 2


def test_a_default_dataset_in_another_project_qualifies_only_bare_table_names(bigquery_client, dataset, unique):
    other = bigquery_client.create_dataset(bigquery.Dataset(f"other-project-{unique}.od"))
    try:
        rows(bigquery_client, f"CREATE TABLE `{other.project}.od.t` AS SELECT 'other' AS w")
        rows(bigquery_client, f"CREATE TABLE {dataset.dataset_id}.t AS SELECT 'mine' AS w")
        config = {"default_dataset": other.reference}
        assert rows(bigquery_client, "SELECT w FROM t", **config) == [{"w": "other"}]
        # defaultDataset "does not alter behavior of unqualified dataset names": the job's project
        assert rows(bigquery_client, f"SELECT w FROM {dataset.dataset_id}.t", **config) == [{"w": "mine"}]
    finally:
        bigquery_client.delete_dataset(other, delete_contents=True)


def test_create_schema_without_a_project_lands_in_the_jobs_project(bigquery_client, unique):
    rows(bigquery_client, f"CREATE SCHEMA created_{unique}")
    try:
        names = [d.dataset_id for d in bigquery_client.list_datasets(bigquery_client.project)]
        assert f"created_{unique}" in names
    finally:
        bigquery_client.delete_dataset(f"created_{unique}")


def test_system_variables_name_the_jobs_project_and_default_dataset(bigquery_client, dataset):
    got = rows(bigquery_client, "SELECT @@project_id AS p, @@dataset_id AS d, @@time_zone AS z")
    assert got == [{"p": bigquery_client.project, "d": None, "z": "UTC"}]
    got = rows(bigquery_client, "SELECT @@dataset_id AS d", default_dataset=dataset.reference)
    assert got == [{"d": dataset.dataset_id}]


def test_session_user_is_the_jobs_principal_not_duckdbs(bigquery_client):
    job = bigquery_client.query("SELECT SESSION_USER() AS u")
    assert [dict(r) for r in job.result()] == [{"u": job.user_email}]
    assert job.user_email != "duckdb"


@pytest.mark.parametrize("fn", ["current_catalog()", "current_schema()", "current_database()"])
def test_duckdb_catalog_functions_are_refused_not_answered_with_internal_names(bigquery_client, fn):
    with pytest.raises(gexc.BadRequest, match=rf"Function not found: {fn[:-2].upper()}.*@@project_id"):
        rows(bigquery_client, f"SELECT {fn} AS x")


def test_an_unsupported_system_variable_is_refused_by_name(bigquery_client):
    # @@row_count is served (NULL outside a script's DML), test_googlesql_reference_sweep_4.py
    with pytest.raises(gexc.BadRequest, match="system variable @@query_label is not supported"):
        rows(bigquery_client, "SELECT @@query_label AS n")


# ------------------------------------------------------------------ hyphenated project names


@pytest.mark.parametrize(
    "name",
    [
        "`bigquery-public-data`.stackoverflow.posts_questions",
        "`bigquery-public-data.stackoverflow.posts_questions`",
        "`bigquery-public-data.stackoverflow`.posts_questions",
        "`bigquery-public-data`.`stackoverflow`.`posts_questions`",
    ],
)
def test_hyphenated_project_names_in_sql(bigquery_client, name):
    assert rows(bigquery_client, f"SELECT COUNT(*) AS n FROM {name}") == [{"n": 600}]


def test_hyphenated_project_names_in_rest_calls(bigquery_client, unique):
    project = f"my-project-{unique}"
    bigquery_client.create_dataset(bigquery.Dataset(f"{project}.ds"))
    try:
        rows(bigquery_client, f"CREATE TABLE `{project}.ds.t` AS SELECT 1 AS a")
        assert bigquery_client.get_table(f"{project}.ds.t").num_rows == 1
        assert [t.table_id for t in bigquery_client.list_tables(f"{project}.ds")] == ["t"]
        assert [d.dataset_id for d in bigquery_client.list_datasets(project)] == ["ds"]
        assert bigquery_client.get_table(PUBLIC_QUESTIONS).num_rows == 600
    finally:
        bigquery_client.delete_dataset(f"{project}.ds", delete_contents=True)


# ------------------------------------------------------------------ query parameters


PARAMETERS = [
    (P("v", "INT64", 5), "INTEGER", "NULLABLE", 5),
    (A("v", "INT64", [1, 2]), "INTEGER", "REPEATED", [1, 2]),
    (P("v", "DATETIME", dt.datetime(2024, 1, 2, 3, 4, 5)), "DATETIME", "NULLABLE", dt.datetime(2024, 1, 2, 3, 4, 5)),
    (
        A("v", "DATETIME", [dt.datetime(2024, 1, 2, 3, 4, 5)]),
        "DATETIME",
        "REPEATED",
        [dt.datetime(2024, 1, 2, 3, 4, 5)],
    ),
    (P("v", "NUMERIC", decimal.Decimal("1.123456789")), "NUMERIC", "NULLABLE", decimal.Decimal("1.123456789")),
    (
        P("v", "BIGNUMERIC", decimal.Decimal("1.123456789012345678")),
        "BIGNUMERIC",
        "NULLABLE",
        decimal.Decimal("1.123456789012345678"),
    ),
    (
        P("v", "TIMESTAMP", dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC)),
        "TIMESTAMP",
        "NULLABLE",
        dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC),
    ),
    (P("v", "DATE", dt.date(2024, 2, 29)), "DATE", "NULLABLE", dt.date(2024, 2, 29)),
    (P("v", "TIME", dt.time(3, 4, 5)), "TIME", "NULLABLE", dt.time(3, 4, 5)),
    (P("v", "BYTES", b"\x00ab"), "BYTES", "NULLABLE", b"\x00ab"),
    (P("v", "BOOL", True), "BOOLEAN", "NULLABLE", True),
    (P("v", "JSON", {"a": [1, "x"]}), "JSON", "NULLABLE", {"a": [1, "x"]}),
]


@pytest.mark.parametrize(
    ("param", "api_type", "mode", "expected"),
    PARAMETERS,
    ids=[f"{p[0].to_api_repr()['parameterType']['type']}-{i}" for i, p in enumerate(PARAMETERS)],
)
def test_query_parameters_round_trip_with_bigquery_types(bigquery_client, param, api_type, mode, expected):
    result = bigquery_client.query(
        "SELECT @v AS v", job_config=bigquery.QueryJobConfig(query_parameters=[param])
    ).result()
    field = result.schema[0]
    assert (field.field_type, field.mode) == (api_type, mode)
    value = next(iter(result))["v"]
    assert value == expected and type(value) is type(expected)
    if isinstance(expected, decimal.Decimal):
        assert value.as_tuple() == expected.as_tuple()  # every decimal kept, no float on the way


def test_int64_and_datetime_parameters_have_bigquerys_arrow_types(bigquery_client):
    params = [P("n", "INT64", 1), A("xs", "INT64", [1]), A("ds", "DATETIME", [dt.datetime(2024, 1, 2)])]
    job = bigquery_client.query(
        "SELECT @n AS n, @xs AS xs, @ds AS ds", job_config=bigquery.QueryJobConfig(query_parameters=params)
    )
    schema = job.result().to_arrow(create_bqstorage_client=False).schema
    assert schema.field("n").type == pa.int64()
    assert schema.field("xs").type.value_type == pa.int64()
    assert schema.field("ds").type.value_type == pa.timestamp("us")  # naive, not UTC


def test_struct_parameters_keep_their_field_names_case(bigquery_client):
    params = [
        S("s", P("camelCase", "INT64", 1), P("Other", "STRING", "x")),
        S("empty", P("camelCase", "INT64", None)),
        A("arr", "STRUCT", [S(None, P("mixedCase", "INT64", 2))]),
    ]
    result = bigquery_client.query(
        "SELECT @s AS s, @s.camelCase AS c, @empty AS e, @arr AS arr",
        job_config=bigquery.QueryJobConfig(query_parameters=params),
    ).result()
    assert [f.name for f in result.schema[0].fields] == ["camelCase", "Other"]
    assert [f.name for f in result.schema[2].fields] == ["camelCase"]
    assert [f.name for f in result.schema[3].fields] == ["mixedCase"]
    row = next(iter(result))
    assert (row["s"], row["c"], row["e"], row["arr"]) == (
        {"camelCase": 1, "Other": "x"},
        1,
        {"camelCase": None},
        [{"mixedCase": 2}],
    )


def test_a_geography_parameter_takes_wkt_and_refuses_bad_text(bigquery_client):
    pytest.importorskip("shapely")
    got = rows(bigquery_client, "SELECT @g AS g", query_parameters=[P("g", "GEOGRAPHY", "POINT(1 2)")])
    assert got == [{"g": "POINT(1 2)"}]
    with pytest.raises(gexc.BadRequest, match="not a valid GEOGRAPHY"):
        rows(bigquery_client, "SELECT @g AS g", query_parameters=[P("g", "GEOGRAPHY", "POINT(1")])


# ------------------------------------------------------------------ wildcard tables


@pytest.fixture
def events(bigquery_client, dataset):
    ds = dataset.dataset_id
    bigquery_client.query_and_wait(f"CREATE TABLE {ds}.events_20240101 AS SELECT 1 AS x, 'a' AS gone")
    bigquery_client.query_and_wait(f"CREATE TABLE {ds}.events_20240102 AS SELECT 2 AS x")
    bigquery_client.query_and_wait(f"CREATE TABLE {ds}.events_20240201 AS SELECT 3 AS x, 1.5 AS z")
    return ds


def test_wildcard_tables_filter_on_table_suffix(bigquery_client, events):
    got = rows(
        bigquery_client,
        f"SELECT x, _TABLE_SUFFIX AS s FROM `{events}.events_*` WHERE _TABLE_SUFFIX BETWEEN '20240101' AND '20240102' ORDER BY x",
    )
    assert got == [{"x": 1, "s": "20240101"}, {"x": 2, "s": "20240102"}]
    got = rows(
        bigquery_client,
        f"SELECT e.x FROM `{bigquery_client.project}.{events}.events_2024*` AS e WHERE e._TABLE_SUFFIX LIKE '02%'",
    )
    assert got == [{"x": 3}]


def test_a_wildcard_table_has_the_newest_tables_schema_without_the_pseudo_column(bigquery_client, events):
    got = rows(bigquery_client, f"SELECT * FROM `{events}.events_*` ORDER BY x")
    assert got == [{"x": 1, "z": None}, {"x": 2, "z": None}, {"x": 3, "z": 1.5}]
    with pytest.raises(gexc.BadRequest, match="Unrecognized name: gone"):
        rows(bigquery_client, f"SELECT gone FROM `{events}.events_*`")


def test_a_wildcard_over_a_view_or_over_nothing_is_an_error(bigquery_client, events):
    with pytest.raises(gexc.NotFound, match="no table matches"):
        rows(bigquery_client, f"SELECT * FROM `{events}.nothing_*`")
    bigquery_client.query_and_wait(f"CREATE VIEW {events}.events_view AS SELECT 9 AS x")
    with pytest.raises(gexc.BadRequest, match="Views cannot be queried through prefix"):
        rows(bigquery_client, f"SELECT x FROM `{events}.events_*`")


# ------------------------------------------------------------------ result shapes


def test_unpivot_puts_value_columns_before_the_name_column(bigquery_client):
    result = bigquery_client.query(
        "SELECT * FROM (SELECT 1 AS id, 10 AS q1, 20 AS q2) UNPIVOT (v FOR q IN (q1, q2))"
    ).result()
    assert [f.name for f in result.schema] == ["id", "v", "q"]
    assert [tuple(r.values()) for r in result] == [(1, 10, "q1"), (1, 20, "q2")]


def test_result_schema_shapes_match_what_the_client_parses(bigquery_client):
    result = bigquery_client.query(
        "SELECT [1, 2] AS ai, [STRUCT(1 AS a, [STRUCT('x' AS q)] AS inner)] AS sa, STRUCT(1 AS a, 'b' AS b) AS st, "
        "CAST(1.25 AS NUMERIC) AS n, CAST(1.25 AS BIGNUMERIC) AS bn, ARRAY<STRING>[] AS ea"
    ).result()
    shapes = [f.to_api_repr() for f in result.schema]
    assert shapes[0] == {"name": "ai", "type": "INTEGER", "mode": "REPEATED"}
    assert shapes[1]["type"] == "RECORD" and shapes[1]["mode"] == "REPEATED"
    assert shapes[1]["fields"][1] == {
        "name": "inner",
        "type": "RECORD",
        "mode": "REPEATED",
        "fields": [{"name": "q", "type": "STRING", "mode": "NULLABLE"}],
    }
    assert [f["name"] for f in shapes[2]["fields"]] == ["a", "b"] and shapes[2]["mode"] == "NULLABLE"
    assert [(s["type"], s["mode"]) for s in shapes[3:]] == [
        ("NUMERIC", "NULLABLE"),
        ("BIGNUMERIC", "NULLABLE"),
        ("STRING", "REPEATED"),
    ]
    row = next(iter(result))
    assert row["n"] == decimal.Decimal("1.25") and row["bn"] == decimal.Decimal("1.25") and row["ea"] == []


def test_query_results_page_with_total_rows_and_tokens(bigquery_client, http, google_error):
    result = bigquery_client.query("SELECT x FROM UNNEST(GENERATE_ARRAY(1, 25)) AS x ORDER BY x").result(page_size=10)
    assert [p.num_items for p in result.pages] == [10, 10, 5] and result.total_rows == 25
    body = http.post(
        f"/bigquery/v2/projects/{bigquery_client.project}/queries",
        json={"query": "SELECT 1 AS a UNION ALL SELECT 2", "useLegacySql": False, "maxResults": 1},
    ).json()
    assert body["jobComplete"] is True and body["totalRows"] == "2" and body["pageToken"]
    bad = http.get(
        f"/bigquery/v2/projects/{bigquery_client.project}/queries/{body['jobReference']['jobId']}?pageToken=nope"
    )
    assert bad.status_code == 400 and google_error(bad)["status"] == "INVALID_ARGUMENT"


# ------------------------------------------------------------------ dry runs, bytes billed, labels


def test_a_dry_run_answers_the_schema_and_the_bytes_it_would_read(bigquery_client, table):
    job = bigquery_client.query(f"SELECT n FROM `{table}`", job_config=bigquery.QueryJobConfig(dry_run=True))
    assert job.dry_run and job.state == "DONE"
    assert job.total_bytes_processed == 2 * 8  # two INT64 values
    assert [f.name for f in job.schema] == ["n"] and [t.table_id for t in job.referenced_tables] == ["t"]
    job = bigquery_client.query(f"SELECT * FROM `{table}`", job_config=bigquery.QueryJobConfig(dry_run=True))
    assert job.total_bytes_processed == 2 * 8 + (2 + 2) + (2 + 3)  # STRING is 2 bytes + its length
    assert bigquery_client.query_and_wait(f"SELECT COUNT(*) AS c FROM `{table}`").total_rows == 1  # nothing changed


def test_a_dry_run_of_a_bad_query_is_the_error_itself(bigquery_client, table):
    dry = bigquery.QueryJobConfig(dry_run=True)
    with pytest.raises(gexc.NotFound, match="not found"):
        bigquery_client.query(f"SELECT * FROM `{table}_missing`", job_config=dry)
    with pytest.raises(gexc.BadRequest, match="Unrecognized name: nope"):
        bigquery_client.query(f"SELECT nope FROM `{table}`", job_config=dry)


def test_maximum_bytes_billed_fails_a_query_that_would_bill_more(bigquery_client, table):
    with pytest.raises(gexc.GoogleAPICallError, match=r"bytes billed: 1000\. 10485760 or higher required") as err:
        rows(bigquery_client, f"SELECT n FROM `{table}`", maximum_bytes_billed=1000)
    assert err.value.errors[0]["reason"] == "bytesBilledLimitExceeded"
    assert rows(bigquery_client, f"SELECT SUM(n) AS s FROM `{table}`", maximum_bytes_billed=10 * 1024 * 1024) == [
        {"s": 3}
    ]
    assert rows(bigquery_client, "SELECT 1 AS x", maximum_bytes_billed=1) == [{"x": 1}]  # reads no table


def test_job_labels_round_trip_and_bad_keys_are_refused(bigquery_client):
    job = bigquery_client.query("SELECT 1", job_config=bigquery.QueryJobConfig(labels={"team": "ml-ops"}))
    job.result()
    assert bigquery_client.get_job(job.job_id).labels == {"team": "ml-ops"}
    with pytest.raises(gexc.BadRequest, match="Invalid label key 'Bad Key'"):
        rows(bigquery_client, "SELECT 1", labels={"Bad Key": "x"})


def test_default_dataset_without_a_dataset_id_is_a_bad_request(bigquery_client, http, google_error):
    response = http.post(
        f"/bigquery/v2/projects/{bigquery_client.project}/queries",
        json={"query": "SELECT 1", "useLegacySql": False, "defaultDataset": {"projectId": "p"}},
    )
    assert response.status_code == 400
    assert "defaultDataset.datasetId" in google_error(response)["message"]


def test_create_table_exists_ok_without_a_schema_returns_the_existing_table(bigquery_client, table):
    assert bigquery_client.create_table(table, exists_ok=True).num_rows == 2
    with pytest.raises(gexc.Conflict):
        bigquery_client.create_table(table)
    assert bigquery_client.create_table(f"{table}_{uuid.uuid4().hex[:6]}").schema == []


def test_tables_report_their_logical_size_and_billed_queries_their_bytes(bigquery_client, table):
    assert bigquery_client.get_table(table).num_bytes == 2 * 8 + (2 + 2) + (2 + 3)
    job = bigquery_client.query(
        f"SELECT n FROM `{table}`", job_config=bigquery.QueryJobConfig(maximum_bytes_billed=10**9)
    )
    job.result()
    assert (job.total_bytes_processed, job.total_bytes_billed) == (16, 10 * 1024 * 1024)


def test_update_with_a_stale_etag_is_a_failed_precondition(bigquery_client, table):
    fetched = bigquery_client.get_table(table)
    bigquery_client.query_and_wait(f"INSERT INTO `{table}` (w, n) VALUES ('x', 3)")  # changes numRows, so the etag
    fetched.description = "late"
    with pytest.raises(gexc.PreconditionFailed):
        bigquery_client.update_table(fetched, ["description"])
    fresh = bigquery_client.get_table(table)
    fresh.description = "now"
    assert bigquery_client.update_table(fresh, ["description"]).description == "now"
    ds = bigquery_client.get_dataset(table.rsplit(".", 1)[0])
    ds.description = "d"
    ds = bigquery_client.update_dataset(ds, ["description"])  # an unchanged etag passes
    ds._properties["etag"] = "stale"
    with pytest.raises(gexc.PreconditionFailed):
        bigquery_client.update_dataset(ds, ["description"])


@pytest.mark.parametrize(
    ("param", "problem"),
    [
        # a BIGNUMERIC BigQuery holds is answered since bignumerics.py: these are past its 38 decimals / range
        (P("v", "BIGNUMERIC", decimal.Decimal("1." + "1" * 39)), "more than 18 decimal digits"),
        (P("v", "NUMERIC", decimal.Decimal("0.1234567891")), "more than 9 decimal digits"),
        (P("v", "BIGNUMERIC", decimal.Decimal("1" * 40)), "out of the emulator's BIGNUMERIC range"),
        (P("v", "INT64", "x"), "is not a valid INT64"),
    ],
)
def test_a_parameter_the_engine_cannot_hold_exactly_is_a_bad_request(bigquery_client, param, problem):
    with pytest.raises(gexc.BadRequest, match=problem):
        rows(bigquery_client, "SELECT @v AS v", query_parameters=[param])
