"""Views over dropped objects, quantified LIKE with a subquery, and SEARCH.

What was wrong:

- a view calling a persistent SQL, JavaScript or table function that was dropped later failed
  with `function H is not supported by the local warehouse` (as if GoogleSQL had no such
  function), and a view over a dropped table, view or dataset with DuckDB's `Table with name t
  does not exist!`; BigQuery names the missing object (`Function not found: ds.h`, 400; `Not
  found: Table p:ds.t`, 404). A direct call of an unknown function was a 404, BigQuery's is 400;
- `x LIKE ANY (SELECT ...)` (ZetaSQL's subquery patterns, which BigQuery's quantified LIKE does
  not take: its patterns are a list or `UNNEST(array)`) reached DuckDB as `x LIKE SELECT ...`, a
  syntax error naming DuckDB; it now fails with ZetaSQL's own analyzer error. BigQuery's documented
  `LIKE ANY UNNEST(ARRAY(SELECT ...))` failed the same way;
- `SEARCH(data, query[, analyzer => ...])` and `TEXT_ANALYZE(text[, analyzer => ...])` were refused
  as unknown functions. The cases are the search functions reference's examples (LOG_ANALYZER's
  tokens, phrases, backtick terms, AND / OR, a list of columns, a whole row, NO_OP_ANALYZER), run
  with BigQuery's documented answers; the PATTERN_ANALYZER, analyzer_options and JSON data are
  refused by name.
"""

from __future__ import annotations

import pytest
from google.api_core.client_options import ClientOptions
from google.api_core.exceptions import BadRequest, NotFound
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

from llmops.core.errors import QueryError
from llmops.testing import start_emulator

# (name, statements that leave a view over something dropped, its read, the error, its HTTP status)
DROPPED_UNDER_A_VIEW = [
    (
        "sql-function",
        [
            "CREATE FUNCTION {ds}.h(x INT64) AS (x + 1)",
            "CREATE VIEW {ds}.calls_h AS SELECT {ds}.h(1) AS a",
            "DROP FUNCTION {ds}.h",
        ],
        "SELECT * FROM {ds}.calls_h",
        "Function not found: {ds}.h",
        400,
    ),
    (
        "javascript-function",
        [
            "CREATE FUNCTION {ds}.js(x FLOAT64) RETURNS FLOAT64 LANGUAGE js AS 'return x + 1;'",
            "CREATE VIEW {ds}.calls_js AS SELECT {ds}.js(1) AS a",
            "DROP FUNCTION {ds}.js",
        ],
        "SELECT * FROM {ds}.calls_js",
        "Function not found: {ds}.js",
        400,
    ),
    (
        "table-function",
        [
            "CREATE TABLE FUNCTION {ds}.tf(n INT64) AS (SELECT n AS a)",
            "CREATE VIEW {ds}.reads_tf AS SELECT * FROM {ds}.tf(1)",
            "DROP TABLE FUNCTION {ds}.tf",
        ],
        "SELECT * FROM {ds}.reads_tf",
        "Function not found: {ds}.tf",
        400,
    ),
    (
        "function-of-a-view-under-a-view",
        [
            "CREATE FUNCTION {ds}.g(x INT64) AS (x * 2)",
            "CREATE VIEW {ds}.calls_g AS SELECT {ds}.g(1) AS a",
            "CREATE VIEW {ds}.over_calls_g AS SELECT a FROM {ds}.calls_g",
            "DROP FUNCTION {ds}.g",
        ],
        "SELECT * FROM {ds}.over_calls_g",
        "Function not found: {ds}.g",
        400,
    ),
    (
        "table",
        [
            "CREATE TABLE {ds}.t AS SELECT 1 AS a",
            "CREATE VIEW {ds}.reads_t AS SELECT a FROM {ds}.t",
            "DROP TABLE {ds}.t",
        ],
        "SELECT * FROM {ds}.reads_t",
        ":{ds}.t (read by the view",
        404,
    ),
    (
        "view",
        [
            "CREATE VIEW {ds}.inner_v AS SELECT 1 AS a",
            "CREATE VIEW {ds}.outer_v AS SELECT a FROM {ds}.inner_v",
            "DROP VIEW {ds}.inner_v",
        ],
        "SELECT * FROM {ds}.outer_v",
        ":{ds}.inner_v (read by the view",
        404,
    ),
    (
        "dataset",
        [
            "CREATE SCHEMA {ds}_gone",
            "CREATE TABLE {ds}_gone.t AS SELECT 1 AS a",
            "CREATE VIEW {ds}.reads_gone AS SELECT a FROM {ds}_gone.t",
            "DROP SCHEMA {ds}_gone CASCADE",
        ],
        "SELECT * FROM {ds}.reads_gone",
        ":{ds}_gone",
        404,
    ),
]
DROPPED_IDS = [case[0] for case in DROPPED_UNDER_A_VIEW]


