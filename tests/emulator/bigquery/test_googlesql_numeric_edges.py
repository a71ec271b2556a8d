"""GoogleSQL's numeric edges that the local warehouse got wrong, now BigQuery's.

Each row is a ZetaSQL compliance case or our own query, with GoogleSQL's answer, run on the local
warehouse and through the real BigQuery client:

- a RANGE window frame over a NUMERIC or BIGNUMERIC key whose bound (key ± offset) falls past the
  type's range failed ("Overflow in subtract of DECIMAL(38)"); GoogleSQL's bound past the edge
  takes in every key on that side, or none (analytic_numeric_range_window_frames);
- STDDEV of FLOAT64 values whose squared deviations overflow a double (1, 2.2e304, -2.2e304) was
  inf, and CORR of values whose products do was NaN; GoogleSQL answers the finite value
  (stat_aggregation, analytic_stat_aggregation);
- COVAR_POP / COVAR_SAMP with an infinite x was ±inf instead of NaN;
- NULL / 0 failed with `division by zero` (GoogleSQL: NULL), so statistics written as
  `SUM(x) OVER w / COUNT(x) OVER w` failed for a partition of NULLs
  (analytic_stats_single_column_numeric, analytic_stats_double_column_numeric_value);
- a BIGNUMERIC in a STRUCT read by UNNEST was cast to sqlglot's DECIMAL(38, 5), rounded to 5
  decimals without an error;
- `SAFE.f(...)` also answered NULL for an error of its arguments (`SAFE.LN(1 / 0)`), where SAFE.
  covers only the function's own errors (safe_function:safe_scalar_arg_error,
  misc:safe_error_fn_with_division_by_zero, misc:safe_error_fn_with_error).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

STR = "STRING"
NUMERIC_MAX = "99999999999999999999999999999.999999999"
BIGNUMERIC_MAX = "99999999999999999999.999999999999999999"


def _keys(kind: str, keys: list[str]) -> str:
    """Rows (i, x) with x the `kind` values `keys` (NULL where the key is 'NULL'), i from 1."""
    values = [f"{kind} '{k}'" if k != "NULL" else f"CAST(NULL AS {kind})" for k in keys]
    rows = [f"SELECT {i} AS i, {v} AS x" for i, v in enumerate(values[:1], start=1)]
    rows += [f"SELECT {i}, {v}" for i, v in enumerate(values[1:], start=2)]
    return "(" + " UNION ALL ".join(rows) + ")"


def _frames(table: str, window: str) -> str:
    """Each row's frame as `i:min/max` of the row numbers in it, in row order."""
    return (
        "SELECT STRING_AGG(FORMAT('%d:%T/%T', i, lo, hi), ' ' ORDER BY i) FROM "
        f"(SELECT i, MIN(i) OVER w AS lo, MAX(i) OVER w AS hi FROM {table} WINDOW w AS ({window}))"
    )


N = _keys("NUMERIC", [f"-{NUMERIC_MAX}", "-99999999999999999999999999998.5", "0", NUMERIC_MAX, "NULL"])
B = _keys(
    "BIGNUMERIC", [f"-{BIGNUMERIC_MAX}", "-99999999999999999998.5", "0.000000000000000001", BIGNUMERIC_MAX, "NULL"]
)

