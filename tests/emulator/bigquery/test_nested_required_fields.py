"""REQUIRED fields inside RECORDs, through the real BigQuery client against the emulator.

insertAll refused a row that left `rec.a` (REQUIRED inside the NULLABLE record `rec`) NULL, but
DML statements (INSERT, UPDATE, MERGE) and load jobs wrote such rows, and the client's
`list_rows()` of the table then crashed converting the NULL REQUIRED INT64. BigQuery refuses
them ("Required field rec.a cannot be null" for DML; a load job fails with "Missing required
field: rec.a.") and the table keeps its rows. A NULL record, an empty repeated record and a
record with every field are written as before. (These tables come from the REST API; the DDL
form `STRUCT<a INT64 NOT NULL>` is served since and tested in test_ddl_nested_not_null.py.)
"""

from __future__ import annotations

import io
import json
import uuid

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from google.api_core.exceptions import GoogleAPICallError
from google.cloud import bigquery


@pytest.fixture
def table(bigquery_client):
    """A table `id INT64, rec RECORD<a INT64 REQUIRED, b STRING>, reps RECORD REPEATED
    <x INT64 REQUIRED>` holding one valid row (id 1)."""
    ds = f"ds_{uuid.uuid4().hex[:8]}"
    bigquery_client.create_dataset(ds)
    schema = [
        bigquery.SchemaField("id", "INT64"),
        bigquery.SchemaField(
            "rec",
            "RECORD",
            fields=[bigquery.SchemaField("a", "INT64", mode="REQUIRED"), bigquery.SchemaField("b", "STRING")],
        ),
        bigquery.SchemaField(
            "reps", "RECORD", mode="REPEATED", fields=[bigquery.SchemaField("x", "INT64", mode="REQUIRED")]
        ),
    ]
    ref = f"{bigquery_client.project}.{ds}.t"
    bigquery_client.create_table(bigquery.Table(ref, schema=schema))
    bigquery_client.query_and_wait(f"INSERT INTO `{ref}` (id, rec, reps) VALUES (1, STRUCT(1, 'one'), [STRUCT(10)])")
    try:
        yield ref
    finally:
        bigquery_client.delete_dataset(ds, delete_contents=True, not_found_ok=True)


def _rows(client, ref: str) -> list[tuple]:
    """The table's rows by id, read with list_rows() (which converts REQUIRED fields)."""
    return sorted(
        (r["id"], r["rec"] and (r["rec"]["a"], r["rec"]["b"]), [e["x"] for e in r["reps"]])
        for r in client.list_rows(ref)
    )


ONE = [(1, (1, "one"), [10])]

REFUSED_DML = [
    ("INSERT INTO `{t}` (id, rec) VALUES (4, STRUCT(NULL, 'x'))", "rec.a"),
    ("INSERT INTO `{t}` (id, rec) VALUES (4, STRUCT(CAST(NULL AS INT64) AS a, 'x' AS b))", "rec.a"),
    ("INSERT INTO `{t}` (id, reps) VALUES (5, [STRUCT(NULL)])", "reps.x"),
    ("INSERT INTO `{t}` (id, reps) VALUES (5, [STRUCT(1), STRUCT(NULL)])", "reps.x"),
    ("INSERT INTO `{t}` (id, rec) SELECT id + 10, STRUCT(NULL AS a, 'y' AS b) FROM `{t}`", "rec.a"),
    ("UPDATE `{t}` SET rec = STRUCT(NULL AS a, 'y' AS b) WHERE id = 1", "rec.a"),
    ("UPDATE `{t}` SET reps = ARRAY_CONCAT(reps, [STRUCT(CAST(NULL AS INT64) AS x)]) WHERE true", "reps.x"),
    (
        "MERGE `{t}` T USING (SELECT 1 AS id) S ON T.id = S.id "
        "WHEN MATCHED THEN UPDATE SET rec = STRUCT(NULL AS a, 'm' AS b)",
        "rec.a",
    ),
    (
        "MERGE `{t}` T USING (SELECT 7 AS id) S ON T.id = S.id "
        "WHEN NOT MATCHED THEN INSERT (id, rec) VALUES (S.id, STRUCT(NULL, 'n'))",
        "rec.a",
    ),
]


