"""PIVOT's column names and aggregates, and DISTINCT in COUNTIF / LOGICAL_AND / LOGICAL_OR, as BigQuery.

Each row is a ZetaSQL compliance case (pivot, grouping_sets_queries, aggregation_distinct_queries)
or our own query, with GoogleSQL's answer, run on the local warehouse and through the real
BigQuery client. What was wrong:

- a pivot column after an aggregate alias and an INT64 value was `s__100` (BigQuery: `s_100`, so
  `SELECT any_x_100` was "unrecognized name"); a negative number, a NUMERIC, a DATE, `''` without
  an alias were refused (BigQuery: `minus_1`, `_1_point_5`, `_2020_01_02`, `empty_string_value`);
  a value listed twice (`NULL, NULL AS n2`) was DuckDB's error;
- `PIVOT(SUM(d) ...)` of a FLOAT64 `d`, `PIVOT(MIN(x) ...)` and `PIVOT(CORR(x, y) ...)` failed
  ("Pivot expression must contain exactly one aggregate, but 5 were found": the SUM overflow
  check's, MIN/MAX's NaN rule's and CORR's extra aggregates);
- `COUNTIF(DISTINCT ...)`, `LOGICAL_AND(DISTINCT ...)`, `LOGICAL_OR(DISTINCT ...)` and
  `ARRAY_AGG(DISTINCT ... IGNORE NULLS)` were DuckDB syntax errors;
- `COUNT(DISTINCT x) OVER (ORDER BY ...)` answered a running distinct count (BigQuery's error).
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

STR = "STRING"


def _row(source: str, pivot: str) -> str:
    """The pivoted row of `source` as TO_JSON_STRING writes it: its column names and values."""
    return f"SELECT TO_JSON_STRING(p) FROM ({source}) PIVOT({pivot}) AS p"


PIVOT_NAMES = [
    # pivot:pivot_any_value_*: the aggregate's alias, then the INT64 value without its `_`
    (_row("SELECT 1 AS x, 100 AS y", "SUM(x) AS s FOR y IN (100, 500)"), '{"s_100":1,"s_500":null}', STR),
    ("SELECT any_x_100 FROM (SELECT 1 AS x, 100 AS y) PIVOT(ANY_VALUE(x) AS any_x FOR y IN (100))", 1, "INT64"),
    # negative numbers are `minus_`, a number that would start the name `_`
    (
        _row("SELECT 1 AS x, -1 AS y", "SUM(x) FOR y IN (-1, 0, 2, NULL)"),
        '{"minus_1":1,"_0":null,"_2":null,"NULL":null}',
        STR,
    ),
    (
        _row("SELECT 1 AS x, -1 AS y", "SUM(x) AS s FOR y IN (-1, 0, NULL)"),
        '{"s_minus_1":1,"s_0":null,"s_NULL":null}',
        STR,
    ),
    # a NUMERIC's decimal point is `_point_`, as CAST AS STRING writes it (no trailing zeros)
    (
        _row("SELECT 1 AS x, NUMERIC '1.50' AS n", "SUM(x) FOR n IN (NUMERIC '1.50', NUMERIC '-2')"),
        '{"_1_point_5":1,"minus_2":null}',
        STR,
    ),
    # DATE: _YYYY_MM_DD, without the `_` after an alias
    (_row("SELECT 1 AS x, DATE '2020-01-02' AS d", "SUM(x) FOR d IN (DATE '2020-01-02')"), '{"_2020_01_02":1}', STR),
    (
        _row("SELECT 1 AS x, DATE '2020-01-02' AS d", "SUM(x) AS s FOR d IN (DATE '2020-01-02')"),
        '{"s_2020_01_02":1}',
        STR,
    ),
    # pivot:pivot_multiarg: BOOL values are `true` and `false`
    (
        _row("SELECT 1 AS x, TRUE AS b", "SUM(x) AS s, COUNT(x) AS n FOR b IN (TRUE, FALSE)"),
        '{"s_true":1,"n_true":1,"s_false":null,"n_false":0}',
        STR,
    ),
    # the empty string, value aliases, several aggregates: each value's aggregates in turn
    (_row("SELECT 1 AS x, 'foo' AS b", "SUM(x) FOR b IN ('foo', '')"), '{"foo":1,"empty_string_value":null}', STR),
    (
        _row("SELECT 1 AS x, '' AS b", "SUM(x) AS s, COUNT(*) AS n FOR b IN ('foo', '' AS e, '')"),
        '{"s_foo":null,"n_foo":0,"s_e":1,"n_e":1,"s__empty_string_value":1,"n__empty_string_value":1}',
        STR,
    ),
    # pivot:pivot_bitfns, pivot_nondeterminstic_input_column: a value listed twice fills both
    (
        _row(
            "SELECT 5 AS x, 100 AS y UNION ALL SELECT 7, NULL", "SUM(x) AS s FOR y IN (100, NULL, NULL AS n2, 100 AS h)"
        ),
        '{"s_100":5,"s_NULL":7,"s_n2":7,"s_h":5}',
        STR,
    ),
]

PIVOT_AGGREGATES = [
    # pivot:pivot_sum, grouping_sets_queries:rollup_single_columns_with_pivot: SUM of FLOAT64
    (
        _row("SELECT 1 AS x, 'foo' AS b, 2.5 AS d", "SUM(d) FOR b IN ('foo', 'bar')"),
        '{"x":1,"foo":2.5,"bar":null}',
        STR,
    ),
    (
        _row("SELECT 'k' AS b, d FROM UNNEST([1.5, 2.0]) AS d", "SUM(d) AS s, AVG(d) AS a FOR b IN ('k')"),
        '{"s_k":3.5,"a_k":1.75}',
        STR,
    ),
    # an infinite value makes the SUM inf (IEEE 754's answer; only an overflow is an error)
    (
        "SELECT k FROM (SELECT 'k' AS b, d FROM UNNEST([CAST('inf' AS FLOAT64), 1.0]) AS d) PIVOT(SUM(d) FOR b IN ('k'))",
        float("inf"),
        "FLOAT64",
    ),
    # pivot:pivot_min_max_fns: MIN and MAX are NaN when a value is
    (
        "SELECT IS_NAN(m_k) AND IS_NAN(x_k) FROM (SELECT 'k' AS b, d FROM UNNEST([1.0, CAST('nan' AS FLOAT64)]) AS d) "
        "PIVOT(MIN(d) AS m, MAX(d) AS x FOR b IN ('k'))",
        True,
        "BOOL",
    ),
    (
        _row("SELECT 'k' AS b, d FROM UNNEST([3, 1, 2]) AS d", "MIN(d) AS m, MAX(d) AS x FOR b IN ('k')"),
        '{"m_k":1,"x_k":3}',
        STR,
    ),
    # pivot:pivot_multiarg: CORR's rewrite counts the pairs in an aggregate of its own
    (
        "SELECT c_k FROM (SELECT 'k' AS b, x FROM UNNEST([1.0, 2.0, 4.0]) AS x) PIVOT(CORR(x, x) AS c FOR b IN ('k'))",
        1.0,
        "FLOAT64",
    ),
]

DISTINCT_AGGREGATES = [
    # aggregation_distinct_countif_*: the distinct values of the condition that are TRUE
    ("SELECT COUNTIF(DISTINCT x > 0) FROM UNNEST([1, 3, 1, -1]) AS x", 1, "INT64"),
    ("SELECT COUNTIF(DISTINCT x > 0) FROM UNNEST([-1, -2]) AS x", 0, "INT64"),
    ("SELECT COUNTIF(DISTINCT x > 0) FROM UNNEST(ARRAY<INT64>[]) AS x", 0, "INT64"),
    # aggregation_distinct_logical_or_* / logical_and_*
    ("SELECT LOGICAL_OR(DISTINCT x > 2) FROM UNNEST([1, 3]) AS x", True, "BOOL"),
    ("SELECT LOGICAL_AND(DISTINCT x > 2) FROM UNNEST([1, 3, 3]) AS x", False, "BOOL"),
    ("SELECT LOGICAL_AND(DISTINCT b) FROM UNNEST([CAST(NULL AS BOOL)]) AS b", None, "BOOL"),
    # as window functions over a whole partition
    (
        "SELECT STRING_AGG(FORMAT('%d:%d', x, c), ',' ORDER BY x) FROM "
        "(SELECT x, COUNTIF(DISTINCT x > 2) OVER (PARTITION BY MOD(x, 2)) AS c FROM UNNEST([1, 2, 3, 5]) AS x)",
        "1:1,2:0,3:1,5:1",
        STR,
    ),
    # aggregation_distinct_array_agg_range_*_ignore_nulls
    ("SELECT ARRAY_AGG(DISTINCT x IGNORE NULLS ORDER BY x) FROM UNNEST([3, NULL, 1, 3]) AS x", [1, 3], "INT64"),
    (
        "SELECT ARRAY_LENGTH(ARRAY_AGG(DISTINCT r IGNORE NULLS)) FROM UNNEST([RANGE(DATE '2020-01-01', "
        "DATE '2020-02-01'), NULL, RANGE(DATE '2020-01-01', DATE '2020-02-01')]) AS r",
        1,
        "INT64",
    ),
]

FAMILIES = {
    "pivot_names": PIVOT_NAMES,
    "pivot_aggregates": PIVOT_AGGREGATES,
    "distinct_aggregates": DISTINCT_AGGREGATES,
}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


ERRORS = [
    (
        "SELECT COUNT(DISTINCT x) OVER (ORDER BY x) FROM UNNEST([1, 2]) AS x",
        "Window ORDER BY is not allowed if DISTINCT",
    ),
    (
        "SELECT SUM(DISTINCT x) OVER (ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM UNNEST([1, 2]) AS x",
        "Window framing clause is not allowed if DISTINCT",
    ),
    (
        "SELECT * FROM (SELECT 1 AS x, 1 AS y) PIVOT(SUM(x), COUNT(x) FOR y IN (1))",
        "PIVOT expression must specify an alias unless it is the only pivot expression",
    ),
    (
        "SELECT * FROM (SELECT 1 AS x, b'a' AS y) PIVOT(SUM(x) FOR y IN (b'a'))",
        "PIVOT values of type BYTES must specify",
    ),
    ("SELECT * FROM (SELECT 1 AS x, 2 AS y) PIVOT(SUM(x) FOR y IN (1 + 1))", "Generating an implicit alias"),
    # the SUM overflow check holds inside PIVOT
    (
        "SELECT * FROM (SELECT 'k' AS b, d FROM UNNEST([1.7976931348623157e308, 1.7976931348623157e308]) AS d) "
        "PIVOT(SUM(d) FOR b IN ('k'))",
        "double overflow",
    ),
    # BigQuery names a FLOAT64 literal after the pivot column's type (NUMERIC: `_1_point_5`)
    ("SELECT * FROM (SELECT 1 AS x, 1.5 AS y) PIVOT(SUM(x) FOR y IN (1.5))", "is not supported by the local warehouse"),
]


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_bigquerys_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)
