"""ASSERT, UPDATE of STRUCT fields and MERGE's INSERT ROW, locally and through the BigQuery client.

What was wrong before: `ASSERT x AS 'why'` was refused ("the ALIAS statement") or a syntax error;
`UPDATE t SET s.a = 1` failed with DuckDB's "Qualified column names in UPDATE .. SET not
supported"; `WHEN NOT MATCHED THEN INSERT ROW` was a DuckDB syntax error. Expected behaviour:
BigQuery's debugging-statements and DML references; a field of a NULL STRUCT cannot be set
(ZetaSQL's `dml_update_struct` compliance case `assign_struct_field_in_null_struct`).
"""

from __future__ import annotations

import pytest
from google.api_core import exceptions

from llmops.core.errors import QueryError


def run(client, sql: str) -> list[dict]:
    return [dict(r) for r in client.query(sql).result()]


# ------------------------------------------------------------------------- ASSERT


@pytest.mark.parametrize(
    "sql",
    [
        "ASSERT TRUE",
        "ASSERT 1 > 0",
        "ASSERT ((SELECT COUNT(*) > 5 FROM UNNEST([1, 2, 3, 4, 5, 6]))) AS 'Table must contain more than 5 rows.'",
        "ASSERT EXISTS((SELECT x FROM UNNEST([7877, 7907]) AS x WHERE x = 7907)) AS 'Column X must contain 7907.'",
        "ASSERT (SELECT CAST(1 AS BOOL))",
    ],
)
def test_a_true_assertion_succeeds(scratch_warehouse, sql):
    assert scratch_warehouse.query(sql).num_rows == 0


@pytest.mark.parametrize(
    "sql, message",
    [
        (
            "ASSERT ((SELECT COUNT(*) > 10 FROM UNNEST([1, 2, 3, 4, 5, 6]))) AS 'Table must contain more than 10 rows.'",
            "Assertion failed: Table must contain more than 10 rows.",
        ),
        ("ASSERT FALSE", "Assertion failed: FALSE"),
        ("ASSERT NULL AS 'unknown is not true'", "Assertion failed: unknown is not true"),
        ("SELECT 1; ASSERT 1 = 2 AS 'one is not two'", "Assertion failed: one is not two"),
        ("ASSERT 5", "ASSERT expression must be a BOOL, not INT64"),
        ("ASSERT TRUE AS 5", "ASSERT ... AS takes a STRING literal"),
    ],
)
def test_a_false_assertion_fails_with_its_description(scratch_warehouse, sql, message):
    with pytest.raises(QueryError) as info:
        scratch_warehouse.query(sql)
    assert message in str(info.value)


def test_assert_through_the_client(bigquery_client):
    run(bigquery_client, "ASSERT (SELECT COUNT(*) FROM UNNEST([1, 2])) = 2 AS 'two rows'")
    with pytest.raises(exceptions.BadRequest, match="Assertion failed: need three rows"):
        run(bigquery_client, "ASSERT (SELECT COUNT(*) FROM UNNEST([1, 2])) = 3 AS 'need three rows'")
    # an exception handler sees the assertion's message
    rows = run(
        bigquery_client,
        "BEGIN ASSERT FALSE AS 'in a block'; EXCEPTION WHEN ERROR THEN SELECT @@error.message AS m; END",
    )
    assert rows == [{"m": "Assertion failed: in a block"}]


# ------------------------------------------------------------------------- UPDATE of STRUCT fields


@pytest.fixture
def nested(bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.u"
    run(
        bigquery_client,
        f"CREATE TABLE `{table}` (id INT64, m STRUCT<a INT64, b STRING, n STRUCT<x INT64, y INT64>>, v STRING)",
    )
    run(bigquery_client, f"INSERT `{table}` VALUES (1, STRUCT(1, 'y', STRUCT(7, 8)), 'p'), (2, NULL, 'q')")
    return table


def test_update_sets_struct_fields(bigquery_client, nested):
    job = bigquery_client.query(f"UPDATE `{nested}` SET m.a = 5, m.n.y = 9, v = 'z' WHERE id = 1")
    job.result()
    assert job.num_dml_affected_rows == 1
    run(bigquery_client, f"UPDATE `{nested}` AS t SET t.m.b = 'w' WHERE t.id = 1")  # qualified by the alias
    rows = run(bigquery_client, f"SELECT id, m, v FROM `{nested}` ORDER BY id")
    assert rows == [
        {"id": 1, "m": {"a": 5, "b": "w", "n": {"x": 7, "y": 9}}, "v": "z"},
        {"id": 2, "m": None, "v": "q"},
    ]
    run(
        bigquery_client,
        f"MERGE `{nested}` T USING (SELECT 1 AS id) S ON T.id = S.id WHEN MATCHED THEN UPDATE SET m.b = 'merged'",
    )
    assert run(bigquery_client, f"SELECT m.b FROM `{nested}` WHERE id = 1") == [{"b": "merged"}]


@pytest.mark.parametrize(
    "assignments, message",
    [
        ("m.a = 1 WHERE TRUE", "Cannot set field of NULL STRUCT"),  # row 2's m is NULL
        ("m.a = 1, m.a = 2 WHERE id = 1", "overlaps with another update item"),
        # was DuckDB's "The first argument to struct_update must be a STRUCT"
        ("v.a = 1 WHERE TRUE", "Cannot set a field of a value that is not a STRUCT"),
    ],
)
def test_struct_field_updates_that_fail(bigquery_client, nested, assignments, message):
    with pytest.raises(exceptions.BadRequest, match=message):
        run(bigquery_client, f"UPDATE `{nested}` SET {assignments}")
    assert run(bigquery_client, f"SELECT m.a FROM `{nested}` WHERE id = 1") == [{"a": 1}]  # nothing changed


def test_update_of_struct_fields_locally(scratch_warehouse):
    wh = scratch_warehouse
    wh.query("CREATE SCHEMA dml_forms")
    wh.query("CREATE TABLE dml_forms.u AS SELECT 1 AS id, STRUCT(1 AS a, 'x' AS b) AS m")
    wh.query("UPDATE dml_forms.u SET m.b = 'y' WHERE id = 1")
    assert wh.query("SELECT m.a, m.b FROM dml_forms.u").to_pylist() == [{"a": 1, "b": "y"}]


# ------------------------------------------------------------------------- MERGE ... INSERT ROW


def test_merge_insert_row_inserts_the_source_row_by_position(bigquery_client, dataset):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    run(bigquery_client, f"CREATE TABLE `{ds}.t` (id INT64, v STRING)")
    run(bigquery_client, f"INSERT `{ds}.t` VALUES (1, 'old')")
    run(
        bigquery_client,
        f"MERGE `{ds}.t` T USING (SELECT 1 AS k, 'new' AS w UNION ALL SELECT 2, 'two') S ON T.id = S.k "
        "WHEN MATCHED THEN UPDATE SET v = S.w WHEN NOT MATCHED BY TARGET THEN INSERT ROW",
    )
    assert run(bigquery_client, f"SELECT id, v FROM `{ds}.t` ORDER BY id") == [
        {"id": 1, "v": "new"},
        {"id": 2, "v": "two"},
    ]
