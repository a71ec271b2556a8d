"""Silently wrong answers left by the second ZetaSQL compliance sweep, now BigQuery's.

Each row is a ZetaSQL compliance case (grouping_sets_queries, unionall_queries,
union_distinct_queries) or our own query, with GoogleSQL's answer, run on the local warehouse
and through the real BigQuery client:

- an expression of grouped columns that is also a ROLLUP/CUBE/GROUPING SETS key (`SELECT a, a+1
  ... GROUP BY ROLLUP(a, a+1)`) answered the key (NULL in the set that groups `a` alone) instead
  of computing it from the grouped columns (a key written as the item's position stays the key);
- a GROUP BY name that is a SELECT alias and a FROM column grouped by the column (the alias
  wins in GoogleSQL);
- FORMAT_DATE's `%g` was `000`; CONCAT wrote a NUMERIC with trailing zeros and an INTERVAL as
  `1 day`, a FLOAT64 column 1.0 as `1.0` (CAST AS STRING's `1`); STRING_AGG of BYTES was a STRING
  (and with a BYTES delimiter an engine error);
- `AVG(inches HAVING MAX year)` and the other aggregates with HAVING MAX / MIN (ANY_VALUE's
  aside) did not parse (aggregation_having_modifier_queries 1 -> 35 passes);
- STDDEV/VARIANCE of NUMERIC values of 25 digits that differ in the last one answered 0;
- `LIMIT NULL` / `OFFSET NULL` ran without a limit instead of failing;
- date arithmetic past 9999-12-31 or before 0001-01-01 answered year 10000 or 0000, which no
  client reads (the CLI failed with a traceback), instead of BigQuery's overflow error;
- a UNION of STRUCTs whose field names differ merged the names (`{a: 1, x: NULL}`) instead of
  matching the fields by position under the first input's names (also for STRUCT columns of
  tables); so did a CASE, IF or COALESCE
  whose results mix a named STRUCT and `STRUCT(0, 'z')`, and `CASE s WHEN STRUCT(1, 2)` /
  `NULLIF(s, (1, 2))` compared by name (never equal) and took a NULL field for a match.

(RANGE values with an UNBOUNDED bound, which sorted and compared as NULL, are in
`test_range_type.py`.)
"""

from __future__ import annotations

import datetime as dt

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

STR = "STRING"
KA = "UNNEST([STRUCT(1 AS key, 10 AS a), (2, 10), (3, 123)])"


def _rows(select: str, group_by: str) -> str:
    """The rows of `SELECT <select> FROM KA GROUP BY <group_by>` as one sorted STRING."""
    items = [i.strip() for i in select.split(",")]
    columns = ", ".join(f"{item} AS c{i}" for i, item in enumerate(items))
    row = "FORMAT('(" + ", ".join(["%T"] * len(items)) + ")', " + ", ".join(f"c{i}" for i in range(len(items))) + ")"
    return f"SELECT STRING_AGG({row}, ' ' ORDER BY {row}) FROM (SELECT {columns} FROM {KA} GROUP BY {group_by})"


GROUPED_KEYS = [
    # rollup_expression_match: a+1 is 11 in the set that groups a alone
    (
        _rows("a, a + 1, SUM(key)", "ROLLUP(a, a + 1)"),
        "(10, 11, 3) (10, 11, 3) (123, 124, 3) (123, 124, 3) (NULL, NULL, 6)",
        STR,
    ),
    # grouping_sets_select_expression_match_to_column_reference: NULL where a is not grouped
    (
        _rows("a, a + 1, COUNT(*)", "GROUPING SETS(a, a + 1)"),
        "(10, 11, 2) (123, 124, 1) (NULL, NULL, 1) (NULL, NULL, 2)",
        STR,
    ),
    # cube_expression_match
    (
        _rows("a, a + 1, SUM(key)", "CUBE(a, a + 1)"),
        "(10, 11, 3) (10, 11, 3) (123, 124, 3) (123, 124, 3) (NULL, NULL, 3) (NULL, NULL, 3) (NULL, NULL, 6)",
        STR,
    ),
    # rollup_multi_column_expression_match
    (
        _rows("a, a + 1, SUM(key)", "ROLLUP(a, (a, a + 1), a + 1)"),
        "(10, 11, 3) (10, 11, 3) (10, 11, 3) (123, 124, 3) (123, 124, 3) (123, 124, 3) (NULL, NULL, 6)",
        STR,
    ),
    # grouping_sets_duplicate_columns_alias_ordinal_index_in_grouping_set: a key named by its
    # position is the SELECT item itself, so it keeps the key's value
    (
        _rows("a, a + 1, COUNT(*)", "GROUPING SETS((a), (2))"),
        "(10, NULL, 2) (123, NULL, 1) (NULL, 11, 2) (NULL, 124, 1)",
        STR,
    ),
    # a key whose column is not grouped on its own is the key, as before
    (_rows("a + 1, SUM(key)", "ROLLUP(a + 1)"), "(11, 3) (124, 3) (NULL, 6)", STR),
    # and GROUPING() of the key still tells which sets group it
    (_rows("a + 1, GROUPING(a + 1)", "ROLLUP(a, a + 1)"), "(11, 0) (11, 1) (124, 0) (124, 1) (NULL, 1)", STR),
]

