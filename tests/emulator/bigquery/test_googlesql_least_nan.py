"""LEAST of FLOAT64 values is NaN when one of them is NaN, as GoogleSQL's reference says
("Returns NaN if any of the inputs is NaN"; NULL if any is NULL); it answered the least number:
DuckDB orders NaN above every number, so its LEAST skipped the NaN (its GREATEST already answered
NaN, and MIN was mended before, nanaggregates.py).

Each row is our own query with the reference's answer, on the local warehouse and through the
real BigQuery client against the emulator.
"""

from __future__ import annotations

import math

import pytest
from googlesql_cases import case_params, check_locally, check_through_client

F, INT, S, BOOL = "FLOAT64", "INT64", "STRING", "BOOL"

LEAST = [
    # NaN compares unequal to itself: IS_NAN says what came back
    ("SELECT IS_NAN(LEAST(CAST('NaN' AS FLOAT64), 1.0))", True, BOOL),
    ("SELECT IS_NAN(LEAST(1.0, CAST('NaN' AS FLOAT64), -5.0))", True, BOOL),
    ("SELECT IS_NAN(LEAST(x, 0.5)) FROM UNNEST([CAST('NaN' AS FLOAT64)]) AS x", True, BOOL),
    # NULL wins over NaN
    ("SELECT LEAST(1.0, CAST('NaN' AS FLOAT64), NULL)", None, F),
    # guards: no NaN, or not a float (right before too)
    ("SELECT LEAST(x, 0.5) FROM UNNEST([1.0]) AS x", 0.5, F),
    ("SELECT LEAST(3, 2)", 2, INT),
    ("SELECT LEAST('b', 'a')", "a", S),
    ("SELECT IS_NAN(GREATEST(1.0, CAST('NaN' AS FLOAT64)))", True, BOOL),
]
FAMILIES = {"least": LEAST}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


def test_nan_rows_of_a_column(warehouse):
    rows = warehouse.query_result(
        "SELECT LEAST(x, 0.5) AS v FROM UNNEST([1.0, CAST('NaN' AS FLOAT64), NULL]) AS x WITH OFFSET AS o ORDER BY o"
    ).table.to_pylist()
    values = [r["v"] for r in rows]
    assert values[0] == 0.5 and math.isnan(values[1]) and values[2] is None
