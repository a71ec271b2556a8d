"""Entries of docs/googlesql.md's "Known differences" made BigQuery's behaviour:

- a JSON value inside a STRUCT or an ARRAY in a JSON-lines export (EXPORT DATA with format JSON,
  an extract job to NEWLINE_DELIMITED_JSON, the local warehouse's export and JSON lines) was
  written as a quoted string (`"s":{"k":"{\\"y\\":1}"}`) where BigQuery writes the value itself,
  its members sorted by key (`"s":{"k":{"y":1}}`); where it was written as a value its own nulls
  were dropped as if they were a STRUCT's NULL fields.

Each case is our own query with the answer BigQuery's rules give, on the local warehouse and
through the real BigQuery client against the emulator (the written object read back through
the Cloud Storage client).
"""

from __future__ import annotations

import json

from google.cloud import bigquery

# a JSON value as a STRUCT's field (members out of order, an own null, an array of objects), in
# an ARRAY of STRUCTs, as an ARRAY's elements; a NULL JSON field left out, a JSON 'null' kept
NESTED_JSON = """SELECT 7 AS id,
  STRUCT(JSON '{"y": 1, "b": [2, {"d": null, "c": "<&>"}]}' AS k, 2 AS n) AS s,
  [STRUCT(JSON '{"b": 1, "a": null}' AS j, 'x' AS t), STRUCT(JSON '3', NULL)] AS a,
  [JSON '1', JSON '"z"'] AS ja,
  STRUCT(CAST(NULL AS JSON) AS k, JSON 'null' AS v) AS sn,
  JSON '{"z": 1, "a": 2}' AS top"""
NESTED_FIELDS = {
    "s": '{"k":{"b":[2,{"c":"\\u003c\\u0026\\u003e","d":null}],"y":1},"n":2}',
    "a": '[{"j":{"a":null,"b":1},"t":"x"},{"j":3}]',
    "ja": '[1,"z"]',
    "sn": '{"v":null}',
    "top": '{"a":2,"z":1}',
}
# EXPORT DATA writes INT64 as a number, an extract job as a string ("Export table data")
EXPORT_LINE = '{"id":7,' + ",".join(f'"{k}":{v}' for k, v in NESTED_FIELDS.items()) + "}\n"


def test_the_local_warehouse_export_writes_nested_json_as_values(scratch_warehouse):
    engine = scratch_warehouse.engine
    engine.export(NESTED_JSON, "nested.jsonl", format="jsonl")
    assert (engine.local_root / "nested.jsonl").read_text() == EXPORT_LINE


def test_the_local_warehouse_json_lines_write_nested_json_as_values(scratch_warehouse):
    batches: list = []
    columns = ["id", *NESTED_FIELDS]
    scratch_warehouse.stream_json_lines(NESTED_JSON, batches.append, lines={"line": columns})
    assert [line for b in batches for line in b.column("line").to_pylist()] == [EXPORT_LINE]


def test_export_data_writes_nested_json_as_values(bigquery_client, bucket):
    bigquery_client.query_and_wait(
        f"EXPORT DATA OPTIONS(uri='gs://{bucket.name}/nested-*.json', format='JSON') AS {NESTED_JSON}"
    )
    (blob,) = list(bucket.list_blobs(prefix="nested-"))
    assert blob.download_as_text() == EXPORT_LINE


def test_extract_jobs_write_nested_json_as_values(bigquery_client, bucket, dataset):
    table = f"{dataset.dataset_id}.nested"
    bigquery_client.query_and_wait(f"CREATE TABLE {table} AS {NESTED_JSON}")
    config = bigquery.ExtractJobConfig(destination_format="NEWLINE_DELIMITED_JSON")
    bigquery_client.extract_table(table, f"gs://{bucket.name}/nested.json", job_config=config).result()
    (line,) = bucket.blob("nested.json").download_as_text().splitlines()
    assert line.startswith('{"id":"7",')
    for name in ("s", "a", "ja", "sn"):
        assert f'"{name}":{NESTED_FIELDS[name]},' in line, name
