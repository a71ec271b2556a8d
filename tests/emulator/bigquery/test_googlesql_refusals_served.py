"""GoogleSQL the local warehouse refused by name and now answers as BigQuery does: CSCH, SECH and
COTH; CAST between BYTES and STRING with FORMAT 'BASE2', 'BASE16', 'BASE32' and 'BASE64M' (and
SAFE_CAST of text that does not decode); PIVOT over NULL and BOOL values, whose columns BigQuery
names `NULL`, `true` and `false`. Rows from the ZetaSQL compliance files (cast_function.test,
pivot.test, math functions) or BigQuery's reference, run on the local warehouse and through the
real BigQuery client against the emulator.
"""

from __future__ import annotations

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

F, S, B = "FLOAT64", "STRING", "BYTES"
INF = "CAST('inf' AS FLOAT64)"

HYPERBOLIC = [
    ("CSCH(0.5)", 1.9190347513349437, F),
    ("SECH(0.5)", 0.886818883970074, F),
    ("COTH(0.5)", 2.163953413738653, F),
    (f"CSCH({INF})", 0.0, F),
    (f"SECH(-{INF})", 0.0, F),
    (f"COTH(-{INF})", -1.0, F),
    ("COTH(1000)", 1.0, F),
    ("SAFE.CSCH(0)", None, F),
    ("SAFE.COTH(0)", None, F),
]

BYTES_FORMATS = [
    ("CAST(b'abc' AS STRING FORMAT 'BASE2')", "011000010110001001100011", S),
    ("CAST(b'\\xff\\x00' AS STRING FORMAT 'base2')", "1111111100000000", S),
    ("CAST(b'abc' AS STRING FORMAT 'bAsE16')", "616263", S),
    ("CAST(b'abc' AS STRING FORMAT 'BASE32')", "MFRGG===", S),
    (
        "CAST(REPEAT(b'abc', 30) AS STRING FORMAT 'BASE64M')",
        "YWJj" * 19 + "\n" + "YWJj" * 11,
        S,
    ),
    ("CAST(b'' AS STRING FORMAT 'BASE64M')", "", S),
    ("CAST('011000010110001001100011' AS BYTES FORMAT 'BaSe2')", b"abc", B),
    ("CAST('616263' AS BYTES FORMAT 'BASE16')", b"abc", B),
    ("CAST('MFRGG===' AS BYTES FORMAT 'BASE32')", b"abc", B),
    ("CAST('YWJj\\nYWJj' AS BYTES FORMAT 'BASE64M')", b"abcabc", B),
    ("SAFE_CAST('123' AS BYTES FORMAT 'BASE2')", None, B),
    ("SAFE_CAST('0110' AS BYTES FORMAT 'BASE2')", None, B),
    ("SAFE_CAST('M===' AS BYTES FORMAT 'BASE32')", None, B),
]

PIVOT_NAMES = [
    (
        "SELECT TO_JSON_STRING(p) FROM (SELECT 1 AS x, 100 AS y, 5 AS z UNION ALL SELECT 1, NULL, 7) "
        "PIVOT(SUM(z) FOR y IN (100, NULL)) AS p",
        '{"x":1,"_100":5,"NULL":7}',
        S,
    ),
    (
        "SELECT TO_JSON_STRING(p) FROM (SELECT 1 AS x, TRUE AS y, 5 AS z UNION ALL SELECT 1, FALSE, 7) "
        "PIVOT(SUM(z) AS s FOR y IN (TRUE, FALSE)) AS p",
        '{"x":1,"s_true":5,"s_false":7}',
        S,
    ),
]

FAMILIES = {"hyperbolic": HYPERBOLIC, "bytes_formats": BYTES_FORMATS, "pivot_names": PIVOT_NAMES}
ROWS = case_params(FAMILIES)

ERRORS = [
    ("SELECT CSCH(0)", "Floating point error in function: CSCH(0)"),
    ("SELECT COTH(0)", "Floating point error in function: COTH(0)"),
    ("SELECT CAST('0110' AS BYTES FORMAT 'BASE2')", "Failed to decode invalid base2 string"),
]


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_errors_on_both_paths(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)
