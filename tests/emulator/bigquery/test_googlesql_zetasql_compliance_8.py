"""Wrong answers left by the ZetaSQL compliance sweep, now BigQuery's.

Each row is a ZetaSQL compliance case (groupby_queries, grouping_sets_queries, orderby_queries,
interval, civil_time, strings, safe_function, hll_count, array_functions, array_aggregation,
aggregation_queries, json_queries) or our own query, with GoogleSQL's answer, run on the local
warehouse and through the real BigQuery client:

- NaN sorted above +inf under ORDER BY keys whose type was not inferred: a UNION with an
  IEEE_DIVIDE branch, and a PIVOT's columns (sqlglot looked them up under BigQuery's names);
- ORDER BY an ARRAY was answered (ZetaSQL's ARRAY_ORDERING, which BigQuery does not have: an
  ARRAY is not orderable);
- AVG of INTERVALs spread fractions of months and days its own way (`0-0 14 25:0:0.000002` for
  ZetaSQL's `0-0 15 0:59:59.999999`); JUSTIFY_DAYS and JUSTIFY_HOURS left the two parts with
  different signs (`1-1 -5` for `1-0 25`); APPROX_COUNT_DISTINCT was DuckDB's sketch (10 of 11
  intervals, 978 of 1,000 integers) where BigQuery's HLL++ counts small inputs exactly;
- CAST / STRING / FORMAT %t of a TIME, DATETIME or TIMESTAMP wrote DuckDB's fraction (`.12`)
  where BigQuery writes 3 or 6 digits (`.120`); TO_JSON_STRING wrote `\\u001A`, not `\\u001a`;
- ASCII of a STRING starting with a non-ASCII character and TRANSLATE with a source character
  listed twice answered (SAFE. forms were not NULL); a NULL STRING_AGG separator given as a
  parameter, HLL_COUNT.MERGE of sketches of numbers and of strings, FORMAT with a pattern that is
  not a literal and takes another count of values, FLOAT64(json) with an unknown
  wide_number_mode and an array literal of arrays answered instead of failing;
- an INTERVAL whose time part exceeds 2,562,047 hours came out wrapped around (DuckDB's Arrow
  rows hold it in nanoseconds): refused by name;
- JSON_EXTRACT of TO_JSON_STRING(t) of a row was JSON with the numbers as strings;
- HLL_COUNT.MERGE_PARTIAL of only NULLs was an empty sketch, not NULL; ARRAY_SLICE with an end
  before the first element counted it from the end again (`[1, 2]`, not `[]`); FORMAT with a
  pattern that is not a literal dropped an integer's precision under the 0 flag.
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


def _ordered(query: str) -> str:
    """The values of a one-column query, as STRINGs joined in the query's order."""
    return f"SELECT STRING_AGG(CAST(v AS STRING), ',' ORDER BY o) FROM UNNEST(ARRAY({query})) AS v WITH OFFSET AS o"


NAN_ORDER = [
    # groupby_queries:groupby_orderby_desc_doubles: IEEE_DIVIDE's type is FLOAT64
    (
        _ordered(
            "SELECT x FROM (SELECT 1.0 AS x UNION ALL SELECT IEEE_DIVIDE(0, 0) UNION ALL SELECT IEEE_DIVIDE(-1, 0) "
            "UNION ALL SELECT -1.0 UNION ALL SELECT 1.0) GROUP BY x ORDER BY x DESC"
        ),
        "1,-1,-inf,nan",
        STR,
    ),
    (
        _ordered("SELECT IEEE_DIVIDE(x, 0) AS y FROM UNNEST([1, 0, -1]) AS x ORDER BY y"),
        "nan,-inf,inf",
        STR,
    ),
]

