"""A JSON value turned into a STRING inside a query, or written by an export, has its object
members sorted by key and keeps the first of a repeated key, as BigQuery keeps every JSON value
(JSON functions reference: `JSON_OBJECT('foo', 10, 'bar', TRUE)` is `{"bar":true,"foo":10}`; data
types page: "If an object has duplicate keys, the first key that's found is preserved").
TO_JSON_STRING of a JSON value, also inside a STRUCT, an ARRAY or a table row, FORMAT's %t and %T,
and EXPORT DATA / extract jobs / the local warehouse's export of a JSON column kept the members
in the order written, repeats included (a query result's JSON values were already sorted:
`jsonorder.py`). Each case is our own query with the text BigQuery's rules give, on the local
warehouse and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import json

import pytest
from googlesql_cases import case_params, check_locally, check_through_client

S = "STRING"
DOC = """JSON '{"b": 1, "a": {"d": 2, "c": 3}, "b": 4}'"""
SORTED = '{"a":{"c":3,"d":2},"b":1}'

TO_JSON_STRINGS = [
    # the reference's example object, as text
    ("TO_JSON_STRING(JSON_OBJECT('foo', 10, 'bar', TRUE))", '{"bar":true,"foo":10}', S),
    (f"TO_JSON_STRING({DOC})", SORTED, S),
    # a JSON column of a subquery (its type known only when DuckDB binds it)
    (f"SELECT TO_JSON_STRING(j) FROM (SELECT {DOC} AS j)", SORTED, S),
    ("TO_JSON_STRING(TO_JSON(STRUCT(2 AS b, 1 AS a)))", '{"a":1,"b":2}', S),
    ('TO_JSON_STRING(PARSE_JSON(\'[{"y": 1, "x": 0}, 3]\'))', '[{"x":0,"y":1},3]', S),
    (f"TO_JSON_STRING({DOC}, TRUE)", '{\n  "a": {\n    "c": 3,\n    "d": 2\n  },\n  "b": 1\n}', S),
    # the first of a repeated key, one member: nothing to sort, the repeat still goes
    ("""TO_JSON_STRING(JSON '{"a": 1, "a": 2}')""", '{"a":1}', S),
]
# a JSON value inside a STRUCT, an ARRAY or a row: its members sorted, the STRUCT's fields in order
NESTED = [
    (f"TO_JSON_STRING(STRUCT({DOC} AS x, 1 AS w))", '{"x":' + SORTED + ',"w":1}', S),
    (f"TO_JSON_STRING([{DOC}, JSON '3'])", "[" + SORTED + ",3]", S),
    (f"SELECT TO_JSON_STRING(t) FROM (SELECT 2 AS z, {DOC} AS j) AS t", '{"z":2,"j":' + SORTED + "}", S),
    ("""TO_JSON_STRING(STRUCT(JSON '{"a": 1, "a": 2}' AS x))""", '{"x":{"a":1}}', S),
]
FORMATTED = [
    (f"FORMAT('%t', {DOC})", SORTED, S),
    (f"FORMAT('%T', {DOC})", "JSON '" + SORTED + "'", S),
    (f"SELECT FORMAT('%T', j) FROM (SELECT {DOC} AS j)", "JSON '" + SORTED + "'", S),
    (f"FORMAT('%T', STRUCT({DOC} AS x))", "STRUCT(JSON '" + SORTED + "')", S),
    (f"FORMAT('%t', STRUCT({DOC} AS x))", "(" + SORTED + ")", S),
]
ROWS = case_params({"to_json_string": TO_JSON_STRINGS, "nested": NESTED, "formatted": FORMATTED})


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


def test_through_client(bigquery_client):
    check_through_client(bigquery_client, TO_JSON_STRINGS + NESTED + FORMATTED)


EXPORTED = f"SELECT 1 AS id, {DOC} AS j"


def _json_text(value) -> str:
    """A JSON file's value as compact text, its members in the order the file has them (an extract
    job writes a JSON column as its text, a string)."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def test_export_data_and_extract_jobs_write_json_sorted(bigquery_client, storage_client, bucket, dataset):
    from google.cloud import bigquery

    bigquery_client.query_and_wait(
        f"EXPORT DATA OPTIONS(uri='gs://{bucket.name}/q-*.json', format='JSON') AS {EXPORTED}"
    )
    (blob,) = list(bucket.list_blobs(prefix="q-"))
    assert blob.download_as_text().endswith(',"j":' + SORTED + "}\n")  # (the id's form is not this test's)
    table = f"{dataset.dataset_id}.t"
    bigquery_client.query_and_wait(f"CREATE TABLE {table} AS {EXPORTED}")
    config = bigquery.ExtractJobConfig(destination_format="NEWLINE_DELIMITED_JSON")
    bigquery_client.extract_table(table, f"gs://{bucket.name}/t.json", job_config=config).result()
    assert _json_text(json.loads(bucket.blob("t.json").download_as_text())["j"]) == SORTED
    bigquery_client.extract_table(table, f"gs://{bucket.name}/t.csv").result()
    lines = bucket.blob("t.csv").download_as_text().splitlines()
    assert lines[1] == '1,"' + SORTED.replace('"', '""') + '"'


@pytest.mark.parametrize(
    "name, fmt, want",
    [
        ("o.jsonl", "jsonl", '{"id":"1","j":' + SORTED + "}\n"),
        ("o.csv", "csv", 'id,j\n1,"' + SORTED.replace('"', '""') + '"\n'),
    ],
)
def test_the_local_warehouse_export_writes_json_sorted(scratch_warehouse, name, fmt, want):
    engine = scratch_warehouse.engine
    engine.export(EXPORTED, name, format=fmt)
    assert (engine.local_root / name).read_text() == want


def test_the_local_warehouse_json_lines_write_json_sorted(scratch_warehouse):
    # the lines data preparation writes itself, as EXPORT DATA would (`stream_json_lines`)
    batches: list = []
    scratch_warehouse.stream_json_lines(EXPORTED, batches.append, lines={"line": ["id", "j"]})
    assert [line for b in batches for line in b.column("line").to_pylist()] == ['{"id":"1","j":' + SORTED + "}\n"]
