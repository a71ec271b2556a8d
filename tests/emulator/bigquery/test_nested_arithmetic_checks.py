"""Nested FLOAT64 arithmetic stays a query of linear size.

The FLOAT64 overflow check (floatoverflow.py) and the division-by-zero check write the checked
value several times; a checked product inside `SIN()` inside another product was copied some five
times per level, so `SIN(SIN(SIN(SIN(x * 2.0) * 2.0) * 2.0) * 2.0)` translated to 60 KB of SQL, one
level of `SIN(x * 2.0 + COS(y / 3.0)) / (1.0 + SAFE_ADD(x, y * 1.5))` to 90 KB and three to 3 MB, and
six levels of a trigonometric formula (GoogleCloudPlatform/bigquery-utils' `azimuth_to_geog_point`)
took minutes to translate and bind. A checked tree nested in another is now evaluated once and read
through a lambda's parameter (boundvalues.py). The checks still raise BigQuery's errors from any
depth, and the answers and types are unchanged.
"""

from __future__ import annotations

import math

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

from llmops.emulator.bigquery.googlesql import translate

F, N = "FLOAT64", "NUMERIC"


def nested(depth: int, inner: str = "x") -> str:
    for _ in range(depth):
        inner = f"SIN({inner} * 2.0 + COS(y / 3.0)) / (1.0 + SAFE_ADD(x, y * 1.5))"
    return inner


def python_nested(depth: int, x: float = 1.0, y: float = 2.0) -> float:
    e = x
    for _ in range(depth):
        e = math.sin(e * 2.0 + math.cos(y / 3.0)) / (1.0 + (x + y * 1.5))
    return e


def translated_size(depth: int) -> int:
    return len(translate(f"SELECT {nested(depth)} FROM (SELECT 1.0 AS x, 2.0 AS y)").statements[0].sql)


def test_size_grows_linearly_with_depth():
    one, two = translated_size(1), translated_size(2)
    # one level was 90 KB of SQL (the division's check copied the checked dividend and divisor),
    # two levels 590 KB; each level now adds about the same few KB
    assert one < 10_000, one
    assert two < 2.5 * one, (one, two)


NESTED_CASTS = "SELECT CAST(CAST(CAST(CAST(x * 2.5 AS INT64) * 1.5 AS INT64) * 1.5 AS INT64) + 0.4 AS INT64) FROM (SELECT 1.0 AS x)"


def test_nested_int64_casts_stay_small():
    """CAST(... AS INT64) of a value of unknown type writes it some fifteen times (rounding a float,
    reading a text, refusing a DATE): a large one is bound once (bigquery-utils' cw_from_base,
    `SAFE_CAST(SUM(pos * CAST(POW(...) AS NUMERIC)) AS INT64)`, did not translate in 30 s)."""
    two = "SELECT CAST(CAST(x * 2.5 AS INT64) * 1.5 AS INT64) FROM (SELECT 1.0 AS x)"
    assert len(translate(two).statements[0].sql) < 10_000  # was 125 KB (three levels: 2 MB, 40 s)


