"""WRITE_EMPTY into a table that has rows fails as BigQuery's jobs do: 409 `duplicate` with
"Already Exists: Table P:D.T" (it said "table `P.D.T` already has data"), for load, copy and
query jobs alike, writing nothing. pandas-gbq's `to_gbq(if_exists="fail")` reads those words to
raise its TableCreationError (it raised a generic error against the emulator)."""

from __future__ import annotations

import io

import pytest
from google.api_core import exceptions
from google.cloud import bigquery


@pytest.mark.parametrize("kind", ["load", "copy", "query"])
def test_write_empty_into_a_table_with_rows_is_already_exists(bigquery_client, dataset, kind):
    client = bigquery_client
    target = f"{dataset.project}.{dataset.dataset_id}.target"
    source = f"{dataset.project}.{dataset.dataset_id}.source"
    client.query_and_wait(f"CREATE TABLE `{target}` AS SELECT 1 AS x")
    client.query_and_wait(f"CREATE TABLE `{source}` AS SELECT 2 AS x")
    empty = "WRITE_EMPTY"
    with pytest.raises(exceptions.Conflict) as info:
        if kind == "load":
            config = bigquery.LoadJobConfig(source_format="NEWLINE_DELIMITED_JSON", write_disposition=empty)
            client.load_table_from_file(io.BytesIO(b'{"x": 3}\n'), target, job_config=config).result()
        elif kind == "copy":
            client.copy_table(source, target, job_config=bigquery.CopyJobConfig(write_disposition=empty)).result()
        else:
            config = bigquery.QueryJobConfig(destination=target, write_disposition=empty)
            client.query("SELECT 4 AS x", job_config=config).result()
    error = info.value.errors[0]
    assert error["reason"] == "duplicate"
    assert error["message"] == f"Already Exists: Table {dataset.project}:{dataset.dataset_id}.target"
    assert [tuple(r) for r in client.list_rows(target)] == [(1,)]


def test_write_empty_into_an_empty_table_writes(bigquery_client, dataset):
    target = f"{dataset.project}.{dataset.dataset_id}.empty"
    bigquery_client.create_table(bigquery.Table(target, schema=[bigquery.SchemaField("x", "INT64")]))
    config = bigquery.QueryJobConfig(destination=target, write_disposition="WRITE_EMPTY")
    bigquery_client.query("SELECT 5 AS x", job_config=config).result()
    assert [tuple(r) for r in bigquery_client.list_rows(target)] == [(5,)]
