"""Differences from BigQuery found by porting goccy/bigquery-emulator's client tests (`server/*_test.go`,
the Go client driving that emulator) to google-cloud-bigquery against ours; each fixed to Google's
documented behaviour:

- EXPORT DATA in CSV format wrote a header line unless `header=false` was given; the EXPORT DATA
  reference gives `header` the default `false`.
- EXPORT DATA took a `gs://` uri without a `*` (or with two) and wrote that object; the reference
  says the uri "must be a single-wildcard URI". Extract jobs, which may name one file, still do.
- `CREATE TEMP TABLE dataset1.tmp` failed with "Not found: Table ...dataset1.tmp" (404); the
  multi-statement queries page says not to qualify a temporary table's name, so it is now a 400
  naming that (`_SESSION.tmp` stays a temporary table's name).
- A POST with `X-HTTP-Method-Override: PATCH` was 405; BigQuery's "API performance tips" page gives
  it as the way to send a patch where PATCH is not let through (Google's API client for Java sends
  its PATCH requests so where its HTTP transport has no PATCH).
- A request body sent with `Content-Encoding: gzip` (Google's API client for Java compresses every
  body so unless told not to) was read as JSON: 400 "Invalid JSON payload". It is decompressed.

SQL cases run on the local warehouse and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import uuid

import pytest
from googlesql_cases import assert_fails_locally, assert_fails_through_client

from llmops.core.errors import QueryError


def _source(client, dataset) -> str:
    table = f"{dataset.dataset_id}.src"
    client.query_and_wait(f"CREATE TABLE `{table}` AS SELECT 1 AS id, 'a' AS name UNION ALL SELECT 2, 'b'")
    return table


# --- EXPORT DATA: no CSV header unless asked ------------------------------------------------


def test_export_data_csv_has_no_header_by_default_through_client(bigquery_client, dataset, bucket):
    table = _source(bigquery_client, dataset)
    bigquery_client.query_and_wait(
        f"EXPORT DATA OPTIONS(uri='gs://{bucket.name}/csv/*.csv', format='CSV') AS "
        f"SELECT id, name FROM `{table}` ORDER BY id"
    )
    (blob,) = list(bucket.list_blobs(prefix="csv/"))
    assert blob.name == "csv/000000000000.csv"
    assert blob.download_as_text() == "1,a\n2,b\n"


def test_export_data_csv_header_when_asked_through_client(bigquery_client, dataset, bucket):
    table = _source(bigquery_client, dataset)
    bigquery_client.query_and_wait(
        f"EXPORT DATA OPTIONS(uri='gs://{bucket.name}/h/*.csv', format='CSV', header=true) AS "
        f"SELECT id, name FROM `{table}` ORDER BY id"
    )
    (blob,) = list(bucket.list_blobs(prefix="h/"))
    assert blob.download_as_text() == "id,name\n1,a\n2,b\n"


@pytest.mark.parametrize(
    "header, want", [("", "1,a\n"), (", header=false", "1,a\n"), (", header=true", "id,name\n1,a\n")]
)
def test_export_data_csv_header_locally(warehouse, header, want):
    name = f"exports/h-{uuid.uuid4().hex[:8]}-*.csv"
    warehouse.query_result(f"EXPORT DATA OPTIONS(uri='{name}', format='CSV'{header}) AS SELECT 1 AS id, 'a' AS name")
    path = warehouse.settings.workspace / name.replace("*", "000000000000")
    assert path.read_text() == want


def test_extract_job_csv_keeps_its_header(bigquery_client, dataset, bucket):
    table = _source(bigquery_client, dataset)
    bigquery_client.extract_table(table, f"gs://{bucket.name}/extract.csv").result()
    lines = bucket.blob("extract.csv").download_as_text().splitlines()
    assert lines[0] == "id,name" and sorted(lines[1:]) == ["1,a", "2,b"]


# --- EXPORT DATA: a single-wildcard uri ---------------------------------------------------------

NOT_SINGLE_WILDCARD = ["gs://b-x/json/out.json", "gs://b-x/a-*/b-*.json"]


@pytest.mark.parametrize("uri", NOT_SINGLE_WILDCARD)
def test_export_data_uri_needs_one_wildcard_through_client(bigquery_client, dataset, bucket, uri):
    table = _source(bigquery_client, dataset)
    uri = uri.replace("b-x", bucket.name)
    assert_fails_through_client(
        bigquery_client,
        f"EXPORT DATA OPTIONS(uri='{uri}', format='JSON') AS SELECT id FROM `{table}`",
        "must be a single-wildcard URI",
    )
    assert list(bucket.list_blobs()) == []


@pytest.mark.parametrize("uri", NOT_SINGLE_WILDCARD)
def test_export_data_uri_needs_one_wildcard_locally(warehouse, uri):
    assert_fails_locally(
        warehouse, f"EXPORT DATA OPTIONS(uri='{uri}', format='JSON') AS SELECT 1 AS id", "must be a single-wildcard URI"
    )


def test_export_data_uri_is_checked_in_a_dry_run(bigquery_client, bucket):
    from google.api_core.exceptions import BadRequest
    from google.cloud import bigquery

    with pytest.raises(BadRequest, match="single-wildcard"):
        bigquery_client.query(
            f"EXPORT DATA OPTIONS(uri='gs://{bucket.name}/one.csv', format='CSV') AS SELECT 1 AS x",
            job_config=bigquery.QueryJobConfig(dry_run=True),
        )


def test_an_extract_jobs_translation_is_not_reused_for_the_same_user_text():
    from llmops.emulator.bigquery.googlesql import EXTRACT_JOB, translate

    sql = "EXPORT DATA OPTIONS(uri='gs://b-x/same-as-extract.json', format='JSON') AS SELECT 1 AS id"
    token = EXTRACT_JOB.set(True)
    try:
        translate(sql, default_project="p")
    finally:
        EXTRACT_JOB.reset(token)
    with pytest.raises(QueryError, match="single-wildcard"):
        translate(sql, default_project="p")


def test_extract_job_to_one_file_is_still_served(bigquery_client, dataset, bucket):
    from google.cloud import bigquery

    table = _source(bigquery_client, dataset)
    config = bigquery.ExtractJobConfig(destination_format="NEWLINE_DELIMITED_JSON")
    bigquery_client.extract_table(table, f"gs://{bucket.name}/one.json", job_config=config).result()
    assert sorted(bucket.blob("one.json").download_as_text().splitlines()) == [
        '{"id":"1","name":"a"}',
        '{"id":"2","name":"b"}',
    ]


# --- CREATE TEMP TABLE with a qualified name ------------------------------------------------------


@pytest.mark.parametrize("name", ["ds.tmp", "proj.ds.tmp", "`proj.ds.tmp`"])
def test_qualified_temp_table_is_refused_locally(warehouse, name):
    assert_fails_locally(warehouse, f"CREATE TEMP TABLE {name} (id INT64)", "must not be qualified")


def test_qualified_temp_table_is_refused_through_client(bigquery_client, dataset):
    ds = dataset.dataset_id
    for sql in [f"CREATE TEMP TABLE {ds}.tmp (id INT64)", f"CREATE TEMP TABLE {ds}.tmp AS SELECT 1 AS id"]:
        assert_fails_through_client(bigquery_client, sql, f"Temporary table {ds}.tmp must not be qualified")
    # a table of that name in the dataset is not a temporary table and is created as usual
    bigquery_client.query_and_wait(f"CREATE TABLE {ds}.tmp (id INT64)")
    assert bigquery_client.get_table(f"{ds}.tmp").table_type == "TABLE"


@pytest.mark.parametrize(
    "create", ["CREATE TEMP TABLE tmp AS SELECT 7 AS id", "CREATE TEMP TABLE _SESSION.tmp AS SELECT 7 AS id"]
)
def test_temp_table_alone_or_in_session_is_served(warehouse, bigquery_client, create):
    sql = f"{create}; SELECT id FROM tmp"
    assert [r.values() for r in bigquery_client.query_and_wait(sql)] == [(7,)]
    assert warehouse.query_result(sql).table.to_pylist() == [{"id": 7}]


def test_qualified_temp_table_error_is_a_query_error(warehouse):
    with pytest.raises(QueryError, match=r"CREATE TEMP TABLE tmp \(or _SESSION.tmp\)"):
        warehouse.query_result("CREATE TEMP TABLE d.tmp (id INT64)")


# --- X-HTTP-Method-Override -------------------------------------------------------------------------


def test_post_with_method_override_patches_a_table(bigquery_client, dataset, http):
    from google.cloud import bigquery

    table = bigquery_client.create_table(
        bigquery.Table(
            f"{bigquery_client.project}.{dataset.dataset_id}.t1", schema=[bigquery.SchemaField("x", "INT64")]
        )
    )
    url = f"/bigquery/v2/projects/{table.project}/datasets/{table.dataset_id}/tables/t1"
    r = http.post(url, json={"friendlyName": "viaOverride"}, headers={"X-HTTP-Method-Override": "PATCH"})
    assert r.status_code == 200, r.text
    assert r.json()["friendlyName"] == "viaOverride"
    assert [f["name"] for f in r.json()["schema"]["fields"]] == ["x"]  # a patch keeps what it leaves out
    assert bigquery_client.get_table(table).friendly_name == "viaOverride"


def test_post_without_override_is_still_refused_on_a_table(bigquery_client, dataset, http):
    from google.cloud import bigquery

    table = bigquery_client.create_table(
        bigquery.Table(
            f"{bigquery_client.project}.{dataset.dataset_id}.t2", schema=[bigquery.SchemaField("x", "INT64")]
        )
    )
    url = f"/bigquery/v2/projects/{table.project}/datasets/{table.dataset_id}/tables/t2"
    assert http.post(url, json={"friendlyName": "no"}).status_code == 405
    assert bigquery_client.get_table(table).friendly_name is None


# --- gzip-encoded request bodies ------------------------------------------------------------------


def _gzip_post(http, url, body: bytes, **headers):
    import gzip

    return http.post(url, content=gzip.compress(body), headers={"Content-Encoding": "gzip", **headers})


def test_gzip_encoded_jobs_insert_is_read(bigquery_client, http):
    import json

    project = bigquery_client.project
    body = json.dumps({"configuration": {"query": {"query": "SELECT 41 + 1 AS n", "useLegacySql": False}}})
    r = _gzip_post(http, f"/bigquery/v2/projects/{project}/jobs", body.encode(), **{"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    job = bigquery_client.get_job(r.json()["jobReference"]["jobId"], location=r.json()["jobReference"]["location"])
    assert [tuple(row.values()) for row in job.result()] == [(42,)]


def test_gzip_encoded_insert_all_of_several_megabytes(bigquery_client, dataset, http):
    import json

    from google.cloud import bigquery

    table = bigquery_client.create_table(
        bigquery.Table(
            f"{bigquery_client.project}.{dataset.dataset_id}.big", schema=[bigquery.SchemaField("s", "STRING")]
        )
    )
    rows = [{"json": {"s": "x" * 1000 + str(i)}} for i in range(3000)]  # about 3 MB, a few KB compressed
    url = f"/bigquery/v2/projects/{table.project}/datasets/{table.dataset_id}/tables/big/insertAll"
    r = _gzip_post(http, url, json.dumps({"rows": rows}).encode(), **{"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert "insertErrors" not in r.json()
    got = bigquery_client.query_and_wait(f"SELECT COUNT(*), SUM(LENGTH(s)) FROM `{dataset.dataset_id}.big`")
    assert [tuple(row.values()) for row in got] == [(3000, sum(1000 + len(str(i)) for i in range(3000)))]


def test_gzip_encoded_multipart_upload_loads(bigquery_client, dataset, http):
    import json

    job = {
        "configuration": {
            "load": {
                "sourceFormat": "CSV",
                "schema": {"fields": [{"name": "name", "type": "STRING"}, {"name": "age", "type": "INT64"}]},
                "destinationTable": {
                    "projectId": bigquery_client.project,
                    "datasetId": dataset.dataset_id,
                    "tableId": "up",
                },
            }
        }
    }
    b = "BOUNDARY"
    body = (
        f"--{b}\r\nContent-Type: application/json\r\n\r\n{json.dumps(job)}\r\n"
        f"--{b}\r\nContent-Type: application/octet-stream\r\n\r\nAlice,30\r\nBob,41\r\n\r\n--{b}--\r\n"
    )
    url = f"/upload/bigquery/v2/projects/{bigquery_client.project}/jobs?uploadType=multipart"
    r = _gzip_post(http, url, body.encode(), **{"Content-Type": f"multipart/related; boundary={b}"})
    assert r.status_code == 200, r.text
    ref = r.json()["jobReference"]
    bigquery_client.get_job(ref["jobId"], location=ref["location"]).result()
    got = bigquery_client.query_and_wait(f"SELECT name, age FROM `{dataset.dataset_id}.up` ORDER BY age")
    assert [tuple(row.values()) for row in got] == [("Alice", 30), ("Bob", 41)]


def test_bad_gzip_bodies_are_400(bigquery_client, http):
    import gzip
    import zlib

    url = f"/bigquery/v2/projects/{bigquery_client.project}/jobs"
    body = b'{"configuration": {"query": {"query": "SELECT 1"}}}'
    deflate = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    flushed_only = deflate.compress(body) + deflate.flush(zlib.Z_SYNC_FLUSH)  # no gzip trailer
    for content, words in [
        (b"not gzip at all", "not valid gzip data"),
        (flushed_only, "it ends early"),
        (gzip.compress(body) + b"junk", "bytes after its gzip data"),
    ]:
        r = http.post(url, content=content, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
        assert r.status_code == 400, r.text
        assert words in r.json()["error"]["message"]
