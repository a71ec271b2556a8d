"""GoogleSQL that answered differently from BigQuery in the third reference sweep (the query syntax,
pipe syntax and operator pages):

- `|> AGGREGATE ... GROUP AND ORDER BY a, b DESC` ordered the rows by the items with a suffix only
  (`b DESC`): the others' ascending order was lost (sqlglot);
- `|> DROP a` and `|> SET a = e` were syntax errors ("Unsupported pipe syntax operator");
- a pipe query on the right of a pipe set operation (`|> EXCEPT DISTINCT (SELECT ... |> EXCEPT
  DISTINCT (...))`) was a DuckDB syntax error at WITH;
- a named window of `|> SELECT` / `|> EXTEND` (`OVER w ... WINDOW w AS (...)`) was "window w does
  not exist";
- the pipe operators the local warehouse does not run (`|> RENAME`, `|> WITH`, `|> RECURSIVE
  UNION`, `|> DESCRIBE`, ...) failed as syntax errors; they are refused by name;
- `SELECT WITH DIFFERENTIAL_PRIVACY` with a bounded aggregate (`AVG(x, contribution_bounds_per_group
  => ...)`) failed as AVG's wrong signature, and `SELECT WITH AGGREGATION_THRESHOLD` as a syntax
  error; both are refused by name;
- a GEOGRAPHY kept the shape it was written in: BigQuery gives an empty geography as
  `GEOMETRYCOLLECTION EMPTY` (`POINT EMPTY` too) and a compound value in its simplest form
  (`GEOMETRYCOLLECTION(POINT(1 1), POINT(2 2))` is `MULTIPOINT(1 1, 2 2)`);
- a correlated join through an earlier UNNEST's element (`FROM UNNEST(rows) AS a LEFT JOIN a.items
  AS item`) read `a` as a dataset ("dataset a not found");
- `SELECT *` over `JOIN UNNEST(ARRAY(SELECT AS STRUCT ...)) AS m` answered `m` as one STRUCT column;
  BigQuery lists the STRUCTs' fields as columns.

Each row is our own query with the answer Google's reference gives, run on the local warehouse and
through the real BigQuery client against the emulator.
"""

from __future__ import annotations

from typing import Any

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

S = "STRING"

_P = (
    "(SELECT 'fruit' AS kind, 'pear' AS name, 4 AS n UNION ALL SELECT 'fruit', 'apple', 1"
    " UNION ALL SELECT 'fruit', 'pear', 2 UNION ALL SELECT 'root', 'beet', 3)"
)
# (query, BigQuery's column names in order, its rows in order)
ORDERED: list[tuple[str, list[str], list[tuple[Any, ...]]]] = [
    # every grouping item ascending unless it says otherwise
    (
        f"FROM {_P} |> AGGREGATE SUM(n) AS total GROUP AND ORDER BY kind, name DESC",
        ["kind", "name", "total"],
        [("fruit", "pear", 6), ("fruit", "apple", 1), ("root", "beet", 3)],
    ),
    (
        f"FROM {_P} |> AGGREGATE SUM(n) AS total GROUP AND ORDER BY kind DESC, name",
        ["kind", "name", "total"],
        [("root", "beet", 3), ("fruit", "apple", 1), ("fruit", "pear", 6)],
    ),
    (
        f"FROM {_P} |> AGGREGATE COUNT(*) AS c GROUP AND ORDER BY kind AS k, name DESC NULLS LAST",
        ["k", "name", "c"],
        [("fruit", "pear", 2), ("fruit", "apple", 1), ("root", "beet", 1)],
    ),
    (
        f"FROM {_P} |> AGGREGATE MAX(n) AS m GROUP AND ORDER BY UPPER(name) AS u, kind DESC",
        ["u", "kind", "m"],
        [("APPLE", "fruit", 1), ("BEET", "root", 3), ("PEAR", "fruit", 4)],
    ),
    # DROP and SET keep the other columns where they were
    (f"FROM {_P} |> DROP name |> WHERE n > 3", ["kind", "n"], [("fruit", 4)]),
    (f"FROM {_P} |> DROP kind, n |> ORDER BY name", ["name"], [("apple",), ("beet",), ("pear",), ("pear",)]),
    (
        f"FROM {_P} |> SET n = n * 10, kind = UPPER(kind) |> WHERE name = 'beet'",
        ["kind", "name", "n"],
        [("ROOT", "beet", 30)],
    ),
    (
        "SELECT 1 AS a, 'x' AS b |> SET b = CONCAT(b, (SELECT 'y')) |> EXTEND a + 1 AS c",
        ["a", "b", "c"],
        [(1, "xy", 2)],
    ),
    (
        f"FROM {_P} |> SET n = IF(n > 2, n, 0) |> DROP kind |> AGGREGATE SUM(n) AS s GROUP AND ORDER BY name",
        ["name", "s"],
        [("apple", 0), ("beet", 3), ("pear", 4)],
    ),
]

