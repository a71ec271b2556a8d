"""Two silently wrong answers from the ZetaSQL compliance sweep, now BigQuery's.

`x LIKE ANY UNNEST(array)` repeated each row once per pattern (an empty array dropped the row),
`LIKE ALL UNNEST` / `LIKE SOME UNNEST` did not parse, and LIKE over BYTES failed to bind. Comparisons with a FLOAT64 NaN followed
DuckDB, which orders NaN above every number and equal to itself: `x > 0` kept NaN rows, `x = y`
joined two NaNs, and ORDER BY put NaN last instead of first. Each row is a ZetaSQL compliance case (like_any.test, comparison_functions.test,
aggregation_queries.test) or our own query, with BigQuery's documented answer, run on the local
warehouse and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import pytest
from googlesql_cases import case_params, check_locally, check_through_client

BOOL, INT = "BOOL", "INT64"
NAN = "CAST('nan' AS FLOAT64)"

QUANTIFIED_LIKE = [
    ("'ab' LIKE ANY UNNEST(['a%', 'b'])", True, BOOL),
    ("'ab' LIKE SOME UNNEST(['x%', 'b'])", False, BOOL),
    ("'ab' LIKE ALL UNNEST(['a%', 'b'])", False, BOOL),
    ("'ab' LIKE ALL UNNEST(['a%', '%b'])", True, BOOL),
    ("'ab' NOT LIKE ANY UNNEST(['a%', 'b'])", True, BOOL),
    ("'ab' NOT LIKE ALL UNNEST(['a%', 'b'])", False, BOOL),
    # an empty (or NULL) array: FALSE for ANY, TRUE for ALL, even for a NULL value
    ("'ab' LIKE ANY UNNEST(ARRAY<STRING>[])", False, BOOL),
    ("CAST(NULL AS STRING) LIKE ANY UNNEST(CAST(NULL AS ARRAY<STRING>))", False, BOOL),
    ("CAST(NULL AS STRING) LIKE ALL UNNEST(ARRAY<STRING>[])", True, BOOL),
    # no match and a NULL pattern: NULL; a match wins over a NULL
    ("'ab' LIKE ANY UNNEST(['x%', NULL])", None, BOOL),
    ("'ab' LIKE ANY UNNEST(['a%', NULL])", True, BOOL),
    ("'a' LIKE ALL UNNEST(['a', NULL])", None, BOOL),
    ("'a' LIKE ALL UNNEST(['b', NULL])", False, BOOL),
    ("'a_c' LIKE ANY UNNEST(['a\\\\_c'])", True, BOOL),
    ("'abc' LIKE ANY ((SELECT 'a%'))", True, BOOL),
    # one row per input row, whatever the number of patterns
    ("SELECT COUNT(*) FROM (SELECT v LIKE ANY UNNEST(['a%', 'b', 'c']) FROM UNNEST(['ab', 'b', 'x']) v)", 3, INT),
    ("SELECT COUNT(*) FROM (SELECT v LIKE ANY UNNEST(ARRAY<STRING>[]) FROM UNNEST(['ab', 'b']) v)", 2, INT),
    ("SELECT COUNTIF(v LIKE ANY UNNEST([v, 'zz'])) FROM UNNEST(['ab', 'b', NULL]) v", 2, INT),
    (
        "SELECT STRING_AGG(v, ',' ORDER BY v) FROM UNNEST(['ab', 'b', 'x']) v WHERE v LIKE ALL UNNEST(['%b%', '_%'])",
        "ab,b",
        "STRING",
    ),
    # the list form with NULLs, and LIKE over BYTES (like_any.test like_any_bytes_*): `%`, `_` and
    # the backslash keep their meaning, every other byte matches itself
    ("'ab' LIKE ANY ('x%', NULL)", None, BOOL),
    ("'ab' NOT LIKE ALL ('a%', 'b')", False, BOOL),
    ("b'abc' LIKE b'a%'", True, BOOL),
    (r"b'a_c' LIKE b'a\\_c'", True, BOOL),
    (r"b'abc' LIKE b'a\\_c'", False, BOOL),
    (r"b'\xff\x00' LIKE b'\xff%'", True, BOOL),
    ("SELECT COUNTIF(v LIKE ANY (b'x', b'Val%')) FROM UNNEST([b'Value1', b'abc']) v", 1, INT),
    ("SELECT COUNTIF(v LIKE ANY UNNEST([b'%c', NULL])) FROM UNNEST([b'Value1', b'abc']) v", 1, INT),
    ("b'abc' LIKE NULL", None, BOOL),
]

NAN_COMPARISONS = [
    (f"{NAN} > 0", False, BOOL),
    (f"{NAN} < 0", False, BOOL),
    (f"0 < {NAN}", False, BOOL),
    (f"{NAN} >= {NAN}", False, BOOL),
    (f"{NAN} = {NAN}", False, BOOL),
    (f"{NAN} != {NAN}", True, BOOL),
    (f"{NAN} != 1", True, BOOL),
    (f"{NAN} < NULL", None, BOOL),
    (f"{NAN} != NULL", None, BOOL),
    (f"NOT ({NAN} > 0)", True, BOOL),
    (f"{NAN} IN (1, 2)", False, BOOL),
    (f"{NAN} IN (1, NULL)", None, BOOL),
    (f"{NAN} IN ({NAN})", False, BOOL),
    # comparison_functions.test between_min_and_nan / between_with_nan_and_null
    (f"{NAN} BETWEEN 1 AND NULL", False, BOOL),
    (f"{NAN} NOT BETWEEN 1 AND NULL", True, BOOL),
    (f"10.0 BETWEEN 0 AND {NAN}", False, BOOL),
    ("CAST('inf' AS FLOAT64) > 1e308", True, BOOL),
    # filters and joins: aggregation_queries.test aggregation_sum_3 / aggregation_min_max_3
    (f"SELECT SUM(x) FROM UNNEST([0.5, {NAN}, 1.5]) x WHERE x > 0", 2.0, "FLOAT64"),
    (f"SELECT COUNT(*) FROM UNNEST([1.0, {NAN}, NULL]) x WHERE x != 1", 1, INT),
    (f"SELECT COUNT(*) FROM UNNEST([1.0, {NAN}, 5.0]) x WHERE x BETWEEN 0 AND 2", 1, INT),
    (f"SELECT COUNT(*) FROM UNNEST([1.0, {NAN}]) a JOIN UNNEST([1.0, {NAN}]) b ON a = b", 1, INT),
    (f"SELECT COUNTIF(x <= 2) FROM UNNEST([1.0, {NAN}, 3.0]) x", 1, INT),
    # other types keep their comparisons
    ("'b' > 'a'", True, BOOL),
    ("SELECT COUNT(*) FROM UNNEST([1, 2, 3]) n WHERE n >= 2", 2, INT),
]

VALUES = f"UNNEST([1.0, {NAN}, NULL, CAST('-inf' AS FLOAT64), 2.0]) AS x"
AS_TEXT = "IFNULL(CAST(x AS STRING), 'null')"


def _sorted(order: str, value: str = AS_TEXT) -> str:
    return f"ARRAY_TO_STRING(ARRAY(SELECT {value} FROM {VALUES} ORDER BY {order}), ',')"


# GoogleSQL sorts NaN below every number: after NULL ascending, before it descending
NAN_ORDERINGS = [
    (_sorted("x"), "null,nan,-inf,1,2", "STRING"),
    (_sorted("x DESC"), "2,1,-inf,nan,null", "STRING"),
    (_sorted("x ASC NULLS LAST"), "nan,-inf,1,2,null", "STRING"),
    (_sorted("x DESC NULLS FIRST"), "null,2,1,-inf,nan", "STRING"),
    (
        f"ARRAY_TO_STRING(ARRAY(SELECT {AS_TEXT} FROM (SELECT x AS y FROM {VALUES}) AS s, UNNEST([y]) AS x ORDER BY y), ',')",
        "null,nan,-inf,1,2",
        "STRING",
    ),
    (f"SELECT STRING_AGG({AS_TEXT}, ',' ORDER BY x DESC) FROM {VALUES}", "2,1,-inf,nan,null", "STRING"),
    (f"SELECT r FROM (SELECT x, RANK() OVER (ORDER BY x) AS r FROM {VALUES}) WHERE IS_NAN(x)", 2, INT),
    ("ARRAY_TO_STRING(ARRAY(SELECT CAST(n AS STRING) FROM UNNEST([3, 1, 2]) n ORDER BY n), ',')", "1,2,3", "STRING"),
]

FAMILIES = {"quantified_like": QUANTIFIED_LIKE, "nan_comparisons": NAN_COMPARISONS, "nan_orderings": NAN_ORDERINGS}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


def test_a_join_on_floats_stays_a_hash_join(warehouse):
    plan = warehouse.engine.translate("SELECT COUNT(*) FROM d.a JOIN d.b ON a.x = b.x WHERE a.x > 0.5")
    # the NaN guard is a conjunct of its own, beside the equality and the filter
    assert "a.x = b.x AND NOT" in plan and "a.x > CAST(0.5 AS DOUBLE) AND NOT" in plan, plan


def test_an_update_assignment_is_not_a_comparison(scratch_warehouse):
    scratch_warehouse.query("CREATE SCHEMA nan_update")
    scratch_warehouse.query("CREATE TABLE nan_update.f AS SELECT 1.5 AS x")
    scratch_warehouse.query("UPDATE nan_update.f SET x = 2.5 WHERE x = 1.5")
    assert scratch_warehouse.query("SELECT x FROM nan_update.f").to_pylist() == [{"x": 2.5}]


@pytest.mark.parametrize(
    "sql, guarded",
    [
        ("SELECT * FROM d.t WHERE id = @x", False),  # an INT64 parameter is never NaN
        ("SELECT * FROM d.t WHERE id = 3", False),
        ("SELECT * FROM d.t WHERE id IN (1, 2)", False),
        ("SELECT * FROM d.t WHERE name = 'a'", False),
        ("SELECT * FROM d.t WHERE id < @x", False),  # only the right side of < can be wrong
        ("SELECT * FROM d.t WHERE id > @x", True),
        ("SELECT * FROM d.t WHERE id = @f", True),  # a FLOAT64 parameter may be NaN
        ("SELECT * FROM d.t WHERE a.x = b.y", True),
    ],
)
def test_the_guard_is_left_out_where_no_nan_can_differ(sql, guarded):
    from llmops.emulator.bigquery.googlesql import translate

    out = translate(sql, param_types={"x": "INT64", "f": "FLOAT64"}).statements[0].sql
    assert ("ISNAN" in out.upper()) is guarded, out


def test_like_any_unnest_of_a_scalar_names_the_problem(warehouse, bigquery_client):
    from googlesql_cases import assert_fails_locally, assert_fails_through_client

    sql = "SELECT 'a' LIKE ALL UNNEST(5)"
    assert_fails_locally(warehouse, sql, "Values referenced in UNNEST must be arrays")
    assert_fails_through_client(bigquery_client, sql, "Values referenced in UNNEST must be arrays")


def _types(tables):
    cols = (("x", "FLOAT64"), ("i", "INT64"), ("name", "STRING"))
    return tuple((p, d, t, cols) for p, d, t in tables)


@pytest.mark.parametrize(
    "sql, negated",
    [
        ("SELECT x FROM d.t ORDER BY x", True),
        ("SELECT x AS y FROM d.t ORDER BY y DESC", True),  # an alias of a column
        ("SELECT name, x FROM d.t ORDER BY 2", True),  # by position
        ("SELECT ARRAY_AGG(name ORDER BY x) FROM d.t", True),
        ("SELECT a.x FROM d.t a JOIN d.t b USING (i) ORDER BY a.x", True),  # through sqlglot's optimizer
        ("SELECT x * 2 AS y FROM d.t ORDER BY y", True),  # an alias of an expression
        ("SELECT COUNT(*) OVER (ORDER BY x RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM d.t", True),
        # INT64 and STRING keys are left alone: DuckDB keeps even a constant extra key (5.6x on a top-n)
        ("SELECT i FROM d.t ORDER BY i LIMIT 10", False),
        ("SELECT name FROM d.t ORDER BY name", False),
        ("SELECT x FROM d.t ORDER BY 1 + 0", False),
    ],
)
def test_nan_ordering_keys(sql, negated):
    from llmops.emulator.bigquery.googlesql import translate

    out = translate(sql, column_types=_types).statements[0].sql
    # a FLOAT64 key is sorted negated the other way round, so that NaN comes first (nanorder.py)
    assert ("ORDER BY -(" in out.upper()) is negated, out
