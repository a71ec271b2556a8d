"""Errors BigQuery raises where DuckDB answered a value: FLOAT64 +, -, *, / of finite values with a
non-finite result ("double overflow"; SAFE_ADD and friends give NULL, IEEE_DIVIDE and inf/NaN
operands keep IEEE 754's answer), REPEAT/LPAD/RPAD with more than 1 MB of output (which exhausted
the emulator's memory), GENERATE_DATE_ARRAY / GENERATE_TIMESTAMP_ARRAY with a zero step,
FORMAT with more or fewer values than its pattern takes (DuckDB's printf ignored extra values),
a TIME text of hour 24 and a DATETIME text with a zone (DuckDB answered 00:00:00, dropped the zone),
a cast to STRING(L)/BYTES(L) of a longer value, and STRING_AGG with a NULL separator. The
expectations are ZetaSQL's (arithmetics.h CheckFloatOverflow, string.cc kMaxOutputSize, the
compliance tests named below), each run on the local warehouse and through the real BigQuery
client against the emulator (an error as the client sees it: a 400 with BigQuery's message).
"""

from __future__ import annotations

import datetime

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    check_locally,
    check_through_client,
    single_value,
)

from llmops.core.errors import QueryError

F, INT, S = "FLOAT64", "INT64", "STRING"
INF = float("inf")

