"""Stars over STRUCT values and value tables, as GoogleSQL's query-syntax reference describes them.

Each query runs on the local warehouse (`llmops sql`'s path) and through the real BigQuery
client; the result's column names and order are compared with BigQuery's, and its rows. What was
wrong:

- `SELECT AS STRUCT *` (also `e.*`, `* EXCEPT (...)`, `* REPLACE (...)`, beside named items)
  inside `ARRAY(...)` or a scalar subquery failed with DuckDB's "STAR expression is only
  allowed as the root element";
- `expr.*` of a STRUCT-valued expression (`t.loc.*`, `s[OFFSET(0)].*`, the dedupe idiom
  `ARRAY_AGG(t ORDER BY ts DESC LIMIT 1)[OFFSET(0)].*`, `(SELECT AS STRUCT 1 a, 2 b).*`), with
  `EXCEPT`/`REPLACE` after it, failed ("Did not expect more than one column in front of a star
  expression", a syntax error at `*`);
- value tables: `SELECT AS VALUE v FROM (SELECT AS STRUCT ...) v`, `SELECT AS VALUE loc` of a
  STRUCT column and `SELECT AS VALUE ARRAY_AGG(t ORDER BY ts DESC LIMIT 1)[OFFSET(0)] ... GROUP BY
  id` answered one STRUCT column (BigQuery writes the fields as the columns); `SELECT x FROM (SELECT AS VALUE STRUCT(1 AS a)) x`
  answered a STRUCT with a field named after DuckDB's expression, and `x.a` was an error; a value
  table defined by WITH (`WITH W AS (SELECT AS STRUCT 55 foo, ...) SELECT ... FROM W WHERE foo
  = 77`) had no column `foo`;
- `SELECT ST_ASTEXT(g) FROM UNNEST([STRUCT(ST_GEOGPOINT(1, 2) AS g)])` failed "unrecognized
  name: g" (an array literal of STRUCTs with a field sqlglot cannot type was not expanded).

Where the fields of a STRUCT are neither written in the query nor known from its type, `expr.*
EXCEPT (...)` is refused by name.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from googlesql_cases import assert_fails_locally, assert_fails_through_client

UTC = dt.UTC
TS2 = dt.datetime(2024, 1, 2, tzinfo=UTC)
TS3 = dt.datetime(2024, 1, 3, tzinfo=UTC)

# `{T}`: a table of two versions of row 1 and one of row 2
TABLE = (
    "SELECT 1 AS id, [STRUCT('a' AS n, 2 AS q), STRUCT('b' AS n, 3 AS q)] AS s, "
    "STRUCT('x' AS city, 5 AS zip) AS loc, TIMESTAMP '2024-01-02' AS ts "
    "UNION ALL SELECT 1, [STRUCT('c', 4)], STRUCT('y', 6), TIMESTAMP '2024-01-03' "
    "UNION ALL SELECT 2, [STRUCT('d', 7)], STRUCT('z', 8), TIMESTAMP '2024-01-02'"
)
FIRST = "WHERE id = 1 AND ts = TIMESTAMP '2024-01-02'"

# (query, whether it orders its rows, BigQuery's column names, its rows)
CASES: list[tuple[str, bool, list[str], list[tuple[Any, ...]]]] = [
    # SELECT AS STRUCT * inside ARRAY(...) and a scalar subquery
    (
        f"SELECT id, ARRAY(SELECT AS STRUCT * FROM UNNEST(s) WHERE n = 'a') AS a FROM {{T}} {FIRST}",
        False,
        ["id", "a"],
        [(1, [{"n": "a", "q": 2}])],
    ),
    (
        f"SELECT ARRAY(SELECT AS STRUCT e.* FROM UNNEST(s) AS e ORDER BY q DESC) AS a FROM {{T}} {FIRST}",
        False,
        ["a"],
        [([{"n": "b", "q": 3}, {"n": "a", "q": 2}],)],
    ),
    (
        f"SELECT (SELECT AS STRUCT * FROM UNNEST(s) ORDER BY q DESC LIMIT 1) AS f FROM {{T}} {FIRST}",
        False,
        ["f"],
        [({"n": "b", "q": 3},)],
    ),
    (
        f"SELECT ARRAY(SELECT AS STRUCT * EXCEPT (q) FROM UNNEST(s) ORDER BY n) AS a FROM {{T}} {FIRST}",
        False,
        ["a"],
        [([{"n": "a"}, {"n": "b"}],)],
    ),
    (
        f"SELECT ARRAY(SELECT AS STRUCT * REPLACE (UPPER(n) AS n), q * 10 AS q10 FROM UNNEST(s) ORDER BY q) "
        f"AS a FROM {{T}} {FIRST}",
        False,
        ["a"],
        [([{"n": "A", "q": 2, "q10": 20}, {"n": "B", "q": 3, "q10": 30}],)],
    ),
    # expr.* of a STRUCT column behind a table alias, an array element, an aggregate's row
    (
        "SELECT t.loc.* FROM {T} AS t ORDER BY t.ts, t.id",
        True,
        ["city", "zip"],
        [("x", 5), ("z", 8), ("y", 6)],
    ),
    (
        "SELECT id, s[OFFSET(0)].* FROM {T} ORDER BY ts, id",
        True,
        ["id", "n", "q"],
        [(1, "a", 2), (2, "d", 7), (1, "c", 4)],
    ),
    (
        "SELECT ARRAY_AGG(t ORDER BY ts DESC LIMIT 1)[OFFSET(0)].* FROM {T} AS t GROUP BY id",
        False,
        ["id", "s", "loc", "ts"],
        [
            (1, [{"n": "c", "q": 4}], {"city": "y", "zip": 6}, TS3),
            (2, [{"n": "d", "q": 7}], {"city": "z", "zip": 8}, TS2),
        ],
    ),
    # ... with EXCEPT and REPLACE after it (the fields from the STRUCT's type)
    ("SELECT t.loc.* EXCEPT (zip) FROM {T} AS t WHERE id = 2", False, ["city"], [("z",)]),
    (
        "SELECT s[OFFSET(0)].* REPLACE (id * 100 AS q) FROM {T} WHERE id = 2",
        False,
        ["n", "q"],
        [("d", 200)],
    ),
    (
        "SELECT ARRAY_AGG(t ORDER BY ts DESC LIMIT 1)[OFFSET(0)].* EXCEPT (s, loc) FROM {T} AS t GROUP BY id",
        False,
        ["id", "ts"],
        [(1, TS3), (2, TS2)],
    ),
    (
        f"SELECT id, (SELECT AS STRUCT * FROM UNNEST(s) ORDER BY q DESC LIMIT 1).* FROM {{T}} {FIRST}",
        False,
        ["id", "n", "q"],
        [(1, "b", 3)],
    ),
    (
        "SELECT (SELECT AS STRUCT * FROM UNNEST(s) ORDER BY q LIMIT 1).* EXCEPT (q) FROM {T} WHERE id = 2",
        False,
        ["n"],
        [("d",)],
    ),
    # a query's value table of STRUCTs is written as the fields' columns (the other dedupe idiom)
    (
        "SELECT AS VALUE ARRAY_AGG(t ORDER BY ts DESC LIMIT 1)[OFFSET(0)] FROM {T} AS t GROUP BY id",
        False,
        ["id", "s", "loc", "ts"],
        [
            (1, [{"n": "c", "q": 4}], {"city": "y", "zip": 6}, TS3),
            (2, [{"n": "d", "q": 7}], {"city": "z", "zip": 8}, TS2),
        ],
    ),
    ("SELECT AS VALUE loc FROM {T} WHERE id = 2", False, ["city", "zip"], [("z", 8)]),
    # a value table of STRUCTs read by its range variable
    (
        "SELECT AS VALUE v FROM (SELECT AS STRUCT id, loc.city AS city FROM {T} WHERE id = 2) v",
        False,
        ["id", "city"],
        [(2, "z")],
    ),
]

# the same, without a table
VALUE_CASES: list[tuple[str, bool, list[str], list[tuple[Any, ...]]]] = [
    ("SELECT (SELECT AS STRUCT 1 a, 2 b).*", False, ["a", "b"], [(1, 2)]),
    ("SELECT (SELECT AS STRUCT 1 a, 'x' b).* EXCEPT (a)", False, ["b"], [("x",)]),
    ("SELECT STRUCT(1 AS a, 'x' AS b).*, 3 AS c", False, ["a", "b", "c"], [(1, "x", 3)]),
    ("SELECT AS VALUE v FROM (SELECT AS STRUCT 1 a, 2 b) v", False, ["a", "b"], [(1, 2)]),
    ("SELECT x FROM (SELECT AS VALUE STRUCT(1 AS a, 'z' AS b)) x", False, ["x"], [({"a": 1, "b": "z"},)]),
    ("SELECT x.b, x.a FROM (SELECT AS VALUE STRUCT(1 AS a, 'z' AS b)) x", False, ["b", "a"], [("z", 1)]),
    ("SELECT * FROM (SELECT AS VALUE STRUCT(1 AS a, 'z' AS b))", False, ["a", "b"], [(1, "z")]),
    # value_table_queries:value_table_with_struct_star_filter (a value table defined by WITH)
    (
        "WITH W AS (SELECT AS STRUCT 55 foo, 'fifty five' bar UNION ALL SELECT AS STRUCT 77 foo, 'seventy seven' bar) "
        "SELECT AS STRUCT * FROM W WHERE foo = 77",
        False,
        ["foo", "bar"],
        [(77, "seventy seven")],
    ),
    ("WITH W AS (SELECT AS STRUCT 55 foo, 'x' bar) SELECT w FROM W w", False, ["w"], [({"foo": 55, "bar": "x"},)]),
    ("SELECT ST_ASTEXT(g) AS w FROM UNNEST([STRUCT(ST_GEOGPOINT(1, 2) AS g)])", False, ["w"], [("POINT(1 2)",)]),
    (
        "SELECT k, ST_ASTEXT(g) AS w FROM UNNEST([STRUCT(7 AS k, ST_GEOGPOINT(3, 4) AS g)])",
        False,
        ["k", "w"],
        [(7, "POINT(3 4)")],
    ),
]

# (query, BigQuery's error or the local warehouse's named refusal)
ERRORS = [
    ("SELECT t.loc.* EXCEPT (nope) FROM {T} AS t", "Column nope in SELECT * EXCEPT list does not exist"),
    ("SELECT t.loc.* REPLACE (1 AS nope) FROM {T} AS t", "Column nope in SELECT * REPLACE list does not exist"),
    # an ARRAY is not expanded (DuckDB's UNNEST would have repeated the row per element)
    ("SELECT t.s.* FROM {T} AS t", "Dot-star is not supported for"),
]
REFUSED = [
    # APPROX_TOP_COUNT's STRUCT type is not inferred
    "SELECT APPROX_TOP_COUNT(n, 1)[OFFSET(0)].* EXCEPT (count) FROM {T}, UNNEST(s)",
    # a value table of STRUCTs whose fields are not known
    "SELECT AS VALUE APPROX_TOP_COUNT(n, 1)[OFFSET(0)] FROM {T}, UNNEST(s)",
    # each field would run the subquery again, with another RAND()
    "SELECT (SELECT AS STRUCT RAND() AS r, 2 AS b).*",
]


def _rows(rows: list[tuple[Any, ...]], ordered: bool) -> list[tuple[Any, ...]]:
    return rows if ordered else sorted(rows, key=repr)


def _local(warehouse, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    result = warehouse.query_result(sql)
    return [f["name"] for f in result.schema], [tuple(r.values()) for r in result.table.to_pylist()]


def _client(client, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    result = client.query_and_wait(sql)
    return [f.name for f in result.schema], [tuple(r.values()) for r in result]


@pytest.fixture(scope="module")
def local_table(warehouse):
    schema = f"stars_{uuid.uuid4().hex[:8]}"
    warehouse.query_result(f"CREATE SCHEMA {schema}")
    warehouse.query_result(f"CREATE TABLE {schema}.t AS {TABLE}")
    return f"{schema}.t"


@pytest.fixture
def client_table(bigquery_client, dataset):
    name = f"`{dataset.project}.{dataset.dataset_id}.t`"
    bigquery_client.query_and_wait(f"CREATE TABLE {name} AS {TABLE}")
    return name


@pytest.mark.parametrize("sql, ordered, columns, rows", CASES + VALUE_CASES, ids=[c[0] for c in CASES + VALUE_CASES])
def test_local_warehouse(warehouse, local_table, sql, ordered, columns, rows):
    got_columns, got = _local(warehouse, sql.format(T=local_table))
    assert got_columns == columns
    assert _rows(got, ordered) == _rows(rows, ordered)


def test_bigquery_client(bigquery_client, client_table):
    for sql, ordered, columns, rows in CASES + VALUE_CASES:
        got_columns, got = _client(bigquery_client, sql.format(T=client_table))
        assert got_columns == columns, sql
        assert _rows(got, ordered) == _rows(rows, ordered), sql


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_bigquerys_errors(warehouse, local_table, bigquery_client, client_table, sql, fragment):
    assert_fails_locally(warehouse, sql.format(T=local_table), fragment)
    assert_fails_through_client(bigquery_client, sql.format(T=client_table), fragment)


@pytest.mark.parametrize("sql", REFUSED)
def test_fields_that_cannot_be_known_are_refused_by_name(warehouse, local_table, bigquery_client, client_table, sql):
    fragment = "is not supported by the local warehouse"
    assert_fails_locally(warehouse, sql.format(T=local_table), fragment)
    assert_fails_through_client(bigquery_client, sql.format(T=client_table), fragment)
