"""STRUCTs matched by position, and FLOAT64 literals typed NUMERIC beside a NUMERIC, as GoogleSQL does.

Silently wrong answers of the fifth ZetaSQL compliance sweep (in_queries, groupby_queries,
comparison_functions, union_distinct_queries, cast_function, struct_queries; unnest_queries and
the analytic_* files' NUMERIC cases), each row run on the local warehouse and through the real
BigQuery client:

- GoogleSQL compares, coerces and casts STRUCTs by field position; DuckDB matched named fields by
  name: `STRUCT<a INT64>(1) = STRUCT<c INT64>(1)` was FALSE, `STRUCT(a, b) IS DISTINCT FROM
  STRUCT(b, a)` FALSE and `STRUCT(a, b) IN (STRUCT(b, a))` TRUE; an array literal of tuples
  `[(x, b), (y, NOT b)]` held three-field STRUCTs half NULL; `SELECT AS STRUCT 1 AS a, 2 AS b
  UNION DISTINCT SELECT AS STRUCT 1, 3` answered one column of four-field STRUCTs;
  `CAST(STRUCT(1 AS b) AS STRUCT<a INT64>)`, `CAST(q AS STRUCT<a INT64>)` of a table alias and a
  typed constructor with a NULL or RANGE field (`STRUCT<a INT64, b STRING>(1, CAST(NULL AS
  STRING))`) failed ("STRUCT to STRUCT cast must have at least one matching member"), and a
  STRUCT type with anonymous fields (`ARRAY<STRUCT<INT64, INT64>>[(11, 12)]`) was a syntax error;
- `(1, 'a') IN UNNEST([(1, CAST(NULL AS STRING))])` was FALSE: a NULL field makes the comparison
  NULL unless another field already differs;
- a FLOAT64 literal beside a NUMERIC (BIGNUMERIC) value, where GoogleSQL takes a common type
  (array literal, UNION column, COALESCE/IFNULL, CASE, IF, GREATEST), made the result FLOAT64;
  GoogleSQL coerces the literal, so the result is NUMERIC (BIGNUMERIC), with its exact digits.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

BOOL = "BOOL"
AB = "(SELECT 1 AS a, 2 AS b)"
PNN = "(SELECT IEEE_DIVIDE(1, 0) AS p, IEEE_DIVIDE(-1, 0) AS n, IEEE_DIVIDE(0, 0) AS nan)"

STRUCT_COMPARISONS = [
    ("STRUCT<a INT64>(1) = STRUCT<c INT64>(1)", True, BOOL),
    ("STRUCT<a INT64, b STRING>(1, 'x') != STRUCT<c INT64, d STRING>(1, 'y')", True, BOOL),
    (f"SELECT STRUCT(a, b) IS DISTINCT FROM STRUCT(b, a) FROM {AB}", True, BOOL),
    (f"SELECT STRUCT(a, b) IS NOT DISTINCT FROM STRUCT(a AS x, b AS y) FROM {AB}", True, BOOL),
    (f"SELECT STRUCT(a, b) IN (STRUCT(b, a)) FROM {AB}", False, BOOL),
    (f"SELECT STRUCT(a, b) IN (STRUCT(b, a), STRUCT(a AS b, b AS a)) FROM {AB}", True, BOOL),
    # comparison_functions:is_distinct_nan_struct (NaN is not distinct from NaN)
    (f"SELECT STRUCT(p, n, nan) IS DISTINCT FROM STRUCT(n, p, nan) FROM {PNN}", True, BOOL),
    (f"SELECT STRUCT(p, n, nan) IS DISTINCT FROM STRUCT(p, n, nan) FROM {PNN}", False, BOOL),
    ("STRUCT(1 AS a) IS DISTINCT FROM CAST(NULL AS STRUCT<a INT64>)", True, BOOL),
    # in_queries:in_unnest_structs_with_different_field_names
    (
        "SELECT STRUCT<a INT64, b STRING>(1, 'x') IN UNNEST((SELECT ARRAY_AGG(STRUCT<c INT64, d STRING>(x, y)) "
        "FROM UNNEST([STRUCT(1 AS x, 'x' AS y), (2, 'y')])))",
        True,
        BOOL,
    ),
    # in_queries:in_unnest_struct_*null_field*: NULL unless another field differs
    ("(1, 'a') IN UNNEST([(1, CAST(NULL AS STRING))])", None, BOOL),
    ("(1, ('this', NULL)) IN UNNEST([(1, ('that', 3)), (1, ('this', 3))])", None, BOOL),
    ("(1, ('this', NULL)) IN UNNEST([(1, ('that', 3)), (2, ('this', 3))])", False, BOOL),
    ("(1, 2) IN UNNEST([(0, 2), (1, 2)])", True, BOOL),
    ("(1, 2) IN UNNEST(CAST([] AS ARRAY<STRUCT<a INT64, b INT64>>))", False, BOOL),
    ("(1, NULL) IN ((1, 3), (2, 2))", None, BOOL),
    ("(1, NULL) IN ((2, 3))", False, BOOL),
    ("STRUCT(1, NULL) = STRUCT(1, NULL)", None, BOOL),
]

STRUCT_VALUES = [
    # groupby_queries:groupby_array_struct: an array literal of tuples has two-field STRUCTs
    (
        "SELECT (SELECT STRING_AGG(CAST(e.b AS STRING), ',') FROM UNNEST([(x + 0, b), (x + 1, NOT b)]) AS e) "
        "FROM (SELECT 1 AS x, true AS b)",
        "true,false",
        "STRING",
    ),
    ("[STRUCT(1 AS a, 'x' AS b), STRUCT(2 AS b, 'y' AS a)][OFFSET(1)].b", "y", "STRING"),
    # cast_function:cast_struct_to_struct, struct_queries:struct_from_table_reference
    ("CAST(STRUCT(1 AS b) AS STRUCT<a INT64>).a", 1, "INT64"),
    (
        "SELECT my_struct.a FROM (SELECT CAST(x AS STRUCT<a INT64>) AS my_struct FROM (SELECT STRUCT(1 AS b) AS x))",
        1,
        "INT64",
    ),
    ("SELECT CAST(q AS STRUCT<a INT64>).a FROM (SELECT 1) AS q", 1, "INT64"),
    (
        "SELECT CAST(x AS STRUCT<a INT64, s STRUCT<p STRING>>).s.p "
        "FROM (SELECT STRUCT(1 AS b, STRUCT(2 AS c) AS d) AS x)",
        "2",
        "STRING",
    ),
    ("SELECT CAST(x AS STRUCT<a INT64>) IS NULL FROM (SELECT CAST(NULL AS STRUCT<b INT64>) AS x)", True, BOOL),
    # typed constructors whose values DuckDB read as named fields
    ("STRUCT<a INT64, b STRING>(1, CAST(NULL AS STRING)).a", 1, "INT64"),
    ("STRUCT<a INT64, b STRING>(1, CAST(NULL AS STRING)).b IS NULL", True, BOOL),
    (
        "RANGE_START(STRUCT<a INT64, r RANGE<DATE>>(1, RANGE<DATE> '[2020-01-01, 2020-02-01)').r)",
        dt.date(2020, 1, 1),
        "DATE",
    ),
    ("ARRAY<STRUCT<x INT64, s STRUCT<p INT64, q INT64>>>[(1, (1, 2))][OFFSET(0)].s.q", 2, "INT64"),
    # STRUCT types with anonymous fields (array_constructors:construct_STRUCT_array_basic,
    # select_cast_null_to_STRUCT_array, unnest_queries:unnest_null_array_of_structs)
    ("SELECT COUNT(*) FROM UNNEST(ARRAY<STRUCT<INT64, INT64>>[(11, 12), (21, 22)])", 2, "INT64"),
    ("SELECT COUNT(*) FROM UNNEST(CAST(NULL AS ARRAY<STRUCT<INT64>>))", 0, "INT64"),
    ("ARRAY<STRUCT<x INT64, s STRUCT<INT64, INT64>>>[(1, (1, 2))][OFFSET(0)].x", 1, "INT64"),
    ("STRUCT<INT64, STRING>(1, 'a') = (1, 'a')", True, BOOL),
    ("CAST(STRUCT(1 AS a, 'x' AS b) AS STRUCT<INT64, STRING>) = (1, 'x')", True, BOOL),
    # union_distinct_queries:union_distinct_datatype_struct
    (
        "SELECT STRING_AGG(CONCAT(a, '-', b), ' ' ORDER BY a, b) FROM (SELECT AS STRUCT 1 AS a, 2 AS b "
        "UNION DISTINCT SELECT AS STRUCT 1, 3 UNION DISTINCT SELECT AS STRUCT 1, 2)",
        "1-2 1-3",
        "STRING",
    ),
    (
        "SELECT (SELECT STRING_AGG(CONCAT(e.a, '-', e.b), ',' ORDER BY e.a) FROM UNNEST(ARRAY("
        "SELECT AS STRUCT 1 AS a, 2 AS b UNION ALL SELECT AS STRUCT 3 AS x, 4 AS y)) AS e)",
        "1-2,3-4",
        "STRING",
    ),
]

NUMERIC = "NUMERIC"
LITERAL_TYPES = [
    # unnest_queries:unnest_numeric
    ("SELECT x FROM UNNEST([CAST(3.14159 AS NUMERIC), 1.2345]) AS x ORDER BY x LIMIT 1", Decimal("1.2345"), NUMERIC),
    ("[NUMERIC '1', 2.5][OFFSET(1)]", Decimal("2.5"), NUMERIC),
    (
        "SELECT v FROM (SELECT CAST(NULL AS NUMERIC) AS v UNION ALL SELECT 0.01) WHERE v IS NOT NULL",
        Decimal("0.01"),
        NUMERIC,
    ),
    ("COALESCE(NUMERIC '1', 2.5)", Decimal("1"), NUMERIC),
    ("IFNULL(CAST(NULL AS NUMERIC), 123456789.123456789)", Decimal("123456789.123456789"), NUMERIC),
    ("IF(true, -2.5, BIGNUMERIC '1')", Decimal("-2.5"), "BIGNUMERIC"),
    ("CASE WHEN false THEN NUMERIC '1' ELSE 1e-3 END", Decimal("0.001"), NUMERIC),
    ("GREATEST(NUMERIC '1', 2.5)", Decimal("2.5"), NUMERIC),
    # analytic_min_max:analytic_min_numeric_1 (the extreme values stay exact)
    (
        "SELECT MIN(v) OVER () FROM (SELECT CAST(NULL AS NUMERIC) AS v UNION ALL SELECT 3.5 UNION ALL "
        "SELECT -1.230000001 UNION ALL SELECT NUMERIC '-99999999999999999999999999999.999999999') LIMIT 1",
        Decimal("-99999999999999999999999999999.999999999"),
        NUMERIC,
    ),
    ("SELECT AVG(x) FROM UNNEST([NUMERIC '1', 2.5]) AS x", Decimal("1.75"), NUMERIC),
    # a FLOAT64 value among them makes the common type FLOAT64, literals or not
    ("[CAST(1 AS FLOAT64), NUMERIC '2', 2.5][OFFSET(2)]", 2.5, "FLOAT64"),
    ("COALESCE(1, 2.5)", 1.0, "FLOAT64"),
]

FAMILIES = {
    "struct_comparisons": STRUCT_COMPARISONS,
    "struct_values": STRUCT_VALUES,
    "literal_types": LITERAL_TYPES,
}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


def test_select_as_struct_union_is_the_fields_columns(warehouse, bigquery_client):
    """union_distinct_queries:union_distinct_datatype_struct at the top level: two INT64 columns."""
    sql = "SELECT AS STRUCT 1 AS a, 2 AS b UNION DISTINCT SELECT AS STRUCT 1, 3 UNION DISTINCT SELECT AS STRUCT 1, 2"
    result = warehouse.query_result(sql)
    assert sorted(tuple(r.values()) for r in result.table.to_pylist()) == [(1, 2), (1, 3)]
    assert [f["type"] for f in result.schema] == ["INT64", "INT64"]
    rows = bigquery_client.query_and_wait(sql)
    assert sorted(tuple(r.values()) for r in rows) == [(1, 2), (1, 3)]


def test_numeric_column_beside_a_float_literal(bigquery_client, dataset):
    """`COALESCE(n, 0.5)` of a NUMERIC column is NUMERIC, also IFNULL of a BIGNUMERIC one and a
    UNION with a literal; a FLOAT64 column keeps FLOAT64."""
    table = f"{dataset.project}.{dataset.dataset_id}.decimals"
    bigquery_client.query_and_wait(f"CREATE TABLE `{table}` (n NUMERIC, b BIGNUMERIC, f FLOAT64)")
    bigquery_client.query_and_wait(f"INSERT INTO `{table}` VALUES (NULL, NULL, NULL)")
    result = bigquery_client.query(
        f"SELECT COALESCE(n, 0.5) AS n, IFNULL(b, 0.25) AS b, COALESCE(f, 0.5) AS f, "
        f"CASE WHEN f IS NULL THEN 0.125 ELSE n END AS c FROM `{table}`"
    ).result()
    assert [tuple(r.values()) for r in result] == [(Decimal("0.5"), Decimal("0.25"), 0.5, Decimal("0.125"))]
    assert [f.field_type for f in result.schema] == ["NUMERIC", "BIGNUMERIC", "FLOAT", "NUMERIC"]
    union = bigquery_client.query(f"SELECT n FROM `{table}` UNION ALL SELECT 0.1").result()
    assert union.schema[0].field_type == "NUMERIC"


def test_a_bignumeric_literal_beyond_the_local_range_is_refused(warehouse, bigquery_client):
    """5e38 beside a BIGNUMERIC is a BIGNUMERIC in BigQuery; the engine's holds 20 integer digits."""
    sql = "SELECT v FROM (SELECT CAST(NULL AS BIGNUMERIC) AS v UNION ALL SELECT 5e38)"
    assert_fails_locally(warehouse, sql, "is not supported by the local warehouse")
    assert_fails_through_client(bigquery_client, sql, "is not supported by the local warehouse")