# (query, a fragment of BigQuery's message)
ERRORS = [
    # arithmetic_functions.test arithmetic_functions_14
    ("SELECT 1e300 / 1e-300", "double overflow: 1e+300 / 1e-300"),
    ("SELECT 1e308 * 10", "double overflow"),
    ("SELECT -1e308 - 1e308", "double overflow"),
    ("SELECT 1.7e308 + 1.7e308", "double overflow"),
    # an overflow inside the expression, hidden by a later operator in IEEE 754
    ("SELECT 1 / (1e308 * 10)", "double overflow"),
    ("SELECT (1e308 * 10) * 0", "double overflow"),
    ("SELECT x * 10 FROM UNNEST([1.0, 1e308]) AS x", "double overflow"),
    ("SELECT x + x FROM UNNEST([1.5e308]) AS x", "double overflow"),
    # strings.test strings_function_repeat_mem_error; string.cc's limits for LPAD/RPAD
    ("SELECT REPEAT('abc', 1000000000)", "Output of REPEAT exceeds max allowed output size of 1MB"),
    ("SELECT REPEAT('abc', 1000000000000000000)", "Output of REPEAT exceeds max allowed output size of 1MB"),
    ("SELECT REPEAT(s, 600000) FROM UNNEST(['é']) AS s", "Output of REPEAT exceeds max allowed output size"),
    ("SELECT LPAD('', 1000000000)", "Output of LPAD/RPAD exceeds max allowed output size of 1MB"),
    ("SELECT RPAD('a', n) FROM UNNEST([1048577]) AS n", "Output of LPAD/RPAD exceeds max allowed output size"),
    # strings.test format_invalid_true2; format.cc counts the pattern among the arguments
    ("SELECT FORMAT('%d', 17, 'abc')", 'Too many arguments to FORMAT for pattern "%d"; Expected 2; Got 3'),
    ("SELECT FORMAT('abc', 1)", 'Too many arguments to FORMAT for pattern "abc"; Expected 1; Got 2'),
    ("SELECT FORMAT('%d and %s', 1)", 'Too few arguments to FORMAT for pattern "%d and %s"; Expected 3; Got 2'),
    ("SELECT FORMAT('%*d', 5)", 'Too few arguments to FORMAT for pattern "%*d"; Expected 3; Got 2'),
    # analytic_lag.test / analytic_lead.test *_negative_offset, *_null_offset (DuckDB: LAG(x, -1) was LEAD)
    (
        "SELECT LAG(x, -1) OVER (ORDER BY x) FROM UNNEST([1, 2]) AS x",
        "The offset to the function LAG must not be negative",
    ),
    (
        "SELECT LEAD(x, CAST(NULL AS INT64)) OVER (ORDER BY x) FROM UNNEST([1, 2]) AS x",
        "The offset to the function LEAD must not be null",
    ),
    # interval.test make_interval_overflow; ZetaSQL's IntervalValue limits for the other two parts
    (
        "SELECT MAKE_INTERVAL(year => 10000, month => 1)",
        "Interval field months '120001' is out of range -120000 to 120000",
    ),
    ("SELECT MAKE_INTERVAL(day => d) FROM UNNEST([4000000]) AS d", "Interval field days '4000000' is out of range"),
    ("SELECT MAKE_INTERVAL(hour => 87840001)", "Interval field nanoseconds '316224003600000000000' is out of range"),
    # approx_aggregation.test approx_quantiles_invalid_*: a count of 10^8 built 10^8 quantile
    # points and exhausted the emulator's memory
    (
        "SELECT APPROX_QUANTILES(x, 100000000) FROM UNNEST([1]) AS x",
        "The second argument to APPROX_QUANTILES function cannot be greater than 100000",
    ),
    ("SELECT APPROX_QUANTILES(x, -1) FROM UNNEST([1]) AS x", "APPROX_QUANTILES function must be positive"),
    ("SELECT APPROX_QUANTILES(x, NULL) FROM UNNEST([1]) AS x", "APPROX_QUANTILES function must not be NULL"),
    # approx_aggregation.test approx_top_count_invalid_*, approx_top_sum_invalid_*, *_weight
    ("SELECT APPROX_TOP_COUNT(x, 0) FROM UNNEST([1]) AS x", "APPROX_TOP_COUNT function must be positive"),
    (
        "SELECT APPROX_TOP_SUM(x, x, 100001) FROM UNNEST([1]) AS x",
        "The second argument to APPROX_TOP_SUM function cannot be greater than 100000",
    ),
    (
        "SELECT APPROX_TOP_SUM(x, -1, 1) FROM UNNEST([1]) AS x",
        "APPROX_TOP_SUM does not support negative or NaN weights in the second argument; got -1",
    ),
    (
        "SELECT APPROX_TOP_SUM(x, x, 1) FROM UNNEST([CAST('nan' AS FLOAT64)]) AS x",
        "APPROX_TOP_SUM does not support negative or NaN weights in the second argument; got nan",
    ),
    # array_functions.test generate_*_array_*_zero_step
    ("SELECT GENERATE_DATE_ARRAY('2016-01-01', '2017-01-01', INTERVAL 0 DAY)", "Sequence step cannot be 0."),
    ("SELECT GENERATE_DATE_ARRAY('2016-01-01', '2017-01-01', INTERVAL 0 MONTH)", "Sequence step cannot be 0."),
    (
        "SELECT GENERATE_TIMESTAMP_ARRAY('2016-01-01', '2017-01-01', INTERVAL s DAY) FROM UNNEST([0]) AS s",
        "Sequence step cannot be 0.",
    ),
    # cast_function.test cast_overflowing_literal_to_civil_time, ..._with_civil_time_enabled,
    # cast_string_type_parameters_invalid_input, cast_array_type_parameters_invalid_input
    ("SELECT CAST('24:00:00' AS TIME)", 'Invalid time string "24:00:00"'),
    ("SELECT TIME '24:00:00'", 'Invalid time string "24:00:00"'),
    ("SELECT CAST('2006-01-02 01:02:03.123456 UTC' AS DATETIME)", "Invalid datetime string"),
    ("SELECT DATETIME '2020-01-01 00:00:00+05'", "Invalid datetime string"),
    ("SELECT CAST(123456 AS STRING(5))", "STRING(5) has maximum length 5 but got a value with length 6"),
    (
        "SELECT CAST(['hello', 'hi'] AS ARRAY<STRING(2)>)",
        "STRING(2) has maximum length 2 but got a value with length 5",
    ),
    ("SELECT CAST(b'abc' AS BYTES(2))", "BYTES(2) has maximum length 2 but got a value with length 3"),
    # aggregation_queries.test aggregation_string_agg_error_1 (DuckDB joined without a separator)
    ("SELECT STRING_AGG('s', NULL) FROM (SELECT 1)", "Argument 2 to STRING_AGG must be non-NULL"),
]