RANGE_FRAMES = [
    # numeric_range_window_asc_with_special_values_1: 2 PRECEDING from the smallest key is before every key
    (_frames(N, "ORDER BY x RANGE BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING"), "1:5/5 2:5/5 3:1/5 4:1/5 5:5/5", STR),
    (_frames(N, "ORDER BY x RANGE BETWEEN 2 PRECEDING AND 2 FOLLOWING"), "1:1/2 2:1/2 3:3/3 4:4/4 5:5/5", STR),
    # numeric_range_window_asc_with_special_values_12: 1 FOLLOWING from the largest key is past every key
    (
        _frames(N, "ORDER BY x RANGE BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING"),
        "1:2/4 2:3/4 3:4/4 4:NULL/NULL 5:1/5",
        STR,
    ),
    (
        _frames(N, "ORDER BY x DESC RANGE BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING"),
        "1:3/4 2:3/4 3:4/4 4:NULL/NULL 5:1/5",
        STR,
    ),
    (
        _frames(N, "ORDER BY x DESC RANGE BETWEEN CURRENT ROW AND NUMERIC '2' FOLLOWING"),
        "1:1/1 2:1/2 3:3/3 4:4/4 5:5/5",
        STR,
    ),
    # numeric_range_window_asc_with_special_values_17: an offset of the whole range, both ways
    (
        _frames(N, f"ORDER BY x RANGE BETWEEN NUMERIC '{NUMERIC_MAX}' PRECEDING AND NUMERIC '{NUMERIC_MAX}' FOLLOWING"),
        "1:1/3 2:1/3 3:1/4 4:3/4 5:5/5",
        STR,
    ),
    (
        _frames(B, "ORDER BY x DESC RANGE BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING"),
        "1:3/4 2:3/4 3:4/4 4:NULL/NULL 5:1/5",
        STR,
    ),
    (
        _frames(B, "ORDER BY x RANGE BETWEEN BIGNUMERIC '0.000000000000000001' FOLLOWING AND 99999999999999 FOLLOWING"),
        "1:2/2 2:NULL/NULL 3:NULL/NULL 4:NULL/NULL 5:5/5",
        STR,
    ),
]

EXTREME = "UNNEST([1.0, 2.2e+304, -2.2e+304]) AS x"
HUGE = "(SELECT 3 AS row_id, 1.79769e+308 AS val UNION ALL SELECT 1, NULL UNION ALL SELECT 2, 1.79769e+308 / 2 UNION ALL SELECT 4, 4)"


def _near(value: str, want: str) -> str:
    """Whether `value` is within a few units in the last place of `want`."""
    return f"ABS({value} / {want} - 1) < 1e-15"


STATISTICS = [
    # stat_aggregation:stddev_samp_double_extreme, stddev_pop_double_extreme
    (f"SELECT STDDEV_SAMP(x) FROM {EXTREME}", 2.2e304, "FLOAT64"),
    (f"SELECT STDDEV(x) FROM {EXTREME}", 2.2e304, "FLOAT64"),
    (f"SELECT STDDEV_POP(x) FROM {EXTREME}", 1.7962924780409973e304, "FLOAT64"),
    # stat_aggregation:corr_double_extreme_negative_slope
    ("SELECT CORR(y, x) FROM UNNEST([STRUCT(1.0 AS y, -1.0 AS x), (2.2e+154, -2.2e+154)])", -1.0, "FLOAT64"),
    # analytic_stats_single_column_rows_unbounded_current_row_params: a running STDDEV_POP
    (
        "SELECT STRING_AGG(FORMAT('%T', "
        + _near("s", "IF(row_id = 3, 4.494225e+307, 7.3390386928398193e+307)")
        + "), ' ' ORDER BY row_id) FROM (SELECT row_id, STDDEV_POP(val) OVER (ORDER BY row_id ROWS BETWEEN "
        f"UNBOUNDED PRECEDING AND CURRENT ROW) AS s FROM {HUGE}) WHERE row_id > 2",
        "true true",
        STR,
    ),
    # analytic_stats_single_column_stddev_samp_double_extreme
    (
        "SELECT STRING_AGG(FORMAT('%T', s), ' ' ORDER BY row_id) FROM (SELECT row_id, "
        "STDDEV_SAMP(val) OVER (ORDER BY row_id RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS s FROM "
        f"{HUGE})",
        "NULL NULL 6.3557939473562235e+307 8.98845e+307",
        STR,
    ),
    # stat_aggregation:covar_pop_positive_inf, covar_pop_negative_inf
    (
        "SELECT IS_NAN(COVAR_POP(y, x)) FROM UNNEST([STRUCT(1.0 AS y, 2.0 AS x), (3.0, CAST('inf' AS FLOAT64))])",
        True,
        "BOOL",
    ),
    (
        "SELECT IS_NAN(COVAR_SAMP(y, x)) FROM UNNEST([STRUCT(1.0 AS y, 2.0 AS x), (3.0, CAST('-inf' AS FLOAT64))])",
        True,
        "BOOL",
    ),
    # values that do not overflow keep DuckDB's answer
    ("SELECT STDDEV_SAMP(x) FROM UNNEST([1.0, 3.0]) AS x", 2**0.5, "FLOAT64"),
    ("SELECT COVAR_POP(y, x) FROM UNNEST([STRUCT(1.0 AS y, 2.0 AS x), (3.0, 4.0)])", 1.0, "FLOAT64"),
]

