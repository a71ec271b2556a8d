"""GoogleSQL that a fourth outside sweep over bigquery-emulator-duckdb's query cases (all of its
`tests/e2e/goclient/testdata`, values recorded against BigQuery) found answered differently
from BigQuery's documented behaviour:

- SAFE. made each error a rewrite raises NULL inside the rewrite, so a function that collects
  values went on with the others: `SAFE.CODE_POINTS_TO_STRING([97, 55296])` was 'a' and
  `SAFE.EUCLIDEAN_DISTANCE` of a sparse vector with a repeated or NULL dimension answered a
  distance; the reference: SAFE. returns NULL where the function would raise an error;
- SAFE_CAST to a STRUCT type made the one field that failed NULL and kept the others; the
  reference: SAFE_CAST returns NULL where CAST would fail, and a STRUCT casts field by field;
- DIV / MOD of a NULL dividend by 0 failed with division by zero, DIV of a NUMERIC by NULL failed
  on a type check and ROUND / TRUNC of a NUMERIC to NULL digits failed in DuckDB; a NULL argument
  makes these functions NULL ("If an operand is NULL, the function result is NULL");
- BigQuery's errors the local warehouse answered: SAFE. of SESSION_USER (a function without a
  SAFE form), a temporary function named with a dataset, and a CREATE TEMP TABLE alone (a
  temporary table needs a script or a session).

Each row is our own query with the answer Google's GoogleSQL reference gives, run on the local
warehouse and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import pytest
from googlesql_cases import assert_fails_locally, assert_fails_through_client, case_params, check_locally
from googlesql_cases import check_through_client as check_rows_through_client

S, B, INT, F, NUM, BIG = "STRING", "BOOL", "INT64", "FLOAT64", "NUMERIC", "BIGNUMERIC"

# the function's own error, raised while it collects values, makes the SAFE. call NULL
SAFE_COLLECTED = [
    ("SAFE.CODE_POINTS_TO_STRING([65, 55296]) IS NULL", True, B),
    ("SELECT SAFE.CODE_POINTS_TO_STRING(c) IS NULL FROM UNNEST([STRUCT([66, -1] AS c)])", True, B),
    ("SAFE.CODE_POINTS_TO_BYTES([65, 256]) IS NULL", True, B),
    ("SAFE.EUCLIDEAN_DISTANCE([(1, 1.0), (1, 2.0)], [(1, 3.0)]) IS NULL", True, B),
    ("SAFE.EUCLIDEAN_DISTANCE([(2, 1.0)], [(NULL, 3.0)]) IS NULL", True, B),
    ("SAFE.EUCLIDEAN_DISTANCE([(5, 2.0), CAST(NULL AS STRUCT<INT64, FLOAT64>)], [(5, 1.0)]) IS NULL", True, B),
]

# SAFE_CAST to a STRUCT type: NULL when one field does not convert
SAFE_STRUCT_CASTS = [
    (
        "SELECT SAFE_CAST(s AS STRUCT<a INT64, b INT64>) IS NULL FROM UNNEST([STRUCT('4' AS a, 'four' AS b)]) AS s",
        True,
        B,
    ),
    ("SAFE_CAST(('1', 'one') AS STRUCT<INT64, INT64>) IS NULL", True, B),
    ("SAFE_CAST(STRUCT('x' AS p, 2.5 AS q) AS STRUCT<p FLOAT64, q STRING>) IS NULL", True, B),
    (
        "SELECT SAFE_CAST(s AS STRUCT<a INT64, b STRUCT<c INT64>>) IS NULL "
        "FROM UNNEST([STRUCT('7' AS a, STRUCT('y' AS c) AS b)]) AS s",
        True,
        B,
    ),
]

# a NULL argument makes the call NULL before it can fail
NULL_ARGUMENTS = [
    ("SELECT DIV(n, 0) FROM UNNEST([CAST(NULL AS INT64)]) AS n", None, INT),
    ("SELECT MOD(n, 0) FROM UNNEST([CAST(NULL AS INT64)]) AS n", None, INT),
    ("DIV(NUMERIC '9', NULL)", None, NUM),
    ("SELECT DIV(x, NULL) FROM UNNEST([BIGNUMERIC '8']) AS x", None, BIG),
    ("ROUND(NUMERIC '2.5', NULL)", None, NUM),
    ("SELECT TRUNC(x, NULL) FROM UNNEST([BIGNUMERIC '1.5']) AS x", None, BIG),
]

FAMILIES = {
    "safe_collected": SAFE_COLLECTED,
    "safe_struct_casts": SAFE_STRUCT_CASTS,
    "null_arguments": NULL_ARGUMENTS,
}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_rows_through_client(bigquery_client, FAMILIES[family])


@pytest.mark.parametrize(
    "sql, fragment",
    [
        # SESSION_USER raises no error of its own: BigQuery refuses SAFE. for it
        ("SELECT SAFE.SESSION_USER()", "SAFE with function session_user is not supported"),
        ("DECLARE who STRING DEFAULT SAFE.SESSION_USER(); SELECT who", "SAFE with function session_user"),
        # a temporary function belongs to the script or session, not to a dataset
        ("CREATE TEMP FUNCTION ds.twice(x INT64) AS (2 * x); SELECT 1", "must not be qualified with a dataset"),
        ("CREATE TEMP FUNCTION `ds.twice`(x INT64) AS (2 * x); SELECT 1", "must not be qualified with a dataset"),
        # a temporary table lives as long as its script or session: alone it is an error
        ("CREATE TEMP TABLE scratch (x INT64)", "Use of CREATE TEMPORARY TABLE requires a script or session"),
        ("CREATE TEMPORARY TABLE scratch AS SELECT 1 AS x", "requires a script or session"),
    ],
)
def test_bigquerys_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)
