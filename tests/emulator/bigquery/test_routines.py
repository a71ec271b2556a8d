"""Persistent functions and procedures: DDL and the `routines` REST resource share one catalog;
each case runs through the local warehouse and through the real BigQuery client."""

from __future__ import annotations

import pytest

from llmops.core.errors import QueryError


def test_persistent_function_used_across_queries(env):
    run, ds, _ = env
    run(f"CREATE FUNCTION {ds}.add_tax(price FLOAT64, rate FLOAT64) RETURNS FLOAT64 AS (price * (1 + rate))")
    run(f"CREATE TABLE {ds}.items AS SELECT 100.0 AS price UNION ALL SELECT 50.0")
    assert run(f"SELECT {ds}.add_tax(price, 0.2) AS p FROM {ds}.items ORDER BY p") == [(60.0,), (120.0,)]
    run(f"CREATE OR REPLACE FUNCTION {ds}.add_tax(price FLOAT64, rate FLOAT64) AS (price + rate)")
    assert run(f"SELECT {ds}.add_tax(1.0, 2.0)") == [(3.0,)]
    run(f"DROP FUNCTION {ds}.add_tax")


def test_procedure_with_out_argument(env):
    run, ds, _ = env
    run(f"CREATE PROCEDURE {ds}.scale(IN n INT64, OUT r INT64) BEGIN DECLARE k INT64 DEFAULT 10; SET r = n * k; END")
    assert run(f"DECLARE out_value INT64; CALL {ds}.scale(4, out_value); SELECT out_value") == [(40,)]
    run(f"DROP PROCEDURE {ds}.scale")


def test_bad_routines(env):
    run, ds, error = env
    with pytest.raises(error) as info:
        run(f"SELECT {ds}.no_such_fn(1)")
    assert "Function not found" in str(info.value)
    if error is not QueryError:
        assert info.value.code == 400
    with pytest.raises(error) as info:
        run(f"CALL {ds}.no_such_proc()")
    assert "Not found: Procedure" in str(info.value)
    with pytest.raises(error) as info:
        run(f"CREATE FUNCTION {ds}.broken(x INT64) AS (x +)")
    assert "Syntax error" in str(info.value)
    if error is not QueryError:
        assert info.value.code == 400
    with pytest.raises(error, match="must be a SQL query"):
        run(f"CREATE TABLE FUNCTION {ds}.tf(n INT64) AS (n + 1)")
    run(f"CREATE FUNCTION {ds}.once(x INT64) AS (x)")
    with pytest.raises(error, match="Already Exists"):
        run(f"CREATE FUNCTION {ds}.once(x INT64) AS (x)")


def test_routines_rest_api(bigquery_client, dataset):
    from google.api_core.exceptions import BadRequest, NotFound
    from google.cloud import bigquery

    ds = dataset.dataset_id
    routine = bigquery.Routine(
        f"{bigquery_client.project}.{ds}.multiply",
        type_="SCALAR_FUNCTION",
        language="SQL",
        body="x * y",
        arguments=[
            bigquery.RoutineArgument(
                name="x", data_type=bigquery.StandardSqlDataType(type_kind=bigquery.StandardSqlTypeNames.INT64)
            ),
            bigquery.RoutineArgument(
                name="y", data_type=bigquery.StandardSqlDataType(type_kind=bigquery.StandardSqlTypeNames.INT64)
            ),
        ],
        return_type=bigquery.StandardSqlDataType(type_kind=bigquery.StandardSqlTypeNames.INT64),
    )
    created = bigquery_client.create_routine(routine)
    assert created.type_ == "SCALAR_FUNCTION" and created.body == "x * y" and created.etag
    assert [tuple(r.values()) for r in bigquery_client.query(f"SELECT {ds}.multiply(6, 7)").result()] == [(42,)]

    bigquery_client.query(f"CREATE PROCEDURE {ds}.noop() BEGIN SELECT 1; END").result()
    got = bigquery_client.get_routine(f"{ds}.noop")
    assert got.type_ == "PROCEDURE" and got.language == "SQL" and "SELECT 1" in got.body
    bigquery_client.query(f"CREATE TABLE FUNCTION {ds}.ones(n INT64) AS SELECT n AS one").result()
    assert bigquery_client.get_routine(f"{ds}.ones").type_ == "TABLE_VALUED_FUNCTION"
    bigquery_client.delete_routine(f"{ds}.ones")
    fetched = bigquery_client.get_routine(f"{ds}.multiply")
    assert [a.name for a in fetched.arguments] == ["x", "y"]
    assert fetched.arguments[0].data_type.type_kind.name == "INT64" and fetched.return_type.type_kind.name == "INT64"
    assert sorted(r.routine_id for r in bigquery_client.list_routines(ds)) == ["multiply", "noop"]

    fetched.body = "x * y + 1"
    bigquery_client.update_routine(fetched, ["body"])
    assert [tuple(r.values()) for r in bigquery_client.query(f"SELECT {ds}.multiply(6, 7)").result()] == [(43,)]

    bigquery_client.delete_routine(f"{ds}.multiply")
    with pytest.raises(NotFound):
        bigquery_client.get_routine(f"{ds}.multiply")
    with pytest.raises(NotFound):
        bigquery_client.delete_routine(f"{ds}.multiply")
    bad = bigquery.Routine(f"{bigquery_client.project}.{ds}.bad", type_="SCALAR_FUNCTION", language="SQL", body="x +")
    bad.arguments = [
        bigquery.RoutineArgument(
            name="x", data_type=bigquery.StandardSqlDataType(type_kind=bigquery.StandardSqlTypeNames.INT64)
        )
    ]
    with pytest.raises(BadRequest):
        bigquery_client.create_routine(bad)
    with pytest.raises(NotFound):
        bigquery_client.get_routine(f"{ds}.bad")