INTERVALS = [
    # interval:justify_days: the days take the months' sign
    ("CAST(JUSTIFY_DAYS(INTERVAL '1-2 -35 -48:5:6.789' YEAR TO SECOND) AS STRING)", "1-0 25 -48:5:6.789", STR),
    ("CAST(JUSTIFY_DAYS(INTERVAL '-1-2 35 0' YEAR TO HOUR) AS STRING)", "-1-0 -25 0:0:0", STR),
    # ZetaSQL's JustifyHours: the time part takes the days' sign
    ("CAST(JUSTIFY_HOURS(INTERVAL '0-0 3 -4:5:6.789' YEAR TO SECOND) AS STRING)", "0-0 2 19:54:53.211", STR),
    # interval:analytic_moving_avg, the row whose frame holds 1 MONTH and 30 DAY: the months, then
    # the months left as 30-day days, then the days left as 24-hour days, each truncated
    (
        "SELECT CAST(AVG(v) OVER (ORDER BY n ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS STRING) FROM UNNEST(["
        "INTERVAL '1:59:59.999999' HOUR TO SECOND, INTERVAL 2 HOUR, INTERVAL 1 MONTH, INTERVAL 30 DAY]) AS v "
        "WITH OFFSET AS n ORDER BY n DESC LIMIT 1",
        "0-0 15 0:59:59.999999",
        STR,
    ),
    # interval:approx_count_distinct: 1 MONTH = 30 DAY = 720 HOUR
    (
        "SELECT APPROX_COUNT_DISTINCT(v) FROM UNNEST([INTERVAL 0 YEAR, INTERVAL '0.000001' SECOND, "
        "INTERVAL -1 SECOND, INTERVAL 1 MONTH, INTERVAL 30 DAY, INTERVAL 720 HOUR, INTERVAL 10000 YEAR, "
        "INTERVAL '1-2 3 4:5:6.789' YEAR TO SECOND, INTERVAL 2 HOUR, INTERVAL '1:59:59.999999' HOUR TO SECOND, "
        "INTERVAL '1:00:00.000001' HOUR TO SECOND, INTERVAL '-0.000001' SECOND, "
        "INTERVAL '-4:5:6.789' HOUR TO SECOND]) AS v",
        11,
        "INT64",
    ),
    # BigQuery's HLL++ is exact for inputs this small (its sparse representation)
    ("SELECT APPROX_COUNT_DISTINCT(x) FROM UNNEST(GENERATE_ARRAY(1, 1000)) AS x", 1000, "INT64"),
]

TIME_TEXTS = [
    # civil_time:roundtrip_cast_between_string_and_time_common / _datetime_common
    ('CAST(TIME "01:02:03.12345" AS STRING)', "01:02:03.123450", STR),
    ('CAST(CAST("01:02:03.120000" AS TIME) AS STRING)', "01:02:03.120", STR),
    ('CAST(DATETIME "2006-01-02 01:02:03.12345" AS STRING)', "2006-01-02 01:02:03.123450", STR),
    # timestamp_with_default_time_zone: "2015-01-28 00:00:00.100+00"
    ('CAST(TIMESTAMP "2015-01-28 00:00:00.1+00" AS STRING)', "2015-01-28 00:00:00.100+00", STR),
    ('CAST(TIMESTAMP "1970-01-01 00:00:00.0001+00" AS STRING)', "1970-01-01 00:00:00.000100+00", STR),
    ('STRING(DATETIME "2001-01-01 01:01:01.5")', "2001-01-01 01:01:01.500", STR),
    ("FORMAT('%t', TIME '01:02:03.1234')", "01:02:03.123400", STR),
    ("FORMAT('%T', TIMESTAMP '2000-01-02 03:04:05.6+00')", 'TIMESTAMP "2000-01-02 03:04:05.600+00"', STR),
    # strings:to_json_string_with_escaped_field_names
    (
        "TO_JSON_STRING(STRUCT<`a\\\"in\\\"between\\\\slashes` INT64, `abca\\x00\\x01\\x1A\\x1F` STRING>(1, 'foo'))",
        '{"a\\"in\\"between\\\\slashes":1,"abca\\u0000\\u0001\\u001a\\u001f":"foo"}',
        STR,
    ),
    ("TO_JSON_STRING('a\\x1ab\\x0b')", '"a\\u001ab\\u000b"', STR),
]

