"""Silently wrong answers found by a second ZetaSQL compliance sweep, now BigQuery's.

Each row is a ZetaSQL compliance case (grouping_sets_queries, group_by_all, stat_aggregation,
aggregation_order_by_queries, strings, bytes, analytic_*) or our own query, with BigQuery's
documented answer, run on the local warehouse and through the real BigQuery client:

- an ordinal inside a parenthesised grouping set (`GROUPING SETS((1, 2))`) was two constants;
- `GROUP BY ALL` with no grouping key answered a row per input row instead of one;
- `ARRAY_AGG(x LIMIT 0)` / `STRING_AGG(s LIMIT 0)` answered `[]` / `''` instead of NULL;
- `SPLIT('', '')` answered `[]` instead of `['']`;
- CORR of one pair answered NaN instead of NULL; STDDEV_POP/VAR_POP of one infinite or NaN
  value answered 0 instead of NaN;
- a NaN with its sign bit set was written `-nan` (CAST AS STRING, FORMAT's %T);
- JSON_QUERY with a `lax` / `lax recursive` path answered NULL;
- CAST of `'1-2'`, `'PT1H2M'` and the other short and ISO 8601 forms to INTERVAL failed, and
  `'1'` was a second;
- a SUM of finite FLOAT64 values that overflows answered inf, not BigQuery's error;
- a frame on LAG/LEAD/ROW_NUMBER/RANK..., a non-constant LAG default, NTH_VALUE's n or NTILE's
  bucket count below 1 or NULL ran instead of failing.
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

INT, STR, BOOL = "INT64", "STRING", "BOOL"
AB = "UNNEST([STRUCT(1 AS a, 'x' AS b), (1, 'y')])"


def _grouped(group_by: str) -> str:
    """The rows of `SELECT a, b, COUNT(*) ... GROUP BY <group_by>` as one sorted STRING."""
    return (
        "SELECT STRING_AGG(FORMAT('%T/%T/%d', a, b, c), ' ' ORDER BY FORMAT('%T/%T/%d', a, b, c)) "
        f"FROM (SELECT a, b, COUNT(*) AS c FROM {AB} GROUP BY {group_by})"
    )


GROUPING_ORDINALS = [
    # grouping_sets_with_ordinal_columns: 1 and 2 are a and b, (1, 2) the pair
    (_grouped("GROUPING SETS(1, 2, (1, 2))"), '1/"x"/1 1/"y"/1 1/NULL/2 NULL/"x"/1 NULL/"y"/1', STR),
    (_grouped("GROUPING SETS((1, 2))"), '1/"x"/1 1/"y"/1', STR),
    (_grouped("ROLLUP((1, 2))"), '1/"x"/1 1/"y"/1 NULL/NULL/2', STR),
    (_grouped("CUBE((2), 1)"), '1/"x"/1 1/"y"/1 1/NULL/2 NULL/"x"/1 NULL/"y"/1 NULL/NULL/2', STR),
    (_grouped("GROUPING SETS(a, (b, 1))"), '1/"x"/1 1/"y"/1 1/NULL/2', STR),
    (_grouped("ROLLUP(1, 2)"), '1/"x"/1 1/"y"/1 1/NULL/2 NULL/NULL/2', STR),
    # an aliased expression: the ordinal names the expression
    (
        f"SELECT STRING_AGG(FORMAT('%T', u), ' ' ORDER BY FORMAT('%T', u)) FROM "
        f"(SELECT UPPER(b) AS u, COUNT(*) AS c FROM {AB} GROUP BY GROUPING SETS((1), ()))",
        '"X" "Y" NULL',
        STR,
    ),
]

GROUP_BY_ALL = [
    # group_by_all_no_agg_no_grouping_keys_regression_test
    ("SELECT COUNT(*) FROM (SELECT 'a' AS x FROM UNNEST([1, 2]) GROUP BY ALL)", 1, INT),
    ("SELECT COUNT(*) FROM (SELECT 'a' AS x FROM UNNEST([1, 2]) GROUP BY ALL HAVING TRUE)", 1, INT),
    ("SELECT c FROM (SELECT 'a' AS x, COUNT(*) AS c FROM UNNEST([1, 2]) GROUP BY ALL)", 2, INT),
    # a key is still a key
    ("SELECT COUNT(*) FROM (SELECT x FROM UNNEST([1, 2, 2]) AS x GROUP BY ALL)", 2, INT),
    ("SELECT COUNT(*) FROM (SELECT x + 1 AS y, SUM(x) AS s FROM UNNEST([1, 2, 2]) AS x GROUP BY ALL)", 2, INT),
]

AGG_LIMIT_ZERO = [
    # aggregation_order_by_limit_*: LIMIT 0 keeps no value, which is NULL as for no rows
    ("SELECT ARRAY_AGG(x LIMIT 0) IS NULL FROM UNNEST([1, 2]) AS x", True, BOOL),
    ("SELECT STRING_AGG(s LIMIT 0) IS NULL FROM UNNEST(['a', 'b']) AS s", True, BOOL),
    ("SELECT ARRAY_AGG(x IGNORE NULLS ORDER BY x DESC LIMIT 0) IS NULL FROM UNNEST([1, NULL]) AS x", True, BOOL),
    ("SELECT ARRAY_LENGTH(ARRAY_AGG(x ORDER BY x LIMIT 1)) FROM UNNEST([2, 1]) AS x", 1, INT),
    ("SELECT STRING_AGG(s, '-' ORDER BY s DESC LIMIT 2) FROM UNNEST(['a', 'b', 'c']) AS s", "c-b", STR),
]

SPLIT_EMPTY = [
    # strings:split_empty_delimiter, bytes:split_empty_delimiter; the reference: "Splitting an
    # empty STRING returns an ARRAY with a single empty STRING"
    ("ARRAY_LENGTH(SPLIT('', ''))", 1, INT),
    ("SPLIT('', '')[OFFSET(0)]", "", STR),
    ("ARRAY_LENGTH(SPLIT(b'', b''))", 1, INT),
    ("ARRAY_LENGTH(SPLIT('', ','))", 1, INT),
    ("ARRAY_TO_STRING(SPLIT('abc', ''), '|')", "a|b|c", STR),
    ("SPLIT(CAST(NULL AS STRING), '') IS NULL", True, BOOL),
    ("SPLIT('', CAST(NULL AS STRING)) IS NULL", True, BOOL),
    ("SELECT ARRAY_LENGTH(SPLIT(s, d)) FROM UNNEST([STRUCT('' AS s, '' AS d)])", 1, INT),
]

STATISTICS = [
    # stat_aggregation: one pair has no correlation (NULL); one infinite or NaN value, NaN
    ("SELECT CORR(y, x) IS NULL FROM UNNEST([STRUCT(1.0 AS y, 1.0 AS x)])", True, BOOL),
    ("SELECT CORR(y, x) IS NULL FROM UNNEST([STRUCT(1.0 AS y, 1.0 AS x), (NULL, 2.0), (3.0, NULL)])", True, BOOL),
    ("SELECT CORR(y, x) FROM UNNEST([STRUCT(1.0 AS y, 1.0 AS x), (2.0, 3.0), (NULL, 4.0)])", 1.0, "FLOAT64"),
    ("SELECT IS_NAN(STDDEV_POP(x)) FROM UNNEST([CAST('inf' AS FLOAT64)]) AS x", True, BOOL),
    ("SELECT IS_NAN(VAR_POP(x)) FROM UNNEST([CAST('-inf' AS FLOAT64)]) AS x", True, BOOL),
    ("SELECT IS_NAN(STDDEV_POP(x)) FROM UNNEST([CAST('nan' AS FLOAT64), NULL]) AS x", True, BOOL),
    ("SELECT VAR_POP(x) FROM UNNEST([1.0, 3.0]) AS x", 1.0, "FLOAT64"),
    # a SUM with an infinite value in it is inf as in IEEE 754 (only an overflow is an error)
    ("SELECT SUM(x) FROM UNNEST([1.7976931348623157e308, CAST('inf' AS FLOAT64)]) AS x", float("inf"), "FLOAT64"),
    ("SELECT IS_NAN(SUM(x)) FROM UNNEST([1.0, CAST('nan' AS FLOAT64)]) AS x", True, BOOL),
    ("SELECT SUM(x) FROM UNNEST([1.5, 2.5]) AS x", 4.0, "FLOAT64"),
    ("SELECT SUM(DISTINCT x) FROM UNNEST([1.5, 2.5, 2.5]) AS x", 4.0, "FLOAT64"),
    ("SELECT VAR_POP(x) FROM UNNEST([5]) AS x", 0.0, "FLOAT64"),
    ("SELECT STDDEV_POP(x) IS NULL FROM UNNEST(ARRAY<FLOAT64>[]) AS x", True, BOOL),
    (
        "SELECT STRING_AGG(FORMAT('%T', c), ',' ORDER BY x) FROM (SELECT x, CORR(x, x) OVER (ORDER BY x) AS c "
        "FROM UNNEST([1.0, 2.0]) AS x)",
        "NULL,1.0",
        STR,
    ),
    (
        "SELECT STRING_AGG(FORMAT('%T', s), ',' ORDER BY x) FROM (SELECT x, STDDEV_POP(x) OVER (ORDER BY x ROWS "
        "BETWEEN CURRENT ROW AND CURRENT ROW) AS s FROM UNNEST([1.0, CAST('inf' AS FLOAT64)]) AS x)",
        '0.0,CAST("nan" AS FLOAT64)',
        STR,
    ),
]

NAN_TEXT = [
    # a NaN with its sign bit set (inf - inf makes one) is written `nan` too; printf wrote `-nan`
    ("CAST(CAST('inf' AS FLOAT64) - CAST('inf' AS FLOAT64) AS STRING)", "nan", STR),
    ("FORMAT('%T', CAST('inf' AS FLOAT64) - CAST('inf' AS FLOAT64))", 'CAST("nan" AS FLOAT64)', STR),
    ("CAST(-CAST('nan' AS FLOAT64) AS STRING)", "nan", STR),
    ("CAST(CAST('-inf' AS FLOAT64) AS STRING)", "-inf", STR),
]

JSON_LAX = [
    # json_queries:json_query_lax_*: a lax path answers an array of what it reaches
    ("""TO_JSON_STRING(JSON_QUERY(JSON '{"a":1}', 'lax $.a'))""", "[1]", STR),
    ("""TO_JSON_STRING(JSON_QUERY(JSON '{"a":1}', 'lax recursive $.a'))""", "[1]", STR),
    ("""TO_JSON_STRING(JSON_QUERY(JSON '{"a":[{"b":1}, [{"b":2}], [[{"b":3}]]]}', 'LAx   $.a.b'))""", "[1]", STR),
    (
        """TO_JSON_STRING(JSON_QUERY(JSON '{"a":[{"b":1}, [{"b":2}], [[{"b":3}]]]}', 'Recursive  lax $.a.b'))""",
        "[1,2,3]",
        STR,
    ),
    ("""TO_JSON_STRING(JSON_QUERY(JSON '{"a":1}', 'lax $.b'))""", "[]", STR),
    ("""TO_JSON_STRING(JSON_QUERY(JSON '{"a":1}', 'lax $.a[0]'))""", "[1]", STR),
    ("""JSON_TYPE(JSON_QUERY(JSON '{"a":1}', 'lax $.a'))""", "array", STR),
    # a STRING in, a STRING out, as for a strict path
    ("""JSON_QUERY('{"a":{"b":[1,2]}}', 'lax $.a.b[1]')""", "[2]", STR),
    ("""TO_JSON_STRING(JSON_QUERY(JSON '{"a":1}', '$.a'))""", "1", STR),
]

INTERVAL_TEXT = [
    # interval:cast, interval:safe_cast: every form ZetaSQL's IntervalValue::Parse reads
    ("CAST(CAST('-1-2 -3 -4:5:6.789' AS INTERVAL) AS STRING)", "-1-2 -3 -4:5:6.789", STR),
    ("CAST(CAST('P1Y2M3DT4H5M6.789S' AS INTERVAL) AS STRING)", "1-2 3 4:5:6.789", STR),
    ("CAST(SAFE_CAST('1-2' AS INTERVAL) AS STRING)", "1-2 0 0:0:0", STR),
    ("CAST(SAFE_CAST('PT1H2M' AS INTERVAL) AS STRING)", "0-0 0 1:2:0", STR),
    ("SAFE_CAST('1' AS INTERVAL) IS NULL", True, BOOL),
    ("SAFE_CAST('P1' AS INTERVAL) IS NULL", True, BOOL),
    ("CAST(CAST('P2W' AS INTERVAL) AS STRING)", "0-0 14 0:0:0", STR),
    ("CAST(CAST('3 4:5:6' AS INTERVAL) AS STRING)", "0-0 3 4:5:6", STR),
    ("CAST(CAST('14 3 4' AS INTERVAL) AS STRING)", "1-2 3 4:0:0", STR),
    ("CAST(CAST('1-2 3 4:5:6.123456789' AS INTERVAL) AS STRING)", "1-2 3 4:5:6.123456", STR),
]

FAMILIES = {
    "grouping_ordinals": GROUPING_ORDINALS,
    "group_by_all": GROUP_BY_ALL,
    "agg_limit_zero": AGG_LIMIT_ZERO,
    "split_empty": SPLIT_EMPTY,
    "statistics": STATISTICS,
    "nan_text": NAN_TEXT,
    "json_lax": JSON_LAX,
    "interval_text": INTERVAL_TEXT,
}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


V = "UNNEST([1, 2]) AS x"
REFUSED = [
    # analytic_lag:lag_window_frame, analytic_row_number:row_number_3 (ZetaSQL's messages)
    (
        f"SELECT LAG(x) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM {V}",
        "Window framing clause is not allowed for analytic function lag",
    ),
    (
        f"SELECT LEAD(x, 2) OVER w FROM {V} WINDOW w AS (ORDER BY x ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)",
        "Window framing clause is not allowed for analytic function lead",
    ),
    (f"SELECT ROW_NUMBER() OVER (ROWS 2 PRECEDING) FROM {V}", "not allowed for analytic function row_number"),
    (f"SELECT RANK() OVER (ORDER BY x RANGE UNBOUNDED PRECEDING) FROM {V}", "not allowed for analytic function rank"),
    (f"SELECT NTILE(2) OVER (ORDER BY x ROWS 1 PRECEDING) FROM {V}", "not allowed for analytic function ntile"),
    (
        f"SELECT LAG(x, 1, x) OVER (ORDER BY x) FROM {V}",
        "The third argument (the default expression) to LAG must be constant",
    ),
    # analytic_nth_value:nth_value_zero_n/_null_n, analytic_ntile:ntile_null_bucket_count
    (f"SELECT NTH_VALUE(x, 0) OVER (ORDER BY x) FROM {V}", "The N value for the NthValue function must be positive"),
    (
        f"SELECT NTH_VALUE(x, CAST(NULL AS INT64)) OVER (ORDER BY x) FROM {V}",
        "The N value for the NthValue function must not be NULL",
    ),
    (
        f"SELECT NTILE(CAST(NULL AS INT64)) OVER (ORDER BY x) FROM {V}",
        "The N value (number of buckets) for the NTILE function must not be NULL",
    ),
    (f"SELECT NTILE(-1) OVER (ORDER BY x) FROM {V}", "for the NTILE function must be positive"),
    # json_queries:json_query_lax_invalid_keywords_*
    (
        """SELECT JSON_QUERY(JSON '{"a":1}', 'lax LAX $.a.b')""",
        "JSONPath must start with zero or more unique modifiers",
    ),
    ("""SELECT JSON_QUERY(JSON '{"a":1}', 'recursive $.a.b')""", "The 'lax' modifier must be included if 'recursive'"),
    # aggregation_queries:aggregation_sum_6, analytic_sum_double_overflow_*: BigQuery's error
    ("SELECT SUM(x) FROM UNNEST([1.7976931348623157e308, 1.7976931348623157e308]) AS x", "double overflow"),
    (
        "SELECT SUM(x) OVER (ORDER BY x) FROM UNNEST([1.7976931348623157e308, 1.7976931348623157e308]) AS x",
        "double overflow",
    ),
    # a text no INTERVAL form reads (DuckDB read '1' as a second, '1 day' as a day)
    ("SELECT CAST('1' AS INTERVAL)", "Invalid INTERVAL value '1'"),
    ("SELECT CAST('1 day' AS INTERVAL)", "Invalid INTERVAL value '1 day'"),
    # ZetaSQL's analyzer: GROUP BY is out of SELECT column number range
    (
        f"SELECT a, COUNT(*) FROM {AB} GROUP BY GROUPING SETS((1, 3))",
        "GROUP BY is out of SELECT column number range: 3",
    ),
]


@pytest.mark.parametrize("sql, fragment", REFUSED, ids=[f"refused-{i}" for i in range(len(REFUSED))])
def test_refused_as_bigquery_refuses(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)


ALLOWED = [
    # frames where GoogleSQL takes them, a constant default, n from a parameterless literal
    (f"SELECT SUM(x) OVER (ORDER BY x ROWS 1 PRECEDING) FROM {V} ORDER BY 1 DESC LIMIT 1", 3),
    (
        f"SELECT FIRST_VALUE(x) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM {V} ORDER BY 1 DESC LIMIT 1",
        1,
    ),
    (f"SELECT LAG(x, 1, -1) OVER (ORDER BY x) FROM {V} ORDER BY 1 LIMIT 1", -1),
    (f"SELECT NTH_VALUE(x, 2) OVER (ORDER BY x) FROM {V} ORDER BY 1 DESC LIMIT 1", 2),
    (f"SELECT LAG(x) OVER w FROM {V} WINDOW w AS (ORDER BY x) ORDER BY 1 DESC LIMIT 1", 1),
]


@pytest.mark.parametrize("sql, want", ALLOWED, ids=[f"allowed-{i}" for i in range(len(ALLOWED))])
def test_what_googlesql_allows_still_runs(warehouse, sql, want):
    check_locally(warehouse, sql, want, INT)