NULLS = "UNNEST([STRUCT(CAST(NULL AS NUMERIC) AS x, NUMERIC '0' AS y, CAST(NULL AS FLOAT64) AS f, 0 AS i)])"
NULL_OVER_ZERO = [
    (f"SELECT x / y FROM {NULLS}", None, "NUMERIC"),
    (f"SELECT f / i FROM {NULLS}", None, "FLOAT64"),
    (f"SELECT CAST(NULL AS INT64) / i FROM {NULLS}", None, "FLOAT64"),
    (f"SELECT SUM(x) OVER () / COUNT(x) OVER () FROM {NULLS}", None, "NUMERIC"),
]

SAFE_OWN_ERRORS = [
    ("SELECT STRING_AGG(FORMAT('%T', SAFE.LN(x)), ' ' ORDER BY x) FROM UNNEST([0.0, 1.0]) AS x", "NULL 0.0", STR),
    ("SELECT SAFE.SUBSTR(s, 0, -1) FROM UNNEST(['abc']) AS s", None, STR),
    # ERROR's type comes from its context; with none it is INT64 (ZetaSQL's misc:default_safe_error_int64)
    ("SELECT SAFE.ERROR(CONCAT('x', s)) FROM UNNEST(['y']) AS s", None, "INT64"),
]

# a BIGNUMERIC in a STRUCT read by UNNEST was cast to sqlglot's DECIMAL(38, 5): 1.12346, and the
# largest value rounded up to 100000000000000000000, without an error
BIGNUMERIC_IN_STRUCTS = [
    ("SELECT x FROM UNNEST([STRUCT(BIGNUMERIC '1.123456789' AS x)])", Decimal("1.123456789"), "BIGNUMERIC"),
    (f"SELECT s.x FROM UNNEST([STRUCT(BIGNUMERIC '{BIGNUMERIC_MAX}' AS x)]) s", Decimal(BIGNUMERIC_MAX), "BIGNUMERIC"),
    ("SELECT x FROM UNNEST([STRUCT(CAST('1.1234567' AS BIGNUMERIC) AS x)])", Decimal("1.1234567"), "BIGNUMERIC"),
]

FAMILIES = {
    "bignumeric_in_structs": BIGNUMERIC_IN_STRUCTS,
    "range_frames": RANGE_FRAMES,
    "statistics": STATISTICS,
    "null_over_zero": NULL_OVER_ZERO,
    "safe_own_errors": SAFE_OWN_ERRORS,
}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT x / y FROM UNNEST([STRUCT(NUMERIC '1' AS x, NUMERIC '0' AS y)])",
        "SELECT f / i FROM UNNEST([STRUCT(1.5 AS f, 0 AS i)])",
        "SELECT NUMERIC '1' / 0",
    ],
)
def test_a_value_over_zero_is_still_an_error(warehouse, bigquery_client, sql):
    assert_fails_locally(warehouse, sql, "division by zero")
    assert_fails_through_client(bigquery_client, sql, "division by zero")


@pytest.mark.parametrize(
    "sql, fragment",
    [
        ("SELECT SAFE.LN(1 / 0)", "division by zero"),
        ("SELECT SAFE.LN(x / y) FROM UNNEST([STRUCT(1.0 AS x, 0.0 AS y)])", "division by zero"),
        # safe_function:safe_scalar_arg_error
        ("SELECT SAFE.CONCAT(CAST(1 / (x - x) AS STRING)) FROM UNNEST([1, 2]) AS x", "division by zero"),
        # misc:safe_error_fn_with_division_by_zero, safe_error_fn_with_error
        ("SELECT SAFE.ERROR(IF(1 / 0 = 0, 'abc', ''))", "division by zero"),
        ("SELECT SAFE.ERROR(ERROR('custom error message'))", "custom error message"),
    ],
)
def test_safe_leaves_its_arguments_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)