# (expression, BigQuery's value, its type)
SIMPLEST_GEOGRAPHIES = [
    ("ST_ASTEXT(ST_GEOGFROMTEXT('POINT EMPTY'))", "GEOMETRYCOLLECTION EMPTY", S),
    ("ST_ASTEXT(ST_GEOGFROMTEXT('LINESTRING EMPTY'))", "GEOMETRYCOLLECTION EMPTY", S),
    ("ST_ASTEXT(ST_GEOGFROMTEXT('GEOMETRYCOLLECTION(POINT(1 1), POINT(2 2))'))", "MULTIPOINT(1 1, 2 2)", S),
    ("ST_ASTEXT(ST_GEOGFROMTEXT('GEOMETRYCOLLECTION(POINT(3 4))'))", "POINT(3 4)", S),
    ("ST_ASTEXT(ST_GEOGFROMTEXT('MULTIPOINT(1 1)'))", "POINT(1 1)", S),
    (
        "ST_ASTEXT(ST_GEOGFROMTEXT('GEOMETRYCOLLECTION(LINESTRING(0 0, 1 1), LINESTRING(2 2, 3 3))'))",
        "MULTILINESTRING((0 0, 1 1), (2 2, 3 3))",
        S,
    ),
    (
        'ST_ASTEXT(ST_GEOGFROMGEOJSON(\'{"type": "GeometryCollection", "geometries": ['
        '{"type": "Point", "coordinates": [1, 2]}, {"type": "Point", "coordinates": [3, 4]}]}\'))',
        "MULTIPOINT(1 2, 3 4)",
        S,
    ),
    ("CAST(ST_GEOGFROMTEXT('GEOMETRYCOLLECTION(POINT(1 1), POINT(2 2))') AS STRING)", "MULTIPOINT(1 1, 2 2)", S),
]
FAMILIES = {"simplest_geographies": SIMPLEST_GEOGRAPHIES}

_ROWS = "UNNEST([STRUCT('p' AS name, [3, 1] AS items), STRUCT('q' AS name, [] AS items)]) AS a"
ORDERED += [
    # LEFT JOIN keeps a row with an empty array, its element NULL; INNER and CROSS JOIN drop it
    (
        f"SELECT a.name, item, ARRAY_LENGTH(a.items) AS n FROM {_ROWS} LEFT JOIN a.items AS item ORDER BY 1, 2",
        ["name", "item", "n"],
        [("p", 1, 2), ("p", 3, 2), ("q", None, 0)],
    ),
    (f"SELECT a.name, item FROM {_ROWS} INNER JOIN a.items AS item ORDER BY 2", ["name", "item"], [("p", 1), ("p", 3)]),
    (f"SELECT name, item FROM {_ROWS}, a.items AS item ORDER BY item DESC", ["name", "item"], [("p", 3), ("p", 1)]),
    (f"SELECT COUNT(*) AS c FROM {_ROWS} JOIN a.items AS item ON item > 1", ["c"], [(1,)]),
]

_RP = "WITH r AS (SELECT 50 AS sid, 'a' AS who), p AS (SELECT 'b' AS who2, 50 AS oid UNION ALL SELECT 'c', 51)"
ORDERED += [
    (
        f"{_RP} SELECT * FROM r JOIN UNNEST(ARRAY(SELECT AS STRUCT * FROM p WHERE p.oid = r.sid)) AS m ON m.who2 = 'b'",
        ["sid", "who", "who2", "oid"],
        [(50, "a", "b", 50)],
    ),
    (
        f"{_RP} SELECT * FROM r, UNNEST(ARRAY(SELECT AS STRUCT oid, oid * 2 AS d FROM p WHERE p.oid > r.sid)) AS m",
        ["sid", "who", "oid", "d"],
        [(50, "a", 51, 102)],
    ),
]