# (expression or query, BigQuery's value, its type)
VALUES = [
    # SAFE_ forms answer NULL where the operator fails (mathematical_functions.md)
    ("SAFE_ADD(1.7e308, 1.7e308)", None, F),
    ("SAFE_SUBTRACT(-1.7e308, 1.7e308)", None, F),
    ("SAFE_MULTIPLY(1e308, 10)", None, F),
    ("SAFE_DIVIDE(1e300, 1e-300)", None, F),
    ("SAFE_ADD(1, 2)", 3, INT),
    # inf / NaN operands propagate; IEEE_DIVIDE keeps IEEE 754's answers
    ("CAST('inf' AS FLOAT64) * 2", INF, F),
    ("SAFE_ADD(CAST('inf' AS FLOAT64), 1)", INF, F),
    ("CAST('-inf' AS FLOAT64) - 1e308", -INF, F),
    ("IEEE_DIVIDE(1e300, 1e-300)", INF, F),
    ("1e308 * 1.5 / 2", 7.5e307, F),
    ("2 * 3 + 4", 10, INT),
    ("LENGTH(REPEAT('x', 1048576))", 1048576, INT),
    ("LENGTH(LPAD('a', 1048576))", 1048576, INT),
    ("REPEAT('', 100000000000)", "", S),
    ("ARRAY_LENGTH(GENERATE_DATE_ARRAY('2016-01-01', '2016-01-05', INTERVAL 2 DAY))", 3, INT),
    ("GENERATE_DATE_ARRAY('2016-01-01', '2016-01-02')[OFFSET(1)]", datetime.date(2016, 1, 2), "DATE"),
    ("FORMAT('%*d|%d%%', 4, 42, 7)", "  42|7%", S),
    # MAKE_INTERVAL of columns (sqlglot wrote the column names into an INTERVAL string) and named parts
    ("(SELECT CAST(MAKE_INTERVAL(y, 1, d) AS STRING) FROM UNNEST([1]) AS y, UNNEST([2]) AS d)", "1-1 2 0:0:0", S),
    ("CAST(MAKE_INTERVAL(day => 4, year => 1) AS STRING)", "1-0 4 0:0:0", S),
    ("CAST(MAKE_INTERVAL(minute => -90, second => 5) AS STRING)", "0-0 0 -1:29:55", S),
    ("CAST(MAKE_INTERVAL(hour => 87840000) AS STRING)", "0-0 0 87840000:0:0", S),
    ("IF(FALSE, MAKE_INTERVAL(10001), NULL) IS NULL", True, "BOOL"),
    # the arity error is raised per row, as BigQuery's: no row, no error
    ("(SELECT COUNT(FORMAT('%d', x, 2)) FROM UNNEST([1]) AS x WHERE x > 5)", 0, INT),
    ("SAFE.FORMAT('%d', 1, 2)", None, S),
    # SAFE_CAST of the refused casts is NULL; valid ones are unchanged
    ("SAFE_CAST('24:00:00' AS TIME)", None, "TIME"),
    ("SAFE_CAST('abcdef' AS STRING(3))", None, S),
    ("CAST(TIME '23:59:59.999999' AS STRING)", "23:59:59.999999", S),
    ("CAST(DATETIME '2020-01-01T10:00:00' AS STRING)", "2020-01-01 10:00:00", S),
    ("CAST(12345 AS STRING(5))", "12345", S),
    ("ARRAY_LENGTH(CAST(['he', 'hi'] AS ARRAY<STRING(2)>))", 2, INT),
]


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_local_warehouse_raises(warehouse, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)


@pytest.mark.parametrize("sql, fragment", ERRORS[::3])
def test_bigquery_client_sees_the_error(bigquery_client, sql, fragment):
    assert_fails_through_client(bigquery_client, sql, fragment)


@pytest.mark.parametrize("offset, fragment", [(-1, "must not be negative"), (None, "must not be null")])
def test_lag_offset_from_a_parameter_is_checked(warehouse, offset, fragment):
    sql = "SELECT LAG(x, @offset) OVER (ORDER BY x) AS l FROM UNNEST([1, 2, 3]) AS x"
    with pytest.raises(QueryError, match=fragment):
        warehouse.query(sql, {"offset": offset})


