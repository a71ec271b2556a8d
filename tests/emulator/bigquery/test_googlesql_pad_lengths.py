"""LPAD and RPAD with a length from an INT64 column: DuckDB's lpad/rpad take a 32-bit length, so
a table's INT64 (BIGINT) column did not bind ("No function matches"); BigQuery pads. Through the
local warehouse and the real BigQuery client."""

from __future__ import annotations

import pytest
from google.api_core.exceptions import BadRequest

from llmops.core.errors import QueryError

_QUERY = "SELECT LPAD('a', n, 'x') AS l, RPAD('ab', n) AS r, LPAD(b'a', n, b'x') AS lb FROM {t} ORDER BY n"


def test_local_warehouse(warehouse):
    warehouse.query("CREATE SCHEMA IF NOT EXISTS pads")
    warehouse.query("CREATE OR REPLACE TABLE pads.t AS SELECT n FROM UNNEST([CAST(1 AS INT64), 3]) AS n")
    rows = warehouse.query(_QUERY.format(t="pads.t")).to_pylist()
    assert rows == [{"l": "a", "r": "a", "lb": b"a"}, {"l": "xxa", "r": "ab ", "lb": b"xxa"}]
    with pytest.raises(QueryError, match="LPAD: the length must not be negative"):
        warehouse.query("SELECT LPAD('a', n - 5) AS l FROM pads.t")


def test_bigquery_client(bigquery_client, dataset):
    table = f"{dataset.dataset_id}.t"
    bigquery_client.query_and_wait(f"CREATE TABLE {table} AS SELECT n FROM UNNEST([1, 3]) AS n")
    rows = [dict(r) for r in bigquery_client.query_and_wait(_QUERY.format(t=table))]
    assert rows == [{"l": "a", "r": "a", "lb": b"a"}, {"l": "xxa", "r": "ab ", "lb": b"xxa"}]
    with pytest.raises(BadRequest, match="RPAD: the length must not be negative"):
        bigquery_client.query_and_wait(f"SELECT RPAD('a', n - 5) AS r FROM {table}")
