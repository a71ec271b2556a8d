"""GoogleSQL that answered differently from BigQuery in the second sweep of BigQuery's how-to
guide pages (the first: `test_googlesql_guide_sweep.py`):

- a value with more digits after the decimal point than a parameterized column's scale
  (`NUMERIC(5, 2)`, `NUMERIC(9)`, `BIGNUMERIC(40, 2)`) was stored unrounded: "Specify a schema"'s
  rounding mode example wrote 1.025 into `x NUMERIC(5, 2) OPTIONS (rounding_mode =
  'ROUND_HALF_EVEN')` and read back 1.025 where BigQuery stores 1.02 (and 1.03 under the default
  ROUND_HALF_AWAY_FROM_ZERO). The local warehouse keeps the plain type, so such a write is refused
  by name (INSERT, UPDATE, insertAll); a value that fits is stored as it was;
- an expression of ORDER BY, HAVING or QUALIFY that reads a SELECT alias whose expression is
  checked arithmetic (`SELECT x * 2 AS a, x + 1 AS b ... ORDER BY (a + b) DESC`, the tables
  guide's storage forecast; `HAVING s > 2`; `ORDER BY -a` of a FLOAT64) failed as DuckDB's "Alias
  "a" referenced - but the expression has side effects";
- the change history table functions of the time series functions reference, `APPENDS(TABLE
  dataset.t, NULL, NULL)` and `CHANGES(TABLE ...)`, failed as a syntax error at the table's name;
  they are refused by name.

Each case is our own statement with the answer Google's pages give, run on the local warehouse and
through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import decimal
from typing import Any

import pytest

_REFUSED = "is not supported by the local warehouse"

# (query, BigQuery's column names in order, its rows in order)
ROWS: list[tuple[str, list[str], list[tuple[Any, ...]]]] = [
    (
        "SELECT x * 2 AS a, x + 1 AS b FROM UNNEST([1, 2]) AS x ORDER BY (a + b) DESC",
        ["a", "b"],
        [(4, 3), (2, 2)],
    ),
    (
        "SELECT k, SUM(v) * 2 AS s FROM UNNEST([STRUCT(1 AS k, 1 AS v), (1, 2), (2, 1)]) GROUP BY k HAVING s > 2",
        ["k", "s"],
        [(1, 6)],
    ),
    ("SELECT x / 2 AS a FROM UNNEST([1, 3, 2]) AS x ORDER BY -a", ["a"], [(1.5,), (1.0,), (0.5,)]),
    (
        "SELECT x * 2 AS a FROM UNNEST([1, 2, 3]) AS x WHERE TRUE"
        " QUALIFY a + 0 > 2 AND ROW_NUMBER() OVER (ORDER BY x) > 0 ORDER BY a",
        ["a"],
        [(4,), (6,)],
    ),
]
IDS = [f"rows-{i}" for i in range(len(ROWS))]


@pytest.mark.parametrize("sql, names, rows", ROWS, ids=IDS)
def test_rows_locally(warehouse, sql, names, rows):
    result = warehouse.query_result(sql)
    assert [f["name"] for f in result.schema] == names
    columns = [c.to_pylist() for c in result.table.columns]
    assert list(zip(*columns)) == rows


@pytest.mark.parametrize("sql, names, rows", ROWS, ids=IDS)
def test_rows_through_client(bigquery_client, sql, names, rows):
    result = bigquery_client.query_and_wait(sql)
    assert [f.name for f in result.schema] == names
    assert [tuple(row.values()) for row in result] == rows


@pytest.mark.parametrize(
    "column, write, stored",
    [
        # the schemas guide's example: BigQuery stores 1.02 (ROUND_HALF_EVEN) / 1.03
        (
            "x NUMERIC(5, 2) OPTIONS (rounding_mode = 'ROUND_HALF_EVEN')",
            "INSERT {t} (x) VALUES (NUMERIC '1.025')",
            "1.02",
        ),
        ("x NUMERIC(5, 2)", "INSERT {t} (x) VALUES (-1.0251)", "-1.03"),
        # scale 0: BigQuery stores 3
        ("x NUMERIC(9)", "INSERT {t} (x) SELECT 2.5", "3"),
        ("x BIGNUMERIC(40, 2)", "INSERT {t} (x) VALUES (BIGNUMERIC '0.005')", "0.01"),
        # an UPDATE that computes more digits (1.00 / 3)
        ("x NUMERIC(5, 2)", "INSERT {t} (x) VALUES (1); UPDATE {t} SET x = x / 3 WHERE TRUE", "0.33"),
    ],
)
def test_a_write_with_more_decimals_than_the_scale_is_rounded(env, column, write, stored):
    # was refused by name ("rounding a value ... is not supported by the local warehouse"); BigQuery
    # rounds it to the scale (data types page, "Parameterized decimal type"), as writtenvalues.py now does
    run, ds, _ = env
    table = f"{ds}.t"
    run(f"CREATE TABLE {table} ({column})")
    for statement in write.format(t=table).split("; "):
        run(statement)
    assert run(f"SELECT x FROM {table}") == [(decimal.Decimal(stored),)]


def test_insert_all_row_with_more_decimals_than_the_scale_is_rounded(bigquery_client):
    from google.cloud import bigquery

    ds = "ds_guide2_insert_all"
    bigquery_client.create_dataset(ds, exists_ok=True)
    try:
        table = bigquery.Table(
            f"{bigquery_client.project}.{ds}.t",
            schema=[bigquery.SchemaField("x", "NUMERIC", precision=5, scale=2)],
        )
        table = bigquery_client.create_table(table)
        errors = bigquery_client.insert_rows_json(table, [{"x": "1.02"}, {"x": "1.025"}], skip_invalid_rows=True)
        assert errors == []
        rows = [tuple(r.values()) for r in bigquery_client.query(f"SELECT x FROM {ds}.t ORDER BY x").result()]
        assert rows == [(decimal.Decimal("1.02"),), (decimal.Decimal("1.03"),)]
    finally:
        bigquery_client.delete_dataset(ds, delete_contents=True, not_found_ok=True)


@pytest.mark.parametrize(
    "call, name",
    [
        ("APPENDS(TABLE {t}, NULL, NULL)", "APPENDS"),
        ("CHANGES(TABLE `{t}`, TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 1 HOUR), NULL)", "CHANGES"),
    ],
)
def test_table_functions_of_a_named_table_are_refused_by_name(env, call, name):
    run, ds, error = env
    run(f"CREATE TABLE {ds}.produce (product STRING, time DATETIME)")
    with pytest.raises(error) as info:
        run(f"SELECT * FROM {call.format(t=ds + '.produce')}")
    assert f"table function {name} {_REFUSED}" in str(info.value)