@pytest.mark.parametrize(("sql", "path"), REFUSED_DML)
def test_dml_refuses_a_null_nested_required_field(bigquery_client, table, sql, path):
    with pytest.raises(GoogleAPICallError, match=f"Required field {path} cannot be null") as info:
        bigquery_client.query_and_wait(sql.format(t=table))
    assert info.value.code == 400
    assert _rows(bigquery_client, table) == ONE


def test_script_transaction_is_rolled_back(bigquery_client, table):
    sql = (
        f"BEGIN TRANSACTION; INSERT INTO `{table}` (id) VALUES (2); "
        f"INSERT INTO `{table}` (id, rec) VALUES (3, STRUCT(NULL, 'x')); COMMIT TRANSACTION;"
    )
    with pytest.raises(GoogleAPICallError, match="Required field rec.a cannot be null"):
        bigquery_client.query_and_wait(sql)
    assert _rows(bigquery_client, table) == ONE


VALID_DML = [
    ("INSERT INTO `{t}` (id) VALUES (2)", (2, None, [])),
    ("INSERT INTO `{t}` (id, rec, reps) VALUES (2, NULL, [])", (2, None, [])),
    ("INSERT INTO `{t}` (id, rec, reps) VALUES (2, STRUCT(2, NULL), [STRUCT(3), STRUCT(4)])", (2, (2, None), [3, 4])),
]


def _refused_insert(client, ref: str) -> None:
    with pytest.raises(GoogleAPICallError, match="Required field rec.a cannot be null"):
        client.query_and_wait(f"INSERT INTO `{ref}` (id, rec) VALUES (9, STRUCT(NULL, 'x'))")


@pytest.mark.parametrize(("sql", "row"), VALID_DML)
def test_dml_writes_valid_neighbours(bigquery_client, table, sql, row):
    """The valid neighbours of a refused INSERT are written."""
    _refused_insert(bigquery_client, table)
    bigquery_client.query_and_wait(sql.format(t=table))
    assert _rows(bigquery_client, table) == [*ONE, row]


def test_update_to_null_record_is_allowed(bigquery_client, table):
    _refused_insert(bigquery_client, table)
    bigquery_client.query_and_wait(f"UPDATE `{table}` SET rec = NULL, reps = [] WHERE id = 1")
    assert _rows(bigquery_client, table) == [(1, None, [])]


def _parquet(rows: list[dict]) -> bytes:
    rec = pa.struct([("a", pa.int64()), ("b", pa.string())])
    schema = pa.schema([("id", pa.int64()), ("rec", rec), ("reps", pa.list_(pa.struct([("x", pa.int64())])))])
    out = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), out)
    return out.getvalue()


def _avro(rows: list[dict]) -> bytes:
    import fastavro

    def nullable(t):
        return ["null", t]

    rec = {
        "type": "record",
        "name": "rec",
        "fields": [{"name": "a", "type": nullable("long")}, {"name": "b", "type": nullable("string")}],
    }
    rep = {"type": "record", "name": "rep", "fields": [{"name": "x", "type": nullable("long")}]}
    schema = {
        "type": "record",
        "name": "row",
        "fields": [
            {"name": "id", "type": nullable("long")},
            {"name": "rec", "type": nullable(rec), "default": None},
            {"name": "reps", "type": {"type": "array", "items": rep}, "default": []},
        ],
    }
    full = [{"rec": None, "reps": [], **r} for r in rows]
    full = [{**r, "rec": r["rec"] and {"a": None, "b": None, **r["rec"]}} for r in full]
    out = io.BytesIO()
    fastavro.writer(out, fastavro.parse_schema(schema), full)
    return out.getvalue()