NAMES = "UNNEST(['a', 'A', 'b']) AS name"
GROUP_BY_ALIASES = [
    # "aliases override names in the corresponding FROM clause" (query syntax, GROUP BY)
    (
        f"SELECT STRING_AGG(FORMAT('%s:%d', name, n), ' ' ORDER BY name) FROM "
        f"(SELECT UPPER(name) AS name, COUNT(*) AS n FROM {NAMES} GROUP BY name)",
        "A:2 B:1",
        STR,
    ),
    (
        f"SELECT STRING_AGG(FORMAT('%T:%d', name, n), ' ' ORDER BY FORMAT('%T', name)) FROM "
        f"(SELECT UPPER(name) AS name, COUNT(*) AS n FROM {NAMES} GROUP BY ROLLUP(name))",
        '"A":2 "B":1 NULL:3',
        STR,
    ),
    # grouping_sets_grouping_function_with_pre_group_by_expr: 1, a+1 and a1 are one key
    (
        _rows("a + 1, GROUPING(a + 1)", "GROUPING SETS(1, a + 1, c0)"),
        "(11, 0) (11, 0) (11, 0) (124, 0) (124, 0) (124, 0)",
        STR,
    ),
    # grouping_func_with_alias: GROUPING(alias) names the key too
    (_rows("a, GROUPING(c0)", "GROUPING SETS(c0, ())"), "(10, 0) (123, 0) (NULL, 1)", STR),
    # a name inside a GROUP BY expression reads the FROM clause, as before
    (
        f"SELECT STRING_AGG(name, ' ' ORDER BY name) FROM "
        f"(SELECT LOWER(name) AS name FROM {NAMES} GROUP BY LOWER(name))",
        "a b",
        STR,
    ),
]

STRUCT_UNIONS = [
    (
        "SELECT TO_JSON_STRING(ARRAY_AGG(s)) FROM (SELECT STRUCT(1 AS a, 2 AS b) AS s UNION ALL SELECT STRUCT(3 AS x, 4 AS y))",
        '[{"a":1,"b":2},{"a":3,"b":4}]',
        STR,
    ),
    # by position, not by name: the second input's b is the result's a
    (
        "SELECT STRING_AGG(CAST(s.a AS STRING), ',' ORDER BY s.a) FROM (SELECT STRUCT(1 AS a, 2 AS b) AS s UNION DISTINCT SELECT STRUCT(3 AS b, 4 AS a))",
        "1,3",
        STR,
    ),
    (
        "SELECT TO_JSON_STRING(ARRAY_AGG(s)) FROM (SELECT STRUCT(1 AS a, 'p' AS b) AS s UNION ALL SELECT STRUCT(2, 'q') UNION ALL (SELECT STRUCT(3 AS z, 'r' AS y)))",
        '[{"a":1,"b":"p"},{"a":2,"b":"q"},{"a":3,"b":"r"}]',
        STR,
    ),
    # nested, inside an array literal
    (
        "SELECT TO_JSON_STRING(ARRAY_AGG(STRUCT(s))) FROM (SELECT [STRUCT(1 AS a, STRUCT('p' AS c) AS n)] AS s UNION ALL SELECT [STRUCT(3 AS x, STRUCT('q' AS d) AS m)])",
        '[{"s":[{"a":1,"n":{"c":"p"}}]},{"s":[{"a":3,"n":{"c":"q"}}]}]',
        STR,
    ),
    # a STRUCT handed to a function keeps its names
    (
        "SELECT STRING_AGG(j, ' ' ORDER BY j) FROM (SELECT TO_JSON_STRING(STRUCT(1 AS a)) AS j UNION ALL SELECT TO_JSON_STRING(STRUCT(2 AS b)))",
        '{"a":1} {"b":2}',
        STR,
    ),
]

