"""INT64 in JSON exports is a JSON string, at every level of nesting: "If you export data in JSON
format, INT64 data types are encoded as JSON strings to preserve 64-bit precision" (the EXPORT
DATA reference; "Export table data" says the same of extract jobs). EXPORT DATA wrote numbers,
and an extract job wrote numbers inside RECORDs and ARRAYs; a reader then lost the digits of
9223372036854775807 past a double's 53 bits."""

from __future__ import annotations

import json

QUERY = (
    "SELECT 1 AS a, 9223372036854775807 AS wide, CAST(NULL AS INT64) AS gone, "
    "STRUCT(2 AS i, 'x' AS s, [3, 4] AS arr, CAST(NULL AS INT64) AS z) AS st, [STRUCT(5 AS k)] AS recs, "
    "1.5 AS f, TRUE AS t, (SELECT SUM(x) FROM UNNEST([10, 20]) AS x) AS total, 'bigint' AS bigint_name"
)
LINE = (
    '{"a":"1","wide":"9223372036854775807","st":{"i":"2","s":"x","arr":["3","4"]},"recs":[{"k":"5"}],'
    '"f":1.5,"t":true,"total":"30","bigint_name":"bigint"}\n'
)


def test_export_data_writes_int64_as_strings_on_the_local_warehouse(scratch_warehouse):
    scratch_warehouse.query(f"EXPORT DATA OPTIONS(uri='int64s/x-*.json', format='JSON', overwrite=true) AS {QUERY}")
    (path,) = (scratch_warehouse.engine.local_root / "int64s").glob("x-*.json")
    assert path.read_text() == LINE
    assert json.loads(path.read_text())["wide"] == str(2**63 - 1)


def test_the_local_warehouse_json_lines_match_export_data(scratch_warehouse):
    batches: list = []
    scratch_warehouse.stream_json_lines(
        "SELECT 7 AS id, -8 AS neg, [1, 2] AS xs", batches.append, lines={"line": ["id", "neg", "xs"]}
    )
    assert [r["line"] for b in batches for r in b.to_pylist()] == ['{"id":"7","neg":"-8","xs":["1","2"]}\n']


def test_export_data_writes_int64_as_strings_through_the_client(bigquery_client, bucket):
    bigquery_client.query_and_wait(f"EXPORT DATA OPTIONS(uri='gs://{bucket.name}/q-*.json', format='JSON') AS {QUERY}")
    (blob,) = list(bucket.list_blobs(prefix="q-"))
    assert blob.download_as_text() == LINE


def test_extract_jobs_write_nested_int64_as_strings(bigquery_client, bucket, dataset):
    from google.cloud import bigquery

    ds = dataset.dataset_id
    bigquery_client.query_and_wait(f"CREATE TABLE `{ds}.t` AS {QUERY}")
    config = bigquery.ExtractJobConfig(destination_format="NEWLINE_DELIMITED_JSON")
    bigquery_client.extract_table(f"{ds}.t", f"gs://{bucket.name}/t.json", job_config=config).result()
    row = json.loads(bucket.blob("t.json").download_as_text())
    assert row["a"] == "1" and row["wide"] == "9223372036854775807" and row["total"] == "30"
    assert row["st"] == {"i": "2", "s": "x", "arr": ["3", "4"]} and row["recs"] == [{"k": "5"}]
    assert row["f"] == 1.5 and row["t"] is True


def test_csv_and_the_query_results_keep_int64_as_numbers(bigquery_client, bucket):
    # only JSON files quote them: a CSV cell has no type, and query results are typed by the schema
    bigquery_client.query_and_wait(
        f"EXPORT DATA OPTIONS(uri='gs://{bucket.name}/c-*.csv', format='CSV') AS SELECT 1 AS a, 2 AS b"
    )
    (blob,) = list(bucket.list_blobs(prefix="c-"))
    assert blob.download_as_text() == "1,2\n"
    assert [dict(r) for r in bigquery_client.query_and_wait("SELECT 1 AS a")] == [{"a": 1}]
