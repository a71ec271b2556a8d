"""A NULL ARRAY written to a table is stored as an empty ARRAY (the data types page: "When you
write a NULL array to a table, it's converted to an empty array"), by DML INSERT (a NULL or an
omitted column), UPDATE, MERGE and CREATE TABLE ... AS SELECT: read back, `ARRAY_LENGTH(a)` is 0
and `a IS NULL` is FALSE (the emulator stored NULL: NULL and TRUE). Inside a query NULL and []
stay distinct. Checked on the local warehouse and through the real BigQuery client.
"""

from __future__ import annotations

import pytest

WRITES = [
    "CREATE TABLE {ds}.t (id INT64, a ARRAY<INT64>, s ARRAY<STRING>)",
    "INSERT {ds}.t (id, a, s) VALUES (1, NULL, ['x']), (2, [], NULL)",
    "INSERT {ds}.t (id) VALUES (3)",
    "INSERT {ds}.t (id, a, s) VALUES (4, [4], ['y'])",
    "UPDATE {ds}.t SET a = NULL WHERE id = 4",
    "MERGE {ds}.t AS t USING (SELECT 5 AS id) AS s ON t.id = s.id "
    "WHEN NOT MATCHED THEN INSERT (id, a, s) VALUES (s.id, NULL, NULL)",
    "CREATE TABLE {ds}.c AS SELECT 1 AS id, CAST(NULL AS ARRAY<STRING>) AS a",
]

READ = "SELECT id, ARRAY_LENGTH(a), a IS NULL, ARRAY_LENGTH(s), s IS NULL FROM {ds}.t ORDER BY id"
WANT = [
    (1, 0, False, 1, False),
    (2, 0, False, 0, False),
    (3, 0, False, 0, False),
    (4, 0, False, 1, False),
    (5, 0, False, 0, False),
]
READ_CTAS = "SELECT ARRAY_LENGTH(a), a IS NULL FROM {ds}.c"

# inside a query NULL is not []
IN_QUERY = (
    "SELECT ARRAY_LENGTH(CAST(NULL AS ARRAY<INT64>)) IS NULL, CAST(NULL AS ARRAY<INT64>) IS NULL, "
    "ARRAY_LENGTH(CAST([] AS ARRAY<INT64>))"
)


def _rows(result) -> list[tuple]:
    return [tuple(r.values()) for r in result]


@pytest.fixture(scope="module")
def local(warehouse):
    warehouse.query_result("CREATE SCHEMA IF NOT EXISTS nullarr")
    for sql in WRITES:
        warehouse.query_result(sql.format(ds="nullarr"))
    return warehouse


def test_local_warehouse_stores_a_written_null_array_as_empty(local):
    assert _rows(local.query_result(READ.format(ds="nullarr")).table.to_pylist()) == WANT
    assert _rows(local.query_result(READ_CTAS.format(ds="nullarr")).table.to_pylist()) == [(0, False)]
    assert _rows(local.query_result(IN_QUERY).table.to_pylist()) == [(True, True, 0)]


def test_bigquery_client_stores_a_written_null_array_as_empty(bigquery_client, dataset):
    ds = dataset.dataset_id
    for sql in WRITES:
        bigquery_client.query_and_wait(sql.format(ds=ds))
    assert _rows(bigquery_client.query_and_wait(READ.format(ds=ds))) == WANT
    assert _rows(bigquery_client.query_and_wait(READ_CTAS.format(ds=ds))) == [(0, False)]
    assert _rows(bigquery_client.query_and_wait(IN_QUERY)) == [(True, True, 0)]
    rows = {r["id"]: r["a"] for r in bigquery_client.list_rows(f"{ds}.t")}
    assert rows == {1: [], 2: [], 3: [], 4: [], 5: []}
