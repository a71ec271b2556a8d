"""The second sweep of Google's GoogleSQL function reference (every family page's examples with a
result table, run through the local warehouse; see docs/googlesql.md, "Reference sweep"): the
examples that failed or answered differently, each row our own query with the answer the
reference documents and its type.

- a statement followed by a comment after its semicolon (`SELECT ...; -- Display of results may
  differ`, as the reference writes its examples) was refused as a "SEMICOLON statement";
- `JSON_OBJECT(key, value)` of columns named `key` and `value` answered `{}` (sqlglot read the SQL
  standard's KEY ... VALUE words); `JSON_OBJECT` of key and value arrays the query computes
  (`ARRAY_AGG`, a cast empty array) was DuckDB's "keys must be VARCHAR";
- `LAX_BOOL(JSON '0')` was TRUE;
- `UNIX_SECONDS` / `UNIX_MILLIS` rounded to the nearest instead of down;
- `TIMESTAMP_DIFF` of string literals was an engine error, `TIMESTAMP_ADD` of one a DATETIME (the
  `UNIX_*` rows of literals pin that the rounding-down rewrite keeps reading them);
- `ARRAY_SLICE` with a NULL offset ignored it; `ARRAY_TO_STRING` of BYTES had no matching
  function, and a NULL delimiter joined with ',';
- `PARSE_NUMERIC` refused commas in the integer part;
- `PARSE_JSON` kept a number no JSON value holds exactly (`922337203685477580701`) in both
  `wide_number_mode`s: `'exact'` (the default) fails, `'round'` rounds it to a FLOAT64;
- `CAST(column AS INTERVAL)` read neither `Y-M D H:M:S` nor ISO 8601 durations;
- `DIV` and `MOD` by zero failed with DuckDB's message (which suggested its own TRY()), and
  `DIV(NUMERIC, 0)` with "Could not cast value inf";
- `BAG_OF_WORDS` (BigQuery's text analysis functions) was refused as an unknown function;
- `KLL_QUANTILES.*` answered "Function not found ... create it first", `SELECT WITH
  DIFFERENTIAL_PRIVACY` a syntax error, `OBJ.*` "Function not found": now named refusals.

Each row runs on the local warehouse (`llmops sql`'s path) and through the real BigQuery client
against the emulator, one client query per family where the rows are expressions.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    client_queries,
    same_type,
    single_value,
)

INT, S, B, BY, N, J, TS = "INT64", "STRING", "BOOL", "BYTES", "NUMERIC", "JSON", "TIMESTAMP"

_KEYS = "WITH Items AS (SELECT 'hello' AS key, 'world' AS value)"
_FRUITS = (
    "WITH Fruits AS (SELECT 0 AS id, 'color' AS json_key, 'red' AS json_value UNION ALL "
    "SELECT 0, 'fruit', 'apple' UNION ALL SELECT 1, 'fruit', 'banana' UNION ALL SELECT 1, 'ripe', 'true')"
)

# (expression or query, BigQuery's documented result, its type)
FAMILIES: dict[str, list[tuple[str, Any, str]]] = {
    "comments": [
        ("SELECT 'a' AS x;  -- Display of results may differ", "a", S),
        (
            "SELECT TIMESTAMP_SECONDS(1230219000) AS t;\n\n-- results depend\n-- on the time zone",
            dt.datetime(2008, 12, 25, 15, 30, tzinfo=dt.UTC),
            TS,
        ),
        ("SELECT 1 AS x; /* a note */", 1, INT),
    ],
    "json": [
        (f"{_KEYS} SELECT JSON_OBJECT(key, value) AS json_data FROM Items", '{"hello":"world"}', J),
        (f"{_KEYS} SELECT JSON_OBJECT('k', key, 'v', value) FROM Items", '{"k":"hello","v":"world"}', J),
        (
            f"{_FRUITS} SELECT JSON_OBJECT(ARRAY_AGG(json_key), ARRAY_AGG(json_value)) FROM Fruits WHERE id = 0",
            '{"color":"red","fruit":"apple"}',
            J,
        ),
        ("JSON_OBJECT(CAST([] AS ARRAY<STRING>), [])", "{}", J),
        ("LAX_BOOL(JSON '0')", False, B),
        (
            """PARSE_JSON('{"id": 922337203685477580701}', wide_number_mode => 'round')""",
            '{"id":9.223372036854776e+20}',
            J,
        ),
    ],
    "timestamps": [
        ('UNIX_MILLIS(TIMESTAMP "1970-01-01 00:00:00.0018+00")', 1, INT),
        ('UNIX_SECONDS(TIMESTAMP "1970-01-01 00:00:01.8+00")', 1, INT),
        ('TIMESTAMP_DIFF("2001-02-01 01:00:00", "2001-02-01 00:00:01", HOUR)', 0, INT),
        ("UNIX_MICROS('2008-12-25 15:30:00+00')", 1230219000000000, INT),
        ("UNIX_SECONDS('2008-12-25 15:30:00+00')", 1230219000, INT),
        (
            "TIMESTAMP_ADD('2008-12-25 15:30:00+00', INTERVAL 10 MINUTE)",
            dt.datetime(2008, 12, 25, 15, 40, tzinfo=dt.UTC),
            TS,
        ),
    ],
    "arrays": [
        ("ARRAY_SLICE(['a', 'b', 'c', 'd', 'e'], 1, NULL)", None, S),
        ("ARRAY_TO_STRING([b'prefix', b'middle', b'suffix', b'\\x00'], b'--')", b"prefix--middle--suffix--\x00", BY),
        ("ARRAY_TO_STRING([b'a', NULL, b'b'], b'.', b'N')", b"a.N.b", BY),
        ("ARRAY_TO_STRING(['a', 'b'], CAST(NULL AS STRING))", None, S),
    ],
    "text_analysis": [
        (
            "WITH ExampleTable AS (SELECT 1 AS id, ['I', 'like', 'pie', 'pie', 'pie', NULL] AS f UNION ALL "
            "SELECT 2 AS id, ['yum', 'yum', 'pie', NULL] AS f) SELECT BAG_OF_WORDS(f) FROM ExampleTable WHERE id = 1",
            [
                {"term": None, "count": 1},
                {"term": "I", "count": 1},
                {"term": "like", "count": 1},
                {"term": "pie", "count": 3},
            ],
            "RECORD",
        ),
        (
            "SELECT BAG_OF_WORDS(TEXT_ANALYZE('The cat, the CAT'))",
            [{"term": "cat", "count": 2}, {"term": "the", "count": 2}],
            "RECORD",
        ),
    ],
    "conversions": [
        ('PARSE_NUMERIC("  1,2,,3,.45 + ")', Decimal("123.45"), N),
        ('PARSE_NUMERIC("- 12,34567,89.0")', Decimal("-123456789"), N),
        ('PARSE_BIGNUMERIC(" 0,.12 -")', Decimal("-0.12"), "BIGNUMERIC"),
        (
            "SELECT ARRAY_AGG(CAST(CAST(input AS INTERVAL) AS STRING) ORDER BY o) FROM UNNEST(["
            "'1-2 3 10:20:30.456', '1-2', '10:20:30', 'P1Y2M3D', 'PT10H20M30,456S']) input WITH OFFSET o",
            ["1-2 3 10:20:30.456", "1-2 0 0:0:0", "0-0 0 10:20:30", "1-2 3 0:0:0", "0-0 0 10:20:30.456"],
            S,
        ),
        ("SELECT SAFE_CAST(x AS INTERVAL) IS NULL FROM UNNEST(['1 day']) x", True, B),
    ],
}

ROWS = case_params(FAMILIES)

# (query, a fragment of the error BigQuery documents or of the named refusal)
ERRORS = [
    ("SELECT JSON_OBJECT(ARRAY_AGG(k), [1]) FROM UNNEST(['a', 'b']) k", "The number of keys and values must match"),
    ("SELECT CAST(x AS INTERVAL) FROM UNNEST(['1 day']) x", "Invalid INTERVAL value '1 day'"),
    ("SELECT DIV(20, 0)", "division by zero"),
    ("SELECT MOD(x, 0) FROM UNNEST([25]) x", "division by zero"),
    ("SELECT DIV(NUMERIC '25', 0)", "division by zero"),
    ("""SELECT PARSE_JSON('{"id": 922337203685477580701}')""", "cannot be stored without loss of precision"),
    (
        """SELECT PARSE_JSON('{"id": 922337203685477580701}', wide_number_mode => 'exact')""",
        "cannot be stored without loss of precision",
    ),
    ("SELECT PARSE_JSON('1', wide_number_mode => 'EXACT')", "Invalid `wide_number_mode` specified: EXACT"),
    (
        "SELECT KLL_QUANTILES.EXTRACT_INT64(KLL_QUANTILES.INIT_INT64(x, 10), 2) FROM UNNEST([1, 2, 3]) x",
        "KLL_QUANTILES.EXTRACT_INT64 is not supported by the local warehouse",
    ),
    (
        "SELECT KLL_QUANTILES.INIT_FLOAT64(x) FROM UNNEST([1.0]) x",
        "KLL_QUANTILES.INIT_FLOAT64 is not supported by the local warehouse",
    ),
    (
        "SELECT WITH DIFFERENTIAL_PRIVACY OPTIONS(epsilon = 10, delta = .01, privacy_unit_column = id) "
        "item, AVG(quantity) FROM (SELECT 1 AS id, 'a' AS item, 2 AS quantity) GROUP BY item",
        "SELECT WITH DIFFERENTIAL_PRIVACY (differentially private aggregation) is not supported by the local warehouse",
    ),
    ("SELECT OBJ.MAKE_REF('gs://bucket/a.png', 'us.conn')", "OBJ.MAKE_REF is not supported by the local warehouse"),
]


def _same(got: Any, want: Any, typ: str) -> bool:
    if typ == J and isinstance(want, str):  # the client reads a JSON value, the warehouse its text
        return (json.loads(got) if isinstance(got, str) else got) == json.loads(want)
    if isinstance(want, bool):
        return got is want
    return got == want


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    got, kind = single_value(warehouse, sql if sql.lstrip().upper().startswith(("SELECT", "WITH")) else f"SELECT {sql}")
    if want is None:
        assert got is None, got
    else:
        assert _same(got, want, typ), got
    assert same_type(kind, typ), kind


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    for sql, cases in client_queries(FAMILIES[family]):
        result = bigquery_client.query_and_wait(sql)
        values = list(next(iter(result)).values())
        for (q, want, typ), got, field in zip(cases, values, result.schema, strict=True):
            if want is None and field.mode == "REPEATED":
                want = []  # BigQuery returns a NULL array as an empty one
            if want is None:
                assert got is None, (q, got)
            else:
                assert _same(got, want, typ), (q, got)
            assert same_type(field.field_type, typ), (q, field.field_type)


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_errors_local_warehouse(warehouse, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_errors_bigquery_client(bigquery_client, sql, fragment):
    assert_fails_through_client(bigquery_client, sql, fragment)
