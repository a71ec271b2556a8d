"""UNNEST of an ARRAY of STRUCTs WITH OFFSET: the fields are columns beside the offset, as without
WITH OFFSET (the query syntax reference, "UNNEST and structs": "a separate column for each field
in the struct").

Before, an unaliased one (`SELECT a, o FROM UNNEST(structs) WITH OFFSET AS o`, `SELECT *`) failed
with "Unrecognized name: a" or DuckDB's "Column __bq_ordinality_o in EXCLUDE list not found", and
an aliased one's `SELECT *` answered the whole STRUCT as one column `e` beside `o` where BigQuery
lists its fields. Each case runs on the local warehouse and through the real BigQuery client.
"""

from __future__ import annotations

import pytest

ARRAY = "[STRUCT(1 AS a, 'x' AS b), (2, 'y')]"
WITH_TABLE = (
    "WITH t AS (SELECT 1 AS id, [STRUCT(1 AS a, 'x' AS b), (2, 'y')] AS arr "
    "UNION ALL SELECT 2, [] UNION ALL SELECT 3, [STRUCT(5, 'z')]) "
)
# (query, result column names, rows)
CASES = [
    (f"SELECT * FROM UNNEST({ARRAY}) WITH OFFSET AS o", ["a", "b", "o"], [(1, "x", 0), (2, "y", 1)]),
    (f"SELECT * FROM UNNEST({ARRAY}) WITH OFFSET", ["a", "b", "offset"], [(1, "x", 0), (2, "y", 1)]),
    (f"SELECT * FROM UNNEST({ARRAY}) AS e WITH OFFSET AS o", ["a", "b", "o"], [(1, "x", 0), (2, "y", 1)]),
    (f"SELECT a, o FROM UNNEST({ARRAY}) WITH OFFSET AS o ORDER BY o DESC", ["a", "o"], [(2, 1), (1, 0)]),
    (f"SELECT e.a, b, o FROM UNNEST({ARRAY}) AS e WITH OFFSET AS o", ["a", "b", "o"], [(1, "x", 0), (2, "y", 1)]),
    (
        f"SELECT e, o FROM UNNEST({ARRAY}) AS e WITH OFFSET AS o",
        ["e", "o"],
        [({"a": 1, "b": "x"}, 0), ({"a": 2, "b": "y"}, 1)],
    ),
    (
        "SELECT * FROM UNNEST(ARRAY<STRUCT<x INT64, y STRING>>[(1, 'foo'), (3, 'bar')]) WITH OFFSET AS pos",
        ["x", "y", "pos"],
        [(1, "foo", 0), (3, "bar", 1)],
    ),
    (
        "SELECT x, pos FROM UNNEST(ARRAY(SELECT AS STRUCT 1 AS x UNION ALL SELECT AS STRUCT 2)) WITH OFFSET AS pos "
        "ORDER BY pos",
        ["x", "pos"],
        [(1, 0), (2, 1)],
    ),
    (
        f"SELECT COUNT(*), SUM(o) FROM UNNEST({ARRAY}) WITH OFFSET AS o WHERE a > 0",
        ["f0_", "f1_"],
        [(2, 1)],
    ),
    # a column of each row: an empty array gives no rows, offsets restart per row
    (
        WITH_TABLE + "SELECT id, a, b, o FROM t, UNNEST(t.arr) WITH OFFSET AS o ORDER BY id, o",
        ["id", "a", "b", "o"],
        [(1, 1, "x", 0), (1, 2, "y", 1), (3, 5, "z", 0)],
    ),
    (
        WITH_TABLE + "SELECT * EXCEPT (arr) FROM t CROSS JOIN UNNEST(t.arr) WITH OFFSET ORDER BY id, offset",
        ["id", "a", "b", "offset"],
        [(1, 1, "x", 0), (1, 2, "y", 1), (3, 5, "z", 0)],
    ),
]


def _run_locally(warehouse, sql):
    result = warehouse.query_result(sql)
    return [f["name"] for f in result.schema], [tuple(r) for r in zip(*result.table.to_pydict().values())]


@pytest.mark.parametrize("sql, names, rows", CASES)
def test_local_warehouse(warehouse, sql, names, rows):
    assert _run_locally(warehouse, sql) == (names, rows)


@pytest.mark.parametrize("sql, names, rows", CASES)
def test_through_client(bigquery_client, sql, names, rows):
    result = bigquery_client.query_and_wait(sql)
    assert [f.name for f in result.schema] == names
    assert [tuple(r.values()) for r in result] == rows


def test_repeated_record_column_of_a_table(bigquery_client, dataset):
    from google.cloud import bigquery

    table = bigquery.Table(
        f"{dataset.project}.{dataset.dataset_id}.orders",
        schema=[
            bigquery.SchemaField("id", "INT64"),
            bigquery.SchemaField(
                "items",
                "RECORD",
                mode="REPEATED",
                fields=[bigquery.SchemaField("sku", "STRING"), bigquery.SchemaField("qty", "INT64")],
            ),
        ],
    )
    bigquery_client.create_table(table)
    errors = bigquery_client.insert_rows_json(
        table,
        [
            {"id": 1, "items": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 1}]},
            {"id": 2, "items": []},
            {"id": 3, "items": [{"sku": "c", "qty": 5}]},
        ],
    )
    assert errors == []
    ref = f"`{dataset.dataset_id}.orders`"
    rows = bigquery_client.query_and_wait(
        f"SELECT id, sku, qty, pos FROM {ref} AS o, UNNEST(o.items) WITH OFFSET AS pos ORDER BY id, pos"
    )
    assert [tuple(r.values()) for r in rows] == [(1, "a", 2, 0), (1, "b", 1, 1), (3, "c", 5, 0)]
    rows = bigquery_client.query_and_wait(
        f"SELECT * EXCEPT (items) FROM {ref}, UNNEST(items) AS item WITH OFFSET ORDER BY id, offset"
    )
    assert [f.name for f in rows.schema] == ["id", "sku", "qty", "offset"]
    assert [tuple(r.values()) for r in rows] == [(1, "a", 2, 0), (1, "b", 1, 1), (3, "c", 5, 0)]