@pytest.mark.parametrize(("name", "setup", "read", "error", "status"), DROPPED_UNDER_A_VIEW, ids=DROPPED_IDS)
def test_a_view_over_something_dropped_names_it_locally(warehouse, name, setup, read, error, status):
    ds = f"local_{name.replace('-', '_')}"
    warehouse.query_result(f"CREATE SCHEMA {ds}")
    for sql in setup:
        warehouse.query_result(sql.format(ds=ds))
    with pytest.raises(QueryError) as info:
        warehouse.query_result(read.format(ds=ds))
    assert error.format(ds=ds) in str(info.value)
    assert "not supported" not in str(info.value)


@pytest.mark.parametrize(("name", "setup", "read", "error", "status"), DROPPED_UNDER_A_VIEW, ids=DROPPED_IDS)
def test_a_view_over_something_dropped_names_it_through_the_client(bigquery_client, name, setup, read, error, status):
    ds = f"client_{name.replace('-', '_')}"
    bigquery_client.create_dataset(ds)
    for sql in setup:
        bigquery_client.query_and_wait(sql.format(ds=ds))
    with pytest.raises(BadRequest if status == 400 else NotFound) as info:
        bigquery_client.query_and_wait(read.format(ds=ds))
    assert error.format(ds=ds) in str(info.value)


def test_an_unknown_function_is_a_400_as_in_bigquery(warehouse, bigquery_client):
    assert_fails_locally(warehouse, "SELECT no_such_ds.no_such_fn(1)", "Function not found: no_such_ds.no_such_fn")
    assert_fails_through_client(bigquery_client, "SELECT nods.nofn(1)", "Function not found: nods.nofn")


def test_a_view_over_a_dropped_function_after_an_emulator_restart(tmp_path):
    def client(running):
        return bigquery.Client(
            project="p",
            credentials=AnonymousCredentials(),
            client_options=ClientOptions(api_endpoint=running.endpoint),
            location="US",
        )

    first = start_emulator(tmp_path)
    try:
        bq = client(first)
        bq.create_dataset("ds")
        for sql in DROPPED_UNDER_A_VIEW[0][1]:
            bq.query_and_wait(sql.format(ds="ds"))
    finally:
        first.server.stop()
    second = start_emulator(tmp_path)
    try:
        with pytest.raises(BadRequest, match="Function not found: ds.h"):
            client(second).query_and_wait("SELECT * FROM ds.calls_h")
    finally:
        second.server.stop()


WORDS = (
    "WITH Words AS (SELECT 'Intend with clarity.' AS value UNION ALL SELECT 'Secure with intention.' "
    "UNION ALL SELECT 'Clarity and security.') "
)

ARRAY_OF_A_SUBQUERY = [
    ("'a' LIKE ANY UNNEST(ARRAY(SELECT p FROM UNNEST(['b%', '%']) AS p))", True, "BOOL"),
    ("'a' LIKE ALL UNNEST(ARRAY(SELECT p FROM UNNEST(['b%', '%']) AS p))", False, "BOOL"),
    # as 'a' NOT LIKE ANY ('a', NULL): no pattern fails to match, one comparison is NULL
    ("'a' NOT LIKE ANY UNNEST(ARRAY(SELECT p FROM UNNEST(['a', NULL]) AS p))", None, "BOOL"),
    ("b'a' LIKE ANY UNNEST(ARRAY(SELECT b'%'))", True, "BOOL"),
    # the operators reference's example of an array and a subquery
    (
        WORDS + "SELECT STRING_AGG(value, '|' ORDER BY value) FROM Words "
        "WHERE value LIKE ANY UNNEST(ARRAY(SELECT e FROM UNNEST(['%ion%', '%and%']) AS e))",
        "Clarity and security.|Secure with intention.",
        "STRING",
    ),
]
QUANTIFIED_LIKE = {"array-of-a-subquery": ARRAY_OF_A_SUBQUERY}

