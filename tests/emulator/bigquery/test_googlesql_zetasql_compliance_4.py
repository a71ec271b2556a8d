"""Silently wrong answers left by the fifth ZetaSQL compliance sweep, now BigQuery's.

- FORMAT's %T of a STRING wrote control characters raw and always used double quotes; it is
  GoogleSQL's literal (ZetaSQL's ToStringLiteral): `"a\\nb"`, `'say "hi"'`, `"\\x01"`;
- `FORMAT('%0.*d', 4, 12)` dropped the precision ("12"; C's printf: "0012");
- CONCAT with an INTERVAL column wrote DuckDB's text (`1 month 2 days 03:00:00`), and CONCAT of the
  column alone stayed an INTERVAL;
- JSON_EXTRACT / JSON_QUERY of TO_JSON_STRING(...) answered JSON, not the STRING a STRING input gives;
- CAST(text AS TIMESTAMP FORMAT ... AT TIME ZONE zone) ignored the zone.

Errors where BigQuery answers: LOG / LN / LOG10 / SQRT of an infinite or NaN argument (IEEE's
value, as ZetaSQL's Logarithm: `LOG(-inf, 1)` is NaN); SUM of INTERVAL values (months, days and
time summed apart); SAFE. on an aggregate or analytic call (`SAFE.SUM(x)`: NULL past INT64's
range) or on a call with a subquery argument, which DuckDB's TRY refuses. SAFE. keeps the errors
of an aggregate's arguments (`SAFE.SUM(1/0)` still fails) and of NTILE's bucket count.
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

UTC = dt.UTC
IV = "(SELECT INTERVAL '1 2 3' MONTH TO HOUR AS i)"
FMT = "YYYY-MM-DD HH24:MI:SS"

FORMATS = [
    # ZetaSQL format_string_T cases
    ("FORMAT('%T', 'a\\nb')", '"a\\nb"', "STRING"),
    ("FORMAT('%T', 'tab\\there\\r')", '"tab\\there\\r"', "STRING"),
    ("FORMAT('%T', 'say \"hi\"')", "'say \"hi\"'", "STRING"),
    ("FORMAT('%T', 'it\\'s \"x\"')", '"it\'s \\"x\\""', "STRING"),
    ("FORMAT('%T', 'a\\x01b')", '"a\\x01\\x62"', "STRING"),
    ("FORMAT('%T', 'back\\\\slash')", '"back\\\\slash"', "STRING"),
    ("FORMAT('%T', 'é')", '"é"', "STRING"),
    ("FORMAT('%t', 'a\\nb')", "a\nb", "STRING"),
    ("FORMAT('%0.*d', 4, 12)", "0012", "STRING"),
    ("FORMAT('%08.3d|', 7)", "     007|", "STRING"),
    ("FORMAT('%05d', 7)", "00007", "STRING"),
]

INTERVAL_TEXTS = [
    # interval:concat (a column, not a literal)
    (f"SELECT CONCAT('a', i) FROM {IV}", "a0-1 2 3:0:0", "STRING"),
    (f"SELECT CONCAT(i) FROM {IV}", "0-1 2 3:0:0", "STRING"),
]

JSON_OF_STRINGS = [
    ("JSON_EXTRACT(TO_JSON_STRING(STRUCT([1, 2] AS c)), '$')", '{"c":[1,2]}', "STRING"),
    ("JSON_QUERY(TO_JSON_STRING(STRUCT([1, 2] AS c)), '$.c')", "[1,2]", "STRING"),
    ("JSON_VALUE(TO_JSON_STRING(STRUCT(1 AS c)), '$.c')", "1", "STRING"),
    ("JSON_QUERY(TO_JSON(STRUCT([1, 2] AS c)), '$.c')", None, "JSON"),
]

ZONED_CASTS = [
    # cast_function:cast_string_to_timestamp_with_format_and_time_zone
    (
        f"CAST('1234-05-06 07:08:09' AS TIMESTAMP FORMAT '{FMT}' AT TIME ZONE '+7:00')",
        dt.datetime(1234, 5, 6, 0, 8, 9, tzinfo=UTC),
        "TIMESTAMP",
    ),
    (
        f"CAST('2020-05-06 07:08:09' AS TIMESTAMP FORMAT '{FMT}' AT TIME ZONE 'Asia/Tokyo')",
        dt.datetime(2020, 5, 5, 22, 8, 9, tzinfo=UTC),
        "TIMESTAMP",
    ),
    (
        f"SAFE_CAST('2020-05-06 07:08:09' AS TIMESTAMP FORMAT '{FMT}' AT TIME ZONE 'America/New_York')",
        dt.datetime(2020, 5, 6, 11, 8, 9, tzinfo=UTC),
        "TIMESTAMP",
    ),
    # an offset in the text wins over AT TIME ZONE
    (
        f"CAST('2020-05-06 07:08:09 +03:00' AS TIMESTAMP FORMAT '{FMT} TZH:TZM' AT TIME ZONE 'Asia/Tokyo')",
        dt.datetime(2020, 5, 6, 4, 8, 9, tzinfo=UTC),
        "TIMESTAMP",
    ),
]

INF = "IEEE_DIVIDE(1, 0)"
NEG_INF = "IEEE_DIVIDE(-1, 0)"
NAN = "IEEE_DIVIDE(0, 0)"

NON_FINITE_MATH = [
    # math_functions / groupby_queries:groupby_nan (ZetaSQL's Logarithm)
    (f"IS_NAN(LOG({NEG_INF}, 1))", True, "BOOL"),
    (f"LOG({INF}, 2)", float("inf"), "FLOAT64"),
    (f"LOG({INF}, 0.5)", float("-inf"), "FLOAT64"),
    (f"LOG({INF}, 1)", float("inf"), "FLOAT64"),
    (f"IS_NAN(LOG(2, {INF}))", True, "BOOL"),
    (f"IS_NAN(LOG(0, {INF}))", True, "BOOL"),
    (f"IS_NAN(LOG({NAN}, 2))", True, "BOOL"),
    (f"IS_NAN(LN({NEG_INF}))", True, "BOOL"),
    (f"LN({INF})", float("inf"), "FLOAT64"),
    (f"IS_NAN(LOG10({NEG_INF}))", True, "BOOL"),
    (f"IS_NAN(SQRT({NEG_INF}))", True, "BOOL"),
    ("LOG(100, 10)", 2.0, "FLOAT64"),
]

INTERVAL_SUMS = [
    # interval:sum, sum_all_nulls, analytic_running_sum
    (
        "SELECT CAST(SUM(i) AS STRING) FROM UNNEST([INTERVAL 1 HOUR, INTERVAL 2 DAY, NULL, "
        "INTERVAL '1-2' YEAR TO MONTH, INTERVAL -30 MINUTE]) AS i",
        "1-2 2 0:30:0",
        "STRING",
    ),
    ("SELECT SUM(i) IS NULL FROM UNNEST([CAST(NULL AS INTERVAL)]) AS i", True, "BOOL"),
    (
        "SELECT STRING_AGG(CAST(s AS STRING), ' ' ORDER BY k) FROM (SELECT k, SUM(i) OVER (ORDER BY k) AS s "
        "FROM UNNEST([STRUCT(1 AS k, INTERVAL 1 HOUR AS i), (2, INTERVAL 1 DAY)]))",
        "0-0 0 1:0:0 0-0 1 1:0:0",
        "STRING",
    ),
]

SAFE_AGGREGATES = [
    # safe_function:safe_agg_func_no_group_by, safe_sum_double_overflow, safe_analytic_agg_func
    ("SELECT SAFE.SUM(x) FROM UNNEST([1, 2]) AS x", 3, "INT64"),
    ("SELECT SAFE.SUM(x) IS NULL FROM UNNEST([9223372036854775807, 1]) AS x", True, "BOOL"),
    ("SELECT SAFE.SUM(x) IS NULL FROM UNNEST([1.7e308, 1.7e308]) AS x", True, "BOOL"),
    (
        "SELECT ARRAY_AGG(IFNULL(s, -1) ORDER BY k) FROM (SELECT k, SAFE.SUM(x) OVER (ORDER BY k) AS s "
        "FROM UNNEST([STRUCT(1 AS k, 9223372036854775807 AS x), (2, 1)]))",
        [9223372036854775807, -1],
        "INT64",
    ),
    ("SELECT SAFE.AVG(x) FROM UNNEST([1, 2]) AS x", 1.5, "FLOAT64"),
    # array_functions:safe_array_first_empty_subquery_arg
    ("SELECT SAFE.ARRAY_FIRST((SELECT ARRAY_AGG(x) FROM UNNEST(ARRAY<INT64>[]) AS x)) IS NULL", True, "BOOL"),
]

FAMILIES = {
    "formats": FORMATS,
    "interval_texts": INTERVAL_TEXTS,
    "json_of_strings": JSON_OF_STRINGS,
    "zoned_casts": ZONED_CASTS,
    "non_finite_math": NON_FINITE_MATH,
    "interval_sums": INTERVAL_SUMS,
    "safe_aggregates": SAFE_AGGREGATES,
}


@pytest.mark.parametrize("sql, want, typ", [p for p in case_params(FAMILIES) if p.values[1] is not None])
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    rows = [r for r in FAMILIES[family] if r[1] is not None]
    check_through_client(bigquery_client, rows)


def test_json_query_of_json_stays_json(warehouse):
    result = warehouse.query_result("SELECT JSON_QUERY(TO_JSON(STRUCT([1, 2] AS c)), '$.c') AS j")
    assert result.schema[0]["type"] == "JSON"
    assert result.table.to_pylist() == [{"j": "[1,2]"}]


ERRORS = [
    # interval:sum_overflow
    (
        "SELECT SUM(i) FROM UNNEST([INTERVAL 10000 YEAR, INTERVAL 1 MONTH]) AS i",
        "Interval field months '120001' is out of range -120000 to 120000",
    ),
    ("SELECT LOG(0, 10)", "Floating point error in function: LOG(0, 10)"),
    ("SELECT LOG(10, 1)", "Floating point error in function: LOG(10, 1)"),
    ("SELECT LN(0)", "Floating point error in function: LN(0)"),
    # safe_function:safe_agg_arg_error, safe_analytic_non_agg_func_ntile
    ("SELECT SAFE.SUM(1 / 0) FROM UNNEST([1]) AS x", "division by zero"),
    ("SELECT SAFE.NTILE(-1) OVER (ORDER BY x) FROM UNNEST([1]) AS x", "must be positive"),
]


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_bigquerys_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)


WIDE_BIGNUMERICS = [
    # array_aggregation:array_agg_BIGNUMERIC_basic was rounded to 18 decimals, then refused by name;
    # selected, BigQuery's value with every digit (bignumerics.py), used in arithmetic still refused
    (
        "SELECT BIGNUMERIC '1.00000000000000000000000000000000000001'",
        Decimal("1.00000000000000000000000000000000000001"),
    ),
    ("SELECT SAFE_CAST('0.1234567890123456789012' AS BIGNUMERIC)", Decimal("0.1234567890123456789012")),
    ("SELECT BIGNUMERIC '123456789012345678901'", Decimal("123456789012345678901")),
]


@pytest.mark.parametrize("sql, want", WIDE_BIGNUMERICS)
def test_bignumerics_beyond_the_local_decimal_keep_every_digit_or_are_refused_by_name(
    warehouse, bigquery_client, sql, want
):
    check_locally(warehouse, sql, want, "BIGNUMERIC")
    check_through_client(bigquery_client, [(sql, want, "BIGNUMERIC")])
    computed = sql.replace("SELECT ", "SELECT 1 + ", 1)
    assert_fails_locally(warehouse, computed, "is not supported by the local warehouse")
    assert_fails_through_client(bigquery_client, computed, "the local BIGNUMERIC keeps 18 and 20")


def test_bignumerics_within_the_local_decimal_keep_their_digits(warehouse):
    sql = (
        "SELECT BIGNUMERIC '-12345678901234567890.123456789012345678' AS a, BIGNUMERIC '1.1000000000000000000000' AS b"
    )
    row = warehouse.query_result(sql).table.to_pylist()[0]
    assert str(row["a"]) == "-12345678901234567890.123456789012345678"
    assert row["b"] == Decimal("1.1")


def test_order_by_the_alias_of_a_named_windows_float64(warehouse, bigquery_client):
    """analytic_stat_aggregation:analytic_stats_single_column_rows_unbounded_current_row: ORDER BY
    the alias of a FLOAT64 window function over a named window (NaN-first ordering must not copy
    `OVER w` where DuckDB cannot resolve it)."""
    sql = (
        "SELECT a, VAR_POP(a) OVER w AS v FROM UNNEST([1, 2, 3, 1]) AS a "
        "WINDOW w AS (ORDER BY a ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) ORDER BY a, v"
    )
    local = [tuple(r.values()) for r in warehouse.query_result(sql).table.to_pylist()]
    remote = [tuple(r.values()) for r in bigquery_client.query_and_wait(sql)]
    for rows in (local, remote):
        assert [a for a, _ in rows] == [1, 1, 2, 3]
        assert [v for _, v in rows] == pytest.approx([0.0, 0.0, 2 / 9, 0.6875])


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT APPROX_QUANTILES(x, 100) IS NULL FROM UNNEST(ARRAY<FLOAT64>[]) AS x",
        "SELECT APPROX_QUANTILES(x, 2) IS NULL FROM UNNEST([CAST(NULL AS FLOAT64)]) AS x",
        "SELECT APPROX_QUANTILES(x, 100)[OFFSET(50)] IS NULL FROM UNNEST(ARRAY<FLOAT64>[]) AS x",
    ],
)
def test_approx_quantiles_of_no_float64_value_is_null(warehouse, bigquery_client, sql):
    """With NaN-first quantiles of FLOAT64, no non-NULL input is still a NULL array, not []
    (whose OFFSET(50) failed: the monitoring report's latency percentiles over no rows)."""
    check_locally(warehouse, sql, True, "BOOL")
    check_through_client(bigquery_client, [(sql, True, "BOOL")])
