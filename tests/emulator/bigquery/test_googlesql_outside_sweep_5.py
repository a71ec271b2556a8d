"""GoogleSQL that answered differently from BigQuery after the fourth look at the outside sweep:
the elements of an integer array literal were DuckDB's 32-bit INTEGERs (BIT_COUNT(-1) of an
element counted 32 bits, `x * x` over 100000 overflowed), a DATE plus or minus an INT64 column
did not bind, TO_JSON_STRING of a top-level TIMESTAMP/DATETIME kept DuckDB's fraction digits, and
TO_CODE_POINTS of BYTES whose type stays unknown was DuckDB's raw error (and the cast the named
error suggests did not help). Each row is our own query with the result Google's reference
gives, run on the local warehouse and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import datetime

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

INT, S, F, D, B = "INT64", "STRING", "FLOAT64", "DATE", "BYTES"

# (expression or query, BigQuery's value, its type): integer literals are INT64 everywhere
INT_ARRAYS = [
    ("SELECT x * x FROM UNNEST([100000]) AS x", 10000000000, INT),
    ("SELECT SUM(x * x) FROM UNNEST([100000, 200000]) AS x", 50000000000, INT),
    ("SELECT BIT_COUNT(x) FROM UNNEST([-1]) AS x", 64, INT),
    ("SELECT BIT_COUNT(x) FROM UNNEST([5, -2]) AS x WHERE x < 0", 63, INT),
    # an INT64 field of a STRUCT array literal (go-zetasqlite's bit_count case), a subquery's literal
    ("SELECT BIT_COUNT(a) FROM UNNEST([STRUCT(-2 AS a, b'' AS b), (5, b'')]) WHERE a < 0", 63, INT),
    ("SELECT BIT_COUNT(x) FROM (SELECT -1 AS x)", 64, INT),
    ("SELECT x + 1 FROM UNNEST([2147483647]) AS x", 2147483648, INT),
    ("[2147483647, 1][OFFSET(0)] + 1", 2147483648, INT),
    ("[1, 2.5]", [1.0, 2.5], F),
    ("[2.5, -1]", [2.5, -1.0], F),
    ("SELECT DATE '2020-01-01' + x FROM UNNEST([1]) AS x", datetime.date(2020, 1, 2), D),
    ("SELECT DATE '2020-01-01' - x FROM UNNEST([31]) AS x", datetime.date(2019, 12, 1), D),
    ("SELECT x + DATE '2020-01-01' FROM UNNEST([3]) AS x", datetime.date(2020, 1, 4), D),
    ("SELECT DATE '2020-01-01' + n FROM (SELECT CAST(5 AS INT64) AS n)", datetime.date(2020, 1, 6), D),
    ("SELECT d - n FROM (SELECT DATE '2020-01-01' AS d, CAST(1 AS INT64) AS n)", datetime.date(2019, 12, 31), D),
]

# the reference's JSON encodings: a time's fraction of seconds as 3 or 6 digits, as in a STRUCT
JSON_TIMES = [
    ("TO_JSON_STRING(TIMESTAMP '2008-12-25 15:30:00.1')", '"2008-12-25T15:30:00.100Z"', S),
    ("TO_JSON_STRING(DATETIME '2008-12-25 15:30:00.12')", '"2008-12-25T15:30:00.120"', S),
    ("TO_JSON_STRING(TIMESTAMP '2008-12-25 15:30:00.1234')", '"2008-12-25T15:30:00.123400Z"', S),
    ("TO_JSON_STRING(DATETIME '2008-12-25 15:30:00.12345')", '"2008-12-25T15:30:00.123450"', S),
    ("TO_JSON_STRING(TIMESTAMP '2008-12-25 15:30:00')", '"2008-12-25T15:30:00Z"', S),
    ("TO_JSON_STRING(STRUCT(TIMESTAMP '2008-12-25 15:30:00.1' AS t))", '{"t":"2008-12-25T15:30:00.100Z"}', S),
]

_UNKNOWN_BYTES = "WITH t AS (SELECT b'bar' AS b UNION ALL SELECT CAST(NULL AS BYTES))"
# the cast that the named error suggests gives BigQuery's answer
BYTES_CASTS = [
    (f"{_UNKNOWN_BYTES} SELECT TO_CODE_POINTS(CAST(b AS BYTES)) FROM t WHERE b IS NOT NULL", [98, 97, 114], INT),
    (f"{_UNKNOWN_BYTES} SELECT REVERSE(CAST(b AS BYTES)) FROM t WHERE b IS NOT NULL", b"rab", B),
    ("TO_CODE_POINTS(CAST('ab' AS BYTES))", [97, 98], INT),
]

FAMILIES = {"int_arrays": INT_ARRAYS, "json_times": JSON_TIMES, "bytes_casts": BYTES_CASTS}
ROWS = case_params(FAMILIES)

UNKNOWN = [
    (
        f"{_UNKNOWN_BYTES} SELECT TO_CODE_POINTS(b) FROM t",
        "TO_CODE_POINTS of a BYTES value whose type the local warehouse cannot infer",
    ),
    (
        "CREATE TEMP FUNCTION f(x ANY TYPE) AS (TO_CODE_POINTS(x)); SELECT f(b'ab')",
        "TO_CODE_POINTS of a BYTES value whose type the local warehouse cannot infer",
    ),
]


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("sql, message", UNKNOWN)
def test_unknown_bytes_type_is_named(warehouse, sql, message):
    assert_fails_locally(warehouse, sql, message)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


def test_bigquery_client_unknown_bytes_type(bigquery_client):
    assert_fails_through_client(bigquery_client, UNKNOWN[0][0], UNKNOWN[0][1])