S3 = "(SELECT STRUCT(1 AS x, 2 AS y) AS s UNION ALL SELECT STRUCT(NULL, 2) UNION ALL SELECT STRUCT(3, 2))"
STRUCT_CASES = [
    # struct_queries:struct_equality_null_field: by position, and a NULL field matches nothing
    (
        "SELECT STRING_AGG(FORMAT('%d/%T', CASE s WHEN STRUCT(1, 2) THEN 1 WHEN STRUCT(NULL, 2) THEN 2 ELSE 3 END, "
        f"NULLIF(s, (NULL, 2)).x), ' ' ORDER BY FORMAT('%T', s.x)) FROM {S3}",
        "1/1 3/3 3/NULL",
        STR,
    ),
    # case_statement_queries:case_value_with_struct2
    (
        "SELECT CASE ct WHEN (1, 1) THEN 11 WHEN (2, 2) THEN 22 ELSE 0 END FROM (SELECT AS STRUCT 2 AS a, 2 AS b) AS ct",
        22,
        "INT64",
    ),
    # with_recursive:recursive_query_string_pattern_match: the CASE's results are one STRUCT type
    (
        "SELECT TO_JSON_STRING(ARRAY_AGG(CASE WHEN n > 1 THEN s ELSE STRUCT(0, 'z') END ORDER BY n)) FROM "
        "(SELECT 2 AS n, STRUCT(1 AS a, 'p' AS b) AS s UNION ALL SELECT 0, STRUCT(3, 'r'))",
        '[{"a":0,"b":"z"},{"a":1,"b":"p"}]',
        STR,
    ),
    (
        "SELECT TO_JSON_STRING([IF(n > 1, s, STRUCT(7, 'q')), COALESCE(CAST(NULL AS STRUCT<a INT64, b STRING>), (8, 'w'))]) "
        "FROM (SELECT 0 AS n, STRUCT(1 AS a, 'p' AS b) AS s)",
        '[{"a":7,"b":"q"},{"a":8,"b":"w"}]',
        STR,
    ),
]

TEXTS = [
    # civil_time:datetime_in_format_date: %g is the ISO year without its century
    ("FORMAT_DATE('%j %g %G', DATE '1987-08-07')", "219 87 1987", STR),
    ("FORMAT_DATE('%g', DATE '2021-01-01')", "20", STR),
    # concat_function:concat_numeric, concat_interval: CONCAT writes a value as CAST AS STRING does
    ("CONCAT(NUMERIC '99999999999999999999999.87654321')", "99999999999999999999999.87654321", STR),
    ("CONCAT('x', NUMERIC '1.50', '/', INTERVAL 1 DAY)", "x1.5/0-0 1 0:0:0", STR),
    ("CONCAT(INTERVAL '1 2 3' MONTH TO HOUR)", "0-1 2 3:0:0", STR),
    ("CONCAT('i', INTERVAL '1 2 3' MONTH TO HOUR)", "i0-1 2 3:0:0", STR),
]

