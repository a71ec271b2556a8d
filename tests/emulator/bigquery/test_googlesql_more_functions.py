"""GoogleSQL forms that BigQuery documents and the local warehouse refused or failed on.

Each case is a ZetaSQL compliance case or our own query, with BigQuery's documented answer, run on
the local warehouse and through the real BigQuery client:

- `x LIKE y` of two BYTES values neither of which the query text shows as BYTES (a BYTES column
  compared with itself, `col LIKE ALL (b'a%', col)`) failed with DuckDB's "No function matches
  like_escape(BLOB, BLOB, ...)" (like_any / like_all: *_bytes_nulls, *_bytes_array_nulls,
  *_bytes_nonconstant_patterns);
- `PERCENTILE_CONT(x, p IGNORE NULLS) OVER (...)` (and PERCENTILE_DISC's) was refused; IGNORE NULLS
  is the documented default (analytic_percentile_cont: *_ignore_nulls);
- `CAST(bytes AS STRING FORMAT 'BASE8')` and back to BYTES were refused (cast_function:
  cast_bytes_to_string_all_formats, cast_string_to_bytes_all_formats, *_with_format_table_scan,
  *_with_parameter_as_format): the bytes as one big-endian octal number of ceil(8n/3) digits;
- `JSON_FLATTEN(json)` (BigQuery's JSON transformer, in preview) was an unknown function
  (json_queries: json_flatten_*);
- EUCLIDEAN_DISTANCE / COSINE_DISTANCE of sparse vectors (ARRAY<STRUCT<dimension, magnitude>>,
  INT64 or STRING dimensions) failed with DuckDB's "No function matches list_distance(STRUCT...)"
  (array_functions: euclidian_distance_shuffled_input_strkey/_intkey), and COSINE_DISTANCE of a
  zero vector answered NaN instead of BigQuery's error.
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

STR = "STRING"
BYTES = "BYTES"
FLOAT = "FLOAT64"
INT = "INT64"


def _window(call: str, values: str = "[1, NULL, 2, 4]") -> str:
    """The one value of `call OVER ()` over the elements of `values`."""
    return f"SELECT ANY_VALUE(p) FROM (SELECT {call} OVER () AS p FROM UNNEST({values}) AS x)"


PERCENTILES_IGNORE_NULLS = [
    (_window("PERCENTILE_CONT(x, 0.25 IGNORE NULLS)"), 1.5, FLOAT),
    (_window("PERCENTILE_CONT(x, 0.5 IGNORE NULLS)"), 2.0, FLOAT),
    (_window("PERCENTILE_DISC(x, 0.5 IGNORE NULLS)"), 2, INT),
    (_window("PERCENTILE_CONT(x, 1 IGNORE NULLS)", "[CAST(NULL AS FLOAT64), 0.5, -1]"), 0.5, FLOAT),
]

BASE8 = [
    ("CAST(b'abc' AS STRING FORMAT 'base8')", "30261143", STR),
    ("CAST(b'def' AS STRING FORMAT 'BASE8')", "31062546", STR),
    # fewer than three bytes: ceil(8n/3) digits of the number, zero-padded
    ("CAST(b'\\xff' AS STRING FORMAT 'BASE8')", "377", STR),
    ("CAST(b'\\x00' AS STRING FORMAT 'BASE8')", "000", STR),
    ("CAST(b'\\x01\\x02\\x03\\x04' AS STRING FORMAT 'BASE8')", "00100401404", STR),
    ("CAST(b'' AS STRING FORMAT 'BASE8')", "", STR),
    ("CAST('30261143' AS BYTES FORMAT 'base8')", b"abc", BYTES),
    ("CAST('377' AS BYTES FORMAT 'BASE8')", b"\xff", BYTES),
    ("CAST('00100401404' AS BYTES FORMAT 'BASE8')", b"\x01\x02\x03\x04", BYTES),
    ("SAFE_CAST('8' AS BYTES FORMAT 'BASE8')", None, BYTES),
    # a format known only when the query runs
    (
        "SELECT STRING_AGG(CAST(b'xyz' AS STRING FORMAT f), ',' ORDER BY f) FROM UNNEST(['base8', 'base2']) AS f",
        "011110000111100101111010,36074572",
        STR,
    ),
    # a BYTES column with a format column (cast_function:cast_bytes_to_string_with_format_table_scan)
    (
        "SELECT STRING_AGG(CAST(b AS STRING FORMAT f), ',' ORDER BY f) "
        "FROM (SELECT b'xyz' AS b, f FROM UNNEST(['base8', 'base2']) AS f)",
        "011110000111100101111010,36074572",
        STR,
    ),
    (
        "SELECT STRING_AGG(CAST(s AS BYTES FORMAT f), b',' ORDER BY f) "
        "FROM UNNEST([STRUCT('36074572' AS s, 'base8' AS f), ('01110001', 'base2')])",
        b"q,xyz",
        BYTES,
    ),
]

JSON_FLATTEN = [
    (
        """TO_JSON_STRING(JSON_FLATTEN(JSON '[[[[1, 2], 3], 4], {"a":10}, ["foo", true]]'))""",
        '[1,2,3,4,{"a":10},"foo",true]',
        STR,
    ),
    ("TO_JSON_STRING(JSON_FLATTEN(JSON '[1, 2, null]'))", "[1,2,null]", STR),
    ("TO_JSON_STRING(JSON_FLATTEN(JSON '1'))", "[1]", STR),
    # arrays inside an object stay as they are
    ("""TO_JSON_STRING(JSON_FLATTEN(JSON '{"b": [1, [2]]}'))""", '[{"b":[1,[2]]}]', STR),
    ("TO_JSON_STRING(JSON_FLATTEN(JSON '[[[], []]]'))", "[]", STR),
    ("JSON_FLATTEN(NULL) IS NULL", True, "BOOL"),
    ("ARRAY_LENGTH(JSON_FLATTEN(JSON '[[1], [2, [3]]]'))", 3, INT),
]

VECTOR_DISTANCES = [
    # BigQuery's examples: the sparse vectors equal the dense [1, 2] and [3, 4], in any order
    ("ROUND(EUCLIDEAN_DISTANCE([(1, 1.0), (2, 2.0)], [(2, 4.0), (1, 3.0)]), 12)", 2.828427124746, FLOAT),
    ("ROUND(COSINE_DISTANCE([(1, 1.0), (2, 2.0)], [(2, 4.0), (1, 3.0)]), 12)", 0.0161300899, FLOAT),
    ("ROUND(COSINE_DISTANCE([(1, 1.0), (2, 2.0)], [(1, 3.0), (2, 4.0)]), 12)", 0.0161300899, FLOAT),
    # a dimension one vector leaves out has magnitude 0
    ("EUCLIDEAN_DISTANCE([('a', 3.0)], [('b', 4.0)])", 5.0, FLOAT),
    ("COSINE_DISTANCE([('a', 3.0)], [('b', 4.0)])", 1.0, FLOAT),
    ("EUCLIDEAN_DISTANCE([(1, 10.0), (2, 30.0), (5, 40.0)], [(5, 40.0), (1, 10.0), (2, 30.0)])", 0.0, FLOAT),
    # array_functions:euclidian_distance_shuffled_input_strkey
    (
        "EUCLIDEAN_DISTANCE(ARRAY[('a', 10.0), ('b', 30.0), ('d', 40.0)], "
        "ARRAY(SELECT e FROM UNNEST(ARRAY[('a', 10.0), ('b', 30.0), ('d', 40.0)]) AS e))",
        0.0,
        FLOAT,
    ),
    ("EUCLIDEAN_DISTANCE(CAST(NULL AS ARRAY<STRUCT<INT64, FLOAT64>>), [(1, 3.0)])", None, FLOAT),
    ("COSINE_DISTANCE([(1, 3.0)], CAST(NULL AS ARRAY<STRUCT<INT64, FLOAT64>>))", None, FLOAT),
    # a zero vector is a vector for EUCLIDEAN_DISTANCE
    ("EUCLIDEAN_DISTANCE([(1, 0.0)], [(2, 4.0)])", 4.0, FLOAT),
]

FAMILIES = {
    "percentiles_ignore_nulls": PERCENTILES_IGNORE_NULLS,
    "base8": BASE8,
    "json_flatten": JSON_FLATTEN,
    "vector_distances": VECTOR_DISTANCES,
}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


def test_bytes_like_of_columns(env):
    """A BYTES column on both sides of LIKE, also in LIKE ANY/ALL lists and arrays, with
    BigQuery's NULLs (like_all_bytes_nulls, like_any_bytes_array_nulls)."""
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.kvb (k INT64, v BYTES)")
    run(f"INSERT INTO {ds}.kvb VALUES (1, b'Value1'), (2, b'Value2'), (3, NULL)")
    rows = run(
        f"SELECT v LIKE v, v LIKE ALL (NULL, b'Value1', v), v LIKE ANY UNNEST([b'x', v]), "
        f"v NOT LIKE ANY (v, b'Value1') FROM {ds}.kvb ORDER BY k"
    )
    assert rows == [(True, None, True, False), (True, False, True, True), (None, None, None, None)]


ERRORS = [
    ("SELECT CAST('12a' AS BYTES FORMAT 'BASE8')", "Failed to decode invalid base8 string"),
    ("SELECT JSON_FLATTEN('[1]')", "No matching signature for function JSON_FLATTEN"),
    (
        "SELECT COSINE_DISTANCE([(1, 9.0), (2, 7.0), (2, 8.0)], [(1, 8.0), (2, 4.0), (3, 5.0)])",
        "Duplicate index 2 found in the input array",
    ),
    ("SELECT EUCLIDEAN_DISTANCE([('a', 1.0), ('a', 2.0)], [('a', 1.0)])", "Duplicate index a found"),
    (
        "SELECT COSINE_DISTANCE([(1, 0.0), (2, 0.0)], [(1, 3.0), (2, 4.0)])",
        "Cannot compute cosine distance against zero vector",
    ),
    ("SELECT COSINE_DISTANCE([0.0, 0.0], [3.0, 4.0])", "Cannot compute cosine distance against zero vector"),
    ("SELECT EUCLIDEAN_DISTANCE([(1, 1.0), (2, CAST(NULL AS FLOAT64))], [(1, 3.0)])", "NULL struct field"),
]


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_bigquerys_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)
