"""GoogleSQL the eighteenth ZetaSQL compliance sweep found answered or refused differently from
BigQuery, in its pipe syntax files (`pipe_operators`, `pipe_syntax`) and the files of set
operations by name:

- a set operation on the right of a pipe set operation (`|> INTERSECT DISTINCT (a UNION ALL b)`)
  lost its parentheses: DuckDB read `(... INTERSECT a) UNION ALL b`, other rows;
- a standard query before the first `|>` took the pipe's operators into its own SELECT: a `|>
  WHERE`, `|> ORDER BY` or `|> AGGREGATE` ran before the query's LIMIT, DISTINCT or GROUP BY, and
  read the FROM clause's columns instead of the query's (`SELECT x * 10 AS x ... |> WHERE x > 1`);
- `|> LIMIT` was merged into the query before it (a second LIMIT kept the smaller count and added
  the offsets; a later WHERE, ORDER BY or DISTINCT ran before it), and failed with a Python error
  after a SELECT with a FROM clause or for a count that is not a literal (`@n`, `1 + 1`, NULL);
- `|> WHERE` over a window function (QUALIFY's place in pipe syntax) was DuckDB's "WHERE clause
  cannot contain window functions!";
- `|> SELECT DISTINCT x` dropped its DISTINCT, and an AGGREGATE or a window function after `|>
  DISTINCT` read the rows before it (`|> DISTINCT |> AGGREGATE COUNT(*)` counted duplicates);
- `|> PIVOT` / `|> UNPIVOT` were set on the FROM table of the query before them, so they ran
  before its WHERE ("Unrecognized name") or LIMIT, and after `|> AS t` the PIVOT was dropped (the
  rows came back unpivoted);
- `|> WITH t AS (...)` was refused by name ("the pipe operator |> WITH is not supported"); it
  joins its query's WITH clause now, and stays refused where a name it defines is read before it
  or defined again;
- a named window of `|> EXTEND` / `|> SELECT` referenced in parentheses (`OVER (w)`, `OVER (w
  ORDER BY k)`) was "window w does not exist" (only `OVER w` was written out);
- a set operation matching columns by name over `SELECT *` was refused by name even where the `*`
  reads a subquery or a WITH query whose names the query shows (every pipe step is such a `*`:
  `(SELECT 1 AS a, 2 AS b) |> UNION DISTINCT BY NAME (...)`);
- a set operation matching columns by a list (`CORRESPONDING BY (a, b)`, `BY NAME ON (a)`) was
  refused when an input had an anonymous column the list leaves out ("column 1 of a set
  operation that matches columns by name has no name").

Each row is our own query with the rows the pipe syntax reference's rules give, run on the local
warehouse and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

from typing import Any

import pytest
from google.cloud import bigquery
from googlesql_cases import assert_fails_locally, assert_fails_through_client

_KV = "(SELECT 'a' AS k, 1 AS v UNION ALL SELECT 'b', 2 UNION ALL SELECT 'a', 3)"
_SIX = "FROM UNNEST([1, 2, 3, 4, 5, 6]) AS x |> ORDER BY x"

# (query, its rows, whether their order is the query's)
ROWS: list[Any] = [
    # a set operation inside a pipe set operation's parentheses
    pytest.param(
        "(SELECT 2 AS a, 'v' AS b UNION ALL SELECT 2, 'v') |> INTERSECT DISTINCT (SELECT 2, 'v' UNION ALL SELECT 2, 'v')",
        [(2, "v")],
        False,
        id="intersect_distinct_of_union_all",
    ),
    pytest.param("SELECT 1 AS x |> EXCEPT DISTINCT (SELECT 2 UNION ALL SELECT 1)", [], False, id="except_of_union"),
    pytest.param(
        "SELECT 2 AS x |> UNION ALL (SELECT 2 EXCEPT DISTINCT SELECT 1)", [(2,), (2,)], False, id="union_all_of_except"
    ),
    # |> LIMIT is a query level of its own
    pytest.param(f"{_SIX} |> LIMIT 2 OFFSET 1 |> LIMIT 5 OFFSET 1", [(3,)], True, id="limit_after_limit"),
    pytest.param(f"{_SIX} |> LIMIT 2 |> ORDER BY x DESC", [(2,), (1,)], True, id="order_by_after_limit"),
    pytest.param(f"{_SIX} |> LIMIT 3 |> WHERE x > 1", [(2,), (3,)], False, id="where_after_limit"),
    pytest.param(f"{_SIX} |> LIMIT 3 |> AGGREGATE SUM(x) AS s", [(6,)], False, id="aggregate_after_limit"),
    pytest.param(
        "FROM UNNEST([1, 1, 1, 2]) AS x |> ORDER BY x |> LIMIT 2 |> DISTINCT", [(1,)], False, id="distinct_after_limit"
    ),
    pytest.param(f"{_SIX} |> LIMIT 1 + 1", [(1,), (2,)], True, id="computed_count"),
    pytest.param(
        "SELECT x FROM UNNEST([3, 1, 2]) AS x |> ORDER BY x |> LIMIT 2", [(1,), (2,)], True, id="limit_after_select"
    ),
    # a standard query before the first |> is a query of its own
    pytest.param(
        "SELECT x FROM UNNEST([1, 2, 3, 4]) AS x ORDER BY x LIMIT 2 |> WHERE x > 1", [(2,)], False, id="query_limit"
    ),
    pytest.param(
        "SELECT x FROM UNNEST([3, 1, 2]) AS x ORDER BY x LIMIT 2 |> ORDER BY x DESC",
        [(2,), (1,)],
        True,
        id="query_limit_reordered",
    ),
    pytest.param(
        "SELECT x * 10 AS x FROM UNNEST([1, 2, 3]) AS x |> WHERE x > 1",
        [(10,), (20,), (30,)],
        False,
        id="query_alias",
    ),
    pytest.param(
        "SELECT x, COUNT(*) AS c FROM UNNEST([1, 1, 2]) AS x GROUP BY x |> WHERE c > 1",
        [(1, 2)],
        False,
        id="query_group_by",
    ),
    pytest.param(
        "SELECT DISTINCT x FROM UNNEST([1, 1, 2]) AS x |> AGGREGATE COUNT(*) AS n", [(2,)], False, id="query_distinct"
    ),
    pytest.param(
        "SELECT x, SUM(x) OVER () AS s FROM UNNEST([1, 2]) AS x |> WHERE s > 2",
        [(1, 3), (2, 3)],
        False,
        id="query_window",
    ),
    pytest.param(
        "SELECT ARRAY(SELECT x FROM UNNEST([1, 2, 3]) AS x ORDER BY x LIMIT 2 |> WHERE x > 1)",
        [([2],)],
        False,
        id="subquery_limit",
    ),
    pytest.param(
        "(SELECT 1 AS x) UNION ALL SELECT 2 |> AGGREGATE COUNT(*) AS c", [(2,)], False, id="parenthesized_union_operand"
    ),
    # |> WHERE over a window function
    pytest.param("FROM UNNEST([3, 1, 2]) AS x |> WHERE RANK() OVER (ORDER BY x) = 2", [(2,)], False, id="where_rank"),
    pytest.param(
        "FROM UNNEST([3, 1, 2]) AS x |> WHERE x > 1 |> WHERE RANK() OVER (ORDER BY x) = 1 |> SELECT x * 2 AS y",
        [(4,)],
        False,
        id="where_then_where_rank",
    ),
    pytest.param(
        "FROM UNNEST([3, 1, 2]) AS x |> WHERE ROW_NUMBER() OVER (ORDER BY x) > 1 |> WHERE x < 3",
        [(2,)],
        False,
        id="where_rank_then_where",
    ),
    pytest.param(
        "FROM UNNEST([1, 2]) AS x |> WHERE x IN (SELECT ROW_NUMBER() OVER () FROM UNNEST([5]))",
        [(1,)],
        False,
        id="where_subquery_window",
    ),
    # |> SELECT DISTINCT, and the operators after |> DISTINCT
    pytest.param("FROM UNNEST([1, 1, 2]) AS x |> SELECT DISTINCT x", [(1,), (2,)], False, id="select_distinct"),
    pytest.param(
        "FROM UNNEST([1, 1, 2]) AS x |> SELECT DISTINCT x |> AGGREGATE COUNT(*) AS n",
        [(2,)],
        False,
        id="select_distinct_then_aggregate",
    ),
    pytest.param(
        "FROM UNNEST([1, 1, 2]) AS x |> DISTINCT |> AGGREGATE COUNT(*) AS n",
        [(2,)],
        False,
        id="distinct_then_aggregate",
    ),
    pytest.param(
        "FROM UNNEST([1, 1, 2]) AS x |> DISTINCT |> EXTEND COUNT(*) OVER () AS c",
        [(1, 2), (2, 2)],
        False,
        id="distinct_then_window",
    ),
    pytest.param(
        "FROM UNNEST([1, 1, 2]) AS x |> SELECT DISTINCT x, COUNT(*) OVER () AS c",
        [(1, 3), (2, 3)],
        False,
        id="select_distinct_with_window",
    ),
    # |> PIVOT / |> UNPIVOT read the query before them, WHERE and LIMIT included
    pytest.param(
        f"FROM {_KV} |> WHERE v > 1 |> PIVOT (SUM(v) FOR k IN ('a', 'b'))", [(3, 2)], False, id="where_then_pivot"
    ),
    pytest.param(
        f"FROM {_KV} |> ORDER BY v DESC |> LIMIT 2 |> PIVOT (SUM(v) FOR k IN ('a', 'b'))",
        [(3, 2)],
        False,
        id="limit_then_pivot",
    ),
    pytest.param(f"FROM {_KV} |> AS t |> PIVOT (SUM(v) FOR k IN ('a', 'b'))", [(4, 2)], False, id="as_then_pivot"),
    pytest.param(
        "FROM (SELECT 1 AS a, 2 AS b) |> WHERE a > 0 |> UNPIVOT (val FOR col IN (a, b))",
        [(1, "a"), (2, "b")],
        False,
        id="where_then_unpivot",
    ),
    # |> WITH: the pipe syntax reference's examples, and one after the query's own WITH clause
    pytest.param(
        "SELECT 1 AS key |> WITH t AS (SELECT 1 AS key, 'my_value' AS value) |> INNER JOIN t USING (key)",
        [(1, "my_value")],
        False,
        id="with_then_join",
    ),
    pytest.param(
        "SELECT 1 AS key |> WITH t1 AS (SELECT 2), t2 AS (SELECT 3), |> UNION ALL (FROM t1), (FROM t2)",
        [(1,), (2,), (3,)],
        False,
        id="with_two_ctes_trailing_comma",
    ),
    pytest.param(
        "WITH a AS (SELECT 5 AS key) SELECT * FROM a |> WITH t AS (SELECT 5 AS key, 'v' AS value) |> JOIN t USING (key)",
        [(5, "v")],
        False,
        id="with_after_with_clause",
    ),
    # a named window referenced in parentheses, `OVER (w)` / `OVER (w ORDER BY ...)`
    pytest.param(
        "FROM UNNEST([3, 1, 2]) AS k |> EXTEND RANK() OVER w AS r, SUM(k) OVER (w2) AS s "
        "WINDOW w AS (ORDER BY k DESC), w2 AS (ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) "
        "|> ORDER BY k",
        [(1, 3, 1), (2, 2, 3), (3, 1, 6)],
        True,
        id="extend_window_in_parentheses",
    ),
    pytest.param(
        "FROM UNNEST([3, 1, 2]) AS k |> SELECT k, SUM(k) OVER (w ORDER BY k) AS s WINDOW w AS (PARTITION BY k > 1) "
        "|> ORDER BY k",
        [(1, 1), (2, 2), (3, 5)],
        True,
        id="select_window_refined",
    ),
    # BY NAME / CORRESPONDING over `SELECT *` of a subquery or a WITH query (how pipe steps are written)
    pytest.param(
        "(SELECT 1 AS a, 2 AS b) |> UNION DISTINCT BY NAME (SELECT 2 AS b, 1 AS a)",
        [(1, 2)],
        False,
        id="pipe_union_by_name",
    ),
    pytest.param(
        "SELECT 1 AS a, 2 AS b |> EXTEND 3 AS c |> UNION ALL CORRESPONDING (SELECT 20 AS b, 10 AS a)",
        [(1, 2), (10, 20)],
        False,
        id="pipe_extend_then_corresponding",
    ),
    pytest.param(
        "WITH q AS (SELECT 1 AS a, 2 AS b) SELECT * FROM q UNION ALL BY NAME SELECT 20 AS b, 10 AS a",
        [(1, 2), (10, 20)],
        False,
        id="with_query_star_by_name",
    ),
    # a column list of CORRESPONDING BY / BY NAME ON leaves the anonymous columns out
    pytest.param(
        "SELECT 2, 1 AS a, 1 AS b UNION ALL CORRESPONDING BY (b, a) SELECT 1 AS b, 1 AS a, 2 AS c, 2",
        [(1, 1), (1, 1)],
        False,
        id="corresponding_by_anonymous",
    ),
    pytest.param(
        "SELECT 2, 1 AS a FULL UNION ALL CORRESPONDING BY (a, b) SELECT 3, 5 AS b",
        [(1, None), (None, 5)],
        False,
        id="full_corresponding_by_anonymous",
    ),
    pytest.param(
        "SELECT 2, 1 AS a UNION ALL BY NAME ON (a) SELECT 3 AS a, 4", [(1,), (3,)], False, id="by_name_on_anonymous"
    ),
]

REFUSED = [
    pytest.param("SELECT 1 AS x |> LIMIT NULL", "Limit requires non-null count and offset", id="limit_null"),
    pytest.param("SELECT 1 AS x |> LIMIT 1 OFFSET NULL", "Limit requires non-null count and offset", id="offset_null"),
    pytest.param(
        "SELECT 1 AS x |> WITH t AS (SELECT 1) |> WITH t AS (SELECT 2) |> UNION ALL (FROM t)",
        "the pipe operator |> WITH is not supported by the local warehouse",
        id="with_redefined",
    ),
    pytest.param("SELECT 1 AS x |> LIMIT ALL", "Syntax error: Unexpected keyword ALL", id="limit_all"),
]


def _same(got: list[tuple[Any, ...]], want: list[tuple[Any, ...]], ordered: bool) -> bool:
    return got == want if ordered else sorted(got, key=repr) == sorted(want, key=repr)


@pytest.mark.parametrize("sql, want, ordered", ROWS)
def test_rows_locally(warehouse, sql, want, ordered):
    got = [tuple(r.values()) for r in warehouse.query_result(sql).table.to_pylist()]
    assert _same(got, want, ordered), got


@pytest.mark.parametrize("sql, want, ordered", ROWS)
def test_rows_through_client(bigquery_client, sql, want, ordered):
    got = [tuple(r.values()) for r in bigquery_client.query_and_wait(sql)]
    assert _same(got, want, ordered), got


@pytest.mark.parametrize("sql, fragment", REFUSED)
def test_refused_locally(warehouse, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)


@pytest.mark.parametrize("sql, fragment", REFUSED)
def test_refused_through_client(bigquery_client, sql, fragment):
    assert_fails_through_client(bigquery_client, sql, fragment)


# a pipe LIMIT's count and offset may be query parameters (sqlglot read them as Python numbers)
_LIMIT = f"{_SIX} |> LIMIT @n OFFSET @o"


def test_pipe_limit_parameters_locally(warehouse):
    got = warehouse.engine.query(_LIMIT, {"n": 2, "o": 3}, param_types={"n": "INT64", "o": "INT64"})
    assert [r["x"] for r in got.table.to_pylist()] == [4, 5]


def test_pipe_limit_parameters_through_client(bigquery_client):
    config = bigquery.QueryJobConfig(
        query_parameters=[
            bigquery.ScalarQueryParameter("n", "INT64", 2),
            bigquery.ScalarQueryParameter("o", "INT64", 3),
        ]
    )
    assert [r["x"] for r in bigquery_client.query_and_wait(_LIMIT, job_config=config)] == [4, 5]
