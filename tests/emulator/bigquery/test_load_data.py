"""`LOAD DATA ... FROM FILES(...)`, the SQL form of a load job, through the BigQuery client against
the emulator (which reads gs:// objects from its own storage). It was refused ("the LOADDATA
statement"). The local warehouse, with no object storage, refuses it by name."""

from __future__ import annotations

import pytest
from google.api_core import exceptions

from llmops.core.errors import QueryError


def run(client, sql: str) -> list[dict]:
    return [dict(r) for r in client.query(sql).result()]


@pytest.fixture
def files(storage_client, unique):
    bucket = storage_client.create_bucket(f"load-data-{unique}")
    bucket.blob("people.csv").upload_from_string("id,name\n1,a\n2,b\n")
    bucket.blob("more.json").upload_from_string('{"id": 3, "name": "c"}\n')
    return f"gs://{bucket.name}"


def test_load_data_appends_and_overwrites(bigquery_client, dataset, files):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    job = bigquery_client.query(
        f"LOAD DATA INTO `{ds}.people` FROM FILES(format = 'CSV', uris = ['{files}/people.csv'], skip_leading_rows = 1)"
    )
    job.result()
    assert job.statement_type == "LOAD_DATA"
    table = bigquery_client.get_table(f"{ds}.people")
    assert [(f.name, f.field_type) for f in table.schema] == [("id", "INTEGER"), ("name", "STRING")]
    run(bigquery_client, f"LOAD DATA INTO `{ds}.people` FROM FILES(format = 'JSON', uris = ['{files}/more.json'])")
    assert run(bigquery_client, f"SELECT id, name FROM `{ds}.people` ORDER BY id") == [
        {"id": 1, "name": "a"},
        {"id": 2, "name": "b"},
        {"id": 3, "name": "c"},
    ]
    # OVERWRITE with a column list: the table takes those columns and only the file's rows
    run(
        bigquery_client,
        f"LOAD DATA OVERWRITE `{ds}.people` (id INT64, name STRING) "
        f"FROM FILES(format = 'CSV', uris = ['{files}/people.csv'], skip_leading_rows = 1)",
    )
    assert run(bigquery_client, f"SELECT COUNT(*) AS n FROM `{ds}.people`") == [{"n": 2}]


def test_load_data_in_a_script(bigquery_client, dataset, files):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    rows = run(
        bigquery_client,
        f"DECLARE n INT64; LOAD DATA INTO `{ds}.more` FROM FILES(format = 'JSON', uris = ['{files}/more.json']); "
        f"SET n = (SELECT COUNT(*) FROM `{ds}.more`); SELECT n",
    )
    assert rows == [{"n": 1}]


@pytest.mark.parametrize(
    "files_clause, error, kind",
    [
        ("format = 'CSV', uris = ['{files}/nope.csv']", "Not found: URI", exceptions.NotFound),
        (
            "format = 'XML', uris = ['{files}/people.csv']",
            "LOAD DATA format XML is not supported",
            exceptions.BadRequest,
        ),
        ("format = 'CSV'", "LOAD DATA needs uris", exceptions.BadRequest),
        (
            "format = 'CSV', uris = ['{files}/people.csv'], hive_partition_uri_prefix = 'x'",
            "hive_partition_uri_prefix is not supported",
            exceptions.BadRequest,
        ),
        (
            "format = 'CSV', uris = ['{files}/more.json']",
            "CSV table encountered too many errors",
            exceptions.BadRequest,
        ),
    ],
)
def test_load_data_mistakes(bigquery_client, dataset, files, files_clause, error, kind):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    run(bigquery_client, f"CREATE TABLE `{ds}.t` (id INT64, name STRING)")
    with pytest.raises(kind) as info:
        run(bigquery_client, f"LOAD DATA INTO `{ds}.t` FROM FILES({files_clause.format(files=files)})")
    assert error in str(info.value)
    assert run(bigquery_client, f"SELECT COUNT(*) AS n FROM `{ds}.t`") == [{"n": 0}]


def test_the_local_warehouse_refuses_load_data(scratch_warehouse):
    with pytest.raises(QueryError, match="LOAD DATA is not supported by the local warehouse"):
        scratch_warehouse.query("LOAD DATA INTO d.t FROM FILES(format = 'CSV', uris = ['gs://b/x.csv'])")