VALUES = [
    # safe_function:safe_ascii, safe_translate
    ('SAFE.ASCII("\\xFF")', None, "INT64"),
    ('SAFE.TRANSLATE("apple", "aa", "bc")', None, STR),
    # hll_count:hll_count_merge_partial_only_null
    (
        "SELECT HLL_COUNT.MERGE_PARTIAL(x) FROM (SELECT CAST(NULL AS BYTES) AS x UNION ALL SELECT CAST(NULL AS BYTES))",
        None,
        "BYTES",
    ),
    # array_functions:regression_repro_b287339825
    ("ARRAY_SLICE([1, 2], -8869911617074265235, -4)", [], None),
    # strings:to_json_string_with_json_extract: TO_JSON_STRING of a row is a STRING there too
    (
        "SELECT JSON_EXTRACT(TO_JSON_STRING(t), '$.a') FROM (SELECT STRUCT([1, 2] AS c) AS a, 2 AS x) AS t",
        '{"c":[1,2]}',
        STR,
    ),
    # pivot:pivot_nondeterministic_pivot_expr: each aggregate of RAND() is its own
    ("SELECT SUM(RAND()) = SUM(RAND()) FROM UNNEST(GENERATE_ARRAY(1, 10))", False, "BOOL"),
    (
        "SELECT r1_a = r1_b AND r1_a != r2_a FROM (SELECT x FROM UNNEST([1, 1, 2]) AS x) "
        "PIVOT(SUM(RAND()) AS r1, SUM(RAND()) AS r2 FOR x IN (1 AS a, 1 AS b))",
        True,
        "BOOL",
    ),
    # strings:format_with_non_const_arg
    ("SELECT FORMAT(x, y, z) FROM (SELECT '%0.*d' AS x, 4 AS y, 12 AS z)", "0012", STR),
]

FAMILIES = {
    "nan_order": NAN_ORDER,
    "intervals": INTERVALS,
    "time_texts": TIME_TEXTS,
    "values": VALUES,
}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


ERRORS = [
    # orderby_queries:order_by_array_double_with_nan_asc: BigQuery's ARRAY is not orderable
    (
        "SELECT a FROM (SELECT [1.5] AS a UNION ALL SELECT [2.5]) ORDER BY a",
        "ORDER BY does not support expressions of type ARRAY<FLOAT64>",
    ),
    # safe_function:safe_ascii, safe_translate without SAFE.
    ('SELECT ASCII("\\xFF")', "Argument to ASCII is not a structurally valid ASCII string"),
    ('SELECT TRANSLATE("apple", "aa", "bc")', 'Duplicate character "a" in TRANSLATE source characters'),
    # hll_count:hll_count_merge_incompatible_types, hll_count_merge_partial_incompatible_types
    (
        "SELECT HLL_COUNT.MERGE(x) FROM (SELECT HLL_COUNT.INIT(x) AS x FROM UNNEST([1, 2, 3]) AS x "
        'UNION ALL SELECT HLL_COUNT.INIT(x) AS x FROM UNNEST(["foo", "bar"]) AS x)',
        "Invalid or incompatible sketch in HLL_COUNT.MERGE",
    ),
    (
        "SELECT HLL_COUNT.MERGE_PARTIAL(x) FROM (SELECT HLL_COUNT.INIT(x) AS x FROM UNNEST([1, 2, 3]) AS x "
        'UNION ALL SELECT HLL_COUNT.INIT(x) AS x FROM UNNEST(["foo", "bar"]) AS x)',
        "Invalid or incompatible sketch in HLL_COUNT.MERGE_PARTIAL",
    ),
    # strings:format_invalid_true2
    (
        "SELECT FORMAT(x, y, z) FROM (SELECT '%d' AS x, 17 AS y, 'abc' AS z) WHERE TRUE",
        'Too many arguments to FORMAT for pattern "%d"; Expected 2; Got 3',
    ),
    ("SELECT FORMAT(x, y) FROM (SELECT '%d %s' AS x, 17 AS y)", 'Too few arguments to FORMAT for pattern "%d %s"'),
    # json_queries:json_float64_invalid_wide_number_mode
    ("SELECT FLOAT64(JSON '18', wide_number_mode => 'roundish')", "Invalid `wide_number_mode` specified: roundish"),
    # interval:avg_nano_truncation3_micros, array_functions:array_avg_intervals_2: a time part
    # past 2,562,047 hours came out wrapped around; refused by name until it can be written
    (
        "SELECT INTERVAL '62113018:54:19.721996' HOUR TO SECOND",
        "An INTERVAL whose time part exceeds 2562047 hours is not supported by the local warehouse",
    ),
    ("SELECT [INTERVAL '-2562048' HOUR] AS a", "is not supported by the local warehouse"),
    # array_aggregation:array_concat_agg_array
    (
        "SELECT ARRAY_CONCAT_AGG(x) FROM (SELECT ARRAY[ARRAY[1]] x UNION ALL SELECT ARRAY[ARRAY[2]]) foo",
        "Cannot construct array with element type ARRAY<INT64> because nested arrays are not supported",
    ),
]


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_bigquerys_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)


