"""GoogleSQL that answered differently from BigQuery on the go-zetasqlite sweep's rerun: a JSON
value's object members came back in the order written (BigQuery keeps them sorted by key, as
every example of the JSON functions reference shows), REPEAT of a NULL count failed with
"Output of REPEAT exceeds max allowed output size of 1MB" (BigQuery: NULL), and the anonymous
fields of `ARRAY(SELECT AS STRUCT 1, 2)` were named `_0`, `_1` (BigQuery: `_field_1`, `_field_2`,
as for `STRUCT(1, 2)`; TO_JSON_STRING writes them `""`). FORMAT's %T of an aggregate or of a
call the translator checks (`RPAD(bytes, n)`) failed in DuckDB's words once RANGE values were
formatted (the merge of this session's branches). Each row is our own
query with the result Google's reference gives, on the local warehouse and through the real
BigQuery client against the emulator (REST's rows, and a table's rows through tabledata.list).
"""

from __future__ import annotations

import json

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

S = "STRING"

# (query, each JSON column's text as BigQuery prints it): members sorted by key at every depth,
# numbers and strings as written, arrays in their order
JSON_ORDER = [
    ("SELECT JSON_OBJECT('foo', 10, 'bar', TRUE)", ['{"bar":true,"foo":10}']),
    ("SELECT TO_JSON(STRUCT(1 AS id, [10, 20] AS coordinates))", ['{"coordinates":[10,20],"id":1}']),
    ("""SELECT JSON '{"city": "New York", "State": "NY"}'""", ['{"State":"NY","city":"New York"}']),
    (
        """SELECT PARSE_JSON('{"b": 2.5, "a": {"d": "\\\\u00e9", "c": [{"z": 1, "y": null}]}}')""",
        ['{"a":{"c":[{"y":null,"z":1}],"d":"é"},"b":2.5}'],
    ),
    ("""SELECT JSON '[{"y": 1, "x": 0}, 3, "b,a:{"]'""", ['[{"x":0,"y":1},3,"b,a:{"]']),
    ("""SELECT JSON '{"b": 1}', JSON '"text"', JSON 'null', JSON '12'""", ['{"b":1}', '"text"', "null", "12"]),
    (
        """SELECT JSON_SET(JSON '{"z": 0}', '$.a', STRUCT(1.5 AS x, 'v' AS b))""",
        ['{"a":{"b":"v","x":1.5},"z":0}'],
    ),
    # a repeated key keeps its place among equal keys
    ("""SELECT JSON_QUERY(JSON '{"x": {"b": 1, "a": 2}}', '$.x')""", ['{"a":2,"b":1}']),
]


def _texts(values: list) -> list:
    """JSON values as compact text in the order the client received their members."""
    return [v if isinstance(v, str) or v is None else json.dumps(v, separators=(",", ":")) for v in values]


@pytest.mark.parametrize("sql, want", JSON_ORDER)
def test_json_members_sorted_locally(warehouse, sql, want):
    rows = warehouse.query_result(sql).table.to_pylist()
    assert [list(r.values()) for r in rows] == [want]


def test_json_members_sorted_through_client(bigquery_client):
    for sql, want in JSON_ORDER:
        row = next(iter(bigquery_client.query_and_wait(sql)))
        got = [json.dumps(v, separators=(",", ":"), ensure_ascii=True) for v in row.values()]
        assert got == [json.dumps(json.loads(w), separators=(",", ":"), ensure_ascii=True) for w in want], sql


def test_json_members_sorted_inside_structs_and_arrays(warehouse, bigquery_client):
    sql = """SELECT STRUCT(JSON '{"b": 1, "a": 2}' AS j, 1 AS k) AS s,
                    [JSON '{"b": 1, "a": 2}', JSON '3'] AS arr,
                    ARRAY<STRUCT<j JSON>>[STRUCT(JSON '{"d": 1, "c": 2}')] AS sa"""
    local = warehouse.query_result(sql).table.to_pylist()[0]
    assert local == {"s": {"j": '{"a":2,"b":1}', "k": 1}, "arr": ['{"a":2,"b":1}', "3"], "sa": [{"j": '{"c":2,"d":1}'}]}
    row = next(iter(bigquery_client.query_and_wait(sql)))
    assert list(row["s"]["j"]) == ["a", "b"]
    assert list(row["arr"][0]) == ["a", "b"]
    assert list(row["sa"][0]["j"]) == ["c", "d"]


def test_table_rows_come_back_sorted(bigquery_client):
    ds = bigquery_client.create_dataset("json_order_rows", exists_ok=True)
    try:
        bigquery_client.query_and_wait(
            f"""CREATE TABLE {ds.dataset_id}.t AS SELECT 1 AS id, JSON '{{"b": 1, "a": {{"y": 0, "x": 1}}}}' AS j"""
        )
        rows = list(bigquery_client.list_rows(f"{ds.dataset_id}.t"))
        assert json.dumps(rows[0]["j"], separators=(",", ":")) == '{"a":{"x":1,"y":0},"b":1}'
        table = bigquery_client.query_and_wait(f"SELECT j FROM {ds.dataset_id}.t")
        assert json.dumps(next(iter(table))["j"], separators=(",", ":")) == '{"a":{"x":1,"y":0},"b":1}'
    finally:
        bigquery_client.delete_dataset(ds, delete_contents=True, not_found_ok=True)


