"""GoogleSQL the twelfth ZetaSQL compliance sweep found answered differently from BigQuery, each a
silently wrong answer:

- the whole value `e` of `FROM UNNEST(structs) AS e` was a STRUCT of NULLs for a NULL element
  (`e IS NULL` false, `COUNT(e)` counted it): the engine spreads the STRUCT's fields into columns
  and rebuilt `e` from them (the reference: UNNEST returns one row per element, NULL elements
  included, and `e` is the element);
- a FLOAT64 literal beside a NUMERIC value in a set operation (`SELECT CAST(NULL AS NUMERIC) AS v
  UNION ALL SELECT 1.000000001`) makes the column NUMERIC ("Supertypes and literals"), and the
  column was so, but `AVG(v)` over it was DuckDB's FLOAT64 average, typed
  FLOAT64 and rounded as a double (`1.5000000005`, not NUMERIC's `1.500000001`), and
  `PERCENTILE_DISC(v, 1)` a FLOAT64 `1e+29` for NUMERIC's largest value;
- `APPROX_TOP_COUNT` over zero rows was an empty ARRAY (the reference: "Returns NULL if there are
  zero input rows", as APPROX_TOP_SUM and APPROX_QUANTILES already did).

Each row is our own query with the answer Google's GoogleSQL reference gives, run on the local
warehouse and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from googlesql_cases import case_params, check_locally, check_through_client

N, INT, BOOL = "NUMERIC", "INT64", "BOOL"

_PAIRS = "UNNEST([STRUCT(1 AS a, 'x' AS b), NULL, STRUCT(3, 'z')])"
# the whole value of an UNNEST of STRUCTs is the element, NULL for a NULL element
NULL_ELEMENTS = [
    (f"SELECT COUNTIF(e IS NULL) FROM {_PAIRS} AS e", 1, INT),
    (f"SELECT COUNT(e) FROM {_PAIRS} AS e", 2, INT),
    (f"SELECT COUNTIF(e IS NULL AND a IS NULL) FROM {_PAIRS} AS e", 1, INT),
    (f"SELECT SUM(IF(e IS NULL, 100, e.a)) FROM {_PAIRS} AS e", 104, INT),
    (
        "WITH t AS (SELECT [STRUCT(1 AS a), NULL] AS arr) SELECT COUNTIF(elem IS NULL) FROM t, t.arr AS elem",
        1,
        INT,
    ),
    (
        "SELECT COUNTIF(e IS NULL) FROM UNNEST(CAST([STRUCT(1), NULL] AS ARRAY<STRUCT<a INT64>>)) AS e",
        1,
        INT,
    ),
]

_COERCED = "(SELECT CAST(NULL AS NUMERIC) AS v UNION ALL SELECT 1.000000001 UNION ALL SELECT 2)"
# aggregates of a set operation's column that a FLOAT64 literal shares with a NUMERIC value
COERCED_COLUMNS = [
    (f"SELECT AVG(v) FROM {_COERCED}", Decimal("1.500000001"), N),
    (f"SELECT AVG(DISTINCT v) OVER () FROM {_COERCED} LIMIT 1", Decimal("1.500000001"), N),
    ("SELECT AVG(v) FROM (SELECT NUMERIC '0.1' AS v UNION ALL SELECT 0.2)", Decimal("0.15"), N),
    (
        "SELECT PERCENTILE_DISC(v, 1) OVER () FROM (SELECT CAST(NULL AS NUMERIC) AS v UNION ALL SELECT 3.5 "
        "UNION ALL SELECT NUMERIC '99999999999999999999999999999.999999999') LIMIT 1",
        Decimal("99999999999999999999999999999.999999999"),
        N,
    ),
]

# APPROX_TOP_COUNT over zero rows is NULL
EMPTY_TOP_COUNTS = [
    ("SELECT APPROX_TOP_COUNT(x, 3) IS NULL FROM UNNEST([1, 2]) AS x WHERE x > 5", True, BOOL),
    ("SELECT APPROX_TOP_COUNT(x, 3) IS NULL FROM UNNEST(CAST([] AS ARRAY<STRING>)) AS x", True, BOOL),
]

FAMILIES = {
    "null_elements": NULL_ELEMENTS,
    "coerced_columns": COERCED_COLUMNS,
    "empty_top_counts": EMPTY_TOP_COUNTS,
}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])
