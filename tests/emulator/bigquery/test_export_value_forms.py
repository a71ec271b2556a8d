"""EXPORT DATA in JSON format writes BYTES, TIMESTAMP and GEOGRAPHY as extract jobs write them
(`exportcolumns.py`, after "Export table data"), at every level of nesting: base64, `2024-01-02
03:04:05.250 UTC`, BigQuery's WKT `POINT(1 2)`. It wrote DuckDB's forms: `"\\x01\\xFF"` (the
blob's escaped text, silently another value), `2024-01-02 03:04:05.25+00` and `POINT (1 2)`; an
extract job wrote them so inside RECORDs and ARRAYs."""

from __future__ import annotations

import json

import pytest

QUERY = (
    "SELECT b'\\x01\\xff' AS by, TIMESTAMP '2024-01-02 03:04:05+00' AS ts, "
    "TIMESTAMP '2024-01-02 03:04:05.25+00' AS ms, TIMESTAMP '2024-01-02 03:04:05.123456+00' AS us, "
    "STRUCT(b'\\x01' AS by, TIMESTAMP '1969-12-31 23:59:59.5+00' AS ts) AS st, [b'a', b'bc'] AS bys"
)
ROW = {
    "by": "Af8=",
    "ts": "2024-01-02 03:04:05 UTC",
    "ms": "2024-01-02 03:04:05.250 UTC",
    "us": "2024-01-02 03:04:05.123456 UTC",
    "st": {"by": "AQ==", "ts": "1969-12-31 23:59:59.500 UTC"},
    "bys": ["YQ==", "YmM="],
}


def test_export_data_value_forms_on_the_local_warehouse(scratch_warehouse):
    scratch_warehouse.query(f"EXPORT DATA OPTIONS(uri='forms/x-*.json', format='JSON', overwrite=true) AS {QUERY}")
    (path,) = (scratch_warehouse.engine.local_root / "forms").glob("x-*.json")
    assert json.loads(path.read_text()) == ROW


def test_export_data_and_extract_jobs_write_the_same_forms(bigquery_client, bucket, dataset):
    from google.cloud import bigquery

    bigquery_client.query_and_wait(f"EXPORT DATA OPTIONS(uri='gs://{bucket.name}/q-*.json', format='JSON') AS {QUERY}")
    (blob,) = list(bucket.list_blobs(prefix="q-"))
    assert json.loads(blob.download_as_text()) == ROW
    ds = dataset.dataset_id
    bigquery_client.query_and_wait(f"CREATE TABLE `{ds}.t` AS {QUERY}")
    config = bigquery.ExtractJobConfig(destination_format="NEWLINE_DELIMITED_JSON")
    bigquery_client.extract_table(f"{ds}.t", f"gs://{bucket.name}/t.json", job_config=config).result()
    assert json.loads(bucket.blob("t.json").download_as_text()) == ROW


def test_export_data_writes_bigquerys_wkt(bigquery_client, bucket):
    pytest.importorskip("shapely")
    bigquery_client.query_and_wait(
        f"EXPORT DATA OPTIONS(uri='gs://{bucket.name}/g-*.json', format='JSON') AS SELECT ST_GEOGPOINT(1, 2) AS g"
    )
    (blob,) = list(bucket.list_blobs(prefix="g-"))
    assert json.loads(blob.download_as_text()) == {"g": "POINT(1 2)"}


CSV_QUERY = (
    "SELECT b'\\x01\\xff' AS by, TIMESTAMP '2024-01-02 03:04:05.25+00' AS ts, NUMERIC '2.50' AS n, "
    "BIGNUMERIC '3.10' AS bn, NUMERIC '7' AS whole, 'x' AS s, 1.0 AS f, 0.1 AS tenth, 1e20 AS big, "
    "1 / 3 AS third, IEEE_DIVIDE(0, 0) AS nan"
)


def test_export_data_csv_cells_are_the_extract_jobs(bigquery_client, bucket, dataset):
    # DuckDB's COPY wrote `\x01\xFF` (the blob's escaped text), `2024-01-02 03:04:05.25+00`,
    # `2.500000000`, `3.100000000000000000` and `1.0`
    from google.cloud import bigquery

    bigquery_client.query_and_wait(
        f"EXPORT DATA OPTIONS(uri='gs://{bucket.name}/c-*.csv', format='CSV', header=true) AS {CSV_QUERY}"
    )
    (blob,) = list(bucket.list_blobs(prefix="c-"))
    expected = (
        "by,ts,n,bn,whole,s,f,tenth,big,third,nan\n"
        "Af8=,2024-01-02 03:04:05.250 UTC,2.5,3.1,7,x,1,0.1,1e+20,0.33333333333333331,nan\n"
    )
    assert blob.download_as_text() == expected
    ds = dataset.dataset_id
    bigquery_client.query_and_wait(f"CREATE TABLE `{ds}.t` AS {CSV_QUERY}")
    config = bigquery.ExtractJobConfig(destination_format="CSV")
    bigquery_client.extract_table(f"{ds}.t", f"gs://{bucket.name}/t.csv", job_config=config).result()
    assert bucket.blob("t.csv").download_as_text() == expected