def test_typed_query_parameters_are_checked_only_when_they_can_be_float64(warehouse, bigquery_client):
    from google.cloud import bigquery

    from llmops.emulator.bigquery import googlesql

    # an INT64 parameter is CAST($x AS BIGINT): integer arithmetic, left as DuckDB runs it
    assert "TYPEOF" not in googlesql.translate("SELECT @x + 1", param_types={"x": "INT64"}).sql
    assert "TYPEOF" in googlesql.translate("SELECT @x + 1", param_types={"x": "FLOAT64"}).sql
    config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("x", "FLOAT64", 1e308)])
    with pytest.raises(Exception, match="double overflow"):
        bigquery_client.query_and_wait("SELECT @x * 10", job_config=config)
    config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("x", "INT64", 41)])
    assert list(bigquery_client.query_and_wait("SELECT @x + 1 AS y", job_config=config))[0]["y"] == 42


@pytest.mark.parametrize(
    "count, want",
    [
        (2, [1, 2, 3]),
        (4, [1, 1, 2, 3, 3]),
        (-1, "must be positive"),
        (None, "must not be NULL"),
        (100000000, "cannot be greater than 100000"),
    ],
)
def test_approx_quantiles_count_from_a_parameter(warehouse, count, want):
    sql = "SELECT APPROX_QUANTILES(x, @count) AS q FROM UNNEST([1, 2, 3]) AS x"
    if isinstance(want, str):
        with pytest.raises(QueryError, match=want):
            warehouse.query(sql, {"count": count})
    else:
        assert warehouse.query(sql, {"count": count}).to_pylist() == [{"q": want}]


@pytest.mark.parametrize("count", [0, -1, None, 100000000])
def test_approx_top_counts_from_a_parameter_are_checked(warehouse, count):
    for sql in (
        "SELECT APPROX_TOP_COUNT(x, @c) FROM UNNEST([1]) AS x",
        "SELECT APPROX_TOP_SUM(x, x, @c) FROM UNNEST([1]) AS x",
    ):
        with pytest.raises(QueryError, match="The second argument to APPROX_TOP_"):
            warehouse.query(sql, {"c": count})


def test_approx_top_count_counts_a_group_of_only_nulls(warehouse):
    # approx_aggregation.test approx_top_count_includes_nulls (it answered [])
    rows = warehouse.query("SELECT APPROX_TOP_COUNT(x, 2) AS t FROM UNNEST([NULL, NULL, NULL]) AS x").to_pylist()
    assert rows == [{"t": [{"value": None, "count": 3}]}]


def test_lag_and_lead_with_valid_offsets_still_answer(warehouse):
    sql = "SELECT LAG(x, @n) OVER (ORDER BY x) AS l, LEAD(x, 0) OVER (ORDER BY x) AS d FROM UNNEST([1, 2, 3]) AS x"
    rows = warehouse.query(sql, {"n": 2}).to_pylist()
    assert [(r["l"], r["d"]) for r in rows] == [(None, 1), (None, 2), (1, 3)]


def test_safe_prefix_turns_the_errors_into_null(warehouse):
    got, _ = single_value(warehouse, "SELECT SAFE.REPEAT('x', 2000000)")
    assert got is None


@pytest.mark.parametrize("sql, want, typ", VALUES)
def test_local_warehouse_values(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


def test_bigquery_client_values(bigquery_client):
    check_through_client(bigquery_client, VALUES)


@pytest.mark.parametrize(
    "value, fragment",
    [(None, "Limit requires non-null count and offset"), (-1, "Limit requires non-negative count and offset")],
)
def test_a_null_or_negative_limit_parameter_is_an_error(warehouse, bigquery_client, value, fragment):
    """limit_queries.test param_limit_null / param_offset_null: DuckDB took a NULL LIMIT as none."""
    from google.api_core.exceptions import BadRequest
    from google.cloud import bigquery

    for sql in ("SELECT x FROM UNNEST([1, 2, 3]) AS x LIMIT @n", "SELECT x FROM UNNEST([1, 2]) AS x LIMIT 1 OFFSET @n"):
        with pytest.raises(QueryError, match=fragment):
            warehouse.query(sql, {"n": value})
        config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("n", "INT64", value)])
        with pytest.raises(BadRequest, match=fragment):
            bigquery_client.query_and_wait(sql, job_config=config)
    rows = warehouse.query("SELECT x FROM UNNEST([1, 2, 3]) AS x ORDER BY x LIMIT @n", {"n": 2}).to_pylist()
    assert rows == [{"x": 1}, {"x": 2}]