SUBQUERY_PATTERNS = [
    "SELECT 'a' LIKE ANY (SELECT 'a')",
    "SELECT 'a' LIKE SOME (SELECT p FROM UNNEST(['b%', '%']) AS p)",
    "SELECT 'a' NOT LIKE ALL (SELECT 'a' UNION ALL SELECT 'b')",
    "SELECT b'a' NOT LIKE ANY (SELECT b'a')",
    WORDS + "SELECT value FROM Words WHERE value LIKE ANY (SELECT '%with%')",
]
NO_SUBQUERY_PATTERNS = "does not support subquery expression as patterns"


@pytest.mark.parametrize(("sql", "want", "typ"), case_params(QUANTIFIED_LIKE))
def test_quantified_like_locally(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


def test_quantified_like_through_the_client(bigquery_client):
    check_through_client(bigquery_client, ARRAY_OF_A_SUBQUERY)


@pytest.mark.parametrize("sql", SUBQUERY_PATTERNS)
def test_subquery_patterns_fail_as_in_bigquery(warehouse, bigquery_client, sql):
    assert_fails_locally(warehouse, sql, NO_SUBQUERY_PATTERNS)
    assert_fails_through_client(bigquery_client, sql, NO_SUBQUERY_PATTERNS)


def test_a_list_of_one_scalar_subquery_is_not_a_subquery_of_patterns(warehouse):
    check_locally(warehouse, "'a' LIKE ANY ((SELECT 'a'))", True, "BOOL")
    check_locally(warehouse, "'a' LIKE ALL ((SELECT 'a'), (SELECT 'b'))", False, "BOOL")


SEARCH_QUERY_RULES = [
    ("SEARCH('foobar-example', 'foobar example')", True, "BOOL"),
    ("SEARCH('foobar-example', CONCAT('foo', 'bar'))", True, "BOOL"),
    ("SEARCH('foobar-example', 'foobarexample')", False, "BOOL"),
    (r"SEARCH('foobar-example', 'foobar\\&example')", True, "BOOL"),
    (r"SEARCH('foobar-example', R'foobar\&example')", True, "BOOL"),
    ("SEARCH('foobar-example', '`foobar&example`')", False, "BOOL"),
    ("SEARCH('foobar&example', '`foobar&example`')", True, "BOOL"),
    ("SEARCH('foobar-example', 'example foobar')", True, "BOOL"),
    ("SEARCH('foobar-example', 'Foobar Example')", True, "BOOL"),
    ("SEARCH('foobar-example', '`foobar-example`')", True, "BOOL"),
    ("SEARCH('foobar-example', '`Foobar`')", False, "BOOL"),
    ("SEARCH('`foobar-example`', '`foobar-example`')", False, "BOOL"),
    ("SEARCH('foobar@example.com', '`example.com`')", True, "BOOL"),
    ("SEARCH('a foobar-example b', '`foobar-example`')", True, "BOOL"),
    (r"SEARCH('foobar=', '`foobar\\=`')", False, "BOOL"),
    (r"SEARCH('foobar=', 'foobar\\=')", True, "BOOL"),
    (r"SEARCH('foobar=', R'foobar\=')", True, "BOOL"),
    ("SEARCH('foobar.example', '`foobar`')", True, "BOOL"),
    ("SEARCH('foo.bar', '`foo.`')", False, "BOOL"),
    ("SEARCH('foobar..example', '`foobar.`')", True, "BOOL"),
]
SEARCH_LOGIC_AND_PHRASES = [
    ("SEARCH(R'foo bar baz', R'foo bar')", True, "BOOL"),
    ("SEARCH(R'foo bar baz', R'foo AND bar')", True, "BOOL"),
    ("SEARCH(R'foo', R'foo OR bar')", True, "BOOL"),
    ("SEARCH(R'foo', R'foo AND (bar OR baz)')", False, "BOOL"),
    ("SEARCH(R'foo bar baz', R'\"foo bar\"')", True, "BOOL"),
    ("SEARCH(R'Foo bar baz', R'\"foo Bar\"')", True, "BOOL"),
    ("SEARCH(R'foo bar baz', R'\"`foo bar`\"')", False, "BOOL"),
    ("SEARCH(R'foo else bar', R'\"foo bar\"')", False, "BOOL"),
    ("SEARCH(R'foo-bar-baz', R'bar \"foo&baz\"')", False, "BOOL"),
    ("SEARCH('foo baz.bar', '\"foo baz\"')", True, "BOOL"),
    ("SEARCH('foo baz.bar', '\"foo bar\"')", False, "BOOL"),
]
EMAIL = "WITH data AS (SELECT 'Please use foobar@example.com as your email.' AS email) "
MEALS = (
    "WITH meals AS (SELECT 'Potato pancakes' AS breakfast, 'Toasted cheese sandwich' AS lunch, "
    "'Beef soup' AS dinner UNION ALL SELECT 'Avocado toast', 'Tomato soup', 'Chicken soup') "
)
SEARCH_DATA = [
    # each STRING of an ARRAY, a STRUCT, a list of columns or a row is searched on its own
    ("SEARCH(['foobar', 'example'], 'foobar example')", False, "BOOL"),
    ("SEARCH(['foobar', 'example'], 'example')", True, "BOOL"),
    ("SEARCH(STRUCT(1 AS n, ['x y'] AS a), 'y')", True, "BOOL"),
    ("SEARCH(1, 'a')", False, "BOOL"),
    # no field matches and one is NULL: NULL
    ("SEARCH(CAST(NULL AS STRING), 'a')", None, "BOOL"),
    ("SEARCH(STRUCT('a b' AS x, CAST(NULL AS STRING) AS y), 'c')", None, "BOOL"),
    ("SEARCH(STRUCT('a b' AS x, CAST(NULL AS STRING) AS y), 'b')", True, "BOOL"),
    (
        MEALS + "SELECT STRING_AGG(FORMAT('%t/%t/%t', SEARCH(lunch, 'soup'), SEARCH((breakfast, dinner), 'soup'), "
        "SEARCH(meals, 'soup')), ' ' ORDER BY lunch) FROM meals",
        "false/true/true true/true/true",
        "STRING",
    ),
    (
        EMAIL + "SELECT FORMAT('%t %t %t %t %t', SEARCH(email, 'exam'), SEARCH(email, 'foobar'), "
        "SEARCH(email, 'example.com'), SEARCH(email, R'\"please use\"'), SEARCH(email, R'\"as email\"')) FROM data",
        "false true true true false",
        "STRING",
    ),
]
NO_OP = ", analyzer => 'NO_OP_ANALYZER')"
SEARCH_NO_OP_ANALYZER = [
    ("SEARCH('foobar', 'foobar'" + NO_OP, True, "BOOL"),
    ("SEARCH('foobar', 'Foobar'" + NO_OP, False, "BOOL"),
    ("SEARCH('foobar example', 'foobar'" + NO_OP, False, "BOOL"),
    ("SEARCH('', ''" + NO_OP, True, "BOOL"),
    ("SEARCH(R'foo bar baz', R'\"foo bar\"'" + NO_OP, False, "BOOL"),
    ("SEARCH(R'foo', R'foo OR bar'" + NO_OP, False, "BOOL"),
    ("SEARCH(['x', 'Tomato soup'], 'Tomato soup'" + NO_OP, True, "BOOL"),
]
PIES = "'I like pie, you like-pie, they like 2 PIEs.'"
TEXT_ANALYZE = [
    (f"TEXT_ANALYZE({PIES})", ["i", "like", "pie", "you", "like", "pie", "they", "like", "2", "pies"], None),
    (f"TEXT_ANALYZE({PIES}, analyzer => 'NO_OP_ANALYZER')", ["I like pie, you like-pie, they like 2 PIEs."], None),
]
SEARCH_FAMILIES = {
    "query-rules": SEARCH_QUERY_RULES,
    "logic-and-phrases": SEARCH_LOGIC_AND_PHRASES,
    "data": SEARCH_DATA,
    "no-op-analyzer": SEARCH_NO_OP_ANALYZER,
    "text-analyze": TEXT_ANALYZE,
}

SEARCH_ERRORS = [
    ("SELECT SEARCH('foobarexample', NULL)", "search_query must not be NULL"),
    ("SELECT SEARCH('foobarexample', '')", "search_query contains no tokens"),
    ("SELECT SEARCH('foobarexample', '(foo')", "unclosed ("),
    ("SELECT SEARCH('x', 'a', analyzer => 'PATTERN_ANALYZER')", "is not supported by the local warehouse"),
    ("SELECT SEARCH('x', 'a', analyzer_options => '{}')", "is not supported by the local warehouse"),
    ("SELECT SEARCH(JSON '{\"a\": \"b\"}', 'b')", "is not supported by the local warehouse"),
    ("SELECT SEARCH('a-b', 'a-b')", "is not supported by the local warehouse"),
    ("SELECT SEARCH('x', 'a', analyzer => 'SOME_ANALYZER')", "analyzer must be one of"),
]


@pytest.mark.parametrize(("sql", "want", "typ"), case_params(SEARCH_FAMILIES))
def test_search_locally(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(SEARCH_FAMILIES))
def test_search_through_the_client(bigquery_client, family):
    check_through_client(bigquery_client, SEARCH_FAMILIES[family])


@pytest.mark.parametrize(("sql", "fragment"), SEARCH_ERRORS, ids=[e[1] for e in SEARCH_ERRORS])
def test_search_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)