RAIN = (
    "(SELECT 2001 AS year, 'spring' AS season, 9 AS inches UNION ALL SELECT 2001, 'winter', 1 UNION ALL "
    "SELECT 2000, 'fall', 3 UNION ALL SELECT 2000, 'summer', 5 UNION ALL SELECT 2000, 'spring', 7 UNION ALL "
    "SELECT 2000, 'winter', 2 UNION ALL SELECT NULL, 'fall', 100)"
)
HAVING_MIN_MAX = [
    # the aggregate-function-calls reference's example: the average of 2001's 9 and 1
    (f"SELECT AVG(inches HAVING MAX year) FROM {RAIN}", 5.0, "FLOAT64"),
    (f"SELECT SUM(inches HAVING MIN year) FROM {RAIN}", 17, "INT64"),
    # a NULL year is never the MAX; COUNT(*) counts the rows kept
    (f"SELECT COUNT(*) FROM {RAIN}", 7, "INT64"),
    (f"SELECT COUNT(season HAVING MAX year) FROM {RAIN}", 2, "INT64"),
    (
        f"SELECT ARRAY_TO_STRING(ARRAY_AGG(season HAVING MIN year ORDER BY inches DESC LIMIT 2), ',') FROM {RAIN}",
        "spring,summer",
        STR,
    ),
    (f"SELECT ARRAY_LENGTH(ARRAY_AGG(DISTINCT season HAVING MIN year)) FROM {RAIN}", 4, "INT64"),
    # per group, and a constant HAVING value keeps every row
    (
        f"SELECT STRING_AGG(FORMAT('%s:%d', season, m), ' ' ORDER BY season) FROM "
        f"(SELECT season, MAX(inches HAVING MIN year) AS m FROM {RAIN} WHERE year IS NOT NULL GROUP BY season)",
        "fall:3 spring:7 summer:5 winter:2",
        STR,
    ),
    (f"SELECT MAX(inches HAVING MAX 1) FROM {RAIN}", 100, "INT64"),
    (f"SELECT COUNT(inches HAVING MAX year) FROM {RAIN} WHERE FALSE", 0, "INT64"),
]

FAMILIES = {
    "grouped_keys": GROUPED_KEYS,
    "group_by_aliases": GROUP_BY_ALIASES,
    "struct_unions": STRUCT_UNIONS,
    "struct_cases": STRUCT_CASES,
    "texts": TEXTS,
    "having_min_max": HAVING_MIN_MAX,
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
        "SELECT SUM(x HAVING MAX x) OVER () FROM UNNEST([1, 2]) AS x",
        "HAVING MAX / HAVING MIN in an aggregate with an OVER",
    ),
    # limit_queries:limit_null, offset_null
    ("SELECT a FROM (SELECT 1 AS a) LIMIT NULL", "Limit requires non-null count and offset"),
    ("SELECT a FROM (SELECT 1 AS a) LIMIT 1 OFFSET NULL", "Limit requires non-null count and offset"),
    # aggregation_queries:aggregation_string_agg_error_2 (a BYTES aggregate too)
    ("SELECT STRING_AGG(b'b', NULL) FROM (SELECT 1)", "Argument 2 to STRING_AGG must be non-NULL"),
    # civil_time:datetime_add_positive_overflow, datetime_sub_positive_overflow
    (
        "SELECT DATETIME_ADD(DATETIME '9999-12-31 23:59:59.999999', INTERVAL 1 MICROSECOND)",
        "DATETIME value out of range",
    ),
    ("SELECT DATETIME_SUB(DATETIME '0001-01-01 00:00:00', INTERVAL 1 MICROSECOND)", "DATETIME value out of range"),
    ("SELECT DATE_ADD(DATE '9999-12-31', INTERVAL 1 DAY)", "DATE value out of range in field f0_"),
    ("SELECT [TIMESTAMP_ADD(TIMESTAMP '9999-12-31 23:59:59.999999+00', INTERVAL 1 MICROSECOND)] AS a", "field a"),
    ("SELECT STRUCT(DATE_SUB(DATE '0001-01-01', INTERVAL 1 DAY) AS d) AS s", "field s.d"),
]


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_bigquerys_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)


def test_the_ends_of_the_range_are_values(warehouse):
    sql = (
        "SELECT DATE '9999-12-31', DATE '0001-01-01', DATETIME '9999-12-31 23:59:59.999999', "
        "TIMESTAMP '0001-01-01 00:00:00+00', [DATE '9999-12-31']"
    )
    row = warehouse.query_result(sql).table.to_pylist()[0]
    assert list(row.values())[:2] == [dt.date(9999, 12, 31), dt.date(1, 1, 1)]


