"""A numeric column compared with a STRING literal fails as BigQuery fails it (`WHERE i = '5'` on
an INT64 column: `No matching signature for operator = for argument types: INT64, STRING`), where
DuckDB cast the literal and answered rows. GoogleSQL's "Conversion rules" page: "String literals
don't coerce to numeric types"; a STRING literal coerces to DATE, DATETIME, TIME and TIMESTAMP,
which keep their answers. The column's type comes from the table (coltypes.py). Each case is
checked on the local warehouse and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import pytest
from googlesql_cases import assert_fails_locally, assert_fails_through_client

TABLE = (
    "CREATE TABLE {ds}.t AS SELECT 5 AS i, 1.5 AS f, CAST(2 AS NUMERIC) AS n, CAST(3 AS BIGNUMERIC) AS bn, "
    "'x' AS s, DATE '2020-01-01' AS d, DATETIME '2020-01-01 10:00:00' AS dt, TIME '10:00:00' AS tm, "
    "TIMESTAMP '2020-01-01 00:00:00+00' AS ts"
)

ERRORS = [
    (
        "SELECT COUNT(*) FROM {ds}.t WHERE i = '5'",
        "No matching signature for operator = for argument types: INT64, STRING",
    ),
    (
        "SELECT COUNT(*) FROM {ds}.t AS x WHERE '1' < x.f",
        "No matching signature for operator < for argument types: STRING, FLOAT64",
    ),
    (
        "SELECT COUNT(*) FROM {ds}.t WHERE n >= '1'",
        "No matching signature for operator >= for argument types: NUMERIC, STRING",
    ),
    (
        "SELECT COUNT(*) FROM {ds}.t WHERE bn != '3'",
        "No matching signature for operator != for argument types: BIGNUMERIC, STRING",
    ),
    (
        "SELECT i FROM {ds}.t WHERE s = 'x' AND i <= '9'",
        "No matching signature for operator <= for argument types: INT64, STRING",
    ),
]

# (query, its rows as BigQuery answers them): the coercions GoogleSQL makes
VALID = [
    ("SELECT COUNT(*) FROM {ds}.t WHERE s = 'x' AND i = 5 AND f > 1", [(1,)]),
    ("SELECT COUNT(*) FROM {ds}.t WHERE d = '2020-01-01' AND dt < '2021-01-01' AND tm >= '09:00:00'", [(1,)]),
    ("SELECT COUNT(*) FROM {ds}.t WHERE ts = '2020-01-01 00:00:00+00' AND CAST(i AS STRING) = '5'", [(1,)]),
]


@pytest.fixture(scope="module")
def local(warehouse):
    warehouse.query_result("CREATE SCHEMA IF NOT EXISTS cmp")
    warehouse.query_result(TABLE.format(ds="cmp").replace("CREATE TABLE", "CREATE OR REPLACE TABLE"))
    return warehouse


@pytest.fixture(scope="module")
def remote(bigquery_client):
    from uuid import uuid4

    ds = f"cmp_{uuid4().hex[:8]}"
    bigquery_client.create_dataset(ds)
    bigquery_client.query_and_wait(TABLE.format(ds=ds))
    try:
        yield bigquery_client, ds
    finally:
        bigquery_client.delete_dataset(ds, delete_contents=True)


@pytest.mark.parametrize(("sql", "fragment"), ERRORS)
def test_local_warehouse_refuses_a_numeric_column_against_a_string_literal(local, sql, fragment):
    assert_fails_locally(local, sql.format(ds="cmp"), fragment)


@pytest.mark.parametrize(("sql", "fragment"), ERRORS)
def test_bigquery_client_gets_no_matching_signature_as_a_400(remote, sql, fragment):
    client, ds = remote
    assert_fails_through_client(client, sql.format(ds=ds), fragment)


@pytest.mark.parametrize(("sql", "want"), VALID)
def test_local_warehouse_keeps_the_literal_coercions(local, sql, want):
    assert [tuple(r.values()) for r in local.query_result(sql.format(ds="cmp")).table.to_pylist()] == want


@pytest.mark.parametrize(("sql", "want"), VALID)
def test_bigquery_client_keeps_the_literal_coercions(remote, sql, want):
    client, ds = remote
    assert [tuple(r.values()) for r in client.query_and_wait(sql.format(ds=ds))] == want