def test_search_a_table_by_its_name(warehouse, bigquery_client):
    for run in (warehouse.query_result, bigquery_client.query_and_wait):
        run("CREATE SCHEMA IF NOT EXISTS search_ds")
        run(
            "CREATE OR REPLACE TABLE search_ds.logs AS SELECT 'INFO' AS level, 'Entry Foo-Bar created' AS message, "
            "1 AS n UNION ALL SELECT 'SEVERE', 'Entry Foo-Bar does not exist, deleted by 94.60.64.181', 2"
        )
    sql = "SELECT STRING_AGG(level, ',' ORDER BY n) FROM search_ds.logs WHERE SEARCH(logs, '`94.60.64.181`')"
    check_locally(warehouse, sql, "SEVERE", "STRING")
    check_through_client(bigquery_client, [(sql, "SEVERE", "STRING")])
    # a query that is not a literal goes through the UDF
    sql = "SELECT COUNTIF(SEARCH(message, CONCAT('foo', '-', 'bar'))) FROM search_ds.logs"
    assert_fails_locally(warehouse, sql, "is not supported by the local warehouse")
    sql = "SELECT COUNTIF(SEARCH(message, CONCAT('deleted ', level))) FROM search_ds.logs"
    check_locally(warehouse, sql, 0, "INT64")