def test_table_columns_in_concat_and_string_agg(bigquery_client, dataset):
    """Columns whose type the schema tells: CONCAT writes them as CAST AS STRING does, and
    STRING_AGG of BYTES is BYTES (also as a window function), ZetaSQL's string_agg_BYTES_* cases."""
    table = f"{dataset.project}.{dataset.dataset_id}.mixed"
    bigquery_client.query_and_wait(f"CREATE TABLE `{table}` (b BYTES, f FLOAT64, n NUMERIC, s STRING)")
    bigquery_client.query_and_wait(
        f"INSERT INTO `{table}` VALUES (b'a', 1.0, 1.50, 'x'), (b'c', 2.5, NULL, 'y'), (NULL, NULL, 3, NULL), "
        "(b'\\xff', 1e20, 0.1, 'z')"
    )
    rows = bigquery_client.query_and_wait(
        f"SELECT STRING_AGG(b) AS x, STRING_AGG(b, b'|' ORDER BY b DESC) AS y, "
        f"STRING_AGG(CONCAT(s, ':', f, ':', n), ' ' ORDER BY s) AS c FROM `{table}`"
    )
    assert [tuple(r.values()) for r in rows] == [(b"a,c,\xff", b"\xff|c|a", "x:1:1.5 z:1e+20:0.1")]
    window = bigquery_client.query_and_wait(f"SELECT STRING_AGG(b) OVER (ORDER BY b) AS w FROM `{table}` ORDER BY b")
    assert [r["w"] for r in window] == [None, b"a", b"a,c", b"a,c,\xff"]
    schema = bigquery_client.query(f"SELECT STRING_AGG(b) AS x FROM `{table}`").result().schema
    assert schema[0].field_type == "BYTES"


def test_stddev_and_variance_of_numeric_are_exact(env):
    """stat_aggregation:*_numeric_high_prec_values: 25-digit values that differ in the last digit
    (DuckDB's doubles answered 0). A window keeps DuckDB's doubles."""
    run, ds, _ = env
    run(
        f"CREATE TABLE {ds}.hp AS SELECT 1 AS g, CAST('1000000000000000000000000.1' AS NUMERIC) AS x "
        "UNION ALL SELECT 1, CAST('1000000000000000000000000.2' AS NUMERIC) UNION ALL SELECT 2, NULL "
        "UNION ALL SELECT 3, NUMERIC '99999999999999999999999999999' UNION ALL SELECT 3, NUMERIC '-99999999999999999999999999999'"
    )
    run(
        f"CREATE TABLE {ds}.hb AS SELECT CAST('1.0000000000000001' AS BIGNUMERIC) AS x "
        "UNION ALL SELECT CAST('1.00000000000000001' AS BIGNUMERIC)"
    )
    rows = run(f"SELECT g, STDDEV_SAMP(x), VAR_POP(x), VARIANCE(x), STDDEV_POP(x) FROM {ds}.hp GROUP BY g ORDER BY g")
    assert [r[0] for r in rows] == [1, 2, 3]
    assert rows[0][1:] == pytest.approx((0.070710678118654752, 0.0025, 0.005, 0.05), rel=1e-12)
    assert rows[1][1:] == (None, None, None, None)
    # values too far apart for the decimal subtraction go through doubles, as before
    assert rows[2][2] == pytest.approx(1e58, rel=1e-12)
    (bignumeric,) = run(f"SELECT VAR_POP(x) FROM {ds}.hb")
    assert bignumeric[0] == pytest.approx(2.025e-33, rel=1e-9)


def test_a_union_of_struct_columns_matches_fields_by_position(env):
    """STRUCT columns of tables whose field names differ: the first input's names, by position
    (DuckDB merged them by name into {a, b, x, y}, half NULL); a NULL STRUCT stays NULL."""
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.sa (s STRUCT<a INT64, b STRING>)")
    run(f"CREATE TABLE {ds}.sx (s STRUCT<x INT64, y STRING>)")
    run(f"INSERT INTO {ds}.sa VALUES (STRUCT(1, 'p'))")
    run(f"INSERT INTO {ds}.sx VALUES (STRUCT(2, 'q')), (NULL)")
    rows = run(f"SELECT s FROM {ds}.sa UNION ALL SELECT s FROM {ds}.sx")
    assert sorted(rows, key=lambda r: -1 if r[0] is None else r[0]["a"]) == [
        (None,),
        ({"a": 1, "b": "p"},),
        ({"a": 2, "b": "q"},),
    ]
    named = run(f"SELECT STRUCT(0 AS k, 'z' AS v) AS s UNION ALL SELECT s FROM {ds}.sx WHERE s IS NOT NULL")
    assert sorted(named, key=lambda r: r[0]["k"]) == [({"k": 0, "v": "z"},), ({"k": 2, "v": "q"},)]
