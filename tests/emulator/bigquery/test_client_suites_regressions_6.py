"""What googleapis/python-bigquery's system tests (`tests/system/test_pandas.py`, run against
BigQuery in Google's CI) expect and the emulator answered otherwise, reproduced through
google-cloud-bigquery:

- `test_load_table_from_dataframe_w_explicit_schema_source_format_csv` loads the BYTES values
  `abc` and `def` from CSV: base64 without its `=` padding, which BigQuery's reader accepts (the
  padding is optional; `abc` is the two bytes of `abc=`). The emulator refused both rows
  ("Cannot convert value to bytes"), so the load failed.
"""

from __future__ import annotations

import io

import pytest
from google.api_core.exceptions import BadRequest
from google.cloud import bigquery

SCHEMA = [bigquery.SchemaField("id", "INT64"), bigquery.SchemaField("b", "BYTES")]


def _load(client, table_id, data: bytes, source_format: str):
    config = bigquery.LoadJobConfig(schema=SCHEMA, source_format=source_format)
    client.load_table_from_file(io.BytesIO(data), table_id, job_config=config).result()
    return sorted((r.id, r.b) for r in client.list_rows(table_id))


def test_csv_bytes_without_base64_padding_load(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.unpadded_csv"
    rows = _load(bigquery_client, table_id, b"1,abc\n2,\n3,def\n4,YWI=\n5,YQ\n", bigquery.SourceFormat.CSV)
    assert rows == [(1, b"i\xb7"), (2, None), (3, b"u\xe7"), (4, b"ab"), (5, b"a")]


def test_json_bytes_without_base64_padding_load(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.unpadded_json"
    data = b'{"id": 1, "b": "abc"}\n{"id": 2, "b": "YWJj"}\n'
    rows = _load(bigquery_client, table_id, data, bigquery.SourceFormat.NEWLINE_DELIMITED_JSON)
    assert rows == [(1, b"i\xb7"), (2, b"abc")]


def test_insert_all_bytes_without_base64_padding(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.unpadded_rows"
    table = bigquery_client.create_table(bigquery.Table(table_id, schema=SCHEMA))
    assert bigquery_client.insert_rows_json(table, [{"id": 1, "b": "YWJjZA"}]) == []
    assert [r.b for r in bigquery_client.list_rows(table_id)] == [b"abcd"]


@pytest.mark.parametrize("text", ["abcde", "YQ=", "a*bc"])
def test_text_that_is_not_base64_is_still_refused(bigquery_client, dataset, text):
    """A lone sixth of a byte, wrong padding, a character outside the alphabet."""
    table_id = f"{dataset.project}.{dataset.dataset_id}.not_base64"
    with pytest.raises(BadRequest, match="Cannot convert value to bytes"):
        _load(bigquery_client, table_id, f"1,{text}\n".encode(), bigquery.SourceFormat.CSV)