def test_a_function_of_ones_own_named_search_is_called(warehouse, bigquery_client):
    check_locally(warehouse, "SEARCH('a b', 'b')", True, "BOOL")
    script = "CREATE TEMP FUNCTION search(x STRING, y STRING) AS (CONCAT(x, y)); SELECT search('a', 'b') AS v"
    assert warehouse.query_result(script).table.to_pylist() == [{"v": "ab"}]
    assert [dict(r) for r in bigquery_client.query_and_wait(script)] == [{"v": "ab"}]
    warehouse.query_result("CREATE SCHEMA IF NOT EXISTS search_fn")
    warehouse.query_result("CREATE OR REPLACE FUNCTION search_fn.search(x STRING, y STRING) AS (CONCAT(x, y))")
    check_locally(warehouse, "search_fn.search('a', 'b')", "ab", "STRING")


def test_a_missing_schema_outside_views_is_not_a_dataset(warehouse):
    """DuckDB reads `SAFE.HLL_COUNT.EXTRACT` as a function of schema SAFE.HLL_COUNT; with no view
    naming that schema it is the function's refusal, not `dataset SAFE.HLL_COUNT not found`."""
    assert_fails_locally(warehouse, 'SELECT SAFE.HLL_COUNT.EXTRACT(x) FROM UNNEST([B""]) AS x', "is not supported")