def test_a_null_string_agg_separator_parameter_fails(warehouse, bigquery_client):
    """aggregation_queries:aggregation_string_agg_error_1_null_string_param; a separator
    parameter that is not NULL joins as before (also over a window)."""
    from google.api_core.exceptions import BadRequest
    from google.cloud import bigquery

    from llmops.core.errors import QueryError

    sql = 'SELECT STRING_AGG("s", @separator) FROM (SELECT 1)'
    with pytest.raises(QueryError, match="Illegal NULL separator in STRING_AGG"):
        warehouse.query_result(sql, {"separator": None})

    def run(query: str, value: str | None) -> list:
        config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("separator", "STRING", value)])
        return [tuple(r.values()) for r in bigquery_client.query_and_wait(query, job_config=config)]

    with pytest.raises(BadRequest, match="Illegal NULL separator in STRING_AGG"):
        run(sql, None)
    letters = "FROM UNNEST(['a', 'b']) AS x"
    assert run(f"SELECT STRING_AGG(x, @separator ORDER BY x) {letters}", "-") == [("a-b",)]
    assert run(f"SELECT STRING_AGG(x, @separator) OVER (ORDER BY x) {letters} ORDER BY x", "-") == [("a",), ("a-b",)]


def test_nan_sorts_first_under_pivot_columns(env):
    """grouping_sets_queries:grouping_sets_with_pivot: a PIVOT's FLOAT64 column sorts NULL, NaN,
    then the numbers."""
    run, ds, _ = env
    run(
        f"CREATE TABLE {ds}.simple_table AS SELECT 10 AS a, 'foo' AS b, 12.0 AS d "
        "UNION ALL SELECT 123, 'foo', CAST('NaN' AS FLOAT64) UNION ALL SELECT 123, 'bar', 1.5 "
        "UNION ALL SELECT 11, 'foo', -3.0 UNION ALL SELECT 12, 'bar', CAST(NULL AS FLOAT64)"
    )
    rows = run(f"SELECT a, foo FROM {ds}.simple_table PIVOT(SUM(d) FOR b IN ('foo', 'bar')) ORDER BY foo, a")
    assert [r[0] for r in rows] == [12, 123, 11, 10]
    descending = run(f"SELECT a FROM {ds}.simple_table PIVOT(SUM(d) FOR b IN ('foo', 'bar')) ORDER BY foo DESC, a")
    assert [r[0] for r in descending] == [10, 11, 123, 12]
