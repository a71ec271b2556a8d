"""Entries of docs/googlesql.md's "Known differences" made BigQuery's behaviour:

- a JSON value inside a STRUCT or an ARRAY in a JSON-lines export (EXPORT DATA with format JSON,
  an extract job to NEWLINE_DELIMITED_JSON, the local warehouse's export and JSON lines) was
  written as a quoted string (`"s":{"k":"{\\"y\\":1}"}`) where BigQuery writes the value itself,
  its members sorted by key (`"s":{"k":{"y":1}}`); where it was written as a value its own nulls
  were dropped as if they were a STRUCT's NULL fields;
- `CAST(x AS BIGNUMERIC)` / `CAST(x AS NUMERIC)` of a FLOAT64 converts the double's exact binary
  value (served wide as a selected value, refused by name where the local BIGNUMERIC cannot hold
  it), and a FLOAT64 literal's digits as written.

Each case is our own query with the answer BigQuery's rules give, on the local warehouse and
through the real BigQuery client against the emulator (the written object read back through
the Cloud Storage client).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from google.cloud import bigquery
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

# a JSON value as a STRUCT's field (members out of order, an own null, an array of objects), in
# an ARRAY of STRUCTs, as an ARRAY's elements; a NULL JSON field left out, a JSON 'null' kept
NESTED_JSON = """SELECT 7 AS id,
  STRUCT(JSON '{"y": 1, "b": [2, {"d": null, "c": "<&>"}]}' AS k, 2 AS n) AS s,
  [STRUCT(JSON '{"b": 1, "a": null}' AS j, 'x' AS t), STRUCT(JSON '3', NULL)] AS a,
  [JSON '1', JSON '"z"'] AS ja,
  STRUCT(CAST(NULL AS JSON) AS k, JSON 'null' AS v) AS sn,
  JSON '{"z": 1, "a": 2}' AS top"""
NESTED_FIELDS = {
    "s": '{"k":{"b":[2,{"c":"\\u003c\\u0026\\u003e","d":null}],"y":1},"n":"2"}',
    "a": '[{"j":{"a":null,"b":1},"t":"x"},{"j":3}]',
    "ja": '[1,"z"]',
    "sn": '{"v":null}',
    "top": '{"a":2,"z":1}',
}
# EXPORT DATA writes INT64 as a number, an extract job as a string ("Export table data")
EXPORT_LINE = '{"id":"7",' + ",".join(f'"{k}":{v}' for k, v in NESTED_FIELDS.items()) + "}\n"


def test_the_local_warehouse_export_writes_nested_json_as_values(scratch_warehouse):
    engine = scratch_warehouse.engine
    engine.export(NESTED_JSON, "nested.jsonl", format="jsonl")
    assert (engine.local_root / "nested.jsonl").read_text() == EXPORT_LINE


def test_the_local_warehouse_json_lines_write_nested_json_as_values(scratch_warehouse):
    batches: list = []
    columns = ["id", *NESTED_FIELDS]
    scratch_warehouse.stream_json_lines(NESTED_JSON, batches.append, lines={"line": columns})
    assert [line for b in batches for line in b.column("line").to_pylist()] == [EXPORT_LINE]


def test_export_data_writes_nested_json_as_values(bigquery_client, bucket):
    bigquery_client.query_and_wait(
        f"EXPORT DATA OPTIONS(uri='gs://{bucket.name}/nested-*.json', format='JSON') AS {NESTED_JSON}"
    )
    (blob,) = list(bucket.list_blobs(prefix="nested-"))
    assert blob.download_as_text() == EXPORT_LINE


def test_extract_jobs_write_nested_json_as_values(bigquery_client, bucket, dataset):
    table = f"{dataset.dataset_id}.nested"
    bigquery_client.query_and_wait(f"CREATE TABLE {table} AS {NESTED_JSON}")
    config = bigquery.ExtractJobConfig(destination_format="NEWLINE_DELIMITED_JSON")
    bigquery_client.extract_table(table, f"gs://{bucket.name}/nested.json", job_config=config).result()
    (line,) = bucket.blob("nested.json").download_as_text().splitlines()
    assert line.startswith('{"id":"7",')
    for name in ("s", "a", "ja", "sn"):
        assert f'"{name}":{NESTED_FIELDS[name]},' in line, name


# A FLOAT64 cast to NUMERIC / BIGNUMERIC is the double's exact binary value rounded half away from
# zero to the type's scale (ZetaSQL's NumericValue::FromDouble and BigNumericValue::FromDouble):
# BIGNUMERIC kept the shortest decimal's 18 places (0.1), NUMERIC lost digits past ~10^5
# (123456789.123456784) or rounded 1.5e-9's 1.49999999999999999e-9 up to 2e-9; a FLOAT64 literal
# is converted from its digits, as written, so it is not such a cast.
BN, N = "BIGNUMERIC", "NUMERIC"
FLOATS = "SELECT * FROM UNNEST([STRUCT(1 AS i, 0.1 AS f), (2, 1.5), (3, NULL), (4, 123456789.123456789), (5, 1e-30), (6, 2.675)])"
FLOAT_TABLE_ROWS = [
    (1, Decimal("0.10000000000000000555111512312578270212"), Decimal("0.1")),
    (2, Decimal("1.5"), Decimal("1.5")),
    (3, None, None),
    (4, Decimal("123456789.12345679104328155517578125"), Decimal("123456789.123456791")),
    (5, Decimal("1E-30"), Decimal("0")),
    (6, Decimal("2.67499999999999982236431605997495353222"), Decimal("2.675")),
]
FLOAT_CASTS = [
    # a computed FLOAT64 as a selected value: every digit
    ("SELECT CAST(f * 2 AS BIGNUMERIC) FROM t WHERE i = 1", Decimal("0.20000000000000001110223024625156540424"), BN),
    (
        "SELECT SAFE_CAST(f AS BIGNUMERIC) AS b FROM t WHERE i = 6",
        Decimal("2.67499999999999982236431605997495353222"),
        BN,
    ),
    ("SELECT CAST(x AS BIGNUMERIC) FROM UNNEST([0.1]) AS x", Decimal("0.10000000000000000555111512312578270212"), BN),
    # past the engine's 20 integer digits (it was refused by name)
    ("SELECT CAST(x * 1e30 AS BIGNUMERIC) FROM UNNEST([42.0]) AS x", Decimal("42000000000000004775803917172736"), BN),
    # NUMERIC everywhere, also where the text does not show the type
    ("SELECT CAST(x AS NUMERIC) FROM UNNEST([123456789.123456789]) AS x", Decimal("123456789.123456791"), N),
    ("SELECT CAST(x AS NUMERIC) FROM UNNEST([348320.7674238955]) AS x", Decimal("348320.767423895"), N),
    ("SELECT CAST(x AS NUMERIC) FROM UNNEST([1.5e-9]) AS x", Decimal("1E-9"), N),
    ("SELECT CAST(x AS NUMERIC) FROM UNNEST([-5e-10]) AS x", Decimal("-1E-9"), N),
    # the double nearest 1e29 is below 10^29: NUMERIC holds it
    ("SELECT CAST(x AS NUMERIC) FROM UNNEST([1e29]) AS x", Decimal("99999999999999991433150857216"), N),
    ("SELECT SUM(CAST(f AS NUMERIC)) FROM t", Decimal("123456793.398456791"), N),
    # a double whose value has at most 18 decimals fits the local BIGNUMERIC anywhere
    (
        "SELECT SUM(CAST(x AS BIGNUMERIC)) FROM UNNEST([1.5, 0.375, -3.0, 1e15]) AS x",
        Decimal("999999999999998.875"),
        BN,
    ),
    ("SELECT CAST(f AS BIGNUMERIC) + 1 FROM t WHERE i = 2", Decimal("2.5"), BN),
    # a literal's digits, as written (ZetaSQL reparses the float literal's image)
    ("SELECT CAST(1e-20 AS BIGNUMERIC)", Decimal("1E-20"), BN),
    ("SELECT CAST(-1.23456789012345678901234 AS BIGNUMERIC)", Decimal("-1.23456789012345678901234"), BN),
    ("SELECT CAST(42e30 AS BIGNUMERIC)", Decimal("42E30"), BN),
    ("SELECT CAST(0.1 AS BIGNUMERIC) AS b", Decimal("0.1"), BN),
    ("SELECT SAFE_CAST(x AS NUMERIC) FROM UNNEST([1e30, CAST('nan' AS FLOAT64)]) AS x LIMIT 1", None, N),
]
FLOAT_CAST_ERRORS = [
    # BigQuery's value has 38 decimals, which only a selected value carries here
    (
        "SELECT CAST(f AS BIGNUMERIC) + 1 FROM t WHERE i = 1",
        "CAST of the FLOAT64 value 0.1 AS BIGNUMERIC is not supported",
    ),
    (
        "SELECT SUM(CAST(f AS BIGNUMERIC)) FROM (SELECT 0.5 AS f UNION ALL SELECT 0.1)",
        "CAST of the FLOAT64 value 0.1 AS BIGNUMERIC is not supported",
    ),
    ("SELECT CAST(1e-20 AS BIGNUMERIC) + 1", "is not supported by the local warehouse"),
    # BigQuery's errors
    ("SELECT CAST(x AS NUMERIC) FROM UNNEST([1e30]) AS x", "numeric out of range: 1e+30"),
    (
        "SELECT CAST(x AS NUMERIC) FROM UNNEST([CAST('nan' AS FLOAT64)]) AS x",
        "Illegal conversion of non-finite floating point number to numeric: nan",
    ),
    (
        "SELECT CAST(x AS BIGNUMERIC) FROM UNNEST([CAST('-inf' AS FLOAT64)]) AS x",
        "Illegal conversion of non-finite floating point number to BIGNUMERIC: -inf",
    ),
]


@pytest.fixture(scope="module")
def float_table(scratch_warehouse):
    scratch_warehouse.query_result("CREATE SCHEMA IF NOT EXISTS floats")
    scratch_warehouse.query_result(f"CREATE OR REPLACE TABLE floats.t AS {FLOATS}")
    return scratch_warehouse


def _local(sql: str) -> str:
    return sql.replace(" FROM t", " FROM floats.t")


def test_float_table_casts_locally(float_table):
    rows = float_table.query_result(
        "SELECT i, CAST(f AS BIGNUMERIC) AS b, CAST(f AS NUMERIC) AS n FROM floats.t ORDER BY i"
    )
    assert [tuple(r.values()) for r in rows.table.to_pylist()] == FLOAT_TABLE_ROWS
    assert [f["type"] for f in rows.schema][1:] == [BN, N]


@pytest.mark.parametrize("sql, want, typ", case_params({"float_casts": FLOAT_CASTS}))
def test_float_casts_locally(float_table, sql, want, typ):
    check_locally(float_table, _local(sql), want, typ)


@pytest.mark.parametrize("sql, fragment", FLOAT_CAST_ERRORS)
def test_float_cast_refusals_locally(float_table, sql, fragment):
    assert_fails_locally(float_table, _local(sql), fragment)


def test_float_casts_through_client(bigquery_client, dataset):
    table = f"{dataset.dataset_id}.t"
    bigquery_client.query_and_wait(f"CREATE TABLE {table} AS {FLOATS}")
    result = bigquery_client.query_and_wait(
        f"SELECT i, CAST(f AS BIGNUMERIC) AS b, CAST(f AS NUMERIC) AS n FROM {table} ORDER BY i"
    )
    assert [tuple(r.values()) for r in result] == FLOAT_TABLE_ROWS
    assert [f.field_type for f in result.schema] == ["INTEGER", BN, N]
    check_through_client(bigquery_client, [(q.replace(" FROM t", f" FROM {table}"), w, t) for q, w, t in FLOAT_CASTS])
    for sql, fragment in FLOAT_CAST_ERRORS:
        assert_fails_through_client(bigquery_client, sql.replace(" FROM t", f" FROM {table}"), fragment)


# An aggregate in an expression subquery whose arguments name only the outer query's columns
# belongs to the subquery (ZetaSQL's resolver: analyzer/testdata/correlated_expr_subquery.test);
# DuckDB gave it to the outer query (one row, 30) or failed ("must appear in the GROUP BY").
S = "STRING"
SUBQUERY_AGGREGATES = [
    (
        "SELECT STRING_AGG(CAST(s AS STRING), ',' ORDER BY s) FROM"
        " (SELECT (SELECT SUM(x) FROM UNNEST([1])) AS s FROM UNNEST([10, 20]) AS x)",
        "10,20",
        S,
    ),
    (
        "SELECT STRING_AGG(FORMAT('%d:%d', x, c), ',' ORDER BY x) FROM"
        " (SELECT x, (SELECT COUNT(x) FROM UNNEST([1, 2, 3]) AS y WHERE y > 1) AS c FROM UNNEST([10, 20]) AS x)",
        "10:2,20:2",
        S,
    ),
    (
        "SELECT STRING_AGG(TO_JSON_STRING(m), ';' ORDER BY a) FROM (SELECT t.a,"
        " ARRAY(SELECT MAX(t.a) FROM UNNEST([1, 2]) AS y GROUP BY y) AS m"
        " FROM (SELECT 5 AS a UNION ALL SELECT 6) AS t)",
        "[5,5];[6,6]",
        S,
    ),
    (
        "SELECT COUNTIF(e) FROM (SELECT EXISTS(SELECT MAX(x) FROM UNNEST([1]) HAVING MAX(x) > 15) AS e"
        " FROM UNNEST([10, 20]) AS x)",
        1,
        "INT64",
    ),
    (
        "WITH t AS (SELECT 3 AS n UNION ALL SELECT 4) SELECT STRING_AGG(CAST(s AS STRING), ',' ORDER BY s)"
        " FROM (SELECT (SELECT SUM(t.n) FROM UNNEST([1, 2])) AS s FROM t)",
        "6,8",
        S,
    ),
    # an argument naming the subquery's own column: the subquery's in both
    (
        "SELECT STRING_AGG(CAST(s AS STRING), ',' ORDER BY s) FROM"
        " (SELECT (SELECT SUM(x + y) FROM UNNEST([1, 2]) AS y) AS s FROM UNNEST([10, 20]) AS x)",
        "23,43",
        S,
    ),
]


@pytest.mark.parametrize("sql, want, typ", case_params({"subquery_aggregates": SUBQUERY_AGGREGATES}))
def test_subquery_aggregates_locally(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


def test_subquery_aggregates_through_client(bigquery_client):
    check_through_client(bigquery_client, SUBQUERY_AGGREGATES)


# JSON casts only to JSON (ZetaSQL's cast map, analyzer/testdata/casts.test: "Invalid cast from
# JSON to STRING"); DuckDB answered the JSON's text, its number, or the JSON of a string.
JSON_CAST_ERRORS = [
    ("""SELECT CAST(JSON '"a"' AS STRING)""", "Invalid cast from JSON to STRING"),
    ("SELECT SAFE_CAST(PARSE_JSON('1') AS INT64)", "Invalid cast from JSON to INT64"),
    ("SELECT CAST(TO_JSON(1) AS STRING)", "Invalid cast from JSON to STRING"),
    ("SELECT CAST('1' AS JSON)", "Invalid cast from STRING to JSON"),
]
# A JSON double is written as BigQuery writes it (the shortest digits, an exponent from 10^15 on
# and below 10^-4): DuckDB wrote 100000000000000000000.0, 0.00001, 2e22, or a literal's 1e20.
JSON_NUMBERS = [
    ("TO_JSON_STRING(JSON '1e20')", "1e+20", S),
    (
        "TO_JSON_STRING(PARSE_JSON('[2e22, 1e-5, 1e15, 1234567890123456.8, 1e14, 0.0001, 3.0]'))",
        "[2e+22,1e-05,1e+15,1.2345678901234568e+15,100000000000000.0,0.0001,3.0]",
        S,
    ),
    ("""TO_JSON_STRING(JSON '{"b": 1e20, "a": "1e20"}')""", '{"a":"1e20","b":1e+20}', S),
    ("TO_JSON_STRING(TO_JSON(1e20))", "1e+20", S),
    ("CAST(NULL AS JSON) IS NULL", True, "BOOL"),
]


@pytest.mark.parametrize("sql, fragment", JSON_CAST_ERRORS)
def test_json_casts_refused_locally(warehouse, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)


@pytest.mark.parametrize("sql, want, typ", case_params({"json_numbers": JSON_NUMBERS}))
def test_json_numbers_locally(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


def test_json_values_print_doubles_as_bigquery_locally(warehouse):
    row = warehouse.query_result("SELECT JSON '1e20' AS a, PARSE_JSON('[0.00001]') AS b").table.to_pylist()[0]
    assert row == {"a": "1e+20", "b": "[1e-05]"}


def test_json_casts_and_numbers_through_client(bigquery_client):
    for sql, fragment in JSON_CAST_ERRORS:
        assert_fails_through_client(bigquery_client, sql, fragment)
    check_through_client(bigquery_client, JSON_NUMBERS)