def _load(client, ref: str, fmt: str, rows: list[dict]) -> None:
    if fmt == "NEWLINE_DELIMITED_JSON":
        data = "\n".join(json.dumps(r) for r in rows).encode()
    elif fmt == "AVRO":
        data = _avro(rows)
    else:
        data = _parquet(rows)
    config = bigquery.LoadJobConfig(source_format=fmt)
    client.load_table_from_file(io.BytesIO(data), ref, job_config=config).result()


BAD_LOADS = [
    ({"id": 6, "rec": {"b": "z"}}, "rec.a"),
    ({"id": 6, "reps": [{"x": 1}, {"x": None}]}, "reps.x"),
]


@pytest.mark.parametrize("fmt", ["NEWLINE_DELIMITED_JSON", "PARQUET", "AVRO"])
@pytest.mark.parametrize(("row", "path"), BAD_LOADS)
def test_load_refuses_a_null_nested_required_field(bigquery_client, table, fmt, row, path):
    with pytest.raises(GoogleAPICallError, match=f"Missing required field: {path}"):
        _load(bigquery_client, table, fmt, [{"id": 5, "rec": {"a": 5, "b": "ok"}}, row])
    assert _rows(bigquery_client, table) == ONE
    errors = bigquery_client.insert_rows_json(table, [row])  # insertAll's words, as before
    assert errors[0]["errors"][0]["message"] == f"Missing required field: {path}."


@pytest.mark.parametrize("fmt", ["NEWLINE_DELIMITED_JSON", "PARQUET", "AVRO"])
def test_load_writes_valid_neighbours(bigquery_client, table, fmt):
    """The valid neighbours of a refused load are loaded."""
    with pytest.raises(GoogleAPICallError, match="Missing required field: rec.a"):
        _load(bigquery_client, table, fmt, [{"id": 6, "rec": {"b": "z"}}])
    rows = [{"id": 2, "rec": None, "reps": []}, {"id": 3, "rec": {"a": 3, "b": None}, "reps": [{"x": 4}]}]
    _load(bigquery_client, table, fmt, rows)
    assert _rows(bigquery_client, table) == [*ONE, (2, None, []), (3, (3, None), [4])]


def test_json_load_skips_the_row_within_max_bad_records(bigquery_client, table):
    data = "\n".join(json.dumps(r) for r in [{"id": 2, "rec": {"a": 2}}, {"id": 6, "rec": {"b": "z"}}])
    config = bigquery.LoadJobConfig(source_format="NEWLINE_DELIMITED_JSON", max_bad_records=1)
    job = bigquery_client.load_table_from_file(io.BytesIO(data.encode()), table, job_config=config)
    job.result()
    assert "Missing required field: rec.a." in job.errors[0]["message"]
    assert _rows(bigquery_client, table) == [*ONE, (2, (2, None), [])]


def test_update_and_merge_write_whole_struct_values(env):
    """`UPDATE ... SET rec = STRUCT(...)` was read as a comparison (a syntax error) and MERGE's
    `INSERT ... VALUES (..., STRUCT(8, 'n'))` was refused (DuckDB matched its fields by name);
    GoogleSQL assigns the value, its fields meeting the column's by position."""
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.u (id INT64, rec STRUCT<a INT64, b STRING>)")
    run(f"INSERT INTO {ds}.u (id, rec) VALUES (1, STRUCT(1, 'one'))")
    run(f"UPDATE {ds}.u SET rec = STRUCT(7 AS a, 'u' AS b) WHERE rec = STRUCT(1, 'one')")
    run(
        f"MERGE {ds}.u T USING (SELECT 8 AS id) S ON T.id = S.id "
        "WHEN NOT MATCHED THEN INSERT (id, rec) VALUES (S.id, STRUCT(8, 'n'))"
    )
    assert run(f"SELECT id, rec.a, rec.b FROM {ds}.u ORDER BY id") == [(1, 7, "u"), (8, 8, "n")]