def test_routines_rest_error_shape(http, google_error, bigquery_client, dataset):
    base = f"/bigquery/v2/projects/{bigquery_client.project}/datasets/{dataset.dataset_id}/routines"
    response = http.get(f"{base}/missing")
    assert response.status_code == 404
    assert google_error(response)["errors"][0]["reason"] == "notFound"
    response = http.post(base, json={"routineReference": {"routineId": "r"}, "routineType": "SCALAR_FUNCTION"})
    assert response.status_code == 400
    google_error(response)


def test_procedure_created_through_the_api_is_callable(bigquery_client, dataset):
    from google.cloud import bigquery

    ds = dataset.dataset_id
    proc = bigquery.Routine(
        f"{bigquery_client.project}.{ds}.double_it",
        type_="PROCEDURE",
        language="SQL",
        body="SET n = n * 2;",
        arguments=[
            bigquery.RoutineArgument(
                name="n",
                mode="INOUT",
                data_type=bigquery.StandardSqlDataType(type_kind=bigquery.StandardSqlTypeNames.INT64),
            )
        ],
    )
    bigquery_client.create_routine(proc)
    rows = bigquery_client.query(f"DECLARE v INT64 DEFAULT 21; CALL {ds}.double_it(v); SELECT v").result()
    assert [tuple(r.values()) for r in rows] == [(42,)]


def test_a_dropped_dataset_takes_its_routines(env):
    run, ds, error = env
    run(f"CREATE FUNCTION {ds}.gone(x INT64) AS (x)")
    run(f"DROP SCHEMA {ds} CASCADE")
    run(f"CREATE SCHEMA {ds}")
    with pytest.raises(error, match="Function not found"):
        run(f"SELECT {ds}.gone(1)")
    run(f"CREATE FUNCTION {ds}.gone(x INT64) AS (x + 1)")
    assert run(f"SELECT {ds}.gone(1)") == [(2,)]


def test_table_function(env):
    run, ds, error = env
    run(f"CREATE TABLE {ds}.t AS SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, 'y'")
    run(f"CREATE TABLE FUNCTION {ds}.at_least(n INT64) AS SELECT a, b FROM {ds}.t WHERE a >= n")
    assert run(f"SELECT b FROM {ds}.at_least(2)") == [("y",)]
    assert run(f"SELECT x.a FROM {ds}.at_least(0) AS x ORDER BY x.a") == [(1,), (2,)]
    run(f"DROP FUNCTION {ds}.at_least")
    with pytest.raises(error, match="Function not found"):
        run(f"SELECT * FROM {ds}.at_least(2)")
    with pytest.raises(error, match="not supported"):
        run("SELECT * FROM read_csv('/etc/passwd')")
    with pytest.raises(error, match="Function not found"):
        run(f"SELECT * FROM {ds}.query('SELECT 1')")  # not DuckDB's table function
