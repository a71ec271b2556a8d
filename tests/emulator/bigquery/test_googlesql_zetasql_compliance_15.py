"""GoogleSQL the fourteenth ZetaSQL compliance sweep (its engine errors) found answered or refused
differently from BigQuery:

- a DISTINCT aggregate ordered by its own argument (`ARRAY_AGG(DISTINCT x + 1 ORDER BY x + 1)`,
  `STRING_AGG(DISTINCT CAST(x * 2 AS STRING), '-' ORDER BY ...)`) failed with DuckDB's "In a
  DISTINCT aggregate, ORDER BY expressions must appear in the argument list" whenever the argument
  was arithmetic, a cast or a date function (the translation's overflow and range checks are
  volatile to DuckDB); one ordered by another expression is refused in BigQuery's words;
- `FLOAT64(json)` rounds a wide JSON number by default (the reference: `wide_number_mode` is
  `'round'` by default, and `FLOAT64(JSON '18446744073709551615')` is 1.8446744073709552e+19); it
  failed as 'exact' does, and 'exact' answered 2^53 + 1 rounded;
- PARSE_JSON's `wide_number_mode` may be any STRING expression ("a named argument with a STRING
  value"), not only a literal;
- HLL_COUNT.INIT's precision may be a query parameter;
- `INTERVAL @n DAY` (DATE_ADD's usual form with a parameter) was refused as "A valid date part
  name is required but found n";
- DATE_BUCKET, DATETIME_BUCKET and TIMESTAMP_BUCKET of a NULL width are NULL (they were refused as
  "a bucket width other than a single-part INTERVAL literal");
- `MAX(y HAVING MAX z)` (HAVING MAX/MIN) as a PIVOT aggregate was a syntax error of the local SQL;
- a subquery inside a PIVOT aggregate, which DuckDB's PIVOT cannot compute, is a named refusal;
- `JOIN UNNEST(...) AS id USING (id)`: the bare `id` read the UNNEST's value, not the join's one
  column (silently NULL in a FULL or RIGHT JOIN's rows, and `SELECT *` had two `id` columns).

Each row is our own query with the answer (or the error) Google's GoogleSQL reference gives, run on
the local warehouse and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import datetime as dt

import pytest
from google.cloud import bigquery
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

from llmops.core.errors import QueryError

INT, FLOAT, STR = "INT64", "FLOAT64", "STRING"

# ARRAY_AGG / STRING_AGG (DISTINCT e ORDER BY e): "an aggregate function that has both DISTINCT and
# ORDER BY arguments can only ORDER BY expressions that are arguments to the function"
DISTINCT_ORDERED = [
    ("SELECT ARRAY_AGG(DISTINCT x + 1 ORDER BY x + 1) FROM UNNEST([3, 1, 3, 2]) AS x", [2, 3, 4], INT),
    ("SELECT ARRAY_AGG(DISTINCT x * 2 ORDER BY x * 2 DESC) FROM UNNEST([3, 1, 3, 2]) AS x", [6, 4, 2], INT),
    (
        "SELECT ARRAY_AGG(DISTINCT x + y ORDER BY x + y) FROM UNNEST([1, 2, 3]) AS x, UNNEST([5, 6, 7]) AS y",
        [6, 7, 8, 9, 10],
        INT,
    ),
    ("SELECT ARRAY_AGG(DISTINCT f / 2 ORDER BY f / 2 DESC) FROM UNNEST([1.5, 2.5, 1.5]) AS f", [1.25, 0.75], FLOAT),
    (
        "SELECT STRING_AGG(DISTINCT CAST(x * 2 AS STRING), '-' ORDER BY CAST(x * 2 AS STRING) DESC LIMIT 2) "
        "FROM UNNEST([1, 2, 3, 3]) AS x",
        "6-4",
        STR,
    ),
]

# FLOAT64(json): wide_number_mode 'round' by default
JSON_FLOAT64 = [
    ("SELECT FLOAT64(JSON '18446744073709551615')", 1.8446744073709552e19, FLOAT),
    ("SELECT FLOAT64(j) FROM (SELECT JSON '[1e3, 9223372036854775807]'[1] AS j)", 9.223372036854776e18, FLOAT),
]

# PARSE_JSON(text, wide_number_mode => <a STRING expression>)
PARSE_JSON_MODES = [
    (
        "SELECT TO_JSON_STRING(PARSE_JSON('2.2412421353246235436', wide_number_mode => m)) FROM (SELECT 'round' AS m)",
        "2.2412421353246237",
        STR,
    ),
    (
        "SELECT TO_JSON_STRING(PARSE_JSON('[123]', wide_number_mode => CONCAT('ex', m))) FROM (SELECT 'act' AS m)",
        "[123]",
        STR,
    ),
]

# HAVING MAX / HAVING MIN in a PIVOT aggregate: per pivot value, the rows with the greatest z
_PIVOTED = (
    "FROM (SELECT 1 AS x, 10 AS y, 1 AS z UNION ALL SELECT 1, 20, 2 UNION ALL SELECT 1, 30, 2 "
    "UNION ALL SELECT 2, 5, 9) PIVOT(SUM(y HAVING MAX z) AS s FOR x IN (1, 2))"
)
PIVOT_HAVING = [
    (f"SELECT s_1 {_PIVOTED}", 50, INT),
    (f"SELECT s_2 {_PIVOTED}", 5, INT),
    (
        "SELECT lo_1 FROM (SELECT 1 AS x, 10 AS y, 1 AS z UNION ALL SELECT 1, 20, 1 UNION ALL SELECT 1, 30, 2) "
        "PIVOT(MAX(y HAVING MIN z) AS lo FOR x IN (1))",
        20,
        INT,
    ),
]

# DATE_BUCKET / DATETIME_BUCKET / TIMESTAMP_BUCKET with a NULL bucket width: NULL
NULL_BUCKETS = [
    ("DATE_BUCKET(DATE '2020-02-15', NULL)", None, "DATE"),
    ("DATETIME_BUCKET(DATETIME '2020-02-15 14:57:39', NULL, DATETIME '2150-12-11 07:00:00')", None, "DATETIME"),
    ("TIMESTAMP_BUCKET(TIMESTAMP '2020-01-01', CAST(NULL AS INTERVAL))", None, "TIMESTAMP"),
]

# JOIN ... USING (id) where an UNNEST is named `id`: one column `id`, COALESCE of both sides in a FULL
# JOIN ("USING clause"; the UNNEST's own `id` was read: NULL where only the table's row was there)
_T = "(SELECT 1 AS id, 'x' AS v UNION ALL SELECT 2, 'y')"
USING_UNNESTS = [
    (
        f"SELECT STRING_AGG(CAST(id AS STRING), ',' ORDER BY id) FROM {_T} AS t FULL JOIN UNNEST([1, 3]) AS id USING (id)",
        "1,2,3",
        STR,
    ),
    (
        f"SELECT TO_JSON_STRING(j) FROM (SELECT * FROM {_T} AS t RIGHT JOIN UNNEST([1, 3]) AS id USING (id)) AS j WHERE id = 3",
        '{"id":3,"v":null}',
        STR,
    ),
    (
        "SELECT COUNT(a) FROM UNNEST(CAST(NULL AS ARRAY<INT64>)) AS a RIGHT JOIN UNNEST([1, 1, 2, NULL]) AS a USING (a)",
        3,
        INT,
    ),
]

FAMILIES = {
    "distinct_ordered": DISTINCT_ORDERED,
    "json_float64": JSON_FLOAT64,
    "parse_json_modes": PARSE_JSON_MODES,
    "pivot_having": PIVOT_HAVING,
    "null_buckets": NULL_BUCKETS,
    "using_unnests": USING_UNNESTS,
}
ROWS = case_params(FAMILIES)

REFUSED = [
    pytest.param(
        "SELECT ARRAY_AGG(DISTINCT x ORDER BY y) FROM UNNEST([STRUCT(1 AS x, 2 AS y)])",
        "An aggregate function that has both DISTINCT and ORDER BY arguments can only ORDER BY expressions "
        "that are arguments to the function",
        id="distinct_ordered_by_another",
    ),
    pytest.param(
        "SELECT FLOAT64(JSON '9007199254740993', wide_number_mode => 'exact')",
        "9007199254740993 cannot be converted to FLOAT64 without loss of precision",
        id="float64_exact_past_2_53",
    ),
    pytest.param(
        "SELECT PARSE_JSON('1', wide_number_mode => m) FROM (SELECT 'EXACT' AS m)",
        "Invalid `wide_number_mode` specified: EXACT",
        id="parse_json_mode_case",
    ),
    pytest.param(
        "SELECT PARSE_JSON('{\"id\": 922337203685477580701}', wide_number_mode => m) FROM (SELECT 'exact' AS m)",
        "without loss of precision",
        id="parse_json_mode_exact",
    ),
    pytest.param(
        "SELECT * FROM (SELECT 0 AS x, 100 AS y) PIVOT(SUM((SELECT 1)) FOR x IN (0, 1))",
        "a subquery inside a PIVOT aggregate is not supported by the local warehouse",
        id="pivot_subquery",
    ),
]


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


@pytest.mark.parametrize("sql, fragment", REFUSED)
def test_refused_locally(warehouse, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)


@pytest.mark.parametrize("sql, fragment", REFUSED)
def test_refused_through_client(bigquery_client, sql, fragment):
    assert_fails_through_client(bigquery_client, sql, fragment)


# HLL_COUNT.INIT(input, precision): the precision a query parameter, from 10 to 24
_HLL = "SELECT HLL_COUNT.EXTRACT(HLL_COUNT.INIT(x, @precision)) AS n FROM UNNEST([10, 11, 12, 12]) AS x"


def test_hll_precision_parameter(warehouse, bigquery_client):
    assert warehouse.query_result(_HLL, {"precision": 15}).table.to_pylist() == [{"n": 3}]
    with pytest.raises(QueryError, match="precision"):
        warehouse.query_result(_HLL, {"precision": 30}).table.to_pylist()
    config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("precision", "INT64", 12)])
    assert [tuple(r.values()) for r in bigquery_client.query_and_wait(_HLL, job_config=config)] == [(3,)]


# INTERVAL @n DAY: the date part after a query parameter (it was read as the part `n`: "A valid date
# part name is required but found n")
_ADD = "SELECT DATE_ADD(DATE '2020-01-01', INTERVAL @n DAY) AS d, DATE_SUB(DATE '2020-01-01', INTERVAL @n MONTH) AS e"


def test_interval_of_parameter(warehouse, bigquery_client):
    want = [(dt.date(2020, 1, 4), dt.date(2019, 10, 1))]
    assert [tuple(r.values()) for r in warehouse.query_result(_ADD, {"n": 3}).table.to_pylist()] == want
    config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("n", "INT64", 3)])
    assert [tuple(r.values()) for r in bigquery_client.query_and_wait(_ADD, job_config=config)] == want
