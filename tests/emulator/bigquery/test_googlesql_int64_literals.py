"""An integer literal is an INT64 wherever the query puts it: selected as a column of a subquery, a
CTE, a UNION branch, a STRUCT field or a CASE branch, arithmetic on it in an outer query passes
2^31 as BigQuery's does (DuckDB typed it a 32-bit INTEGER: "Overflow in multiplication of
INT32"). DATE arithmetic and the lengths DuckDB takes as 32-bit values keep working with INT64
columns. Expected values are BigQuery's documented INT64 semantics. Through the local warehouse
and the real BigQuery client."""

from __future__ import annotations

import datetime

import pytest
from google.api_core.exceptions import BadRequest

from llmops.core.errors import QueryError

_D = datetime.date

# (query, rows): `{t}` is a table made from literals (see _TABLE)
CASES = [
    ("SELECT a * a AS v FROM (SELECT 100000 AS a)", [(10000000000,)]),
    (
        "WITH t AS (SELECT 1 AS x UNION ALL SELECT 2) SELECT x * 2000000000 AS v FROM t ORDER BY v",
        [(2000000000,), (4000000000,)],
    ),
    ("SELECT x + 1 AS v FROM (SELECT 2147483647 AS x UNION DISTINCT SELECT 2147483647)", [(2147483648,)]),
    ("SELECT -x * 3 AS v FROM (SELECT 1000000000 AS x)", [(-3000000000,)]),
    ("SELECT c * c AS v FROM (SELECT 1 + 99999 AS c)", [(10000000000,)]),
    ("SELECT s.a * s.a AS v FROM (SELECT STRUCT(100000 AS a, 'x' AS b) AS s)", [(10000000000,)]),
    ("SELECT a * a AS v FROM UNNEST([STRUCT(100000 AS a)])", [(10000000000,)]),
    (
        "SELECT b * b AS v FROM UNNEST([STRUCT(1 AS a, 100000 AS b), (2, 200000)]) ORDER BY a",
        [(10000000000,), (40000000000,)],
    ),
    (
        "SELECT c * c AS c, i * i AS i, k * k AS k, g * g AS g FROM (SELECT CASE WHEN TRUE THEN 100000 ELSE 2 END AS c, "
        "IF(FALSE, 1, 100000) AS i, COALESCE(NULL, 100000) AS k, GREATEST(1, 100000) AS g)",
        [(10000000000,) * 4],
    ),
    (
        "SELECT a * a AS a, m * m AS m, d * d AS d, x * x AS x FROM (SELECT ABS(-100000) AS a, MOD(100000, 100001) AS m, "
        "DIV(200000, 2) AS d, MAX(100000) AS x)",
        [(10000000000,) * 4],
    ),
    ("SELECT x * x AS v FROM UNNEST(GENERATE_ARRAY(100000, 100001)) AS x ORDER BY v", [(10000000000,), (10000200001,)]),
    ("SELECT a * a AS v FROM {t}", [(10000000000,)]),
    # DATE arithmetic with INT64 operands that are columns
    (
        "SELECT d + n AS a, n + d AS b, d - n AS c, d + 3 AS e, 3 + d AS f, d - 3 AS g FROM "
        "(SELECT DATE '2024-01-01' AS d, 3 AS n)",
        [(_D(2024, 1, 4), _D(2024, 1, 4), _D(2023, 12, 29), _D(2024, 1, 4), _D(2024, 1, 4), _D(2023, 12, 29))],
    ),
    (
        "SELECT DATE_ADD(d, INTERVAL n DAY) AS a, DATE_SUB(d, INTERVAL n DAY) AS b, DATE_DIFF(d + n, d, DAY) AS c, "
        "DATE_FROM_UNIX_DATE(n) AS e FROM (SELECT DATE '2024-01-01' AS d, 3 AS n)",
        [(_D(2024, 1, 4), _D(2023, 12, 29), 3, _D(1970, 1, 4))],
    ),
    (
        "SELECT d - n AS a, DATE_ADD(d, INTERVAL n DAY) AS b, DATE_SUB(d, INTERVAL n DAY) AS c FROM {t}",
        [(_D(2023, 12, 29), _D(2024, 1, 4), _D(2023, 12, 29))],
    ),
    # a table's INT64 column added to its DATE column, either way round
    ("SELECT d + n AS a, n + d AS b, d + n + 1 AS c FROM {t}", [(_D(2024, 1, 4), _D(2024, 1, 4), _D(2024, 1, 5))]),
    # lengths, digits and code points from INT64 columns
    (
        "SELECT LPAD('a', n, 'x') AS l, RPAD('a', n, 'y') AS r, REPEAT('ab', n) AS rep, SUBSTR('abcdef', n, 2) AS sub, "
        "LEFT('abcdef', n) AS le, RIGHT('abcdef', n) AS ri FROM {t}",
        [("xxa", "ayy", "ababab", "cd", "abc", "def")],
    ),
    ("SELECT ROUND(3.14159, n) AS r, TRUNC(3.14159, n) AS t FROM (SELECT 2 AS n)", [(3.14, 3.14)]),
    ("SELECT ROUND(3.14159, n) AS r, TRUNC(3.14159, n) AS t FROM {t}", [(3.142, 3.141)]),
    ("SELECT CHR(c) AS c FROM (SELECT 65 AS c)", [("A",)]),
]

