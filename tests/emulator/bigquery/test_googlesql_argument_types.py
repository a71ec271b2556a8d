"""Function arguments of a type GoogleSQL has no signature for, where the argument is an
expression whose type the query text does not show at a glance, fail as BigQuery fails them
(`LENGTH(DATE_TRUNC(DATE '2024-05-15', MONTH))`: `No matching signature for function LENGTH for
argument types: DATE`); DuckDB's rewrites cast such an argument to text and answered (10). And
ROUND/TRUNC/CEIL/FLOOR of an INT64 expression are FLOAT64, as in BigQuery (an inner call's
rewrite dropped its inferred INT64, and the answer stayed INT64). Found by a differential check
that compares f(g(x)) with f(<literal of g(x)'s value>). Valid arguments keep their answers: a
STRING column, a NULL, a query parameter, a column of unknown type. Each case runs on the local
warehouse and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

NO_SIGNATURE = "No matching signature for function"

# (expression, the end of BigQuery's message after "No matching signature for function ")
REFUSED = [
    ("LENGTH(DATE_TRUNC(DATE '2024-05-15', MONTH))", "LENGTH for argument types: DATE"),
    ("REVERSE(DATE '2024-01-01')", "REVERSE for argument types: DATE"),
    ("UPPER(CURRENT_DATE())", "UPPER for argument types: DATE"),
    ("LOWER(PARSE_DATE('%Y%m%d', '20240105'))", "LOWER for argument types: DATE"),
    ("LENGTH(EXTRACT(WEEK FROM DATE '2024-03-03'))", "LENGTH for argument types: INT64"),
    ("LENGTH(7 / 2)", "LENGTH for argument types: FLOAT64"),
    (
        "TRIM(TIMESTAMP_ADD(TIMESTAMP '2024-01-31 10:00:00+00', INTERVAL 90 MINUTE))",
        "TRIM for argument types: TIMESTAMP",
    ),
    ("LPAD(LAST_DAY(DATE '2024-02-10'), 12)", "LPAD for argument types: DATE, INT64"),
    ("REPEAT(NUMERIC '1' / 3, 2)", "REPEAT for argument types: NUMERIC, INT64"),
    ("DIV(REGEXP_EXTRACT('a12b', r'\\d+'), 2)", "DIV for argument types: STRING, INT64"),
    ("DIV('12', 2)", "DIV for argument types: STRING, INT64"),
    ("ABS(FORMAT_DATE('%Y', DATE '2024-01-05'))", "ABS for argument types: STRING"),
    ("SQRT(1 < 2)", "SQRT for argument types: BOOL"),
    ("JSON_VALUE(EXTRACT(WEEK FROM DATE '2024-03-03'), '$.a')", "JSON_VALUE for argument types: INT64, STRING"),
    ("JSON_EXTRACT_SCALAR(ARRAY_LENGTH([1, 2]), '$.a')", "JSON_EXTRACT_SCALAR for argument types: INT64, STRING"),
    ("UNIX_SECONDS(DATE_TRUNC(DATE '2024-05-15', WEEK))", "UNIX_SECONDS for argument types: DATE"),
    ("UNIX_DATE(TIMESTAMP_TRUNC(TIMESTAMP '2024-03-10 10:30:00+00', WEEK))", "UNIX_DATE for argument types: TIMESTAMP"),
]
# a date/time call of another family's value, as of that value written as a literal (datefamily.py)
FAMILY_REFUSED = [
    (
        "SELECT TIMESTAMP_ADD(LAST_DAY(DATE '2024-02-10'), INTERVAL 1 HOUR)",
        "TIMESTAMP_ADD does not support the HOUR date part when the argument is DATE type",
    ),
    (
        "SELECT DATETIME_ADD(TIMESTAMP_SECONDS(1700000000), INTERVAL 1 MONTH)",
        "DATETIME_ADD does not support the MONTH date part when the argument is TIMESTAMP type",
    ),
]
FAMILY_REFUSED.append(
    (
        "SELECT TIMESTAMP_TRUNC(TIMESTAMP '2024-03-10 10:30:00+00', WEEK) / 2",
        "No matching signature for operator / for argument types: TIMESTAMP, INT64",
    )
)
FAMILIES = [
    (
        "DATE_ADD(TIMESTAMP_ADD(TIMESTAMP '2024-01-31 10:00:00+00', INTERVAL 90 MINUTE), INTERVAL 1 DAY)",
        datetime(2024, 2, 1, 11, 30, tzinfo=UTC),
        "TIMESTAMP",
    ),
    (
        "DATE_ADD(DATETIME_ADD(DATETIME '2024-01-31 10:00:00', INTERVAL 1 MONTH), INTERVAL 1 DAY)",
        datetime(2024, 3, 1, 10, 0),
        "DATETIME",
    ),
    (
        "DATETIME_TRUNC(TIMESTAMP_ADD(TIMESTAMP '2024-01-31 10:00:00+00', INTERVAL 90 MINUTE), MONTH)",
        datetime(2024, 1, 1, tzinfo=UTC),
        "TIMESTAMP",
    ),
    ("DATE_ADD(DATE(TIMESTAMP '2024-01-01 23:00:00-05'), INTERVAL 1 DAY)", date(2024, 1, 3), "DATE"),
]

# ROUND/TRUNC/CEIL/FLOOR of an INT64 expression: FLOAT64
ROUNDED = [
    ("ROUND(DIV(-7, 2))", -3.0, "FLOAT64"),
    ("ROUND(CAST(2.5 AS INT64), 1)", 3.0, "FLOAT64"),
    ("TRUNC([10, 20, 30][OFFSET(1)])", 20.0, "FLOAT64"),
    ("CEIL(UNIX_SECONDS(TIMESTAMP '2024-01-01 00:00:01.9+00'))", 1704067201.0, "FLOAT64"),
    ("FLOOR(ASCII('A'))", 65.0, "FLOAT64"),
    ("ROUND(LENGTH('héllo') / 2)", 3.0, "FLOAT64"),
    ("ROUND(NUMERIC '2.5')", 3, "NUMERIC"),
]
# arguments of a type the functions take, and those whose type is not known: answered as before
KEPT = [
    ("LENGTH(NULL)", None, "INT64"),
    ("UPPER(NULL)", None, "STRING"),
    ("ABS(NULL)", None, "INT64"),
    ("LENGTH(UPPER('x'))", 1, "INT64"),
    ("LENGTH(COALESCE(NULL, 'ab'))", 2, "INT64"),
    ("LENGTH(REVERSE(b'ab'))", 2, "INT64"),
    ("ABS(IF(TRUE, -2.5, 1.0))", 2.5, "FLOAT64"),
    ("UNIX_SECONDS('2024-01-01 00:00:00+00')", 1704067200, "INT64"),
    ("JSON_VALUE(TO_JSON_STRING(STRUCT(1 AS a)), '$.a')", "1", "STRING"),
    ("JSON_VALUE(PARSE_JSON('{\"a\": 2}'), '$.a')", "2", "STRING"),
    ("UNIX_DATE(DATE_TRUNC(DATE '2024-05-15', MONTH))", 19844, "INT64"),
    ("SELECT LENGTH(x) FROM UNNEST(['abc']) AS x", 3, "INT64"),
    ("SELECT ROUND(x + 1) FROM UNNEST([1.5]) AS x", 3.0, "FLOAT64"),
]
ROWS = case_params({"rounded": ROUNDED, "kept": KEPT, "families": FAMILIES})

TABLE = (
    "CREATE TABLE {ds}.t AS SELECT 5 AS i, 'abc' AS s, DATE '2024-05-15' AS d, TIMESTAMP '2024-01-01 00:00:00+00' AS ts"
)
# (query over the table, the end of BigQuery's message): the column's type comes from the table
TABLE_REFUSED = [
    ("SELECT LENGTH(DATE_TRUNC(d, MONTH)) FROM {ds}.t", "LENGTH for argument types: DATE"),
    ("SELECT UNIX_SECONDS(DATE_TRUNC(d, MONTH)) FROM {ds}.t", "UNIX_SECONDS for argument types: DATE"),
]
# (query over the table, its one value, its type)
TABLE_KEPT = [
    ("SELECT UPPER(s) FROM {ds}.t", "ABC", "STRING"),
    ("SELECT LENGTH(TRIM(s)) FROM {ds}.t", 3, "INT64"),
    ("SELECT ROUND(i) FROM {ds}.t", 5.0, "FLOAT64"),
    ("SELECT ROUND(i + 1) FROM {ds}.t", 6.0, "FLOAT64"),
    ("SELECT CEIL(DIV(i, 2)) FROM {ds}.t", 2.0, "FLOAT64"),
    ("SELECT UNIX_SECONDS(TIMESTAMP_TRUNC(ts, DAY)) FROM {ds}.t", 1704067200, "INT64"),
    ("SELECT LENGTH(s) FROM (SELECT s FROM {ds}.t UNION ALL SELECT s FROM {ds}.t LIMIT 1)", 3, "INT64"),
]


@pytest.mark.parametrize(("sql", "message"), REFUSED)
def test_local_warehouse_refuses(warehouse, sql, message):
    assert_fails_locally(warehouse, f"SELECT {sql}", f"{NO_SIGNATURE} {message}")


@pytest.mark.parametrize(("sql", "message"), REFUSED)
def test_bigquery_client_gets_a_400(bigquery_client, sql, message):
    assert_fails_through_client(bigquery_client, f"SELECT {sql}", f"{NO_SIGNATURE} {message}")


@pytest.mark.parametrize(("sql", "want", "typ"), ROWS)
def test_local_warehouse_answers(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


def test_bigquery_client_answers(bigquery_client):
    check_through_client(bigquery_client, ROUNDED + KEPT + FAMILIES)


@pytest.mark.parametrize(("sql", "message"), FAMILY_REFUSED)
def test_date_families_refused(warehouse, bigquery_client, sql, message):
    assert_fails_locally(warehouse, sql, message)
    assert_fails_through_client(bigquery_client, sql, message)


@pytest.fixture(scope="module")
def local(warehouse):
    warehouse.query_result("CREATE SCHEMA IF NOT EXISTS argtypes")
    warehouse.query_result(TABLE.format(ds="argtypes").replace("CREATE TABLE", "CREATE OR REPLACE TABLE"))
    return warehouse


@pytest.fixture(scope="module")
def remote(bigquery_client):
    from uuid import uuid4

    ds = f"argtypes_{uuid4().hex[:8]}"
    bigquery_client.create_dataset(ds)
    bigquery_client.query_and_wait(TABLE.format(ds=ds))
    try:
        yield bigquery_client, ds
    finally:
        bigquery_client.delete_dataset(ds, delete_contents=True)


@pytest.mark.parametrize(("sql", "message"), TABLE_REFUSED)
def test_table_columns_refused_locally(local, sql, message):
    assert_fails_locally(local, sql.format(ds="argtypes"), f"{NO_SIGNATURE} {message}")


@pytest.mark.parametrize(("sql", "message"), TABLE_REFUSED)
def test_table_columns_refused_through_client(remote, sql, message):
    client, ds = remote
    assert_fails_through_client(client, sql.format(ds=ds), f"{NO_SIGNATURE} {message}")


@pytest.mark.parametrize(("sql", "want", "typ"), TABLE_KEPT)
def test_table_columns_answered_locally(local, sql, want, typ):
    check_locally(local, sql.format(ds="argtypes"), want, typ)


def test_table_columns_answered_through_client(remote):
    client, ds = remote
    check_through_client(client, [(q.format(ds=ds), want, typ) for q, want, typ in TABLE_KEPT])


def test_query_parameters_through_client(bigquery_client):
    from google.cloud import bigquery

    config = bigquery.QueryJobConfig(
        query_parameters=[
            bigquery.ScalarQueryParameter("s", "STRING", "héllo"),
            bigquery.ScalarQueryParameter("n", "INT64", 7),
            bigquery.ScalarQueryParameter("t", "STRING", "2024-01-01 00:00:00+00"),
        ]
    )
    row = next(
        iter(bigquery_client.query_and_wait("SELECT LENGTH(@s), ROUND(@n), UNIX_SECONDS(@t)", job_config=config))
    )
    assert list(row.values()) == [5, 7.0, 1704067200]
    from google.api_core.exceptions import BadRequest

    config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("d", "DATE", "2024-01-01")])
    with pytest.raises(BadRequest) as info:
        bigquery_client.query_and_wait("SELECT LENGTH(@d)", job_config=config)
    assert f"{NO_SIGNATURE} LENGTH for argument types: DATE" in str(info.value)
