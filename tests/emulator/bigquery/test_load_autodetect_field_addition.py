"""A load job that appends with `autodetect` and `ALLOW_FIELD_ADDITION` reads the file's own
columns and adds the new ones to the table, as BigQuery documents for adding a column in a load
append job (it read the file against the table's old schema: a CSV with one more column failed
with "CSV table references column position 2")."""

from __future__ import annotations

import io

import pytest
from google.cloud import bigquery


@pytest.mark.parametrize(
    ("fmt", "first", "second"),
    [
        ("CSV", b"a,b\n1,x\n", b"a,b,c\n2,y,1.5\n"),
        ("NEWLINE_DELIMITED_JSON", b'{"a": 1, "b": "x"}\n', b'{"a": 2, "b": "y", "c": 1.5}\n'),
    ],
)
def test_an_autodetected_append_adds_the_files_new_columns(bigquery_client, dataset, fmt, first, second):
    table = f"{dataset.project}.{dataset.dataset_id}.grown"
    skip = {"skip_leading_rows": 1} if fmt == "CSV" else {}
    config = bigquery.LoadJobConfig(source_format=fmt, autodetect=True, **skip)
    bigquery_client.load_table_from_file(io.BytesIO(first), table, job_config=config).result()
    config = bigquery.LoadJobConfig(
        source_format=fmt,
        autodetect=True,
        write_disposition="WRITE_APPEND",
        schema_update_options=["ALLOW_FIELD_ADDITION"],
        **skip,
    )
    bigquery_client.load_table_from_file(io.BytesIO(second), table, job_config=config).result()
    got = bigquery_client.get_table(table)
    assert [(f.name, f.field_type, f.mode) for f in got.schema] == [
        ("a", "INTEGER", "NULLABLE"),
        ("b", "STRING", "NULLABLE"),
        ("c", "FLOAT", "NULLABLE"),
    ]
    rows = bigquery_client.query_and_wait(f"SELECT a, b, c FROM `{table}` ORDER BY a")
    assert [tuple(r.values()) for r in rows] == [(1, "x", None), (2, "y", 1.5)]