ORDERED += [
    (
        f"FROM {_P} |> SELECT name, SUM(n) OVER w AS total WINDOW w AS (PARTITION BY kind) |> ORDER BY name, total",
        ["name", "total"],
        [("apple", 7), ("beet", 3), ("pear", 7), ("pear", 7)],
    ),
    (
        f"FROM {_P} |> EXTEND COUNT(*) OVER w AS c, RANK() OVER v AS r"
        " WINDOW w AS (PARTITION BY kind), v AS (ORDER BY n DESC) |> WHERE n > 2 |> ORDER BY n",
        ["kind", "name", "n", "c", "r"],
        [("root", "beet", 3, 1, 2), ("fruit", "pear", 4, 3, 1)],
    ),
]

ORDERED += [
    (
        "SELECT * FROM UNNEST([5, 6, 7, 7, 8]) AS v |> EXCEPT DISTINCT"
        " (SELECT * FROM UNNEST([5, 6]) AS v |> EXCEPT DISTINCT (SELECT * FROM UNNEST([5, 8]) AS v)) |> ORDER BY v",
        ["v"],
        [(5,), (7,), (8,)],
    ),
]

REFUSED = [
    ("SELECT 1 AS x |> RENAME x AS y", "the pipe operator |> RENAME is not supported by the local warehouse"),
    (
        "SELECT 1 AS x |> WITH t AS (SELECT 2 AS y) |> WITH t AS (SELECT 3 AS y) |> SELECT x",
        "the pipe operator |> WITH is not supported",
    ),
    ("SELECT 1 AS n |> RECURSIVE UNION ALL (SELECT n + 1 AS n) |> LIMIT 3", "|> RECURSIVE UNION is not supported"),
    ("SELECT 1 AS x |> AS t |> RENAME x AS y |> SELECT t.x", "the pipe operator |> RENAME is not supported"),
    ("SELECT 1 AS x |> DESCRIBE", "the pipe operator |> DESCRIBE is not supported by the local warehouse"),
    (
        "SELECT WITH DIFFERENTIAL_PRIVACY OPTIONS (epsilon = 1, delta = 1e-5, privacy_unit_column = id)"
        " k, AVG(x, contribution_bounds_per_group => (0, 10)) AS a FROM (SELECT 1 AS id, 'k' AS k, 2 AS x) GROUP BY k",
        "SELECT WITH DIFFERENTIAL_PRIVACY (differentially private aggregation) is not supported",
    ),
    (
        "SELECT WITH AGGREGATION_THRESHOLD OPTIONS (threshold = 2, privacy_unit_column = id) x, COUNT(*)"
        " FROM (SELECT 1 AS id, 2 AS x) GROUP BY x",
        "SELECT WITH AGGREGATION_THRESHOLD (aggregation threshold analysis rules) is not supported",
    ),
]


@pytest.mark.parametrize("sql, names, rows", ORDERED, ids=[f"ordered-{i}" for i in range(len(ORDERED))])
def test_rows_locally(warehouse, sql, names, rows):
    result = warehouse.query_result(sql)
    assert [f["name"] for f in result.schema] == names
    columns = [c.to_pylist() for c in result.table.columns]
    assert list(zip(*columns)) == rows


@pytest.mark.parametrize("sql, names, rows", ORDERED, ids=[f"ordered-{i}" for i in range(len(ORDERED))])
def test_rows_through_client(bigquery_client, sql, names, rows):
    result = bigquery_client.query_and_wait(sql)
    assert [f.name for f in result.schema] == names
    assert [tuple(row.values()) for row in result] == rows


@pytest.mark.parametrize("sql, fragment", REFUSED, ids=[f"refused-{i}" for i in range(len(REFUSED))])
def test_refused_locally(warehouse, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)


@pytest.mark.parametrize("sql, fragment", REFUSED, ids=[f"refused-{i}" for i in range(len(REFUSED))])
def test_refused_through_client(bigquery_client, sql, fragment):
    assert_fails_through_client(bigquery_client, sql, fragment)


@pytest.mark.parametrize("sql, want, typ", case_params(FAMILIES))
def test_values_locally(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_values_through_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])
