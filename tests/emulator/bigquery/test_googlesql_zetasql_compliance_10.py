"""GoogleSQL the ninth ZetaSQL compliance sweep found answered differently from BigQuery:

- a FROM path with WITH OFFSET (`FROM t.arr AS e WITH OFFSET`, `... RIGHT JOIN s.b AS f WITH
  OFFSET USING (offset)`) was a syntax error; it is the UNNEST of that array;
- `SELECT AS STRUCT *` over an UNNEST ... WITH OFFSET (in ARRAY(...) or a scalar subquery) had a
  field `__bq_ordinality_offset` counting from 1 where BigQuery's is `offset`, from 0, and listed
  first when the join is USING (offset);
- `TO_JSON_STRING(TO_JSON(STRUCT(...)))` wrote the JSON text rewrite around its own copy dozens
  of times (over 1 MB of SQL for two fields, 15 s to translate); a JSON value's text is now read
  as it is;
- `ARRAY(subquery)[OFFSET(n)]` of a set operation, or in GROUP BY, was refused as "function
  ARRAY";
- `SELECT NULL` (also in a set operation) was a STRING column; BigQuery types an untyped NULL
  INT64;
- `DATETIME_BUCKET` / `TIMESTAMP_BUCKET` with a fractional width (`INTERVAL '0.1' SECOND`) was
  an error;
- a STRUCT written in the query `IN (SELECT struct ...)` matched the fields by name (DuckDB's
  IN): `STRUCT(1 AS a) IN (SELECT STRUCT(1 AS c))` was FALSE; BigQuery compares by position;
- `REPEAT(NULL, n)` was BYTES (BigQuery: STRING), and JSON_EXTRACT / JSON_QUERY of
  `TO_JSON_STRING(t, true)` was JSON (BigQuery: STRING, as for the compact text).

Each row is our own query with the answer Google's GoogleSQL reference gives, run on the local
warehouse and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from googlesql_cases import case_params, check_locally, check_through_client, same_type

INT, S, DT, TS = "INT64", "STRING", "DATETIME", "TIMESTAMP"

_AB = "(SELECT STRUCT([1, 4] AS a) AS ca, STRUCT([2, 4, 6, 8] AS b) AS cb) AS s"
_ARR = "(SELECT [5, 6, 7] AS arr) AS t"

# a FROM path with WITH OFFSET is the UNNEST of the array it names
PATH_OFFSETS = [
    (f"SELECT (SELECT SUM(e * o) FROM t.arr AS e WITH OFFSET AS o) FROM {_ARR}", 20, INT),
    (f"SELECT (SELECT SUM(arr * offset) FROM t.arr WITH OFFSET) FROM {_ARR}", 20, INT),
    (f"SELECT SUM(e * o) FROM {_ARR}, t.arr e WITH OFFSET o", 20, INT),
    (f"SELECT COUNT(*) FROM {_ARR} JOIN t.arr AS e WITH OFFSET ON e > 5", 2, INT),
    (
        f"SELECT (SELECT STRING_AGG(FORMAT('%d:%t:%t', offset, x, y), ',' ORDER BY offset)"
        f" FROM s.ca.a AS x WITH OFFSET RIGHT JOIN s.cb.b AS y WITH OFFSET USING (offset)) FROM {_AB}",
        "0:1:2,1:4:4,2:NULL:6,3:NULL:8",
        S,
    ),
    (
        f"SELECT (SELECT COUNT(*) FROM s.ca.a AS x WITH OFFSET FULL JOIN s.cb.b AS y WITH OFFSET USING (offset))"
        f" FROM {_AB}",
        4,
        INT,
    ),
]

# SELECT AS STRUCT * over UNNEST ... WITH OFFSET: the offset under its name, from 0, in BigQuery's order
STRUCT_STAR_OFFSETS = [
    (
        f"SELECT (SELECT AS STRUCT * FROM s.ca.a AS x WITH OFFSET RIGHT JOIN s.cb.b AS y WITH OFFSET"
        f" USING (offset) ORDER BY offset LIMIT 1) FROM {_AB}",
        {"offset": 0, "x": 1, "y": 2},
        "RECORD",
    ),
    (
        "SELECT ARRAY(SELECT AS STRUCT * FROM UNNEST(['p', 'q']) AS v WITH OFFSET AS pos ORDER BY pos DESC)",
        [{"v": "q", "pos": 1}, {"v": "p", "pos": 0}],
        "RECORD",
    ),
    (
        f"SELECT ARRAY(SELECT AS STRUCT * FROM t.arr WITH OFFSET WHERE offset > 0) FROM {_ARR}",
        [{"arr": 6, "offset": 1}, {"arr": 7, "offset": 2}],
        "RECORD",
    ),
]

# TO_JSON_STRING of a JSON value is its JSON text (these answered so before, slowly: they pin the
# values of the shorter SQL; test_to_json_string_of_to_json_stays_small pins its time)
JSON_TEXTS = [
    ("TO_JSON_STRING(TO_JSON(STRUCT(1 AS a, 'x' AS b)))", '{"a":1,"b":"x"}', S),
    (
        "TO_JSON_STRING(TO_JSON(STRUCT(TIMESTAMP '2024-01-02 03:04:05+00' AS t, [1.5, 2.0] AS f, b'ab' AS y)))",
        # a JSON value's members sorted by key (the JSON functions reference's TO_JSON example)
        '{"f":[1.5,2],"t":"2024-01-02T03:04:05Z","y":"YWI="}',
        S,
    ),
    ('TO_JSON_STRING(JSON \'{"k": [1, null, "v"]}\')', '{"k":[1,null,"v"]}', S),
    ("TO_JSON_STRING(PARSE_JSON('\"\\\\u001A\"'))", '"\\u001a"', S),
    ("TO_JSON_STRING(CAST(NULL AS JSON))", "null", S),
]

# ARRAY(subquery)[OFFSET(n)] where the subscript's bounds check repeats the array
ARRAY_SUBQUERY_SUBSCRIPTS = [
    ("ARRAY(SELECT 1 UNION ALL SELECT 2)[OFFSET(1)]", 2, INT),
    ("ARRAY(SELECT 'a' UNION ALL SELECT 'b')[ORDINAL(1)]", "a", S),
    ("SELECT MAX(k) FROM (SELECT 7 AS k) AS r GROUP BY ARRAY(SELECT k)[OFFSET(0)]", 7, INT),
]

# an untyped NULL is INT64
NULL_TYPES = [
    ("NULL", None, INT),
    ("SELECT NULL UNION ALL SELECT NULL LIMIT 1", None, INT),
    ("SELECT NULL INTERSECT DISTINCT SELECT NULL", None, INT),
    ("SELECT * FROM (SELECT NULL AS n EXCEPT DISTINCT SELECT 1)", None, INT),
]

_D = "DATETIME '2024-05-06 07:08:09.35'"
# a bucket width of fractional seconds
FRACTIONAL_BUCKETS = [
    (f"DATETIME_BUCKET({_D}, INTERVAL '0.1' SECOND)", dt.datetime(2024, 5, 6, 7, 8, 9, 300000), DT),
    (f"DATETIME_BUCKET({_D}, INTERVAL '0.25' SECOND)", dt.datetime(2024, 5, 6, 7, 8, 9, 250000), DT),
    (
        "TIMESTAMP_BUCKET(TIMESTAMP '2024-05-06 07:08:09.35+00', INTERVAL '2.5' SECOND)",
        dt.datetime(2024, 5, 6, 7, 8, 7, 500000, tzinfo=dt.UTC),
        TS,
    ),
]

# a STRUCT IN a subquery of STRUCTs compares by position, not by field name
STRUCTS_IN_SUBQUERIES = [
    ("STRUCT(1 AS a) IN (SELECT STRUCT(1 AS c))", True, "BOOL"),
    (
        "STRUCT<a INT64, b STRING>(2, 'y') IN (SELECT STRUCT<c INT64, d STRING>(n, 'y') FROM UNNEST([1, 2]) AS n)",
        True,
        "BOOL",
    ),
    ("STRUCT(3 AS a, 3 AS b) NOT IN (SELECT STRUCT(n AS p, n AS q) FROM UNNEST([1, 2]) AS n)", True, "BOOL"),
    ("STRUCT(1 AS a) IN (SELECT STRUCT(1 AS c) FROM UNNEST([1]) WHERE FALSE)", False, "BOOL"),
    (
        "SELECT STRING_AGG(CAST(x AS STRING) ORDER BY x) FROM UNNEST([1, 2, 3]) AS x"
        " WHERE STRUCT(x AS k) IN (SELECT AS STRUCT y AS j FROM UNNEST([2, 3]) AS y)",
        "2,3",
        S,
    ),
]

# the types BigQuery gives: REPEAT of a NULL literal is STRING's overload; JSON_EXTRACT of
# TO_JSON_STRING's pretty-printed text is a STRING (both were BYTES / JSON)
RESULT_TYPES = [
    ("REPEAT(NULL, 3)", None, S),
    ("SELECT JSON_EXTRACT(TO_JSON_STRING(t, true), '$.a') FROM (SELECT 1 AS a) AS t", "1", S),
    ("SELECT JSON_QUERY(TO_JSON_STRING(t, true), '$.b') FROM (SELECT 'x' AS b) AS t", '"x"', S),
]

FAMILIES = {
    "path_offsets": PATH_OFFSETS,
    "json_texts": JSON_TEXTS,
    "array_subquery_subscripts": ARRAY_SUBQUERY_SUBSCRIPTS,
    "null_types": NULL_TYPES,
    "fractional_buckets": FRACTIONAL_BUCKETS,
    "structs_in_subqueries": STRUCTS_IN_SUBQUERIES,
    "result_types": RESULT_TYPES,
}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


@pytest.mark.parametrize("sql, want, typ", STRUCT_STAR_OFFSETS)
def test_struct_star_offsets_locally(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("sql, want, typ", STRUCT_STAR_OFFSETS)
def test_struct_star_offsets_through_client(bigquery_client, sql, want, typ):
    result = bigquery_client.query_and_wait(sql)
    (value,) = list(next(iter(result)).values())
    assert plain(value) == want
    assert same_type(result.schema[0].field_type, typ)


def plain(value: Any) -> Any:
    """The client's Row/dict values as plain dicts and lists, in field order."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def test_to_json_string_of_to_json_stays_small(warehouse):
    # it took over 10 s (the query limit) to translate on this machine, for five fields
    sql = "SELECT TO_JSON_STRING(TO_JSON(STRUCT(1 AS a, 2 AS b, 3 AS c, 'x' AS d, 1.5 AS e)))"
    start = time.monotonic()
    result = warehouse.query_result(sql)
    assert result.table.column(0).to_pylist() == ['{"a":1,"b":2,"c":3,"d":"x","e":1.5}']
    assert time.monotonic() - start < 5
