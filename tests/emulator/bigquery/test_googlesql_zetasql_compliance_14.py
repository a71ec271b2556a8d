"""GoogleSQL the thirteenth ZetaSQL compliance sweep (its engine errors) found answered or refused
differently from BigQuery:

- a name `list` or `array` read with a subscript (`list[OFFSET(1)]` of a column `list`,
  `s.array[0]` of a field, `j.array[0]` of a JSON member) was an array literal (`[1]`, silently),
  and a reserved keyword after a dot (`s.from`, `j.select`) a syntax error: the reference's "Path
  expressions" lets a subsequent part be a reserved keyword, quoted or not;
- a subscript of a parenthesized JSON path or of JSON_QUERY/JSON_EXTRACT's JSON (`(j.a)[1]`,
  `JSON_QUERY(j, '$.a')[1]`) counted from 1 as a list's does, one element too far (NULL);
- WITH RECURSIVE's CTEs may read a CTE written after them ("CTE visibility": references "can go
  backwards and forwards. Cycles aren't allowed"): `Table with name B does not exist!`;
- HLL_COUNT.INIT over only NULL literals (GoogleSQL's INT64) is NULL, not an error;
- APPROX_TOP_COUNT, APPROX_TOP_SUM, ARRAY_CONCAT_AGG and HLL_COUNT.*, whose reference has no
  OVER clause, refuse one in BigQuery's words (they were DuckDB's syntax error or
  `flatten is not an aggregate function`);
- a field read from an ARRAY of STRUCTs (ZetaSQL's array paths; BigQuery reads elements with
  UNNEST) is BigQuery's "Cannot access field x on a value with type ARRAY<STRUCT<...>>", not
  DuckDB's message about its internal SQL;
- a STRUCT with two fields of one name (GoogleSQL: "Duplicate field names are allowed"), which a
  DuckDB STRUCT cannot hold, is a named refusal, not DuckDB's `Duplicate named argument "a" in
  function call to "struct_pack"`.

Each row is our own query with the answer (or the error) Google's GoogleSQL reference gives, run on
the local warehouse and through the real BigQuery client against the emulator.
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

INT, BOOL, STR = "INT64", "BOOL", "STRING"

# names that sqlglot reads as array literals or keywords, after a dot or subscripted
SUBSCRIPTED_NAMES = [
    ("SELECT list[OFFSET(1)] FROM (SELECT [7, 8] AS list)", 8, INT),
    ("SELECT list[0] + list[ORDINAL(2)] FROM (SELECT [7, 8] AS list)", 15, INT),
    ("SELECT t.list[SAFE_OFFSET(0)] FROM (SELECT [7, 8] AS list) AS t", 7, INT),
    ("SELECT s.array[SAFE_OFFSET(1)] FROM (SELECT STRUCT([1, 2] AS `array`) AS s)", 2, INT),
    ("SELECT `array`[OFFSET(0)] FROM (SELECT [5] AS `array`)", 5, INT),
    (
        'SELECT TO_JSON_STRING(j.array[1][\'b\']) FROM (SELECT JSON \'{"array": [{"b": 1}, {"b": 2}]}\' AS j)',
        "2",
        STR,
    ),
    ("SELECT s.from FROM (SELECT STRUCT(5 AS `from`) AS s)", 5, INT),
    ("SELECT LAX_INT64(j.select) FROM (SELECT JSON '{\"select\": 3}' AS j)", 3, INT),
]

# CTE visibility with RECURSIVE: forwards as well as backwards
FORWARD_CTES = [
    (
        "WITH RECURSIVE a AS (SELECT SUM(x) AS s FROM c), b AS (SELECT 2 AS x), "
        "c AS (SELECT x FROM b UNION ALL SELECT x + 1 FROM c WHERE x < 4) SELECT s FROM a",
        9,
        INT,
    ),
    ("WITH RECURSIVE A AS (SELECT * FROM B), B AS (SELECT 1 AS n) SELECT n FROM A", 1, INT),
    (
        "WITH RECURSIVE top AS (SELECT MAX(n) AS m FROM nums), "
        "nums AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM nums WHERE n < 3) SELECT m FROM top",
        3,
        INT,
    ),
]

# HLL_COUNT.INIT of NULL literals (INT64): a NULL sketch, which MERGE counts as 0
NULL_SKETCHES = [
    ("SELECT HLL_COUNT.INIT(x) IS NULL FROM (SELECT NULL AS x UNION ALL SELECT NULL)", True, BOOL),
    ("SELECT HLL_COUNT.MERGE(s) FROM (SELECT HLL_COUNT.INIT(NULL) AS s)", 0, INT),
]

# a JSON array's subscript counts from 0 ("JSON subscript operator"), whatever the JSON value's form
_J = "(SELECT JSON '{\"a\": [1, 2]}' AS j)"
JSON_SUBSCRIPTS = [
    (f"SELECT TO_JSON_STRING((j.a)[1]) FROM {_J}", "2", STR),
    (f"SELECT TO_JSON_STRING(JSON_QUERY(j, '$.a')[1]) FROM {_J}", "2", STR),
    (f"SELECT LAX_INT64(JSON_EXTRACT(j, '$.a')[0]) FROM {_J}", 1, INT),
]

FAMILIES = {
    "subscripted_names": SUBSCRIPTED_NAMES,
    "json_subscripts": JSON_SUBSCRIPTS,
    "forward_ctes": FORWARD_CTES,
    "null_sketches": NULL_SKETCHES,
}
ROWS = case_params(FAMILIES)

_FRUIT = "UNNEST(['apple', 'apple', 'pear']) AS x"
REFUSED = [
    pytest.param(
        f"SELECT APPROX_TOP_COUNT(x, 2) OVER () FROM {_FRUIT}",
        "Aggregate function APPROX_TOP_COUNT does not support an OVER clause",
        id="approx_top_count",
    ),
    pytest.param(
        "SELECT APPROX_TOP_SUM(x, w, 2) OVER (ORDER BY w) FROM UNNEST([STRUCT('a' AS x, 1 AS w)])",
        "Aggregate function APPROX_TOP_SUM does not support an OVER clause",
        id="approx_top_sum",
    ),
    pytest.param(
        f"SELECT HLL_COUNT.INIT(x) OVER () FROM {_FRUIT}",
        "Aggregate function HLL_COUNT.INIT does not support an OVER clause",
        id="hll_count_init",
    ),
    pytest.param(
        "SELECT ARRAY_CONCAT_AGG(a) OVER () FROM UNNEST([STRUCT([1] AS a)])",
        "Aggregate function ARRAY_CONCAT_AGG does not support an OVER clause",
        id="array_concat_agg",
    ),
    pytest.param(
        "SELECT [STRUCT(1 AS x), STRUCT(2 AS x)].x",
        "Cannot access field x on a value with type ARRAY<STRUCT<x INT64>>",
        id="field_of_array_literal",
    ),
    pytest.param(
        "WITH t AS (SELECT [STRUCT('a' AS name)] AS items) SELECT t.items.name FROM t",
        "Cannot access field name on a value with type ARRAY<STRUCT<name STRING>>",
        id="field_of_array_column",
    ),
    pytest.param(
        "SELECT STRUCT('abc' AS a, 3 AS a)",
        "a STRUCT with two fields named a is not supported by the local warehouse",
        id="duplicate_field_names",
    ),
    pytest.param(
        "WITH RECURSIVE A AS (SELECT * FROM B), B AS (SELECT * FROM A) SELECT * FROM B",
        "Unsupported WITH entry dependency cycle: A => B => A",
        id="cte_cycle",
    ),
]


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


@pytest.mark.parametrize("sql, fragment", REFUSED)
def test_refused_locally(warehouse, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)


@pytest.mark.parametrize("sql, fragment", REFUSED)
def test_refused_through_client(bigquery_client, sql, fragment):
    assert_fails_through_client(bigquery_client, sql, fragment)
