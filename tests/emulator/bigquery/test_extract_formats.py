"""Extract jobs write CSV and newline-delimited JSON as BigQuery's "Export table data" page
describes, through the real clients (BigQuery to export, Cloud Storage to read the file back):

- TIMESTAMP as `2024-01-01 10:00:00 UTC` (was `2024-01-01 10:00:00+00`), BYTES as base64 (was
  DuckDB's `\\x01`), NUMERIC without trailing zeros (was `1.500000000`), GEOGRAPHY as WKT;
- in JSON, INT64 as strings, "to preserve 64-bit precision" (were numbers), NUMERIC as strings;
- a CSV export of a table with a nested or repeated field fails ("Operation cannot be performed
  on a nested schema"; it wrote the array as `[1, 2]` and the STRUCT as a Python dict's text);
- an extract of `table$20240101` exports that partition (it was refused)."""

from __future__ import annotations

import json
import uuid

import pytest
from google.api_core import exceptions as gexc
from google.cloud import bigquery


@pytest.fixture
def ds(bigquery_client, storage_client):
    name = f"ext_{uuid.uuid4().hex[:8]}"
    bigquery_client.create_dataset(name)
    bucket = storage_client.create_bucket(f"ext-{uuid.uuid4().hex[:8]}")
    bigquery_client.query_and_wait(
        f"CREATE TABLE {name}.flat AS SELECT 9007199254740993 AS i, TIMESTAMP '2024-01-01 10:00:00' AS ts, "
        "b'\\x01\\x02' AS by, NUMERIC '1.50' AS n, TRUE AS ok, 'a,b' AS s, ST_GEOGPOINT(1, 2) AS g"
    )
    yield name, bucket
    bigquery_client.delete_dataset(name, delete_contents=True, not_found_ok=True)


def _extract(client, bucket, table, fmt, name):
    config = bigquery.ExtractJobConfig(destination_format=fmt)
    client.extract_table(table, f"gs://{bucket.name}/{name}", job_config=config).result()
    return bucket.blob(name).download_as_text()


def test_csv_values_as_bigquery_writes_them(bigquery_client, ds):
    name, bucket = ds
    text = _extract(bigquery_client, bucket, f"{name}.flat", "CSV", "flat.csv")
    assert text.splitlines() == [
        "i,ts,by,n,ok,s,g",
        '9007199254740993,2024-01-01 10:00:00 UTC,AQI=,1.5,true,"a,b",POINT(1 2)',
    ]


def test_json_values_as_bigquery_writes_them(bigquery_client, ds):
    name, bucket = ds
    text = _extract(bigquery_client, bucket, f"{name}.flat", "NEWLINE_DELIMITED_JSON", "flat.json")
    row = json.loads(text.splitlines()[0])
    assert row == {
        "i": "9007199254740993",
        "ts": "2024-01-01 10:00:00 UTC",
        "by": "AQI=",
        "n": "1.5",
        "ok": True,
        "s": "a,b",
        "g": "POINT(1 2)",
    }


def test_a_nested_table_cannot_be_exported_as_csv(bigquery_client, ds):
    name, bucket = ds
    bigquery_client.query_and_wait(f"CREATE TABLE {name}.nested AS SELECT 1 AS a, [1, 2] AS arr")
    with pytest.raises(gexc.BadRequest, match="Operation cannot be performed on a nested schema. Field: arr"):
        _extract(bigquery_client, bucket, f"{name}.nested", "CSV", "nested.csv")
    text = _extract(bigquery_client, bucket, f"{name}.nested", "NEWLINE_DELIMITED_JSON", "nested.json")
    assert json.loads(text) == {"a": "1", "arr": ["1", "2"]}


def test_one_partition_is_exported(bigquery_client, ds):
    name, bucket = ds
    bigquery_client.query_and_wait(f"CREATE TABLE {name}.daily (d DATE, v INT64) PARTITION BY d")
    bigquery_client.query_and_wait(f"INSERT {name}.daily VALUES ('2024-01-01', 1), ('2024-01-02', 2)")
    text = _extract(bigquery_client, bucket, f"{name}.daily$20240102", "CSV", "day.csv")
    assert text.splitlines() == ["d,v", "2024-01-02,2"]
