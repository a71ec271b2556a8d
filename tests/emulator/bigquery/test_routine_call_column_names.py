"""A result column that calls a dataset's function (`SELECT mydataset.f(x)`) is unnamed, so
BigQuery names it `f0_` like any other unnamed expression; it was named after DuckDB's text of the
call (`"project.mydataset".f(1)`), because the call parses as a field path (`a.b`), whose column
is named after its last field."""

from __future__ import annotations

import uuid

QUERIES = [
    ("SELECT {ds}.plus_one(1)", ["f0_"], [2]),
    ("SELECT `{ds}.plus_one`(1), {ds}.plus_one(2) AS b, 3", ["f0_", "b", "f1_"], [2, 3, 3]),
    ("SELECT * FROM (SELECT {ds}.plus_one(1), 5 AS z)", ["f0_", "z"], [2, 5]),
    ("SELECT STRUCT(1 AS a).a, SAFE.SUBSTR('abc', 2)", ["a", "f0_"], [1, "bc"]),
]


def _function(run, ds: str) -> None:
    run(f"CREATE FUNCTION {ds}.plus_one(x INT64) RETURNS INT64 AS (x + 1)")


def test_locally(warehouse):
    ds = f"names_{uuid.uuid4().hex[:8]}"
    warehouse.query_result(f"CREATE SCHEMA {ds}")
    _function(warehouse.query_result, ds)
    for sql, names, values in QUERIES:
        result = warehouse.query_result(sql.format(ds=ds))
        assert [f["name"] for f in result.schema] == names, sql
        assert list(result.table.to_pylist()[0].values()) == values, sql


def test_through_the_client(bigquery_client, dataset):
    ds = dataset.dataset_id
    _function(lambda sql: bigquery_client.query(sql).result(), ds)
    for sql, names, values in QUERIES:
        rows = bigquery_client.query(sql.format(ds=ds)).result()
        assert [f.name for f in rows.schema] == names, sql
        assert list(next(iter(rows)).values()) == values, sql