# still errors beyond INT64, as in BigQuery
OVERFLOWS = [
    "SELECT a * a AS v FROM (SELECT 4000000000 AS a)",
    "SELECT x + 1 AS v FROM (SELECT 9223372036854775807 AS x)",
    "WITH t AS (SELECT 3037000500 AS x) SELECT x * x AS v FROM t",
]

_TABLE = "CREATE TABLE {t} AS SELECT DATE '2024-01-01' AS d, 3 AS n, 100000 AS a"


@pytest.fixture(scope="module")
def local_table(warehouse):
    warehouse.query("CREATE SCHEMA IF NOT EXISTS int64s")
    warehouse.query(_TABLE.format(t="int64s.t"))
    return "int64s.t"


@pytest.mark.parametrize(("query", "rows"), CASES)
def test_local_warehouse(warehouse, local_table, query, rows):
    got = [tuple(r.values()) for r in warehouse.query(query.format(t=local_table)).to_pylist()]
    assert got == rows


@pytest.mark.parametrize("query", OVERFLOWS)
def test_local_overflow(warehouse, query):
    with pytest.raises(QueryError, match="(?i)overflow"):
        warehouse.query(query)


def test_local_types(warehouse):
    """The reported types do not change: INT64 columns, a DATE sum."""
    result = warehouse.query_result("SELECT a, a * a AS v, d + a AS e FROM (SELECT 3 AS a, DATE '2024-01-01' AS d)")
    assert [(f["name"], f["type"]) for f in result.schema] == [("a", "INT64"), ("v", "INT64"), ("e", "DATE")]


def test_bigquery_client(bigquery_client, dataset):
    table = f"{dataset.dataset_id}.t"
    bigquery_client.query_and_wait(_TABLE.format(t=table))
    for query, rows in CASES:
        got = [tuple(r.values()) for r in bigquery_client.query_and_wait(query.format(t=table))]
        assert got == rows, query
    for query in OVERFLOWS:
        with pytest.raises(BadRequest, match="(?i)overflow"):
            bigquery_client.query_and_wait(query)
    result = bigquery_client.query_and_wait(
        "SELECT a, a * a AS v, d + a AS e FROM (SELECT 3 AS a, DATE '2024-01-01' AS d)"
    )
    assert [(f.name, f.field_type) for f in result.schema] == [("a", "INTEGER"), ("v", "INTEGER"), ("e", "DATE")]