FROM_XY = "FROM (SELECT 1.0 AS x, 2.0 AS y)"
VALUES = [
    (f"SELECT ROUND({nested(6)}, 9) {FROM_XY}", round(python_nested(6), 9), F),
    (
        f"SELECT ROUND(SIN(x * 2.0) * COS(y * 3.0) + TAN(x / y), 9) {FROM_XY}",
        round(math.sin(2.0) * math.cos(6.0) + math.tan(0.5), 9),
        F,
    ),
    (f"SELECT ROUND(SUM(x * 1.5) * SIN(MAX(y) * 2.0), 9) {FROM_XY}", round(1.5 * math.sin(4.0), 9), F),
    # an operand that overflowed only under SAFE_ is NULL, and NULL stays NULL outside
    ("SELECT SAFE_MULTIPLY(SIN(x * 1.0) + 1.0, 1e308) * 10.0 FROM (SELECT 1.0 AS x)", None, F),
    # inf and NaN going in propagate as IEEE 754 says (no overflow error)
    ("SELECT IS_NAN(SIN(CAST('inf' AS FLOAT64) * 2.0) * 2.0)", True, "BOOL"),
    # rounded half away from zero at each level: 2.5 -> 3, 4.5 -> 5, 7.5 -> 8, 8.4 -> 8
    (NESTED_CASTS, 8, "INT64"),
    ("SELECT [10, 20, 30][CAST(s || '' AS INT64)] FROM UNNEST(['1']) AS s", 20, "INT64"),
    ("SELECT [10, 20, 30][SAFE_CAST(CONCAT(s, '') AS INT64)] FROM UNNEST(['2']) AS s", 30, "INT64"),
    # the inferred type of a checked operand survives: NUMERIC / INT64 is NUMERIC
    ("SELECT SAFE_DIVIDE(n, i - 1) FROM (SELECT NUMERIC '1' AS n, 1 AS i)", None, N),
    ("SELECT SAFE_DIVIDE(n, (i + 1) * (i + 1)) FROM (SELECT NUMERIC '1' AS n, 1 AS i)", pytest.approx(0.25), N),
]
FAMILIES = {"values": VALUES}


@pytest.mark.parametrize("sql, want, typ", case_params(FAMILIES))
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


ERRORS = [
    ("SELECT SIN(x * 1e308 * 10.0) * 2.0 FROM (SELECT 1.0 AS x)", "double overflow"),
    (f"SELECT {nested(3, 'x * 1e308 * 10.0')} {FROM_XY}", "double overflow"),
    ("SELECT x / (SIN(y * 2.0) - SIN(y * 2.0)) FROM (SELECT 1.0 AS x, 2.0 AS y)", "division by zero"),
    ("SELECT SAFE_ADD(SIN(x * 1e308 * 10.0), 1.0) FROM (SELECT 1.0 AS x)", "double overflow"),
    ("SELECT CAST(CONCAT('1', s) AS INT64) FROM UNNEST(['x']) AS s", "Bad int64 value: 1x"),
    (
        "SELECT CAST(DATE_ADD(d, INTERVAL 1 DAY) AS INT64) FROM UNNEST([DATE '2020-01-01']) AS d",
        "Invalid cast from DATE",
    ),
]


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_errors_locally(warehouse, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_errors_through_client(bigquery_client, sql, fragment):
    assert_fails_through_client(bigquery_client, sql, fragment)


def test_persistent_function_of_nested_trigonometry(bigquery_client):
    """bigquery-utils' azimuth formula (its latitude part) as a persistent SQL function."""
    bigquery_client.query_and_wait("CREATE SCHEMA IF NOT EXISTS nested_fn")
    bigquery_client.query_and_wait(
        """CREATE OR REPLACE FUNCTION nested_fn.dest_lat(input_lat FLOAT64, azimuth FLOAT64, distance FLOAT64)
        RETURNS FLOAT64 AS ((
          WITH v AS (SELECT 180 / ACOS(-1) AS rad2deg, ACOS(-1) / 180 AS deg2rad, 6378.1 AS r, 1.61 AS km)
          SELECT rad2deg * ASIN(SIN(input_lat * deg2rad) * COS(distance * km / r)
            + COS(input_lat * deg2rad) * SIN(distance * km / r) * COS(azimuth * deg2rad))
          FROM v
        ))"""
    )
    got = list(bigquery_client.query_and_wait("SELECT nested_fn.dest_lat(30.0, 45.0, 10.0) AS v"))[0]["v"]
    d2r, k = math.pi / 180, 10.0 * 1.61 / 6378.1
    want = math.asin(math.sin(30 * d2r) * math.cos(k) + math.cos(30 * d2r) * math.sin(k) * math.cos(45 * d2r)) / d2r
    assert got == pytest.approx(want, rel=1e-12)