# REPEAT's 1 MB check let a NULL count through as a huge one
REPEATS = [
    ("REPEAT('abc', CAST(NULL AS INT64))", None, S),
    ("SELECT REPEAT(t, n) FROM UNNEST([STRUCT('abc' AS t, CAST(NULL AS INT64) AS n)])", None, S),
    ("SELECT REPEAT(t, n) FROM UNNEST([STRUCT(CAST(NULL AS STRING) AS t, 3 AS n)])", None, S),
    ("SELECT REPEAT(t, n) FROM UNNEST([STRUCT('例子' AS t, 2 AS n)])", "例子例子", S),
    ("SELECT SAFE.REPEAT(t, n) FROM UNNEST([STRUCT('abc' AS t, 1000000 AS n)])", None, S),
]
# the fields of a nested SELECT AS STRUCT without a name: BigQuery's `_field_N`, as STRUCT(1, 2)'s
ANONYMOUS_FIELDS = [
    (
        "ARRAY(SELECT AS STRUCT 1, 2 UNION ALL SELECT AS STRUCT 3, 4)",
        [{"_field_1": 1, "_field_2": 2}, {"_field_1": 3, "_field_2": 4}],
        "RECORD",
    ),
    ("(SELECT AS STRUCT 1 AS a, 'x')", {"a": 1, "_field_2": "x"}, "RECORD"),
    ("ARRAY(SELECT AS STRUCT x, x * 2 FROM UNNEST([3]) AS x)", [{"x": 3, "_field_2": 6}], "RECORD"),
    ("TO_JSON_STRING(ARRAY(SELECT AS STRUCT 1, 'a'))", '[{"":1,"":"a"}]', S),
    ("SELECT y FROM (SELECT AS STRUCT 1 AS x, 2 AS y)", 2, "INT64"),
]
# FORMAT %T/%t of an aggregate or of a checked call (a RANGE's text branch put them inside a TRY(),
# which DuckDB refuses over an aggregate or a rewrite's error())
FORMATTED = [
    ("SELECT FORMAT('%T', ARRAY_CONCAT_AGG(x)) FROM UNNEST([STRUCT([1, 2] AS x), STRUCT([5])])", "[1, 2, 5]", S),
    ("SELECT FORMAT('%t', SUM(x)) FROM UNNEST([1, 2]) AS x", "3", S),
    ("SELECT FORMAT('%T', RPAD(t, n)) FROM UNNEST([STRUCT(b'abc' AS t, 5 AS n)])", 'b"abc  "', S),
    ("SELECT FORMAT('%T', LEFT(t, n)) FROM UNNEST([STRUCT('abc' AS t, 2 AS n)])", '"ab"', S),
]
# INTERVAL as a type name (a function's parameter or result) was taken for an INTERVAL literal
# whose date part was the next word: "A valid date part name is required but found RETURNS"
# (bigquery-utils' interval_micros; the date part check of stop 40)
INTERVAL_TYPES = [
    ("SELECT ARRAY_LENGTH(ARRAY<INTERVAL>[INTERVAL 1 DAY, INTERVAL 2 HOUR])", 2, "INT64"),
    ("SELECT CAST(CAST('1-2 3 4:5:6' AS INTERVAL) AS STRING)", "1-2 3 4:5:6", S),
]
INTERVAL_FUNCTIONS = [
    (
        "CREATE TEMP FUNCTION f(i INTERVAL, n INT64) RETURNS INTERVAL AS (i * n); "
        "SELECT CAST(f(INTERVAL 2 DAY, 3) AS STRING)",
        "0-0 6 0:0:0",
    ),
    ("CREATE TEMP FUNCTION g(i INTERVAL) RETURNS INT64 AS (EXTRACT(DAY FROM i)); SELECT g(INTERVAL 4 DAY)", 4),
    # an UNNEST's range variable named as a column of another FROM item, inside a function body
    # (bigquery-utils' cw_disjoint_all_partitions_by_regexp): "Ambiguous reference to column name"
    (
        "CREATE TEMP FUNCTION parts(h STRING) AS ((WITH t AS (SELECT split(h, '#') AS ms) "
        "SELECT ARRAY_AGG(ms ORDER BY ms) FROM t CROSS JOIN UNNEST(t.ms) ms WHERE ms <> '')); "
        "SELECT parts('b#a#')",
        ["a", "b"],
    ),
]
ROWS = case_params(
    {"repeats": REPEATS, "anonymous_fields": ANONYMOUS_FIELDS, "formatted": FORMATTED, "interval_types": INTERVAL_TYPES}
)
TOO_LONG = "SELECT REPEAT(t, n) FROM UNNEST([STRUCT('abc' AS t, 1000000 AS n)])"


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


def test_through_client(bigquery_client):
    check_through_client(bigquery_client, REPEATS + ANONYMOUS_FIELDS + FORMATTED + INTERVAL_TYPES)


@pytest.mark.parametrize("sql, want", INTERVAL_FUNCTIONS)
def test_function_bodies(warehouse, bigquery_client, sql, want):
    assert list(warehouse.query_result(sql).table.to_pylist()[0].values()) == [want]
    assert list(next(iter(bigquery_client.query_and_wait(sql))).values()) == [want]


def test_repeat_past_one_megabyte_still_fails(warehouse, bigquery_client):
    assert_fails_locally(warehouse, TOO_LONG, "Output of REPEAT exceeds max allowed output size of 1MB")
    assert_fails_through_client(bigquery_client, TOO_LONG, "Output of REPEAT exceeds max allowed output size of 1MB")
