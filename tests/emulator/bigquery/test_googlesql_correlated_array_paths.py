"""A FROM item that is a path through an outer query's row is a correlated UNNEST of that array,
as in GoogleSQL. Before, `EXISTS(SELECT * FROM t.arr)` and `(SELECT SUM(e) FROM t.arr AS e)`
read `t` as a dataset ("dataset `p.t` not found"). ZetaSQL compliance cases
exists_functions:correlated_unnest, select_correlated_unnest, case_correlated_unnest,
correlated_unnest_filter_table and the others of that file.
"""

from __future__ import annotations

import pytest
from googlesql_cases import case_params, check_locally, check_through_client

T = "WITH t AS (SELECT 1 AS k, [1, 2] AS arr, STRUCT([4, 5] AS a) AS s UNION ALL SELECT 2, [], STRUCT([6])) "

PATHS = [
    (T + "SELECT ARRAY_AGG(k) FROM t WHERE EXISTS(SELECT * FROM t.arr)", [1], "INT64"),
    (T + "SELECT ARRAY_AGG(IFNULL((SELECT SUM(e) FROM t.arr AS e), -1) ORDER BY k) FROM t", [3, -1], "INT64"),
    (T + "SELECT ARRAY_AGG((SELECT SUM(x) FROM t.s.a x) ORDER BY k) FROM t", [9, 6], "INT64"),
    # an alias of the outer row, and a table of the subquery beside the path
    (
        T + "SELECT ARRAY_AGG(r.k) FROM t AS r WHERE EXISTS(SELECT * FROM UNNEST([2, 3]) AS u, r.arr AS e WHERE u = e)",
        [1],
        "INT64",
    ),
    (T + "SELECT ARRAY_AGG(EXISTS(SELECT * FROM t.arr) ORDER BY k) FROM t", [True, False], "BOOL"),
    # the path's implicit alias is its last name
    (T + "SELECT ARRAY_AGG(IFNULL((SELECT MAX(arr) FROM t.arr), -1) ORDER BY k) FROM t", [2, -1], "INT64"),
]

FAMILIES = {"paths": PATHS}


@pytest.mark.parametrize("sql, want, typ", case_params(FAMILIES))
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


def test_bigquery_client(bigquery_client):
    check_through_client(bigquery_client, PATHS)


def test_a_dataset_named_like_no_outer_row_stays_a_table(bigquery_client, dataset):
    """Only a name the enclosing query gives a row starts a path; a dataset.table stays a table."""
    table = f"{dataset.dataset_id}.items"
    bigquery_client.query_and_wait(f"CREATE TABLE `{dataset.project}.{table}` AS SELECT 7 AS v")
    rows = bigquery_client.query_and_wait(f"SELECT k, (SELECT MAX(v) FROM {table}) AS m FROM (SELECT 1 AS k) AS t")
    assert [tuple(r.values()) for r in rows] == [(1, 7)]
